"""The Contacts page: list, search, filter and edit the people the business talks to."""

from __future__ import annotations

import asyncio
import calendar
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from pydantic import ValidationError

from aisha_app.actions import attributes
from aisha_app.actions.contact_import import import_contacts
from aisha_app.actions.contacts import update_contact
from aisha_app.actions.segments import SegmentIn, all_segments, create_segment
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError, said
from aisha_app.models import Contact, ContactUpdate, LeadStage, Segment
from aisha_app.models.numbers import id_in
from aisha_app.queries.inbox import COUNT_CAP, ContactFilters, search_contacts
from aisha_app.queries.segments import SegmentFilters
from aisha_app.queries.segments import count as segment_count
from aisha_app.state.session import SessionState, off_loop

REACH = {"reachable": False, "opted_out": True}  # the "who" filter: opted_out's value
MAX_IMPORT_BYTES = 5_000_000
SHOWN_LINES = 200


def birthday_text(c: Contact) -> str:
    """15 Mar, or 15 Mar 1990; "" for none."""
    if not (c.birthday_month and c.birthday_day):
        return ""
    said = f"{c.birthday_day} {calendar.month_abbr[c.birthday_month]}"
    return f"{said} {c.birthday_year}" if c.birthday_year else said


class BoxError(ValueError):
    """A box that must hold a whole number holds something else."""


def _number(form: dict[str, Any], name: str) -> int | None:
    """A birthday box: blank is none; anything else must be a whole number."""
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()) or len(text) > 4:
        raise BoxError(f"{BOXES[name]}: {text!r} is not a number")
    return int(text)


def _filters_of(segment: Segment) -> SegmentFilters:
    return SegmentFilters.model_validate(segment.filters)


class ContactsState(SessionState):
    search: str = ""
    tag: str = ""  # the filters: "" is everyone
    stage: str = ""
    reach: str = ""
    segment: str = ""  # a saved segment's id
    segments: list[list[str]] = []  # [id, name, "12 · 10 reachable"]
    segment_name: str = ""  # "Save as segment"
    notice: str = ""
    contacts: list[dict[str, Any]] = []
    total: str = "0"  # "10,000+" past COUNT_CAP: counted no further
    editing: dict[str, Any] = {}
    error: str = ""
    # A CSV import: what it would do (the preview), then what it did.
    import_lines: list[list[str]] = []  # [line, outcome, detail], refused ones first
    import_summary: str = ""
    import_pending: bool = False  # a preview waits for "Import"
    import_error: str = ""
    _import_text: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role == "admin"

    @rx.var
    def csv_url(self) -> str:
        """The export of what the filters find (admins: all fields, every page of it)."""
        opted = REACH.get(self.reach)
        query = {
            "q": self.search.strip(),
            "tag": self.tag.strip(),
            "stage": self.stage if self.stage in set(LeadStage) else "",
            "opted_out": "" if opted is None else str(opted).lower(),
        }
        return "/api/contacts/export.csv?" + urlencode({k: v for k, v in query.items() if v})

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search.strip() or self.tag.strip() or self.stage or self.reach or self.segment)

    def _reload(self, counts: bool = True) -> None:
        """The list; with ``counts``, each segment counted again too (a search or a filter
        changes no segment's count: it does not count them on every keystroke)."""
        with unit_of_work() as session:
            saved = {str(g.id): g for g in all_segments(session)}
            if counts or [row[0] for row in self.segments] != list(saved):
                self.segments = [
                    [key, g.name, "{:,} · {:,} reachable".format(*segment_count(session, _filters_of(g)))]
                    for key, g in saved.items()
                ]
            if self.segment not in saved:
                self.segment = ""
            filters = ContactFilters(
                tag=self.tag.strip() or None,
                stage=self.stage if self.stage in set(LeadStage) else None,
                opted_out=REACH.get(self.reach),
                segment=_filters_of(saved[self.segment]) if self.segment else None,
            )
            rows, total = search_contacts(
                session, self.search or None, 200, 0, cap=COUNT_CAP, filters=filters
            )
            known = attributes.definitions(session)
        self.total = f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"
        self.contacts = [
            {
                "id": c.id,
                "name": c.name or "",
                "phone": c.phone_e164 or c.messenger_psid or "",
                "email": c.email or "",
                "language": c.language or "",
                "timezone": c.timezone or "",
                "stage": c.lead_stage,
                "label": c.lead_label or "",
                "tags": ", ".join(c.tags),
                "tag_list": list(c.tags),
                "birthday": birthday_text(c),
                "birthday_day": str(c.birthday_day or ""),
                "birthday_month": str(c.birthday_month or ""),
                "birthday_year": str(c.birthday_year or ""),
                "source": c.source_type,
                "opted_out": c.opted_out,
                "attrs": attributes.boxes(known, c.attributes or {}),
                "other_attrs": attributes.undefined(known, c.attributes or {}),
            }
            for c in rows
        ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        params = self.router.url.query_parameters
        self.tag = str(params.get("tag", ""))[:40]
        self._reload()
        return None

    @rx.event
    @off_loop
    def set_search(self, value: str) -> None:
        if not isinstance(value, str):
            return
        self.search = value[:200]
        if self._authorize() is not None:
            self._reload(counts=False)

    @rx.event
    @off_loop
    def filter(self, name: str, value: str) -> None:
        """A filter changed (tag, stage, who): the list follows."""
        if name not in ("tag", "stage", "reach", "segment") or not isinstance(value, str):
            return
        setattr(self, name, value[:40])
        if self._authorize() is not None:
            self._reload(counts=False)

    @rx.event
    async def preview_import(self, files: list[rx.UploadFile]) -> None:
        """The chosen file, imported and rolled back: what each line would do."""
        self.import_error, self.import_lines, self.import_summary, self.import_pending = "", [], "", False
        for file in files[:1]:
            content = await file.read(MAX_IMPORT_BYTES + 1)
            if len(content) > MAX_IMPORT_BYTES:
                self.import_error = f"The file is over {MAX_IMPORT_BYTES // 1_000_000} MB."
                return
            self._import_text = content.decode("utf-8", errors="replace")
            if await asyncio.to_thread(self._run_import, True):
                self.import_pending = True

    @rx.event
    @off_loop
    def confirm_import(self) -> None:
        if self.import_pending and self._run_import(False):
            self.import_pending, self._import_text = False, ""
            self._reload()

    @rx.event
    def cancel_import(self) -> None:
        self.import_lines, self.import_summary, self.import_error = [], "", ""
        self.import_pending, self._import_text = False, ""

    def _run_import(self, preview: bool) -> bool:
        admin = self._authorize(admin=True)
        self.forbidden = False  # staff still see the contacts
        if admin is None:
            self.import_error = "Only admins import contacts."
            return False
        try:
            with unit_of_work() as session:
                report = import_contacts(session, self._import_text, admin, preview=preview)
        except AppError as exc:
            self.import_error = exc.message
            return False
        done = "would be created" if preview else "created"
        self.import_summary = (
            f"{report.created} {done}, {report.updated} updated, {report.refused} refused"
            + (f"; columns ignored: {', '.join(report.ignored_columns)}" if report.ignored_columns else "")
            + ("." if not preview else ". Nothing is saved until you press Import.")
        )
        shown = sorted(report.lines, key=lambda line: (line.outcome != "refused", line.line))[:SHOWN_LINES]
        self.import_lines = [[str(line.line), line.outcome, line.detail] for line in shown]
        return True

    @rx.event
    def set_segment_name(self, value: str) -> None:
        if isinstance(value, str):
            self.segment_name = value[:80]

    @rx.event
    @off_loop
    def save_segment(self) -> None:
        """The tag and stage filters, saved as a segment for automations and broadcasts."""
        self.notice = self.import_error = ""
        admin = self._authorize(admin=True)
        self.forbidden = False
        if admin is None:
            return
        filters = SegmentFilters(
            tags_all=[self.tag.strip()] if self.tag.strip() else [],
            stage=self.stage if self.stage in set(LeadStage) else None,
        )
        try:
            with unit_of_work() as session:
                saved = create_segment(
                    session, SegmentIn(name=self.segment_name.strip() or "x", filters=filters), admin
                )
                key, name = str(saved.id), saved.name
        except (AppError, ValidationError) as exc:
            self.import_error = said(exc, BOXES)
            return
        self.segment, self.segment_name, self.tag, self.stage = key, "", "", ""
        self.notice = f"Segment {name!r} saved: it counts its contacts live."
        self._reload()

    @rx.event
    def edit(self, contact: dict[str, Any]) -> None:
        self.editing, self.error = dict(contact), ""

    @rx.event
    def cancel(self) -> None:
        self.editing = {}

    @rx.event
    @off_loop
    def save(self, form: dict[str, Any]) -> None:
        user = self._authorize()
        contact_id = id_in(str(self.editing.get("id", ""))) if self.editing else None
        if user is None or contact_id is None:
            return
        try:
            before = self.editing.get("attrs", [])
            change = ContactUpdate(
                attributes=attributes.from_boxes(form, {a["key"]: a["value"] for a in before}),
                name=form.get("name") or None,
                email=form.get("email") or None,
                language=form.get("language") or None,
                timezone=(form.get("timezone") or "").strip() or None,
                tags=[t for t in (form.get("tags") or "").split(",") if t.strip()],
                birthday_day=_number(form, "birthday_day"),
                birthday_month=_number(form, "birthday_month"),
                birthday_year=_number(form, "birthday_year"),
                opted_out=form.get("opted_out") == "on",
            )
            with unit_of_work() as session:
                update_contact(session, contact_id, change, user)
        except (AppError, ValidationError, BoxError) as exc:
            self.error = said(exc, BOXES)
            return
        self.editing = {}
        self._reload()


BOXES = {
    "timezone": "Time zone",
    "birthday_day": "Birthday day",
    "birthday_month": "Birthday month",
    "birthday_year": "Birthday year",
    "email": "Email",
    "tags": "Tags",
}
