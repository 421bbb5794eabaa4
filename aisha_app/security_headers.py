"""Security headers on every HTTP answer: the pages, the API, and whatever else the backend serves.

Wrapped around the whole ASGI app (``rx.App(api_transformer=[..., SecurityHeaders])``), so the
compiled pages that Reflex serves in single-port mode get them too, not only the API routes.
A route that sets its own policy (customers' media files: ``sandbox``) keeps it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aisha_app.config import get_settings

# JSON answers never need to load anything.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
API_PREFIXES = ("/api/", "/health", "/openapi.json", "/media/", "/files/")
# FastAPI's Swagger UI loads its script and styles from jsDelivr and starts with an inline script.
DOCS_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def page_policy(public_base_url: str) -> str:
    """The policy of the web app's pages.

    Reflex's compiled pages start with inline scripts (React Router's hydration data) and
    Emotion writes inline styles, so scripts and styles allow 'unsafe-inline' (no 'unsafe-eval':
    the app never runs code it receives). The frontend talks to the backend at PUBLIC_BASE_URL
    over a websocket. Customers' photos may still be at the provider (https) until fetched.
    """
    parts = urlsplit(public_base_url)
    websocket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob: https:",
            "media-src 'self' blob: https:",
            "font-src 'self' data:",
            f"connect-src 'self' {parts.scheme}://{parts.netloc} {websocket}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


def encoded(policy: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers that go with one policy, encoded once rather than for every answer."""
    return (
        (b"content-security-policy", policy.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),  # frame-ancestors for older browsers
    )


class SecurityHeaders:
    """ASGI middleware: adds the headers to each HTTP answer that does not already set them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.api_headers = encoded(API_POLICY)
        self.docs_headers = encoded(DOCS_POLICY)
        self.page_headers = encoded(page_policy(get_settings().public_base_url))

    def _headers_for(self, path: str) -> tuple[tuple[bytes, bytes], ...]:
        if path.startswith(API_PREFIXES):
            return self.api_headers
        return self.docs_headers if path == "/docs" else self.page_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the websocket has no headers to protect
            await self.app(scope, receive, send)
            return
        ours = self._headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in ours if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
