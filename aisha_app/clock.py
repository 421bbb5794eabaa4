"""One time convention: every time staff read is the shop's (its profile's time zone), labelled.

Pages show a short time (or one relative to now) and give the exact one, with the zone's
name, on hover: the same instant reads the same on every screen, whatever the browser's clock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session


def shop_zone(session: Session) -> ZoneInfo:
    from aisha_app.assistant.profile import load_profile

    return ZoneInfo(load_profile(session).timezone)


def short(at: datetime | None, zone: ZoneInfo) -> str:
    """``02 Dec 14:05`` in the shop's zone ("" for no time)."""
    return at.astimezone(zone).strftime("%d %b %H:%M") if at else ""


def clock(at: datetime | None, zone: ZoneInfo) -> str:
    """``14:05`` in the shop's zone."""
    return at.astimezone(zone).strftime("%H:%M") if at else ""


def exact(at: datetime | None, zone: ZoneInfo) -> str:
    """``Tue 2 Dec 2026, 14:05 EAT``: what a hover shows, the zone named."""
    if not at:
        return ""
    local = at.astimezone(zone)
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y, %H:%M')} {local.tzname()}"


def span(minutes: int) -> str:
    """90 → "1 hour 30 minutes", 2880 → "2 days"."""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n > 1 else ''}" for n, unit in parts if n) or "0 minutes"
