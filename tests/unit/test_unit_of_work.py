"""One unit of work per edge: actions flush, the edge commits once, and a rollback undoes it all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from aisha_app.actions.ingest import receive_simulated
from aisha_app.actions.media import media_path
from aisha_app.db import CommitOutsideEdge, unit_of_work
from aisha_app.models import Contact, Message

NOT_A_TEST = "/srv/aisha/aisha_app/actions/somewhere.py"  # any file outside tests/


def test_an_action_that_commits_is_refused_under_test(session, world):
    session.add(Contact(name="Baraka", phone_e164="+254700000001"))
    code = compile("session.commit()", NOT_A_TEST, "exec")
    with pytest.raises(CommitOutsideEdge, match="the edge commits"):
        exec(code, {"__name__": "aisha_app.actions.somewhere", "session": session})  # noqa: S102
    session.rollback()
    assert session.exec(select(Contact).where(Contact.name == "Baraka")).first() is None


def test_an_edge_that_raises_keeps_nothing_even_what_a_savepoint_wrote_first(database, world):
    with pytest.raises(RuntimeError), unit_of_work() as session:
        with session.begin_nested():  # the transaction's first write is inside the savepoint
            session.add(Contact(name="Neema", phone_e164="+254700000002"))
        raise RuntimeError("the request failed after it")
    with Session(database) as other:
        assert other.exec(select(Contact).where(Contact.name == "Neema")).first() is None


def test_a_simulated_picture_reaches_the_disk_only_when_its_message_is_committed(database, world):
    for earlier in media_path(0).parent.glob("*"):  # other tests' pictures, under ids that recur
        if earlier.is_file():
            earlier.unlink()
    with pytest.raises(RuntimeError), unit_of_work() as session:
        message_id = receive_simulated(
            session, "+254700000003", "Zawadi", None, media=(b"jpeg", "image/jpeg")
        )
        raise RuntimeError("the tab's handler failed")
    assert not media_path(message_id).exists()
    with unit_of_work() as session:
        message_id = receive_simulated(
            session, "+254700000003", "Zawadi", None, media=(b"jpeg", "image/jpeg")
        )
        assert not media_path(message_id).exists()  # not before the commit
    assert media_path(message_id).read_bytes() == b"jpeg"
    with Session(database) as other:
        assert other.get(Message, message_id).media_url == f"/media/{message_id}"


def test_the_edge_commits_once_at_its_end(database, world):
    commits = []
    listen = sa.event.listens_for(Session, "after_commit")(lambda s: commits.append(s))
    try:
        with unit_of_work() as session:
            receive_simulated(session, "+254700000004", "Juma", "Habari")
            receive_simulated(session, "+254700000004", "Juma", "Bei ya buti?")
            assert commits == []
    finally:
        sa.event.remove(Session, "after_commit", listen)
    assert len(commits) == 1
