"""The fuzz runs in the unit tests' world (environment, database, provider stub, an admin and an
agent), with a little of everything, so that ids the fuzz tries (1, 2, ...) name real rows."""

from __future__ import annotations

# isort: off
from tests.unit.support import TMP  # the environment, before anything from aisha_app
# isort: on

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis.configuration import set_hypothesis_home_dir
from sqlmodel import Session, SQLModel

from aisha_app.models import (
    Conversation,
    Job,
    JobStatus,
    Message,
    Review,
    WaitingList,
    WaitingListEntry,
)
from aisha_app.models.base import utcnow
from tests.unit.conftest import World, api, client, database, session, world  # noqa: F401

# Hypothesis caches what it learns in .hypothesis/ of the working directory: the tests' own
# temporary directory instead, so a run leaves nothing in the checkout.
set_hypothesis_home_dir(TMP / "hypothesis")


@pytest.fixture(autouse=True)
def clean_tables(database: sa.Engine) -> Iterator[None]:  # noqa: F811 (the unit tests' fixture)
    """As the unit tests', but ids start again at 1 on PostgreSQL too (its sequences do not)."""
    yield
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with database.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def shop(session: Session, world: World) -> World:  # noqa: F811 (the unit tests' fixtures)
    """Conversations with messages (one failed), a waiting list with a customer, a review, a dead job."""
    now = utcnow()
    for contact in world.contacts:
        conversation = Conversation(
            contact_id=contact.id, channel="simulator", last_inbound_at=now, last_message_at=now
        )
        session.add(conversation)
        session.flush()
        session.add_all(
            [
                Message(
                    conversation_id=conversation.id, channel="simulator", direction="inbound", body="Bei?"
                ),
                Message(
                    conversation_id=conversation.id,
                    channel="simulator",
                    direction="outbound",
                    body="KES 4,500",
                    status="failed",
                    failed_at=now,
                ),
            ]
        )
        session.add(
            Review(contact_id=contact.id, conversation_id=conversation.id, rating=4, text="Good boots")
        )
    waiting = WaitingList(name="Main", display_token="fuzz-display-token")
    session.add(waiting)
    session.flush()
    session.add(WaitingListEntry(waiting_list_id=waiting.id, contact_id=world.contacts[0].id, position=1))
    session.add(
        Job(
            kind="send_message",
            payload={"message_id": 2},
            status=JobStatus.DEAD,
            run_after=now - timedelta(1),
        )
    )
    session.commit()
    return world
