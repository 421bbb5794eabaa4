"""An owner makes a keyword rule in the editor, without JSON: tries it on a customer (nothing
changes), saves it; the customer writes the keyword in the simulator, the tag shows on the contact
panel live, and the run is in the run log. The pages hold at 360 px."""

import re
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DESK,
    SMALL_PHONE,
    admin_api,
    customer_page,
    signed_in_page,
)

SHOTS = Path("test-results/screens")  # git-ignored, kept for a look
TAG = "wants-delivery"


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _write_rule(owner: Page) -> None:
    owner.fill("#rule-name", "Asks about delivery")
    expect(owner.locator("#rule-trigger")).to_have_value("keyword")  # the editor's first trigger
    owner.fill("#rule-keywords", "delivery\nleta")
    owner.select_option("#rule-match", "word")
    # Only if the contact does not have the tag yet: a condition made from menus and a box.
    owner.click("#add-condition-all")
    condition = owner.locator("#rule-conditions .condition").first
    condition.get_by_label("Field", exact=True).select_option("contact.tags")
    condition.get_by_label("Comparison", exact=True).select_option("not_contains")
    condition.locator(".cond-value input").fill(TAG)
    action = owner.locator("#rule-actions .action").first
    expect(action.get_by_label("Action", exact=True)).to_have_value("add_tag")
    action.locator(".action-name input").fill(TAG)
    owner.click("#add-action")
    second = owner.locator("#rule-actions .action").nth(1)
    second.get_by_label("Action", exact=True).select_option("note")
    second.locator(".action-text textarea").fill("Asked about delivery: {{contact.first_name}}")


def test_an_owner_builds_a_keyword_rule_in_the_editor_and_it_tags_the_customer_live(
    browser: Browser, app_url
):
    api = admin_api(app_url)
    customer = customer_page(browser, app_url, "Atieno Editorial", "0733611888")
    customer.fill("#sim-input", "Habari")
    customer.click("#sim-send")
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()

    owner = signed_in_page(browser, app_url, "/automations/edit", viewport=DESK)
    _write_rule(owner)
    # A mistake is said in words, where it is, and nothing is saved.
    owner.locator("#rule-actions .action").first.locator(".action-name input").fill("")
    owner.click("#rule-save")
    expect(owner.locator("#rule-error")).to_contain_text("Action 1 (Add a tag")
    assert not [r for r in api.get("/api/automations").json() if r["name"] == "Asks about delivery"]
    owner.locator("#rule-actions .action").first.locator(".action-name input").fill(TAG)

    # The dry run, before saving: what it would do for this customer, and nothing done.
    owner.fill("#try-search", "Atieno Edit")
    owner.locator(".try-match", has_text="Atieno Editorial").click()
    owner.click("#try-run")
    result = owner.locator("#dry-result")
    expect(result).to_contain_text("succeeded")
    expect(result).to_contain_text(f"✓ Contact's tags does not contain {TAG}")
    expect(result).to_contain_text(f"added tag '{TAG}'")
    expect(owner.locator("#dry-trigger")).to_contain_text("none of the keywords")  # "Habari"
    owner.screenshot(path=str(SHOTS / "rule-editor-desk.png"), full_page=True)
    contact = api.get("/api/contacts", params={"q": "+254733611888"}).json()["items"][0]
    assert contact["tags"] == []  # the dry run changed nothing

    owner.click("#rule-save")
    expect(owner.locator("#rule-notice")).to_contain_text("'Asks about delivery' saved and on.")
    expect(owner).to_have_url(re.compile(r"/automations/edit\?id=\d+$"))
    (saved,) = [r for r in api.get("/api/automations").json() if r["name"] == "Asks about delivery"]
    try:
        assert saved["trigger"] == {"type": "keyword", "keywords": ["delivery", "leta"], "match": "word"}
        assert saved["conditions"]["all"] == [{"field": "contact.tags", "op": "not_contains", "value": TAG}]
        assert [a["type"] for a in saved["actions"]] == ["add_tag", "note"]
        owner.reload()  # the saved rule reads back into the same boxes
        expect(owner.locator("#rule-keywords")).to_have_value("delivery\nleta")
        expect(owner.locator("#rule-actions .action")).to_have_count(2)

        agent = signed_in_page(browser, app_url, "/inbox", viewport=DESK)
        agent.locator(".conversation", has_text="Atieno Editorial").click()
        tags = agent.locator("#contact-panel #contact-tags")
        expect(tags).to_have_value("")
        customer.fill("#sim-input", "Mnaweza LETA viatu Kisumu?")  # capitals do not matter
        customer.click("#sim-send")
        expect(tags).to_have_value(TAG, timeout=20_000)  # the worker's change, shown live

        log = signed_in_page(browser, app_url, f"/automations/runs?rule={saved['id']}", viewport=SMALL_PHONE)
        run = log.locator(".run", has_text="Atieno Editorial")
        expect(run).to_have_count(1)
        expect(run.locator(".run-status")).to_have_text("succeeded")
        expect(run).to_contain_text(f"added tag '{TAG}'")
        _no_sideways_scroll(log)
        log.screenshot(path=str(SHOTS / "run-log-360.png"), full_page=True)

        listing = signed_in_page(browser, app_url, "/automations", viewport=SMALL_PHONE)
        rule = listing.locator(".rule", has_text="Asks about delivery")
        expect(rule.locator(".rule-trigger")).to_contain_text("Keyword: delivery, leta")
        expect(rule.locator(".rule-counts")).to_contain_text("Runs: 1 · failed: 0")
        _no_sideways_scroll(listing)
        listing.screenshot(path=str(SHOTS / "automations-360.png"), full_page=True)
        rule.locator(".rule-switch").click()  # off, from the list, with a thumb
        expect(listing.locator("#automations-notice")).to_contain_text("'Asks about delivery' is off.")
        assert api.get(f"/api/automations/{saved['id']}").json()["is_active"] is False
        editor = signed_in_page(browser, app_url, f"/automations/edit?id={saved['id']}", viewport=SMALL_PHONE)
        expect(editor.locator("#rule-keywords")).to_have_value("delivery\nleta")
        _no_sideways_scroll(editor)
        expect(editor.locator("#rule-save")).to_be_visible()
        editor.screenshot(path=str(SHOTS / "rule-editor-360.png"), full_page=True)
    finally:
        assert api.delete(f"/api/automations/{saved['id']}").status_code == 204  # other tests' customers


def test_saving_from_the_editor_changes_only_what_was_edited_there(browser: Browser, app_url):
    """A rule made over the API with what the boxes cannot show exactly (a yes/no attribute, a
    number to set, a blank template variable), switched off in another tab meanwhile: renaming it
    in the editor keeps all of that, and does not switch it back on."""
    api = admin_api(app_url)
    body = {
        "name": "VIP follow-up",
        "trigger": {"type": "tag_added", "tag": "vip"},
        "conditions": {"all": [{"field": "contact.attributes.vip", "op": "equals", "value": True}]},
        "actions": [
            {"type": "set_attribute", "key": "visits", "value": 3},
            {"type": "send_template", "template": "vip_offer", "variables": ["{{contact.first_name}}", ""]},
        ],
    }
    created = api.post("/api/automations", json=body)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    try:
        owner = signed_in_page(browser, app_url, f"/automations/edit?id={rule_id}", viewport=DESK)
        expect(owner.locator("#rule-name")).to_have_value("VIP follow-up")
        assert api.patch(f"/api/automations/{rule_id}", json={"is_active": False}).status_code == 200
        owner.fill("#rule-name", "VIP follow-up (gold)")
        owner.click("#rule-save")
        expect(owner.locator("#rule-notice")).to_contain_text("saved, switched off.")
        saved = api.get(f"/api/automations/{rule_id}").json()
        assert saved["name"] == "VIP follow-up (gold)"
        assert saved["is_active"] is False  # the other tab's switch stands
        assert (saved["conditions"], saved["actions"]) == (
            created.json()["conditions"],
            created.json()["actions"],
        )
    finally:
        assert api.delete(f"/api/automations/{rule_id}").status_code == 204


def test_an_owner_on_a_phone_makes_a_birthday_rule_and_runs_it_now(browser: Browser, app_url):
    api = admin_api(app_url)
    today = datetime.now(UTC).date()
    contact = api.post(
        "/api/contacts",
        json={
            "name": "Nafula Birthday",
            "phone_number": "0733622999",
            "timezone": "UTC",
            "birthday_month": today.month,
            "birthday_day": today.day,
        },
    )
    assert contact.status_code == 201, contact.text
    owner = signed_in_page(browser, app_url, "/automations/edit", viewport=SMALL_PHONE)
    owner.fill("#rule-name", "Birthday wishes")
    owner.select_option("#rule-trigger", "birthday")
    expect(owner.locator("#rule-when")).to_contain_text("29 February birthday is celebrated on 28 February")
    owner.fill("#rule-at", "08:30")
    owner.fill("#rule-days-before", "0")
    owner.locator("#rule-actions .action").first.locator(".action-name input").fill("birthday-wished")
    owner.click("#add-action")  # then wait two days (unless they write), then a note
    wait = owner.locator("#rule-actions .action").nth(1)
    wait.get_by_label("Action", exact=True).select_option("wait")
    wait.locator(".action-wait-for input").fill("2")
    wait.get_by_label("Unit", exact=True).select_option("days")
    expect(wait.locator(".cancel-customer_replied")).to_be_checked()
    owner.click("#add-action")
    last = owner.locator("#rule-actions .action").nth(2)
    last.get_by_label("Action", exact=True).select_option("note")
    last.locator(".action-text textarea").fill("Two days since the birthday wish")
    _no_sideways_scroll(owner)
    owner.click("#rule-save")
    expect(owner.locator("#rule-notice")).to_contain_text("'Birthday wishes' saved and on.")
    (saved,) = [r for r in api.get("/api/automations").json() if r["name"] == "Birthday wishes"]
    try:
        assert saved["trigger"] == {"type": "birthday", "days_before": 0, "at": "08:30"}
        assert saved["actions"][1] == {
            "type": "wait",
            "minutes": 2 * 24 * 60,
            "cancel_if": ["customer_replied"],
        }
        owner.click("#rule-run-now")
        expect(owner.locator("#rule-notice")).to_contain_text(re.compile(r"Queued for [1-9]\d* customer"))
        for _ in range(40):  # the workers run what was queued
            tags = api.get(f"/api/contacts/{contact.json()['id']}").json()["tags"]
            if tags:
                break
            time.sleep(0.5)
        assert tags == ["birthday-wished"]
        log = signed_in_page(browser, app_url, f"/automations/runs?rule={saved['id']}", viewport=SMALL_PHONE)
        run = log.locator(".run", has_text="Nafula Birthday")
        expect(run.locator(".run-status")).to_have_text("waiting")
        expect(run).to_contain_text("waits 2 days, until")
        owner.screenshot(path=str(SHOTS / "rule-birthday-360.png"), full_page=True)
        listing = signed_in_page(browser, app_url, "/automations", viewport=SMALL_PHONE)
        expect(listing.locator(".rule", has_text="Birthday wishes").locator(".rule-trigger")).to_contain_text(
            "Birthday: on the day at 08:30"
        )
    finally:
        assert api.delete(f"/api/automations/{saved['id']}").status_code == 204
