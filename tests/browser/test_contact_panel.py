"""The inbox's contact panel: edited beside the thread (desk) or behind the contact button (phone)."""

import time

from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, admin_api, customer_page, signed_in_page


def _contact(app_url: str, phone: str) -> dict:
    (contact,) = admin_api(app_url).get("/api/contacts", params={"q": phone}).json()["items"]
    return contact


def _define(app_url: str, **definition) -> None:
    made = admin_api(app_url).post("/api/attributes", json=definition)
    assert made.status_code in (201, 409), made.text


def test_an_agent_edits_the_contact_beside_the_thread_and_opens_the_lead_card(browser: Browser, app_url):
    _define(app_url, key="panel_boot_size", label="Boot size", kind="number")
    _define(app_url, key="panel_farm", label="Farm", kind="choice", choices=["Tea", "Maize"])
    _define(app_url, key="panel_member", label="Member", kind="yes_no")
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
    panel.get_by_label("Boot size", exact=True).fill("38")  # attributes, each box as defined
    panel.get_by_label("Farm", exact=True).select_option("Tea")
    panel.get_by_label("Member", exact=True).select_option("yes")
    panel.locator("#contact-save").click()
    expect(panel).to_contain_text("Contact saved.")
    expect(agent.locator("#thread-header")).to_contain_text("Rehema Achieng")  # the header shows it too
    contact = _contact(app_url, "+254733600501")
    assert contact["name"] == "Rehema Achieng"
    assert contact["tags"] == ["gumboots", "size 38"]
    assert (contact["birthday_day"], contact["birthday_month"], contact["birthday_year"]) == (14, 3, None)
    assert contact["notes"] == "Buys for her farm workers; prefers calls after 5 pm"
    assert {k: contact["attributes"][k] for k in ("panel_boot_size", "panel_farm", "panel_member")} == {
        "panel_boot_size": 38,
        "panel_farm": "Tea",
        "panel_member": True,
    }
    expect(panel.get_by_label("Member", exact=True)).to_have_value("yes")  # read back as stored
    panel.get_by_label("Member", exact=True).select_option("")  # emptied: removed
    panel.locator("#contact-save").click()
    for _ in range(50):  # the notice shows already: wait for the change itself
        if "panel_member" not in _contact(app_url, "+254733600501")["attributes"]:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the emptied attribute was kept")

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
