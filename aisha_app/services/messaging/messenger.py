"""Facebook Messenger: page webhooks signed with the app secret, sends through the Send API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aisha_app.config import get_settings
from aisha_app.models import Channel, MessageStatus, MessageType
from aisha_app.services.messaging import graph
from aisha_app.services.messaging.base import (
    Capabilities,
    Identity,
    InboundMessage,
    Media,
    Outbound,
    ParsedWebhook,
    SendError,
    StatusUpdate,
    WebhookRejected,
    as_dict,
    as_list,
    as_number,
    epoch_time,
    https_url,
    optional_id,
    optional_text,
    provider_id,
)

ATTACHMENTS = {
    "image": MessageType.IMAGE,
    "audio": MessageType.AUDIO,
    "video": MessageType.VIDEO,
    "file": MessageType.DOCUMENT,
    "location": MessageType.LOCATION,
}
CDN_HOSTS = ("fbcdn.net", "fbsbx.com", "facebook.com")
# Messenger referral sources, mapped to Aisha's attribution kinds.
REFERRAL_SOURCES = {
    "ADS": "ad",
    "SHORTLINK": "referral",
    "CUSTOMER_CHAT_PLUGIN": "referral",
    "FEED": "post",
    "COMMENT": "comment",
}


def _time(ms: Any) -> datetime | None:
    return epoch_time(ms, per_second=1000)


def _stamp(value: Any) -> str:
    """A raw timestamp as part of an id we make up (postbacks, referrals), at a bounded length."""
    return str(value)[:40]


def _referral(block: dict[str, Any]) -> dict[str, Any]:
    source = block.get("source") if isinstance(block.get("source"), str) else ""
    return {
        "source_type": REFERRAL_SOURCES.get(source, "referral"),
        "source_id": optional_id(block.get("ad_id")) or optional_id(block.get("ref")),
        "ref": optional_id(block.get("ref")),
        "source": optional_text(source, 64),
    }


def _attachments(raw: dict[str, Any], message: InboundMessage) -> None:
    for attachment in map(as_dict, as_list(raw.get("attachments"))):
        kind = attachment.get("type")
        kind = ATTACHMENTS.get(kind) if isinstance(kind, str) else None
        payload = as_dict(attachment.get("payload"))
        if kind is None:  # "fallback" (a shared link) and the like: kept, never fetched
            message.meta.setdefault("links", []).append(optional_text(payload.get("url"), 2000))
        elif kind == MessageType.LOCATION:
            coords = as_dict(payload.get("coordinates"))
            message.meta["location"] = {
                "latitude": as_number(coords.get("lat")),
                "longitude": as_number(coords.get("long")),
            }
            message.type = kind
        elif url := https_url(payload.get("url"), get_settings().fb_api_base_url):
            message.media.append(Media(url=url))
            message.type = kind
        else:  # a media URL that is not https: dropped, never fetched nor shown
            message.meta["unsupported"] = f"{attachment.get('type')} attachment without an https URL"[:200]


def _event(event: dict[str, Any], parsed: ParsedWebhook) -> None:
    psid = provider_id(as_dict(event.get("sender")).get("id"), "sender.id", 64)
    when = _time(event.get("timestamp"))
    if "message" in event:
        raw = as_dict(event["message"])
        if raw.get("is_echo"):
            if isinstance(raw.get("metadata"), str) and raw.get("mid"):
                # Our own send, echoed with our reference: proof it was sent (see outbound.py).
                parsed.statuses.append(
                    StatusUpdate(
                        channel=Channel.MESSENGER,
                        provider_message_id=provider_id(raw["mid"], "message.mid"),
                        status=MessageStatus.SENT,
                        timestamp=when,
                        reference=optional_text(raw["metadata"], 128),
                    )
                )
            else:
                parsed.ignored.append("echo")
            return
        message = InboundMessage(
            channel=Channel.MESSENGER,
            provider_message_id=provider_id(raw.get("mid"), "message.mid"),
            sender=psid,
            type=MessageType.TEXT,
            body=optional_text(raw.get("text")),
            timestamp=when,
            meta={},
        )
        _attachments(raw, message)
        if "quick_reply" in raw:
            message.type = MessageType.INTERACTIVE
            message.meta["reply_id"] = optional_id(as_dict(raw["quick_reply"]).get("payload"), 1000)
        if "referral" in raw:
            message.referral = _referral(as_dict(raw["referral"]))
        parsed.messages.append(message)
    elif "postback" in event:
        postback = as_dict(event["postback"])
        mid = (
            provider_id(postback["mid"], "postback.mid")
            if "mid" in postback
            else f"postback-{psid}-{_stamp(event.get('timestamp'))}"
        )
        message = InboundMessage(
            channel=Channel.MESSENGER,
            provider_message_id=mid,
            sender=psid,
            type=MessageType.INTERACTIVE,
            body=optional_text(postback.get("title")),
            timestamp=when,
            meta={"reply_id": optional_id(postback.get("payload"), 1000)},
        )
        if "referral" in postback:
            message.referral = _referral(as_dict(postback["referral"]))
        parsed.messages.append(message)
    elif "referral" in event:
        # Someone opened the conversation from an ad or link without writing yet: attribution only.
        parsed.messages.append(
            InboundMessage(
                channel=Channel.MESSENGER,
                provider_message_id=f"referral-{psid}-{_stamp(event.get('timestamp'))}",
                sender=psid,
                type=MessageType.TEXT,
                body=None,
                timestamp=when,
                meta={"referral_only": True},
                referral=_referral(as_dict(event["referral"])),
            )
        )
    elif "delivery" in event:
        delivery = as_dict(event["delivery"])
        mids = as_list(delivery.get("mids"))
        parsed.statuses += [
            StatusUpdate(
                channel=Channel.MESSENGER,
                provider_message_id=provider_id(mid, "delivery.mid"),
                status=MessageStatus.DELIVERED,
                timestamp=when,
            )
            for mid in mids
        ]
        if not mids:  # often only a watermark: everything sent to this person up to then
            parsed.statuses.append(
                StatusUpdate(
                    channel=Channel.MESSENGER,
                    provider_message_id="",
                    status=MessageStatus.DELIVERED,
                    recipient=psid,
                    timestamp=_time(delivery.get("watermark")),
                )
            )
    elif "read" in event:
        # Read receipts name no message: everything sent to this person up to the watermark.
        parsed.statuses.append(
            StatusUpdate(
                channel=Channel.MESSENGER,
                provider_message_id="",
                status=MessageStatus.READ,
                recipient=psid,
                timestamp=_time(as_dict(event["read"]).get("watermark")),
            )
        )
    else:
        kind = next((k for k in event if k not in ("sender", "recipient", "timestamp")), "?")
        parsed.ignored.append(kind[:64])


class Messenger:
    channel = Channel.MESSENGER
    template_api = None  # Messenger has no message templates
    accepted_status = MessageStatus.SENT  # Messenger reports only delivery and read
    capabilities = Capabilities(
        label="Messenger",
        identity=Identity.PSID,
        service_window=timedelta(hours=24),  # Meta's standard messaging window
        staff_window=timedelta(days=7),  # a person's reply, tagged HUMAN_AGENT
        templates=False,
        max_buttons=13,  # quick replies
        fetches_media=True,
        reaches_phones=False,  # a page may write only to people who wrote to it
        webhook_paths=("/messenger",),
        handshake=True,
    )

    def verify_token(self) -> str | None:
        return get_settings().fb_verify_token

    def configured(self) -> bool:
        return get_settings().providers()["messenger"]

    def verify(self, *, url: str, headers: dict[str, str], body: bytes, form: dict[str, str] | None) -> None:
        graph.verify_hub_signature(get_settings().fb_app_secret, body, headers.get("x-hub-signature-256"))

    def parse(self, body: bytes, form: dict[str, str] | None = None) -> ParsedWebhook:
        data = graph.load_json(body)
        if data.get("object") != "page" or not isinstance(data.get("entry"), list):
            raise WebhookRejected(400, "not a Messenger page webhook")
        parsed = ParsedWebhook()
        try:
            for entry in data["entry"]:
                if "messaging" not in entry:  # standby, changes ...: acknowledged and logged
                    parsed.ignored.append(next((k for k in entry if k not in ("id", "time")), "entry"))
                for event in entry.get("messaging", []):
                    _event(event, parsed)
        except (KeyError, TypeError, AttributeError) as exc:
            raise WebhookRejected(400, f"malformed Messenger webhook: missing {exc}") from exc
        return parsed

    def fetch_media(self, media: dict[str, Any]) -> tuple[bytes, str | None]:
        """Attachment URLs point at Facebook's CDN and expire: keep a copy (and fetch nothing else)."""
        graph.require_host(media["url"], CDN_HOSTS, get_settings().fb_api_base_url)
        return graph.fetch_url(media["url"], follow_redirects=False)

    def send(self, message: Outbound) -> str:
        settings = get_settings()
        if message.template_id:
            raise SendError(
                "unsupported",
                "Messenger has no message templates; write to the customer within 24 hours of "
                "their last message (a person within 7 days)",
                permanent=True,
            )
        content: dict[str, Any]
        if message.media_url:
            kind = {MessageType.AUDIO: "audio", MessageType.VIDEO: "video", MessageType.DOCUMENT: "file"}.get(
                message.media_type, "image"
            )
            content = {
                "attachment": {"type": kind, "payload": {"url": message.media_url, "is_reusable": True}}
            }
        else:
            content = {"text": message.text or ""}
            if message.buttons:
                content["quick_replies"] = [
                    {"content_type": "text", "title": b["title"][:20], "payload": b["id"]}
                    for b in message.buttons[: self.capabilities.max_buttons]
                ]
        if message.reference:  # echoed in the message_echoes webhook
            content["metadata"] = message.reference
        payload = {"recipient": {"id": message.to}, "messaging_type": "RESPONSE", "message": content}
        if message.human_agent:  # past the 24 hours, a person's reply (within 7 days)
            payload |= {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        data = graph.post(
            f"{settings.fb_api_base_url.rstrip('/')}/me/messages", settings.fb_page_access_token, payload
        )
        if "message_id" not in data:
            raise SendError(
                "bad_response",
                "the Send API answered without a message id",
                permanent=False,
                outcome_unknown=True,  # it said yes: the message may be on its way
            )
        return data["message_id"]
