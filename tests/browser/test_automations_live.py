"""Automations seen from the inbox: a keyword rule tags the customer while the agent watches,
and a deleted contact's conversation stays readable as a deleted contact's."""

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    DESK,
    PHONE,
    admin_api,
    customer_page,
    signed_in_page,
)

SHOTS = Path("test-results/screens")  # git-ignored, kept for a look


def test_a_keyword_rule_tags_the_customer_live_and_a_deleted_contact_stays_readable(
    browser: Browser, app_url
):
    api = admin_api(app_url)
    rule = {
        "name": "Asked for prices",
        "trigger": {"type": "keyword", "keywords": ["bei"]},
        "actions": [{"type": "add_tag", "tag": "asked-price"}],
    }
    created = api.post("/api/automations", json=rule)
    assert created.status_code == 201
    customer = customer_page(browser, app_url, "Makena Rulebook", "0733600777")
    customer.fill("#sim-input", "Hello")
    customer.click("#sim-send")
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()

    agent = signed_in_page(browser, app_url, "/inbox", viewport=DESK)
    agent.locator(".conversation", has_text="Makena Rulebook").click()
    tags = agent.locator("#contact-panel #contact-tags")
    expect(tags).to_have_value("")
    customer.fill("#sim-input", "Bei ya viatu ni ngapi?")
    customer.click("#sim-send")
    expect(tags).to_have_value("asked-price", timeout=20_000)  # the worker's change, shown live
    agent.screenshot(path=str(SHOTS / "automation-tagged-desk.png"))
    (run,) = api.get(f"/api/automations/{created.json()['id']}/runs").json()
    assert run["steps"][0]["detail"] == "added tag 'asked-price'"
    assert api.delete(f"/api/automations/{created.json()['id']}").status_code == 204  # other tests' customers

    contact = api.get("/api/contacts", params={"q": "+254733600777"}).json()["items"][0]
    assert api.delete(f"/api/contacts/{contact['id']}").status_code == 204
    phone = signed_in_page(browser, app_url, "/inbox", viewport=PHONE)
    phone.get_by_role("radio", name="Done").click()  # deleting resolved the conversation
    row = phone.locator(".conversation", has_text="Deleted contact")
    expect(row.first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row.first.click()
    expect(phone.locator(".bubble", has_text="Bei ya viatu ni ngapi?")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "deleted-contact-390.png"))
