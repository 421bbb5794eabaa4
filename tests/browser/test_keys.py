"""Working fast: keys for the next conversation, resolve, assign to me and search; one-click buttons."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import customer_page, signed_in_page


def test_keys_move_resolve_assign_and_search_and_the_next_conversation_opens(browser: Browser, app_url):
    customers = []
    for name, phone in (("Imani Keys", "0733600401"), ("Kito Keys", "0733600402")):
        customer = customer_page(browser, app_url, name, phone)
        customer.fill("#sim-input", f"{name} needs help with an order")
        customer.click("#sim-send")
        expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()
        customers.append(customer)

    agent = signed_in_page(browser, app_url, "/inbox")
    rows = agent.locator(".conversation")
    expect(rows.first).to_contain_text("Kito Keys")  # the newest first
    expect(rows.nth(1)).to_contain_text("Imani Keys")
    header = agent.locator("#thread-header")

    agent.keyboard.press("j")  # nothing chosen yet: the first
    expect(header).to_contain_text("Kito Keys")
    agent.keyboard.press("j")
    expect(header).to_contain_text("Imani Keys")
    agent.keyboard.press("k")
    expect(header).to_contain_text("Kito Keys")

    agent.keyboard.press("a")
    expect(agent.locator("#assign-me")).to_have_count(0)  # it is the agent's now
    agent.keyboard.press("e")  # resolved: it leaves the Active list and the next one opens
    expect(header).to_contain_text("Imani Keys")
    expect(agent.locator(".conversation", has_text="Kito Keys")).to_have_count(0)

    agent.get_by_role("radio", name="Done").click()
    expect(agent.locator(".conversation", has_text="Kito Keys")).to_be_visible()
    agent.get_by_role("radio", name="Active").click()

    # One click does the same as the keys.
    agent.locator(".conversation", has_text="Imani Keys").click()
    agent.click("#assign-me")
    expect(agent.locator("#assign-me")).to_have_count(0)
    agent.click("#resolve")
    expect(agent.locator(".conversation", has_text="Imani Keys")).to_have_count(0)

    agent.keyboard.press("/")
    expect(agent.locator("#inbox-search")).to_be_focused()
    agent.keyboard.type("j")  # in a text box a key is only a letter
    expect(agent.locator("#inbox-search")).to_have_value("j")
    agent.keyboard.press("Escape")
    expect(agent.locator("#inbox-search")).not_to_be_focused()
    for page in (agent, *customers):
        page.context.close()
