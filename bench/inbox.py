#!/usr/bin/env -S sh -c 'exec "$(dirname "$0")/../.venv/bin/python" "$0" "$@"'
"""Inbox benchmark: the inbox's reads through the REST API on a database of a growing shop.

Builds (once; ``--rebuild`` to start over) a database of CONTACTS customers, one conversation
each, and MESSAGES messages with a long tail: a few conversations hold tens of thousands of
messages, most a handful. Then starts the app on it and times, through the API as a signed-in
agent, each of the inbox's reads: the conversation list (all, active, mine, unassigned, by
label, by channel), the next page, a search by word, by name and by phone, a long thread's
newest 100 messages and the 100 before them, a contact search, the leads board and the
dashboard: ROUNDS sequential calls each, after two warm-up calls; median and p90. Last, the
inbox page's first render in Chromium (from navigation to the first conversation on screen).

    bench/inbox.py                                          # SQLite: bench/.data/inbox.db
    bench/inbox.py --database-url postgresql://postgres@127.0.0.1:5432/bench_inbox
    bench/inbox.py --contacts 10000 --messages 100000       # a smaller shop
The database is built by this script (a PostgreSQL one is emptied first) and kept for the next
run, so a run before a change and one after it time the same rows; a newer schema is migrated
by the app as it starts. Runs with the clone's .venv (see the first line); by hand, not part of
the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_EMAIL, ADMIN_PASSWORD = "bench@example.com", "bench-password-1"
SECRET_KEY = "bench-secret-key-0123456789-0123456789"


def words(text: str) -> list[str]:
    """Names and words written as one string: a line of them, not a line per item."""
    return text.split()


FIRST = words(
    "Amina Wanjiru Otieno Baraka Fatuma Juma Neema Kito Imani Zawadi Achieng Mwangi Omar Khadija "
    "Hassan Aisha Salma Yusuf Grace Brian Kamau Njeri Wafula Akinyi Chebet Kiprop Halima Rashid Mariam "
    "Said Joy Peter Mercy Dennis Faith Kevin Esther Moses Lucy Samuel"
)
FIRST_AR = words("محمد فاطمة أحمد مريم علي خديجة يوسف سلمى")
LAST = words(
    "Otieno Mwangi Kamau Wanjiku Ochieng Njoroge Hassan Mohamed Ali Abdi Kariuki Achieng Wekesa Kiplagat "
    "Chege Omondi Mutua Nyambura Odhiambo Barasa Said Juma Kimani Wairimu Maina Auma Onyango Rotich"
)
PRODUCTS = words(
    "boots gumboots overalls gloves helmet vest reflector goggles apron coverall raincoat jacket "
    "trousers shirt cap earmuffs mask harness"
)
NEEDLE = "umbrella"  # a word in about 1 message in 2,000: the search-by-word target
INBOUND = (
    "Habari, do you have {p} in size {n}?",
    "How much are the {p}?",
    "I want {q} {p} for my workers",
    "Can you deliver the {p} to Thika tomorrow?",
    "Asante, I will come for the {p} on Saturday",
    "Is the {p} available in black?",
    "Mko na {p} size {n}?",
    "هل عندكم {p} مقاس {n}؟",
)
OUTBOUND = (
    "Yes, we have {p} in size {n}: KES {k} each.",
    "The {p} cost KES {k}. Shall I reserve {q} for you?",
    "We deliver to Thika on Tuesdays and Fridays.",
    "Karibu! We open 8:00-18:00 Monday to Friday.",
)


# -- building the database ------------------------------------------------------------------------
def message_counts(rng: random.Random, conversations: int, total: int) -> list[int]:
    """At least one message each, a long tail (the first five hold 85,000 at full size), the rest
    spread unevenly (a Pareto draw), adding up to ``total``."""
    tail = [min(n, total // 12) for n in (30_000, 20_000, 15_000, 10_000, 10_000)][
        : max(conversations // 20, 1)
    ]
    counts = tail + [1] * (conversations - len(tail))
    left = total - sum(counts)
    weights = [0.0] * len(tail) + [rng.paretovariate(1.6) for _ in range(conversations - len(tail))]
    scale = left / sum(weights)
    for i, w in enumerate(weights):
        counts[i] += int(w * scale)
    for i in rng.sample(range(len(tail), conversations), total - sum(counts)):
        counts[i] += 1
    return counts


def build(url: str, contacts: int, messages: int, seed: int = 7) -> None:
    import sqlalchemy as sa

    from aisha_app import migrations
    from aisha_app.actions.users import create_user
    from aisha_app.db import get_engine, unit_of_work
    from aisha_app.models import Contact, Conversation, Message, Role, UserCreate

    engine = get_engine()
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    migrations.upgrade()
    with unit_of_work() as session:  # the edge that commits (ENVIRONMENT=test guards it)
        admin = create_user(
            session,
            UserCreate(email=ADMIN_EMAIL, name="Bench Owner", role=Role.ADMIN, password=ADMIN_PASSWORD),
            None,
        )
        agents = [
            create_user(
                session,
                UserCreate(email=f"agent{i}@example.com", name=f"Agent {i}", password="bench-password-1"),
                admin,
            )
            for i in range(3)
        ]
        staff = [admin.id, *(a.id for a in agents)]

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    counts = message_counts(rng, contacts, messages)
    contact_rows, conversation_rows = [], []
    channels = ("whatsapp_cloud",) * 12 + ("twilio_whatsapp",) * 5 + ("messenger",) * 3
    statuses = ("resolved",) * 15 + ("open",) * 3 + ("pending",) * 2
    for i in range(1, contacts + 1):
        first = rng.choice(FIRST_AR if rng.random() < 0.08 else FIRST)
        channel = rng.choice(channels)
        contact_rows.append(
            {
                "id": i,
                "name": f"{first} {rng.choice(LAST)}",
                "phone_e164": f"+2547{10_000_000 + i:08d}",
                "messenger_psid": f"psid{i}" if channel == "messenger" else None,
                "tags": [],
                "attributes": {},
                "source_details": {},
                "lead_stage": rng.choice(
                    ("NEW", "NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "WON", "LOST")
                ),
                "lead_score": rng.randint(0, 100),
                "source_type": "direct",
                "created_at": now - timedelta(days=400),
                "updated_at": now - timedelta(minutes=rng.randint(0, 500_000)),
            }
        )
        status = rng.choice(statuses)
        conversation_rows.append(
            {
                "id": i,
                "contact_id": i,
                "channel": channel,
                "status": status,
                "assignee_id": None if rng.random() < 0.4 else rng.choice(staff),
                "ai_enabled": status != "pending",
                "labels": ["vip"] if rng.random() < 0.05 else ["boots"] if rng.random() < 0.03 else [],
                "handed_off_at": now - timedelta(hours=rng.randint(1, 48)) if status == "pending" else None,
                "created_at": now - timedelta(days=365),
                "updated_at": now,
            }
        )
    # Each conversation's messages end at its last_message_at, spread over the past 180 days.
    message_rows, serial = [], 0

    for index, row in enumerate(conversation_rows):  # the long tail is the newest five
        late = (
            now - timedelta(minutes=index)
            if index < 5
            else now - timedelta(seconds=rng.randint(60, 180 * 86400))
        )
        row["last_message_at"] = late
    with engine.begin() as conn:
        for table, rows in ((Contact.__table__, contact_rows), (Conversation.__table__, conversation_rows)):
            for chunk in range(0, contacts, 10_000):
                conn.execute(sa.insert(table), rows[chunk : chunk + 10_000])
        for row, count in zip(conversation_rows, counts, strict=True):
            last = row["last_message_at"]
            gap = timedelta(seconds=max(30, min(3600, int(180 * 86400 / count))))
            for n in range(count):
                serial += 1
                inbound = n == 0 or rng.random() < 0.6
                note = not inbound and rng.random() < 0.02
                fill = {"p": rng.choice(PRODUCTS), "n": rng.randint(36, 46), "q": rng.randint(2, 40)}
                body = rng.choice(INBOUND if inbound else OUTBOUND).format(k=rng.randint(3, 90) * 50, **fill)
                if rng.random() < 0.0005:
                    body += f" and an {NEEDLE} too"
                image = inbound and rng.random() < 0.03
                message_rows.append(
                    {
                        "conversation_id": row["id"],
                        "channel": row["channel"],
                        "direction": "inbound" if inbound else "outbound",
                        "type": "note" if note else "image" if image else "text",
                        "body": None if image else f"Note: {body}" if note else body,
                        "media_url": "https://example.com/p.jpg" if image else None,
                        "provider_message_id": None if note else f"bench-{serial}",
                        "status": "received" if inbound else "read",
                        "from_assistant": not inbound and not note and rng.random() < 0.7,
                        "meta": {},
                        "created_at": last - gap * (count - 1 - n),
                    }
                )
        # Stored in the order they were written, as a shop's are: a busy conversation's messages
        # lie among everyone else's, not side by side.
        message_rows.sort(key=lambda m: m["created_at"])
        for chunk in range(0, len(message_rows), 20_000):
            conn.execute(sa.insert(Message.__table__), message_rows[chunk : chunk + 20_000])
        conn.execute(
            sa.text(
                "UPDATE conversations SET last_inbound_at = (SELECT max(created_at) FROM messages m"
                " WHERE m.conversation_id = conversations.id AND m.direction = 'inbound')"
            )
        )
        if engine.dialect.name == "postgresql":
            for table in ("contacts", "conversations"):
                sequence = f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"  # noqa: S608
                conn.execute(sa.text(sequence))
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    print(f"built {contacts:,} contacts and {serial:,} messages in {time.perf_counter() - started:.0f} s")


def built(url: str, messages: int) -> bool:
    import sqlalchemy as sa

    from aisha_app.db import get_engine

    try:
        with get_engine().connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM messages")).scalar_one() >= messages
    except sa.exc.DBAPIError:
        return False


# -- timing ---------------------------------------------------------------------------------------
def timed(client: httpx.Client, path: str, rounds: int, **params) -> tuple[float, float, dict | list]:
    for _ in range(2):
        body = client.get(path, params=params)
        body.raise_for_status()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], response.json()


def reads(client: httpx.Client) -> list[tuple[str, str, dict]]:
    """(name, path, params) of each read timed, found in the data as an agent would meet it."""
    first = client.get("/api/conversations", params={"limit": 50}).json()
    busiest = client.get("/api/conversations", params={"limit": 1}).json()["items"][0]["id"]
    newest = client.get(f"/api/conversations/{busiest}/messages", params={"limit": 100}).json()
    name = first["items"][10]["contact"]["name"]
    phone = first["items"][20]["contact"]["phone_e164"]  # +2547xxxxxxxx, typed as 07xx xxx xxx
    typed = f"0{phone[4:7]} {phone[7:10]} {phone[10:]}"
    return [
        ("list: all", "/api/conversations", {}),
        ("list: active", "/api/conversations", {"status": "active"}),
        ("list: mine", "/api/conversations", {"assignee": "me"}),
        ("list: unassigned", "/api/conversations", {"assignee": "unassigned"}),
        ("list: label vip", "/api/conversations", {"label": "vip"}),
        ("list: channel messenger", "/api/conversations", {"channel": "messenger"}),
        ("list: next page", "/api/conversations", {"cursor": first["next_cursor"]}),
        (f"search: word '{NEEDLE}'", "/api/conversations", {"q": NEEDLE}),
        (f"search: name '{name}'", "/api/conversations", {"q": name}),
        (f"search: phone '{typed}'", "/api/conversations", {"q": typed}),
        ("thread: newest 100", f"/api/conversations/{busiest}/messages", {"limit": 100}),
        (
            "thread: 100 before",
            f"/api/conversations/{busiest}/messages",
            {"limit": 100, "before_id": newest[0]["id"]},
        ),
        (f"contacts: search '{name.split()[0]}'", "/api/contacts", {"q": name.split()[0]}),
        ("leads board", "/api/leads", {}),
        ("dashboard", "/api/dashboard", {}),
    ]


def first_render(url: str, rounds: int) -> list[float]:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(base_url=url, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", ADMIN_EMAIL)
        page.fill("#password", ADMIN_PASSWORD)
        page.click("#sign-in")
        expect(page.locator("#welcome")).to_be_visible()
        times = []
        for n in range(rounds + 1):
            page.goto("/")
            expect(page.locator("#welcome")).to_be_visible()
            start = time.perf_counter()
            page.goto("/inbox")
            expect(page.locator(".conversation").first).to_be_visible()
            if n:  # the first warms the build's caches
                times.append((time.perf_counter() - start) * 1000)
        browser.close()
    return times


def need_playwright(script: str) -> None:
    """Stop before any work (a build takes minutes) if the test requirements are not installed."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        sys.exit(
            f"{script} drives Chromium with Playwright, one of the test requirements: "
            "run scripts/test.sh once, or .venv/bin/pip install -r requirements-dev.txt"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a SQLite file, bench/.data/inbox.db")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15, help="timed calls of each read")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    need_playwright("bench/inbox.py")
    data = ROOT / "bench" / ".data"
    data.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{data}/inbox.db"
    os.environ.update(DATABASE_URL=url, ENVIRONMENT="test", SECRET_KEY=SECRET_KEY)
    if args.rebuild or not built(url, args.messages):
        build(url, args.contacts, args.messages)

    from aisha_app.devserver import running_app

    settings = {
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": SECRET_KEY,
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "IN_APP_WORKERS": "0",
    }
    figures = {"database": url.split(":")[0], "rounds": args.rounds, "reads": {}}
    with running_app(free_port(), settings, timeout=900) as base:
        token = httpx.post(
            f"{base}/api/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            print(f"{'read':<42} {'median':>9} {'p90':>9}  rows")
            for name, path, params in reads(client):
                median, p90, body = timed(client, path, args.rounds, **params)
                rows = len(body["items"]) if isinstance(body, dict) and "items" in body else len(body)
                total = f" of {body['total']}" if isinstance(body, dict) and "total" in body else ""
                print(f"{name:<42} {median:7.1f}ms {p90:7.1f}ms  {rows}{total}")
                figures["reads"][name] = {"median_ms": round(median, 1), "p90_ms": round(p90, 1)}
        renders = first_render(base, 5)
        figures["first_render_ms"] = round(statistics.median(renders), 0)
        label = "inbox page: first render (Chromium)"
        print(f"{label:<42} {statistics.median(renders):7.0f}ms {max(renders):7.0f}ms")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
