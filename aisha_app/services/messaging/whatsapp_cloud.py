"""WhatsApp Cloud API (Meta): webhooks signed with the app secret, sends through the Graph API."""

from __future__ import annotations

import logging
from typing import Any

import httpx

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
    TemplateUpdate,
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
from aisha_app.services.messaging.template_api import MetaTemplates

log = logging.getLogger("aisha.whatsapp_cloud")

MEDIA_TYPES = {
    "image": MessageType.IMAGE,
    "sticker": MessageType.IMAGE,
    "audio": MessageType.AUDIO,
    "video": MessageType.VIDEO,
    "document": MessageType.DOCUMENT,
}
STATUSES = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}


def _referral(block: dict[str, Any]) -> dict[str, Any]:
    source = "ad" if block.get("source_type") == "ad" else "post"
    return {
        "source_type": source,
        "source_id": optional_id(block.get("source_id")),
        "source_url": optional_text(block.get("source_url"), 2000),
        "headline": optional_text(block.get("headline"), 500),
        "ctwa_clid": optional_id(block.get("ctwa_clid")),
    }


def _message(raw: dict[str, Any], names: dict[str, str]) -> InboundMessage:
    """One message; a block of the wrong shape reads as empty (the message is kept, unreadable)."""
    kind = raw.get("type") if isinstance(raw.get("type"), str) else "unknown"
    wa_id = provider_id(raw["from"], "message.from", 20)
    message = InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        provider_message_id=provider_id(raw["id"], "message.id"),
        sender=provider_phone(wa_id),
        sender_name=optional_text(names.get(wa_id), 200),
        type=MessageType.TEXT,
        timestamp=epoch_time(raw.get("timestamp")),
        meta={"wa_type": kind[:32], "wa_id": wa_id},
    )
    if "context" in raw:
        message.meta["reply_to"] = optional_id(as_dict(raw["context"]).get("id"))
    if "referral" in raw:
        message.referral = _referral(as_dict(raw["referral"]))
    block = as_dict(raw.get(kind))
    if kind == "text":
        message.body = optional_text(block.get("body"))
    elif kind in MEDIA_TYPES:
        message.type = MEDIA_TYPES[kind]
        message.body = optional_text(block.get("caption"))
        media_id = optional_id(block.get("id"), 128)
        if media_id:
            message.media = [
                Media(
                    content_type=optional_text(block.get("mime_type"), 128),
                    media_id=media_id,
                    filename=optional_text(block.get("filename"), 255),
                )
            ]
    elif kind == "location":
        message.type = MessageType.LOCATION
        message.body = optional_text(block.get("name")) or optional_text(block.get("address"))
        message.meta["location"] = {
            "latitude": as_number(block.get("latitude")),
            "longitude": as_number(block.get("longitude")),
            "name": optional_text(block.get("name"), 500),
            "address": optional_text(block.get("address"), 500),
        }
    elif kind == "contacts":
        cards = [as_dict(c) for c in as_list(raw.get("contacts"))]
        names_on_cards = [optional_text(as_dict(c.get("name")).get("formatted_name")) or "" for c in cards]
        message.body = ", ".join(names_on_cards) or None
        message.meta["contacts"] = cards
    elif kind == "interactive":
        reply = as_dict(block.get("button_reply")) or as_dict(block.get("list_reply"))
        message.type = MessageType.INTERACTIVE
        message.body = optional_text(reply.get("title"))
        message.meta["reply_id"] = optional_id(reply.get("id"))
    elif kind == "button":
        message.type = MessageType.INTERACTIVE
        message.body = optional_text(block.get("text"))
        message.meta["reply_id"] = optional_id(block.get("payload"))
    elif kind == "reaction":
        message.type = MessageType.REACTION
        message.body = optional_text(block.get("emoji"), 32)
        message.meta["reacted_to"] = optional_id(block.get("message_id"))
    else:  # "unsupported", "unknown", or a type newer than this code
        message.body = None
        message.meta["unsupported"] = raw.get("errors") or kind
    return message


def _status(raw: dict[str, Any]) -> StatusUpdate | None:
    status = raw.get("status")
    status = STATUSES.get(status) if isinstance(status, str) else None
    if status is None:
        return None
    errors = as_list(raw.get("errors"))
    error = as_dict(errors[0]) if errors else {}
    return StatusUpdate(
        channel=Channel.WHATSAPP_CLOUD,
        provider_message_id=provider_id(raw["id"], "status.id"),
        status=status,
        error_code=optional_id(error.get("code"), 32),
        error_text=optional_text(error.get("title")) or optional_text(error.get("message")),
        timestamp=epoch_time(raw.get("timestamp")),
        reference=optional_text(raw.get("biz_opaque_callback_data"), 128),
    )


TEMPLATE_FIELDS = ("message_template_status_update", "message_template_quality_update")


def _template_update(value: dict[str, Any]) -> TemplateUpdate:
    """What Meta says of one of the account's templates: its verdict, or its quality."""
    return TemplateUpdate(
        channel=Channel.WHATSAPP_CLOUD,
        template_id=optional_id(value.get("message_template_id")),
        name=optional_text(value.get("message_template_name"), 512),
        language=optional_text(value.get("message_template_language"), 16),
        event=optional_text(value.get("event"), 32),
        reason=None if value.get("reason") in (None, "NONE") else optional_text(value.get("reason"), 2000),
        quality=optional_text(value.get("new_quality_score"), 16),
    )


class WhatsAppCloud:
    channel = Channel.WHATSAPP_CLOUD
    template_api = MetaTemplates()  # templates at the provider: submitted, listed, sent by
    accepted_status = MessageStatus.QUEUED  # the "sent" status webhook follows
    capabilities = Capabilities(
        label="WhatsApp Cloud",
        identity=Identity.PHONE,
        service_window=WHATSAPP_WINDOW,
        templates=True,
        max_buttons=3,  # interactive reply buttons
        fetches_media=True,
        reaches_phones=True,
        whatsapp=True,
        webhook_paths=("/whatsapp",),
        handshake=True,
    )

    def verify_token(self) -> str | None:
        return get_settings().whatsapp_verify_token

    def configured(self) -> bool:
        return get_settings().providers()["whatsapp_cloud"]

    def verify(self, *, url: str, headers: dict[str, str], body: bytes, form: dict[str, str] | None) -> None:
        graph.verify_hub_signature(
            get_settings().whatsapp_app_secret, body, headers.get("x-hub-signature-256")
        )

    def parse(self, body: bytes, form: dict[str, str] | None = None) -> ParsedWebhook:
        data = graph.load_json(body)
        if data.get("object") != "whatsapp_business_account" or not isinstance(data.get("entry"), list):
            raise WebhookRejected(400, "not a WhatsApp Business Account webhook")
        parsed = ParsedWebhook()
        try:
            for entry in data["entry"]:
                for change in entry.get("changes", []):
                    if change.get("field") in TEMPLATE_FIELDS:
                        parsed.templates.append(_template_update(as_dict(change.get("value"))))
                        continue
                    if change.get("field") != "messages":
                        parsed.ignored.append(str(change.get("field")))
                        continue
                    value = change["value"]
                    names = {
                        str(c.get("wa_id")): as_dict(c.get("profile")).get("name")
                        for c in map(as_dict, as_list(value.get("contacts")))
                    }
                    if value.get("errors"):
                        parsed.ignored.append("errors")
                        log.warning("WhatsApp reported errors: %s", value["errors"])
                    parsed.messages += [_message(m, names) for m in value.get("messages", [])]
                    parsed.statuses += [s for s in map(_status, value.get("statuses", [])) if s]
        except (KeyError, TypeError, AttributeError) as exc:
            raise WebhookRejected(400, f"malformed WhatsApp webhook: missing {exc}") from exc
        return parsed

    def send(self, message: Outbound) -> str:
        settings = get_settings()
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "to": message.to.lstrip("+")}
        if message.template_id:
            components = []
            if message.template_variables:
                params = [{"type": "text", "text": v} for v in message.template_variables]
                components.append({"type": "body", "parameters": params})
            payload |= {
                "type": "template",
                "template": {
                    "name": message.template_id,
                    "language": {"code": message.template_language},
                    "components": components,
                },
            }
        elif message.media_url:
            kind = (message.media_type or MessageType.IMAGE).value
            kind = kind if kind in ("image", "audio", "video", "document") else "document"
            media: dict[str, Any] = {"link": message.media_url}
            if message.text and kind != "audio":
                media["caption"] = message.text
            payload |= {"type": kind, kind: media}
        elif message.buttons:
            buttons = [
                {"type": "reply", "reply": {"id": b["id"], "title": b["title"][:20]}}
                for b in message.buttons[: self.capabilities.max_buttons]
            ]
            payload |= {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": message.text or ""},
                    "action": {"buttons": buttons},
                },
            }
        else:
            payload |= {"type": "text", "text": {"body": message.text or "", "preview_url": False}}
        if message.reference:  # echoed in this message's status webhooks
            payload["biz_opaque_callback_data"] = message.reference
        url = f"{settings.whatsapp_api_base_url.rstrip('/')}/{settings.whatsapp_phone_number_id}/messages"
        data = graph.post(url, settings.whatsapp_access_token, payload)
        try:
            return data["messages"][0]["id"]
        except (KeyError, IndexError, TypeError) as exc:
            raise SendError(
                "bad_response",
                "the Graph API answered without a message id",
                permanent=False,
                outcome_unknown=True,  # it said yes: the message may be on its way
            ) from exc

    def fetch_media(self, media: dict[str, Any]) -> tuple[bytes, str | None]:
        """Download an inbound media file: look up its URL, then fetch it with the token."""
        settings = get_settings()
        headers = {"Authorization": f"Bearer {settings.whatsapp_access_token}"}
        client = graph.http_client()
        try:
            info = graph.graph_result(
                client.get(
                    f"{settings.whatsapp_api_base_url.rstrip('/')}/{media['media_id']}", headers=headers
                )
            )
            url = https_url(info.get("url"), settings.whatsapp_api_base_url)
            if url is None:  # the token goes with the request: never over plain http
                raise SendError("bad_media_url", "the media's download URL is not https", permanent=True)
            response = client.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise SendError("network", f"media download failed: {exc}", permanent=False) from exc
        return graph.download_result(response), info.get("mime_type")
