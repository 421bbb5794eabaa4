"""Who is calling: the Bearer token (or the browser's session cookie) checked on every request."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Path, Query, Request
from sqlmodel import Session

from aisha_app.actions.users import user_for_token
from aisha_app.config import get_settings
from aisha_app.db import get_session
from aisha_app.errors import Forbidden, NotAuthenticated
from aisha_app.models import Role, User
from aisha_app.models.numbers import MAX_ID, MAX_OFFSET
from aisha_app.security import SESSION_COOKIE

# The request's unit of work: committed when the route returns, before the answer is sent.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
# Every integer the API reads is bounded (aisha_app.models.numbers): beyond what its column
# holds, the query failed (a 500). tests/unit/test_api_input.py walks the OpenAPI schema for it.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def same_origin(request: Request) -> bool:
    """True unless a browser says this request comes from a page that is not ours.

    Browsers send Origin on cross-origin requests and on every POST; tools such as curl send
    none, and they cannot carry a staff member's cookie anyway.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    host = urlsplit(origin).netloc
    return origin == get_settings().public_origin or host == request.headers.get("host")


def request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    # The cookie is HttpOnly and SameSite=Strict; and pages of other origins on the same
    # site (another port, a sibling subdomain) may not use it either.
    return request.cookies.get(SESSION_COOKIE) if same_origin(request) else None


def client_ip(request: Request) -> str:
    if get_settings().trust_proxy_headers:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]  # the hop our own proxy appended; earlier ones are the client's say
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
