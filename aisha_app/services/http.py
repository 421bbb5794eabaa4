"""The one shared HTTP client for calls to providers (tests may give it a mock transport)."""

from __future__ import annotations

import threading

import httpx

from aisha_app.config import get_settings

_client: httpx.Client | None = None


def _timeout() -> httpx.Timeout:
    seconds = get_settings().provider_timeout_seconds
    return httpx.Timeout(seconds, connect=min(5.0, seconds))


_lock = threading.Lock()


def http_client() -> httpx.Client:
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(timeout=_timeout(), headers={"User-Agent": "Aisha/0.1"})
        return _client


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Replace the shared client (tests: ``httpx.MockTransport``; None: back to the network)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = httpx.Client(timeout=_timeout(), transport=transport) if transport else None
