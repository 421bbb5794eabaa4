"""Who is calling: the Bearer token (or the browser's session cookie) checked on every request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from aisha_app.actions.users import user_for_token
from aisha_app.db import get_session
from aisha_app.errors import Forbidden, NotAuthenticated
from aisha_app.models import Role, User
from aisha_app.security import SESSION_COOKIE

DbSession = Annotated[Session, Depends(get_session)]


def request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    # The cookie is HttpOnly and SameSite=Strict: no other site can make the browser send it.
    return request.cookies.get(SESSION_COOKIE)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_user(request: Request, session: DbSession) -> User:
    token = request_token(request)
    user = user_for_token(session, token)
    if user is None:
        raise NotAuthenticated(
            "Sign in first." if token is None else "Your session is invalid or has expired."
        )
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != Role.ADMIN:
        raise Forbidden("Only admins can do this.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
