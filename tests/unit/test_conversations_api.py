"""The inbox's REST API: listing, filtering, searching, updating, and sending to a phone number."""

import pytest
from sqlmodel import select

from aisha_app.models import Contact, Conversation, Message
from tests.unit.support import AGENT_PASSWORD, PROVIDER_ENV, login, payload, post_meta, post_twilio, run_jobs

WA_SECRET = PROVIDER_ENV["WHATSAPP_APP_SECRET"]


@pytest.fixture
def inbox(client, world):
    """Two customers have written: one on WhatsApp Cloud, one on Twilio."""
    post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "text"), WA_SECRET)
    post_twilio(client, "/webhooks/twilio", payload("twilio", "text"))
    return login(client, "agent@shop.test", AGENT_PASSWORD)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["contact"]["name"] for c in response.json()["items"]]


def test_a_known_customer_writing_on_whatsapp_is_found_by_phone(client, inbox, session, world):
    # The world's Wanjiru has +254712345678; the webhook's sender (wa_id 254712345678) is her.
    assert len(session.exec(select(Contact).where(Contact.phone_e164 == "+254712345678")).all()) == 1
    assert session.get(Contact, world.contacts[0].id).name == "Wanjiru"


def test_lists_conversations_newest_first_with_their_last_message(client, inbox):
    body = client.get("/api/conversations", headers=inbox).json()
    assert body["total"] == 2
    assert [c["contact"]["name"] for c in body["items"]] == ["Otieno", "Wanjiru"]
    assert body["items"][0]["last_message"] == "Do you embroider logos?"
    assert body["items"][0]["window_open"] is True


def test_filters_by_channel_status_and_search(client, inbox, session):
    assert ids(client.get("/api/conversations?channel=twilio_whatsapp", headers=inbox)) == ["Otieno"]
    assert ids(client.get("/api/conversations?q=colour", headers=inbox)) == ["Wanjiru"]  # message text
    assert ids(client.get("/api/conversations?q=otie", headers=inbox)) == ["Otieno"]  # name
    assert ids(client.get("/api/conversations?q=%2B2547123", headers=inbox)) == ["Wanjiru"]  # phone
    conversation = session.exec(select(Conversation).where(Conversation.channel == "twilio_whatsapp")).one()
    client.patch(f"/api/conversations/{conversation.id}", json={"status": "resolved"}, headers=inbox)
    assert ids(client.get("/api/conversations?status=open", headers=inbox)) == ["Wanjiru"]
    assert ids(client.get("/api/conversations?status=resolved", headers=inbox)) == ["Otieno"]


def test_mine_unassigned_and_label_filters(client, inbox, session, world):
    conversation = session.exec(select(Conversation).where(Conversation.channel == "whatsapp_cloud")).one()
    response = client.patch(
        f"/api/conversations/{conversation.id}",
        json={"assignee_id": world.agent.id, "labels": ["vip", "boots"]},
        headers=inbox,
    )
    assert response.json()["labels"] == ["boots", "vip"]
    assert ids(client.get("/api/conversations?assignee=me", headers=inbox)) == ["Wanjiru"]
    assert ids(client.get("/api/conversations?assignee=unassigned", headers=inbox)) == ["Otieno"]
    assert ids(client.get("/api/conversations?label=vip", headers=inbox)) == ["Wanjiru"]
    assert client.get("/api/conversations?assignee=someone", headers=inbox).status_code == 400
    client.patch(f"/api/contacts/{conversation.contact_id}", json={"tags": ["wholesale"]}, headers=inbox)
    assert ids(client.get("/api/conversations?tag=wholesale", headers=inbox)) == ["Wanjiru"]  # the contact's
    assert ids(client.get("/api/conversations?tag=wholesale&label=boots", headers=inbox)) == ["Wanjiru"]
    assert ids(client.get("/api/conversations?tag=retail", headers=inbox)) == []


def test_paging(client, inbox):
    first = client.get("/api/conversations?limit=1", headers=inbox).json()
    second = client.get("/api/conversations?limit=1&offset=1", headers=inbox).json()
    assert first["total"] == second["total"] == 2
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_turning_the_assistant_off_hands_over_and_resolving_turns_it_back_on(client, inbox, session):
    conversation = session.exec(select(Conversation)).first()
    off = client.patch(f"/api/conversations/{conversation.id}", json={"ai_enabled": False}, headers=inbox)
    assert off.json()["ai_enabled"] is False
    resolved = client.patch(
        f"/api/conversations/{conversation.id}", json={"status": "resolved"}, headers=inbox
    )
    assert resolved.json()["ai_enabled"] is True


def test_messages_of_a_conversation_in_order(client, inbox, session):
    conversation = session.exec(select(Conversation).where(Conversation.channel == "whatsapp_cloud")).one()
    client.post(
        f"/api/conversations/{conversation.id}/messages", json={"text": "Navy and black"}, headers=inbox
    )
    messages = client.get(f"/api/conversations/{conversation.id}/messages", headers=inbox).json()
    assert [(m["direction"], m["body"]) for m in messages] == [
        ("inbound", "Does it come in another colour?"),
        ("outbound", "Navy and black"),
    ]
    assert client.get("/api/conversations/9999/messages", headers=inbox).status_code == 404


@pytest.mark.parametrize("to", ["0712345678", "254712345678", "+254712345678"])
def test_send_to_a_phone_number_in_any_common_format_reaches_one_contact(client, inbox, session, stub, to):
    response = client.post(
        "/api/messages",
        json={"to": to, "channel": "whatsapp_cloud", "text": "Your order shipped"},
        headers=inbox,
    )
    assert response.status_code == 201, response.text
    assert len(session.exec(select(Contact).where(Contact.phone_e164 == "+254712345678")).all()) == 1
    run_jobs()
    assert stub.sends()[0].json()["to"] == "254712345678"


def test_send_to_an_invalid_number_is_400_with_a_clear_error(client, inbox):
    response = client.post("/api/messages", json={"to": "12345", "text": "hi"}, headers=inbox)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_phone_number"
    assert "country code" in response.json()["error"]["message"]


def test_send_to_a_new_number_needs_a_template(client, inbox, session):
    response = client.post(
        "/api/messages",
        json={"to": "+254700111222", "channel": "whatsapp_cloud", "text": "hi"},
        headers=inbox,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "outside_window"
    assert session.exec(select(Contact).where(Contact.phone_e164 == "+254700111222")).first() is None


def test_labels_match_exactly_whatever_their_characters(client, inbox, session):
    first, second = session.exec(select(Conversation).order_by(Conversation.id)).all()
    client.patch(f"/api/conversations/{first.id}", json={"labels": ["عاجل", "50%_off"]}, headers=inbox)
    client.patch(f"/api/conversations/{second.id}", json={"labels": ["500 off"]}, headers=inbox)
    assert ids(client.get("/api/conversations", params={"label": "عاجل"}, headers=inbox)) == ["Wanjiru"]
    assert ids(client.get("/api/conversations", params={"label": "50%_off"}, headers=inbox)) == ["Wanjiru"]
    assert ids(client.get("/api/conversations", params={"label": "50"}, headers=inbox)) == []


def test_the_label_filter_follows_labels_as_they_change_and_conversations_go(client, inbox, session):
    first, second = session.exec(select(Conversation).order_by(Conversation.id)).all()
    client.patch(f"/api/conversations/{first.id}", json={"labels": ["vip"]}, headers=inbox)
    client.patch(f"/api/conversations/{second.id}", json={"labels": ["vip", "boots"]}, headers=inbox)
    assert sorted(ids(client.get("/api/conversations?label=vip", headers=inbox))) == ["Otieno", "Wanjiru"]
    client.patch(f"/api/conversations/{second.id}", json={"labels": ["boots"]}, headers=inbox)
    assert ids(client.get("/api/conversations?label=vip", headers=inbox)) == ["Wanjiru"]
    assert ids(client.get("/api/conversations?label=boots", headers=inbox)) == ["Otieno"]
    client.patch(f"/api/conversations/{first.id}", json={"labels": []}, headers=inbox)
    assert client.get("/api/conversations?label=vip", headers=inbox).json()["total"] == 0
    contact_id = second.contact_id
    session.delete(session.get(Conversation, second.id))  # gone with its labels: a conversation
    session.commit()  # made after it (on SQLite, maybe with the same id) starts with none
    session.add(Conversation(contact_id=contact_id, channel="simulator"))
    session.commit()
    assert client.get("/api/conversations?label=boots", headers=inbox).json()["total"] == 0


def test_template_variables_numbered_by_name_are_a_clear_422(client, inbox, session):
    conversation = session.exec(select(Conversation)).first()
    response = client.post(
        f"/api/conversations/{conversation.id}/messages",
        json={"template": {"name": "x", "variables": {"1": "a", "name": "b"}}},
        headers=inbox,
    )
    assert response.status_code == 422


def test_buttons_need_an_id_and_a_short_title(client, inbox, session):
    conversation = session.exec(select(Conversation)).first()
    response = client.post(
        f"/api/conversations/{conversation.id}/messages",
        json={"text": "Pick one", "buttons": [{"title": "no id"}]},
        headers=inbox,
    )
    assert response.status_code == 422


def test_ids_too_large_to_exist_are_refused_not_a_500(client, inbox):
    assert client.get(f"/api/conversations/{2**70}/messages", headers=inbox).status_code == 422
    assert client.get(f"/api/conversations?assignee={2**70}", headers=inbox).status_code == 400


def test_message_body_must_say_something(client, inbox, session):
    conversation = session.exec(select(Conversation)).first()
    response = client.post(f"/api/conversations/{conversation.id}/messages", json={}, headers=inbox)
    assert response.status_code == 422
    assert session.exec(select(Message).where(Message.direction == "outbound")).all() == []


def test_contacts_list_search_get_and_edit(client, inbox, session):
    listed = client.get("/api/contacts?q=wanjiru", headers=inbox).json()
    assert listed["total"] == 1
    contact_id = listed["items"][0]["id"]
    edited = client.patch(
        f"/api/contacts/{contact_id}",
        json={"email": "wanjiru@example.org", "tags": ["vip"], "birthday_month": 3, "birthday_day": 14},
        headers=inbox,
    )
    assert edited.status_code == 200
    fetched = client.get(f"/api/contacts/{contact_id}", headers=inbox).json()
    assert (fetched["email"], fetched["tags"], fetched["birthday_month"], fetched["birthday_year"]) == (
        "wanjiru@example.org",
        ["vip"],
        3,
        None,
    )
    assert (
        client.patch(f"/api/contacts/{contact_id}", json={"birthday_month": 13}, headers=inbox).status_code
        == 422
    )
    assert client.get("/api/contacts/9999", headers=inbox).status_code == 404


def test_inbox_routes_need_a_signed_in_user(client, inbox):
    for method, path in [
        ("get", "/api/conversations"),
        ("get", "/api/contacts"),
        ("post", "/api/messages"),
        ("get", "/api/conversations/1/messages"),
    ]:
        assert client.request(method, path, json={}).status_code == 401


def test_active_means_open_and_handed_over(client, inbox, session):
    first, second = session.exec(select(Conversation).order_by(Conversation.id)).all()
    client.patch(f"/api/conversations/{first.id}", json={"status": "pending"}, headers=inbox)
    client.patch(f"/api/conversations/{second.id}", json={"status": "resolved"}, headers=inbox)
    assert ids(client.get("/api/conversations?status=active", headers=inbox)) == ["Wanjiru"]


def test_a_staff_note_is_never_the_lists_preview(client, inbox):
    listed = client.get("/api/conversations", headers=inbox).json()["items"]
    otieno = next(c for c in listed if c["contact"]["name"] == "Otieno")
    note = {"text": "He is a reseller: offer the trade price", "note": True}
    assert (
        client.post(f"/api/conversations/{otieno['id']}/messages", json=note, headers=inbox).status_code
        == 201
    )
    listed = client.get("/api/conversations", headers=inbox).json()["items"]
    assert next(c for c in listed if c["id"] == otieno["id"])["last_message"] == otieno["last_message"]


def test_a_message_without_text_is_previewed_by_its_kind(client, inbox):
    post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "audio"), WA_SECRET)
    listed = client.get("/api/conversations", headers=inbox).json()["items"]
    assert "Voice message" in [c["last_message"] for c in listed]


def test_the_list_pages_by_keyset_cursor_through_ties_and_conversations_without_messages(
    client, world, session
):
    from datetime import timedelta

    from aisha_app.models.base import utcnow

    now = utcnow()
    times = [now, now, now - timedelta(minutes=1), None, now - timedelta(hours=1), now, None]
    for n, at in enumerate(times):
        contact = Contact(name=f"Keyset {n}", phone_e164=f"+2547000000{n:02d}")
        session.add(contact)
        session.flush()
        session.add(Conversation(contact_id=contact.id, channel="simulator", last_message_at=at))
    session.commit()
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    everything = client.get("/api/conversations", headers=headers).json()
    expected = [c["id"] for c in everything["items"]]
    assert len(expected) == len(times)

    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/conversations", params=params, headers=headers).json()
        assert page["total"] == len(times)  # the whole list's, on every page
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected  # every conversation once, in the list's order


@pytest.mark.parametrize("cursor", ["nonsense", "MjAyNi0xMi0wMXw5", "fHgx", "A" * 200])
def test_a_cursor_the_list_did_not_give_out_is_a_400(client, world, cursor):
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.get("/api/conversations", params={"cursor": cursor}, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_cursor"


@pytest.mark.parametrize("typed", ["0712 345 678", "0712345678", "254712345678", "+254712345678", "0712-345"])
def test_a_customer_is_found_by_their_number_however_it_is_typed(client, inbox, typed):
    found = client.get("/api/conversations", params={"q": typed}, headers=inbox)
    assert ids(found) == ["Wanjiru"]
    contacts = client.get("/api/contacts", params={"q": typed}, headers=inbox).json()["items"]
    assert [c["name"] for c in contacts] == ["Wanjiru"]


def test_a_search_of_a_few_digits_or_words_is_not_read_as_a_number(client, inbox):
    assert ids(client.get("/api/conversations", params={"q": "07"}, headers=inbox)) == []
    assert ids(client.get("/api/conversations", params={"q": "embroider"}, headers=inbox)) == ["Otieno"]


def test_a_handed_over_conversation_says_since_when_and_why(client, world, session):
    from aisha_app.actions.ingest import receive_simulated
    from tests.unit.support import make_due

    receive_simulated(session, "+254700555666", "Halima", "Can I speak to a human please")
    session.commit()
    make_due(session)
    run_jobs()
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    [item] = client.get("/api/conversations", params={"status": "pending"}, headers=headers).json()["items"]
    assert item["handoff_reason"] == "The customer asked for a person."
    assert item["waiting_since"] is not None
    resolved = client.patch(f"/api/conversations/{item['id']}", json={"status": "resolved"}, headers=headers)
    assert (resolved.json()["waiting_since"], resolved.json()["handoff_reason"]) == (None, None)
