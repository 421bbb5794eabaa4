"""Every answer carries the security headers; the running app's pages are checked in tests/browser."""

import pytest
from fastapi.testclient import TestClient

from aisha_app.api import build_api
from aisha_app.security_headers import SecurityHeaders, page_policy
from tests.unit.support import AGENT_PASSWORD


@pytest.fixture(scope="module")
def wrapped() -> TestClient:
    """The API as the app serves it: wrapped in the headers middleware (see aisha_app/aisha_app.py)."""
    return TestClient(SecurityHeaders(build_api()))


def assert_protected(response) -> str:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    return policy


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/health"), ("get", "/api/auth/me"), ("get", "/api/no-such-route"), ("post", "/api/auth/token")],
)
def test_api_answers_carry_the_security_headers_whatever_their_status(wrapped, world, method, path):
    policy = assert_protected(wrapped.request(method, path))
    assert policy.startswith("default-src 'none'")


def test_a_sign_in_redirect_carries_the_security_headers(wrapped, world):
    credentials = {"email": "agent@shop.test", "password": AGENT_PASSWORD}
    response = wrapped.post("/api/auth/login", data=credentials, follow_redirects=False)
    assert response.status_code == 303
    assert_protected(response)


def test_the_api_docs_page_may_load_swagger_ui_and_nothing_else(wrapped):
    response = wrapped.get("/docs")
    assert response.status_code == 200
    policy = assert_protected(response)
    assert "https://cdn.jsdelivr.net" in policy
    assert "'unsafe-eval'" not in policy


def test_the_pages_policy_allows_the_websocket_to_the_published_address_and_no_eval():
    policy = page_policy("https://aisha.example.com")
    assert "connect-src 'self' https://aisha.example.com wss://aisha.example.com" in policy
    assert "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
