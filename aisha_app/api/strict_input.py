"""Input no database can store is refused at the door of /api, with a 422 in our error shape.

The routes' models check types and ranges; this checks what every string and every JSON body
must be, whatever the route: no NUL character (PostgreSQL cannot store it, so the same request
worked on SQLite and was a 500 on PostgreSQL), no lone surrogate (no database can encode it), no
NaN or Infinity (not JSON; once stored, every later listing failed to serialise), and no nesting
deeper than any real use. Webhooks are not under /api: their providers' rules are their own.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aisha_app.errors import AppError

MAX_DEPTH = 32
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadInput(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _refuse_constant(name: str) -> Any:
    raise BadInput("body", f"{name} is not a JSON number.")


def check_text(field: str, value: str) -> None:
    if UNSTORABLE.search(value):
        raise BadInput(field, "Text may not contain NUL characters or lone surrogates.")


def check_json(node: Any, field: str = "body", depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise BadInput(field, f"JSON may nest at most {MAX_DEPTH} levels deep.")
    if isinstance(node, str):
        check_text(field, node)
    elif isinstance(node, float) and not math.isfinite(node):  # 1e400 reads as Infinity
        raise BadInput(field, "Numbers must be finite.")
    elif isinstance(node, dict):
        for key, value in node.items():
            check_text(f"{field}.{key}", key)
            check_json(value, f"{field}.{key}", depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            check_json(value, f"{field}.{index}", depth + 1)


def _check_body(content_type: str, body: bytes) -> None:
    if not body:
        return
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            parsed = json.loads(body, parse_constant=_refuse_constant)
        except BadInput:
            raise
        except (ValueError, RecursionError):
            return  # not JSON at all: the route answers that in its own words
        check_json(parsed)
    elif media == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            check_text(name, value)


def _refusal(error: BadInput) -> AppError:
    return AppError(
        "validation_error",
        "The request is not valid.",
        422,
        details=[{"field": error.field, "message": error.message}],
    )


class StrictInput:
    """ASGI middleware: checks the path, the query and JSON or form bodies of /api requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/api" or path.startswith("/api/")):
            await self.app(scope, receive, send)
            return
        try:
            check_text("path", path)
            query = scope.get("query_string", b"").decode("latin-1")
            for name, value in parse_qsl(query, keep_blank_values=True):
                check_text(name, value)
                check_text(name, name)
        except BadInput as error:
            await _answer(_refusal(error), scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if not content_type or scope.get("method") in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        try:
            _check_body(content_type, body)
        except BadInput as error:
            await _answer(_refusal(error), scope, receive, send)
            return
        await self.app(scope, _replay(body, more, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body (what the route would read anyway), and any message that came after it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, after: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *after]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _answer(error: AppError, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(error.to_json(), status_code=error.status)
    await response(scope, receive, send)
