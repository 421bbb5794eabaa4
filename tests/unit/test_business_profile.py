"""The business profile: opening hours read the way a shop owner writes them."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from aisha_app.assistant.profile import BusinessProfile
from aisha_app.state.assistant import _hours_text, _parse_hours


def test_hours_are_written_one_day_a_line_and_read_back():
    hours = _parse_hours("Monday 08:00-18:00\nsaturday 09:00-13:00")
    assert hours == {"monday": ["08:00", "18:00"], "saturday": ["09:00", "13:00"]}
    assert _hours_text(BusinessProfile(hours=hours)) == "monday 08:00-18:00\nsaturday 09:00-13:00"


@pytest.mark.parametrize("text", ["funday 08:00-18:00", "monday 8-6", "monday 18:00-08:00"])
def test_unreadable_hours_are_a_clear_error(text):
    with pytest.raises(ValueError, match="monday 08:00-18:00"):
        _parse_hours(text)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError):
        BusinessProfile(timezone="Mars/Olympus")


def test_open_now_and_the_next_opening_in_the_shops_time_zone():
    profile = BusinessProfile(timezone="Africa/Nairobi", hours={"monday": ["08:00", "18:00"]})
    monday_9_nairobi = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert profile.is_open(monday_9_nairobi)
    sunday_night = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    assert not profile.is_open(sunday_night)
    assert profile.next_opening(sunday_night) == "tomorrow at 08:00"
