"""Who is signed in, checked on the server from the HttpOnly cookie for every page."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote

import reflex as rx
from pydantic import ValidationError
from sqlmodel import Session

from aisha_app import routes
from aisha_app.actions.users import user_for_token
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError, said
from aisha_app.models import Role, User
from aisha_app.realtime.live import Batch
from aisha_app.security import SESSION_COOKIE


def off_loop(handler: Callable[..., Any]) -> Callable[..., Any]:
    """An event handler that reads or writes the database runs in a worker thread, never on the
    event loop that serves every tab's websocket. Its tab's state stays locked meanwhile."""

    @functools.wraps(handler)
    async def run(self, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(handler, self, *args, **kwargs)

    return run


class SessionState(rx.State):
    """The base of every signed-in page's state.

    The browser cannot change these vars (no auto setters); every handler that
    reads or writes data calls ``_authorize`` again, so what the browser sends
    never decides what it may see.
    """

    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    forbidden: bool = False

    def _session_token(self) -> str | None:
        cookie = SimpleCookie()
        try:
            cookie.load(self.router.headers.cookie or "")
        except CookieError:
            return None
        morsel = cookie.get(SESSION_COOKIE)
        return morsel.value if morsel else None

    def _signed_in(self, batch: Batch | None = None) -> User | None:
        """Who this tab's cookie belongs to, changing nothing the page shows. In a live refresh
        (``batch``), the tabs of one sign-in ask the database once."""
        token = self._session_token()
        if batch is not None:
            return batch.once(("signed in", token), lambda: self._signed_in())

        with unit_of_work() as session:
            return user_for_token(session, token)

    def _authorize(self, *, admin: bool = False, batch: Batch | None = None) -> User | None:
        """The signed-in user if allowed here; else clears the view and returns None."""
        user = self._signed_in(batch)
        if user is None:
            self._set(user_id=0, user_name="", user_email="", user_role="", forbidden=False)
            return None
        self._set(
            user_id=user.id,
            user_name=user.name,
            user_email=user.email,
            user_role=user.role,
            forbidden=admin and user.role != Role.ADMIN,
        )
        return None if self.forbidden else user

    def _admin_change(
        self, change: Callable[[Session, User], str], refused: str, also: tuple[type[Exception], ...] = ()
    ) -> tuple[str, str]:
        """``change`` as the signed-in admin in one unit of work: (its notice, ""), or ("", why
        not). Staff who are not admins still read the page; ``refused`` tells them why not this.
        ``also``: more exceptions that mean bad input (a price that is not a number)."""
        admin = self._authorize(admin=True)
        self.forbidden = False  # reading stays open to all staff
        if admin is None:
            return "", refused
        try:
            with unit_of_work() as session:
                return change(session, admin), ""
        except (AppError, ValidationError, *also) as exc:
            return "", said(exc)

    def _set(self, **values: Any) -> None:
        """Set the vars whose values differ: a var set goes down the websocket and redraws what
        shows it, even when set to what it was."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _to_login(self) -> rx.event.EventSpec:
        return rx.redirect(f"{routes.LOGIN}?next={quote(self.router.url.path or '/')}")

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == Role.ADMIN

    @rx.event
    @off_loop
    def check_session(self) -> rx.event.EventSpec | None:
        """on_load of every signed-in page."""
        return self._to_login() if self._authorize() is None else None
