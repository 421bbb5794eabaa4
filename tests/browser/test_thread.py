"""The inbox thread as an agent reads it: newest first in view, following, older on scroll, Enter sends."""

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from aisha_app.db import build_engine
from aisha_app.models import Contact, Conversation, Message
from aisha_app.state.inbox import LIST_PAGE
from tests.browser.conftest import PHONE, customer_page, signed_in_page


def _long_thread(browser: Browser, app_url: str, app_database: str, name: str, phone: str, lines: int):
    """A customer who wrote once in the simulator, and ``lines`` messages after it; their page."""
    customer = customer_page(browser, app_url, name, phone)
    customer.fill("#sim-input", "The very first message")
    customer.click("#sim-send")
    expect(customer.locator(".bubble", has_text="The very first message")).to_be_visible()
    expect(
        customer.locator(".bubble[data-direction=outbound]").first
    ).to_be_visible()  # the assistant answered
    engine = build_engine(app_database)
    with Session(engine) as session:  # a long history, as a busy customer's grows
        contact = session.exec(select(Contact).where(Contact.phone_e164 == "+254" + phone[1:])).one()
        conversation = session.exec(select(Conversation).where(Conversation.contact_id == contact.id)).one()
        session.add_all(
            Message(
                conversation_id=conversation.id,
                channel=conversation.channel,
                direction="inbound",
                type="text",
                body=f"Line {n}",
                status="received",
            )
            for n in range(lines)
        )
        session.commit()
        conversation_id = conversation.id
    engine.dispose()
    return customer, conversation_id


def _bubbles(page: Page) -> int:  # noqa: D103
    return page.locator("#thread .bubble").count()


def test_a_long_thread_opens_at_its_newest_and_loads_older_messages_as_the_agent_scrolls_up(
    browser: Browser, app_url, app_database
):
    customer, conversation_id = _long_thread(browser, app_url, app_database, "Baraka Long", "0733555001", 250)
    page = signed_in_page(browser, app_url, f"/inbox?c={conversation_id}")
    expect(page.locator(".bubble", has_text="Line 249")).to_be_in_viewport()
    assert _bubbles(page) == 100
    expect(page.locator(".bubble", has_text="Line 150")).to_be_attached()
    expect(page.locator(".bubble", has_text="Line 149")).to_have_count(0)

    # No cap: every page of older messages comes as the agent scrolls up (250 lines and the 2 before).
    for loaded in (200, 252):
        page.locator("#thread").evaluate("t => { t.scrollTop = 0; }")
        expect(page.locator("#thread .bubble")).to_have_count(loaded, timeout=10_000)
    expect(page.locator(".bubble", has_text="The very first message")).to_be_attached()
    expect(page.locator(".bubble", has_text="Line 249")).not_to_be_in_viewport()  # the view stayed up
    page.context.close()
    customer.context.close()


def test_the_thread_follows_new_messages_unless_the_agent_has_scrolled_up(
    browser: Browser, app_url, app_database
):
    customer, conversation_id = _long_thread(browser, app_url, app_database, "Zawadi Reads", "0733555002", 60)
    page = signed_in_page(browser, app_url, f"/inbox?c={conversation_id}", viewport=PHONE)
    expect(page.locator(".bubble", has_text="Line 59")).to_be_in_viewport()

    customer.fill("#sim-input", "Are you open on Saturday?")
    customer.click("#sim-send")
    expect(page.locator(".bubble", has_text="Are you open on Saturday?")).to_be_in_viewport(timeout=10_000)
    expect(page.locator("#new-messages")).to_be_hidden()

    page.locator("#thread").evaluate("t => { t.scrollTop = t.scrollHeight / 3; }")  # reading older ones
    page.wait_for_timeout(300)
    customer.fill("#sim-input", "And on Sunday?")
    customer.click("#sim-send")
    expect(page.locator("#new-messages")).to_be_visible(timeout=10_000)
    expect(page.locator(".bubble", has_text="And on Sunday?")).not_to_be_in_viewport()
    page.click("#new-messages")
    expect(page.locator(".bubble", has_text="And on Sunday?")).to_be_in_viewport()
    expect(page.locator("#new-messages")).to_be_hidden()
    page.context.close()
    customer.context.close()


def test_enter_sends_and_shift_enter_makes_a_new_line(browser: Browser, app_url):
    customer = customer_page(browser, app_url, "Enter Tester", "0733555003")
    customer.fill("#sim-input", "Hello")
    customer.click("#sim-send")
    page = signed_in_page(browser, app_url, "/inbox")
    page.locator(".conversation", has_text="Enter Tester").click()
    composer = page.locator("#composer")
    composer.fill("First line")
    composer.press("Shift+Enter")
    composer.press_sequentially("second line")
    expect(composer).to_have_value("First line\nsecond line")  # Shift+Enter: still composing
    composer.press("Enter")
    expect(customer.locator(".bubble", has_text="second line")).to_contain_text("First line", timeout=10_000)
    expect(composer).to_have_value("")
    page.context.close()
    customer.context.close()


def test_private_note_mode_looks_different_and_ends_after_the_note(browser: Browser, app_url):
    customer = customer_page(browser, app_url, "Note Tester", "0733555004")
    customer.fill("#sim-input", "Hi there")
    customer.click("#sim-send")
    page = signed_in_page(browser, app_url, "/inbox")
    page.locator(".conversation", has_text="Note Tester").click()
    page.click("#note-switch")
    expect(page.locator("#note-mode")).to_be_visible()
    expect(page.locator("#composer")).to_have_attribute("data-note", "true")
    expect(page.locator("#send")).to_have_text("Add note")
    page.fill("#composer", "Regular customer, gets the trade price")
    page.press("#composer", "Enter")
    expect(page.locator(".bubble", has_text="trade price")).to_be_visible(timeout=10_000)
    expect(page.locator("#note-mode")).to_be_hidden()
    expect(page.locator("#composer")).to_have_attribute("data-note", "false")
    expect(page.locator("#send")).to_have_text("Send")
    # The list's preview is what the customer saw or sent, never the note.
    expect(page.locator(".conversation", has_text="Note Tester")).not_to_contain_text("trade price")
    page.context.close()
    customer.context.close()


def test_the_conversation_list_loads_more_as_the_agent_scrolls_to_its_end(
    browser: Browser, app_url, app_database
):
    from aisha_app.models.base import utcnow

    engine = build_engine(app_database)
    with Session(engine) as session:  # a busy morning: more customers than one page of the list
        for n in range(70):
            contact = Contact(name=f"Morning customer {n}", phone_e164=f"+2547444{n:05d}")
            session.add(contact)
            session.flush()
            session.add(Conversation(contact_id=contact.id, channel="simulator", last_message_at=utcnow()))
        session.commit()
        total = len(session.exec(select(Conversation.id)).all())
    engine.dispose()
    page = signed_in_page(browser, app_url, "/inbox")
    page.click("text=All")  # every status
    rows = page.locator(".conversation")
    expect(rows).to_have_count(LIST_PAGE)
    for pages in (2, 3):  # each next page, after the last row
        page.locator("#conversation-list").evaluate("l => { l.scrollTop = l.scrollHeight; }")
        expect(rows).to_have_count(min(total, pages * LIST_PAGE), timeout=10_000)
    page.context.close()


def test_a_failed_reply_shows_why_with_a_retry_and_reply_buttons_show_in_the_thread(
    browser: Browser, app_url, app_database
):
    customer = customer_page(browser, app_url, "Retry Tester", "0744000321")
    customer.fill("#sim-input", "Is the red one in stock?")
    customer.click("#sim-send")
    expect(customer.locator(".bubble[data-direction=outbound]").first).to_be_visible()
    engine = build_engine(app_database)
    with Session(engine) as session:  # a reply the provider refused, and one with buttons
        contact = session.exec(select(Contact).where(Contact.phone_e164 == "+254744000321")).one()
        conversation = session.exec(select(Conversation).where(Conversation.contact_id == contact.id)).one()
        failed = Message(
            conversation_id=conversation.id,
            channel=conversation.channel,
            direction="outbound",
            type="text",
            body="Yes, size 42 is here",
            status="failed",
            error_code="131047",
            error_text="Re-engagement message",
        )
        asked = Message(
            conversation_id=conversation.id,
            channel=conversation.channel,
            direction="outbound",
            type="interactive",
            body="Shall we keep one for you?",
            status="sent",
            meta={"buttons": [{"id": "keep", "title": "Keep it"}, {"id": "no", "title": "No thanks"}]},
        )
        session.add_all([failed, asked])
        session.commit()
        conversation_id, failed_id = conversation.id, failed.id
    engine.dispose()
    page = signed_in_page(browser, app_url, f"/inbox?c={conversation_id}")
    asking = page.locator("#thread .bubble", has_text="Shall we keep one for you?")
    expect(asking.locator(".reply-button")).to_have_text(["Keep it", "No thanks"])
    expect(asking.locator(".reply-button").first).to_be_disabled()  # the customer's to tap, not staff's
    refused = page.locator(f'#thread .bubble[data-id="{failed_id}"]')
    expect(refused).to_contain_text("131047: Re-engagement message")
    refused.get_by_role("button", name="Retry").click()
    expect(refused).not_to_have_attribute("data-status", "failed")  # queued again, then sent
    expect(refused).not_to_contain_text("131047")
    page.context.close()
    customer.context.close()
