"""Every contact a filter finds, with all its fields, as CSV a spreadsheet opens safely.

Streamed in pages of ``PAGE`` by id, from a session of its own (the request's closes before the
response is sent): a shop of 100,000 customers is never held in memory at once. Custom
attributes get a column each (``attributes.size``), the union of the keys the contacts hold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlmodel import Session, col, select

from aisha_app.db import get_engine
from aisha_app.models import Contact
from aisha_app.queries.inbox import ContactFilters
from aisha_app.queries.search import contacts_matching
from aisha_app.queries.spreadsheet import cell

PAGE = 2000
COLUMNS = [
    "id",
    "name",
    "phone",
    "email",
    "language",
    "timezone",
    "tags",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "lead_stage",
    "lead_label",
    "lead_score",
    "source_type",
    "opted_out",
    "notes",
    "whatsapp_id",
    "messenger_psid",
    "created_at",
    "last_seen_at",
]


def _where(session: Session, search: str | None, filters: ContactFilters) -> list:
    where = filters.where(session)
    if search:
        where.append(col(Contact.id).in_(contacts_matching(session, search)))
    return where


def _pages(session: Session, where: list, columns) -> Iterator[list]:
    after = 0
    while True:
        page = session.exec(
            select(*columns).where(*where, col(Contact.id) > after).order_by(col(Contact.id)).limit(PAGE)
        ).all()
        if not page:
            return
        yield page
        after = page[-1][0]


def _row(c: Contact, keys: list[str]) -> list[object]:
    fields = {
        "phone": c.phone_e164,
        "tags": ", ".join(c.tags or []),
        "created_at": c.created_at.isoformat() if c.created_at else "",
        "last_seen_at": c.last_seen_at.isoformat() if c.last_seen_at else "",
    }
    values = [fields[name] if name in fields else getattr(c, name) for name in COLUMNS]
    attributes = c.attributes or {}
    values += [attributes.get(key, "") for key in keys]
    return [cell("" if v is None else v) for v in values]


def contacts_csv(search: str | None, filters: ContactFilters) -> Iterator[str]:
    """The CSV, a page of contacts at a time."""
    with Session(get_engine()) as session:
        where = _where(session, search, filters)
        keys: set[str] = set()
        for page in _pages(session, where, (Contact.id, Contact.attributes)):
            for _, attributes in page:
                keys.update(attributes or {})
        ordered = sorted(keys)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS + [f"attributes.{k}" for k in ordered])
        for page in _pages(session, where, (Contact.id, Contact)):
            for _, contact in page:
                writer.writerow(_row(contact, ordered))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            session.expunge_all()
        if out.getvalue():  # no contact at all: the header alone
            yield out.getvalue()
