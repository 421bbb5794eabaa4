"""The simulator opened to anyone: a visitor plays a customer of their own, never a real one.

The page's state is driven as the browser would drive it (its event handlers, the cookie the
browser sends, its tab's token), on the real database.
"""

from __future__ import annotations

import asyncio

import pytest
from reflex.istate.data import HeaderData, RouterData, SessionData
from sqlmodel import select

from aisha_app.actions.app_settings import SIMULATOR_PUBLIC, set_setting
from aisha_app.actions.ingest import receive_simulated
from aisha_app.models import Channel, Contact, Conversation, Message
from aisha_app.security import SESSION_COOKIE
from aisha_app.state.simulator import SimulatorState
from tests.unit.support import AGENT_PASSWORD


@pytest.fixture
def open_to_anyone(session, world):
    set_setting(session, SIMULATOR_PUBLIC, True, world.admin)
    session.commit()


def tab(token: str, cookie: str = "") -> SimulatorState:
    """One browser tab on /simulator, with the cookie it sends (none: a visitor)."""
    state = SimulatorState(_reflex_internal_init=True)
    state.router = RouterData(session=SessionData(client_token=token), headers=HeaderData(cookie=cookie))
    return state


def start(state: SimulatorState, name: str, phone: str) -> None:
    asyncio.run(SimulatorState.start.fn(state, {"name": name, "phone": phone}))  # off the event loop


def say(state: SimulatorState, text: str) -> None:
    SimulatorState.set_draft.fn(state, text)
    asyncio.run(SimulatorState.send.fn(state))


def thread(state: SimulatorState) -> list[str]:
    return [m["body"] for m in state.thread]


def staff_cookie(client) -> str:
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"


def test_a_visitor_who_types_a_customers_number_neither_reads_nor_writes_as_that_customer(
    session, world, open_to_anyone
):
    wanjiru = world.contacts[0]  # added by staff: no WhatsApp conversation yet
    receive_simulated(session, wanjiru.phone_e164, "Wanjiru", "My order number is K-102")
    session.commit()

    visitor = tab("visitor-tab")
    start(visitor, "Mallory", wanjiru.phone_e164)
    assert visitor.error == ""
    assert visitor.customer_phone != wanjiru.phone_e164
    assert "K-102" not in " ".join(thread(visitor))
    say(visitor, "leave")

    session.expire_all()
    written_as_wanjiru = session.exec(
        select(Message.body)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.contact_id == wanjiru.id)
    ).all()
    assert written_as_wanjiru == ["My order number is K-102"]


def test_a_visitor_cannot_take_a_number_that_writes_on_whatsapp(session, world, open_to_anyone):
    amina = world.contacts[1]
    session.add(Conversation(contact_id=amina.id, channel=Channel.WHATSAPP_CLOUD))
    session.commit()
    visitor = tab("visitor-tab")
    start(visitor, "Mallory", amina.phone_e164)
    assert visitor.customer_phone != amina.phone_e164
    assert thread(visitor) == []


def test_two_visitors_never_share_a_conversation_even_with_the_same_number(session, open_to_anyone):
    first, second = tab("tab-1"), tab("tab-2")
    start(first, "Asha", "0799000111")
    say(first, "I live at Moi Avenue 3, door 7")
    start(second, "Mallory", first.customer_phone)
    say(second, "hello")

    assert first.customer_phone != second.customer_phone
    assert "I live at Moi Avenue 3, door 7" not in thread(second)
    assert "hello" not in thread(first)


def test_a_visitors_demo_number_stays_with_their_tab(session, open_to_anyone):
    visitor = tab("tab-1")
    start(visitor, "Asha", "0799000111")
    say(visitor, "Do you sell gloves?")
    number = visitor.customer_phone
    SimulatorState.leave.fn(visitor)
    start(visitor, "Asha", "0799000222")
    assert visitor.customer_phone == number
    assert "Do you sell gloves?" in thread(visitor)
    (contact,) = session.exec(select(Contact).where(Contact.phone_e164 == number)).all()
    assert contact.name == "Asha"


def test_staff_still_play_the_number_they_type(session, world, client):
    staff = tab("staff-tab", staff_cookie(client))
    start(staff, "Wanjiru", "0712345678")
    assert staff.customer_phone == world.contacts[0].phone_e164


def test_a_tab_whose_staff_member_signed_out_cannot_go_on_as_the_customer(
    session, world, client, open_to_anyone
):
    staff = tab("shared-tab", staff_cookie(client))
    start(staff, "Wanjiru", "0712345678")
    say(staff, "first message, from staff")
    staff.router = RouterData(session=SessionData(client_token="shared-tab"))  # the cookie is gone
    say(staff, "written by whoever sits here now")
    assert staff.customer_phone == ""
    assert staff.thread == []
    session.expire_all()
    bodies = session.exec(select(Message.body)).all()
    assert "written by whoever sits here now" not in bodies
