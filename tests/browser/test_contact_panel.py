"""The inbox's contact panel: edited beside the thread (desk) or behind the contact button (phone)."""

import httpx
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PHONE, customer_page, signed_in_page


def _contact(app_url: str, phone: str) -> dict:
    token = httpx.post(
        f"{app_url}/api/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    ).json()["access_token"]
    found = httpx.get(
        f"{app_url}/api/contacts", params={"q": phone}, headers={"Authorization": f"Bearer {token}"}
    )
    (contact,) = found.json()["items"]
    return contact


def test_an_agent_edits_the_contact_beside_the_thread_and_opens_the_lead_card(browser: Browser, app_url):
    customer = customer_page(browser, app_url, "Rehema", "0733600501")
    customer.fill("#sim-input", "Do you have gumboots in size 38?")
    customer.click("#sim-send")
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()

    agent = signed_in_page(browser, app_url, "/inbox")
    agent.locator(".conversation", has_text="Rehema").click()
    panel = agent.locator("#contact-panel")
    expect(panel.locator("#contact-contact-name")).to_have_value("Rehema")
    panel.locator("#contact-contact-name").fill("Rehema Achieng")
    panel.locator("#contact-tags").fill("gumboots, size 38")
    panel.locator("#contact-birthday-day").fill("14")
    panel.locator("#contact-birthday-month").fill("3")
    panel.locator("#contact-notes").fill("Buys for her farm workers; prefers calls after 5 pm")
    panel.locator("#contact-save").click()
    expect(panel).to_contain_text("Contact saved.")
    expect(agent.locator("#thread-header")).to_contain_text("Rehema Achieng")  # the header shows it too
    contact = _contact(app_url, "+254733600501")
    assert contact["name"] == "Rehema Achieng"
    assert contact["tags"] == ["gumboots", "size 38"]
    assert (contact["birthday_day"], contact["birthday_month"], contact["birthday_year"]) == (14, 3, None)
    assert contact["notes"] == "Buys for her farm workers; prefers calls after 5 pm"

    panel.locator("#contact-birthday-month").fill("13")  # the browser refuses it before sending
    panel.locator("#contact-save").click()
    assert panel.locator("#contact-birthday-month").evaluate("box => box.validity.rangeOverflow")
    panel.locator("#contact-birthday-month").fill("3")
    panel.locator("#contact-birthday-year").fill("1890")  # the server refuses it too
    panel.locator("#contact-birthday-year").evaluate("box => box.removeAttribute('min')")
    panel.locator("#contact-save").click()
    expect(panel.locator("#contact-error")).to_contain_text("birthday year")
    assert _contact(app_url, "+254733600501")["birthday_year"] is None

    panel.locator("#lead-link").click()
    expect(agent.locator("#lead-panel")).to_contain_text("Rehema Achieng")
    for page in (agent, customer):
        page.context.close()


def test_on_a_phone_the_contact_is_behind_the_contact_button(browser: Browser, app_url):
    customer = customer_page(browser, app_url, "Saidi Phone", "0733600502")
    customer.fill("#sim-input", "Habari")
    customer.click("#sim-send")
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()

    agent = signed_in_page(browser, app_url, "/inbox", viewport=PHONE)
    agent.locator(".conversation", has_text="Saidi Phone").click()
    expect(agent.locator("#contact-panel")).to_be_hidden()
    agent.click("#contact-button")
    agent.locator("#popover-contact-language").fill("sw")
    agent.locator("#popover-contact-save").click()
    expect(agent.locator("#popover-contact-notice")).to_have_text("Contact saved.")
    assert _contact(app_url, "+254733600502")["language"] == "sw"
    width = agent.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width == 0
    for page in (agent, customer):
        page.context.close()
