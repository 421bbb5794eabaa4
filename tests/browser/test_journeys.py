"""The three journeys, from the customer's phone (the simulator) to the staff screens and back."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import admin_api, customer_page, signed_in_page

REPLY = ".bubble[data-direction=outbound]"


def _context(browser: Browser, app_url: str) -> BrowserContext:
    context = browser.new_context(base_url=app_url)
    context.set_default_timeout(15_000)
    return context


def _say(simulator: Page, text: str) -> None:
    simulator.fill("#sim-input", text)
    simulator.click("#sim-send")


def test_a_customer_joins_the_waiting_list_and_staff_call_them(browser: Browser, app_url):
    board = signed_in_page(browser, app_url, "/waiting-list")
    expect(board.locator("#call-next")).to_be_visible()
    simulator = customer_page(browser, app_url, "Neema Otieno", "0733111222")

    _say(simulator, "join")
    joined = simulator.locator(REPLY, has_text="Your position: 1")
    expect(joined).to_be_visible()
    expect(joined.locator(".reply-button")).to_have_text(["My position", "Leave"])

    # The board shows her without a reload; the shop screen shows her first name only.
    expect(board.locator(".waiting-row", has_text="Neema Otieno")).to_be_visible()
    display_url = board.locator("#display-link").inner_text()
    screen = _context(browser, app_url).new_page()  # not signed in
    screen.goto(display_url)
    expect(screen.locator("#display-upcoming")).to_have_text(re.compile(r"^Neema$"))

    board.click("#call-next")
    expect(board.locator(".called-row", has_text="Neema Otieno")).to_be_visible()
    expect(simulator.locator(REPLY, has_text="It's your turn!")).to_be_visible()
    expect(screen.locator("#display-called")).to_have_text("Neema")

    board.locator(".called-row", has_text="Neema Otieno").locator(".serve").click()
    expect(board.locator(".called-row", has_text="Neema Otieno")).to_have_count(0)
    for page in (board, simulator, screen):
        page.context.close()


def test_a_customer_completes_a_review_and_it_appears_on_the_reviews_page(browser: Browser, app_url):
    reviews = signed_in_page(browser, app_url, "/reviews")
    expect(reviews.get_by_text("reviews", exact=False).first).to_be_visible()
    simulator = customer_page(browser, app_url, "Baraka Mwangi", "0733444555")

    _say(simulator, "review")
    expect(simulator.locator(REPLY, has_text="Which product or service")).to_be_visible()
    _say(simulator, "Hi-vis rain jacket")
    expect(simulator.locator(REPLY, has_text="Tell us about your experience")).to_be_visible()
    _say(simulator, "Kept me dry through the long rains.")
    rating = simulator.locator(REPLY, has_text="How would you rate it")
    expect(rating).to_be_visible()
    rating.locator(".reply-button").nth(3).click()  # four stars
    expect(simulator.locator(REPLY, has_text="Thank you, Baraka! Your 4-star review")).to_be_visible()

    row = reviews.locator(".review-row", has_text="Kept me dry through the long rains.")
    expect(row).to_be_visible()  # live, no reload
    expect(row).to_contain_text("Hi-vis rain jacket")
    expect(row).to_contain_text("★★★★☆")
    reviews.fill("#review-search", "long rains")
    expect(reviews.locator(".review-row")).to_have_count(1)
    with reviews.expect_download() as download:  # the CSV of what is shown
        reviews.click("#reviews-csv")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Kept me dry through the long rains." in exported and exported.count("\n") == 2
    for page in (reviews, simulator):
        page.context.close()


def test_dragging_a_lead_to_qualified_moves_it_for_every_signed_in_browser(browser: Browser, app_url):
    simulator = customer_page(browser, app_url, "Halima Yusuf", "0733777888")
    _say(simulator, "How much is a hard hat?")
    expect(simulator.locator(REPLY).first).to_be_visible()

    mover = signed_in_page(browser, app_url, "/leads")
    watcher = signed_in_page(browser, app_url, "/leads")  # a second signed-in browser
    card = mover.locator(".lead-column[data-stage=NEW] .lead-card", has_text="Halima Yusuf")
    expect(card).to_be_visible()
    expect(
        watcher.locator(".lead-column[data-stage=NEW] .lead-card", has_text="Halima Yusuf")
    ).to_be_visible()

    card.drag_to(mover.locator(".lead-column[data-stage=QUALIFIED]"))

    for page in (mover, watcher):
        moved = page.locator(".lead-column[data-stage=QUALIFIED] .lead-card", has_text="Halima Yusuf")
        expect(moved).to_be_visible()
        expect(moved.locator(".lead-reasons")).to_contain_text("+15 qualified")
        expect(
            page.locator(".lead-column[data-stage=NEW] .lead-card", has_text="Halima Yusuf")
        ).to_have_count(0)

    # The move is in the lead's timeline.
    watcher.locator(".lead-column[data-stage=QUALIFIED] .lead-card", has_text="Halima Yusuf").click()
    expect(watcher.locator("#lead-panel")).to_contain_text("NEW → QUALIFIED")

    # The board filters by the contact's tag.
    (lead,) = admin_api(app_url).get("/api/leads", params={"q": "Halima Yusuf"}).json()
    admin_api(app_url).patch(f"/api/contacts/{lead['contact_id']}", json={"tags": ["hard-hats"]})
    mover.fill("#lead-tag", "hard-hats")
    expect(mover.locator(".lead-card")).to_have_count(1)
    expect(mover.locator(".lead-card")).to_contain_text("Halima Yusuf")
    mover.fill("#lead-tag", "no-such-tag")
    expect(mover.locator(".lead-card")).to_have_count(0)
    for page in (mover, watcher, simulator):
        page.context.close()
