"""A session lives on the server: signing out ends it there, and a copied token or cookie is refused."""

from jose import jwt

from aisha_app.actions.users import user_for_token
from aisha_app.config import get_settings
from aisha_app.security import ALGORITHM, SESSION_COOKIE
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_genuine_token_without_an_expiry_is_refused(client, world):
    token = login(client, "agent@shop.test", AGENT_PASSWORD)["Authorization"].split()[1]
    claims = jwt.get_unverified_claims(token)
    del claims["exp"]
    forever = jwt.encode(claims, get_settings().secret_key, algorithm=ALGORITHM)
    response = client.get("/api/auth/me", headers=bearer(forever))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_copied_bearer_token_is_refused_after_signing_out(client, world):
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    signed_out = client.post("/api/auth/logout", headers=headers, follow_redirects=False)
    assert signed_out.status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_a_copied_session_cookie_is_refused_after_signing_out(client, world, session):
    client.post("/api/auth/login", data={"email": "owner@shop.test", "password": ADMIN_PASSWORD})
    copied = client.cookies[SESSION_COOKIE]
    signed_out = client.post("/api/auth/logout", follow_redirects=False)
    assert signed_out.status_code == 303
    assert SESSION_COOKIE not in client.cookies
    client.cookies.set(SESSION_COOKIE, copied)
    assert client.get("/api/users").status_code == 401
    # Pages check the cookie the same way (SessionState._authorize): no user, no page.
    assert user_for_token(session, copied) is None


def test_signing_out_one_browser_leaves_the_users_other_sessions_signed_in(client, world):
    laptop = login(client, "agent@shop.test", AGENT_PASSWORD)
    phone = login(client, "agent@shop.test", AGENT_PASSWORD)
    client.post("/api/auth/logout", headers=laptop)
    assert client.get("/api/auth/me", headers=laptop).status_code == 401
    assert client.get("/api/auth/me", headers=phone).status_code == 200


def test_signing_out_from_another_site_is_refused_and_the_session_lives_on(client, world):
    client.post("/api/auth/login", data={"email": "agent@shop.test", "password": AGENT_PASSWORD})
    response = client.post(
        "/api/auth/logout", headers={"Origin": "https://evil.example"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/api/auth/me").status_code == 200


def test_signing_out_without_a_session_still_returns_to_the_login_page(client, world):
    response = client.post("/api/auth/logout", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
