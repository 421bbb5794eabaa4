"""Unread counts move live between two signed-in agents: per conversation, in the navigation, in the title."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    PHONE,
    admin_api,
    customer_page,
    signed_in_page,
)

PASSWORD = "unread-agent-password"


def _agent(app_url: str, email: str, name: str) -> int:
    response = admin_api(app_url).post(
        "/api/users", json={"email": email, "name": name, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _badge(page: Page, selector: str) -> int:
    """The navigation's count (0 when it shows none)."""
    badge = page.locator(selector)
    return int(badge.inner_text().rstrip("+")) if badge.count() else 0


def test_unread_counts_move_live_between_two_agents(browser: Browser, app_url):
    _agent(app_url, "unread.desk@kazi.test", "Desk Agent")
    _agent(app_url, "unread.phone@kazi.test", "Phone Agent")
    desk = signed_in_page(browser, app_url, "/inbox", "unread.desk@kazi.test", PASSWORD)
    phone = signed_in_page(browser, app_url, "/inbox", "unread.phone@kazi.test", PASSWORD, viewport=PHONE)
    expect(desk.locator("#inbox-search")).to_be_visible()
    expect(phone.locator("#inbox-search")).to_be_visible()

    customer = customer_page(browser, app_url, "Zawadi Unread", "0733600100")
    for text in ("Habari, are you open on Sunday?", "And do you deliver to Thika?"):
        customer.fill("#sim-input", text)
        customer.click("#sim-send")
        expect(customer.locator(".bubble", has_text=text)).to_be_visible()

    # Both agents see the two unread messages without reloading; the assistant's replies are not unread.
    desk_row = desk.locator(".conversation", has_text="Zawadi Unread")
    phone_row = phone.locator(".conversation", has_text="Zawadi Unread")
    expect(desk_row.locator(".unread")).to_have_text("2", timeout=5_000)
    expect(phone_row.locator(".unread")).to_have_text("2", timeout=5_000)
    desk_count = _badge(desk, "#nav-unread")
    phone_count = _badge(phone, "#top-unread")  # on a phone the badge sits by the menu button
    assert desk_count >= 1 and phone_count >= 1
    expect(desk).to_have_title(re.compile(rf"^\({desk_count}\+?\) Inbox"))

    # The desk agent reads it: their counts drop, the phone agent's stay.
    desk_row.click()
    expect(desk.locator(".bubble", has_text="deliver to Thika")).to_be_visible()
    expect(desk_row.locator(".unread")).to_have_count(0)
    expect(desk.locator("#nav-unread")).to_have_count(0 if desk_count == 1 else 1)
    if desk_count > 1:
        expect(desk.locator("#nav-unread")).to_have_text(str(desk_count - 1))
        expect(desk).to_have_title(re.compile(rf"^\({desk_count - 1}\) Inbox"))
    else:
        expect(desk).to_have_title(re.compile(r"^Inbox"))
    expect(phone_row.locator(".unread")).to_have_text("2")
    assert _badge(phone, "#top-unread") == phone_count

    # A new message while the desk agent has the thread open: read for them, one more for the other.
    customer.fill("#sim-input", "Please call me back")
    customer.click("#sim-send")
    expect(phone_row.locator(".unread")).to_have_text("3", timeout=5_000)
    expect(desk.locator(".bubble", has_text="Please call me back")).to_be_visible(timeout=5_000)
    expect(desk_row.locator(".unread")).to_have_count(0)

    # The phone agent opens it and goes back to the list: now read for them too.
    phone_row.click()
    expect(phone.locator(".bubble", has_text="Please call me back")).to_be_visible()
    phone.click("#thread-back")
    expect(phone_row.locator(".unread")).to_have_count(0)
    for page in (desk, phone, customer):
        page.context.close()


def test_an_agent_who_turned_alerts_on_hears_of_a_conversation_assigned_to_them(browser: Browser, app_url):
    agent_id = _agent(app_url, "alerts.agent@kazi.test", "Alert Agent")
    agent = signed_in_page(browser, app_url, "/contacts", "alerts.agent@kazi.test", PASSWORD)
    toggle = agent.locator("#alerts-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")  # kept by this browser

    customer = customer_page(browser, app_url, "Juma Alerts", "0733600200")
    customer.fill("#sim-input", "I need someone to call me")
    customer.click("#sim-send")
    expect(agent.locator("html")).to_have_attribute(
        "data-last-alert", re.compile("New conversation: Juma Alerts"), timeout=5_000
    )

    owner = signed_in_page(browser, app_url, "/inbox")
    owner.locator(".conversation", has_text="Juma Alerts").click()
    conversation_id = int(owner.locator("#thread").get_attribute("data-conversation"))
    response = admin_api(app_url).patch(
        f"/api/conversations/{conversation_id}", json={"assignee_id": agent_id}
    )
    assert response.status_code == 200, response.text
    expect(agent.locator("html")).to_have_attribute(
        "data-last-alert", re.compile("Assigned to you: Juma Alerts"), timeout=5_000
    )
    agent.reload()
    expect(agent.locator("#alerts-toggle")).to_have_attribute("aria-pressed", "true")
    for page in (agent, customer, owner):
        page.context.close()
