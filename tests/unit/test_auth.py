from datetime import timedelta

from jose import jwt
from sqlmodel import select

from aisha_app.config import Settings, get_settings
from aisha_app.models import LoginAttempt
from aisha_app.security import (
    ALGORITHM,
    SESSION_COOKIE,
    create_access_token,
    hash_password,
    password_context,
    verify_password,
)
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login


def test_correct_password_returns_a_bearer_token_that_identifies_the_user(client, world):
    response = client.post(
        "/api/auth/token", data={"username": "agent@shop.test", "password": AGENT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "agent@shop.test"
    assert me.json()["role"] == "agent"
    assert "hashed_password" not in me.json()


def test_email_is_matched_without_regard_to_case(client, world):
    response = client.post(
        "/api/auth/token", data={"username": " Agent@Shop.TEST ", "password": AGENT_PASSWORD}
    )
    assert response.status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_401(client, world):
    wrong = client.post("/api/auth/token", data={"username": "agent@shop.test", "password": "nope-nope-nope"})
    unknown = client.post(
        "/api/auth/token", data={"username": "ghost@shop.test", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": {"code": "invalid_credentials", "message": "Wrong email or password."}}
    )


def test_missing_form_fields_are_a_clear_validation_error(client):
    response = client.post("/api/auth/token", data={"username": "agent@shop.test"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"][0]["field"] == "password"


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_refused(client, world):
    live = login(client, "agent@shop.test", AGENT_PASSWORD)["Authorization"].split()[1]
    session_id = jwt.get_unverified_claims(live)["sid"]
    token, _ = create_access_token(world.agent.id, session_id, expires_in=timedelta(seconds=-1))
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Your session is invalid or has expired."


def test_token_with_altered_claims_is_refused(client, world):
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    token = headers["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    forged_claims = jwt.get_unverified_claims(token) | {"sub": str(world.admin.id)}
    forged_payload = jwt.encode(forged_claims, "irrelevant", algorithm=ALGORITHM).split(".")[1]
    tampered = f"{header}.{forged_payload}.{signature}"
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


def test_token_signed_with_another_key_is_refused(client, world):
    live = login(client, "owner@shop.test", ADMIN_PASSWORD)["Authorization"].split()[1]
    claims = jwt.get_unverified_claims(live)
    forged = jwt.encode(claims, "guessed-key", algorithm=ALGORITHM)
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_unsigned_token_is_refused(client, world):
    good = login(client, "owner@shop.test", ADMIN_PASSWORD)["Authorization"].split()[1]
    header_none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    unsigned = f"{header_none}.{good.split('.')[1]}."
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401


def test_sixth_failure_in_a_row_is_throttled_even_with_the_right_password(client, world):
    for _ in range(5):
        response = client.post(
            "/api/auth/token", data={"username": "agent@shop.test", "password": "wrong-password"}
        )
        assert response.status_code == 401
    throttled = client.post(
        "/api/auth/token", data={"username": "agent@shop.test", "password": AGENT_PASSWORD}
    )
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(throttled.headers["retry-after"]) <= 15 * 60
    # Another account is not locked out by someone guessing this one.
    assert (
        client.post(
            "/api/auth/token", data={"username": "owner@shop.test", "password": ADMIN_PASSWORD}
        ).status_code
        == 200
    )


def test_a_success_resets_the_failure_count(client, world):
    for _ in range(4):
        client.post("/api/auth/token", data={"username": "agent@shop.test", "password": "wrong-password"})
    assert (
        client.post(
            "/api/auth/token", data={"username": "agent@shop.test", "password": AGENT_PASSWORD}
        ).status_code
        == 200
    )
    for _ in range(4):
        assert (
            client.post(
                "/api/auth/token", data={"username": "agent@shop.test", "password": "wrong-password"}
            ).status_code
            == 401
        )


def test_one_address_guessing_many_emails_is_throttled(client, world, session):
    for i in range(20):
        client.post("/api/auth/token", data={"username": f"guess{i}@shop.test", "password": "wrong-password"})
    response = client.post(
        "/api/auth/token", data={"username": "owner@shop.test", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 429
    # Every attempt that checked a password is recorded; the refused one checked none.
    assert len(session.exec(select(LoginAttempt)).all()) == 20


def test_browser_login_sets_an_httponly_strict_cookie_and_redirects(client, world):
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD, "next": "/inbox"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in set_cookie
    assert "SameSite=strict" in set_cookie
    assert client.get("/api/auth/me").json()["email"] == "agent@shop.test"


def test_browser_login_never_redirects_to_another_site(client, world):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/api/auth/login",
            data={"email": "agent@shop.test", "password": AGENT_PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_browser_login_failure_returns_to_the_form_with_the_reason(client, world):
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": "wrong-password"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?error=invalid_credentials")
    assert "agent%40shop.test" not in response.headers["location"]
    assert "set-cookie" not in response.headers


def test_logout_clears_the_cookie(client, world):
    client.post("/api/auth/login", data={"email": "agent@shop.test", "password": AGENT_PASSWORD})
    response = client.post("/api/auth/logout", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.get("/api/auth/me").status_code == 401


def test_browser_login_posted_from_another_site_is_refused(client, world):
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_browser_login_from_our_own_page_is_accepted(client, world):
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert SESSION_COOKIE in response.headers["set-cookie"]


def test_parallel_guesses_cannot_race_past_the_throttle(client, world):
    from concurrent.futures import ThreadPoolExecutor

    def guess(_):
        return client.post(
            "/api/auth/token", data={"username": "agent@shop.test", "password": "wrong-password"}
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(guess, range(24)))
    # At most the allowed number of passwords were actually checked.
    assert codes.count(401) <= 5
    assert codes.count(429) >= 19


def test_browser_form_is_throttled_too(client, world):
    for _ in range(5):
        client.post("/api/auth/login", data={"email": "agent@shop.test", "password": "wrong-password"})
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith("/login?error=too_many_attempts")
    assert "set-cookie" not in response.headers


def test_an_overlong_email_is_an_ordinary_failure(client, world):
    response = client.post("/api/auth/token", data={"username": "a" * 400 + "@shop.test", "password": "x"})
    assert response.status_code == 401


def test_the_cookie_is_secure_when_the_app_is_published_over_https(client, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "public_base_url", "https://aisha.example.com")
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


def test_the_session_cookie_is_ignored_on_requests_from_another_origin(client, world):
    client.post("/api/auth/login", data={"email": "owner@shop.test", "password": ADMIN_PASSWORD})
    assert client.get("/api/users").status_code == 200
    foreign = client.get("/api/users", headers={"Origin": "http://localhost:9999"})
    assert foreign.status_code == 401
    smuggled = client.post(
        "/api/users",
        json={"email": "evil@shop.test", "name": "Evil", "role": "admin", "password": "evil-password-1"},
        headers={"Origin": "http://localhost:9999"},
    )
    assert smuggled.status_code == 401


def test_the_cookie_is_secure_in_production_whatever_the_public_url_says(client, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "environment", "production")
    monkeypatch.setattr(get_settings(), "public_base_url", "http://aisha.internal:3000")
    response = client.post(
        "/api/auth/login",
        data={"email": "agent@shop.test", "password": AGENT_PASSWORD},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


def argon2_parameters(hashed: str) -> dict[str, int]:
    """{'m': memory KiB, 't': passes, 'p': lanes} from an encoded argon2 hash."""
    params = hashed.split("$")[3]
    return {key: int(value) for key, value in (part.split("=") for part in params.split(","))}


def test_tests_hash_passwords_cheaply_and_production_keeps_strong_parameters():
    cheap = hash_password("a-password-for-tests")
    assert argon2_parameters(cheap)["m"] <= 1024
    strong = password_context(Settings(environment="production", secret_key="p" * 48)).hash("a-password")
    assert argon2_parameters(strong)["m"] >= 64 * 1024
    assert argon2_parameters(strong)["t"] >= 3
    # A hash made under either setting verifies under the other: the parameters travel in the hash.
    assert verify_password("a-password", strong)
    assert verify_password("a-password-for-tests", cheap)
