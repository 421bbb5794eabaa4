"""The admin-only Users page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from pydantic import ValidationError
from sqlmodel import Session

from aisha_app import queries
from aisha_app.actions import users as actions
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError, said
from aisha_app.models import PasswordReset, User, UserCreate, UserUpdate
from aisha_app.state.session import SessionState, off_loop


class UsersState(SessionState):
    users: list[dict[str, Any]] = []
    error: str = ""
    notice: str = ""
    reset_user_id: int = 0
    reset_user_email: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            self.users = queries.staff(session)

    def _run(self, change: Callable[[Session, User], str]) -> rx.event.EventSpec | None:
        """Run one admin change with a fresh authorization and report the outcome."""
        self.error = self.notice = ""
        actor = self._authorize(admin=True)
        if actor is None:
            self.users = []
            return None if self.forbidden else self._to_login()
        try:
            with unit_of_work() as session:
                self.notice = change(session, actor)
        except (AppError, ValidationError) as exc:
            self.error = said(exc)
        self._reload()
        if self._authorize(admin=True) is None:  # e.g. the admin reset their own password
            return self._to_login()
        return None

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        self.error = self.notice = ""
        if self._authorize(admin=True) is None:
            self.users = []
            return None if self.user_id else self._to_login()
        self._reload()
        return None

    @rx.event
    @off_loop
    def create_user(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        def change(session, actor):
            user = actions.create_user(session, UserCreate(**form), actor, self.router.session.client_ip)
            return f"Created {user.email} ({user.role})."

        return self._run(change)

    @rx.event
    @off_loop
    def set_role(self, user_id: int, role: str) -> rx.event.EventSpec | None:
        def change(session, actor):
            actions.update_user(session, user_id, UserUpdate(role=role), actor, self.router.session.client_ip)
            return f"Role changed to {role}."

        return self._run(change)

    @rx.event
    @off_loop
    def set_active(self, user_id: int, active: bool) -> rx.event.EventSpec | None:
        def change(session, actor):
            actions.update_user(
                session, user_id, UserUpdate(is_active=active), actor, self.router.session.client_ip
            )
            return "Reactivated." if active else "Deactivated; their sessions have ended."

        return self._run(change)

    @rx.event
    def open_reset(self, user_id: int, email: str) -> None:
        self.reset_user_id, self.reset_user_email = user_id, email

    @rx.event
    def close_reset(self) -> None:
        self.reset_user_id, self.reset_user_email = 0, ""

    @rx.event
    @off_loop
    def reset_password(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        user_id = self.reset_user_id

        def change(session, actor):
            actions.reset_password(
                session, user_id, PasswordReset(**form).password, actor, self.router.session.client_ip
            )
            return f"Password reset for {self.reset_user_email}; their sessions have ended."

        redirect = self._run(change)
        if not self.error:
            self.close_reset()
        return redirect
