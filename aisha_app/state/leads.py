"""The leads kanban: cards by stage, live; a lead's timeline, label and activities in a side panel."""

from __future__ import annotations

from typing import Any

import reflex as rx

from aisha_app.actions import leads
from aisha_app.clock import exact, shop_zone, short
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import LeadLabel, LeadStage, SourceType
from aisha_app.queries.journeys import LeadFilter, lead_cards, lead_timeline
from aisha_app.realtime import events
from aisha_app.realtime.live import HUB, Batch
from aisha_app.state.session import SessionState, off_loop

STAGES = [s.value for s in LeadStage]
REFRESH_ON = {events.LEAD_UPDATED, events.CONTACT_UPDATED, events.MESSAGE_CREATED}


def _card(card: dict[str, Any]) -> dict[str, str]:
    return {
        "id": str(card["contact_id"]),
        "name": card["name"],
        "channel": card["channel"].replace("_", " ") or "no chat yet",
        "stage": card["stage"],
        "label": card["label"],
        "score": str(card["score"]),
        "reasons": " · ".join(card["reasons"]) or "no signals yet",
        "source": card["source"],
        "source_details": ", ".join(f"{k}: {v}" for k, v in (card["source_details"] or {}).items())[:300],
        "last_message": card["last_message"],
        "drag_url": f"/api/leads/{card['contact_id']}/stage",
    }


class LeadsState(SessionState):
    columns: dict[str, list[dict[str, str]]] = {stage: [] for stage in STAGES}
    source: str = "all"
    label: str = "all"
    search: str = ""
    tag: str = ""  # the contact's
    selected: dict[str, str] = {}
    timeline: list[dict[str, str]] = []
    error: str = ""

    def _reload(self) -> None:
        f = LeadFilter(
            label=LeadLabel(self.label) if self.label != "all" else None,
            source=self.source if self.source != "all" else None,
            q=self.search or None,
            tag=self.tag.strip() or None,
        )
        with unit_of_work() as session:
            cards = [_card(c) for c in lead_cards(session, f)]
            if self.selected:
                contact_id, zone = int(self.selected["id"]), shop_zone(session)
                self.selected = next((c for c in cards if c["id"] == self.selected["id"]), self.selected)
                self.timeline = [
                    {
                        "kind": item["kind"].replace("_", " "),
                        "summary": item["summary"],
                        "when": short(item["created_at"], zone),
                        "exact": exact(item["created_at"], zone),
                    }
                    for item in lead_timeline(session, contact_id, limit=100)
                ]
        self.columns = {stage: [c for c in cards if c["stage"] == stage] for stage in STAGES}

    def _reload_for_staff(self) -> None:
        """Every handler that reads the board checks who is asking first."""
        if self._authorize() is None:
            self.columns, self.selected, self.timeline = {stage: [] for stage in STAGES}, {}, []
            return
        self._reload()

    def _on_events(self, batch: Batch) -> None:
        if any(e.kind in REFRESH_ON for e in batch.events) and self._authorize(batch=batch) is not None:
            self._reload()

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        HUB.watch(self.router.session.client_token, LeadsState)
        self.selected, self.timeline, self.error = {}, [], ""
        self._reload()
        wanted = self.router.url.query_parameters.get("contact", "")  # the inbox's "Lead card"
        card = next((c for cards in self.columns.values() for c in cards if c["id"] == wanted), None)
        if card is not None:
            self.selected = card
            self._reload()
        return None

    @rx.event
    @off_loop
    def set_source(self, value: str | list[str]) -> None:
        self.source = value if isinstance(value, str) and value in {"all", *SourceType} else "all"
        self._reload_for_staff()

    @rx.event
    @off_loop
    def set_label(self, value: str | list[str]) -> None:
        self.label = value if isinstance(value, str) and value in {"all", *LeadLabel} else "all"
        self._reload_for_staff()

    @rx.event
    @off_loop
    def set_search(self, value: str) -> None:
        self.search = value[:200]
        self._reload_for_staff()

    @rx.event
    @off_loop
    def set_tag(self, value: str) -> None:
        self.tag = value[:40]
        self._reload_for_staff()

    @rx.event
    @off_loop
    def open_lead(self, card: dict[str, str]) -> None:
        if self._authorize() is None:
            return
        self.selected, self.error = card, ""
        self._reload()

    @rx.event
    def close_lead(self) -> None:
        self.selected, self.timeline = {}, []

    def _change(self, change) -> None:
        user = self._authorize()
        if user is None or not self.selected:
            return
        self.error = ""
        try:
            with unit_of_work() as session:
                change(session, int(self.selected["id"]), user)
        except AppError as exc:
            self.error = exc.message
        self._reload()

    @rx.event
    @off_loop
    def move_selected(self, stage: str) -> None:
        self._change(lambda s, cid, user: leads.move_lead(s, cid, stage, user))

    @rx.event
    @off_loop
    def label_selected(self, label: str) -> None:
        self._change(lambda s, cid, user: leads.set_label(s, cid, None if label == "auto" else label, user))

    @rx.event
    @off_loop
    def add_activity(self, form: dict[str, Any]) -> None:
        self._change(
            lambda s, cid, user: leads.add_activity(
                s, cid, form.get("kind", "note"), form.get("summary", ""), user
            )
        )
