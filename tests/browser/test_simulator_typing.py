"""The simulator shows the assistant typing while it prepares a reply, and stops when it comes."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import customer_page


def test_the_customer_sees_typing_until_the_reply_arrives(browser: Browser, app_url):
    customer = customer_page(browser, app_url, "Tumaini Typing", "0733600601")
    expect(customer.locator("#sim-typing")).to_have_count(0)
    customer.fill("#sim-input", "Do you have safety boots in size 41?")
    customer.click("#sim-send")
    expect(customer.locator("#sim-typing")).to_be_visible()  # the reply is being prepared
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible(timeout=10_000)
    expect(customer.locator("#sim-typing")).to_have_count(0)
    customer.context.close()
