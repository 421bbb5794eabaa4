"""The simulator's storing path and what the customer sees (the open demo: test_simulator_public)."""

from sqlmodel import select

from aisha_app.actions.ingest import receive_simulated
from aisha_app.actions.media import media_path
from aisha_app.models import Conversation, Message


def test_a_simulated_picture_is_stored_and_served_as_the_messages_media(session):
    message_id = receive_simulated(
        session, "+254733444555", "Baraka", None, media=(b"png bytes", "image/png")
    )
    session.commit()  # the picture is written once its message is committed
    message = session.get(Message, message_id)
    assert (message.type, message.media_url, message.media_content_type) == (
        "image",
        f"/media/{message_id}",
        "image/png",
    )
    assert media_path(message_id).read_bytes() == b"png bytes"


def test_a_tapped_button_arrives_as_an_interactive_reply(session):
    message_id = receive_simulated(session, "+254733444555", "Baraka", "Join the list", reply_id="join")
    message = session.get(Message, message_id)
    assert (message.type, message.body, message.meta["reply_id"]) == ("interactive", "Join the list", "join")
    assert session.exec(select(Conversation)).one().channel == "simulator"


def test_staff_notes_never_reach_the_customers_simulator_view(session, world):
    from aisha_app.actions.inbound import mark_read_by_customer
    from aisha_app.actions.outbound import Draft, send_message
    from aisha_app.queries.inbox import thread_view

    receive_simulated(session, "+254733444555", "Baraka", "Do you have boots in size 44?")
    conversation = session.exec(select(Conversation)).one()
    note = Draft(text="Owes us 2,000 from March", note=True)
    send_message(session, conversation.id, note, sender=world.agent)
    send_message(session, conversation.id, Draft(text="Yes, we do."), sender=world.agent)

    customer_sees = [m["body"] for m in thread_view(session, conversation.id, for_staff=False)]
    assert customer_sees == ["Do you have boots in size 44?", "Yes, we do."]
    assert "Owes us 2,000 from March" in [m["body"] for m in thread_view(session, conversation.id)]

    mark_read_by_customer(session, conversation.id)  # the simulated phone showed its thread
    note = session.exec(select(Message).where(Message.type == "note")).one()
    session.refresh(note)
    assert (note.status, note.read_at) == ("sent", None)  # nobody outside the staff read it
