"""Messenger webhooks: one test per recorded payload, and the signature rules."""

import pytest
from sqlmodel import select

from aisha_app.models import Contact, Conversation, Message, WebhookEvent
from tests.unit.support import PROVIDER_ENV, payload, post_meta

SECRET = PROVIDER_ENV["FB_APP_SECRET"]
PSID = "6789012345678901"

MESSAGES = {
    "text": ("text", "Hello, do you deliver to Mombasa?"),
    "image": ("image", None),
    "quick_reply": ("interactive", "Red"),
    "postback": ("interactive", "Get Started"),
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_recorded_message_is_stored_for_the_psid(client, session, name):
    assert post_meta(client, "/webhooks/messenger", payload("messenger", name), SECRET).status_code == 200
    message = session.exec(select(Message)).one()
    assert (message.type, message.body) == MESSAGES[name]
    contact = session.exec(select(Contact)).one()
    assert contact.messenger_psid == PSID
    assert contact.phone_e164 is None
    assert session.get(Conversation, message.conversation_id).channel == "messenger"


def test_image_attachment_url_is_kept(client, session):
    post_meta(client, "/webhooks/messenger", payload("messenger", "image"), SECRET)
    assert session.exec(select(Message)).one().media_url.startswith("https://scontent")


def test_postback_referral_and_ad_referral_set_the_source(client, session):
    post_meta(client, "/webhooks/messenger", payload("messenger", "referral"), SECRET)
    contact = session.exec(select(Contact)).one()
    assert contact.source_type == "ad"
    assert contact.source_details["source_id"] == "23842603453770256"
    assert session.exec(select(Message)).all() == []  # opening a thread from an ad is not a message


def test_shortlink_postback_is_a_referral(client, session):
    post_meta(client, "/webhooks/messenger", payload("messenger", "postback"), SECRET)
    contact = session.exec(select(Contact)).one()
    assert contact.source_type == "referral"
    assert contact.source_details["ref"] == "summer_sale"


def test_our_own_echo_is_skipped(client, session):
    assert post_meta(client, "/webhooks/messenger", payload("messenger", "echo"), SECRET).status_code == 200
    assert session.exec(select(Message)).all() == []
    assert session.exec(select(WebhookEvent)).one().event_type == "echo"


def test_bad_signature_is_403(client):
    assert (
        post_meta(
            client, "/webhooks/messenger", payload("messenger", "text"), "whatsapp-app-secret"
        ).status_code
        == 403
    )


def test_handshake(client):
    params = {"hub.mode": "subscribe", "hub.verify_token": "fb-verify-token", "hub.challenge": "42"}
    assert client.get("/webhooks/messenger", params=params).text == "42"
    params["hub.verify_token"] = "whatsapp-verify-token"
    assert client.get("/webhooks/messenger", params=params).status_code == 403


def test_not_a_page_event_is_400(client):
    assert (
        post_meta(client, "/webhooks/messenger", payload("whatsapp_cloud", "text"), SECRET).status_code == 400
    )


def test_an_attachment_is_copied_before_the_cdn_link_expires(client, session, stub):
    from tests.unit.support import run_jobs

    body = payload("messenger", "image")
    body["entry"][0]["messaging"][0]["message"]["attachments"][0]["payload"]["url"] = (
        f"{stub.base_url}/cdn/photo1"
    )
    stub.media["photo1"] = (b"jpeg from the cdn", "image/jpeg")
    post_meta(client, "/webhooks/messenger", body, SECRET)
    assert run_jobs() == 1
    message = session.exec(select(Message)).one()
    session.refresh(message)
    assert (message.media_url, message.media_content_type) == (f"/media/{message.id}", "image/jpeg")


def test_a_delivery_with_only_a_watermark_ticks_what_was_sent_before_it(client, session, stub, world):
    from datetime import timedelta

    from aisha_app.actions.outbound import Draft, send_message
    from aisha_app.models.base import utcnow
    from tests.unit.support import run_jobs

    post_meta(client, "/webhooks/messenger", payload("messenger", "text"), SECRET)
    conversation = session.exec(select(Conversation)).one()
    message = send_message(session, conversation.id, Draft(text="Yes"), sender=world.agent)
    session.commit()
    run_jobs()
    delivery = payload("messenger", "delivery")
    delivery["entry"][0]["messaging"][0]["delivery"] = {
        "watermark": int((utcnow() + timedelta(seconds=5)).timestamp() * 1000)
    }
    post_meta(client, "/webhooks/messenger", delivery, SECRET)
    session.expire_all()
    assert session.get(Message, message.id).status == "delivered"


def test_a_shared_link_is_kept_but_never_fetched(client, session, stub):
    from tests.unit.support import run_jobs

    body = payload("messenger", "image")
    body["entry"][0]["messaging"][0]["message"]["attachments"] = [
        {"type": "fallback", "payload": {"url": "http://169.254.169.254/latest/meta-data/"}}
    ]
    post_meta(client, "/webhooks/messenger", body, SECRET)
    assert run_jobs() == 0
    assert [r for r in stub.requests if r.method == "GET"] == []
    assert session.exec(select(Message)).one().meta["links"] == ["http://169.254.169.254/latest/meta-data/"]


def test_media_on_a_foreign_host_is_refused(client, session, stub):
    from aisha_app.models import Job
    from tests.unit.support import run_jobs

    body = payload("messenger", "image")
    body["entry"][0]["messaging"][0]["message"]["attachments"][0]["payload"]["url"] = (
        "https://intranet.local/x"
    )
    post_meta(client, "/webhooks/messenger", body, SECRET)
    run_jobs()
    job = session.exec(select(Job).where(Job.kind == "fetch_media")).one()
    assert job.status == "dead" and "unexpected host" in job.last_error


def test_standby_entries_are_acknowledged_and_logged(client, session, caplog):
    caplog.set_level("INFO", logger="aisha.ingest")
    body = {"object": "page", "entry": [{"id": "1", "time": 1, "standby": [{"sender": {"id": "1"}}]}]}
    assert post_meta(client, "/webhooks/messenger", body, SECRET).status_code == 200
    assert "standby" in caplog.text


def test_unconfigured_secret_refuses_the_webhook(client, monkeypatch):
    from aisha_app.config import get_settings

    monkeypatch.setattr(get_settings(), "fb_app_secret", None)
    assert post_meta(client, "/webhooks/messenger", payload("messenger", "text"), SECRET).status_code == 403


def test_ids_of_the_wrong_shape_are_400_not_stored(client, session):
    body = payload("messenger", "text")
    body["entry"][0]["messaging"][0]["message"]["mid"] = {"not": "a string"}
    assert post_meta(client, "/webhooks/messenger", body, SECRET).status_code == 400
    body["entry"][0]["messaging"][0]["message"]["mid"] = "m" * 500
    assert post_meta(client, "/webhooks/messenger", body, SECRET).status_code == 400
    assert session.exec(select(Message)).all() == []
