"""Twilio WhatsApp webhooks: one test per recorded payload, and the signature rules."""

import pytest
from sqlmodel import select

from aisha_app.models import Contact, Message, WebhookEvent
from tests.unit.support import payload, post_twilio

MESSAGES = {
    "text": ("text", "Do you embroider logos?"),
    "media": ("image", "Our logo"),
    "location": ("location", None),
    "button": ("interactive", "Join the list"),
    "referral": ("text", "I saw your ad"),
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_recorded_message_is_stored_and_answered_with_empty_twiml(client, session, name):
    form = payload("twilio", name)
    response = post_twilio(client, "/webhooks/twilio", form)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.endswith("<Response/>")
    message = session.exec(select(Message)).one()
    assert (message.type, message.body) == MESSAGES[name]
    assert message.provider_message_id == form["MessageSid"]
    contact = session.exec(select(Contact)).one()
    assert contact.phone_e164 == "+254722000111"
    assert contact.name == "Otieno"


def test_media_url_and_type_are_kept(client, session):
    post_twilio(client, "/webhooks/twilio", payload("twilio", "media"))
    message = session.exec(select(Message)).one()
    assert message.media_url.startswith("https://api.twilio.com/")
    assert message.media_content_type == "image/jpeg"


def test_location_and_button_payload_are_kept(client, session):
    post_twilio(client, "/webhooks/twilio", payload("twilio", "location"))
    post_twilio(client, "/webhooks/twilio", payload("twilio", "button"))
    location, button = session.exec(select(Message).order_by(Message.id)).all()
    assert location.meta["location"]["latitude"] == "-1.283253"
    assert button.meta["reply_id"] == "join_waitlist"


def test_referral_is_the_contacts_source(client, session):
    post_twilio(client, "/webhooks/twilio", payload("twilio", "referral"))
    contact = session.exec(select(Contact)).one()
    assert contact.source_type == "ad"
    assert contact.source_details["source_id"] == "120226305854810726"


def test_bad_signature_is_403(client, session):
    response = post_twilio(client, "/webhooks/twilio", payload("twilio", "text"), token="another-token")
    assert response.status_code == 403
    assert session.exec(select(WebhookEvent)).all() == []


def test_missing_signature_is_403(client):
    assert client.post("/webhooks/twilio", data=payload("twilio", "text")).status_code == 403


def test_changed_field_breaks_the_signature(client):
    from twilio.request_validator import RequestValidator

    form = payload("twilio", "text")
    signature = RequestValidator("twilio-auth-token-for-tests").compute_signature(
        "http://testserver/webhooks/twilio", form
    )
    form["Body"] = "Send me a refund"
    response = client.post("/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_replayed_webhook_is_stored_once(client, session):
    for _ in range(2):
        assert post_twilio(client, "/webhooks/twilio", payload("twilio", "text")).status_code == 200
    assert len(session.exec(select(Message)).all()) == 1


def test_signed_but_malformed_form_is_400(client):
    assert post_twilio(client, "/webhooks/twilio", {"Body": "hello"}).status_code == 400
    assert post_twilio(client, "/webhooks/twilio", {"From": "whatsapp:+254722000111"}).status_code == 400


def test_a_media_count_that_is_no_number_still_stores_the_message(client, session):
    form = {"MessageSid": "SM1", "From": "whatsapp:+254722000111", "Body": "hi", "NumMedia": "many"}
    assert post_twilio(client, "/webhooks/twilio", form).status_code == 200
    assert session.exec(select(Message)).one().body == "hi"


def test_media_is_downloaded_with_the_account_credentials_and_served_to_staff(client, session, stub, world):
    from tests.unit.support import AGENT_PASSWORD, login, run_jobs

    stub.media["ME1"] = (b"\x89PNG logo", "image/png")
    post_twilio(client, "/webhooks/twilio", payload("twilio", "media"))
    assert run_jobs() == 1
    fetch = next(r for r in stub.requests if r.method == "GET")
    assert fetch.path.endswith("/Messages/MM1/Media/ME1")
    assert fetch.headers["Authorization"].startswith("Basic ")
    message = session.exec(select(Message)).one()
    session.refresh(message)
    assert message.media_url == f"/media/{message.id}"
    served = client.get(message.media_url, headers=login(client, "agent@shop.test", AGENT_PASSWORD))
    assert served.content == b"\x89PNG logo"


def test_unconfigured_auth_token_refuses_the_webhook(client, monkeypatch):
    from aisha_app.config import get_settings

    monkeypatch.setattr(get_settings(), "twilio_auth_token", None)
    assert post_twilio(client, "/webhooks/twilio", payload("twilio", "text")).status_code == 403


def test_an_unknown_status_is_acknowledged(client, session):
    form = payload("twilio", "status_delivered") | {"MessageStatus": "scheduled", "SmsStatus": "scheduled"}
    assert post_twilio(client, "/webhooks/twilio/status", form).status_code == 200
    assert session.exec(select(WebhookEvent)).one().event_type == "status:scheduled"
