#!/usr/bin/env -S sh -c 'exec "$(dirname "$0")/../.venv/bin/python" "$0" "$@"'
"""Automations benchmark: what a received message costs the webhook writer with many rules.

Every stored message is matched against the active rules' triggers in the writer's
transaction (``automations.triggers.emit``): one query that checks the cached rules are
current, then each rule's trigger. This times that call per message with RULES active rules
(keyword rules of the three kinds, "any message" rules with conditions, and rules on other
events), against the same call with no rule at all (the baseline: the check query alone), in
the same run. It then times one triggered rule run end to end (conditions, an add-tag action,
the run's log row, COMMIT).

Then the birthday sweep (``automations.timed.fire``) over CONTACTS contacts with birthdays spread
over the year in six time zones: a day in its 96 quarter-hour sweeps, and a whole day in one
sweep (workers back after a day away), against the same with CONTACTS / 100 contacts (the
baseline) in the same run. Each sweep's queued jobs are rolled back.

Then the idle rules' look (once a minute) over CONVERSATIONS open conversations, their last
messages spread over 40 days (half last from the customer, half from us): "no staff reply for
30 minutes" and "no customer reply for 30 days" (whose look reaches back 30 days and 12 hours),
against CONVERSATIONS / 100 conversations in the same run.

Then how late a due wait fires: 20 runs waiting, their waits ending a second apart, with one
worker process's threads (the app's default) polling the queue: the delay from each wait's end
to the run going on, against the delay of a job queued now (the baseline: the queue itself).
Last, how late a schedule fires: a daily rule at the next whole minute (at least 30 s ahead)
for a segment of 50 contacts, the same worker threads polling: the delay from that minute to
each contact's run done.

    bench/automations.py                                   # 200 rules, temporary SQLite
    bench/automations.py --database postgresql://postgres@127.0.0.1:5432/bench_automations
Runs with the clone's .venv (see the first line); by hand, not part of the test suite. The
database given is emptied first.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MESSAGES = [
    "Hi, how much are the safety boots?",
    "Do you deliver to Thika",
    "asante sana",
    "بكم هذا الحذاء؟",
    "order #١٢٣ status please",
    "I want size 42 in black",
    "STOP",
    "Is the shop open on Sunday?",
    "Can I pay with M-Pesa",
    "ok thanks 👍",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=200, help="rule runs timed end to end")
    parser.add_argument("--contacts", type=int, default=100_000, help="for the birthday sweep")
    parser.add_argument("--conversations", type=int, default=20_000, help="for the idle sweep")
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aisha-bench-") as scratch:
        bench(args, args.database or f"sqlite:///{scratch}/bench.db")


def rule_bodies(count: int) -> list[dict]:
    rng = random.Random(7)
    words = ["price", "deliver", "open", "size", "mpesa", "refund", "order", "menu", "boots", "hours"]
    bodies = []
    for i in range(count):
        kind = i % 5
        if kind in (0, 1):
            trigger = {
                "type": "keyword",
                "keywords": [f"{rng.choice(words)}{i}", rng.choice(words)],
                "match": "word",
            }
        elif kind == 2:
            trigger = {"type": "keyword", "keywords": [f"xyz{i}", "بكم"], "match": "contains"}
        elif kind == 3:
            trigger = {
                "type": "keyword",
                "keywords": [rf"^order\s*#?{i}\d*$", r"refund\s+\d+"],
                "match": "regex",
            }
        else:
            trigger = rng.choice([{"type": "message_received"}, {"type": "tag_added", "tag": "vip"}])
        bodies.append(
            {
                "name": f"Rule {i}",
                "trigger": trigger,
                "conditions": {"all": [{"field": "contact.language", "op": "equals", "value": "xx"}]},
                "actions": [{"type": "add_tag", "tag": f"t{i % 7}"}],
            }
        )
    return bodies


def bench(args: argparse.Namespace, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("ENVIRONMENT", "test")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789-abcdefghij")

    import sqlalchemy as sa
    from sqlmodel import Session

    from aisha_app import migrations
    from aisha_app.actions.automations import create_rule
    from aisha_app.automations import engine as runner
    from aisha_app.automations.rules import RuleIn
    from aisha_app.automations.triggers import TriggerEvent, emit
    from aisha_app.db import commit, get_engine
    from aisha_app.models import Automation, Contact, Conversation, Role, User

    db = get_engine()
    if db.dialect.name == "postgresql":
        with db.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrations.upgrade()

    with Session(db, expire_on_commit=False) as session:
        admin = User(email="bench@shop.test", name="Bench", role=Role.ADMIN, hashed_password="x")
        contact = Contact(name="Bench customer", phone_e164="+254700000001")
        session.add_all([admin, contact])
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="simulator")
        session.add(conversation)
        commit(session)

    def per_message(label: str) -> list[float]:
        times = []
        with Session(db, expire_on_commit=False) as session:
            for i in range(args.messages):
                event = TriggerEvent(
                    "message_received",
                    f"bench:{label}:{i}",
                    contact_id=contact.id,
                    conversation_id=conversation.id,
                    data={"body": MESSAGES[i % len(MESSAGES)]},
                )
                start = time.perf_counter()
                emit(session, [event])
                times.append((time.perf_counter() - start) * 1000)
            session.rollback()  # the jobs queued for matches
        return times

    per_message("warm")
    baseline = per_message("none")
    with Session(db, expire_on_commit=False) as session:
        for body in rule_bodies(args.rules):
            create_rule(session, RuleIn.model_validate(body), admin)
        commit(session)
    per_message("warm-rules")
    loaded = per_message("rules")

    run_times = []
    with Session(db, expire_on_commit=False) as session:
        rule = session.get(Automation, 1)
        rule.conditions = {}
        commit(session)
        for i in range(args.runs):
            event = TriggerEvent(
                "message_received", f"run:{i}", contact_id=contact.id, conversation_id=conversation.id
            )
            start = time.perf_counter()
            runner.run_rule(session, rule, event)
            commit(session)
            run_times.append((time.perf_counter() - start) * 1000)

    def row(name: str, times: list[float]) -> str:
        cut = sorted(times)
        return f"{name:<34} {statistics.median(cut):8.3f} {cut[int(len(cut) * 0.95)]:8.3f} {cut[-1]:8.3f}"

    print(f"{db.dialect.name}: {args.messages} messages, {args.rules} active rules (ms)")
    print(f"{'':<34} {'median':>8} {'p95':>8} {'max':>8}")
    print(row("a message, no rules (baseline)", baseline))
    print(row(f"a message, {args.rules} rules", loaded))
    print(f"{'ratio of medians':<34} {statistics.median(loaded) / statistics.median(baseline):8.2f}")
    print(row("one rule run, end to end", run_times))
    birthdays(args, db, admin)
    idle(args, db, admin)
    waits(db, admin, contact, conversation)
    scheduled(db, admin)


ZONES = ["Africa/Nairobi", "Africa/Cairo", "Asia/Kolkata", "Europe/London", "America/New_York", None]


def birthdays(args: argparse.Namespace, db, admin) -> None:
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    from sqlmodel import Session

    from aisha_app.actions.automations import create_rule
    from aisha_app.automations import timed
    from aisha_app.automations.rules import RuleIn
    from aisha_app.db import commit
    from aisha_app.models import Contact

    rng = random.Random(11)
    day0 = datetime(2027, 6, 15, tzinfo=UTC)

    def add_contacts(count: int, first: int) -> None:
        rows = []
        for i in range(first, first + count):
            birthday = datetime(2027, 1, 1) + timedelta(days=rng.randrange(365))
            rows.append(
                {
                    "name": f"Customer {i}",
                    "phone_e164": f"+2558{i:08d}",
                    "birthday_month": birthday.month,
                    "birthday_day": birthday.day,
                    "timezone": rng.choice(ZONES),
                    "tags": [],
                    "attributes": {},
                    "source_details": {},
                }
            )
        with Session(db) as session:
            for start in range(0, len(rows), 5000):
                session.execute(sa.insert(Contact), rows[start : start + 5000])
            commit(session)

    def sweep_times(rule_id: int) -> tuple[list[float], float, int]:
        quarter, whole, greeted = [], 0.0, 0
        with Session(db, expire_on_commit=False) as session:
            rule = session.get(timed.Automation, rule_id)
            for step in range(96):
                since = day0 + timedelta(minutes=15 * step)
                start = time.perf_counter()
                queued, _ = timed.fire(session, rule, since, since + timedelta(minutes=15))
                quarter.append((time.perf_counter() - start) * 1000)
                greeted += queued
                session.rollback()
            start = time.perf_counter()
            timed.fire(session, rule, day0, day0 + timedelta(days=1))
            whole = (time.perf_counter() - start) * 1000
            session.rollback()
        return quarter, whole, greeted

    with Session(db, expire_on_commit=False) as session:
        body = {
            "name": "Birthday",
            "trigger": {"type": "birthday"},
            "actions": [{"type": "add_tag", "tag": "b"}],
        }
        rule_id = create_rule(session, RuleIn.model_validate(body), admin).id
        commit(session)
    small = args.contacts // 100
    add_contacts(small, 1_000_000)
    base_quarter, base_whole, base_greeted = sweep_times(rule_id)
    add_contacts(args.contacts - small, 0)
    quarter, whole, greeted = sweep_times(rule_id)
    print(f"\nbirthday sweep, {db.dialect.name} (ms): a day as 96 quarter-hour sweeps, and in one sweep")
    print(f"{'':<34} {'median':>8} {'max':>8} {'day':>8} {'greeted':>8}")
    for label, q, w, g in (
        (f"{small:,} contacts (baseline)", base_quarter, base_whole, base_greeted),
        (f"{args.contacts:,} contacts", quarter, whole, greeted),
    ):
        print(f"{label:<34} {statistics.median(q):8.2f} {max(q):8.2f} {w:8.1f} {g:8d}")
    print(f"{'ratio, the day in one sweep':<34} {whole / base_whole:8.2f}")


def idle(args: argparse.Namespace, db, admin) -> None:
    from datetime import timedelta

    import sqlalchemy as sa
    from sqlmodel import Session, col, select

    from aisha_app.actions.automations import create_rule
    from aisha_app.automations import timed
    from aisha_app.automations.rules import RuleIn
    from aisha_app.db import commit
    from aisha_app.models import Contact, Conversation, Message
    from aisha_app.models.base import utcnow

    rng = random.Random(13)
    now = utcnow()

    def add_conversations(count: int, offset: int) -> None:
        with Session(db) as session:
            people = session.exec(select(Contact.id).order_by(Contact.id).offset(offset).limit(count)).all()
            rows = []
            for contact_id in people:
                last = now - timedelta(minutes=rng.randrange(40 * 24 * 60))
                rows.append(
                    {
                        "contact_id": contact_id,
                        "channel": "whatsapp_cloud",
                        "status": "open",
                        "last_message_at": last,
                        "last_inbound_at": last,
                        "labels": [],
                        "created_at": last,
                        "updated_at": last,
                    }
                )
            session.execute(sa.insert(Conversation), rows)
            made = session.exec(
                select(Conversation.id, Conversation.last_message_at).where(
                    col(Conversation.contact_id).in_(people)
                )
            ).all()
            messages = []
            for conversation_id, last in made:
                if last is None:  # the first benches' own conversation
                    continue
                sides = ["inbound", "outbound", "inbound"] + (["outbound"] if rng.random() < 0.5 else [])
                for back, side in enumerate(reversed(sides)):
                    messages.append(
                        {
                            "conversation_id": conversation_id,
                            "channel": "whatsapp_cloud",
                            "direction": side,
                            "type": "text",
                            "body": "hello",
                            "status": "sent",
                            "meta": {},
                            "created_at": last - timedelta(minutes=5 * back),
                        }
                    )
            for start in range(0, len(messages), 5000):
                session.execute(sa.insert(Message), messages[start : start + 5000])
            commit(session)

    rules = {}
    with Session(db, expire_on_commit=False) as session:
        for label, trigger in (
            ("no staff reply, 30 min", {"type": "idle", "minutes": 30, "waiting_for": "staff"}),
            (
                "no customer reply, 30 days",
                {"type": "idle", "minutes": 30 * 24 * 60, "waiting_for": "customer"},
            ),
        ):
            body = {"name": label, "trigger": trigger, "actions": [{"type": "add_tag", "tag": "idle"}]}
            rules[label] = create_rule(session, RuleIn.model_validate(body), admin).id
        commit(session)

    def looks() -> dict[str, tuple[float, int]]:
        out = {}
        with Session(db, expire_on_commit=False) as session:
            for label, rule_id in rules.items():
                rule, times, queued = session.get(timed.Automation, rule_id), [], 0
                for _ in range(5):
                    start = time.perf_counter()
                    queued, _ = timed.fire(session, rule, now - timedelta(minutes=1), now)
                    times.append((time.perf_counter() - start) * 1000)
                    session.rollback()
                out[label] = (statistics.median(times), queued)
        return out

    small = args.conversations // 100
    add_conversations(small, 0)
    base = looks()
    add_conversations(args.conversations - small, small)
    full = looks()
    print(f"\nidle rules' look, {db.dialect.name} (ms, median of 5; queued: what one look found due)")
    print(f"{'':<34} {f'{small:,}':>10} {f'{args.conversations:,}':>10} {'ratio':>8} {'queued':>8}")
    for label in rules:
        print(
            f"{label:<34} {base[label][0]:10.1f} {full[label][0]:10.1f} "
            f"{full[label][0] / base[label][0]:8.1f} {full[label][1]:8d}"
        )


def waits(db, admin, contact, conversation) -> None:
    import threading
    from datetime import timedelta

    import sqlalchemy as sa
    from sqlmodel import Session, select

    from aisha_app.actions.automations import create_rule
    from aisha_app.automations import engine as runner
    from aisha_app.automations.rules import RuleIn
    from aisha_app.automations.triggers import TriggerEvent
    from aisha_app.background import jobs
    from aisha_app.background.worker import start_threads
    from aisha_app.db import commit
    from aisha_app.models import AutomationRun, Job, RunStatus
    from aisha_app.models.base import utcnow

    with Session(db, expire_on_commit=False) as session:
        body = {"name": "Wait", "trigger": {"type": "message_received"}}
        body["actions"] = [{"type": "wait", "minutes": 10}, {"type": "add_tag", "tag": "waited"}]
        rule = create_rule(session, RuleIn.model_validate(body), admin)
        commit(session)
        ends = {}
        for i in range(20):
            event = TriggerEvent(
                "message_received", f"wait:{i}", contact_id=contact.id, conversation_id=conversation.id
            )
            run = runner.run_rule(session, rule, event)
            commit(session)
            ends[run.id] = utcnow() + timedelta(seconds=2 + i)
            session.execute(
                sa.update(Job)
                .where(Job.kind == "automation_resume", Job.payload["run"].as_integer() == run.id)
                .values(run_after=ends[run.id])
            )
            commit(session)
    stop = threading.Event()
    threads = start_threads(2, stop)
    lags: list[float] = []
    try:
        deadline = time.monotonic() + 60
        while len(lags) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
            with Session(db) as session:
                done = session.exec(
                    select(AutomationRun.id, AutomationRun.finished_at).where(
                        AutomationRun.automation_id == rule.id, AutomationRun.status != RunStatus.WAITING
                    )
                ).all()
            lags = [(finished - ends[run_id]).total_seconds() for run_id, finished in done]
        baseline = []
        for _ in range(10):
            with Session(db) as session:
                job = jobs.enqueue(session, "no_such_kind_bench", {})
                commit(session)
                queued_at, job_id = utcnow(), job.id
            while True:
                time.sleep(0.01)
                with Session(db) as session:
                    finished = session.get(Job, job_id).finished_at
                if finished is not None:
                    baseline.append((finished - queued_at).total_seconds())
                    break
    finally:
        stop.set()
        jobs.WAKE.set()
        for thread in threads:
            thread.join(timeout=10)
    print(f"\na due wait, {db.dialect.name} (s from its end to the run going on), {len(lags)} of 20")
    print(f"{'':<34} {'median':>8} {'max':>8}")
    print(f"{'a job queued now (baseline)':<34} {statistics.median(baseline):8.3f} {max(baseline):8.3f}")
    print(f"{'a wait that ends':<34} {statistics.median(lags):8.3f} {max(lags):8.3f}")


def scheduled(db, admin) -> None:
    import threading
    from datetime import datetime, timedelta

    import sqlalchemy as sa
    from sqlmodel import Session, col, select

    from aisha_app.actions.automations import create_rule
    from aisha_app.actions.segments import SegmentIn, create_segment
    from aisha_app.automations.rules import RuleIn
    from aisha_app.background import jobs
    from aisha_app.background.worker import start_threads
    from aisha_app.clock import shop_zone
    from aisha_app.db import commit
    from aisha_app.models import AutomationRun, Contact, RunStatus
    from aisha_app.models.base import utcnow

    with Session(db, expire_on_commit=False) as session:
        chosen = session.exec(select(Contact.id).order_by(Contact.id).limit(50)).all()
        session.execute(sa.update(Contact).where(col(Contact.id).in_(chosen)).values(tags=["scheduled"]))
        segment = create_segment(
            session, SegmentIn(name="Scheduled", filters={"tags_all": ["scheduled"]}), admin
        )
        zone = shop_zone(session)
        moment = (utcnow() + timedelta(seconds=90)).replace(second=0, microsecond=0)
        local = moment.astimezone(zone)
        trigger = {"type": "schedule", "every": "day", "at": f"{local:%H:%M}", "segment": segment.id}
        body = {"name": "Daily", "trigger": trigger, "actions": [{"type": "add_tag", "tag": "daily"}]}
        rule = create_rule(session, RuleIn.model_validate(body), admin)
        commit(session)
    stop = threading.Event()
    threads = start_threads(2, stop)
    lags: list[float] = []
    try:
        deadline = moment + timedelta(seconds=60)
        while len(lags) < 50 and utcnow() < deadline:
            time.sleep(0.1)
            with Session(db) as session:
                done = session.exec(
                    select(AutomationRun.finished_at).where(
                        AutomationRun.automation_id == rule.id, AutomationRun.status == RunStatus.SUCCEEDED
                    )
                ).all()
            lags = [(finished - moment).total_seconds() for finished in done]
    finally:
        stop.set()
        jobs.WAKE.set()
        for thread in threads:
            thread.join(timeout=10)
    print(
        f"\na schedule, {db.dialect.name} (s from its minute, {datetime.isoformat(moment)}, to each run done)"
    )
    print(f"{'':<34} {'first':>8} {'median':>8} {'last':>8} {'runs':>8}")
    if lags:
        median = statistics.median(lags)
        print(f"{'daily, 50 contacts':<34} {min(lags):8.3f} {median:8.3f} {max(lags):8.3f} {len(lags):8d}")
    else:
        print(f"{'daily, 50 contacts':<34} none ran within a minute")


if __name__ == "__main__":
    main()
