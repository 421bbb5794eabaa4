"""Settings on a phone: an admin keeps the labels (a rename reaches the conversation carrying
one) and defines a contact attribute whose values are then checked."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESK, PHONE, admin_api, customer_page, signed_in_page


def test_an_admin_keeps_the_labels_and_a_rename_reaches_the_conversation(browser: Browser, app_url):
    api = admin_api(app_url)
    customer = customer_page(browser, app_url, "Labelled Wekesa", "0733677001")
    customer.fill("#sim-input", "Habari")
    customer.click("#sim-send")
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()
    conversation = api.get("/api/conversations", params={"q": "Labelled Wekesa"}).json()["items"][0]

    page = signed_in_page(browser, app_url, "/settings/labels", viewport=PHONE)
    page.fill("#label-new-name", "needs-callback")
    page.select_option("#label-new-colour", "red")
    page.click("#label-add")
    expect(page.locator("#labels-notice")).to_contain_text("Label 'needs-callback' added.")
    row = page.locator(".label-row", has_text="needs-callback")
    expect(row).to_have_count(1)
    assert (
        api.patch(f"/api/conversations/{conversation['id']}", json={"labels": ["needs-callback"]}).status_code
        == 200
    )

    contact_id = conversation["contact"]["id"]
    assert api.patch(f"/api/contacts/{contact_id}", json={"tags": ["wekesa-farm"]}).status_code == 200
    inbox = signed_in_page(browser, app_url, "/inbox", viewport=DESK)
    inbox.select_option("#inbox-label-filter", "needs-callback")  # the team's labels, to filter by
    rows = inbox.locator(".conversation")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Labelled Wekesa")
    inbox.select_option("#inbox-label-filter", "")
    inbox.fill("#inbox-tag-filter", "wekesa-farm")  # the contact's tag
    expect(rows).to_have_count(1)
    rows.first.click()
    chip = inbox.locator("#thread-header .label-chip", has_text="needs-callback")
    expect(chip).to_have_attribute("data-accent-color", "red")  # in the label's colour
    offered = inbox.locator("#label-suggestions option").evaluate_all("options => options.map(o => o.value)")
    assert "needs-callback" in offered
    inbox.fill("#label-draft", "first-visit")  # a label first used here: the team's, grey
    inbox.locator("#label-draft").blur()
    expect(inbox.locator("#thread-header .label-chip", has_text="first-visit")).to_have_attribute(
        "data-accent-color", "gray"
    )
    expect(inbox.locator("#label-suggestions option[value=first-visit]")).to_have_count(1)
    inbox.context.close()

    name = row.locator(".label-name input")
    name.fill("call-back")
    name.blur()
    expect(page.locator("#labels-notice")).to_contain_text("Renamed to 'call-back'")
    assert api.get(f"/api/conversations/{conversation['id']}").json()["labels"] == [
        "call-back",
        "first-visit",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(".label-row", has_text="call-back").get_by_role("button", name="Delete").click()
    expect(page.locator("#labels-notice")).to_contain_text("taken off 1 conversation(s)")
    assert api.get(f"/api/conversations/{conversation['id']}").json()["labels"] == ["first-visit"]


def test_an_admin_defines_a_contact_attribute_and_values_are_checked(browser: Browser, app_url):
    api = admin_api(app_url)
    page = signed_in_page(browser, app_url, "/settings/attributes", viewport=PHONE)
    page.fill("#attr-key", "branch_visited")
    page.fill("#attr-label", "Branch visited")
    page.select_option("#attr-kind", "choice")
    page.fill("#attr-choices", "Westlands, Kisumu")
    page.click("#attr-define")
    expect(page.locator("#attributes-notice")).to_contain_text("'Branch visited' defined")
    row = page.locator(".attribute-row", has_text="Branch visited")
    expect(row).to_contain_text("branch_visited · One of a list: Westlands, Kisumu")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    contact = api.post("/api/contacts", json={"name": "Attr Njeri", "phone_number": "0733677002"}).json()
    refused = api.patch(f"/api/contacts/{contact['id']}", json={"attributes": {"branch_visited": "Mombasa"}})
    assert refused.status_code == 422 and "Branch visited is one of Westlands, Kisumu" in refused.text
    kept = api.patch(f"/api/contacts/{contact['id']}", json={"attributes": {"branch_visited": "kisumu"}})
    assert kept.json()["attributes"] == {"branch_visited": "Kisumu"}
    row.get_by_role("button", name="Remove").click()
    expect(page.locator("#attributes-notice")).to_contain_text("the values stay, as free text")
    expect(page.locator(".attribute-row", has_text="Branch visited")).to_have_count(0)
