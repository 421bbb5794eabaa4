"""The waiting-list board (staff, live) and the shop-screen display (a secret link, first names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from pydantic import ValidationError
from sqlmodel import Session, select

from aisha_app.actions import waiting_list
from aisha_app.actions.contacts import contact_for_phone
from aisha_app.assistant.profile import load_profile
from aisha_app.config import get_settings
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import Contact, User, WaitingList, WaitingListEntry
from aisha_app.phones import normalize_phone
from aisha_app.realtime import events
from aisha_app.realtime.live import HUB, Batch
from aisha_app.state.session import SessionState, off_loop


def _first_name(name: str | None) -> str:
    return (name or "Guest").split()[0][:20]


def _rows(session: Session, list_id: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    called, line = [], []
    zone = ZoneInfo(load_profile(session).timezone)  # the shop's clock, not UTC
    for entry, contact in waiting_list.board(session, list_id):
        row = {
            "id": str(entry.id),
            "name": contact.name or contact.phone_e164 or "Guest",
            "first_name": _first_name(contact.name),
            "phone": contact.phone_e164 or "",
            "note": entry.party_note or "",
            "since": (entry.called_at or entry.joined_at).astimezone(zone).strftime("%H:%M"),
            "drag_url": f"/api/waiting-list/{entry.id}/position",
        }
        if entry.status == "called":
            called.append(row)
        else:
            line.append(row | {"position": str(len(line) + 1)})
    return called, line


def _called(session: Session, entry: WaitingListEntry) -> str:
    contact = session.get(Contact, entry.contact_id)
    return f"Called {contact.name or contact.phone_e164 or 'the customer'}."


class WaitingState(SessionState):
    lists: list[dict[str, str]] = []
    list_id: str = ""
    called: list[dict[str, str]] = []
    line: list[dict[str, str]] = []
    display_url: str = ""
    minutes_each: str = ""
    settings: dict[str, str] = {}
    notice: str = ""
    error: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            waiting_list.ensure_a_list(session)
            rows = session.exec(select(WaitingList).order_by(WaitingList.id)).all()
            self.lists = [{"id": str(wl.id), "name": wl.name} for wl in rows]
            current = next((wl for wl in rows if str(wl.id) == self.list_id), rows[0])
            self.list_id = str(current.id)
            self.called, self.line = _rows(session, current.id)
            self.minutes_each = f"{waiting_list.minutes_per_customer(session, current):.0f}"
            values = waiting_list.settings_of(current)
            self.settings = {
                k: ("on" if v is True else "" if v is False else str(v)) for k, v in values.items()
            }
            self.settings["key"] = f"{current.id}-{current.settings}"  # re-renders the form per list
            base = get_settings().public_base_url.rstrip("/")
            self.display_url = f"{base}/display/{current.display_token}" if self.is_admin else ""

    def _on_events(self, batch: Batch) -> None:
        if (
            any(e.kind == events.WAITING_LIST_UPDATED for e in batch.events)
            and self._authorize(batch=batch) is not None
        ):
            self._reload()

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        HUB.watch(self.router.session.client_token, WaitingState)
        self.notice = self.error = ""
        self._reload()
        return None

    @rx.event
    @off_loop
    def pick_list(self, value: str | list[str]) -> None:
        self.list_id = value if isinstance(value, str) else ""
        if self._authorize() is not None:
            self._reload()

    def _do(self, change: Callable[[Session, User], str | None], admin: bool = False) -> None:
        self.notice = self.error = ""
        user = self._authorize(admin=admin)
        self.forbidden = False  # the board stays; only the admin-only change is refused
        if user is None:
            self.error = "Only admins can do this." if self.user_id else ""
            return
        try:
            with unit_of_work() as session:
                self.notice = change(session, user) or ""
        except AppError as exc:
            self.error = exc.message
        self._reload()

    @rx.event
    @off_loop
    def call_next(self) -> None:
        self._do(lambda s, u: _called(s, waiting_list.call_next(s, int(self.list_id), u)))

    @rx.event
    @off_loop
    def call(self, entry_id: str) -> None:
        self._do(lambda s, u: _called(s, waiting_list.call(s, int(entry_id), u)))

    @rx.event
    @off_loop
    def serve(self, entry_id: str) -> None:
        self._do(lambda s, u: waiting_list.serve(s, int(entry_id), u) and "Served.")

    @rx.event
    @off_loop
    def cancel(self, entry_id: str) -> None:
        self._do(lambda s, u: waiting_list.cancel(s, int(entry_id), u) and "Cancelled.")

    @rx.event
    @off_loop
    def add(self, form: dict[str, Any]) -> None:
        def join(session: Session, user: User) -> str:
            phone = normalize_phone(form.get("phone", ""))
            contact = contact_for_phone(session, phone, form.get("name"))
            target = waiting_list.find_list(session, int(self.list_id))
            result = waiting_list.join(session, contact, target, party_note=form.get("note"), actor=user)
            if result.already:
                return f"{contact.name or phone} is already number {result.position}."
            return f"{contact.name or phone} is number {result.position}."

        self._do(join)

    @rx.event
    @off_loop
    def create_list(self, form: dict[str, Any]) -> None:
        def create(session: Session, user: User) -> str:
            made = waiting_list.create_list(session, form.get("name", ""), user)
            self.list_id = str(made.id)
            return f"List {made.name} created."

        self._do(create, admin=True)

    @rx.event
    @off_loop
    def save_settings(self, form: dict[str, Any]) -> None:
        def save(session: Session, user: User) -> str:
            try:
                values = waiting_list.ListSettings(
                    minutes_per_customer=int(form.get("minutes_per_customer") or 0),
                    no_show_minutes=int(form.get("no_show_minutes") or 0),
                    notify_on_move=bool(form.get("notify_on_move")),
                    review_after_serve=bool(form.get("review_after_serve")),
                )
            except (ValidationError, ValueError) as exc:
                raise AppError("invalid_settings", "Minutes must be whole numbers from 1 to 240.") from exc
            waiting_list.update_list(session, int(self.list_id), user, values)
            return "Settings saved."

        self._do(save, admin=True)

    @rx.event
    @off_loop
    def rotate_display(self) -> None:
        def rotate(session: Session, user: User) -> str:
            waiting_list.rotate_display_token(session, int(self.list_id), user)
            return "New display link made; the old one no longer works."

        self._do(rotate, admin=True)


class DisplayState(rx.State):
    """No sign-in: the secret in the link is the key. First names only, nothing else."""

    valid: bool = False
    list_name: str = ""
    called: list[str] = []
    upcoming: list[str] = []

    def _token(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]

    def _reload(self) -> None:
        with unit_of_work() as session:
            found = session.exec(
                select(WaitingList).where(WaitingList.display_token == self._token())
            ).first()
            self.valid = found is not None and len(self._token()) >= 16
            if not self.valid:
                self.list_name, self.called, self.upcoming = "", [], []
                return
            called, line = _rows(session, found.id)
        self.list_name = found.name
        self.called = [r["first_name"] for r in called]
        self.upcoming = [r["first_name"] for r in line[:10]]

    def _on_events(self, batch: Batch) -> None:
        if any(e.kind == events.WAITING_LIST_UPDATED for e in batch.events):
            self._reload()

    @rx.event
    @off_loop
    def load(self) -> None:
        self._reload()
        if self.valid:
            HUB.watch(self.router.session.client_token, DisplayState, only=True)
