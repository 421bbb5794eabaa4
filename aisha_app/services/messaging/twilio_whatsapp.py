"""Twilio WhatsApp: form-encoded webhooks signed with the auth token, sends with the twilio SDK."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from urllib3.exceptions import MaxRetryError

from aisha_app.config import get_settings
from aisha_app.models import Channel, MessageStatus, MessageType
from aisha_app.phones import provider_phone
from aisha_app.services.messaging import graph
from aisha_app.services.messaging.base import (
    WHATSAPP_WINDOW,
    Capabilities,
    Identity,
    InboundMessage,
    Media,
    Outbound,
    ParsedWebhook,
    SendError,
    StatusUpdate,
    WebhookRejected,
    as_number,
    https_url,
    optional_id,
    optional_text,
    provider_id,
    storable_text,
)
from aisha_app.services.messaging.template_api import TwilioTemplates

STATUSES = {
    "queued": MessageStatus.QUEUED,
    "accepted": MessageStatus.QUEUED,
    "sending": MessageStatus.QUEUED,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "undelivered": MessageStatus.FAILED,
    "failed": MessageStatus.FAILED,
}
# Twilio errors worth retrying: rate limits and Twilio-side outages.
RETRYABLE_CODES = {20429, 20500, 20503, 30001, 30008}
TWILIO_API = "https://api.twilio.com"
MAX_MEDIA = 10
# Our reference for a send, carried in the query of the status callback URL we give Twilio,
# which Twilio calls as given (and signs with it).
REFERENCE_PARAM = "aisha_ref"
MEDIA_KINDS = {"image": MessageType.IMAGE, "audio": MessageType.AUDIO, "video": MessageType.VIDEO}


def _media_type(content_type: str | None) -> MessageType:
    return MEDIA_KINDS.get((content_type or "").split("/")[0], MessageType.DOCUMENT)


def _never_left(exc: Exception) -> bool:
    """True when the request cannot have reached Twilio (so sending again is safe).

    The SDK's requests session retries nothing and re-raises read errors as they are, so a
    failure to connect arrives as a ``MaxRetryError``; a read timeout or a connection dropped
    after the request was written does not.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.InvalidURL):
        return True
    cause = exc.args[0] if isinstance(exc, requests.exceptions.ConnectionError) and exc.args else None
    return isinstance(cause, MaxRetryError)


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class TwilioWhatsApp:
    channel = Channel.TWILIO_WHATSAPP
    template_api = TwilioTemplates()  # templates at the provider: submitted, listed, sent by
    accepted_status = MessageStatus.QUEUED  # the "sent" status callback follows
    capabilities = Capabilities(
        label="Twilio WhatsApp",
        identity=Identity.PHONE,
        service_window=WHATSAPP_WINDOW,
        templates=True,
        max_buttons=0,  # Twilio sends buttons only as approved content templates
        fetches_media=True,
        reaches_phones=True,
        whatsapp=True,
        webhook_paths=("/twilio", "/twilio/status"),
        webhook_form=True,
        webhook_answer=EMPTY_TWIML,  # no reply: ours are sent by the worker
        webhook_answer_type="application/xml",
    )

    def verify_token(self) -> str | None:
        return None  # Twilio has no subscription handshake

    def configured(self) -> bool:
        return get_settings().providers()["twilio_whatsapp"]

    def verify(self, *, url: str, headers: dict[str, str], body: bytes, form: dict[str, str] | None) -> None:
        token = get_settings().twilio_auth_token
        if not token:
            raise WebhookRejected(403, "TWILIO_AUTH_TOKEN is not configured")
        signature = headers.get("x-twilio-signature")
        if not signature or not RequestValidator(token).validate(url, form or {}, signature):
            raise WebhookRejected(403, "bad X-Twilio-Signature")

    def parse(self, body: bytes, form: dict[str, str] | None) -> ParsedWebhook:
        # Cleaned after the signature check: Twilio signs the values as they were sent.
        form = {k: storable_text(v) for k, v in (form or {}).items()}
        if "MessageStatus" in form and "MessageSid" in form and "Body" not in form:
            return self._parse_status(form)
        sid, sender = form.get("MessageSid"), form.get("From")
        if not sid or not sender:
            raise WebhookRejected(400, "a Twilio message webhook needs MessageSid and From")
        message = InboundMessage(
            channel=self.channel,
            provider_message_id=provider_id(sid, "MessageSid", 64),
            sender=provider_phone(provider_id(form.get("WaId") or sender, "From", 40)),
            sender_name=optional_text(form.get("ProfileName"), 200),
            type=MessageType.TEXT,
            body=form.get("Body") or None,
            timestamp=datetime.now(UTC),
            meta={"to": optional_text(form.get("To"), 64)},
        )
        # NumMedia is not trusted for a count (it may say 1e400); Twilio sends at most ten.
        for i in range(MAX_MEDIA):
            url = https_url(form.get(f"MediaUrl{i}"), get_settings().twilio_api_base_url)
            if url:
                message.media.append(
                    Media(url=url, content_type=optional_text(form.get(f"MediaContentType{i}"), 128))
                )
            elif form.get(f"MediaUrl{i}"):  # not https: dropped, never fetched nor shown
                message.meta["unsupported"] = "media without an https URL"
        if message.media:
            message.type = _media_type(message.media[0].content_type)
        if form.get("Latitude") and form.get("Longitude"):
            message.type = MessageType.LOCATION
            message.meta["location"] = {
                "latitude": as_number(form["Latitude"]),
                "longitude": as_number(form["Longitude"]),
                "name": optional_text(form.get("Label"), 500),
                "address": optional_text(form.get("Address"), 500),
            }
        if form.get("ButtonPayload"):
            message.type = MessageType.INTERACTIVE
            message.body = form.get("ButtonText") or form.get("Body")
            message.meta["reply_id"] = optional_id(form["ButtonPayload"], 1000)
        if form.get("ReferralSourceId") or form.get("ReferralCtwaClid"):
            message.referral = {
                "source_type": "ad" if form.get("ReferralSourceType", "ad") == "ad" else "post",
                "source_id": optional_id(form.get("ReferralSourceId")),
                "source_url": optional_text(form.get("ReferralSourceUrl"), 2000),
                "headline": optional_text(form.get("ReferralHeadline"), 500),
                "ctwa_clid": optional_id(form.get("ReferralCtwaClid")),
            }
        return ParsedWebhook(messages=[message])

    def _parse_status(self, form: dict[str, str]) -> ParsedWebhook:
        status = STATUSES.get(form["MessageStatus"])
        if status is None:
            return ParsedWebhook(ignored=[f"status:{form['MessageStatus']}"[:64]])
        return ParsedWebhook(
            statuses=[
                StatusUpdate(
                    channel=self.channel,
                    provider_message_id=provider_id(form["MessageSid"], "MessageSid", 64),
                    status=status,
                    error_code=optional_id(form.get("ErrorCode"), 32),
                    error_text=form.get("ErrorMessage") or None,
                    timestamp=datetime.now(UTC),
                    reference=optional_text(form.get(REFERENCE_PARAM), 128),
                )
            ]
        )

    def fetch_media(self, media: dict) -> tuple[bytes, str | None]:
        """Twilio media URLs may require the account's credentials; keep a copy."""
        settings = get_settings()
        url = media["url"]
        graph.require_host(url, ("twilio.com",))
        if settings.twilio_api_base_url and url.startswith(TWILIO_API):
            url = settings.twilio_api_base_url.rstrip("/") + url[len(TWILIO_API) :]
        content, mime = graph.fetch_url(
            url, auth=(settings.twilio_account_sid or "", settings.twilio_auth_token or "")
        )
        return content, media.get("content_type") or mime

    def _client(self) -> Client:
        settings = get_settings()
        client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=TwilioHttpClient(timeout=settings.provider_timeout_seconds),
        )
        if settings.twilio_api_base_url:
            client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        return client

    def send(self, message: Outbound) -> str:
        settings = get_settings()
        if not self.configured():
            raise SendError("not_configured", "Twilio WhatsApp is not configured", permanent=True)
        params: dict = {
            "from_": f"whatsapp:{settings.twilio_whatsapp_number}",
            "to": f"whatsapp:{message.to}",
        }
        if message.template_id:
            params["content_sid"] = message.template_id
            params["content_variables"] = json.dumps(
                {str(i): v for i, v in enumerate(message.template_variables, start=1)}
            )
        else:
            params["body"] = message.text or ""
            if message.media_url:
                params["media_url"] = [message.media_url]
        callback = f"{settings.public_base_url.rstrip('/')}/webhooks/twilio/status"
        if message.reference:
            callback += "?" + urlencode({REFERENCE_PARAM: message.reference})
        params["status_callback"] = callback
        try:
            return self._client().messages.create(**params).sid
        except TwilioRestException as exc:
            retryable = exc.status == 429 or exc.status >= 500 or exc.code in RETRYABLE_CODES
            raise SendError(
                str(exc.code or exc.status), exc.msg or "Twilio error", permanent=not retryable
            ) from exc
        except Exception as exc:  # noqa: BLE001  (the SDK lets requests' network errors through)
            if _never_left(exc):
                raise SendError("network", f"could not reach Twilio: {exc}", permanent=False) from exc
            raise SendError(
                "timeout" if isinstance(exc, requests.exceptions.Timeout) else "no_answer",
                f"Twilio did not answer: {exc!r}",
                permanent=False,
                outcome_unknown=True,
            ) from exc
