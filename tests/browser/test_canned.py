"""Canned responses: an admin adds one in Settings; an agent inserts it by typing / in the composer."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, customer_page, signed_in_page


def test_an_admin_adds_a_canned_response_and_an_agent_inserts_it_with_a_slash(browser: Browser, app_url):
    admin = signed_in_page(browser, app_url, "/settings/canned-responses")
    admin.fill("#canned-shortcut", "/karibu")
    admin.fill("#canned-text", "Karibu {{contact.first_name}}! We open at 8 am. {{agent.first_name}}")
    admin.click("#canned-save")
    expect(admin.locator("#canned-notice")).to_contain_text("/karibu saved")
    expect(admin.locator(".canned-response", has_text="/karibu")).to_be_visible()
    admin.fill("#canned-shortcut", "bad {{")
    admin.fill("#canned-text", "Hello {{contact.surname}}")
    admin.click("#canned-save")
    expect(admin.locator("#canned-error")).to_contain_text("unknown variable contact.surname")

    customer = customer_page(browser, app_url, "Neema Canned", "0733600300")
    customer.fill("#sim-input", "What time do you open?")
    customer.click("#sim-send")
    expect(customer.locator(".bubble", has_text="What time do you open?")).to_be_visible()

    agent = signed_in_page(browser, app_url, "/inbox", viewport=PHONE)
    agent.locator(".conversation", has_text="Neema Canned").click()
    composer = agent.locator("#composer")
    composer.press_sequentially("/kar", delay=30)
    menu = agent.locator("#canned-menu")
    expect(menu.locator(".canned-option", has_text="/karibu")).to_be_visible()
    composer.press("Enter")  # inserts the response: it does not send "/kar"
    expect(composer).to_have_value("Karibu Neema! We open at 8 am. Admin")
    expect(menu).to_have_count(0)
    expect(agent.locator(".bubble", has_text="/kar")).to_have_count(0)
    composer.press("Enter")  # now it sends
    sent = customer.locator(".bubble", has_text="Karibu Neema! We open at 8 am.")
    expect(sent).to_be_visible(timeout=5_000)

    # A slash inside a word is just text; Escape closes the menu and the next Enter sends.
    composer.fill("see https://kazi.example/hours")
    expect(menu).to_have_count(0)
    composer.fill("")
    composer.press_sequentially("and /kar", delay=30)
    expect(menu).to_be_visible()
    composer.press("Escape")
    expect(menu).to_be_hidden()
    composer.press("Enter")
    expect(customer.locator(".bubble", has_text="and /kar")).to_be_visible(timeout=5_000)
    for page in (admin, customer, agent):
        page.context.close()
