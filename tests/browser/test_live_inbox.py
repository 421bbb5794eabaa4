"""A customer writes in the simulator; an agent's open inbox shows it live and the reply comes back."""

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import admin_api, customer_page, signed_in_page

AGENT_EMAIL = "inbox.agent@kazi.test"
AGENT_PASSWORD = "inbox-agent-password"


def _create_agent(app_url: str) -> None:
    admin_api(app_url).post(
        "/api/users", json={"email": AGENT_EMAIL, "name": "Inbox Agent", "password": AGENT_PASSWORD}
    )


def test_simulator_message_appears_live_and_the_reply_returns_with_ticks(browser: Browser, app_url):
    _create_agent(app_url)
    inbox = signed_in_page(browser, app_url, "/inbox", AGENT_EMAIL, AGENT_PASSWORD)
    expect(inbox.locator("#inbox-search")).to_be_visible()

    simulator = customer_page(browser, app_url, "Fatuma", "0722123456")
    simulator.fill("#sim-input", "Habari, do you have reflective vests?")
    simulator.click("#sim-send")

    # No reload: the agent's open inbox is told about the new conversation.
    row = inbox.locator(".conversation", has_text="Fatuma")
    expect(row).to_be_visible(timeout=5_000)
    expect(row).to_contain_text("reflective vests")
    row.click()
    expect(inbox.locator(".bubble[data-direction=inbound]")).to_contain_text("reflective vests")

    inbox.fill("#composer", "Yes, KES 650 each.")
    inbox.click("#send")

    reply = simulator.locator(".bubble[data-direction=outbound]", has_text="KES 650 each")
    expect(reply).to_be_visible(timeout=5_000)
    expect(reply.locator(".tick")).to_have_text("✓✓")
    # The customer's phone showed it, so the agent sees it read.
    expect(inbox.locator(".bubble[data-status=read]", has_text="KES 650 each")).to_be_visible(timeout=5_000)

    # A private note stays with the team: the customer's phone never shows it.
    note_mode = inbox.get_by_text("Private note", exact=True).locator("xpath=..").get_by_role("switch")
    note_mode.click()
    inbox.fill("#composer", "Prefers delivery after 5pm")
    inbox.click("#send")
    expect(inbox.locator(".bubble", has_text="Prefers delivery after 5pm")).to_be_visible()
    expect(note_mode).not_to_be_checked()  # a note is one message: the next one is a reply again
    inbox.fill("#composer", "We deliver tomorrow.")
    inbox.click("#send")
    expect(simulator.locator(".bubble", has_text="We deliver tomorrow.")).to_be_visible(timeout=5_000)
    expect(simulator.locator(".bubble", has_text="Prefers delivery after 5pm")).to_have_count(0)
    inbox.context.close()
    simulator.context.close()


def test_the_simulator_needs_a_signed_in_user_unless_an_admin_opens_it(browser: Browser, app_url):
    context = browser.new_context(base_url=app_url)
    page = context.new_page()
    page.goto("/simulator")
    expect(page).to_have_url(re.compile(r"/login"))

    admin = signed_in_page(browser, app_url, "/settings")
    admin.click("#simulator-public")
    expect(admin.locator("#simulator-public")).to_be_checked()
    try:
        # An open demo: the visitor plays a demo number of their own, never one they type.
        page.goto("/simulator")
        expect(page.locator("#sim-demo-number")).to_be_visible()
        expect(page.locator("#sim-phone")).to_have_count(0)
        page.fill("#sim-name", "Visitor")
        page.click("#sim-start")
        expect(page.get_by_text(re.compile(r"^\+999\d{9}$"))).to_be_visible()
    finally:
        admin.click("#simulator-public")
        expect(admin.locator("#simulator-public")).not_to_be_checked()
        admin.context.close()
    context.close()
