"""Webhook ingestion benchmark: signed WhatsApp Cloud webhooks against a bare endpoint, same server.

Fires COUNT signed ``POST /webhooks/whatsapp`` requests (each a new text message from one of
SENDERS customers) with CONCURRENCY in flight, then the same number of ``GET /ping`` (Reflex's
bare endpoint, no database) on the same server, and prints throughput and p50/p99 latency of
both, their ratio, and the time from the last webhook sent until every message is visible
through the REST API.

Against a running app (it must have WHATSAPP_APP_SECRET set to --secret):
    python bench/webhooks.py --url http://localhost:3000 --secret S --email admin@x --password P
Or let it start a fresh app on a temporary SQLite database (takes ~20 s to build):
    python bench/webhooks.py --start
Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aisha_app.services.messaging.graph import sign  # noqa: E402


def webhook(run: str, i: int, senders: int) -> bytes:
    wa_id = f"2547{(10_000_000 + i % senders):08d}"
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "bench",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "bench"},
                                "contacts": [{"profile": {"name": f"Bench {i % senders}"}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": f"wamid.{run}.{i}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": f"{run} message {i}"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


async def fire(
    client: httpx.AsyncClient, requests: list[tuple[str, str, bytes | None, dict]], concurrency: int
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(method: str, path: str, body: bytes | None, headers: dict) -> None:
        nonlocal errors
        async with gate:
            start = time.perf_counter()
            response = await client.request(method, path, content=body, headers=headers)
            latencies.append(time.perf_counter() - start)
            errors += response.status_code != 200

    start = time.perf_counter()
    await asyncio.gather(*(one(*r) for r in requests))
    return latencies, time.perf_counter() - start, errors


def summary(name: str, latencies: list[float], elapsed: float, errors: int) -> dict:
    ordered = sorted(latencies)
    row = {
        "name": name,
        "requests": len(ordered),
        "errors": errors,
        "per_second": len(ordered) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }
    print(
        f"{name:>10}: {row['per_second']:8.0f} req/s   p50 {row['p50_ms']:6.1f} ms   "
        f"p99 {row['p99_ms']:6.1f} ms   errors {errors}"
    )
    return row


async def visible_after(
    client: httpx.AsyncClient, token: str, run: str, count: int, timeout: float
) -> float | None:
    """Seconds until the API shows all ``count`` messages of this run, or None."""
    headers = {"Authorization": f"Bearer {token}"}
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        seen = 0
        page = (
            await client.get("/api/conversations", params={"q": run, "limit": 200}, headers=headers)
        ).json()
        for conversation in page["items"]:
            messages = (
                await client.get(
                    f"/api/conversations/{conversation['id']}/messages",
                    params={"limit": 500},
                    headers=headers,
                )
            ).json()
            seen += sum(run in (m["body"] or "") for m in messages)
        if seen >= count:
            return time.perf_counter() - start
        await asyncio.sleep(0.05)
    return None


async def bench(args: argparse.Namespace) -> None:
    run = uuid.uuid4().hex[:8]
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=30) as client:
        token = await client.post("/api/auth/token", data={"username": args.email, "password": args.password})
        token = token.json()["access_token"]
        bodies = [webhook(run, i, args.senders) for i in range(args.count)]
        hooks = [
            (
                "POST",
                "/webhooks/whatsapp",
                b,
                {"X-Hub-Signature-256": sign(args.secret, b), "Content-Type": "application/json"},
            )
            for b in bodies
        ]
        bare = [("GET", "/ping", None, {}) for _ in range(args.count)]
        await fire(client, bare[: min(200, args.count)], args.concurrency)  # warm up connections
        print(f"run {run}: {args.count} requests each, {args.concurrency} in flight, {args.senders} senders")
        bare_row = summary("bare /ping", *await fire(client, bare, args.concurrency))
        hook_row = summary("webhooks", *await fire(client, hooks, args.concurrency))
        visible = await visible_after(client, token, run, args.count, timeout=30)
        print(
            f"     ratio: webhooks/bare throughput {hook_row['per_second'] / bare_row['per_second']:.2f}, "
            f"p99 {hook_row['p99_ms'] / bare_row['p99_ms']:.1f}x"
        )
        print(
            "   visible: "
            + (
                f"all {args.count} messages in their conversations {visible:.2f} s after the last "
                "webhook was answered"
                if visible is not None
                else "NOT all visible within 30 s"
            )
        )


def start_app(port: int) -> tuple[subprocess.Popen, dict]:
    tmp = Path(tempfile.mkdtemp(prefix="aisha-bench-"))
    creds = {"secret": "bench-app-secret", "email": "bench@example.com", "password": "bench-password-1"}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        "ENVIRONMENT": "test",
        "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
        "PUBLIC_BASE_URL": f"http://localhost:{port}",
        "ADMIN_EMAIL": creds["email"],
        "ADMIN_PASSWORD": creds["password"],
        "WHATSAPP_APP_SECRET": creds["secret"],
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    subprocess.run(
        [sys.executable, "-m", "aisha_app.manage", "setup"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reflex",
            "run",
            "--env",
            "prod",
            "--single-port",
            "--frontend-port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(tmp / "app.log", "w"),  # noqa: SIM115  (the app keeps it open while it runs)
        stderr=subprocess.STDOUT,
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://localhost:{port}/health", timeout=1).status_code == 200:
                return process, creds
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the app did not start; see {tmp}/app.log")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--secret", help="the app's WHATSAPP_APP_SECRET")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--start", action="store_true", help="start a fresh app on a temporary database")
    parser.add_argument("--port", type=int, default=3123)
    args = parser.parse_args()
    process = None
    if args.start:
        process, creds = start_app(args.port)
        args.url = f"http://localhost:{args.port}"
        args.secret, args.email, args.password = creds["secret"], creds["email"], creds["password"]
    try:
        asyncio.run(bench(args))
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)


if __name__ == "__main__":
    main()
