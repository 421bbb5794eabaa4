import pytest
from sqlmodel import select

from aisha_app.models import AuditLog, User
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login

ADMIN_ONLY = [
    ("get", "/api/users", None),
    ("post", "/api/users", {"email": "x@shop.test", "name": "X", "password": "long-enough-pw"}),
    ("patch", "/api/users/1", {"role": "admin"}),
    ("post", "/api/users/1/password", {"password": "long-enough-pw"}),
    ("get", "/api/audit-log", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
def test_agents_are_refused_admin_routes(client, world, method, path, body):
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
def test_anonymous_callers_are_refused_admin_routes(client, world, method, path, body):
    response = client.request(method, path, json=body)
    assert response.status_code == 401


def test_agent_cannot_promote_itself_through_the_api(client, world, session):
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.patch(f"/api/users/{world.agent.id}", json={"role": "admin"}, headers=headers)
    assert response.status_code == 403
    session.refresh(world.agent)
    assert world.agent.role == "agent"


def test_admin_creates_an_agent_who_can_then_sign_in(client, world, session):
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.post(
        "/api/users",
        json={
            "email": "New.Agent@Shop.test",
            "name": "New Agent",
            "role": "agent",
            "password": "a-good-password",
        },
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json()["email"] == "new.agent@shop.test"
    assert "password" not in response.text and "hash" not in response.text
    stored = session.exec(select(User).where(User.email == "new.agent@shop.test")).one()
    assert stored.hashed_password.startswith("$argon2")
    assert login(client, "new.agent@shop.test", "a-good-password")


def test_creating_a_duplicate_email_is_a_conflict(client, world):
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.post(
        "/api/users",
        json={"email": "agent@shop.test", "name": "Again", "password": "a-good-password"},
        headers=headers,
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "name": "N", "password": "a-good-password"}, "email"),
        ({"email": "n@shop.test", "name": "N", "password": "short"}, "password"),
        ({"email": "n@shop.test", "name": "N", "password": "a-good-password", "role": "owner"}, "role"),
    ],
)
def test_bad_user_input_is_a_clear_error(client, world, body, field):
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.post("/api/users", json=body, headers=headers)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


def test_deactivated_users_token_stops_working_and_they_cannot_sign_in(client, world):
    agent_headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    admin_headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    assert client.get("/api/auth/me", headers=agent_headers).status_code == 200

    response = client.patch(f"/api/users/{world.agent.id}", json={"is_active": False}, headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False

    assert client.get("/api/auth/me", headers=agent_headers).status_code == 401
    again = client.post("/api/auth/token", data={"username": "agent@shop.test", "password": AGENT_PASSWORD})
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "account_deactivated"


def test_reactivated_user_signs_in_again(client, world):
    admin_headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    client.patch(f"/api/users/{world.agent.id}", json={"is_active": False}, headers=admin_headers)
    client.patch(f"/api/users/{world.agent.id}", json={"is_active": True}, headers=admin_headers)
    assert login(client, "agent@shop.test", AGENT_PASSWORD)


def test_role_change_takes_effect_and_ends_old_sessions(client, world):
    agent_headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    admin_headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.patch(f"/api/users/{world.agent.id}", json={"role": "admin"}, headers=admin_headers)
    assert response.json()["role"] == "admin"
    assert client.get("/api/users", headers=agent_headers).status_code == 401
    promoted = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert client.get("/api/users", headers=promoted).status_code == 200


def test_password_reset_ends_sessions_and_sets_the_new_password(client, world):
    agent_headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    admin_headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.post(
        f"/api/users/{world.agent.id}/password",
        json={"password": "brand-new-password"},
        headers=admin_headers,
    )
    assert response.status_code == 204
    assert client.get("/api/auth/me", headers=agent_headers).status_code == 401
    assert (
        client.post(
            "/api/auth/token", data={"username": "agent@shop.test", "password": AGENT_PASSWORD}
        ).status_code
        == 401
    )
    assert login(client, "agent@shop.test", "brand-new-password")


def test_the_last_admin_cannot_be_demoted_or_deactivated(client, world):
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    for change in ({"role": "agent"}, {"is_active": False}):
        response = client.patch(f"/api/users/{world.admin.id}", json=change, headers=headers)
        assert response.status_code == 409
    assert client.get("/api/auth/me", headers=headers).json()["role"] == "admin"


def test_unknown_user_is_404(client, world):
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.patch("/api/users/99999", json={"name": "Nobody"}, headers=headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "User not found."}}


def test_admin_actions_land_in_the_audit_log(client, world):
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    created = client.post(
        "/api/users",
        json={"email": "temp@shop.test", "name": "Temp", "password": "a-good-password"},
        headers=headers,
    ).json()
    client.patch(f"/api/users/{created['id']}", json={"role": "admin"}, headers=headers)
    client.patch(f"/api/users/{created['id']}", json={"is_active": False}, headers=headers)
    client.post(
        f"/api/users/{created['id']}/password", json={"password": "another-password"}, headers=headers
    )

    entries = client.get("/api/audit-log", headers=headers).json()
    about_temp = [e for e in entries if e["target_id"] == str(created["id"])]
    oldest_first = list(reversed(about_temp))
    assert [e["action"] for e in oldest_first] == [
        "user.created",
        "user.updated",
        "user.updated",
        "user.password_reset",
    ]
    assert all(e["actor_id"] == world.admin.id for e in about_temp)
    assert all(e["client_ip"] == "testclient" for e in about_temp)
    assert oldest_first[1]["details"] == {"changes": {"role": "admin"}}
    assert oldest_first[2]["details"] == {"changes": {"is_active": False}}
    assert "another-password" not in str(entries)


def test_audit_rows_record_the_actor(session, world):
    created = session.exec(select(AuditLog).where(AuditLog.target_id == str(world.agent.id))).one()
    assert created.action == "user.created"
    assert created.actor_id == world.admin.id
