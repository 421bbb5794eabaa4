"""One time convention: staff read every time in the shop's time zone, with the zone named on hover."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from aisha_app.actions.app_settings import set_setting
from aisha_app.actions.ingest import receive_simulated
from aisha_app.assistant.profile import PROFILE_KEY
from aisha_app.clock import clock, exact, short
from aisha_app.models import Message
from aisha_app.queries import staff
from aisha_app.queries.inbox import thread_view


def test_times_are_written_in_the_given_zone_and_name_it():
    at = datetime(2026, 12, 2, 11, 5, tzinfo=UTC)
    nairobi, cairo = ZoneInfo("Africa/Nairobi"), ZoneInfo("Africa/Cairo")
    assert (short(at, nairobi), clock(at, nairobi), exact(at, nairobi)) == (
        "02 Dec 14:05",
        "14:05",
        "Wed 2 Dec 2026, 14:05 EAT",
    )
    assert exact(at, cairo) == "Wed 2 Dec 2026, 13:05 EET"
    assert short(None, cairo) == exact(None, cairo) == ""


def test_the_thread_and_the_staff_list_use_the_shops_zone(session, world):
    set_setting(session, PROFILE_KEY, {"timezone": "Africa/Cairo"}, world.admin)
    receive_simulated(session, "+254700000201", "Nour", "Ahlan")
    session.commit()
    message = session.exec(select(Message)).one()
    (bubble,) = thread_view(session, message.conversation_id)
    cairo = ZoneInfo("Africa/Cairo")
    assert bubble["time"] == message.created_at.astimezone(cairo).strftime("%d %b %H:%M")
    assert bubble["exact"].endswith(message.created_at.astimezone(cairo).strftime("%H:%M EET"))

    world.admin.last_login_at = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    session.add(world.admin)
    session.commit()
    (owner,) = [u for u in staff(session) if u["id"] == world.admin.id]
    assert owner["last_login"] == "Wed 2 Dec 2026, 08:00 EET"
