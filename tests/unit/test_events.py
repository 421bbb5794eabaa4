"""Every live-update event kind is published after its transaction commits, never after a rollback."""

from aisha_app.actions.contacts import update_contact
from aisha_app.actions.conversations import update_conversation
from aisha_app.actions.outbound import Draft, send_message
from aisha_app.models import Channel, ContactUpdate, Conversation, ConversationUpdate
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from tests.unit.support import PROVIDER_ENV, payload, post_meta, run_jobs


def kinds(heard) -> list[str]:
    return [e.kind for e in heard]


def test_an_inbound_message_publishes_message_created_and_conversation_updated(client, heard):
    post_meta(
        client, "/webhooks/whatsapp", payload("whatsapp_cloud", "text"), PROVIDER_ENV["WHATSAPP_APP_SECRET"]
    )
    assert kinds(heard) == [events.MESSAGE_CREATED, events.CONVERSATION_UPDATED]
    assert heard[0].data["message_id"] and heard[0].data["conversation_id"]


def test_a_send_publishes_message_status(session, world, stub, heard):
    conversation = Conversation(
        contact_id=world.contacts[0].id, channel=Channel.WHATSAPP_CLOUD, last_inbound_at=utcnow()
    )
    session.add(conversation)
    session.commit()
    send_message(session, conversation.id, Draft(text="hi"), sender=world.agent)
    session.commit()
    heard.clear()
    run_jobs()
    assert kinds(heard) == [events.MESSAGE_STATUS]
    assert heard[0].data["status"] == "queued"


def test_media_downloaded_publishes_message_updated(client, stub, heard):
    stub.media["1003383421387256"] = (b"jpeg", "image/jpeg")
    post_meta(
        client, "/webhooks/whatsapp", payload("whatsapp_cloud", "image"), PROVIDER_ENV["WHATSAPP_APP_SECRET"]
    )
    heard.clear()
    run_jobs()
    assert kinds(heard) == [events.MESSAGE_UPDATED]


def test_conversation_and_contact_updates_are_published(session, world, heard):
    conversation = Conversation(contact_id=world.contacts[0].id, channel=Channel.SIMULATOR)
    session.add(conversation)
    session.commit()
    update_conversation(session, conversation.id, ConversationUpdate(labels=["vip"]), world.agent)
    update_contact(session, world.contacts[0].id, ContactUpdate(name="Wanjiru K."), world.agent)
    assert kinds(heard) == []  # nothing is heard before the edge commits
    session.commit()
    assert kinds(heard) == [events.CONVERSATION_UPDATED, events.CONTACT_UPDATED]


def test_nothing_is_published_for_work_that_rolled_back(session, world, heard):
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=world.contacts[0].id)
    session.rollback()
    session.commit()
    assert heard == []


def test_releasing_a_savepoint_publishes_nothing_before_the_commit(session, world, heard):
    conversation = Conversation(contact_id=world.contacts[0].id, channel=Channel.SIMULATOR)
    session.add(conversation)
    session.commit()
    with session.begin_nested():
        update_conversation(session, conversation.id, ConversationUpdate(labels=["vip"]), world.agent)
    assert kinds(heard) == []  # SQLAlchemy calls a savepoint's release a commit; it is not one
    session.commit()
    assert kinds(heard) == [events.CONVERSATION_UPDATED]
