"""Waiting-list names are unique whatever their case, for every letter, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from aisha_app.actions import waiting_list
from aisha_app.errors import Conflict
from aisha_app.models import WaitingList
from tests.unit.support import ADMIN_PASSWORD, login


@pytest.fixture
def admin(client, world) -> dict[str, str]:
    return login(client, "owner@shop.test", ADMIN_PASSWORD)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Öff", "öff"), ("ÖFF", "öff"), ("Main", "MAIN"), ("Straße", "STRASSE"), ("Σοφία", "ΣΟΦΊΑ")],
)
def test_a_second_list_whose_name_differs_only_in_case_is_a_409(client, admin, first, second):
    assert client.post("/api/waiting-list/lists", json={"name": first}, headers=admin).status_code == 201
    response = client.post("/api/waiting-list/lists", json={"name": second}, headers=admin)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "conflict"
    names = [wl["name"] for wl in client.get("/api/waiting-list/lists", headers=admin).json()]
    assert names.count(first) == 1 and second not in names


def test_a_list_is_found_by_its_name_in_any_case(client, admin, session, world):
    client.post("/api/waiting-list/lists", json={"name": "Öffnungszeiten"}, headers=admin)
    assert waiting_list.find_list(session, "ÖFFNUNGSZEITEN").name == "Öffnungszeiten"
    joined = client.post(
        "/api/waiting-list/",
        json={"username": "Amina", "phone_number": "0711000001", "list": "öffnungszeiten"},
        headers=admin,
    )
    assert (joined.status_code, joined.json()["list"]) == (201, "Öffnungszeiten")


def test_renaming_a_list_onto_another_name_in_any_case_is_a_409(client, admin):
    client.post("/api/waiting-list/lists", json={"name": "Öff"}, headers=admin)
    other = client.post("/api/waiting-list/lists", json={"name": "Counter"}, headers=admin).json()
    url = f"/api/waiting-list/lists/{other['id']}"
    response = client.put(url, json={"name": "öFF"}, headers=admin)
    assert response.status_code == 409, response.text
    assert client.put(url, json={"name": "COUNTER"}, headers=admin).json()["name"] == "COUNTER"  # itself
    assert client.put(url, json={"name": "Desk 2"}, headers=admin).json()["name"] == "Desk 2"
    names = {wl["name"] for wl in client.get("/api/waiting-list/lists", headers=admin).json()}
    assert names >= {"Öff", "Desk 2"}


def test_the_database_itself_refuses_a_duplicate_so_two_racing_requests_cannot_both_win(
    session, database, world
):
    waiting_list.create_list(session, "Öff", world.admin)
    session.commit()
    # A second request that checked before the first committed still reaches the constraint.
    with Session(database) as other:
        other.add(WaitingList(name="öff", display_token="another-token"))
        with pytest.raises(IntegrityError):
            other.commit()
    with pytest.raises(Conflict):
        waiting_list.create_list(session, "ÖFF", world.admin)
    assert session.get(WaitingList, waiting_list.find_list(session, "öff").id).name == "Öff"
