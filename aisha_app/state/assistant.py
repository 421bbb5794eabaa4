"""Settings › Assistant: the business profile (admins) and the playground (all staff)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import ValidationError

from aisha_app.actions.app_settings import set_setting
from aisha_app.actions.assistant import answer
from aisha_app.assistant.offline import DEFAULT_KEYWORDS, KEYWORDS_KEY
from aisha_app.assistant.profile import DAYS, PROFILE_KEY, BusinessProfile, load_profile
from aisha_app.assistant.tuning import (
    TUNING_KEY,
    Tuning,
    keywords_text,
    load_keywords,
    load_tuning,
    parse_keywords,
)
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.state.session import SessionState, off_loop


def _hours_text(profile: BusinessProfile) -> str:
    return "\n".join(f"{d} {profile.hours[d][0]}-{profile.hours[d][1]}" for d in DAYS if d in profile.hours)


def _parse_hours(text: str) -> dict[str, list[str]]:
    """'monday 08:00-18:00' per line; days not listed are closed."""
    hours: dict[str, list[str]] = {}
    for line in text.strip().splitlines():
        day, _, span = line.strip().lower().partition(" ")
        start, _, end = span.strip().partition("-")
        if day not in DAYS or len(start) != 5 or len(end.strip()) != 5 or start >= end.strip():
            raise ValueError(f"write each day as 'monday 08:00-18:00' (not {line.strip()!r})")
        hours[day] = [start, end.strip()]
    return hours


class AssistantState(SessionState):
    profile: dict[str, Any] = {}
    notice: str = ""
    error: str = ""
    chat: list[dict[str, Any]] = []
    prompt: str = ""
    tuning: dict[str, str] = {}
    keywords: str = ""
    tuning_notice: str = ""
    tuning_error: str = ""

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        with unit_of_work() as session:
            profile = load_profile(session)
            tuning = load_tuning(session)
            self.keywords = keywords_text(load_keywords(session))
        self.tuning = {"model": tuning.model, "temperature": str(tuning.temperature)}
        self.tuning_notice = self.tuning_error = ""
        self.profile = profile.model_dump() | {
            "hours_text": _hours_text(profile),
            "languages_text": ", ".join(profile.languages),
        }
        self.notice = self.error = ""
        return None

    @rx.event
    @off_loop
    def save_profile(self, form: dict[str, Any]) -> None:
        self.notice = self.error = ""
        admin = self._authorize(admin=True)
        self.forbidden = False  # the playground stays usable; only saving is for admins
        if admin is None:
            self.error = "Only admins change the business profile."
            return
        try:
            profile = BusinessProfile(
                name=form.get("name", ""),
                description=form.get("description", ""),
                address=form.get("address", ""),
                timezone=form.get("timezone", "") or "Africa/Nairobi",
                hours=_parse_hours(form.get("hours_text", "")),
                tone=form.get("tone", ""),
                languages=[x.strip() for x in form.get("languages_text", "").split(",") if x.strip()],
                may=form.get("may", ""),
                may_not=form.get("may_not", ""),
            )
        except (ValidationError, ValueError) as exc:
            self.error = (
                "; ".join(e["msg"] for e in exc.errors()) if isinstance(exc, ValidationError) else str(exc)
            )
            return
        with unit_of_work() as session:
            set_setting(session, PROFILE_KEY, profile.model_dump(), admin)
        self.notice = "Saved. The assistant uses it from the next message."

    @rx.event
    @off_loop
    def save_tuning(self, form: dict[str, Any]) -> None:
        """The model, its temperature and the offline keywords, saved together."""
        self.tuning_notice = self.tuning_error = ""
        admin = self._authorize(admin=True)
        self.forbidden = False
        if admin is None:
            self.tuning_error = "Only admins change the assistant's settings."
            return
        try:
            tuning = Tuning(
                model=form.get("model", "").strip(), temperature=float(form.get("temperature", ""))
            )
            keywords = parse_keywords(form.get("keywords", ""))
        except ValidationError as exc:
            self.tuning_error = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            return
        except ValueError:
            self.tuning_error = "temperature: write a number between 0 and 2"
            return
        except AppError as exc:
            self.tuning_error = exc.message
            return
        with unit_of_work() as session:
            set_setting(session, TUNING_KEY, tuning.model_dump(), admin)
            set_setting(session, KEYWORDS_KEY, keywords, admin)
        self.keywords = keywords_text(keywords)
        self.tuning = {"model": tuning.model, "temperature": str(tuning.temperature)}
        self.tuning_notice = "Saved."

    @rx.event
    def reset_keywords(self) -> None:
        self.keywords = keywords_text(DEFAULT_KEYWORDS)

    @rx.event
    def set_keywords(self, value: str) -> None:
        self.keywords = value[:20000]

    @rx.event
    def set_prompt(self, value: str) -> None:
        self.prompt = value[:2000]

    @rx.event
    @off_loop
    def ask(self) -> None:
        text = self.prompt.strip()
        if not text or self._authorize() is None:
            return
        history = [("user" if m["role"] == "customer" else "model", m["text"]) for m in self.chat[-10:]]
        with unit_of_work() as session:
            reply = answer(session, text, history)
        self.chat = [
            *self.chat,
            {"role": "customer", "text": text, "details": ""},
            {
                "role": "assistant",
                "text": reply.text,
                "details": f"decision: {reply.decision} · tools: {', '.join(reply.tools_called) or 'none'}"
                f" · passages: {', '.join(p.kind + ' ' + p.title for p in reply.passages) or 'none'}"
                f" · tokens: {reply.tokens_used}",
            },
        ]
        self.prompt = ""

    @rx.event
    def clear_chat(self) -> None:
        self.chat = []
