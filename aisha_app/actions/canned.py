"""Canned responses: admins keep them; staff insert one by typing ``/shortcut`` in the composer.

A response's text may hold variables, written as Chatwoot writes them: ``{{contact.first_name}}``
and the rest of ``VARIABLES``. An unknown one is refused when saved, never sent as typed.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, func, select

from aisha_app.actions.audit import audit
from aisha_app.errors import Conflict, Forbidden, NotFound
from aisha_app.models import CannedResponse, Contact, Role, User
from aisha_app.models.base import utcnow
from aisha_app.queries.search import contains

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
VARIABLE = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")
VARIABLES = {
    "contact.first_name": "the customer's first name",
    "contact.name": "the customer's name",
    "contact.phone": "the customer's phone number",
    "agent.first_name": "your first name",
    "agent.name": "your name",
}
MAX_TEXT = 4096


class CannedIn(BaseModel):
    shortcut: str = Field(min_length=1, max_length=32, description="typed after / in the composer")
    text: str = Field(min_length=1, max_length=MAX_TEXT)

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str) -> str:
        value = value.strip().lstrip("/").lower()
        if not SHORTCUT.match(value):
            raise ValueError("a shortcut is letters, digits, - and _ (up to 32), such as 'thanks' or 'hours'")
        return value

    @field_validator("text")
    @classmethod
    def _variables(cls, value: str) -> str:
        unknown = sorted({v for v in VARIABLE.findall(value) if v not in VARIABLES})
        if unknown:
            known = ", ".join("{{" + v + "}}" for v in VARIABLES)
            raise ValueError(f"unknown variable {', '.join(unknown)}; the variables are {known}")
        if not value.strip():
            raise ValueError("the text is empty")
        return value


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins edit canned responses.")


def save(session: Session, data: CannedIn, actor: User, canned_id: int | None = None) -> CannedResponse:
    _admin(actor)
    canned = session.get(CannedResponse, canned_id) if canned_id else CannedResponse(shortcut="", text="")
    if canned is None:
        raise NotFound("Canned response")
    taken = session.exec(
        select(CannedResponse.id).where(
            CannedResponse.shortcut == data.shortcut, CannedResponse.id != canned_id
        )
    ).first()
    if taken is not None:
        raise Conflict(f"/{data.shortcut} is taken: choose another shortcut.")
    canned.shortcut, canned.text, canned.updated_at = data.shortcut, data.text, utcnow()
    try:
        with session.begin_nested():  # another admin saving the same shortcut this instant
            session.add(canned)
    except sa.exc.IntegrityError as exc:
        raise Conflict(f"/{data.shortcut} was just taken: choose another shortcut.") from exc
    audit(session, actor, "canned.saved", canned, shortcut=canned.shortcut)
    return canned


def delete(session: Session, canned_id: int, actor: User) -> None:
    _admin(actor)
    canned = session.get(CannedResponse, canned_id)
    if canned is None:
        raise NotFound("Canned response")
    audit(session, actor, "canned.deleted", canned, shortcut=canned.shortcut)
    session.delete(canned)
    session.flush()


def matching(session: Session, typed: str, limit: int = 8) -> list[CannedResponse]:
    """What ``/typed`` offers: shortcuts starting with it first, then those containing it."""
    typed = typed.strip().lstrip("/").lower()[:32]
    query = select(CannedResponse)
    if typed:
        query = query.where(contains(CannedResponse.shortcut, typed))  # literal: _ is an underscore
    starts = func.substr(CannedResponse.shortcut, 1, len(typed)) == typed
    return list(session.exec(query.order_by(starts.desc(), CannedResponse.shortcut).limit(limit)).all())


def fill(text: str, contact: Contact | None, agent: User | None) -> str:
    """The text with its variables filled in for this customer and agent (empty if unknown)."""
    name = ((contact.name if contact else None) or "").strip()
    agent_name = ((agent.name if agent else None) or "").strip()
    values = {
        "contact.first_name": name.split()[0] if name else "",
        "contact.name": name,
        "contact.phone": (contact.phone_e164 if contact else None) or "",
        "agent.first_name": agent_name.split()[0] if agent_name else "",
        "agent.name": agent_name,
    }
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)
