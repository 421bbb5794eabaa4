"""Events that may trigger rules, matched against the active rules' triggers and queued.

Kept apart from the engine so that every action (contacts, conversations, leads, the webhook
writer) can emit without importing what runs the rules.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlmodel import Session, func, select

from aisha_app.automations.rules import LISTENS_TO, Event, Trigger
from aisha_app.automations.text import fold, matcher
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind
from aisha_app.models import Automation

log = logging.getLogger("aisha.automations")

MAX_DEPTH = 3
DEPTH = "automation_depth"  # session.info: the depth of the run whose actions are running
TRIGGER = TypeAdapter(Trigger)


@dataclass(frozen=True)
class TriggerEvent:
    event: str
    key: str  # unique per occurrence: the rule's run is unique on it
    contact_id: int | None = None
    conversation_id: int | None = None
    message_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    depth: int = 0

    @classmethod
    def occurrence(cls, event: Event, **fields: Any) -> TriggerEvent:
        """An event with no natural id of its own (a tag added): a fresh key, made once."""
        return cls(event=event, key=f"{event}:{uuid.uuid4().hex}", **fields)


@dataclass(frozen=True)
class Compiled:
    id: int
    trigger: Any
    keyword: Any = None  # text.matcher for a keyword trigger

    def matches(self, event: TriggerEvent, folded: str | None) -> bool:
        t, data = self.trigger, event.data
        if t.type == "keyword":
            return self.keyword(data.get("body") or "", folded or "") is not None
        if t.type in ("tag_added", "label_added"):
            wanted = t.tag if t.type == "tag_added" else t.label
            return wanted is None or fold(wanted) == fold(data.get("name") or "")
        if t.type == "review_received":
            return t.max_rating is None or int(data.get("rating") or 0) <= t.max_rating
        if t.type == "waiting_list":
            wanted = (t.list or "").strip()
            on_list = (
                not wanted
                or wanted == str(data.get("list_id"))
                or fold(wanted) == fold(data.get("list") or "")
            )
            return t.on == data.get("status") and on_list
        if t.type == "lead_stage_changed":
            return (t.from_stage is None or t.from_stage == data.get("from")) and (
                t.to_stage is None or t.to_stage == data.get("to")
            )
        return True


_cache: dict[str, Any] = {"version": None, "by_event": {}}
_lock = threading.Lock()


def active_rules(session: Session) -> dict[str, list[Compiled]]:
    """The active rules by the event they listen to; recompiled when any was added, changed or removed."""
    version = tuple(
        session.execute(
            sa.select(
                func.count(Automation.id), func.max(Automation.updated_at), func.max(Automation.id)
            ).where(Automation.is_active)
        ).one()
    )
    with _lock:
        if _cache["version"] != version:
            by_event: dict[str, list[Compiled]] = {}
            for row in session.exec(select(Automation).where(Automation.is_active).order_by(Automation.id)):
                try:
                    trigger = TRIGGER.validate_python(row.trigger_config)
                except ValueError:
                    log.warning("automation %s: its trigger no longer validates; skipped", row.id)
                    continue
                keyword = matcher(trigger.keywords, trigger.match) if trigger.type == "keyword" else None
                rule = Compiled(row.id, trigger, keyword)
                by_event.setdefault(LISTENS_TO[rule.trigger.type], []).append(rule)
            _cache.update(version=version, by_event=by_event)
        return _cache["by_event"]


def emit(session: Session, events: list[TriggerEvent]) -> int:
    """Queue the rules these events trigger, in the caller's transaction; returns how many runs."""
    if not events:
        return 0
    depth = session.info.get(DEPTH, 0)
    by_event = active_rules(session)  # one check a batch, however many messages it holds
    queued = 0
    for event in events:
        rules = by_event.get(event.event)
        if not rules:
            continue
        folded = fold(event.data.get("body") or "") if event.event == Event.MESSAGE_RECEIVED else None
        matched = [r.id for r in rules if r.matches(event, folded)]
        if matched:
            payload = asdict(event) | {"depth": max(depth, event.depth)}
            jobs.enqueue(session, JobKind.AUTOMATION, {"event": payload, "rules": matched}, max_attempts=5)
            queued += len(matched)
    return queued
