"""A parked webhook that cannot be read shows on the Failed jobs page, with its reason."""

import re
import time

import httpx
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from aisha_app.actions.ingest import Delivery, park_webhook
from aisha_app.db import build_engine
from aisha_app.models import Job
from aisha_app.services.messaging.base import ParsedWebhook
from tests.browser.conftest import signed_in_page


def test_a_parked_webhook_that_keeps_failing_is_on_the_failed_jobs_page(
    browser: Browser, app_url, app_database
):
    engine = build_engine(app_database)
    with Session(engine) as session:  # parked by the writer, as after a failed store
        body = '{"object": "whatsapp_business_account", "entry": "not a list"}'
        park_webhook(session, Delivery("whatsapp_cloud", ParsedWebhook(), body, {}), "stored too late")
        session.commit()  # the writer's commit: park_webhook only flushes
    deadline = time.monotonic() + 30  # the app's own workers take the job and give up on it
    while time.monotonic() < deadline:
        with Session(engine) as session:
            job = session.exec(select(Job).where(Job.kind == "process_webhook")).first()
            if job is not None and job.status == "dead":
                break
        time.sleep(0.5)
    engine.dispose()
    assert job is not None and job.status == "dead", job
    assert httpx.get(f"{app_url}/health").status_code == 200

    page = signed_in_page(browser, app_url, "/settings/jobs")
    card = page.locator(".job", has_text="process_webhook")
    expect(card).to_be_visible()
    expect(card).to_contain_text("cannot be read: not a WhatsApp Business Account webhook")
    # When it gave up: relative on the page, exact in the shop's zone (named) on hover.
    gave_up = re.compile(r"^\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d EAT$")  # Wed 2 Dec 2026, 14:05 EAT
    expect(card.locator(".job-when")).to_have_attribute("title", gave_up)
    # On a phone, its Replay is on screen: nothing to scroll sideways to.
    page.set_viewport_size({"width": 360, "height": 800})
    replay = card.get_by_role("button", name="Replay")
    expect(replay).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.scrollingElement.scrollWidth - document.documentElement.clientWidth") == 0
    replay.click()
    expect(page.get_by_text(f"Job {job.id} is queued again.")).to_be_visible()
    page.context.close()
