"""HTTP shared by the adapters: Meta's signature scheme and error codes, and media downloads."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from typing import Any
from urllib.parse import urlsplit

import httpx

from aisha_app.services.http import http_client
from aisha_app.services.messaging.base import MAX_DEPTH, SendError, WebhookRejected, clean

# Meta error codes worth retrying: rate limits, throttling, temporary outages.
RETRYABLE_CODES = {1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131000, 131016, 131056, 133004, 1200}
# Failures before the request was written: Meta never saw it, so sending again is safe.
NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def verify_hub_signature(secret: str | None, body: bytes, header: str | None) -> None:
    if not secret:
        raise WebhookRejected(403, "this channel's app secret is not configured")
    if not header or not header.startswith("sha256="):
        raise WebhookRejected(403, "missing X-Hub-Signature-256")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    # Bytes, not str: compare_digest refuses non-ASCII str, and a header is anyone's to write.
    if not hmac.compare_digest(expected, header.removeprefix("sha256=").encode("utf-8", "replace")):
        raise WebhookRejected(403, "bad X-Hub-Signature-256")


def sign(secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body`` (tests and the benchmark use it)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _finite(text: str) -> float | None:
    number = float(text)  # 1e400 reads as infinity: no JSON column or answer takes it
    return number if math.isfinite(number) else None


# Only escapes can put NUL or a lone surrogate in JSON text (raw ones are invalid).
_ODD_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
# Built once: ``json.loads`` with options builds a decoder for every call.
_DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=lambda _: None)


def load_json(body: bytes) -> dict[str, Any]:
    """A webhook's JSON, made storable (see ``clean``); 400 if it is not a JSON object.

    Webhooks are read at the rate they arrive, so the whole tree is walked only when its text
    could need it: an escape of NUL or a surrogate, or more brackets than ``MAX_DEPTH``.
    """
    try:
        text = body.decode()
        if text.startswith("\ufeff"):  # a byte order mark, as "utf-8-sig" would drop it
            text = text[1:]
        try:
            data = _DECODER.decode(text)
        except RecursionError:  # nested deeper than Python's stack: read the shallow part
            data = _DECODER.decode(_shallow(text))
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookRejected(400, "body is not JSON") from exc
    if not isinstance(data, dict):
        raise WebhookRejected(400, "body is not a JSON object")
    if _ODD_ESCAPE.search(text) or text.count("[") + text.count("{") > MAX_DEPTH:
        data = clean(data)
    return data


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _shallow(text: str) -> str:
    """The JSON text with every value nested deeper than ``MAX_DEPTH`` replaced by null."""
    parts, depth, start, cut = [], 0, 0, None
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket[0] == '"':
            continue
        if bracket in "[{":
            depth += 1
            if depth == MAX_DEPTH + 1:
                cut = token.start()
        else:
            if depth == MAX_DEPTH + 1 and cut is not None:
                parts += [text[start:cut], "null"]
                start, cut = token.end(), None
            depth -= 1
    return "".join(parts) + text[start:]


def post(url: str, token: str | None, payload: dict[str, Any]) -> dict[str, Any]:
    """POST to the Graph API; classify every failure as permanent or retryable."""
    if not token:
        raise SendError("not_configured", "the channel's access token is not configured", permanent=True)
    try:
        response = http_client().post(url, json=payload, headers={"Authorization": f"Bearer {token}"})
    except NEVER_SENT as exc:
        raise SendError("network", f"could not reach the Graph API: {exc}", permanent=False) from exc
    except httpx.HTTPError as exc:  # a read timeout, a dropped connection: it may have been sent
        raise SendError(
            "timeout" if isinstance(exc, httpx.TimeoutException) else "no_answer",
            f"the Graph API did not answer: {exc!r}",
            permanent=False,
            outcome_unknown=True,
        ) from exc
    return graph_result(response)


def graph_result(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.is_success and isinstance(data, dict):
        return data
    error = data.get("error", {}) if isinstance(data, dict) else {}
    code = error.get("code")
    text = error.get("error_user_msg") or error.get("message") or response.reason_phrase or "error"
    retryable = response.status_code == 429 or response.status_code >= 500 or code in RETRYABLE_CODES
    raise SendError(str(code or response.status_code), str(text), permanent=not retryable)


def download_result(response: httpx.Response) -> bytes:
    if not response.is_success:
        retryable = response.status_code == 429 or response.status_code >= 500
        raise SendError(str(response.status_code), "media download failed", permanent=not retryable)
    return response.content


def require_host(url: str, allowed: tuple[str, ...], configured_base: str | None = None) -> None:
    """Fetch only from the provider's own hosts (or the API base URL configured for it).

    Media URLs arrive in customers' messages; without this a worker could be made to fetch,
    and staff to be shown, any address the server can reach.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    configured = urlsplit(configured_base or "")
    if configured.hostname and (parts.scheme, parts.netloc) == (configured.scheme, configured.netloc):
        return
    if parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in allowed):
        return
    raise SendError("untrusted_url", f"media URL on an unexpected host: {host or url[:60]}", permanent=True)


def fetch_url(url: str, *, follow_redirects: bool = True, **kwargs: Any) -> tuple[bytes, str | None]:
    """GET a media URL; errors classified like sends."""
    try:
        response = http_client().get(url, follow_redirects=follow_redirects, **kwargs)
    except httpx.HTTPError as exc:
        raise SendError("network", f"media download failed: {exc}", permanent=False) from exc
    return download_result(response), response.headers.get("content-type")
