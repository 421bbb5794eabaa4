"""The waiting list: joined from the API, from chat or by staff; positions, calls and no-shows."""

from datetime import timedelta

import pytest
from sqlmodel import select

from aisha_app.actions import waiting_list
from aisha_app.actions.contacts import contact_for_phone
from aisha_app.errors import Conflict, Forbidden
from aisha_app.models import (
    Contact,
    Conversation,
    Job,
    Message,
    MessageTemplate,
    WaitingListEntry,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from tests.unit.support import (
    ADMIN_PASSWORD,
    AGENT_PASSWORD,
    customer_writes,
    login,
    make_due,
    run_jobs,
    sent_to,
)

AMINA, BARAKA, CHEBET = "+254711000001", "+254711000002", "+254711000003"


@pytest.fixture
def staff(client, world):
    return login(client, "agent@shop.test", AGENT_PASSWORD)


def join(client, staff, phone, name="Amina", **extra):
    return client.post(
        "/api/waiting-list/", json={"username": name, "phone_number": phone, **extra}, headers=staff
    )


@pytest.mark.parametrize("written", ["0712345678", "254712345678", "+254712345678", "0712 345 678"])
def test_the_api_accepts_the_phone_formats_customers_write(client, staff, written):
    response = join(client, staff, written, "Wanjiru")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["phone_number"], body["username"], body["position"], body["status"]) == (
        "+254712345678",
        "Wanjiru",
        1,
        "waiting",
    )
    assert set(body) >= {"id", "username", "phone_number", "position", "status", "created_at"}


def test_joining_twice_gives_the_same_place_back(client, staff, session):
    first = join(client, staff, "0712345678").json()
    again = join(client, staff, "+254712345678")
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert len(session.exec(select(WaitingListEntry)).all()) == 1
    assert len(session.exec(select(Contact).where(Contact.phone_e164 == "+254712345678")).all()) == 1


@pytest.mark.parametrize("bad", ["12345", "07123", "+999123456789", "not a number"])
def test_an_invalid_number_is_refused_with_a_clear_error_and_nothing_is_stored(client, staff, session, bad):
    before = len(session.exec(select(Contact)).all())
    response = join(client, staff, bad)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_phone_number"
    assert "country code" in response.json()["error"]["message"]
    assert session.exec(select(WaitingListEntry)).all() == []
    assert len(session.exec(select(Contact)).all()) == before


def test_the_api_needs_a_token(client, world):
    assert client.post("/api/waiting-list/", json={"username": "A", "phone_number": AMINA}).status_code == 401
    assert client.get("/api/waiting-list/1").status_code == 401


def test_positions_move_up_when_someone_ahead_leaves_and_they_are_told(session, client, staff):
    for phone, name in ((AMINA, "Amina"), (BARAKA, "Baraka"), (CHEBET, "Chebet")):
        customer_writes(session, phone, "join", name=name)
    ids = [e["id"] for e in client.get("/api/waiting-list/", headers=staff).json()]
    assert [client.get(f"/api/waiting-list/{i}", headers=staff).json()["position"] for i in ids] == [1, 2, 3]

    customer_writes(session, AMINA, "leave")

    assert sent_to(session, AMINA)[-1] == "You've left the Main waiting list."
    assert [client.get(f"/api/waiting-list/{i}", headers=staff).json()["position"] for i in ids[1:]] == [1, 2]
    assert (
        sent_to(session, BARAKA)[-1] == "Update: you're now number 1 on the Main waiting list (about 5 min)."
    )
    assert (
        sent_to(session, CHEBET)[-1] == "Update: you're now number 2 on the Main waiting list (about 10 min)."
    )


def test_a_customer_joins_checks_and_is_called_from_chat(session, client, staff):
    customer_writes(session, AMINA, "join", name="Amina")
    assert sent_to(session, AMINA) == [
        "You're on the Main waiting list. Your position: 1. Estimated wait: about 5 min. "
        "Reply POSITION to check, LEAVE to leave."
    ]
    reply = session.exec(select(Message).where(Message.direction == "outbound")).one()
    assert [b["id"] for b in reply.meta["buttons"]] == ["wl_position", "wl_leave"]

    customer_writes(session, AMINA, "My position", reply_id="wl_position")
    assert sent_to(session, AMINA)[-1] == "Your position on the Main waiting list: 1 (about 5 min)."

    response = client.post("/api/waiting-list/call-next", headers=staff)
    assert response.json()["status"] == "called"
    run_jobs()
    assert sent_to(session, AMINA)[-1] == "It's your turn! Please come to Main now."


def test_arabic_commands_get_arabic_answers(session):
    customer_writes(session, AMINA, "انضم", name="أمينة")
    assert sent_to(session, AMINA)[-1].startswith("أنت الآن في قائمة انتظار Main. دورك: 1.")
    customer_writes(session, AMINA, "دوري")
    assert sent_to(session, AMINA)[-1] == "دورك في قائمة انتظار Main: 1 (حوالي 5 دقيقة)."


def test_a_called_customer_who_does_not_come_becomes_a_no_show(session, client, staff):
    entry = join(client, staff, AMINA).json()
    client.post(f"/api/waiting-list/{entry['id']}/call", headers=staff)
    job = session.exec(select(Job).where(Job.kind == "waiting_list_no_show")).one()
    assert job.run_after - utcnow() > timedelta(minutes=9)  # ten minutes by default
    make_due(session)
    run_jobs()
    assert client.get(f"/api/waiting-list/{entry['id']}", headers=staff).json()["status"] == "no_show"


def test_a_served_customer_is_not_marked_no_show_later(session, client, staff):
    entry = join(client, staff, AMINA).json()
    client.post(f"/api/waiting-list/{entry['id']}/call", headers=staff)
    assert client.post(f"/api/waiting-list/{entry['id']}/serve", headers=staff).json()["status"] == "served"
    make_due(session)
    run_jobs()
    assert client.get(f"/api/waiting-list/{entry['id']}", headers=staff).json()["status"] == "served"
    again = client.post(f"/api/waiting-list/{entry['id']}/call", headers=staff)
    assert again.status_code == 409 and "served" in again.json()["error"]["message"]


def test_the_estimate_follows_the_recent_serving_rate(session, world):
    main = waiting_list.default_list(session)
    now = utcnow()
    for n, minutes_ago in enumerate((24, 16, 8)):  # one customer every 8 minutes
        contact = contact_for_phone(session, f"+25471100010{n}", None)
        session.add(
            WaitingListEntry(
                waiting_list_id=main.id,
                contact_id=contact.id,
                position=n + 1,
                status="served",
                served_at=now - timedelta(minutes=minutes_ago),
            )
        )
    session.commit()
    joined = waiting_list.join(session, world.contacts[0], tell_customer=False)
    second = waiting_list.join(session, world.contacts[1], tell_customer=False)
    assert (joined.position, joined.minutes, second.position, second.minutes) == (1, 8, 2, 16)


def test_staff_reorder_the_line(session, client, staff):
    ids = [
        join(client, staff, phone, name).json()["id"]
        for phone, name in ((AMINA, "A"), (BARAKA, "B"), (CHEBET, "C"))
    ]
    response = client.put(f"/api/waiting-list/{ids[2]}/position", json={"position": 1}, headers=staff)
    assert response.json()["position"] == 1
    assert [e["id"] for e in client.get("/api/waiting-list/", headers=staff).json()] == [
        ids[2],
        ids[0],
        ids[1],
    ]


def test_lists_are_kept_apart(session, client, staff, world):
    join(client, staff, AMINA)  # the first list, "Main", is made on first use
    admin = login(client, "owner@shop.test", ADMIN_PASSWORD)
    assert (
        client.post("/api/waiting-list/lists", json={"name": "Tailoring"}, headers=staff).status_code == 403
    )
    assert (
        client.post("/api/waiting-list/lists", json={"name": "Tailoring"}, headers=admin).status_code == 201
    )
    tailoring = join(client, staff, BARAKA, "Baraka", list="tailoring").json()
    assert (tailoring["list"], tailoring["position"]) == ("Tailoring", 1)
    names = {
        row["name"]: row["waiting"] for row in client.get("/api/waiting-list/lists", headers=staff).json()
    }
    assert names == {"Main": 1, "Tailoring": 1}
    assert join(client, staff, CHEBET, list="Nowhere").status_code == 404


def test_outside_the_window_the_update_goes_as_the_template_or_staff_are_told(session, client, staff, stub):
    # Joined by API: the customer never wrote, so WhatsApp's 24-hour window is closed.
    join(client, staff, AMINA)
    conversation = session.exec(select(Conversation)).one()
    assert conversation.channel == "whatsapp_cloud"
    (note,) = session.exec(select(Message)).all()
    assert note.type == "note" and "no approved 'aisha_update' template" in note.body

    session.add(
        MessageTemplate(
            name="aisha_update",
            language="en",
            channel="whatsapp_cloud",
            body="{{1}}",
            variables=["update"],
            status="approved",
        )
    )
    session.commit()
    join(client, staff, BARAKA, "Baraka")
    run_jobs()
    template = session.exec(select(Message).where(Message.type == "template")).one()
    assert template.body.startswith("You're on the Main waiting list. Your position: 2.")
    assert stub.sends()[-1].json()["template"]["name"] == "aisha_update"


def test_the_display_link_is_rotated_by_admins_only(session, world):
    main = waiting_list.default_list(session)
    old = main.display_token
    with pytest.raises(Forbidden):
        waiting_list.rotate_display_token(session, main.id, world.agent)
    assert waiting_list.rotate_display_token(session, main.id, world.admin).display_token not in (old, "")


def test_board_changes_are_published(session, world):
    waiting_list.default_list(session)
    session.commit()
    heard = []
    unsubscribe = events.subscribe(heard.append)
    try:
        result = waiting_list.join(session, world.contacts[0], tell_customer=False)
        assert heard == []  # published once the edge commits, never before
        session.commit()
        waiting_list.call(session, result.entry.id, world.agent)
        session.commit()
    finally:
        unsubscribe()
    board = [e for e in heard if e.kind == events.WAITING_LIST_UPDATED]
    assert len(board) == 2 and board[0].data == {"list_id": result.entry.waiting_list_id}


def test_admins_tune_a_list_and_a_closed_list_takes_nobody(session, client, staff, world):
    join(client, staff, AMINA)
    list_id = client.get("/api/waiting-list/lists", headers=staff).json()[0]["id"]
    admin = login(client, "owner@shop.test", ADMIN_PASSWORD)
    change = {
        "minutes_per_customer": 12,
        "notify_on_move": False,
        "no_show_minutes": 3,
        "review_after_serve": False,
    }
    assert client.put(f"/api/waiting-list/lists/{list_id}", json=change, headers=staff).status_code == 403
    saved = client.put(f"/api/waiting-list/lists/{list_id}", json=change, headers=admin).json()
    assert saved["settings"] == change
    assert join(client, staff, BARAKA, "Baraka").json()["estimated_wait_minutes"] == 24

    closed = client.put(
        f"/api/waiting-list/lists/{list_id}", json={**change, "is_active": False}, headers=admin
    )
    assert closed.json()["is_active"] is False
    refused = join(client, staff, CHEBET, "Chebet")
    assert refused.status_code == 409 and "closed" in refused.json()["error"]["message"]
    bad = client.put(f"/api/waiting-list/lists/{list_id}", json={"minutes_per_customer": 0}, headers=admin)
    assert bad.status_code == 422


def test_two_staff_pressing_at_once_cannot_call_the_same_customer_twice(session, world, database):
    from sqlmodel import Session

    first = waiting_list.join(session, world.contacts[0], tell_customer=False).entry
    waiting_list.join(session, world.contacts[1], tell_customer=False)
    session.commit()
    with Session(database, expire_on_commit=False) as other:
        stale = other.get(WaitingListEntry, first.id)  # read before the other desk's click lands
        other.commit()
        waiting_list.call(session, first.id, world.agent)
        session.commit()
        with pytest.raises(Conflict, match="is called; it cannot become called"):
            waiting_list.call(other, stale.id, world.admin)
        # "Call next" at the second desk moves on to the next customer instead.
        assert (
            waiting_list.call_next(other, first.waiting_list_id, world.admin).contact_id
            == world.contacts[1].id
        )
        other.commit()
    assert len(session.exec(select(Job).where(Job.kind == "waiting_list_no_show")).all()) == 2


def test_the_database_holds_one_place_per_customer_and_list(session, world):
    from sqlalchemy.exc import IntegrityError

    entry = waiting_list.join(session, world.contacts[0], tell_customer=False).entry
    session.commit()
    session.add(
        WaitingListEntry(waiting_list_id=entry.waiting_list_id, contact_id=entry.contact_id, position=9)
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    waiting_list.cancel(session, entry.id, world.agent)
    again = waiting_list.join(session, world.contacts[0], tell_customer=False)  # a new visit is a new place
    assert not again.already and again.entry.id != entry.id


@pytest.mark.parametrize("name", ["²", str(10**25), "0", "١٢"])  # the number 10**25 is a 422: test_api_input
def test_an_odd_list_reference_is_not_found_rather_than_an_error(client, staff, name):
    response = join(client, staff, AMINA, list=name)
    assert response.status_code == 404


def test_an_automatic_update_does_not_swallow_the_customers_question(session, world):
    customer_writes(session, AMINA, "join", name="Amina")
    customer_writes(session, BARAKA, "join", name="Baraka")
    from aisha_app.actions.ingest import receive_simulated

    receive_simulated(session, BARAKA, None, "hello")  # asked, not answered yet ...
    first = waiting_list.current_entry(
        session, session.exec(select(Contact).where(Contact.phone_e164 == AMINA)).one().id
    )
    waiting_list.call(session, first.id, world.agent)  # ... when the line moves and Baraka is told
    assert sent_to(session, BARAKA)[-1].startswith("Update: you're now number 1")
    make_due(session)
    run_jobs()
    assert sent_to(session, BARAKA)[-1].startswith("Hello! Welcome to")
