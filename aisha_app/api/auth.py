"""Sign-in: OAuth2 password tokens for the API, an HttpOnly cookie for the browser."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from aisha_app import routes
from aisha_app.actions.users import authenticate, end_session, open_session
from aisha_app.api.deps import CurrentUser, DbSession, client_ip, request_token, same_origin
from aisha_app.config import get_settings
from aisha_app.errors import AppError
from aisha_app.models import UserPublic
from aisha_app.security import SESSION_COOKIE

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_in: int


@router.post("/token", response_model=Token)
def issue_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession
) -> Token:
    """Exchange an email (`username`) and password for a bearer token."""
    user = authenticate(session, form.username, form.password, client_ip(request))
    token, lifetime = open_session(session, user)
    return Token(access_token=token, expires_in=lifetime)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


def _safe_next(next_path: str | None) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return routes.DASHBOARD


@router.post("/login", include_in_schema=False)
def browser_login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """The login page's form posts here; the answer sets the session cookie and redirects."""
    if not same_origin(request):
        raise AppError("cross_origin", "Sign in from Aisha's own login page.", 403)
    try:
        user = authenticate(session, email, password, client_ip(request))
    except AppError as exc:
        # Only a code travels in the URL; the login page owns the words it shows.
        query = urlencode({"error": exc.code, "next": _safe_next(next)})
        return RedirectResponse(f"{routes.LOGIN}?{query}", status_code=303)
    token, lifetime = open_session(session, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=lifetime,
        httponly=True,
        samesite="strict",
        secure=get_settings().secure_cookies,
        path="/",
    )
    return response


# Not in the OpenAPI schema: a fuzzer working through it would sign its own token out.
@router.post("/logout", include_in_schema=False, response_model=None)
def logout(request: Request, session: DbSession) -> Response:
    """End this session on the server, so a copied token or cookie stops working too.

    The browser's sign-out form gets a redirect to the login page; an API client (a Bearer
    token) gets 204. The user's other sessions (another browser, a script) go on.
    """
    if not same_origin(request):
        raise AppError("cross_origin", "Sign out from Aisha's own pages.", 403)
    end_session(session, request_token(request))
    if request.headers.get("authorization"):
        return Response(status_code=204)
    response = RedirectResponse(routes.LOGIN, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=get_settings().secure_cookies
    )
    # Also forget the tab's page state, so the next person at this browser starts clean.
    response.headers["Clear-Site-Data"] = '"cookies", "storage"'
    return response
