"""WhatsApp Cloud API webhooks: one test per recorded payload, and the signature rules."""

import json

import pytest
from sqlmodel import select

from aisha_app.models import Contact, Conversation, Message, WebhookEvent
from tests.unit.support import PROVIDER_ENV, payload, post_meta

SECRET = PROVIDER_ENV["WHATSAPP_APP_SECRET"]

# payload -> (message type, body, a meta key it must carry)
MESSAGES = {
    "text": ("text", "Does it come in another colour?", "wa_type"),
    "image": ("image", "This one please", "media"),
    "audio": ("audio", None, "media"),
    "video": ("video", "How it fits", "media"),
    "document": ("document", "Our order", "media"),
    "sticker": ("image", None, "media"),
    "location": ("location", "Kenya Cinema", "location"),
    "contacts": ("text", "Barbara J. Johnson", "contacts"),
    "interactive_button_reply": ("interactive", "Join the list", "reply_id"),
    "interactive_list_reply": ("interactive", "Boots size 42", "reply_id"),
    "button": ("interactive", "Stop promotions", "reply_id"),
    "reaction": ("reaction", "\u2764\ufe0f", "reacted_to"),
    "unsupported": ("text", None, "unsupported"),
    "referral_ad": ("text", "Hi, I saw your ad for safety boots", "wa_type"),
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_recorded_message_is_stored_in_its_conversation(client, session, stub, name):
    response = post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", name), SECRET)
    assert response.status_code == 200, response.text

    message = session.exec(select(Message)).one()
    kind, body, meta_key = MESSAGES[name]
    assert (message.type, message.body) == (kind, body)
    assert meta_key in message.meta
    assert message.direction == "inbound" and message.status == "received"
    contact = session.exec(select(Contact)).one()
    assert contact.phone_e164 == "+254712345678"
    assert contact.whatsapp_id == "254712345678"
    assert contact.name == "Sheena Nelson"
    conversation = session.get(Conversation, message.conversation_id)
    assert conversation.channel == "whatsapp_cloud"
    assert conversation.last_inbound_at is not None
    assert session.exec(select(WebhookEvent)).one().status == "processed"


def test_ad_referral_is_recorded_as_the_contacts_source(client, session):
    post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "referral_ad"), SECRET)
    contact = session.exec(select(Contact)).one()
    assert contact.source_type == "ad"
    assert contact.source_details["source_id"] == "120226305854810726"
    assert contact.source_details["ctwa_clid"] == "Afc3nYt9pDz"


def test_inbound_media_is_fetched_and_served_to_staff_only(client, session, stub, world):
    from tests.unit.support import ADMIN_PASSWORD, login, run_jobs

    stub.media["1003383421387256"] = (b"\xff\xd8jpeg-bytes", "image/jpeg")
    post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "image"), SECRET)
    assert run_jobs() == 1
    message = session.exec(select(Message)).one()
    session.refresh(message)
    assert message.media_url == f"/media/{message.id}"
    lookups = [r for r in stub.requests if r.method == "GET"]
    assert all(r.headers["Authorization"] == "Bearer whatsapp-access-token" for r in lookups)

    assert client.get(message.media_url).status_code == 401
    served = client.get(message.media_url, headers=login(client, "owner@shop.test", ADMIN_PASSWORD))
    assert served.status_code == 200
    assert served.content == b"\xff\xd8jpeg-bytes"
    assert served.headers["content-type"] == "image/jpeg"


def test_a_media_download_url_that_is_not_https_is_never_fetched_with_the_token(client, session, stub, world):
    from aisha_app.models import Job
    from tests.unit.support import run_jobs

    stub.media["1003383421387256"] = (b"\xff\xd8jpeg-bytes", "image/jpeg")
    stub.media_urls["1003383421387256"] = "http://media.example.test/1003383421387256"
    post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "image"), SECRET)
    run_jobs()
    job = session.exec(select(Job).where(Job.kind == "fetch_media")).one()
    session.refresh(job)
    assert (job.status, job.attempts) == ("dead", 1)  # permanent: not tried again
    assert "not https" in job.last_error
    message = session.exec(select(Message)).one()
    session.refresh(message)
    assert message.media_url is None


def test_replayed_webhook_is_stored_once(client, session):
    body = payload("whatsapp_cloud", "text")
    for _ in range(3):
        assert post_meta(client, "/webhooks/whatsapp", body, SECRET).status_code == 200
    assert len(session.exec(select(Message)).all()) == 1
    assert len(session.exec(select(Conversation)).all()) == 1


def test_bad_signature_is_403_and_stores_nothing(client, session):
    response = post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "text"), "not-the-secret")
    assert response.status_code == 403
    assert session.exec(select(Message)).all() == []
    assert session.exec(select(WebhookEvent)).all() == []


def test_missing_signature_is_403(client, session):
    response = post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "text"), None)
    assert response.status_code == 403


def test_signature_over_a_different_body_is_403(client):
    from aisha_app.services.messaging.graph import sign

    original = json.dumps(payload("whatsapp_cloud", "text")).encode()
    tampered = original.replace(b"another colour", b"a free pair")
    response = client.post(
        "/webhooks/whatsapp", content=tampered, headers={"X-Hub-Signature-256": sign(SECRET, original)}
    )
    assert response.status_code == 403


def test_unconfigured_secret_refuses_even_a_signed_webhook(client, monkeypatch):
    from aisha_app.config import get_settings

    monkeypatch.setattr(get_settings(), "whatsapp_app_secret", None)
    response = post_meta(client, "/webhooks/whatsapp", payload("whatsapp_cloud", "text"), SECRET)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}',
    ],
)
def test_malformed_body_is_400(client, session, body):
    assert post_meta(client, "/webhooks/whatsapp", body, SECRET).status_code == 400
    assert session.exec(select(WebhookEvent)).all() == []


def test_other_webhook_fields_are_acknowledged_and_skipped(client, session, caplog):
    caplog.set_level("INFO", logger="aisha.ingest")
    body = payload("whatsapp_cloud", "template_status_update")
    body["entry"][0]["changes"][0]["field"] = "account_update"  # templates' own are read (test_templates)
    response = post_meta(client, "/webhooks/whatsapp", body, SECRET)
    assert response.status_code == 200
    assert session.exec(select(Message)).all() == []
    assert session.exec(select(WebhookEvent)).one().event_type == "account_update"
    assert "account_update" in caplog.text


def test_verification_handshake(client):
    ok = client.get(
        "/webhooks/whatsapp",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "whatsapp-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = client.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )
    assert wrong.status_code == 403


def test_a_non_ascii_signature_header_is_403_not_500(client):
    body = json.dumps(payload("whatsapp_cloud", "text")).encode()
    response = client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": "sha256=ü".encode("latin-1")}
    )
    assert response.status_code == 403


def test_an_oversized_body_is_413(client):
    response = client.post(
        "/webhooks/whatsapp", content=b"x" * (1024 * 1024 + 1), headers={"X-Hub-Signature-256": "sha256=00"}
    )
    assert response.status_code == 413


def test_a_message_id_that_is_not_a_string_is_400(client, session):
    body = payload("whatsapp_cloud", "text")
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = {"nested": True}
    assert post_meta(client, "/webhooks/whatsapp", body, SECRET).status_code == 400
    assert session.exec(select(Message)).all() == []
