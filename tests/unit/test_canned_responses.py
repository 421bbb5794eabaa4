"""Canned responses: admins keep them, staff list them and find them by what they type after /."""

import pytest

from aisha_app.actions.canned import fill
from aisha_app.models import Contact, User
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login

URL = "/api/canned-responses"


@pytest.fixture
def admin(client, world):
    return login(client, "owner@shop.test", ADMIN_PASSWORD)


@pytest.fixture
def agent(client, world):
    return login(client, "agent@shop.test", AGENT_PASSWORD)


def create(client, headers, shortcut: str, text: str):
    return client.post(URL, json={"shortcut": shortcut, "text": text}, headers=headers)


def test_admins_create_edit_and_delete_and_staff_read(client, admin, agent):
    response = create(client, admin, "/Hours", "We open 8 am to 6 pm, {{contact.first_name}}.")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["shortcut"] == "hours"  # the slash and the capital are how people type it

    listed = client.get(URL, headers=agent)
    assert listed.status_code == 200 and [c["shortcut"] for c in listed.json()] == ["hours"]

    changed = client.put(f"{URL}/{created['id']}", json={"shortcut": "hours", "text": "8-18"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["text"] == "8-18"
    assert client.delete(f"{URL}/{created['id']}", headers=admin).status_code == 204
    assert client.get(URL, headers=agent).json() == []
    assert client.delete(f"{URL}/{created['id']}", headers=admin).status_code == 404


def test_agents_cannot_change_them_and_strangers_cannot_read_them(client, admin, agent):
    created = create(client, admin, "thanks", "Asante!").json()
    assert create(client, agent, "mine", "Hi").status_code == 403
    assert (
        client.put(f"{URL}/{created['id']}", json={"shortcut": "x", "text": "y"}, headers=agent).status_code
        == 403
    )
    assert client.delete(f"{URL}/{created['id']}", headers=agent).status_code == 403
    assert client.get(URL).status_code == 401
    assert [c["text"] for c in client.get(URL, headers=agent).json()] == ["Asante!"]


def test_a_taken_shortcut_is_a_409_and_bad_input_a_422_that_stores_nothing(client, admin):
    assert create(client, admin, "thanks", "Asante!").status_code == 201
    taken = create(client, admin, "THANKS", "Thank you!")
    assert taken.status_code == 409 and "/thanks is taken" in taken.json()["error"]["message"]
    for shortcut, text in (("two words", "x"), ("", "x"), ("ok", ""), ("ok", "   "), ("x" * 33, "x")):
        assert create(client, admin, shortcut, text).status_code == 422, (shortcut, text)
    unknown = create(client, admin, "hi", "Hello {{contact.surname}}")
    assert unknown.status_code == 422 and "contact.surname" in unknown.text
    assert [c["shortcut"] for c in client.get(URL, headers=admin).json()] == ["thanks"]


def test_typing_after_the_slash_offers_prefix_matches_first(client, admin, agent):
    for shortcut in ("delivery", "hours", "thanks", "thanks-ar", "no_delivery"):
        assert create(client, admin, shortcut, f"text of {shortcut}").status_code == 201

    def offered(typed: str) -> list[str]:
        return [c["shortcut"] for c in client.get(URL, params={"q": typed}, headers=agent).json()]

    assert offered("th") == ["thanks", "thanks-ar"]
    assert offered("deliv") == ["delivery", "no_delivery"]  # starting with it, then containing it
    assert offered("_") == ["no_delivery"]  # literal, not a wildcard
    assert offered("zzz") == []
    assert len(offered("")) == 5


def test_variables_are_filled_for_the_customer_and_the_agent():
    contact = Contact(name="Amina Hassan", phone_e164="+254733222333")
    agent = User(name="Otieno Okoth", email="o@x.test", hashed_password="-")
    text = "Hi {{contact.first_name}} ({{ contact.name }}, {{contact.phone}}), {{agent.first_name}} here."
    assert fill(text, contact, agent) == "Hi Amina (Amina Hassan, +254733222333), Otieno here."
    assert fill("Hi {{contact.first_name}}!", Contact(phone_e164="+254700000000"), agent) == "Hi !"
