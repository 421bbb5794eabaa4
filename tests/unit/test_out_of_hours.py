"""A customer waiting for staff who writes while the shop is closed hears once when a person will answer."""

from zoneinfo import ZoneInfo

from sqlmodel import select

from aisha_app.actions.app_settings import set_setting
from aisha_app.assistant.profile import DAYS, PROFILE_KEY
from aisha_app.models import Conversation, Message
from aisha_app.models.base import utcnow
from tests.unit.support import customer_writes

PHONE = "+254722333555"
ZONE = "Africa/Nairobi"


def shop_hours(session, admin, *, open_now: bool) -> None:
    """Open all day every day, or open only tomorrow (so closed all of today)."""
    today = utcnow().astimezone(ZoneInfo(ZONE)).weekday()
    hours = {d: ["00:00", "23:59"] for d in DAYS} if open_now else {DAYS[(today + 1) % 7]: ["08:00", "18:00"]}
    set_setting(session, PROFILE_KEY, {"timezone": ZONE, "hours": hours}, admin)
    session.commit()


def said(session) -> list[Message]:
    session.expire_all()
    return list(
        session.exec(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()
    )


def test_a_handoff_while_closed_says_when_and_nothing_more_is_sent(session, world):
    shop_hours(session, world.admin, open_now=False)
    customer_writes(session, PHONE, "I want to talk to a real person", name="Faraji")
    (handoff,) = said(session)
    assert "closed" in handoff.body and handoff.meta["out_of_hours"]
    for text in ("hello?", "are you there?", "please call me"):
        customer_writes(session, PHONE, text, name="Faraji")
    assert len(said(session)) == 1  # the handoff already said when: no reply per message


def test_writing_after_closing_to_a_waiting_conversation_gets_one_acknowledgement(session, world):
    shop_hours(session, world.admin, open_now=True)
    customer_writes(session, PHONE, "I want to talk to a real person", name="Faraji")
    (handoff,) = said(session)
    assert "closed" not in handoff.body and not handoff.meta.get("out_of_hours")

    shop_hours(session, world.admin, open_now=False)  # nobody answered, and the shop closed
    customer_writes(session, PHONE, "Hello? Is anyone there?", name="Faraji")
    handoff_reply, ack = said(session)
    assert ack.meta["out_of_hours"] and ack.from_assistant
    assert ack.body.startswith("Thank you, we have your message. We are closed now")
    assert ack.body.endswith("when we open, tomorrow at 08:00.")
    customer_writes(session, PHONE, "Hello??", name="Faraji")
    assert len(said(session)) == 2  # one acknowledgement, not one per message
    conversation = session.exec(select(Conversation)).one()
    assert (conversation.status, conversation.ai_enabled) == ("pending", False)  # still staff's


def test_while_open_a_waiting_customer_gets_no_automatic_reply(session, world):
    shop_hours(session, world.admin, open_now=True)
    customer_writes(session, PHONE, "I want to talk to a real person", name="Faraji")
    customer_writes(session, PHONE, "hello?", name="Faraji")
    assert len(said(session)) == 1


def test_the_acknowledgement_is_in_the_customers_language(session, world):
    shop_hours(session, world.admin, open_now=True)
    customer_writes(session, PHONE, "I want to talk to a real person", name="Faraji")
    shop_hours(session, world.admin, open_now=False)
    customer_writes(session, PHONE, "Nataka kuongea na mtu, mko wapi?", name="Faraji")
    assert said(session)[-1].body.startswith("Asante, tumepokea ujumbe wako.")
