"""A database error never carries the values of the row: not in the log, not in a stored error.

SQLAlchemy writes a statement's parameters into its exceptions, and PostgreSQL adds the failing
row to its message ("DETAIL: Failing row contains (...)"). Either would put an argon2 hash or an
assistant action's auth header wherever the error is logged, or in ``jobs.last_error``.
"""

from __future__ import annotations

import json
import logging
import traceback
from concurrent.futures import Future

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from aisha_app.actions.ingest import Delivery
from aisha_app.background import jobs
from aisha_app.background.handlers import handler
from aisha_app.background.writer import Writer
from aisha_app.db import describe
from aisha_app.models import AssistantAction, Channel, Job, MessageType, User, WebhookEvent
from aisha_app.security import hash_password
from aisha_app.services.messaging.base import InboundMessage, ParsedWebhook
from tests.unit.support import run_jobs

HASH = hash_password("a password nobody may read")
AUTH_HEADER = "Bearer sk_live_do-not-log-me-0123456789"


def _everything_said(raised: BaseException, caplog) -> str:
    """What any handler could print: the exception with its chain, and every log record."""
    return "".join(traceback.format_exception(raised)) + str(raised) + describe(raised) + caplog.text


@pytest.fixture
def loud(caplog):
    """Every logger at DEBUG, SQLAlchemy's statement log included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    return caplog


def _user(**values) -> User:
    return User(
        **({"email": "owner@shop.test", "name": "Owner", "role": "admin", "hashed_password": HASH} | values)
    )


def _action(**values) -> AssistantAction:
    fields = {
        "name": "check_order",
        "description": "Looks an order up",
        "url": "https://shop.test/orders",
        "auth_header_name": "Authorization",
        "auth_header_value": AUTH_HEADER,
    }
    return AssistantAction(**(fields | values))


ROWS = {
    "a duplicate email beside a password hash": (lambda: _user(), lambda: _user(), HASH),
    "a missing name beside a password hash": (None, lambda: _user(name=None), HASH),
    "a duplicate action name beside an auth header": (lambda: _action(), lambda: _action(), AUTH_HEADER),
    "a missing description beside an auth header": (None, lambda: _action(description=None), AUTH_HEADER),
}


@pytest.mark.parametrize("case", sorted(ROWS))
def test_a_failing_insert_says_nothing_of_the_secret_it_carried(session: Session, loud, case):
    first, second, secret = ROWS[case]
    if first is not None:
        session.add(first())
        session.commit()
    session.add(second())
    with pytest.raises(sa.exc.IntegrityError) as raised:
        session.flush()
    session.rollback()
    assert secret not in _everything_said(raised.value, loud)


@handler("test_store_duplicate_user")
def _store_duplicate_user(session: Session, job: Job) -> None:
    session.add(_user())
    session.flush()


def test_a_job_failing_on_the_database_keeps_no_secret_in_its_error(session: Session, loud):
    session.add(_user())
    jobs.enqueue(session, "test_store_duplicate_user", {}, max_attempts=1)
    session.commit()

    assert run_jobs() == 1

    job = session.exec(select(Job).where(Job.kind == "test_store_duplicate_user")).one()
    session.refresh(job)
    assert job.status == "dead"
    assert "IntegrityError" in job.last_error
    assert HASH not in job.last_error
    assert HASH not in loud.text


def test_a_parked_webhook_keeps_no_values_in_its_error(session: Session, loud):
    """A delivery the database refuses is parked; its error names the failure, not the data."""
    secret = "my M-Pesa PIN is 4321"
    message = InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        provider_message_id="wamid.refused",
        sender="+254711000001",
        type=MessageType.TEXT,
        body={"text": secret},  # a value no column takes: the insert fails
    )
    done: Future = Future()
    Writer()._write(
        [(Delivery("whatsapp_cloud", ParsedWebhook(messages=[message]), json.dumps({}), {}), done)]
    )

    assert done.result(timeout=5) is None  # parked, so acknowledged
    parked = session.exec(select(WebhookEvent).where(WebhookEvent.status == "failed")).one()
    assert parked.error
    assert secret not in parked.error
    assert secret not in loud.text
