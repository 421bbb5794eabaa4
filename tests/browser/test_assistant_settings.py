"""Admins register an action (its secret never comes back to the page) and teach the offline
assistant a keyword, then try it in the playground."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import signed_in_page

SECRET = "Bearer top-secret-4711"


def test_an_admin_registers_an_action_and_its_secret_stays_on_the_server(browser: Browser, app_url):
    page = signed_in_page(browser, app_url, "/settings/actions")

    page.fill("#action-name", "order_status")
    page.fill("#action-description", "Look up an order's delivery status by its number.")
    schema = '{"type": "object", "properties": {"order_number": {"type": "string"}}}'
    page.fill("#action-parameters", schema)
    page.fill("#action-url", "http://erp.example.com/orders")
    page.fill("#action-secret", SECRET)
    page.click("#action-save")
    expect(page.locator("#action-error")).to_contain_text("https://")  # plain http is refused

    page.fill("#action-url", "https://erp.example.com/orders")
    page.fill("#action-secret", SECRET)
    page.click("#action-save")
    expect(page.locator("#action-notice")).to_contain_text("Saved order_status")
    row = page.locator(".action-row", has_text="order_status")
    expect(row).to_contain_text("auth header set")

    row.get_by_role("button", name="Edit").click()
    expect(page.locator("#action-url")).to_have_value("https://erp.example.com/orders")
    expect(page.locator("#action-secret")).to_have_value("")
    page.reload()
    expect(page.locator(".action-row", has_text="order_status")).to_be_visible()
    assert SECRET not in page.content()
    page.context.close()


def test_a_keyword_an_admin_adds_is_understood_in_the_playground(browser: Browser, app_url):
    page = signed_in_page(browser, app_url, "/settings/assistant")

    page.locator("input[name=address]").fill("Moi Avenue 12, Nairobi")
    page.click("#profile-save")
    expect(page.locator("#profile-notice")).to_be_visible()

    keywords = page.locator("#tuning-keywords")
    expect(keywords).to_contain_text("location: where")
    keywords.fill(keywords.input_value().replace("location: where", "location: ramani, where"))
    page.fill("#tuning-temperature", "0.5")
    page.click("#tuning-save")
    expect(page.locator("#tuning-notice")).to_have_text("Saved.")

    page.fill("#playground-input", "ramani tafadhali")
    page.click("#playground-ask")
    answer = page.locator(".playground-line").last
    expect(answer).to_contain_text("Moi Avenue 12, Nairobi")
    expect(answer).to_contain_text("tools: get_business_info")

    page.reload()
    expect(page.locator("#tuning-keywords")).to_contain_text("location: ramani, where")
    expect(page.locator("#tuning-temperature")).to_have_value("0.5")
    page.context.close()
