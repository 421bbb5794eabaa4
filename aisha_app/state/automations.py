"""Automations: the rules with how they have been doing, and the log of every run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from sqlmodel import col, func, select

from aisha_app.actions import automations as rules
from aisha_app.automations.form import ACTIONS, FIELD_LABELS, OPS, actions_summary, trigger_summary
from aisha_app.automations.rules import RulePatch
from aisha_app.clock import exact, shop_zone
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import Automation, AutomationRun, Contact, RunStatus, Segment
from aisha_app.models.contact import shown_name
from aisha_app.models.numbers import id_in
from aisha_app.queries.search import contacts_matching
from aisha_app.state.session import SessionState, off_loop

RUNS_PAGE = 50
FILTERS = ("rule", "status", "customer")


@dataclass
class RuleRow:
    id: int
    name: str
    trigger: str
    actions: str
    is_active: bool
    runs: int
    failures: int
    last_run: str  # ISO, for a relative time ("" when it never ran)
    last_run_exact: str
    last_error: str  # the newest failed run's reason
    last_error_at: str  # ISO: when it failed


class AutomationsState(SessionState):
    rules: list[RuleRow] = []
    notice: str = ""
    error: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    def _reload(self) -> None:
        with unit_of_work() as session:
            zone = shop_zone(session)
            shown = rules.public(session, list(session.exec(select(Automation).order_by(col(Automation.id)))))
            newest = (
                select(func.max(AutomationRun.id))
                .where(AutomationRun.status == RunStatus.FAILED)
                .group_by(AutomationRun.automation_id)
            )
            failures = {
                run.automation_id: run
                for run in session.exec(select(AutomationRun).where(col(AutomationRun.id).in_(newest)))
            }  # each rule's newest failure
            segments = {s.id: s.name for s in session.exec(select(Segment))}
        self.rules = [
            RuleRow(
                id=r.id,
                name=r.name,
                trigger=trigger_summary(r.trigger, segments),
                actions=actions_summary(r.actions),
                is_active=r.is_active,
                runs=r.runs,
                failures=r.failures,
                last_run=r.last_run_at.isoformat() if r.last_run_at else "",
                last_run_exact=exact(r.last_run_at, zone),
                last_error=(failures[r.id].error or "failed")[:300] if r.id in failures else "",
                last_error_at=failures[r.id].created_at.isoformat() if r.id in failures else "",
            )
            for r in shown
        ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        self.notice = self.error = ""
        if self._authorize() is None:
            return self._to_login()
        self._reload()
        return None

    def _change(self, change) -> None:
        self.notice = self.error = ""
        admin = self._authorize(admin=True)
        self.forbidden = False  # staff still read the list
        if admin is None:
            self.error = "Only admins switch and delete automations."
            return
        try:
            with unit_of_work() as session:
                self.notice = change(session, admin)
        except AppError as exc:
            self.error = exc.message
        self._reload()

    @rx.event
    @off_loop
    def switch(self, rule_id: int, on: bool) -> None:
        if not _an_id(rule_id) or not isinstance(on, bool):
            return
        self._change(
            lambda s, a: (
                f"{rules.change_rule(s, rule_id, RulePatch(is_active=on), a).name!r} is "
                + ("on." if on else "off.")
            )
        )

    @rx.event
    @off_loop
    def delete(self, rule_id: int) -> None:
        if not _an_id(rule_id):
            return
        self._change(lambda s, a: rules.delete_rule(s, rule_id, a) or "Deleted, with its log.")


def _an_id(value: Any) -> bool:
    """An id as a page's event sends it: an int (a crafted event may send anything)."""
    return isinstance(value, int) and not isinstance(value, bool) and id_in(str(value)) is not None


@dataclass
class RunRow:
    id: int
    rule: str
    status: str
    customer: str
    conversation_id: int
    when: str
    when_exact: str
    error: str
    checks: list[str] = field(default_factory=list)  # each condition, what it saw, passed or not
    steps: list[str] = field(default_factory=list)  # each action and its outcome


def check_line(c: dict[str, Any]) -> str:
    name = c["field"]
    label = FIELD_LABELS.get(name) or name.replace("contact.attributes.", "Attribute ")
    value = c.get("value")
    wanted = "" if value is None else " " + (_said(value) if isinstance(value, bool | list) else str(value))
    mark = "✓" if c.get("passed") else "✗"
    return f"{mark} {label} {OPS.get(c['op'], c['op'])}{wanted} (it is {_said(c.get('actual'))})"


def _said(value: Any) -> str:
    """A value a condition saw, as the page says it: [] is "nothing", True is "yes"."""
    if value in (None, "", []):
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return repr(value) if isinstance(value, str) else str(value)


def step_line(s: dict[str, Any]) -> str:
    return (
        f"{s.get('index', 0) + 1}. {ACTIONS.get(s['type'], s['type'])}: {s['status']}, {s.get('detail', '')}"
    )


class RunLogState(SessionState):
    runs: list[RunRow] = []
    rule_choices: list[list[str]] = []  # [id, name]
    rule: str = ""  # the filters: "" is every one
    status: str = ""
    customer: str = ""
    has_more: bool = False

    def _query(self, session, before: int | None):
        query = select(AutomationRun, Automation.name, Contact).join(
            Automation, Automation.id == AutomationRun.automation_id
        )
        query = query.outerjoin(Contact, Contact.id == AutomationRun.contact_id)
        if (rule_id := id_in(self.rule)) is not None:
            query = query.where(AutomationRun.automation_id == rule_id)
        if self.status in set(RunStatus):
            query = query.where(AutomationRun.status == self.status)
        if self.customer.strip():
            query = query.where(col(AutomationRun.contact_id).in_(contacts_matching(session, self.customer)))
        if before:
            query = query.where(AutomationRun.id < before)
        return query.order_by(col(AutomationRun.id).desc()).limit(RUNS_PAGE + 1)

    def _fetch(self, before: int | None = None) -> list[RunRow]:
        with unit_of_work() as session:
            zone = shop_zone(session)
            found = session.exec(self._query(session, before)).all()
            if not self.rule_choices:
                self.rule_choices = [
                    [str(i), n]
                    for i, n in session.exec(
                        select(Automation.id, Automation.name).order_by(col(Automation.name))
                    )
                ]
        self.has_more = len(found) > RUNS_PAGE
        return [
            RunRow(
                id=run.id,
                rule=name,
                status=run.status,
                customer=shown_name(contact) if contact is not None else "No contact",
                conversation_id=run.conversation_id or 0,
                when=run.created_at.isoformat(),
                when_exact=exact(run.created_at, zone),
                error=run.error or "",
                checks=[check_line(c) for c in run.conditions or []],
                steps=[step_line(s) for s in run.steps or []],
            )
            for run, name, contact in found[:RUNS_PAGE]
        ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        params = self.router.url.query_parameters
        self.rule = str(params.get("rule", ""))[:12]
        self.status, self.customer, self.rule_choices = "", "", []
        self.runs = self._fetch()
        return None

    @rx.event
    @off_loop
    def filter(self, name: str, value: str) -> None:
        if self._authorize() is None:
            return
        if name in FILTERS and isinstance(value, str):
            setattr(self, name, value[:200])
        self.runs = self._fetch()

    @rx.event
    @off_loop
    def older(self) -> None:
        if self._authorize() is None or not self.runs:
            return
        self.runs = self.runs + self._fetch(before=self.runs[-1].id)
