"""Conversation labels the team keeps: created, renamed and recoloured by admins, a rename and a
delete reaching every conversation; a label first used on a conversation is kept from then on."""

from __future__ import annotations

import pytest
from sqlmodel import select

from aisha_app.models import Conversation, Label
from tests.unit.support import AGENT_PASSWORD, login


@pytest.fixture
def conversations(session, world) -> list[Conversation]:
    rows = [
        Conversation(contact_id=world.contacts[0].id, channel="simulator", labels=["urgent", "vip"]),
        Conversation(contact_id=world.contacts[1].id, channel="simulator", labels=["urgent"]),
    ]
    session.add_all(rows)
    session.commit()
    return rows


def labels_of(session, rows) -> list[list[str]]:
    session.expire_all()
    return [session.get(Conversation, c.id).labels for c in rows]


def test_a_rename_and_a_delete_reach_every_conversation(client, owner, session, conversations):
    made = client.post("/api/labels", json={"name": "urgent", "colour": "red"}, headers=owner)
    assert made.status_code == 201, made.text
    renamed = client.patch(
        f"/api/labels/{made.json()['id']}", json={"name": "asap", "colour": "orange"}, headers=owner
    )
    assert renamed.json() | {"created_at": None} == {
        "id": made.json()["id"],
        "name": "asap",
        "colour": "orange",
        "created_at": None,
    }
    assert labels_of(session, conversations) == [["asap", "vip"], ["asap"]]
    filtered = client.get("/api/conversations", params={"label": "asap"}, headers=owner).json()
    assert filtered["total"] == 2  # the inbox's label filter finds them under the new name
    assert client.delete(f"/api/labels/{made.json()['id']}", headers=owner).status_code == 204
    assert labels_of(session, conversations) == [["vip"], []]


def test_a_label_first_used_on_a_conversation_is_kept(client, owner, session, conversations):
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    answer = client.patch(
        f"/api/conversations/{conversations[1].id}", json={"labels": ["urgent", "delivery"]}, headers=agent
    )
    assert answer.status_code == 200, answer.text
    session.expire_all()
    names = {label.name: label.colour for label in session.exec(select(Label))}
    assert names == {"delivery": "gray"}  # "urgent" was on it already (the migration keeps those)
    assert [label["name"] for label in client.get("/api/labels", headers=agent).json()] == ["delivery"]
    assert client.post("/api/labels", json={"name": "mine"}, headers=agent).status_code == 403


@pytest.mark.parametrize(("body", "status"), [({"name": "x", "colour": "mauve"}, 422), ({"name": ""}, 422)])
def test_a_bad_label_is_refused(client, owner, body, status):
    assert client.post("/api/labels", json=body, headers=owner).status_code == status


def test_two_labels_cannot_share_a_name(client, owner):
    first = client.post("/api/labels", json={"name": "vip"}, headers=owner).json()
    assert client.post("/api/labels", json={"name": "vip"}, headers=owner).status_code == 409
    other = client.post("/api/labels", json={"name": "gold"}, headers=owner).json()
    assert client.patch(f"/api/labels/{other['id']}", json={"name": "vip"}, headers=owner).status_code == 409
    assert first["colour"] == "gray"
