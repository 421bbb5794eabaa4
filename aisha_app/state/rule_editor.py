"""The rule editor: a rule in plain words, saved by admins, and tried on a customer first."""

from __future__ import annotations

import copy
from collections.abc import Callable

import reflex as rx
from pydantic import ValidationError
from sqlmodel import col, select

from aisha_app import routes
from aisha_app.actions import automations as rules
from aisha_app.automations import engine, timed
from aisha_app.automations.form import (
    ACTIONS,
    CANCELS,
    FIELD_LABELS,
    OPS_FOR,
    ActionRow,
    ConditionRow,
    FormError,
    RuleForm,
    checked,
    explain,
    from_rule,
    kind_of,
)
from aisha_app.automations.rules import MAX_ACTIONS, MAX_CONDITIONS, TIMED, RulePatch
from aisha_app.config import get_settings
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import Automation, Role, Segment, User
from aisha_app.models.contact import shown_name
from aisha_app.models.numbers import id_in
from aisha_app.queries.inbox import search_contacts
from aisha_app.state.automations import check_line, step_line
from aisha_app.state.session import SessionState, off_loop

TEXT_FIELDS = (
    "name",
    "trigger",
    "keywords",
    "match",
    "tag",
    "label",
    "from_stage",
    "to_stage",
    "days_before",
    "at",
    "waiting_for",
    "idle_for",
    "idle_unit",
    "every",
    "weekday",
    "day",
    "segment",
    "attribute",
    "max_rating",
    "waiting_on",
    "waiting_list",
    "once_per",
)
FLAGS = ("ignore_quiet_hours", "is_active")
CONDITION_KEYS = ("field", "attribute", "op", "value")
ACTION_KEYS = (
    "type",
    "text",
    "name",
    "value",
    "template",
    "language",
    "variables",
    "wait_for",
    "wait_unit",
    "url",
    "timeout",
)
GROUPS = ("all", "any")


class RuleEditorState(SessionState):
    rule_id: int = 0  # 0: a new rule
    form: RuleForm = RuleForm()
    staff: list[list[str]] = []  # [id, name] of the active staff, for "Assign"
    segments: list[list[str]] = []  # [id, name], for a schedule
    error: str = ""
    notice: str = ""
    # The dry run: a customer to try the rule on, and what it would do for them.
    try_search: str = ""
    try_matches: list[list[str]] = []  # [contact id, "name · phone"]
    try_contact: list[str] = []  # the chosen one
    dry_status: str = ""
    dry_reason: str = ""
    dry_trigger: str = ""  # a keyword rule's: would the last message have started it
    dry_checks: list[str] = []
    dry_steps: list[str] = []
    quiet_hours: str = ""  # the limits every rule keeps, said on the page
    daily_limit: int = 0
    late_hours: int = 0
    saved_trigger: str = ""  # the saved rule's: "Run now" is for a saved time-based rule
    # Backend only: the saved rule as the form reads it back, so a save changes only the parts
    # edited here (what the form cannot show, and a switch flipped in another tab, are kept).
    _baseline: dict = {}
    _just_saved: bool = False  # the address changed to the new rule's: keep saying it was saved

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == Role.ADMIN

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        wanted = str(self.router.url.query_parameters.get("id", ""))
        if self._just_saved and id_in(wanted) == self.rule_id:
            self._just_saved = False
            return None  # the redirect to the new rule's own address: the page is current
        self.error = self.notice = self.try_search = ""
        self.try_matches, self.try_contact = [], []
        self._clear_dry()
        settings = get_settings()
        self.quiet_hours = settings.automation_quiet_hours or "none"
        self.daily_limit = settings.automation_daily_limit
        self.late_hours = settings.automation_late_hours
        with unit_of_work() as session:
            self.staff = [
                [str(u.id), f"{u.name} ({u.role})"]
                for u in session.exec(select(User).where(User.is_active).order_by(col(User.name)))
            ]
            self.segments = [
                [str(g.id), g.name] for g in session.exec(select(Segment).order_by(col(Segment.name)))
            ]
            rule = session.get(Automation, rule_id) if (rule_id := id_in(wanted)) else None
            shown = rules.public(session, [rule])[0].model_dump(mode="json") if rule else None
        if wanted and shown is None:
            self.error = "That automation does not exist (any more): this is a new one."
        self.rule_id = shown["id"] if shown else 0
        self.saved_trigger = shown["trigger"]["type"] if shown and shown["is_active"] else ""
        self.form = from_rule(shown) if shown else RuleForm()
        self._baseline = _as_saved(self.form) if shown else {}
        return None

    def _clear_dry(self) -> None:
        self.dry_status = self.dry_reason = self.dry_trigger = ""
        self.dry_checks, self.dry_steps = [], []

    def _edit(self, change: Callable[[RuleForm], None]) -> None:
        if not self.user_id:
            return  # the page's load signs the user in; a crafted event before it changes nothing
        form = copy.deepcopy(self.form)
        change(form)
        self.form = form
        self._clear_dry()  # an earlier dry run no longer says what this rule does

    @rx.event
    def set_text(self, name: str, value: str) -> None:
        if name in TEXT_FIELDS and isinstance(value, str):
            self._edit(lambda f: setattr(f, name, value[:5000]))

    @rx.event
    def set_flag(self, name: str, on: bool) -> None:
        if name in FLAGS and isinstance(on, bool):
            self._edit(lambda f: setattr(f, name, on))

    @rx.event
    def add_condition(self, group: str) -> None:
        if group in GROUPS and len(getattr(self.form, group)) < MAX_CONDITIONS:
            self._edit(lambda f: getattr(f, group).append(ConditionRow()))

    @rx.event
    def remove_condition(self, group: str, index: int) -> None:
        def change(f: RuleForm) -> None:
            rows = getattr(f, group)
            if 0 <= index < len(rows):
                del rows[index]

        if group in GROUPS and _an_index(index):
            self._edit(change)

    @rx.event
    def set_condition(self, group: str, index: int, key: str, value: str) -> None:
        def change(f: RuleForm) -> None:
            rows = getattr(f, group)
            if not 0 <= index < len(rows):
                return
            row = rows[index]
            if key == "field":
                if value not in FIELD_LABELS:
                    return
                row.kind = kind_of(value)
                if row.op not in OPS_FOR[row.kind]:
                    row.op = OPS_FOR[row.kind][0]
                if row.kind == "bool":
                    row.value = "yes"
            setattr(row, key, str(value)[:1000])

        if group in GROUPS and key in CONDITION_KEYS and _an_index(index) and isinstance(value, str):
            self._edit(change)

    @rx.event
    def add_action(self) -> None:
        if len(self.form.actions) < MAX_ACTIONS:
            self._edit(lambda f: f.actions.append(ActionRow()))

    @rx.event
    def remove_action(self, index: int) -> None:
        if _an_index(index):
            self._edit(lambda f: f.actions.pop(index) if 0 <= index < len(f.actions) else None)

    @rx.event
    def move_action(self, index: int, by: int) -> None:
        def change(f: RuleForm) -> None:
            to = index + by
            if 0 <= index < len(f.actions) and 0 <= to < len(f.actions):
                f.actions[index], f.actions[to] = f.actions[to], f.actions[index]

        if _an_index(index) and by in (-1, 1):
            self._edit(change)

    @rx.event
    def set_action(self, index: int, key: str, value: str) -> None:
        def change(f: RuleForm) -> None:
            if 0 <= index < len(f.actions):
                row = f.actions[index]
                if key == "type" and value != row.type:
                    row.value = FIRST_VALUE.get(value, "")  # what its menu shows first
                setattr(row, key, value[:5000])

        fits = key in ACTION_KEYS and _an_index(index) and isinstance(value, str)
        if fits and (key != "type" or value in ACTIONS):
            self._edit(change)

    @rx.event
    def toggle_cancel(self, index: int, reason: str, on: bool) -> None:
        """A wait's "end it if ..." boxes."""

        def change(f: RuleForm) -> None:
            if 0 <= index < len(f.actions):
                row = f.actions[index]
                have = [c for c in row.cancel_if.split(",") if c in CANCELS and c != reason]
                row.cancel_if = ",".join(have + ([reason] if on else []))

        if _an_index(index) and reason in CANCELS and isinstance(on, bool):
            self._edit(change)

    @rx.event
    @off_loop
    def save(self) -> rx.event.EventSpec | None:
        self.error = self.notice = ""
        admin = self._authorize(admin=True)
        self.forbidden = False  # staff may read a rule and try it
        if admin is None:
            self.error = "Only admins save automations."
            return None
        try:
            body = checked(self.form)
            data = body.model_dump(mode="json")
            with unit_of_work() as session:
                if self.rule_id:
                    edited = {k: v for k, v in data.items() if self._baseline.get(k) != v}
                    patch = RulePatch.model_validate(edited)
                    rule = rules.change_rule(session, self.rule_id, patch, admin)
                else:
                    rule = rules.create_rule(session, body, admin)
                saved_id, name, on, trigger = rule.id, rule.name, rule.is_active, rule.trigger_type
        except FormError as exc:
            self.error = str(exc)
            return None
        except ValidationError as exc:
            self.error = explain(exc, data)
            return None
        except AppError as exc:
            self.error = exc.message
            return None
        was_new = not self.rule_id
        self.rule_id, self._baseline = saved_id, data
        self.saved_trigger = trigger if on else ""
        self.notice = f"{name!r} saved" + (" and on." if on else ", switched off.")
        if not was_new:
            return None
        # A new rule's address names it from now on (a reload edits it, not another new one).
        self._just_saved = True
        return rx.redirect(f"{routes.AUTOMATION_EDIT}?id={saved_id}", replace=True)

    @rx.var
    def can_run_now(self) -> bool:
        return self.is_admin and self.rule_id > 0 and self.saved_trigger in TIMED

    @rx.event
    @off_loop
    def run_now(self) -> None:
        """The saved birthday rule for whoever's greeting is due today (each greeted once a year)."""
        self.error = self.notice = ""
        admin = self._authorize(admin=True)
        self.forbidden = False
        if admin is None:
            self.error = "Only admins run automations now."
            return
        try:
            with unit_of_work() as session:
                queued = timed.run_now(session, rules.rule_or_404(session, self.rule_id))
        except AppError as exc:
            self.error = exc.message
            return
        self.notice = (
            f"Queued for {queued} customer(s) due today; "
            "anyone greeted already this year is not greeted again."
            if queued
            else "Nobody's greeting is due today."
        )

    @rx.event
    @off_loop
    def find_customer(self, text: str) -> None:
        if not isinstance(text, str):
            return
        self.try_search = text[:200]
        if self._authorize() is None:
            return
        if not self.try_search.strip():
            self.try_matches = []
            return
        with unit_of_work() as session:
            found, _ = search_contacts(session, self.try_search, 8, 0, cap=8)
        self.try_matches = [[str(c.id), f"{shown_name(c)} · {c.phone_e164 or 'Messenger'}"] for c in found]

    @rx.event
    def choose_customer(self, contact_id: str) -> None:
        """One of the search's matches (only those: the dry run reads whom it names)."""
        chosen = [m for m in self.try_matches if m[0] == contact_id]
        if chosen:
            self.try_contact, self.try_matches, self.try_search = chosen[0], [], ""
            self._clear_dry()

    @rx.event
    @off_loop
    def dry_run(self) -> None:
        """The rule as it stands in the editor, saved or not, tried on the chosen customer as if
        its trigger had just happened. Everything it did is rolled back: nothing is sent or kept."""
        self._clear_dry()
        self.error = self.notice = ""
        if self._authorize() is None:
            return
        if not self.try_contact:
            self.error = "Choose a customer to try the rule on."
            return
        try:
            body = checked(self.form).model_dump(mode="json")
        except FormError as exc:
            self.error = str(exc)
            return
        draft = Automation(
            id=self.rule_id or None,
            name=body["name"],
            trigger_type=body["trigger"]["type"],
            trigger_config=body["trigger"],
            conditions=body["conditions"],
            actions=body["actions"],
            options=body["options"],
        )
        with unit_of_work() as session:
            try:
                run = engine.dry_run(session, draft, int(self.try_contact[0]), None)
            except AppError as exc:
                self.error = exc.message
                return
            finally:
                session.rollback()
                session.info.pop("wake_workers", None)  # the jobs it queued are gone with it
        self.dry_status = str(run.status)
        self.dry_reason = run.error or ""
        self.dry_trigger = run.trigger_event.get("check") or ""
        self.dry_checks = [check_line(c) for c in run.conditions or []]
        self.dry_steps = [step_line(s) for s in run.steps or []]


FIRST_VALUE = {
    "set_status": "resolved",
    "move_lead_stage": "CONTACTED",
    "set_assistant": "on",
    "send_media": "image",
}


def _an_index(value: object) -> bool:
    """A row's index as the page sends it (a crafted event may send a float, a list ...)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1000


def _as_saved(form: RuleForm) -> dict:
    """The rule this form saves, as the API stores it; {} if the form cannot make one now."""
    try:
        return checked(form).model_dump(mode="json")
    except FormError:
        return {}
