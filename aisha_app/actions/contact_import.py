"""Contacts from a CSV file: matched to existing ones by phone, each line's outcome reported.

The columns are those of the export (``name``, ``phone``, ``email``, ``language``, ``timezone``,
``tags``, ``birthday_day``, ``birthday_month``, ``birthday_year``, ``opted_out``, one
``attributes.<key>`` per attribute); ``phone`` (or ``phone_number``) is required, the rest may be
left out, and unknown columns are named and ignored. A known phone updates that contact with the
cells that are not empty (tags are added to theirs); a new one creates a contact. Each line is
checked by the same actions staff use, in a savepoint of its own: a bad line is refused with why,
the others go in. ``preview`` does all of it and rolls it back: what the import would do, exactly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from aisha_app.actions.contacts import by_phone, create_contact, update_contact
from aisha_app.errors import AppError, Forbidden, said
from aisha_app.models import ContactUpdate, Role, User
from aisha_app.models.contact import ContactCreate
from aisha_app.phones import normalize_phone

MAX_ROWS = 10_000
FIELDS = ("name", "email", "language", "timezone", "tags", "opted_out")
NUMBERS = ("birthday_day", "birthday_month", "birthday_year")
PHONE_COLUMNS = ("phone", "phone_number")
KNOWN = {*FIELDS, *NUMBERS, *PHONE_COLUMNS}
# The export's columns that an import does not write: ids and what the app keeps itself.
IGNORED = {
    "id",
    "lead_stage",
    "lead_label",
    "lead_score",
    "source_type",
    "notes",
    "whatsapp_id",
    "messenger_psid",
    "created_at",
    "last_seen_at",
}
FIELD_NAMES = {"birthday_year": "birthday"}  # where ContactCreate checks the whole date
YES = {"true", "yes", "1", "y"}
NO = {"false", "no", "0", "n", ""}


@dataclass
class Line:
    line: int
    outcome: str  # created, updated, unchanged or refused
    detail: str


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    refused: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


class LineError(ValueError):
    """What is wrong with one line, in words."""


def _values(row: dict[str, str]) -> dict[str, Any]:
    """The line's cells that are not empty, as the contact's fields."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        text = (row.get(name) or "").strip()
        if not text:
            continue
        if name == "tags":
            out["tags"] = [t.strip() for t in text.split(",") if t.strip()]
        elif name == "opted_out":
            if text.lower() not in YES | NO:
                raise LineError(f"opted_out: {text!r} is not yes or no")
            out["opted_out"] = text.lower() in YES
        else:
            out[name] = text
    for name in NUMBERS:
        text = (row.get(name) or "").strip()
        if text:
            if not (text.isascii() and text.isdecimal()) or len(text) > 4:
                raise LineError(f"{name}: {text!r} is not a number")
            out[name] = int(text)
    attributes = {
        key.removeprefix("attributes."): value.strip()
        for key, value in row.items()
        if key.startswith("attributes.") and key != "attributes." and (value or "").strip()
    }
    if attributes:
        out["attributes"] = attributes
    return out


def _one(session: Session, row: dict[str, str], actor: User) -> tuple[str, str]:
    raw = next(((row.get(c) or "").strip() for c in PHONE_COLUMNS if (row.get(c) or "").strip()), "")
    if not raw:
        raise LineError("no phone number")
    phone = normalize_phone(raw)
    values = _values(row)
    existing = by_phone(session, phone)
    if existing is None:
        if not values.get("name"):
            raise LineError(f"{phone} is new and the line has no name")
        create_contact(session, ContactCreate(phone_number=phone, **values), actor)
        return "created", phone
    if existing.deleted_at is not None:
        raise LineError(f"{phone} belonged to a deleted contact")
    if "tags" in values:  # added to the contact's own
        values["tags"] = sorted({*(existing.tags or []), *(t[:40] for t in values["tags"])})
    changed = {k: v for k, v in values.items() if k == "attributes" or getattr(existing, k) != v}
    if "attributes" in changed and all(
        (existing.attributes or {}).get(k) == v for k, v in values["attributes"].items()
    ):
        changed.pop("attributes")
    if not changed:
        return "unchanged", f"{phone} (contact {existing.id})"
    update_contact(session, existing.id, ContactUpdate(**changed), actor)
    return "updated", f"{phone} (contact {existing.id}): {', '.join(sorted(changed))}"


def import_contacts(session: Session, text: str, actor: User, *, preview: bool = False) -> Report:
    """Import the CSV ``text``; with ``preview``, the same report and nothing kept (the caller's
    transaction holds nothing else: it is rolled back)."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins import contacts.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    if not any(c in PHONE_COLUMNS for c in columns):
        raise AppError("bad_csv", "The first line must name the columns, with a phone column.", 400)
    reader.fieldnames = columns
    report = Report(
        ignored_columns=[c for c in columns if c not in KNOWN | IGNORED and not c.startswith("attributes.")]
    )
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            report.lines.append(Line(number, "refused", f"stopped: at most {MAX_ROWS:,} lines a file"))
            report.refused += 1
            break
        if None in row:  # more cells than columns
            row.pop(None)
        try:
            with session.begin_nested():  # a bad line undoes only itself
                outcome, detail = _one(session, row, actor)
        except (LineError, AppError, ValidationError, ValueError) as exc:
            report.lines.append(Line(number, "refused", said(exc, FIELD_NAMES)))
            report.refused += 1
            continue
        report.lines.append(Line(number, outcome, detail))
        report.created += outcome == "created"
        report.updated += outcome == "updated"
    if preview:
        session.rollback()
        session.info.pop("wake_workers", None)
    return report
