"""Settings › Actions: the business's own endpoints the assistant may call (admins only)."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from pydantic import ValidationError
from sqlmodel import select

from aisha_app.actions import assistant_actions
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError, said
from aisha_app.models import AssistantAction
from aisha_app.state.session import SessionState, off_loop

EMPTY = {
    "id": "",
    "name": "",
    "description": "",
    "parameters": '{"type": "object", "properties": {}}',
    "url": "https://",
    "method": "POST",
    "auth_header_name": "Authorization",
    "has_secret": "",
    "timeout_seconds": "10",
    "is_active": "on",
}


def _row(action: AssistantAction) -> dict[str, str]:
    """What the page may show: never the secret header's value, only whether one is set."""
    return {
        "id": str(action.id),
        "name": action.name,
        "description": action.description,
        "parameters": json.dumps(action.parameters, indent=2, ensure_ascii=False),
        "url": action.url,
        "method": action.method,
        "auth_header_name": action.auth_header_name or "",
        "has_secret": "yes" if action.auth_header_value else "",
        "timeout_seconds": f"{action.timeout_seconds:g}",
        "is_active": "on" if action.is_active else "",
    }


class ActionsState(SessionState):
    actions: list[dict[str, str]] = []
    form: dict[str, str] = EMPTY
    notice: str = ""
    error: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            self.actions = [
                _row(a) for a in session.exec(select(AssistantAction).order_by(AssistantAction.name)).all()
            ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize(admin=True) is None:
            return None if self.user_id else self._to_login()
        self.form, self.notice, self.error = dict(EMPTY), "", ""
        self._reload()
        return None

    @rx.event
    def edit(self, row: dict[str, str]) -> None:
        self.form, self.notice, self.error = dict(row), "", ""

    @rx.event
    def new(self) -> None:
        self.form, self.notice, self.error = dict(EMPTY), "", ""

    @rx.event
    @off_loop
    def save(self, form: dict[str, Any]) -> None:
        self.notice = self.error = ""
        admin = self._authorize(admin=True)
        if admin is None:
            return
        try:
            typed = form.get("auth_header_value", "")
            data = assistant_actions.ActionIn(
                name=form.get("name", "").strip(),
                description=form.get("description", "").strip(),
                parameters=json.loads(form.get("parameters") or "{}"),
                url=form.get("url", ""),
                method=form.get("method", "POST"),
                auth_header_name=form.get("auth_header_name") or None,
                # Blank keeps the stored secret; "-" removes it.
                auth_header_value=None if typed == "" else "" if typed == "-" else typed,
                timeout_seconds=float(form.get("timeout_seconds") or 10),
                is_active=bool(form.get("is_active")),
            )
            with unit_of_work() as session:
                action_id = int(self.form["id"]) if self.form.get("id") else None
                saved = assistant_actions.save_action(session, data, admin, action_id)
                self.notice = f"Saved {saved.name}. The assistant can call it from the next message."
        except json.JSONDecodeError as exc:
            self.error = f"parameters: not valid JSON ({exc.msg}, line {exc.lineno})"
        except (ValidationError, AppError, ValueError) as exc:
            self.error = said(exc)
        if not self.error:
            self.form = dict(EMPTY)
        self._reload()

    @rx.event
    @off_loop
    def delete(self, action_id: str) -> None:
        admin = self._authorize(admin=True)
        if admin is None:
            return
        with unit_of_work() as session:
            assistant_actions.delete_action(session, int(action_id), admin)
        self.form, self.notice = dict(EMPTY), "Deleted."
        self._reload()
