"""Settings › Attributes: admins define the contacts' custom attributes; all staff read them."""

from __future__ import annotations

import reflex as rx

from aisha_app.actions import attributes
from aisha_app.actions.attributes import DefinitionIn
from aisha_app.db import unit_of_work
from aisha_app.models.numbers import id_in
from aisha_app.state.session import SessionState, off_loop

KINDS = {
    "text": "Text",
    "number": "Number",
    "date": "Date",
    "yes_no": "Yes or no",
    "choice": "One of a list",
}


class AttributesState(SessionState):
    definitions: list[list[str]] = []  # [id, key, label, kind's name, choices]
    notice: str = ""
    error: str = ""
    kind: str = "text"  # the new one's, for the choices box

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    def _reload(self) -> None:
        with unit_of_work() as session:
            self.definitions = [
                [str(d.id), d.key, d.label, KINDS.get(d.kind, d.kind), ", ".join(d.choices)]
                for d in attributes.definitions(session).values()
            ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self.notice = self.error = ""
        self._reload()
        return None

    @rx.event
    def set_kind(self, value: str) -> None:
        if value in KINDS:
            self.kind = value

    def _do(self, change) -> None:
        self.notice, self.error = self._admin_change(change, "Only admins define attributes.")
        self._reload()

    @rx.event
    @off_loop
    def define(self, form: dict) -> None:
        def change(session, admin) -> str:
            body = DefinitionIn(
                key=str(form.get("key") or "").strip(),
                label=str(form.get("label") or "").strip() or str(form.get("key") or "").strip(),
                kind=self.kind,
                choices=[c for c in str(form.get("choices") or "").split(",") if c.strip()],
            )
            made = attributes.define(session, body, admin)
            return f"{made.label!r} defined: contacts' values for {made.key!r} are checked from now on."

        self._do(change)

    @rx.event
    @off_loop
    def undefine(self, definition_id: str) -> None:
        if (key := id_in(definition_id)) is not None:
            self._do(lambda s, a: attributes.undefine(s, key, a) or "Removed; the values stay, as free text.")
