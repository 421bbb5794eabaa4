"""The HTTP API mounted on the Reflex backend: auth, REST routes, health, and later webhooks."""

from __future__ import annotations

import itertools
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from aisha_app.api import (
    assistant,
    attributes,
    auth,
    automations,
    canned,
    contacts,
    conversations,
    dashboard,
    jobs,
    labels,
    leads,
    media,
    reviews,
    segments,
    templates,
    users,
    waiting_list,
    webhooks,
)
from aisha_app.api.strict_input import StrictInput
from aisha_app.db import database_status
from aisha_app.errors import AppError

log = logging.getLogger("aisha.api")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _error(status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    return JSONResponse(
        AppError(code, message, status, details=details).to_json(), status_code=status, headers=headers
    )


async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
    return _error(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {"field": ".".join(str(p) for p in err["loc"][1:]), "message": _message(err)} for err in exc.errors()
    ]
    return _error(422, "validation_error", "The request is not valid.", details)


def _message(err: dict) -> str:
    if err.get("type") == "json_invalid" and (ctx := err.get("ctx")):
        return f"{err['msg']}: {ctx.get('error')}"
    return err["msg"]


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _error(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


def build_api() -> FastAPI:
    api = FastAPI(
        title="Aisha API",
        description="Customer engagement over WhatsApp and Messenger. Authenticate with "
        "`POST /api/auth/token`, then send `Authorization: Bearer <token>`.",
        version="0.1.0",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    api.add_exception_handler(AppError, _app_error)
    api.add_exception_handler(RequestValidationError, _validation_error)
    api.add_exception_handler(StarletteHTTPException, _http_error)

    @api.get("/health", tags=["health"])
    def health() -> JSONResponse:
        database = database_status()
        ok = database["status"] == "ok"
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "database": database}, status_code=200 if ok else 503
        )

    api.include_router(auth.router)
    api.include_router(users.router)
    api.include_router(webhooks.router)
    api.include_router(media.router)
    api.include_router(conversations.router)
    api.include_router(contacts.router)
    api.include_router(jobs.router)
    api.include_router(assistant.router)
    api.include_router(waiting_list.router)
    api.include_router(reviews.router)
    api.include_router(leads.router)
    api.include_router(canned.router)
    api.include_router(automations.router)
    api.include_router(segments.router)
    api.include_router(attributes.router)
    api.include_router(labels.router)
    api.include_router(templates.router)
    api.include_router(dashboard.router)

    # Anything else under /api, with any method, is answered here in JSON: in the running app the
    # web app (Reflex) is mounted behind the API and would answer in plain text or HTML.
    api.router.add_route("/api/{path:path}", _NotRouted(api), include_in_schema=False)
    api.add_middleware(StrictInput)
    return api


class _NotRouted:
    """An ASGI endpoint (not a function), so it takes every method, even ones never heard of."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        allowed = _allowed_methods(self.api, scope)
        if allowed:
            message = f"{request.method} is not allowed here; use {', '.join(allowed)}."
            response = _error(405, "method_not_allowed", message, headers={"Allow": ", ".join(allowed)})
        else:
            response = _error(404, "not_found", f"No API route {request.url.path}.")
        await response(scope, receive, send)


def _allowed_methods(api: FastAPI, scope: dict) -> list[str]:
    """The methods that a route of ours before the catch-all takes at this path (what comes after
    it, such as the web app Reflex mounts behind the API, takes any path and method)."""
    probe = {k: scope[k] for k in ("type", "path", "root_path", "app") if k in scope}
    routes = list(
        itertools.takewhile(lambda r: not isinstance(getattr(r, "app", None), _NotRouted), api.router.routes)
    )
    return [
        method
        for method in METHODS
        if any(route.matches({**probe, "method": method})[0] == Match.FULL for route in routes)
    ]
