"""The simulator: a staff member (or, when an admin allows it, anyone) plays a customer.

Staff play whichever number they type. A visitor of the open simulator plays a demo number of
their own, chosen here and kept for their tab: never a number they typed, so never a real
customer's, nor another visitor's.
"""

from __future__ import annotations

import asyncio
import secrets

import reflex as rx
from sqlmodel import Session, select

from aisha_app.actions.app_settings import SIMULATOR_PUBLIC, get_setting
from aisha_app.actions.assistant import reply_pending
from aisha_app.actions.inbound import mark_read_by_customer
from aisha_app.actions.ingest import find_or_create_contact, open_conversation, receive_simulated
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import Channel, Contact
from aisha_app.phones import normalize_phone
from aisha_app.queries.inbox import ChatMessage, thread_view
from aisha_app.realtime.live import HUB, Batch
from aisha_app.state.session import SessionState, off_loop

MAX_PICTURE_BYTES = 10 * 1024 * 1024
# E.164 leaves country code 999 unassigned (reserved for a future global service): no phone,
# WhatsApp or Twilio number has it, so a demo number is not, and cannot become, a customer's.
DEMO_PREFIX = "+999"
STAFF, VISITOR = "staff", "visitor"


def new_demo_number(session: Session) -> str:
    """A demo number nobody has: +999 and nine random digits."""
    while True:
        phone = DEMO_PREFIX + "".join(secrets.choice("0123456789") for _ in range(9))
        if session.exec(select(Contact.id).where(Contact.phone_e164 == phone)).first() is None:
            return phone


class SimulatorState(SessionState):
    allowed: bool = False
    customer_name: str = ""
    customer_phone: str = ""
    conversation_id: int = 0
    thread: list[ChatMessage] = []
    draft: str = ""
    error: str = ""
    # The assistant is preparing a reply (its job is queued or running): "typing" on the phone.
    typing: bool = False
    # Backend only (the browser can neither read nor set it): the number this tab's visitor plays.
    _demo_phone: str = ""

    def _access(self) -> str | None:
        """STAFF, VISITOR (the simulator is open to anyone), or None."""
        if self._authorize() is not None:
            return STAFF
        with unit_of_work() as session:
            return VISITOR if get_setting(session, SIMULATOR_PUBLIC, False) else None

    def _may_use(self) -> bool:
        return self._access() is not None

    def _plays_own_customer(self) -> bool:
        """May this tab, as it is now, read and write as the customer it started as?

        A tab a staff member started and then signed out of (or a public visitor's tab after
        the simulator was closed) goes back to the start.
        """
        access = self._access()
        ok = access == STAFF or (access == VISITOR and self.customer_phone == self._demo_phone != "")
        if not ok:
            self.conversation_id, self.thread, self.customer_name, self.customer_phone = 0, [], "", ""
        return ok

    def _reload(self) -> None:
        if not self.conversation_id or not self._plays_own_customer():
            self.thread, self.typing = [], False
            return
        with unit_of_work() as session:
            mark_read_by_customer(session, self.conversation_id)
            self.thread = thread_view(session, self.conversation_id, for_staff=False)
            self.typing = reply_pending(session, self.conversation_id)

    def _on_events(self, batch: Batch) -> None:
        if any(e.data.get("conversation_id") == self.conversation_id for e in batch.events):
            self._reload()

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        self.allowed = self._may_use()
        if not self.allowed:
            return self._to_login()
        HUB.watch(self.router.session.client_token, SimulatorState)
        self._reload()
        return None

    @rx.event
    @off_loop
    def start(self, form: dict[str, str]) -> None:
        self.error = ""
        access = self._access()
        if access is None:
            self.allowed = False
            return
        name = (form.get("name") or "").strip()[:100] or None
        with unit_of_work() as session:
            if access == VISITOR:  # whatever number was typed: see the module's docstring
                self._demo_phone = self._demo_phone or new_demo_number(session)
                phone = self._demo_phone
            else:
                try:
                    phone = normalize_phone(form.get("phone", ""))
                except AppError as exc:
                    self.error = exc.message
                    return
            contact = find_or_create_contact(session, Channel.SIMULATOR, phone, name)
            session.flush()
            self.conversation_id = open_conversation(session, contact, Channel.SIMULATOR).id
        self.customer_name, self.customer_phone = name or "", phone
        self._reload()

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    def _receive(self, body: str | None, **kwargs) -> None:
        if not self.conversation_id or not self._plays_own_customer():
            return
        with unit_of_work() as session:
            receive_simulated(session, self.customer_phone, self.customer_name or None, body, **kwargs)
        self._reload()

    @rx.event
    @off_loop
    def send(self) -> None:
        text = self.draft.strip()[:4096]
        if text:
            self._receive(text)
            self.draft = ""

    @rx.event
    @off_loop
    def tap(self, reply_id: str, title: str) -> None:
        self._receive(title, reply_id=reply_id)

    @rx.event
    async def send_picture(self, files: list[rx.UploadFile]) -> None:
        for file in files[:1]:
            content = await file.read()
            content_type = file.content_type or "application/octet-stream"
            if not content_type.startswith("image/") or len(content) > MAX_PICTURE_BYTES:
                self.error = "Send a picture (JPEG, PNG or WebP) of at most 10 MB."
                return
            await asyncio.to_thread(self._receive, None, media=(content, content_type))

    @rx.event
    def leave(self) -> None:
        self.conversation_id, self.thread, self.customer_name, self.customer_phone = 0, [], "", ""
