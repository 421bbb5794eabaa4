"""The demo shop tells one story: the business profile, the FAQ and the assistant's answers agree."""

import re
from datetime import UTC, datetime

from sqlmodel import select

from aisha_app.actions.demo import load_demo_workspace
from aisha_app.assistant.offline import respond
from aisha_app.assistant.profile import DAYS, load_profile
from aisha_app.models import KnowledgeArticle, Product

ADDRESS = "Moi Avenue 14, Nairobi CBD"
TUESDAY_NOON_NAIROBI = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SPAN = re.compile(r"([A-Z][a-z]+day)(?: to ([A-Z][a-z]+day))?,? (\d{1,2}:\d\d) ?(?:-|to) ?(\d{1,2}:\d\d)")


def hours_in(text: str) -> dict[str, list[str]]:
    """The opening hours a sentence states ("Monday to Friday 8:00-18:00 and Saturday ..."), by day."""
    found = {}
    for first, last, opens, closes in SPAN.findall(text):
        start, end = DAYS.index(first.lower()), DAYS.index((last or first).lower())
        for day in DAYS[start : end + 1]:
            found[day] = [opens.zfill(5), closes.zfill(5)]
    return found


def test_the_demo_profile_has_the_shops_address_and_hours(session):
    load_demo_workspace(session)
    profile = load_profile(session)
    assert profile.name == "Kazi Workwear"
    assert profile.address == ADDRESS
    weekday = ["08:00", "18:00"]
    assert profile.hours == {
        "monday": weekday,
        "tuesday": weekday,
        "wednesday": weekday,
        "thursday": weekday,
        "friday": weekday,
        "saturday": ["09:00", "14:00"],
    }
    assert "closed on Sundays and public holidays" in profile.description


def test_the_demo_faq_says_what_the_profile_says(session):
    load_demo_workspace(session)
    answers = {a.question: a.answer for a in session.exec(select(KnowledgeArticle)).all()}
    assert hours_in(answers["What are your opening hours?"]) == load_profile(session).hours
    assert "closed on Sundays and public holidays" in answers["What are your opening hours?"]
    assert load_profile(session).address in answers["Where is the shop?"]


def test_the_assistant_gives_the_demo_shops_hours_and_address(session):
    load_demo_workspace(session)
    profile = load_profile(session)
    for question in ("What time do you open?", "What are your opening hours?"):
        reply = respond(session, profile, question, TUESDAY_NOON_NAIROBI)
        assert hours_in(reply.text) == profile.hours, reply.text
    for question in ("Where are you?", "Where is the shop?"):
        reply = respond(session, profile, question, TUESDAY_NOON_NAIROBI)
        assert ADDRESS in reply.text, reply.text


def test_the_demo_catalog_keeps_its_products_prices_and_stock(session):
    load_demo_workspace(session)
    catalog = {p.sku: (p.name, str(p.price), p.stock) for p in session.exec(select(Product)).all()}
    assert catalog == {
        "BOOT-STL-01": ("Steel-toe safety boots", "4500.00", 18),
        "VEST-HV-02": ("High-visibility reflective vest", "650.00", 120),
        "OVR-CTN-03": ("Cotton overalls, navy", "2800.00", 35),
        "HLM-ABS-04": ("Safety helmet with chin strap", "1200.00", 0),
        "GLV-LTH-05": ("Leather work gloves", "450.00", 60),
    }
