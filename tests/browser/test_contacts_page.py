"""The Contacts page on a phone: tags shown and tapped to filter, a birthday and a time zone
edited, and an impossible date refused in words."""

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    DESK,
    PHONE,
    SMALL_PHONE,
    admin_api,
    signed_in_page,
)

SHOTS = Path("test-results/screens")  # git-ignored, kept for a look


def test_tags_filter_the_contacts_and_a_birthday_is_edited_on_a_phone(browser: Browser, app_url):
    api = admin_api(app_url)
    for name, phone, tags in (
        ("Tagfilter Achieng", "0733644001", ["gold-card", "boots"]),
        ("Tagfilter Baraka", "0733644002", ["boots"]),
    ):
        added = api.post("/api/contacts", json={"name": name, "phone_number": phone, "tags": tags})
        assert added.status_code == 201, added.text
    defined = api.post(
        "/api/attributes", json={"key": "page_first_visit", "label": "First visit", "kind": "date"}
    )
    assert defined.status_code in (201, 409), defined.text
    page = signed_in_page(browser, app_url, "/contacts", viewport=SMALL_PHONE)
    page.fill("#contact-search", "Tagfilter")
    rows = page.locator(".contact-row")
    expect(rows).to_have_count(2)
    rows.filter(has_text="Tagfilter Achieng").locator(".contact-tag", has_text="gold-card").click()
    expect(page.locator("#contact-tag-filter")).to_have_value("gold-card")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tagfilter Achieng")
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    page.screenshot(path=str(SHOTS / "contacts-tag-360.png"), full_page=True)
    page.fill("#segment-name", "Gold card holders")  # the filter, saved as a segment with a live count
    page.click("#segment-save")
    expect(page.locator("#contacts-notice")).to_contain_text("Segment 'Gold card holders' saved")
    chip = page.locator(".segment-chip", has_text="Gold card holders")
    expect(chip).to_contain_text("1 · 1 reachable")
    expect(rows).to_have_count(1)  # the segment is the filter now
    chip.click()  # tapped again: off
    expect(rows).to_have_count(2)
    rows.filter(has_text="Tagfilter Achieng").locator(".contact-tag", has_text="gold-card").click()
    expect(rows).to_have_count(1)
    page.click("#contact-tag-clear")
    expect(rows).to_have_count(2)

    rows.filter(has_text="Tagfilter Baraka").get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("A 29 February birthday is celebrated on 28 February in other years.")
    dialog.locator("input[name=birthday_day]").fill("31")
    dialog.locator("input[name=birthday_month]").fill("2")
    page.click("#contact-save")
    expect(page.locator("#contact-edit-error")).to_contain_text("February has 29 days")
    dialog.locator("input[name=birthday_day]").fill("29")
    dialog.locator("input[name=timezone]").fill("Mars/Olympus_Mons")
    page.click("#contact-save")
    expect(page.locator("#contact-edit-error")).to_contain_text(
        "Time zone: unknown time zone 'Mars/Olympus_Mons'"
    )
    dialog.locator("input[name=timezone]").fill("Africa/Cairo")
    dialog.get_by_label("First visit", exact=True).fill("2026-03-14")  # the phone's date picker
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    page.click("#contact-save")
    expect(dialog).to_be_hidden()
    expect(rows.filter(has_text="Tagfilter Baraka")).to_contain_text("29 Feb")
    saved = api.get("/api/contacts", params={"q": "Tagfilter Baraka"}).json()["items"][0]
    assert (saved["birthday_day"], saved["birthday_month"], saved["timezone"]) == (29, 2, "Africa/Cairo")
    assert saved["attributes"]["page_first_visit"] == "2026-03-14"

    desk = signed_in_page(browser, app_url, "/contacts?tag=boots", viewport=DESK)
    expect(desk.locator("#contact-tag-filter")).to_have_value("boots")
    desk.fill("#contact-search", "Tagfilter")
    expect(desk.locator(".contact-row")).to_have_count(2)
    with desk.expect_download() as download:  # what the filters find, as CSV (an admin)
        desk.click("#contacts-csv")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("id,name,phone,") and exported.count("Tagfilter") == 2
    desk.select_option("#contact-stage-filter", "WON")
    expect(desk.locator(".contact-row")).to_have_count(0)
    expect(desk.get_by_text("No contact matches")).to_be_visible()


def test_an_owner_imports_contacts_from_a_csv_after_a_preview(browser: Browser, app_url):
    page = signed_in_page(browser, app_url, "/contacts", viewport=PHONE)
    csv = (
        "name,phone,tags,birthday_day,birthday_month\n"
        "Importa Chebet,0733655001,csv-import,12,5\n"
        "Importa Impossible,0733655002,,30,2\n"
    )
    page.set_input_files(
        "#contacts-import input[type=file]",
        files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
    )
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("1 would be created, 0 updated, 1 refused")
    expect(summary).to_contain_text("Nothing is saved until you press Import.")
    lines = page.locator(".import-line")
    expect(lines.first).to_contain_text("Line 3")  # the refused line first, with why
    expect(lines.first).to_contain_text("February has 29 days")
    page.fill("#contact-search", "Importa")
    expect(page.locator(".contact-row")).to_have_count(0)  # the preview kept nothing
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "contacts-import-390.png"), full_page=True)
    page.click("#import-confirm")
    expect(summary).to_contain_text("1 created, 0 updated, 1 refused.")
    expect(page.locator(".contact-row")).to_have_count(1)
    expect(page.locator(".contact-row").first).to_contain_text("12 May")
    expect(page.locator("#import-confirm")).to_have_count(0)
