"""Every page on a phone (390 and 360 px wide) and at a desk: it fits, and its main action is there."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESK, PHONE, SMALL_PHONE, customer_page, signed_in_page

# Each page and the control its work starts from.
MAIN_ACTION = {
    "/": "#welcome",
    "/inbox": "#inbox-search",
    "/contacts": "#contact-search",
    "/leads": "#lead-board",
    "/waiting-list": "#add-to-list",
    "/reviews": "#review-search",
    "/automations": "#new-automation",
    "/automations/edit": "#rule-save",
    "/automations/runs": "#runs-rule",
    "/settings": "#assistant-link",
    "/settings/users": "#create-user",
    "/settings/jobs": "#back-link",
    "/settings/assistant": "#profile-save",
    "/settings/knowledge": "#faq-save",
    "/settings/actions": "#action-save",
    "/settings/canned-responses": "#canned-save",
    "/settings/labels": "#label-add",
    "/settings/templates": "#tpl-save",
    "/settings/attributes": "#attr-define",
    "/simulator": "#sim-start",
    "/no-such-page": "#not-found",
}


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0: nothing scrolls sideways)."""
    return page.evaluate("document.scrollingElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390px", "360px"])
def test_every_page_fits_a_phone_and_shows_its_main_action(browser, app_url, viewport):
    page = signed_in_page(browser, app_url, "/", viewport=viewport)
    for path, action in MAIN_ACTION.items():
        page.goto(path)
        main = page.locator(action)
        expect(main).to_be_visible()
        main.scroll_into_view_if_needed()
        box = main.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], path
        assert sideways_overflow(page) == 0, path
        expect(page.locator("#sidebar")).to_be_hidden()
        expect(page.locator("#menu-button")).to_be_visible()
    page.context.close()


def test_on_a_phone_the_navigation_is_a_drawer_that_marks_the_page_you_are_on(browser, app_url):
    page = signed_in_page(browser, app_url, "/inbox", viewport=PHONE)
    page.click("#menu-button")
    drawer = page.locator("#nav-drawer")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("link", name="Inbox")).to_have_attribute("aria-current", "page")
    expect(drawer.get_by_role("link", name="Leads")).to_have_attribute("aria-current", "false")
    drawer.get_by_role("link", name="Leads").click()
    expect(page).to_have_url(re.compile(r"/leads$"))
    expect(page.locator("#nav-drawer")).to_be_hidden()
    expect(page.locator("#lead-board")).to_be_visible()
    page.context.close()


def test_at_a_desk_the_sidebar_marks_the_page_and_settings_pages_lead_back(browser, app_url):
    page = signed_in_page(browser, app_url, "/settings/users", viewport=DESK)
    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_visible()
    expect(page.locator("#menu-button")).to_be_hidden()
    expect(sidebar.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    page.click("#back-link")
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page.locator("#assistant-link")).to_be_visible()
    page.context.close()


def test_an_unknown_address_shows_a_404_inside_the_layout(browser, app_url):
    page = signed_in_page(browser, app_url, "/no/such/page", viewport=DESK)
    expect(page.locator("#not-found")).to_contain_text("Page not found")
    expect(page.locator("#sidebar")).to_be_visible()
    page.context.close()


def test_the_simulator_has_the_navigation_for_staff(browser, app_url):
    page = signed_in_page(browser, app_url, "/simulator", viewport=DESK)
    expect(page.locator("#sim-start")).to_be_visible()
    expect(page.locator("#sidebar").get_by_role("link", name="Simulator")).to_have_attribute(
        "aria-current", "page"
    )
    page.context.close()


def test_on_a_phone_the_inbox_goes_from_the_list_to_a_thread_and_back(browser, app_url):
    customer = customer_page(browser, app_url, "Njeri Wambui", "0722 000 111")
    long_word = "https://example.com/" + "a" * 120  # one long word: it must wrap, not widen the thread
    customer.fill("#sim-input", f"Do you deliver to Thika? {long_word}")
    customer.click("#sim-send")
    page = signed_in_page(browser, app_url, "/inbox", viewport=PHONE)
    row = page.locator(".conversation", has_text="Njeri Wambui")
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#thread")).to_contain_text("Do you deliver to Thika?")
    expect(page.locator(".inbox-list")).to_be_hidden()  # one screen: the thread alone
    expect(page.locator("#composer")).to_be_visible()
    expect(page.locator("#send")).to_be_in_viewport()
    assert sideways_overflow(page) == 0
    page.click("#thread-back")
    expect(page.locator(".inbox-list")).to_be_visible()
    expect(page.locator("#thread")).to_be_hidden()
    page.context.close()
    customer.context.close()


def test_on_a_phone_a_tables_row_actions_stay_on_screen(browser, app_url):
    customer = customer_page(browser, app_url, "Table Tester", "0744000987")
    customer.fill("#sim-input", "Habari")
    customer.click("#sim-send")
    expect(customer.locator(".bubble", has_text="Habari")).to_be_visible()
    page = signed_in_page(browser, app_url, "/contacts", viewport=SMALL_PHONE)
    # The other columns scroll sideways inside the table; the first, with the actions, stays.
    expect(page.locator("tr", has_text="Table Tester").get_by_role("button", name="Edit")).to_be_in_viewport(
        ratio=1
    )
    assert sideways_overflow(page) == 0
    page.goto("/settings/users")
    owner = page.locator("tr[id^='user-']").first
    expect(owner.get_by_role("button", name="Reset password")).to_be_in_viewport(ratio=1)
    assert sideways_overflow(page) == 0
    page.context.close()
    customer.context.close()
