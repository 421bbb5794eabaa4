"""In the simulator a customer gets a real catalog price from the assistant, then asks for a person."""

from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from aisha_app.models import Product
from tests.browser.conftest import customer_page, signed_in_page


def _add_product(database_url: str) -> None:
    """The catalog the assistant quotes from (its pages arrive later; the database is the API here)."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with Session(engine) as session:
        session.add(
            Product(
                sku="GLV-9",
                name="Leather work gloves",
                category="Hand protection",
                price=Decimal("450"),
                currency="KES",
                stock=60,
            )
        )
        session.commit()
    engine.dispose()


def test_the_assistant_quotes_the_catalog_and_hands_over_when_asked(browser: Browser, app_url, app_database):
    _add_product(app_database)
    simulator = customer_page(browser, app_url, "Zawadi", "0722987654")
    simulator.fill("#sim-input", "How much are the leather work gloves?")
    simulator.click("#sim-send")
    answer = simulator.locator(".bubble[data-direction=outbound]", has_text="KES 450")
    expect(answer).to_be_visible(timeout=15_000)
    expect(answer).to_contain_text("60 in stock")

    simulator.fill("#sim-input", "I want to talk to a real person")
    simulator.click("#sim-send")
    expect(simulator.locator(".bubble[data-direction=outbound]", has_text="colleague")).to_be_visible(
        timeout=15_000
    )

    inbox = signed_in_page(browser, app_url, "/inbox")
    row = inbox.locator(".conversation", has_text="Zawadi")
    expect(row).to_contain_text("pending")
    expect(row.locator(".waiting-since")).to_contain_text("waiting since")
    row.click()
    # Why it came to staff, and since when the customer has waited.
    expect(inbox.locator("#handoff")).to_contain_text("Waiting for staff since")
    expect(inbox.locator("#handoff")).to_contain_text("The customer asked for a person.")
    expect(inbox.locator("#ai-switch")).to_have_attribute("data-state", "unchecked")
    # The assistant's replies are marked as such, with the tools they called.
    priced = inbox.locator(".bubble[data-direction=outbound]", has_text="KES 450")
    expect(priced).to_contain_text("Assistant · search_products")
    inbox.locator("#ai-switch").click()  # staff give the conversation back to the assistant
    expect(inbox.locator("#ai-switch")).to_have_attribute("data-state", "checked")
    expect(inbox.locator("#handoff")).to_be_hidden()  # it is the assistant's again, not waiting
    inbox.context.close()
    simulator.context.close()
