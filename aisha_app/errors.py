"""One error type for the whole app; every route raises it and clients see one JSON shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AppError(Exception):
    """An error a user or a provider caused, with the HTTP status it maps to.

    The JSON body is always ``{"error": {"code": ..., "message": ..., "details"?: ...}}``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
        self.headers = headers or {}

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


class NotAuthenticated(AppError):
    def __init__(self, message: str = "Sign in first.") -> None:
        super().__init__("not_authenticated", message, 401, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    def __init__(self, message: str = "Your role does not allow this.") -> None:
        super().__init__("forbidden", message, 403)


class NotFound(AppError):
    def __init__(self, what: str) -> None:
        super().__init__("not_found", f"{what} not found.", 404)


class Conflict(AppError):
    def __init__(self, message: str) -> None:
        super().__init__("conflict", message, 409)


class TooManyAttempts(AppError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "too_many_attempts",
            f"Too many failed sign-ins. Try again in {max(1, retry_after // 60)} minute(s).",
            429,
            headers={"Retry-After": str(retry_after)},
        )


class WorkError(Exception):
    """Work off the request path failed: a send, a download, a job.

    The one vocabulary for what happens next: a ``permanent`` failure is never retried (the job
    is dead at once); any other is retried with backoff until its attempts run out. Providers'
    errors (``SendError``) are WorkErrors, so a job handler lets them pass unchanged.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def said(exc: Exception, names: Mapping[str, str] | None = None) -> str:
    """What went wrong, in words for a page: an AppError's message; each of pydantic's
    complaints with the box it is about (``names``: a field's name as the page shows it); else
    the exception's text."""
    if isinstance(exc, AppError):
        return exc.message
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    lines = []
    for e in errors():
        complaint = str(e["msg"]).removeprefix("Value error, ")
        where = ".".join((names or {}).get(str(part), str(part)) for part in e.get("loc", ()))
        lines.append(f"{where}: {complaint}" if where else complaint)
    return "; ".join(lines)
