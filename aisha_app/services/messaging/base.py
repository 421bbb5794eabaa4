"""What every channel adapter speaks: parsed webhooks in, messages out, errors classified."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aisha_app.models import Channel, MessageStatus, MessageType


class WebhookRejected(Exception):
    """The request is not from the provider (403) or not in its format (400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SendError(Exception):
    """A provider refused or failed a send. ``permanent`` ones are never retried.

    ``outcome_unknown``: the request left but its answer never came (a read timeout, a dropped
    connection, an answer without an id), so the provider may have sent it; retrying at once could
    reach the customer twice. A failure before the request left (no connection) is not unknown.
    """

    def __init__(self, code: str, text: str, *, permanent: bool, outcome_unknown: bool = False) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text
        self.permanent = permanent
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
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
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
    # Ours, given to the provider where it echoes it in status webhooks: it names the message
    # when the send's answer (with the provider's id) was lost.
    reference: str | None = None


class ChannelAdapter(Protocol):
    channel: Channel
    # A message's status once the provider has accepted it for sending.
    accepted_status: MessageStatus

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
