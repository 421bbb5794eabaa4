"""Custom attributes: admins define what each holds; a contact's values are checked against
their definition and kept in one form; an undefined key stays free text."""

from __future__ import annotations

import pytest

from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login

DEFINITIONS = [
    {"key": "shoe_size", "label": "Shoe size", "kind": "number"},
    {"key": "anniversary", "label": "Shop anniversary", "kind": "date"},
    {"key": "wholesale", "label": "Wholesale buyer", "kind": "yes_no"},
    {"key": "branch", "label": "Branch", "kind": "choice", "choices": ["Nairobi CBD", "Westlands"]},
    {"key": "note", "label": "Note", "kind": "text"},
]


@pytest.fixture
def defined(client, owner) -> None:
    for body in DEFINITIONS:
        answer = client.post("/api/attributes", json=body, headers=owner)
        assert answer.status_code == 201, answer.text


def patch(client, headers, contact_id: int, attributes: dict):
    return client.patch(f"/api/contacts/{contact_id}", json={"attributes": attributes}, headers=headers)


def test_values_are_checked_and_kept_in_one_form(client, owner, world, defined):
    contact_id = world.contacts[0].id
    answer = patch(
        client,
        owner,
        contact_id,
        {
            "shoe_size": "42",
            "anniversary": "2019-03-08",
            "wholesale": "Yes",
            "branch": "westlands",
            "colour": "red",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["attributes"] == {
        "shoe_size": 42,
        "anniversary": "2019-03-08",
        "wholesale": True,
        "branch": "Westlands",  # as it was defined
        "colour": "red",  # nobody defined it: free text
    }


@pytest.mark.parametrize(
    ("attributes", "said"),
    [
        ({"shoe_size": "forty"}, "Shoe size is a number, not 'forty'"),
        ({"anniversary": "08/03/2019"}, "Shop anniversary is a date written YYYY-MM-DD"),
        ({"anniversary": "2019-02-30"}, "Shop anniversary is a date written YYYY-MM-DD"),
        ({"wholesale": "perhaps"}, "Wholesale buyer is yes or no"),
        ({"branch": "Mombasa"}, "Branch is one of Nairobi CBD, Westlands"),
    ],
)
def test_a_value_that_does_not_fit_its_definition_is_a_422_naming_it(
    client, owner, world, defined, attributes, said
):
    answer = patch(client, owner, world.contacts[0].id, attributes)
    assert answer.status_code == 422
    assert said in answer.json()["error"]["message"]
    assert answer.json()["error"]["details"][0]["field"] == f"attributes.{next(iter(attributes))}"


def test_a_new_contact_and_an_import_are_checked_too(client, owner, defined):
    bad = client.post(
        "/api/contacts",
        json={"name": "Kendi", "phone_number": "0722000301", "attributes": {"branch": "Kisumu"}},
        headers=owner,
    )
    assert bad.status_code == 422 and "Branch is one of" in bad.text
    report = client.post(
        "/api/contacts/import",
        content=b"name,phone,attributes.shoe_size\nKendi,0722000301,44\nOtieno,0722000302,huge\n",
        headers=owner,
    ).json()
    assert (report["created"], report["refused"]) == (1, 1)
    assert "Shoe size is a number, not 'huge'" in report["lines"][1]["detail"]


def test_admins_define_and_staff_read(client, owner, world, defined):
    again = client.post("/api/attributes", json=DEFINITIONS[0], headers=owner)
    assert again.status_code == 409
    no_choices = client.post(
        "/api/attributes", json={"key": "tier", "label": "Tier", "kind": "choice"}, headers=owner
    )
    assert no_choices.status_code == 422 and "needs its choices" in no_choices.text
    branch = next(d for d in client.get("/api/attributes", headers=owner).json() if d["key"] == "branch")
    changed = client.patch(
        f"/api/attributes/{branch['id']}", json={"choices": ["Westlands", "Kisumu"]}, headers=owner
    )
    assert changed.json()["choices"] == ["Westlands", "Kisumu"]
    assert (
        patch(client, owner, world.contacts[0].id, {"branch": "kisumu"}).json()["attributes"]["branch"]
        == "Kisumu"
    )
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert len(client.get("/api/attributes", headers=agent).json()) == len(DEFINITIONS)
    assert (
        client.post(
            "/api/attributes", json={"key": "x", "label": "X", "kind": "text"}, headers=agent
        ).status_code
        == 403
    )
    owner = login(client, "owner@shop.test", ADMIN_PASSWORD)
    assert client.delete(f"/api/attributes/{branch['id']}", headers=owner).status_code == 204
    assert (
        patch(client, owner, world.contacts[0].id, {"branch": "Mombasa"}).status_code == 200
    )  # free text again


def test_a_contact_form_sends_only_the_boxes_edited():
    from aisha_app.actions.attributes import BOX, from_boxes, shown

    before = {"shoe_size": 38, "wholesale": True, "branch": "Westlands", "legacy": "size forty"}
    form = {
        BOX + "shoe_size": "38",  # as shown: not sent (not even checked again)
        BOX + "wholesale": "",  # emptied: removed
        BOX + "branch": "nairobi cbd",  # edited: sent, to be checked by its definition
        BOX + "legacy": shown("size forty"),  # held from before a definition: kept as it is
        BOX + "note": "",  # empty, and held nothing: nothing
        "name": "Achieng",  # not an attribute's box
    }
    assert from_boxes(form, before) == {"wholesale": None, "branch": "nairobi cbd"}
