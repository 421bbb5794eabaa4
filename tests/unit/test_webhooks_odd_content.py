"""Signed webhooks with odd content: never a 500, never lost.

Each odd input goes to each provider with a correct signature. A delivery is stored with what
can be read (a timestamp that is no time means "now", text that is not a string is unreadable),
or refused with 400 when it is not a webhook at all. Staff can then read the conversation.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from sqlmodel import select

from aisha_app.models import Conversation, Message, WebhookEvent
from aisha_app.models.base import utcnow
from aisha_app.services.messaging.graph import sign
from tests.unit.support import ADMIN_PASSWORD, PROVIDER_ENV, login, payload

DEEP = "[" * 1000 + "]" * 1000
RAW = '"@raw@"'  # where the odd JSON text goes in a payload (json.dumps cannot write most of it)


def _meta_body(provider: str, where: str, raw: str) -> bytes:
    """The recorded text message with ``raw`` JSON written at ``where``."""
    data = payload(provider, "text")
    if provider == "whatsapp_cloud":
        value = data["entry"][0]["changes"][0]["value"]
        message = value["messages"][0]
        spots = {
            "timestamp": (message, "timestamp"),
            "text": (message["text"], "body"),
            "text_block": (message, "text"),
            "name": (value["contacts"][0]["profile"], "name"),
            "extra": (data, "extra"),
        }
    else:
        event = data["entry"][0]["messaging"][0]
        spots = {
            "timestamp": (event, "timestamp"),
            "text": (event["message"], "text"),
            "text_block": (event["message"], "attachments"),
            "extra": (data, "extra"),
        }
    node, key = spots[where]
    node[key] = "@raw@"
    return json.dumps(data).replace(RAW, raw).encode()


# (where, raw JSON, what is stored: the message's body, or "400")
STORED_TEXT = {
    "whatsapp_cloud": "Does it come in another colour?",
    "messenger": "Hello, do you deliver to Mombasa?",
}
META_CASES = {
    "timestamp_1e400": ("timestamp", "1e400", "text"),
    "timestamp_infinity": ("timestamp", "Infinity", "text"),
    "timestamp_minus_infinity": ("timestamp", "-Infinity", "text"),
    "timestamp_nan": ("timestamp", "NaN", "text"),
    "timestamp_huge_integer": ("timestamp", "100000000000000000000", "text"),
    "timestamp_huge_string": ("timestamp", '"100000000000000000000"', "text"),
    "text_is_an_object": ("text", '{"body": "Hi"}', None),
    "text_is_a_list": ("text", '["Hi", "there"]', None),
    "text_nested_1000_deep": ("text", DEEP, None),
    "text_is_a_lone_surrogate": ("text", '"\\ud800"', "\ufffd"),
    "text_holds_a_nul": ("text", '"a\\u0000b"', "a\ufffdb"),
    "text_block_is_a_list": ("text_block", '["Hi"]', "keep"),
    "unknown_field_nested_1000_deep": ("extra", DEEP, "text"),
    "unknown_field_is_infinity": ("extra", "[1e400, -Infinity, NaN]", "text"),
}


def _staff_can_read(client, session) -> None:
    conversation = session.exec(select(Conversation)).one()
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    response = client.get(f"/api/conversations/{conversation.id}/messages", headers=headers)
    assert response.status_code == 200, response.text
    assert client.get("/api/conversations", headers=headers).status_code == 200


@pytest.mark.parametrize("provider", ["whatsapp_cloud", "messenger"])
@pytest.mark.parametrize("case", sorted(META_CASES))
def test_an_odd_signed_meta_webhook_is_stored_with_what_can_be_read(client, session, world, provider, case):
    where, raw, expected = META_CASES[case]
    if provider == "whatsapp_cloud" and where == "text_block":
        expected = None  # WhatsApp's text lives in the block: a list holds no readable text
    secret = PROVIDER_ENV["WHATSAPP_APP_SECRET" if provider == "whatsapp_cloud" else "FB_APP_SECRET"]
    path = "/webhooks/whatsapp" if provider == "whatsapp_cloud" else "/webhooks/messenger"
    body = _meta_body(provider, where, raw)

    response = client.post(path, content=body, headers={"X-Hub-Signature-256": sign(secret, body)})

    assert response.status_code == 200, response.text
    message = session.exec(select(Message)).one()
    if expected in ("text", "keep"):
        expected = STORED_TEXT[provider]
    assert message.body == expected
    conversation = session.get(Conversation, message.conversation_id)
    if where == "timestamp":  # a time that is no time: the customer wrote now
        assert abs(conversation.last_inbound_at - utcnow()) < timedelta(minutes=1)
    assert session.exec(select(WebhookEvent)).one().status == "processed"
    _staff_can_read(client, session)


def test_a_sender_name_that_is_a_lone_surrogate_is_stored_readable(client, session, world):
    body = _meta_body("whatsapp_cloud", "name", '"Sheena \\udfff"')
    secret = PROVIDER_ENV["WHATSAPP_APP_SECRET"]
    response = client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(secret, body)}
    )
    assert response.status_code == 200, response.text
    message = session.exec(select(Message)).one()
    assert message.body == STORED_TEXT["whatsapp_cloud"]
    _staff_can_read(client, session)


@pytest.mark.parametrize("provider", ["whatsapp_cloud", "messenger"])
@pytest.mark.parametrize("body", [DEEP.encode(), b'{"object": ' + DEEP.encode() + b"}"])
def test_a_signed_body_that_is_only_deep_nesting_is_400(client, session, provider, body):
    secret = PROVIDER_ENV["WHATSAPP_APP_SECRET" if provider == "whatsapp_cloud" else "FB_APP_SECRET"]
    path = "/webhooks/whatsapp" if provider == "whatsapp_cloud" else "/webhooks/messenger"
    response = client.post(path, content=body, headers={"X-Hub-Signature-256": sign(secret, body)})
    assert response.status_code == 400
    assert session.exec(select(WebhookEvent)).all() == []


def _post_twilio_raw(client, body: bytes):
    """A form body as bytes, signed over the parameters as the app reads them."""
    from twilio.request_validator import RequestValidator

    params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    signature = RequestValidator(PROVIDER_ENV["TWILIO_AUTH_TOKEN"]).compute_signature(
        "http://testserver/webhooks/twilio", params
    )
    return client.post(
        "/webhooks/twilio",
        content=body,
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )


def _twilio_form(**changes: str) -> bytes:
    from urllib.parse import urlencode

    form = payload("twilio", "text")
    for key in changes:
        form.pop(key, None)
    return (urlencode(form) + "".join(f"&{k}={v}" for k, v in changes.items())).encode()


# form fields written raw (percent-encoded as given) -> the stored body
TWILIO_CASES = {
    "num_media_1e400": ({"NumMedia": "1e400"}, "Do you embroider logos?"),
    "num_media_infinity": ({"NumMedia": "Infinity"}, "Do you embroider logos?"),
    "num_media_huge_integer": ({"NumMedia": "100000000000000000000"}, "Do you embroider logos?"),
    "latitude_1e400": ({"Latitude": "1e400", "Longitude": "Infinity"}, "Do you embroider logos?"),
    "body_nested_1000_deep": ({"Body": "%5B" * 1000 + "%5D" * 1000}, DEEP),
    "body_is_a_lone_surrogate": ({"Body": "%ED%A0%80"}, "\ufffd\ufffd\ufffd"),
    "body_holds_a_nul": ({"Body": "a%00b"}, "a\ufffdb"),
    "body_holds_a_raw_nul_byte": ({"Body": "a\x00b"}, "a\ufffdb"),
    "body_is_a_json_object": ({"Body": "%7B%22a%22%3A1%7D"}, '{"a":1}'),
}


@pytest.mark.parametrize("case", sorted(TWILIO_CASES))
def test_an_odd_signed_twilio_webhook_is_stored_with_what_can_be_read(client, session, world, case):
    changes, expected = TWILIO_CASES[case]
    response = _post_twilio_raw(client, _twilio_form(**changes))
    assert response.status_code == 200, response.text
    message = session.exec(select(Message)).one()
    assert message.body == expected
    assert message.media_url is None
    _staff_can_read(client, session)


def test_a_twilio_body_given_twice_is_stored_once(client, session, world):
    response = _post_twilio_raw(client, _twilio_form() + b"&Body=second")
    assert response.status_code == 200, response.text
    assert session.exec(select(Message)).one().body == "second"


@pytest.mark.parametrize("depth", [100, 500, 1000, 5000])
def test_a_contact_card_nested_deep_is_kept_only_as_deep_as_can_be_read(client, session, world, depth):
    data = payload("whatsapp_cloud", "contacts")
    data["entry"][0]["changes"][0]["value"]["messages"][0]["contacts"][0]["org"] = "@raw@"
    body = json.dumps(data).replace(RAW, "[" * depth + '"x"' + "]" * depth).encode()
    secret = PROVIDER_ENV["WHATSAPP_APP_SECRET"]
    response = client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(secret, body)}
    )
    assert response.status_code == 200, response.text
    message = session.exec(select(Message)).one()
    assert message.body == "Barbara J. Johnson"
    _staff_can_read(client, session)
