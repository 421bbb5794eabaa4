#!/usr/bin/env -S sh -c 'exec "$(dirname "$0")/../.venv/bin/python" "$0" "$@"'
"""Webhook ingestion benchmark: signed WhatsApp Cloud webhooks against a bare endpoint, same server.

Fires COUNT signed ``POST /webhooks/whatsapp`` requests (each a new text message from one of
SENDERS customers) with CONCURRENCY in flight, then the same number of ``GET /ping`` (Reflex's
bare endpoint, no database) on the same server, and prints throughput and p50/p99 latency of
both, their ratio, and the time from the last webhook sent until every message is visible
through the REST API.

The load comes from ``wrk`` (Debian package ``wrk``, installed with apt when missing; C, so the
2-core machine's CPU goes to the server, not the client) fed pre-signed bodies by a Lua script;
``--client httpx`` uses Python instead, which saturates long before the server does.

Against a running app (it must have WHATSAPP_APP_SECRET set to --secret):
    bench/webhooks.py --url http://localhost:3000 --secret S --email admin@x --password P
Or let it start a fresh app on a temporary SQLite database (takes ~20 s to build):
    bench/webhooks.py --start
Runs with the clone's .venv (see the first line); by hand, not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
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

from aisha_app.devserver import running_app  # noqa: E402
from aisha_app.services.messaging.graph import sign  # noqa: E402


def webhook(run: str, i: int, senders: int) -> bytes:
    wa_id = f"2547{(10_000_000 + i % senders):08d}"
    return cloud_message(wa_id, f"Bench {i % senders}", f"wamid.{run}.{i}", f"{run} message {i}")


def cloud_message(wa_id: str, name: str, message_id: str, text: str) -> bytes:
    """A WhatsApp Cloud webhook: one text message from ``wa_id`` (also used by bench/live.py)."""
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
                                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": message_id,
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": text},
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


WRK_SCRIPT = """
local bodies, signatures, i, sent = {}, {}, 0, 0
local threads, counter = {}, 1
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  local n, nthreads = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    n = n + 1
    if (n % nthreads) + 1 == id then
      local tab = line:find("\\t")
      table.insert(signatures, line:sub(1, tab - 1))
      table.insert(bodies, line:sub(tab + 1))
    end
  end
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", "/webhooks/whatsapp",
    {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signatures[i]}, bodies[i])
end
function response(status, headers, body)
  sent = sent + 1
  wrk.thread:set("sent", sent)
  wrk.thread:set("size", #bodies)
end
function done(summary, latency, requests)
  local unique = 0
  for _, thread in ipairs(threads) do
    local n, size = thread:get("sent"), thread:get("size")
    unique = unique + math.min(n, size)
  end
  io.write("unique " .. unique .. "\\n")
end
function delay() return 0 end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> None:
    """Install Debian's wrk (as root or through sudo) when it is missing."""
    if shutil.which("wrk"):
        return
    print("Installing wrk (Debian package) ...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    apt = [*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-qq"]
    install = [*apt, "install", "-y", "--no-install-recommends", "wrk"]
    if subprocess.run(install, stdin=subprocess.DEVNULL).returncode != 0:  # stale package lists
        subprocess.run([*apt, "update"], stdin=subprocess.DEVNULL, check=True)
        subprocess.run(install, stdin=subprocess.DEVNULL, check=True)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing and could not be installed: install it, or use --client httpx")


def run_wrk(
    url: str, concurrency: int, script: Path | None = None, args: list[str] | None = None, seconds: int = 60
) -> dict:
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command += [url]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    row = {"errors": 0}
    for line in output.splitlines():
        parts = line.split()
        if line.strip().startswith(("50%", "99%")):
            row["p50_ms" if parts[0] == "50%" else "p99_ms"] = _ms(parts[1])
        elif "requests in" in line:
            row["requests"] = int(parts[0])
        elif line.strip().startswith("Non-2xx"):
            row["errors"] = int(parts[-1])
        elif line.startswith("Requests/sec:"):
            row["per_second"] = float(parts[1])
        elif line.startswith("unique "):
            row["unique"] = int(parts[1])
    return row


def _ms(value: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("m", 60_000.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def print_row(name: str, row: dict) -> None:
    print(
        f"{name:>10}: {row['per_second']:8.0f} req/s   p50 {row['p50_ms']:6.1f} ms   "
        f"p99 {row['p99_ms']:6.1f} ms   requests {row.get('requests')}   errors {row['errors']}"
    )


async def bench_wrk(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="aisha-wrk-") as work:
        await _bench_wrk(args, Path(work))


async def _bench_wrk(args: argparse.Namespace, work: Path) -> None:
    run = uuid.uuid4().hex[:8]
    lines = []
    for i in range(args.count):
        body = webhook(run, i, args.senders)
        lines.append(sign(args.secret, body) + "\t" + body.decode())
    (work / "bodies.tsv").write_text("\n".join(lines) + "\n")
    (work / "webhooks.lua").write_text(WRK_SCRIPT)
    print(f"run {run}: {args.seconds} s each, {args.concurrency} connections, {args.senders} senders (wrk)")
    bare = run_wrk(f"{args.url}/ping", args.concurrency, seconds=args.seconds)
    print_row("bare /ping", bare)
    hooks = run_wrk(
        args.url,
        args.concurrency,
        work / "webhooks.lua",
        [str(work / "bodies.tsv"), "2"],
        seconds=args.seconds,
    )
    print_row("webhooks", hooks)
    if hooks["requests"] > hooks["unique"]:
        repeats = hooks["requests"] - hooks["unique"]
        print(f"            ({repeats} were repeats of sent webhooks: raise --count)")
    print(
        f"     ratio: webhooks/bare throughput {hooks['per_second'] / bare['per_second']:.2f}, "
        f"p99 {hooks['p99_ms'] / bare['p99_ms']:.1f}x"
    )
    async with httpx.AsyncClient(base_url=args.url, timeout=30) as client:
        token = await client.post("/api/auth/token", data={"username": args.email, "password": args.password})
        visible = await visible_after(client, token.json()["access_token"], run, hooks["unique"], timeout=30)
    print(
        "   visible: "
        + (
            f"all {hooks['unique']} answered webhooks' messages found in their conversations by a check "
            f"that ended {visible:.2f} s after the last webhook was answered"
            if visible is not None
            else "NOT all visible within 30 s"
        )
    )


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
    print(f"            (saw {seen} of {count} messages)")
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
                f"all {args.count} messages found in their conversations by a check "
                f"that ended {visible:.2f} s after the last webhook was answered"
                if visible is not None
                else "NOT all visible within 30 s"
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://localhost:3000")
    parser.add_argument("--secret", help="the app's WHATSAPP_APP_SECRET")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--count", type=int, default=20000, help="distinct webhooks prepared")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--start", action="store_true", help="start a fresh app on a temporary database")
    parser.add_argument("--port", type=int, default=0, help="for --start; default: a free port")
    parser.add_argument(
        "--database-url",
        help="for --start: a PostgreSQL database to empty and use (default: a temporary SQLite file)",
    )
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    args = parser.parse_args()
    run = bench_wrk if args.client == "wrk" else bench
    if args.client == "wrk":
        ensure_wrk()
    if not args.start:
        asyncio.run(run(args))
        return
    with tempfile.TemporaryDirectory(prefix="aisha-bench-") as database_dir:
        start_and_run(args, run, database_dir)


def empty_database(url: str) -> None:
    """Drop everything in the PostgreSQL database at ``url``: each run starts from nothing."""
    import sqlalchemy as sa

    from aisha_app.db import normalize_url

    engine = sa.create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def start_and_run(args: argparse.Namespace, run, database_dir: str) -> None:
    args.secret, args.email, args.password = "bench-app-secret", "bench@example.com", "bench-password-1"
    if args.database_url:
        empty_database(args.database_url)
    settings = {
        "DATABASE_URL": args.database_url or f"sqlite:///{database_dir}/bench.db",
        "ENVIRONMENT": "test",
        "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
        "ADMIN_EMAIL": args.email,
        "ADMIN_PASSWORD": args.password,
        "WHATSAPP_APP_SECRET": args.secret,
    }
    with running_app(args.port or free_port(), settings) as url:
        args.url = url
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
