"""The Contacts page: list, search and edit the people the business talks to."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import ValidationError

from aisha_app.actions.contacts import update_contact
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import ContactUpdate
from aisha_app.queries.inbox import COUNT_CAP, search_contacts
from aisha_app.state.session import SessionState, off_loop


class ContactsState(SessionState):
    search: str = ""
    contacts: list[dict[str, Any]] = []
    total: str = "0"  # "10,000+" past COUNT_CAP: counted no further
    editing: dict[str, Any] = {}
    error: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            rows, total = search_contacts(session, self.search or None, 200, 0, cap=COUNT_CAP)
        self.total = f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"
        self.contacts = [
            {
                "id": c.id,
                "name": c.name or "",
                "phone": c.phone_e164 or c.messenger_psid or "",
                "email": c.email or "",
                "language": c.language or "",
                "stage": c.lead_stage,
                "label": c.lead_label or "",
                "tags": ", ".join(c.tags),
                "source": c.source_type,
                "opted_out": c.opted_out,
            }
            for c in rows
        ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self._reload()
        return None

    @rx.event
    @off_loop
    def set_search(self, value: str) -> None:
        self.search = value[:200]
        if self._authorize() is not None:
            self._reload()

    @rx.event
    def edit(self, contact: dict[str, Any]) -> None:
        self.editing, self.error = dict(contact), ""

    @rx.event
    def cancel(self) -> None:
        self.editing = {}

    @rx.event
    @off_loop
    def save(self, form: dict[str, Any]) -> None:
        user = self._authorize()
        if user is None or not self.editing:
            return
        try:
            change = ContactUpdate(
                name=form.get("name") or None,
                email=form.get("email") or None,
                language=form.get("language") or None,
                tags=[t for t in (form.get("tags") or "").split(",") if t.strip()],
                opted_out=form.get("opted_out") == "on",
            )
            with unit_of_work() as session:
                update_contact(session, int(self.editing["id"]), change, user)
        except (AppError, ValidationError) as exc:
            self.error = (
                exc.message if isinstance(exc, AppError) else "; ".join(e["msg"] for e in exc.errors())
            )
            return
        self.editing = {}
        self._reload()
