"""What every channel adapter speaks: parsed webhooks in, messages out, errors classified."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from aisha_app.errors import WorkError
from aisha_app.models import Channel, MessageStatus, MessageType
from aisha_app.models.base import utcnow


class WebhookRejected(Exception):
    """The request is not from the provider (403) or not in its format (400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SendError(WorkError):
    """A provider refused or failed a send (or a download). ``permanent`` ones are never retried.

    ``outcome_unknown``: the request left but its answer never came (a read timeout, a dropped
    connection, an answer without an id), so the provider may have sent it; retrying at once could
    reach the customer twice. A failure before the request left (no connection) is not unknown.
    """

    def __init__(self, code: str, text: str, *, permanent: bool, outcome_unknown: bool = False) -> None:
        super().__init__(f"{code}: {text}", permanent=permanent)
        self.code = code
        self.text = text
        self.outcome_unknown = outcome_unknown


@dataclass
class Media:
    content_type: str | None = None
    url: str | None = None  # direct URL (Twilio, Messenger)
    media_id: str | None = None  # Graph API media id, fetched with the access token
    filename: str | None = None


@dataclass
class InboundMessage:
    channel: Channel
    provider_message_id: str
    sender: str  # E.164 phone for WhatsApp channels, PSID for Messenger
    type: MessageType
    body: str | None = None
    sender_name: str | None = None
    media: list[Media] = field(default_factory=list)
    timestamp: datetime | None = None
    # location, interactive reply ids, reaction target, contacts ...: kept on the message.
    meta: dict[str, Any] = field(default_factory=dict)
    # Ad / post / referral attribution, recorded on the contact.
    referral: dict[str, Any] | None = None


@dataclass
class StatusUpdate:
    channel: Channel
    provider_message_id: str
    status: MessageStatus
    error_code: str | None = None
    error_text: str | None = None
    timestamp: datetime | None = None
    # Messenger read receipts name the reader, not a message: all sent to them until ``timestamp``.
    recipient: str | None = None
    # Our own reference for the send (``Outbound.reference``), when the provider echoes it.
    reference: str | None = None


@dataclass
class TemplateUpdate:
    """Meta's news of a template (``message_template_status_update`` or ``_quality_update``):
    named by its id, or by its name and language."""

    channel: Channel
    template_id: str | None
    name: str | None
    language: str | None
    event: str | None = None  # APPROVED, REJECTED, PAUSED, DISABLED ...
    reason: str | None = None
    quality: str | None = None  # GREEN, YELLOW, RED, UNKNOWN


@dataclass
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    templates: list[TemplateUpdate] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # event kinds we acknowledge and skip


@dataclass
class Outbound:
    to: str
    text: str | None = None
    media_url: str | None = None
    media_type: MessageType | None = None
    template_id: str | None = None  # ContentSid (Twilio) or template name (Cloud API)
    template_language: str = "en"
    template_variables: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)  # [{"id", "title"}]
    human_agent: bool = False  # a person's reply past the standard window (Messenger's tag)
    # Ours, given to the provider where it echoes it in status webhooks: it names the message
    # when the send's answer (with the provider's id) was lost.
    reference: str | None = None


class Identity(StrEnum):
    """How a channel names a customer: the contact column that holds the sender's address."""

    PHONE = "phone_e164"  # E.164, "+254712345678"
    PSID = "messenger_psid"  # Messenger's page-scoped id


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do, so that no module outside its adapter switches on its name."""

    label: str  # as staff read it
    identity: Identity
    # How long after the customer's last message free text may be sent; None: at any time.
    service_window: timedelta | None
    templates: bool  # pre-approved templates reach a customer outside the window
    max_buttons: int  # reply buttons under one message
    fetches_media: bool  # inbound media sit at the provider and are downloaded by a job
    reaches_phones: bool  # a real phone number can be written to first (a send to a number)
    whatsapp: bool = False  # the sender is also a WhatsApp id (the number without "+")
    # The provider-facing webhook paths under /webhooks; none for the simulator.
    webhook_paths: tuple[str, ...] = ()
    webhook_form: bool = False  # form-encoded (Twilio); else JSON
    handshake: bool = False  # Meta's GET subscription check (hub.challenge) on the same paths
    webhook_answer: str = "ok"  # what a stored (or acknowledged) webhook is answered
    webhook_answer_type: str = "text/plain"
    # How long a person (staff, not the assistant or an automation) may still write after the
    # customer's last message: Messenger's HUMAN_AGENT tag, 7 days. None: ``service_window``.
    staff_window: timedelta | None = None

    def window_open(
        self, last_inbound_at: datetime | None, now: datetime | None = None, *, staff: bool = False
    ) -> bool:
        """May free text go now; ``staff``: written by a person (who may have longer)."""
        if self.service_window is None:
            return True
        window = (self.staff_window or self.service_window) if staff else self.service_window
        return last_inbound_at is not None and (now or utcnow()) - last_inbound_at < window

    def human_agent_only(self, last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
        """Past the standard window but inside the staff one: the send is tagged a person's."""
        return not self.window_open(last_inbound_at, now) and self.window_open(
            last_inbound_at, now, staff=True
        )

    def contact_fields(self, sender: str) -> dict[str, str]:
        """The columns a new contact gets from a sender's address."""
        fields = {self.identity.value: sender}
        if self.whatsapp:
            fields["whatsapp_id"] = sender.lstrip("+")
        return fields


WHATSAPP_WINDOW = timedelta(hours=24)  # Meta's customer-service window, on either provider


class ChannelAdapter(Protocol):
    channel: Channel
    capabilities: Capabilities
    # Its provider's template API (aisha_app.services.messaging.template_api); None: no templates.
    template_api: Any
    # A message's status once the provider has accepted it for sending.
    accepted_status: MessageStatus

    def verify_token(self) -> str | None:
        """The token of the provider's GET subscription handshake; None: it has none."""

    def configured(self) -> bool: ...

    def verify(self, *, url: str, headers: dict[str, str], body: bytes, form: dict[str, str] | None) -> None:
        """Raise ``WebhookRejected(403, ...)`` unless the provider signed this request."""

    def parse(self, body: bytes, form: dict[str, str] | None) -> ParsedWebhook:
        """Raise ``WebhookRejected(400, ...)`` for a body that is not the provider's format."""

    def send(self, message: Outbound) -> str:
        """Send and return the provider's message id, or raise ``SendError``."""

    def fetch_media(self, media: dict[str, Any]) -> tuple[bytes, str | None]:
        """Download an inbound media file (as kept in the message's meta): content and type."""


def provider_id(value: Any, what: str, max_length: int = 128) -> str:
    """A provider's id or address, checked before it reaches a column of fixed width."""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise WebhookRejected(400, f"{what} is missing or not a string")
    text = str(value).strip()
    if len(text) > max_length:
        raise WebhookRejected(400, f"{what} is longer than {max_length} characters")
    return text


def optional_text(value: Any, max_length: int | None = None) -> str | None:
    """Free text from a provider: kept if it is text, cut to the column's width."""
    if not isinstance(value, str) or not value:
        return None
    return value[:max_length] if max_length else value


def optional_id(value: Any, max_length: int = 200) -> str | None:
    """A reply id, a reacted-to message id ...: kept if it is text or a number, cut to size."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)[:max_length] or None


def as_dict(value: Any) -> dict[str, Any]:
    """A block of a provider's payload that should be an object; anything else reads as empty."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_number(value: Any) -> float | int | str | None:
    """A coordinate: a finite number, or the text a form carried; anything else is unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value[:64]
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def epoch_time(value: Any, per_second: int = 1) -> datetime | None:
    """A provider's Unix time (seconds, or ``per_second`` parts of one); None if it is no time.

    None means "now" to the writer: a timestamp of 1e400 or 10**20 must not cost the message.
    """
    if isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(int(value) / per_second, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def https_url(value: Any, configured_base: str | None = None) -> str | None:
    """A media URL from a provider, kept only if it is https.

    Anything else (http, javascript:, file:, a bare path) is dropped here, so it is never
    stored, fetched or shown. The API base configured for the channel is trusted as well:
    it is the operator's own setting (a local stand-in of the provider in tests).
    """
    if not isinstance(value, str) or len(value) > 2000:
        return None
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    base = urlsplit(configured_base or "")
    if base.hostname and (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
        return value
    return None


# NUL and lone surrogates: neither PostgreSQL nor UTF-8 can store them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 32  # providers nest a handful of levels; deeper content is not read


def storable_text(value: str) -> str:
    if value.isascii() and "\x00" not in value:
        return value
    return _UNSTORABLE.sub("\ufffd", value)


def clean(value: Any, depth: int = 0) -> Any:
    """A provider's parsed payload made storable as it is read.

    Text loses what no database stores (NUL, lone surrogates become U+FFFD); numbers that are
    not finite (1e400, Infinity, NaN) become None, since JSON columns and answers refuse them;
    nesting deeper than ``MAX_DEPTH`` becomes None.
    """
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return None
        return {storable_text(str(k)): clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return None
        return [clean(v, depth + 1) for v in value]
    return value
