"""What admins tune in the app: the Gemini model and temperature, and the offline keywords."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session

from aisha_app.actions.app_settings import get_setting
from aisha_app.assistant.offline import DEFAULT_KEYWORDS, KEYWORDS_KEY
from aisha_app.config import get_settings
from aisha_app.errors import AppError

TUNING_KEY = "assistant_tuning"
MAX_WORDS_PER_INTENT = 100


class Tuning(BaseModel):
    model: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")
    temperature: float = Field(ge=0, le=2)


def load_tuning(session: Session) -> Tuning:
    """The admin's choice, or the environment's defaults (GEMINI_MODEL, AI_TEMPERATURE)."""
    settings = get_settings()
    stored = get_setting(session, TUNING_KEY, None) or {}
    return Tuning(
        model=stored.get("model") or settings.gemini_model,
        temperature=stored.get("temperature", settings.ai_temperature),
    )


def load_keywords(session: Session) -> dict[str, list[str]]:
    return get_setting(session, KEYWORDS_KEY, None) or DEFAULT_KEYWORDS


def keywords_text(keywords: dict[str, list[str]]) -> str:
    return "\n".join(f"{intent}: {', '.join(words)}" for intent, words in keywords.items())


def parse_keywords(text: str) -> dict[str, list[str]]:
    """'intent: word, phrase, ...' a line. Every intent must be there, with at least one word."""
    parsed: dict[str, list[str]] = {}
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip():
            continue
        intent, colon, words = line.partition(":")
        intent = intent.strip().lower()
        if not colon or intent not in DEFAULT_KEYWORDS:
            raise AppError(
                "invalid_keywords",
                f"Line {number}: start with one of {', '.join(DEFAULT_KEYWORDS)} and a colon.",
            )
        phrases = [w.strip() for w in words.split(",") if w.strip()]
        parsed[intent] = list(dict.fromkeys(parsed.get(intent, []) + phrases))[:MAX_WORDS_PER_INTENT]
    missing = [i for i in DEFAULT_KEYWORDS if not parsed.get(i)]
    if missing:
        raise AppError("invalid_keywords", f"Give at least one word for: {', '.join(missing)}.")
    # Matching follows this order ("human" is checked before "greeting").
    return {intent: parsed[intent] for intent in DEFAULT_KEYWORDS}
