#!/usr/bin/env -S sh -c 'exec "$(dirname "$0")/../.venv/bin/python" "$0" "$@"'
"""Leads board benchmark: how long one board refresh takes as the customers' history grows.

Every open Leads tab reloads its cards after each committed message, so this is the price of
one refresh: the contacts, their last messages and the score of each card, computed from up to
50 recent inbound messages per contact (a window query). The baseline, in the same run, is the
first version of that query: every inbound message of the last 90 days, trimmed in Python.

    bench/leads_board.py                     # 500 contacts x 200 messages, temporary SQLite
    bench/leads_board.py --contacts 2000 --messages 50 --database postgresql://...
Runs with the clone's .venv (see the first line); by hand, not part of the test suite. The
database given is emptied first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--messages", type=int, default=200, help="inbound messages per contact")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aisha-bench-") as scratch:
        bench(args, args.database or f"sqlite:///{scratch}/bench.db")


def bench(args: argparse.Namespace, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("ENVIRONMENT", "test")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789-abcdefghij")

    import sqlalchemy as sa
    from sqlmodel import Session, SQLModel, col, select

    from aisha_app import migrations
    from aisha_app.db import get_engine
    from aisha_app.models import Contact, Conversation, Message
    from aisha_app.models.base import utcnow
    from aisha_app.queries import journeys

    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrations.upgrade()

    now = utcnow()
    words = ["how much", "deliver to Thika", "thanks", "do you have size 42", "price please", "ok"]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Contact.__table__),
            [
                {"name": f"Customer {i}", "phone_e164": f"+2547{i:08d}", "last_seen_at": now}
                | _contact_defaults()
                for i in range(args.contacts)
            ],
        )
        ids = [row[0] for row in conn.execute(sa.select(Contact.__table__.c.id))]
        conn.execute(
            sa.insert(Conversation.__table__),
            [
                {"contact_id": cid, "channel": "simulator", "created_at": now, "updated_at": now} | _conv()
                for cid in ids
            ],
        )
        conversations = [row[0] for row in conn.execute(sa.select(Conversation.__table__.c.id))]
        rows = [
            {
                "conversation_id": conv,
                "channel": "simulator",
                "direction": "inbound",
                "type": "text",
                "body": words[n % len(words)],
                "status": "received",
                "meta": {},
                "created_at": now,
                "from_assistant": False,
            }
            for conv in conversations
            for n in range(args.messages)
        ]
        for start in range(0, len(rows), 20_000):
            conn.execute(sa.insert(Message.__table__), rows[start : start + 20_000])

    def baseline(session: Session, contact_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for contact_id, body in session.exec(
            select(Conversation.contact_id, Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(col(Conversation.contact_id).in_(contact_ids), Message.direction == "inbound")
            .order_by(col(Message.id).desc())
        ).all():
            bucket = found.setdefault(contact_id, [])
            if len(bucket) < 50:
                bucket.append(body or "")
        return found

    def timed(use_baseline: bool) -> float:
        original = journeys._inbound_by_contact
        if use_baseline:
            journeys._inbound_by_contact = baseline
        try:
            with Session(engine) as session:
                start = time.perf_counter()
                cards = journeys.lead_cards(session, journeys.LeadFilter())
                elapsed = time.perf_counter() - start
        finally:
            journeys._inbound_by_contact = original
        assert len(cards) == min(args.contacts, 500)
        return elapsed * 1000

    results = {}
    for name, use_baseline in (("baseline (all 90 days)", True), ("window (50 per contact)", False)):
        times = [timed(use_baseline) for _ in range(args.runs)]
        results[name] = statistics.median(times)
        print(f"{name:26} median {results[name]:8.1f} ms  (runs: {', '.join(f'{t:.0f}' for t in times)})")
    base, new = results.values()
    print(
        f"{engine.dialect.name}: {args.contacts} contacts x {args.messages} messages; "
        f"window / baseline = {new / base:.2f}"
    )
    SQLModel.metadata  # noqa: B018  (keeps the models imported)


def _contact_defaults() -> dict:
    from aisha_app.models.base import utcnow

    now = utcnow()
    return {
        "lead_stage": "NEW",
        "lead_score": 0,
        "source_type": "direct",
        "opted_out": False,
        "tags": [],
        "attributes": {},
        "source_details": {},
        "created_at": now,
        "updated_at": now,
    }


def _conv() -> dict:
    return {"status": "open", "ai_enabled": True, "labels": []}


if __name__ == "__main__":
    main()
