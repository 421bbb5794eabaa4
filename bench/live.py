#!/usr/bin/env -S sh -c 'exec "$(dirname "$0")/../.venv/bin/python" "$0" "$@"'
"""Live inbox benchmark: the time from a webhook to its message on screen, with many inbox tabs open.

Starts the app on the database ``bench/inbox.py`` builds (100,000 contacts, 1,000,000 messages;
built first if missing), opens TABS inbox tabs in Chromium, signed in as four staff members
(every third tab has a conversation open, the others show the list), then sends MESSAGES signed
WhatsApp Cloud webhooks one at a time, INTERVAL seconds apart: a third to the conversation the
open threads show, half to other customers' conversations anywhere in the history (each moves to
the top of every list), the rest from new customers. In every tab a MutationObserver notes when
each message's text first shows (at the animation frame after the page changed); the time from
just before the webhook was sent to then is its webhook-to-screen time. Prints the median, p95
and maximum over every message and tab, for list tabs and thread tabs, and any tab that never
showed a message.

    bench/live.py                                                   # SQLite: bench/.data/inbox.db
    bench/live.py --database-url postgresql://postgres@127.0.0.1:5432/bench_inbox
    bench/live.py --tabs 1                                          # the same with one tab
Runs with the clone's .venv (see the first line); by hand, not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import inbox as shop  # noqa: E402  (bench/inbox.py: the database and its staff)
from webhooks import cloud_message  # noqa: E402

APP_SECRET = "bench-live-app-secret"
STAFF = [(shop.ADMIN_EMAIL, shop.ADMIN_PASSWORD)] + [
    (f"agent{i}@example.com", "bench-password-1") for i in range(3)
]
# Before the app's scripts run: when each marker first arrived down the websocket.
ARRIVALS = """
window.__arrived = {};
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      const at = performance.timeOrigin + performance.now();
      const markers = typeof event.data === "string" ? event.data.match(/livebench-[a-z0-9]+-[0-9]+/g) : null;
      for (const marker of markers || []) {
        if (!(marker in window.__arrived)) window.__arrived[marker] = at;
      }
    });
  }
};
"""
# Each tab notes, per marker, when it first showed: the frame after the mutation that brought it.
WATCH = """
() => {
  window.__seen = {};
  const found = (text) => {
    for (const marker of (text || "").match(/livebench-[a-z0-9]+-[0-9]+/g) || []) {
      if (!(marker in window.__seen)) {
        window.__seen[marker] = 0;
        requestAnimationFrame(() => { window.__seen[marker] = performance.timeOrigin + performance.now(); });
      }
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "characterData") found(record.target.data);
      for (const node of record.addedNodes) found(node.textContent);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}
"""


def webhook(marker: str, wa_id: str, name: str) -> bytes:
    return cloud_message(wa_id, name, f"wamid.{marker}", f"Do you have boots in size 42? {marker}")


def senders(url: str, count: int) -> tuple[int, str, list[str]]:
    """The conversation the open threads show (the shop's first on WhatsApp Cloud: the same in
    every run, so runs compare) and its customer's number, and ``count`` other customers' numbers
    from anywhere in the history."""
    import sqlalchemy as sa

    from aisha_app.db import normalize_url

    engine = sa.create_engine(normalize_url(url))
    with engine.connect() as conn:
        watched, phone = conn.execute(
            sa.text(
                "SELECT c.id, k.phone_e164 FROM conversations c JOIN contacts k ON k.id = c.contact_id "
                "WHERE c.channel = 'whatsapp_cloud' AND k.phone_e164 IS NOT NULL "
                "ORDER BY c.id LIMIT 1"
            )
        ).one()
        others = conn.execute(
            sa.text(
                "SELECT k.phone_e164 FROM conversations c JOIN contacts k ON k.id = c.contact_id "
                "WHERE c.channel = 'whatsapp_cloud' AND k.phone_e164 IS NOT NULL AND c.id != :watched "
                "ORDER BY random() LIMIT :n"
            ),
            {"watched": watched, "n": count},
        ).scalars()
        others = list(others)
    engine.dispose()
    return watched, phone, others


def open_tabs(browser, base: str, tabs: int, watched: int) -> list[tuple[str, object]]:
    """``tabs`` inbox tabs, dealt round the staff; every third shows the watched conversation."""
    from playwright.sync_api import expect

    contexts = []
    for email, password in STAFF[: min(len(STAFF), tabs)]:
        context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(60_000)
        context.add_init_script(ARRIVALS)
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("#sign-in")
        expect(page.locator("#welcome")).to_be_visible()
        page.close()
        contexts.append(context)
    opened = []
    for n in range(tabs):
        kind = "thread" if n % 3 == 2 else "list"
        page = contexts[n % len(contexts)].new_page()
        page.goto(f"/inbox?c={watched}" if kind == "thread" else "/inbox")
        expect(page.locator(".conversation").first).to_be_visible()
        if kind == "thread":
            expect(page.locator(".bubble").first).to_be_visible()
        page.evaluate(WATCH)
        opened.append((kind, page))
    return opened


def cpu_seconds() -> dict[str, float]:
    """The CPU time every process on the machine has spent so far, by part: Chromium's tab
    renderers and its other processes, PostgreSQL, and everything else (the app, its workers)."""
    parts: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):  # gone, or not a process
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if "chromium" in command:
            part = "tab renderers" if "--type=renderer" in command else "Chromium's other processes"
        elif "postgres" in stat.split(")")[0]:
            part = "PostgreSQL"
        else:
            part = "the app and the rest"
        parts[part] = parts.get(part, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return parts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: bench/inbox.py's SQLite file, bench/.data/inbox.db")
    parser.add_argument("--contacts", type=int, default=100_000, help="of the shop bench/inbox.py builds")
    parser.add_argument("--history", type=int, default=1_000_000, help="messages of that shop")
    parser.add_argument("--tabs", type=int, default=20)
    parser.add_argument("--messages", type=int, default=60, help="webhooks sent")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between webhooks")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    shop.need_playwright("bench/live.py")
    data = ROOT / "bench" / ".data"
    data.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{data}/inbox.db"
    os.environ.update(DATABASE_URL=url, ENVIRONMENT="test", SECRET_KEY=shop.SECRET_KEY)
    if not shop.built(url, args.history):
        shop.build(url, args.contacts, args.history)
    watched, watched_phone, others = senders(url, args.messages)

    from playwright.sync_api import sync_playwright

    from aisha_app.devserver import running_app
    from aisha_app.services.messaging.graph import sign

    settings = {
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": shop.SECRET_KEY,
        "ADMIN_EMAIL": shop.ADMIN_EMAIL,
        "ADMIN_PASSWORD": shop.ADMIN_PASSWORD,
        "WHATSAPP_APP_SECRET": APP_SECRET,
    }
    run = uuid.uuid4().hex[:8]
    rng = random.Random(run)
    sent: dict[str, float] = {}
    answered: list[float] = []
    with running_app(shop.free_port(), settings, timeout=900) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        tabs = open_tabs(browser, base, args.tabs, watched)
        print(f"{len(tabs)} tabs open ({sum(k == 'thread' for k, _ in tabs)} on conversation {watched})")
        cpu_before = cpu_seconds()
        with httpx.Client(base_url=base, timeout=30) as client:
            for n in range(args.messages):
                marker = f"livebench-{run}-{n}"
                draw = rng.random()
                if draw < 1 / 3:
                    wa_id, name = watched_phone.lstrip("+"), "Watched customer"
                elif draw < 5 / 6:
                    wa_id, name = others[n].lstrip("+"), "Customer"
                else:
                    wa_id, name = f"2547{rng.randrange(90_000_000, 99_999_999)}", f"New customer {n}"
                body = webhook(marker, wa_id, name)
                headers = {"X-Hub-Signature-256": sign(APP_SECRET, body), "Content-Type": "application/json"}
                sent[marker] = time.time() * 1000
                client.post("/webhooks/whatsapp", content=body, headers=headers).raise_for_status()
                answered.append(time.time() * 1000 - sent[marker])
                time.sleep(args.interval)
        time.sleep(5)  # the last message's way to every tab
        cpu = {part: spent - cpu_before.get(part, 0.0) for part, spent in cpu_seconds().items()}
        seen = [(kind, page.evaluate("() => window.__seen")) for kind, page in tabs]
        arrived = [page.evaluate("() => window.__arrived") for _, page in tabs]
        browser.close()

    times: dict[str, list[float]] = {"list": [], "thread": []}
    missing = 0
    for kind, marks in seen:
        for marker, at in sent.items():
            if marks.get(marker):
                times[kind].append(marks[marker] - at)
            else:
                missing += 1
    every = times["list"] + times["thread"]
    times["arrived"] = [marks[m] - at for marks in arrived for m, at in sent.items() if marks.get(m)]
    figures = {
        "database": url.split(":")[0],
        "tabs": len(tabs),
        "messages": args.messages,
        "missing": missing,
    }
    print(f"{'webhook to screen':<24} {'samples':>8} {'median':>9} {'p95':>9} {'max':>9}")
    for name, values in (
        ("every tab", every),
        ("list tabs", times["list"]),
        ("thread tabs", times["thread"]),
        ("(reached the browser)", times["arrived"]),
        ("(webhook answered)", answered),
    ):
        if values:
            row = {
                "samples": len(values),
                "median_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "max_ms": round(max(values), 1),
            }
            figures[name] = row
            print(
                f"{name:<24} {row['samples']:>8} {row['median_ms']:7.0f}ms "
                f"{row['p95_ms']:7.0f}ms {row['max_ms']:7.0f}ms"
            )
    print(f"messages a tab never showed: {missing}")
    # Where the time goes: every tab draws each change at once, on the same cores as the app, so
    # the last tab's wait is about the CPU a message costs in all, shared by the cores.
    figures["cpu_ms_per_message"] = {part: round(secs * 1000 / args.messages) for part, secs in cpu.items()}
    print(
        f"CPU a message (ms, {os.cpu_count()} cores): "
        + ", ".join(f"{part} {ms}" for part, ms in sorted(figures["cpu_ms_per_message"].items()) if ms)
        + f"; in all {sum(figures['cpu_ms_per_message'].values())}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
