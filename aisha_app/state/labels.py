"""Settings › Labels: admins keep the conversation labels (name, colour); all staff read them."""

from __future__ import annotations

import reflex as rx

from aisha_app.actions import labels
from aisha_app.actions.labels import LabelIn, LabelPatch
from aisha_app.db import unit_of_work
from aisha_app.models.numbers import id_in
from aisha_app.state.session import SessionState, off_loop


class LabelsState(SessionState):
    labels: list[list[str]] = []  # [id, name, colour]
    new_name: str = ""
    new_colour: str = "gray"
    notice: str = ""
    error: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    def _reload(self) -> None:
        with unit_of_work() as session:
            self.labels = [[str(label.id), label.name, label.colour] for label in labels.all_labels(session)]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self.notice = self.error = ""
        self._reload()
        return None

    @rx.event
    def set_new(self, name: str, value: str) -> None:
        if isinstance(value, str) and name in ("new_name", "new_colour"):
            setattr(self, name, value[:40])

    def _do(self, change) -> None:
        self.notice, self.error = self._admin_change(change, "Only admins manage labels.")
        self._reload()

    @rx.event
    @off_loop
    def create(self) -> None:
        def change(session, admin) -> str:
            made = labels.create_label(
                session, LabelIn(name=self.new_name.strip(), colour=self.new_colour), admin
            )
            self.new_name = ""
            return f"Label {made.name!r} added."

        self._do(change)

    @rx.event
    @off_loop
    def rename(self, label_id: str, name: str) -> None:
        key = id_in(label_id)
        current = next((row for row in self.labels if row[0] == label_id), None)
        if key is None or not isinstance(name, str) or current is None or name.strip() == current[1]:
            return

        def change(session, admin) -> str:
            renamed = labels.change_label(session, key, LabelPatch(name=name.strip()), admin)
            return f"Renamed to {renamed.name!r}, on every conversation that had it."

        self._do(change)

    @rx.event
    @off_loop
    def recolour(self, label_id: str, colour: str) -> None:
        if (key := id_in(label_id)) is not None and isinstance(colour, str):
            self._do(
                lambda s, a: f"{labels.change_label(s, key, LabelPatch(colour=colour), a).name!r} recoloured."
            )

    @rx.event
    @off_loop
    def delete(self, label_id: str) -> None:
        if (key := id_in(label_id)) is not None:
            self._do(lambda s, a: f"Deleted, and taken off {labels.delete_label(s, key, a)} conversation(s).")
