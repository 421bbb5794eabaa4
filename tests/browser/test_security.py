"""The served app's security headers, a Content-Security-Policy the pages live with, and sign-out."""

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect

from aisha_app.security import SESSION_COOKIE
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

# Every violation a page reports, kept where the test can read it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.mark.parametrize("path", ["/login/", "/inbox/", "/health", "/api/auth/me", "/api/no-such-route"])
def test_pages_and_api_answers_carry_the_security_headers(app_url, path):
    response = httpx.get(f"{app_url}{path}")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_content_security_policy_blocks_nothing_the_app_needs(browser: Browser, app_url):
    context = browser.new_context(base_url=app_url)
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    visited = []
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    # The welcome line comes over the websocket: scripts, styles and the socket all work.
    expect(page.locator("#welcome")).to_be_visible()
    visited.append(page.evaluate("window.__cspViolations"))
    # A customer writes in the simulator; staff read it live in the inbox.
    page.goto("/simulator")
    page.fill("#sim-name", "Zawadi Kamau")
    page.fill("#sim-phone", "+254711000222")
    page.click("#sim-start")
    page.fill("#sim-input", "Do you have reflective vests?")
    page.click("#sim-send")
    expect(page.locator("#sim-thread")).to_contain_text("reflective vests")
    visited.append(page.evaluate("window.__cspViolations"))
    page.goto("/inbox")
    page.locator(".conversation", has_text="Zawadi Kamau").click()
    expect(page.locator("#thread")).to_contain_text("reflective vests")
    visited.append(page.evaluate("window.__cspViolations"))
    page.goto("/leads")
    expect(page.locator("#sign-out")).to_be_visible()
    visited.append(page.evaluate("window.__cspViolations"))
    context.close()
    assert all(v == [] for v in visited), visited
    assert not [text for text in console if "Content Security Policy" in text]


def test_a_copied_session_cookie_opens_no_page_after_signing_out(browser: Browser, app_url):
    context = browser.new_context(base_url=app_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.locator("#welcome")).to_be_visible()
    copied = next(c for c in context.cookies() if c["name"] == SESSION_COOKIE)
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/login"))
    context.close()

    thief = browser.new_context(base_url=app_url)
    thief.set_default_timeout(15_000)
    thief.add_cookies([copied])
    stolen = thief.new_page()
    stolen.goto("/inbox")
    expect(stolen).to_have_url(re.compile(r"/login\?next="))
    expect(stolen.locator("#sign-in")).to_be_visible()
    thief.close()
