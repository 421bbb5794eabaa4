"""The HTTP API mounted on the Reflex backend: auth, REST routes, health, and later webhooks."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aisha_app.api import (
    assistant,
    auth,
    contacts,
    conversations,
    jobs,
    leads,
    media,
    reviews,
    users,
    waiting_list,
    webhooks,
)
from aisha_app.db import database_status
from aisha_app.errors import AppError

log = logging.getLogger("aisha.api")


def _error(status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    return JSONResponse(
        AppError(code, message, status, details=details).to_json(), status_code=status, headers=headers
    )


async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
    return _error(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {"field": ".".join(str(p) for p in err["loc"][1:]), "message": err["msg"]} for err in exc.errors()
    ]
    return _error(422, "validation_error", "The request is not valid.", details)


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

    # Anything else under /api is a JSON 404, not the web app's HTML page.
    @api.api_route(
        "/api/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    def unknown_api_route(path: str) -> JSONResponse:
        return _error(404, "not_found", f"No API route /api/{path}.")

    return api
