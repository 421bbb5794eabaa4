"""Settings › Templates on a phone: an owner writes a template with a live preview, a mistake is
refused in words, the draft is submitted (the simulator approves at once), and only then is it
offered in the inbox's composer."""

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlmodel import Session

from aisha_app.db import build_engine
from aisha_app.models import Channel, Contact, Conversation, MessageTemplate
from aisha_app.models.base import utcnow
from tests.browser.conftest import DESK, PHONE, admin_api, signed_in_page

SHOTS = Path("test-results/screens")


def test_an_owner_writes_a_template_sees_its_preview_and_submits_it(browser: Browser, app_url):
    page = signed_in_page(browser, app_url, "/settings/templates", viewport=PHONE)
    page.fill("#tpl-name", "Order Ready")  # Meta refuses capitals and spaces
    page.select_option("#tpl-channel", "simulator")
    page.select_option("#tpl-header-type", "text")
    page.fill("#tpl-header-text", "Your order")
    page.fill("#tpl-body", "Hi {{1}}, your order {{2}} is ready for collection.")
    page.fill("#tpl-examples", "Wanjiru\nK-102")
    page.fill("#tpl-footer", "Kazi Workwear")
    page.select_option("#tpl-b0-type", "quick_reply")
    page.get_by_label("Button 1 text", exact=True).fill("On my way")
    preview = page.locator("#tpl-preview")
    expect(preview).to_contain_text("Hi Wanjiru, your order K-102 is ready for collection.")  # live
    expect(preview).to_contain_text("Your order")
    expect(page.locator(".tpl-button")).to_have_text("On my way")
    page.click("#tpl-save")
    expect(page.locator("#templates-error")).to_contain_text(
        "Name: lowercase letters, digits and underscores"
    )
    page.fill("#tpl-name", "order_ready")
    page.click("#tpl-save")
    expect(page.locator("#templates-notice")).to_contain_text("'order_ready' saved as a draft")
    row = page.locator(".template-row", has_text="order_ready")
    expect(row).to_contain_text("draft")
    expect(page.locator("#tpl-name")).to_have_value("")  # the editor is cleared for the next one
    expect(page.locator("#tpl-body")).to_have_value("")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "templates-390.png"), full_page=True)

    (made,) = [t for t in admin_api(app_url).get("/api/templates").json() if t["name"] == "order_ready"]
    assert made["buttons"] == [{"type": "quick_reply", "text": "On my way"}] and made["examples"] == [
        "Wanjiru",
        "K-102",
    ]
    row.get_by_role("button", name="Submit for approval").click()
    expect(row).to_contain_text("approved")
    expect(row.get_by_role("button", name="Edit")).to_have_count(0)  # the provider's now
    desk = signed_in_page(browser, app_url, "/settings/templates", viewport=DESK)
    expect(desk.locator(".template-row", has_text="order_ready")).to_contain_text("approved")
    desk.screenshot(path=str(SHOTS / "templates-desk.png"), full_page=True)


def test_outside_the_window_the_composer_offers_approved_templates_filled_for_the_customer(
    browser: Browser, app_url, app_database
):
    engine = build_engine(app_database)
    with Session(engine) as session:  # a WhatsApp customer last heard from two days ago
        contact = Contact(name="Nyokabi Wairimu", phone_e164="+254733688001")
        session.add(contact)
        session.flush()
        session.add(
            Conversation(
                contact_id=contact.id,
                channel=Channel.WHATSAPP_CLOUD,
                last_inbound_at=utcnow() - timedelta(days=2),
                last_message_at=utcnow() - timedelta(days=2),
            )
        )
        for name, status in (("pickup_ready", "approved"), ("pickup_draft", "draft")):
            session.add(  # Meta's approval cannot come here: the approved one is seeded as such
                MessageTemplate(
                    name=name,
                    channel=Channel.WHATSAPP_CLOUD,
                    body="Hi {{1}}, your order {{2}} is ready for pickup.",
                    examples=["Wanjiru", "K-102"],
                    variables=["first name", "order number"],
                    status=status,
                )
            )
        session.commit()
    engine.dispose()

    page = signed_in_page(browser, app_url, "/inbox", viewport=PHONE)
    page.locator(".conversation", has_text="Nyokabi Wairimu").click()
    expect(page.locator("#window-closed")).to_be_visible()
    offered = page.locator("#template-choice option").evaluate_all("options => options.map(o => o.value)")
    assert offered == ["", "pickup_ready"]  # not the draft
    page.select_option("#template-choice", "pickup_ready")
    first = page.locator(".template-variable input").nth(0)
    expect(first).to_have_value("Nyokabi")  # from the contact's name
    page.click("#send-template")
    expect(page.locator("#composer-error")).to_contain_text("Fill in every variable")
    page.locator(".template-variable input").nth(1).fill("K-377")
    expect(page.locator("#template-preview")).to_have_text(
        "Hi Nyokabi, your order K-377 is ready for pickup."
    )
    page.click("#send-template")
    expect(page.locator("#thread")).to_contain_text("Hi Nyokabi, your order K-377 is ready for pickup.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
