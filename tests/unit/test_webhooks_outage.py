"""A database that is locked or away: webhooks answer 503 within 5 s and the writer recovers.

The lock is real: another connection holds SQLite's write lock (``BEGIN EXCLUSIVE``) or an
``ACCESS EXCLUSIVE`` lock on a table the writer writes on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlmodel import select

from aisha_app.background.writer import WRITER
from aisha_app.models import Message
from tests.unit.support import PROVIDER_ENV, post_meta, post_twilio
from tests.unit.test_ingest import wa_body

SECRET = PROVIDER_ENV["WHATSAPP_APP_SECRET"]
DEADLINE = 5.0


@contextlib.contextmanager
def locked(database: sa.Engine, table: str = "messages") -> Iterator[None]:
    """Another connection holds the lock the writer needs, until the block ends."""
    if database.dialect.name == "sqlite":
        other = sqlite3.connect(database.url.database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
    else:
        with database.connect() as other:
            other.execute(sa.text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                other.rollback()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _warm_writer(client) -> None:
    """One webhook through, so the writer thread exists before the outage."""
    assert post_meta(client, "/webhooks/whatsapp", wa_body(9999, 99), SECRET).status_code == 200


def _stored(session, provider_id: str) -> int:
    session.expire_all()
    return len(session.exec(select(Message).where(Message.provider_message_id == provider_id)).all())


@pytest.mark.parametrize("table", ["messages", "contacts", "jobs", "webhook_events"])
def test_a_locked_database_answers_503_in_time_and_the_providers_retry_is_stored_once(
    client, session, database, table
):
    if table != "messages" and database.dialect.name == "sqlite":
        pytest.skip("SQLite locks the whole database")
    _warm_writer(client)
    thread = WRITER.thread
    body = wa_body(1, 1)

    with locked(database, table):
        response, took = _timed(lambda: post_meta(client, "/webhooks/whatsapp", body, SECRET))
        assert response.status_code == 503, response.text
        assert took < DEADLINE
        assert WRITER.thread is thread and thread.is_alive()

    retry = post_meta(client, "/webhooks/whatsapp", body, SECRET)  # the provider tries again
    assert retry.status_code == 200, retry.text
    assert _stored(session, "wamid.batch.1") == 1
    later = post_meta(client, "/webhooks/whatsapp", wa_body(2, 1), SECRET)
    assert later.status_code == 200
    assert _stored(session, "wamid.batch.2") == 1
    assert WRITER.thread is thread and thread.is_alive()


def test_a_locked_database_answers_twilio_503_in_time(client, session, database):
    from tests.unit.support import payload

    _warm_writer(client)
    form = payload("twilio", "text")
    with locked(database):
        response, took = _timed(lambda: post_twilio(client, "/webhooks/twilio", form))
    assert (response.status_code, took < DEADLINE) == (503, True)
    assert post_twilio(client, "/webhooks/twilio", form).status_code == 200
    assert _stored(session, form["MessageSid"]) == 1


def test_during_an_outage_every_webhook_answered_200_is_stored_and_retries_store_the_rest_once(
    client, session, database
):
    _warm_writer(client)
    bodies = [wa_body(i, i % 5) for i in range(40)]

    def send(body):
        return _timed(lambda: post_meta(client, "/webhooks/whatsapp", body, SECRET))

    with ThreadPoolExecutor(max_workers=8) as pool:
        before = [pool.submit(send, b) for b in bodies[:10]]
        time.sleep(0.3)
        with locked(database):
            during = [pool.submit(send, b) for b in bodies[10:30]]
            time.sleep(3.0)  # longer than the writer waits for a lock
        after = [pool.submit(send, b) for b in bodies[30:]]  # some of "during" are still waiting
        answers = [f.result() for f in before + during + after]

    assert all(took < DEADLINE for _, took in answers)
    codes = [r.status_code for r, _ in answers]
    assert set(codes) <= {200, 503}
    assert 503 in codes
    for i, code in enumerate(codes):
        if code == 200:  # acknowledged: it must be there
            assert _stored(session, f"wamid.batch.{i}") == 1
    for i, code in enumerate(codes):
        if code == 503:
            assert post_meta(client, "/webhooks/whatsapp", bodies[i], SECRET).status_code == 200
    assert all(_stored(session, f"wamid.batch.{i}") == 1 for i in range(40))
    assert WRITER.thread.is_alive()
