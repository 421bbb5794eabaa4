"""HTTP out: the shared client for providers (tests may give it a mock transport), and requests
pinned to a checked address for the business's own endpoints (assistant actions)."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any

import httpx

from aisha_app.config import get_settings

_client: httpx.Client | None = None
USER_AGENT = {"User-Agent": "Aisha/0.1"}


def _timeout() -> httpx.Timeout:
    seconds = get_settings().provider_timeout_seconds
    return httpx.Timeout(seconds, connect=min(5.0, seconds))


_lock = threading.Lock()


def http_client() -> httpx.Client:
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(timeout=_timeout(), headers=USER_AGENT)
        return _client


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Replace the shared client (tests: ``httpx.MockTransport``; None: back to the network)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = httpx.Client(timeout=_timeout(), transport=transport) if transport else None


Resolver = Callable[[str, int], list[str]]


class UnsafeAddress(ValueError):
    """A host that cannot be found, or that points where requests must not go."""


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses ``host`` has now, in the system's order (an IP address is its own)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeAddress(f"the host {host!r} cannot be found") from exc
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def checked_addresses(
    host: str, port: int, *, public_only: bool, resolve: Resolver = resolve_host
) -> list[str]:
    """Resolve once; with ``public_only``, refuse the host if any of its addresses is not global."""
    addresses = resolve(host, port) if host else []
    if not addresses:
        raise UnsafeAddress(f"the host {host!r} cannot be found")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError as exc:
            raise UnsafeAddress(f"the host {host!r} resolved to {address!r}") from exc
        if public_only and not ip.is_global:
            raise UnsafeAddress(f"the host {host!r} is on a private or reserved network")
    return addresses


def pinned_request(
    method: str,
    url: str,
    *,
    public_only: bool,
    resolve: Resolver = resolve_host,
    verify: ssl.SSLContext | bool = True,
    timeout: float,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One request that connects to an address checked here, never to a later DNS answer.

    Resolving again at connect time would let a name that passed the check point elsewhere a
    moment later (DNS rebinding). So the URL is rewritten to the checked address, while the Host
    header, TLS SNI and certificate check keep the name. A client per call: a pooled connection
    made for one name must not carry another name's request.
    """
    target = httpx.URL(url)
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    addresses = checked_addresses(host, port, public_only=public_only, resolve=resolve)
    headers = {**(headers or {}), "Host": target.netloc.decode("ascii")}
    with httpx.Client(verify=verify, trust_env=False, timeout=timeout, headers=USER_AGENT) as client:

        def send(address: str) -> httpx.Response:
            pinned = target.copy_with(host=address)
            return client.request(
                method, pinned, headers=headers, extensions={"sni_hostname": host}, **kwargs
            )

        for address in addresses[:-1]:
            try:
                return send(address)
            except httpx.ConnectError:
                continue  # refused or unreachable: the request never left, so the next may be tried
        return send(addresses[-1])
