"""An attacker cannot keep someone else out: the throttle slows guessing without locking the owner out.

The window is shortened to a few seconds, and addresses come from X-Forwarded-For (as behind a
proxy), so an attacker and the account's owner can sign in from different addresses.
"""

import io
import sys
import time

import pytest

from aisha_app import manage
from aisha_app.config import get_settings
from tests.unit.support import ADMIN_PASSWORD, login

WINDOW = 2
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"
OWNER_EMAIL = "owner@shop.test"


@pytest.fixture
def short_window(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "login_window_seconds", WINDOW)
    monkeypatch.setattr(settings, "trust_proxy_headers", True)


def token_sign_in(client, password, address):
    """The REST token endpoint: True signed in, False wrong password, None throttled."""
    response = client.post(
        "/api/auth/token",
        data={"username": OWNER_EMAIL, "password": password},
        headers={"X-Forwarded-For": address},
    )
    assert response.status_code in (200, 401, 429), response.text
    return {200: True, 401: False, 429: None}[response.status_code]


def form_sign_in(client, password, address):
    """The login page's form (it posts to /api/auth/login): the same three outcomes."""
    client.cookies.clear()
    response = client.post(
        "/api/auth/login",
        data={"email": OWNER_EMAIL, "password": password, "next": "/inbox"},
        headers={"X-Forwarded-For": address},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    if location == "/inbox":
        return True
    return None if "error=too_many_attempts" in location else False


SIGN_IN = pytest.mark.parametrize("sign_in", [token_sign_in, form_sign_in], ids=["token", "form"])


@SIGN_IN
def test_an_attacker_guessing_from_one_address_does_not_keep_the_owner_out(
    client, world, short_window, sign_in
):
    # A wrong password every few (shortened) seconds: more than the throttle allows, for long.
    next_owner_try = time.monotonic() + WINDOW
    deadline = time.monotonic() + 2 * WINDOW + WINDOW / 2  # room for two of the owner's tries
    owner_results = []
    while time.monotonic() < deadline:
        assert sign_in(client, "wrong-password", ATTACKER) is not True
        if time.monotonic() >= next_owner_try:
            owner_results.append(sign_in(client, ADMIN_PASSWORD, OWNER))
            next_owner_try += WINDOW
        time.sleep(WINDOW / 8)
    assert len(owner_results) >= 2 and all(result is True for result in owner_results)


@SIGN_IN
def test_attempts_refused_by_the_throttle_do_not_extend_the_lock(client, world, short_window, sign_in):
    started = time.monotonic()  # the lock lasts from the first failure until WINDOW after it
    for _ in range(5):
        assert sign_in(client, "wrong-password", ATTACKER) is False
    locked_at = time.monotonic()
    refused = []
    # The attacker keeps going while locked out: every attempt is refused, none is counted.
    while time.monotonic() < started + WINDOW - 0.3:
        refused.append(sign_in(client, "wrong-password", ATTACKER))
        time.sleep(0.1)
    assert len(refused) >= 5 and all(result is None for result in refused)
    time.sleep(max(0, locked_at + WINDOW + 0.3 - time.monotonic()))
    assert sign_in(client, ADMIN_PASSWORD, ATTACKER) is True


def test_failures_from_many_addresses_still_meet_a_per_account_ceiling(client, world, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "trust_proxy_headers", True)
    monkeypatch.setattr(settings, "login_max_account_failures", 8)
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(4):
            assert token_sign_in(client, "wrong-password", address) is False
    assert token_sign_in(client, ADMIN_PASSWORD, OWNER) is None


def lock_the_owner_out(client, monkeypatch):
    """Failures from the owner's own address and enough others to reach the account's ceiling."""
    settings = get_settings()
    monkeypatch.setattr(settings, "trust_proxy_headers", True)
    monkeypatch.setattr(settings, "login_max_account_failures", 10)
    for address in (OWNER, "203.0.113.1"):
        for _ in range(5):
            token_sign_in(client, "wrong-password", address)
    assert token_sign_in(client, ADMIN_PASSWORD, OWNER) is None


def test_an_admin_password_reset_through_the_api_clears_the_accounts_failures(client, world, monkeypatch):
    created = client.post(
        "/api/users",
        json={
            "email": "second@shop.test",
            "name": "Second",
            "role": "admin",
            "password": "second-password-1",
        },
        headers=login(client, OWNER_EMAIL, ADMIN_PASSWORD),
    )
    assert created.status_code == 201, created.text
    lock_the_owner_out(client, monkeypatch)
    response = client.post(
        f"/api/users/{world.admin.id}/password",
        json={"password": "a-new-owner-password"},
        headers=login(client, "second@shop.test", "second-password-1"),
    )
    assert response.status_code == 204
    assert token_sign_in(client, "a-new-owner-password", OWNER) is True


def test_reset_password_on_the_command_line_clears_the_accounts_failures(client, world, monkeypatch):
    lock_the_owner_out(client, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-new-owner-password\n"))
    manage.main(["reset-password", OWNER_EMAIL, "--password-stdin"])
    assert token_sign_in(client, "a-new-owner-password", OWNER) is True
