"""The job queue: one claim per job, backoff, stale reclaim, dead letters, and many workers."""

import subprocess
import sys
from datetime import timedelta

from sqlmodel import Session, select

from aisha_app.actions.outbound import Draft, send_message
from aisha_app.background import jobs
from aisha_app.background.handlers import HANDLERS
from aisha_app.errors import WorkError
from aisha_app.models import Channel, Conversation, Job, Message
from aisha_app.models.base import utcnow
from aisha_app.services.messaging.base import SendError
from tests.unit.support import ROOT, worker_hosts, worker_processes


def test_a_job_is_claimed_by_exactly_one_worker(session, database):
    jobs.enqueue(session, "noop", {})
    session.commit()
    with Session(database) as a, Session(database) as b:
        first = jobs.claim(a, "worker-a")
        second = jobs.claim(b, "worker-b")
    assert first is not None and first.locked_by == "worker-a" and first.attempts == 1
    assert second is None


def test_a_job_is_not_claimed_before_it_is_due(session):
    jobs.enqueue(session, "noop", {}, delay=timedelta(minutes=5))
    session.commit()
    assert jobs.claim(session, "w") is None


def test_a_job_whose_worker_died_is_claimed_again(session, database):
    jobs.enqueue(session, "noop", {})
    session.commit()
    with Session(database) as a:
        jobs.claim(a, "died")
    assert jobs.claim(session, "alive") is None
    assert (
        jobs.claim(session, "alive", now=utcnow() + jobs.STALE_AFTER + timedelta(seconds=1)).locked_by
        == "alive"
    )


def test_backoff_grows_and_is_capped():
    waits = [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 10, 30)]
    assert waits[0] < waits[1] < waits[2] < waits[3]
    assert waits[4] <= jobs.MAX_BACKOFF_SECONDS * 1.2


def test_a_job_of_unknown_kind_is_dead_not_lost(session):
    jobs.enqueue(session, "no-such-kind", {"x": 1})
    session.commit()
    job = jobs.claim(session, "w")
    assert jobs.run_job(session, job) == "dead"
    assert "no handler" in session.get(Job, job.id).last_error


def test_only_dead_jobs_can_be_replayed(session):
    jobs.enqueue(session, "noop", {})
    session.commit()
    job = session.exec(select(Job)).one()
    from aisha_app.errors import Conflict

    try:
        jobs.replay(session, job.id)
    except Conflict:
        pass
    else:
        raise AssertionError("a queued job was replayed")


def test_two_worker_processes_never_send_a_message_twice(session, stub, world, tmp_path):
    """Workers in separate processes share one queue; every message is sent exactly once."""
    conversation = Conversation(
        contact_id=world.contacts[0].id, channel=Channel.WHATSAPP_CLOUD, last_inbound_at=utcnow()
    )
    session.add(conversation)
    session.commit()
    count = 40
    for i in range(count):
        send_message(session, conversation.id, Draft(text=f"message {i}"), sender=world.agent)
    session.commit()

    def sent() -> bool:  # every message accepted by the provider
        session.expire_all()
        return all(m.status == "queued" for m in session.exec(select(Message)).all())

    logs = worker_processes(tmp_path, sent)

    assert {m.status for m in session.exec(select(Message)).all()} == {"queued"}  # all accepted
    bodies = [r.json()["text"]["body"] for r in stub.sends()]
    assert sorted(bodies) == sorted(f"message {i}" for i in range(count))  # each once, none twice
    claimed_by = {j.locked_by for j in session.exec(select(Job)).all()}
    assert claimed_by == {None}  # every job finished and released
    assert all("started" in log for log in logs)
    assert len(worker_hosts(logs)) == 2  # two processes took part


def test_a_worker_process_knows_every_kind_of_job():
    # A worker of its own (python -m aisha_app.background.worker) imports nothing else first.
    script = (
        "from aisha_app.background.worker import Worker\n"
        "from aisha_app.background.handlers import HANDLERS, JobKind\n"
        "Worker()\n"
        "print(sorted(set(JobKind) - set(HANDLERS)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_permanent_error_buries_a_job_at_once_and_any_other_is_retried(session, monkeypatch):
    def refuse(session, job):
        raise SendError("131026", "not a WhatsApp number", permanent=True)

    def stumble(session, job):
        raise WorkError("the provider is slow")

    monkeypatch.setitem(HANDLERS, "test-refuse", refuse)
    monkeypatch.setitem(HANDLERS, "test-stumble", stumble)
    jobs.enqueue(session, "test-refuse", {}, max_attempts=5)
    jobs.enqueue(session, "test-stumble", {}, max_attempts=5)
    session.commit()
    outcomes = {}
    for _ in range(2):
        job = jobs.claim(session, "w")
        outcomes[job.kind] = (jobs.run_job(session, job), session.get(Job, job.id).last_error)
    assert outcomes["test-refuse"] == ("dead", "131026: not a WhatsApp number")
    assert outcomes["test-stumble"] == ("queued", "WorkError: the provider is slow")
