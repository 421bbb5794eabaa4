"""Admins tune the assistant in the app: the offline keywords, the Gemini model and temperature."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from aisha_app.actions.app_settings import set_setting
from aisha_app.assistant.offline import DEFAULT_KEYWORDS, KEYWORDS_KEY, respond
from aisha_app.assistant.profile import BusinessProfile
from aisha_app.assistant.tuning import Tuning, keywords_text, load_tuning, parse_keywords
from aisha_app.errors import AppError

NOON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PROFILE = BusinessProfile(name="Kazi", address="Moi Avenue 12, Nairobi")


def test_the_keywords_text_round_trips():
    assert parse_keywords(keywords_text(DEFAULT_KEYWORDS)) == DEFAULT_KEYWORDS


def test_a_keyword_an_admin_adds_changes_what_the_offline_assistant_understands(session, world):
    assert respond(session, PROFILE, "ramani tafadhali", NOON).decision == "handoff"
    text = keywords_text(DEFAULT_KEYWORDS).replace("location: ", "location: ramani, ")
    set_setting(session, KEYWORDS_KEY, parse_keywords(text), world.admin)

    reply = respond(session, PROFILE, "ramani tafadhali", NOON)
    assert (reply.intent, reply.text) == ("location", "You can find us at Moi Avenue 12, Nairobi.")


def test_keywords_with_an_unknown_intent_or_a_missing_one_are_refused():
    with pytest.raises(AppError, match="Line 1: start with one of human"):
        parse_keywords("weather: rain\n" + keywords_text(DEFAULT_KEYWORDS))
    without_hours = "\n".join(
        line for line in keywords_text(DEFAULT_KEYWORDS).splitlines() if not line.startswith("hours")
    )
    with pytest.raises(AppError, match="at least one word for: hours"):
        parse_keywords(without_hours)


def test_the_model_and_temperature_default_to_the_environment_until_an_admin_sets_them(session, world):
    assert load_tuning(session) == Tuning(model="gemini-2.5-flash", temperature=0.3)
    set_setting(session, "assistant_tuning", {"model": "gemini-2.5-pro", "temperature": 1.1}, world.admin)
    assert load_tuning(session) == Tuning(model="gemini-2.5-pro", temperature=1.1)
    with pytest.raises(ValidationError):
        Tuning(model="gemini/../../etc", temperature=0.3)
    with pytest.raises(ValidationError):
        Tuning(model="gemini-2.5-pro", temperature=3)
