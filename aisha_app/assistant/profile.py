"""The business profile the assistant speaks for: who, where, when open, what it may do."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from aisha_app.actions.app_settings import get_setting

PROFILE_KEY = "business_profile"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class BusinessProfile(BaseModel):
    name: str = Field(default="Our shop", max_length=120)
    description: str = Field(default="", max_length=2000)
    address: str = Field(default="", max_length=300)
    timezone: str = "Africa/Nairobi"
    # {"monday": ["08:00", "18:00"], ...}; a missing day is closed.
    hours: dict[str, list[str]] = Field(default_factory=dict)
    tone: str = Field(default="friendly and brief", max_length=200)
    languages: list[str] = Field(default_factory=lambda: ["en", "ar", "sw"])
    may: str = Field(default="answer questions about products, prices, hours and location", max_length=1000)
    may_not: str = Field(
        default="promise discounts, invent prices or stock, or give legal advice", max_length=1000
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.timezone))

    def is_open(self, now: datetime) -> bool:
        local = self._local(now)
        span = self.hours.get(DAYS[local.weekday()])
        return bool(span) and span[0] <= local.strftime("%H:%M") < span[1]

    def next_opening(self, now: datetime) -> str | None:
        """'today at 08:00', 'Monday at 08:00', or None when no hours are set."""
        local = self._local(now)
        for offset in range(8):
            day = local + timedelta(days=offset)
            span = self.hours.get(DAYS[day.weekday()])
            if not span or (offset == 0 and local.strftime("%H:%M") >= span[0]):
                continue
            when = "today" if offset == 0 else "tomorrow" if offset == 1 else DAYS[day.weekday()].title()
            return f"{when} at {span[0]}"
        return None

    def hours_text(self) -> str:
        if not self.hours:
            return ""
        return "; ".join(
            f"{d.title()} {self.hours[d][0]}-{self.hours[d][1]}" for d in DAYS if d in self.hours
        )


def load_profile(session: Session) -> BusinessProfile:
    return BusinessProfile.model_validate(get_setting(session, PROFILE_KEY, {}) or {})
