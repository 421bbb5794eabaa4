"""Settings › Canned responses: admins keep them, all staff read them."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import col, select

from aisha_app.actions import canned
from aisha_app.db import unit_of_work
from aisha_app.models import CannedResponse
from aisha_app.state.session import SessionState, off_loop


class CannedState(SessionState):
    responses: list[dict[str, Any]] = []
    form: dict[str, Any] = {}  # the one being edited; empty: a new one
    notice: str = ""
    error: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            rows = session.exec(select(CannedResponse).order_by(col(CannedResponse.shortcut))).all()
        self.responses = [{"id": c.id, "shortcut": c.shortcut, "text": c.text} for c in rows]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self.notice = self.error = ""
        self.form = {}
        self._reload()
        return None

    @rx.event
    def edit(self, response: dict[str, Any]) -> None:
        self.form, self.notice, self.error = dict(response), "", ""

    @rx.event
    def new(self) -> None:
        self.form, self.notice, self.error = {}, "", ""

    def _do(self, change) -> bool:
        self.notice, self.error = self._admin_change(change, "Only admins edit canned responses.")
        self._reload()
        return not self.error

    @rx.event
    @off_loop
    def save(self, form: dict[str, Any]) -> None:
        canned_id = self.form.get("id")

        def change(session, admin):
            data = canned.CannedIn(shortcut=str(form.get("shortcut", "")), text=str(form.get("text", "")))
            saved = canned.save(session, data, admin, canned_id)
            return f"/{saved.shortcut} saved."

        if self._do(change):
            self.form = {}

    @rx.event
    @off_loop
    def delete(self, canned_id: int) -> None:
        self._do(lambda s, a: canned.delete(s, canned_id, a) or "Deleted.")
        if self.form.get("id") == canned_id:
            self.form = {}
