"""Phone numbers in one form: E.164, read in the business's region when no country code is given."""

from __future__ import annotations

import phonenumbers

from aisha_app.config import get_settings
from aisha_app.errors import AppError


class InvalidPhoneNumber(AppError):
    def __init__(self, raw: str) -> None:
        super().__init__(
            "invalid_phone_number",
            f"{raw!r} is not a valid phone number. Write it with the country code, e.g. +254712345678.",
            400,
        )


def normalize_phone(raw: str, region: str | None = None) -> str:
    """``0712345678``, ``254712345678`` and ``+254712345678`` are all ``+254712345678`` in KE."""
    text = (raw or "").strip()
    for prefix in ("whatsapp:", "tel:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    region = (region or get_settings().default_region).upper()
    candidates = [text]
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and not text.startswith("0") and len(digits) > 9:
        # Provider ids (WhatsApp wa_id) and many users write the country code without "+".
        candidates.insert(0, "+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhoneNumber(raw)


def provider_phone(raw: str) -> str:
    """A number a provider sent us (signed, so trusted): E.164 when valid, else its digits.

    Numbering plans change faster than the phonenumbers metadata; a customer must never be
    refused because their new number range is not known yet.
    """
    try:
        return normalize_phone(raw)
    except InvalidPhoneNumber:
        return "+" + "".join(ch for ch in raw if ch.isdigit())
