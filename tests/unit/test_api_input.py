"""What anyone sends the REST API is refused with a clear 4xx, never a 500: integers beyond what
a column holds, characters no database stores, numbers JSON does not have, and wrong methods."""

from __future__ import annotations

import pytest
from sqlmodel import select

from aisha_app.models import Contact, Conversation
from aisha_app.models.numbers import MAX_ID, MAX_OFFSET
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login

HUGE = 2**64


@pytest.fixture
def agent(client, world) -> dict[str, str]:
    return login(client, "agent@shop.test", AGENT_PASSWORD)


@pytest.fixture
def admin(client, world) -> dict[str, str]:
    return login(client, "owner@shop.test", ADMIN_PASSWORD)


def _integer_schemas(node, components, where):
    """Every integer schema under ``node`` (following $refs), with where it was found."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _integer_schemas(item, components, f"{where}[{i}]")
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        yield from _integer_schemas(components[name], components, f"{where}->{name}")
        return
    types = node.get("type")
    if types == "integer" or (isinstance(types, list) and "integer" in types):
        yield where, node
    for key in ("properties", "patternProperties", "$defs"):
        for name, child in (node.get(key) or {}).items():
            yield from _integer_schemas(child, components, f"{where}.{name}")
    for key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems", "not"):
        if key in node:
            yield from _integer_schemas(node[key], components, f"{where}.{key}")


def test_every_integer_in_a_path_query_or_body_is_bounded(api):
    schema = api.get("/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})
    found, unbounded = [], []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            inputs = [
                (f"{method.upper()} {path} {p['in']} {p['name']}", p.get("schema", {}))
                for p in operation.get("parameters", [])
            ]
            for media, content in (operation.get("requestBody") or {}).get("content", {}).items():
                inputs.append((f"{method.upper()} {path} body {media}", content.get("schema", {})))
            for where, node in inputs:
                for place, integer in _integer_schemas(node, components, where):
                    found.append(place)
                    low, high = integer.get("minimum"), integer.get("maximum")
                    # Ids are INTEGER columns (32 bits on PostgreSQL); offsets may use 64 bits.
                    # Compared as floats: the schema writes body bounds so, and 2**63 - 1 reads as 2**63.
                    most = MAX_ID if place.lower().endswith("id") else MAX_OFFSET
                    if low is None or high is None or float(low) < -float(most) or float(high) > float(most):
                        unbounded.append(place)
    assert len(found) > 15  # ids in paths, offsets, limits, ids in bodies
    assert unbounded == [], "\n".join(unbounded)


@pytest.fixture
def conversation_id(session, world) -> int:
    conversation = Conversation(contact_id=world.contacts[0].id, channel="simulator")
    session.add(conversation)
    session.commit()
    return conversation.id


@pytest.mark.parametrize("number", [MAX_ID + 1, 2**63, HUGE, -HUGE])
def test_huge_integers_anywhere_are_a_422_not_a_500(client, agent, admin, world, conversation_id, number):
    contact_id = world.contacts[0].id
    requests = [
        ("GET", f"/api/conversations/{conversation_id}/messages?before_id={number}", None, agent),
        ("GET", f"/api/contacts/{number}", None, agent),
        ("GET", f"/api/conversations/{number}", None, agent),
        ("POST", f"/api/messages/{number}/retry", None, agent),
        ("GET", f"/media/{number}", None, agent),
        ("PATCH", f"/api/users/{number}", {"name": "X"}, admin),
        ("PATCH", f"/api/conversations/{conversation_id}", {"assignee_id": number}, agent),
        ("POST", "/api/activities", {"contact_id": number, "kind": "call", "summary": "x"}, agent),
        ("POST", "/api/ai/reply", {"prompt": "hi", "conversation_id": number}, agent),
        ("POST", "/api/reviews/request", {"conversation_id": number}, agent),
        (
            "POST",
            "/api/waiting-list/",
            {"username": "A", "phone_number": "0712345678", "list": number},
            agent,
        ),
        ("PUT", f"/api/waiting-list/{contact_id}/position", {"position": number}, agent),
        ("PATCH", f"/api/contacts/{contact_id}", {"birthday_year": number}, agent),
        ("PUT", "/api/waiting-list/lists/1", {"minutes_per_customer": number}, admin),
    ]
    for method, path, body, headers in requests:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 422, (method, path, response.text)
        assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("number", [MAX_OFFSET + 1, HUGE, -1])
def test_an_offset_beyond_64_bits_is_a_422_not_a_500(client, agent, number):
    for path in ("/api/contacts", "/api/conversations", "/api/reviews"):
        response = client.get(f"{path}?offset={number}", headers=agent)
        assert response.status_code == 422, (path, response.text)


def test_the_largest_id_a_column_holds_is_simply_not_found(client, agent, conversation_id):
    assert client.get(f"/api/contacts/{MAX_ID}", headers=agent).status_code == 404
    response = client.get(f"/api/conversations/{conversation_id}/messages?before_id={MAX_ID}", headers=agent)
    assert response.status_code == 200
    assert client.get(f"/api/contacts?offset={MAX_OFFSET}", headers=agent).json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/contacts"),
        ("PUT", "/api/auth/token"),
        ("POST", "/api/contacts/1"),
        ("TRACE", "/api/conversations"),
        ("OPTIONS", "/api/reviews"),
    ],
)
def test_a_wrong_method_is_a_json_405_that_says_what_is_allowed(client, agent, method, path):
    response = client.request(method, path, headers=agent)
    assert response.status_code == 405, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "method_not_allowed"
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert allowed and method not in allowed


def test_the_allow_header_lists_every_method_of_the_route(client, agent):
    response = client.request("PUT", "/api/contacts/1", headers=agent)
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "PATCH", "DELETE"}


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "HEAD", "OPTIONS"])
def test_an_unknown_api_path_is_a_json_404_in_the_error_shape(client, method):
    response = client.request(method, "/api/no-such-thing/here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    if method != "HEAD":
        assert response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_on_the_served_app_is_also_a_json_405(client):
    """In the running app Reflex is mounted behind the API: nothing under /api may fall through,
    and the mount (which takes any path and method) is not a route that allows anything."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from aisha_app.api import build_api

    api = build_api()
    everything = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    reflex_backend = Starlette(
        routes=[Route("/{path:path}", lambda _r: PlainTextResponse("Not Found", 404), methods=everything)]
    )
    api.mount("", reflex_backend)  # what rx.App(api_transformer=...) does
    served = TestClient(api)
    for method in ("HEAD", "OPTIONS", "TRACE", "DELETE"):
        response = served.request(method, "/api/contacts")
        assert response.status_code == 405, (method, response.text)
        assert response.headers["allow"] == "GET, POST"
    unknown = served.get("/api/no-such-thing")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert served.get("/dashboard").text == "Not Found"  # pages are still the web app's


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "Wan\\u0000jiru"}',  # PostgreSQL cannot store NUL in text
        '{"name": "\\ud800"}',  # a lone surrogate cannot be encoded for any database
        '{"attributes": {"score": NaN}}',  # not JSON; a stored NaN broke every later listing
        '{"attributes": {"score": Infinity}}',
        '{"attributes": {"score": 1e400}}',  # reads as Infinity
        '{"attributes": {"a\\u0000": 1}}',
        '{"attributes": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}",  # nested deeper than any use
    ],
)
def test_odd_json_is_a_422_that_stores_nothing(client, agent, world, session, raw):
    contact_id = world.contacts[0].id
    response = client.patch(
        f"/api/contacts/{contact_id}", content=raw, headers={**agent, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    session.expire_all()
    stored = session.get(Contact, contact_id)
    assert (stored.name, stored.attributes) == ("Wanjiru", {})
    assert client.get("/api/contacts", headers=agent).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/contacts?q=a%00b",
        "/api/conversations?q=%00",
        "/api/reviews?q=%00",
        "/api/leads?q=%00",
        "/api/conversations?label=vip%00",
        "/api/waiting-list/?list=Main%00",
    ],
)
def test_a_nul_character_in_the_query_is_a_422_on_every_database(client, agent, path):
    response = client.get(path, headers=agent)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_a_nul_character_in_a_sign_in_form_is_refused(client, world):
    response = client.post("/api/auth/token", data={"username": "owner@shop.test\x00", "password": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_ordinary_unicode_json_is_accepted(client, agent, world, session):
    body = {"name": "Ömer 😀 عمر", "attributes": {"note": "line\nbreak", "n": 12.5}}
    response = client.patch(f"/api/contacts/{world.contacts[0].id}", json=body, headers=agent)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Ömer 😀 عمر"
    session.expire_all()
    assert session.exec(select(Contact).where(Contact.name == "Ömer 😀 عمر")).one().attributes["n"] == 12.5


def test_null_in_the_other_patches_stores_nothing_and_breaks_no_listing(
    client, agent, admin, world, session, conversation_id
):
    """Conversations and users read a null as "not sent" (contacts: see test_contacts_api)."""
    nulls = {"status": None, "labels": None, "ai_enabled": None, "assignee_id": None}
    response = client.patch(f"/api/conversations/{conversation_id}", json=nulls, headers=agent)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["labels"]) == ("open", [])
    response = client.patch(f"/api/users/{world.agent.id}", json={"name": None, "role": None}, headers=admin)
    assert (response.status_code, response.json()["name"], response.json()["role"]) == (200, "Agent", "agent")
    assert (
        client.patch(
            f"/api/conversations/{conversation_id}", json={"unassign": None}, headers=agent
        ).status_code
        == 422
    )
    assert client.get("/api/conversations", headers=agent).status_code == 200
    assert client.get("/api/users", headers=admin).status_code == 200


@pytest.mark.parametrize(
    "query", ["since=0001-01-01T00:00:00%2B01:00", "until=9999-12-31T23:59:59-01:00", "since=10000-01-01"]
)
def test_a_date_whose_utc_falls_off_the_calendar_is_a_422(client, agent, query):
    for path in ("/api/reviews", "/api/reviews/export.csv"):
        response = client.get(f"{path}?{query}", headers=agent)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["code"] == "validation_error"


def test_dates_without_a_zone_are_read_as_utc(client, agent):
    response = client.get("/api/reviews?since=0001-01-01T00:00:00&until=9999-12-31T23:59:59", headers=agent)
    assert response.status_code == 200


@pytest.mark.parametrize("assignee", ["1" * 5000, "²", "١", str(MAX_ID + 1), "-1"])
def test_an_assignee_that_is_no_user_id_is_a_400_not_a_500(client, agent, assignee):
    response = client.get("/api/conversations", params={"assignee": assignee}, headers=agent)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "bad_assignee"


def test_a_list_reference_of_thousands_of_digits_is_refused_not_a_500(client, agent, session, world):
    from aisha_app.actions.waiting_list import find_list
    from aisha_app.errors import NotFound

    body = {"username": "A", "phone_number": "0712345678", "list": "1" * 5000}
    assert client.post("/api/waiting-list/", json=body, headers=agent).status_code == 422  # too long a name
    with pytest.raises(NotFound):
        find_list(session, "1" * 5000)
