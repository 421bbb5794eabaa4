"""A send whose answer never came: the provider may have it, so it is not resent at once.

The provider stub accepts the send but answers after PROVIDER_TIMEOUT_SECONDS (1.5 s in tests):
the customer has the message, we do not know it. The message waits for the provider's status
webhook (matched by the reference we gave the provider) for SEND_UNKNOWN_GRACE_SECONDS, and is
sent again only when none came.
"""

import socket
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlmodel import select

from aisha_app.actions.ingest import Delivery, park_webhook
from aisha_app.api import webhooks
from aisha_app.config import get_settings
from aisha_app.models import Job, JobStatus, Message, WebhookEvent
from aisha_app.models.base import utcnow
from aisha_app.services.messaging.base import ParsedWebhook
from tests.unit.support import (
    AGENT_PASSWORD,
    PROVIDER_ENV,
    login,
    make_due,
    payload,
    post_meta,
    post_twilio,
    run_jobs,
)
from tests.unit.test_outbound import customer_writes, reply

LATE = 2.5  # seconds: after the client's 1.5 s timeout
GRACE = 300  # the default SEND_UNKNOWN_GRACE_SECONDS
CHANNELS = ["whatsapp_cloud", "twilio", "messenger"]


def time_passes(session, seconds: float) -> None:
    """Pretend ``seconds`` went by for the queue: every waiting job is that much nearer."""
    for job in session.exec(select(Job).where(Job.status == JobStatus.QUEUED)).all():
        job.run_after -= timedelta(seconds=seconds)
        session.add(job)
    session.commit()
    run_jobs()


def late_answered_send(client, session, stub, provider: str) -> int:
    """Staff reply; the provider takes it but answers too late. Returns the message id."""
    conversation_id = customer_writes(client, provider)
    stub.answer_late(LATE)
    message_id = reply(client, conversation_id, text="Your order is ready")["id"]
    run_jobs()
    assert len(stub.sends()) == 1
    return message_id


def provider_reports(client, stub, provider: str, status: str, provider_id: str):
    """The provider's status webhook for the send it received, echoing our reference as it does."""
    sent = stub.sends()[0]
    if provider == "whatsapp_cloud":
        body = payload("whatsapp_cloud", f"status_{status}")
        report = body["entry"][0]["changes"][0]["value"]["statuses"][0]
        report["id"] = provider_id
        report["biz_opaque_callback_data"] = sent.json()["biz_opaque_callback_data"]
        return post_meta(client, "/webhooks/whatsapp", body, PROVIDER_ENV["WHATSAPP_APP_SECRET"])
    if provider == "twilio":
        callback = urlsplit(sent.form()["StatusCallback"][0])  # our URL, with our reference
        form = payload("twilio", "status_delivered") | {
            "MessageSid": provider_id,
            "SmsSid": provider_id,
            "MessageStatus": status,
            "SmsStatus": status,
        }
        return post_twilio(client, f"{callback.path}?{callback.query}", form)
    assert status == "sent", "Messenger reports a send by echoing it"
    body = payload("messenger", "echo")
    event = body["entry"][0]["messaging"][0]
    event["sender"], event["recipient"] = event["recipient"], {"id": "6789012345678901"}
    event["message"] |= {"mid": provider_id, "metadata": sent.json()["message"]["metadata"]}
    return post_meta(client, "/webhooks/messenger", body, PROVIDER_ENV["FB_APP_SECRET"])


@pytest.mark.parametrize("provider", CHANNELS)
def test_a_send_answered_too_late_is_sent_once_within_the_grace_and_once_more_after_it(
    client, session, stub, world, provider
):
    message_id = late_answered_send(client, session, stub, provider)

    time_passes(session, 60)  # an ordinary retry would have gone out long ago
    assert len(stub.sends()) == 1
    session.expire_all()
    assert session.get(Message, message_id).status == "unknown"
    time_passes(session, GRACE)  # no status came: it is sent again, once
    assert len(stub.sends()) == 2
    time_passes(session, 3600)
    make_due(session)
    run_jobs()
    assert len(stub.sends()) == 2
    session.expire_all()
    message = session.get(Message, message_id)
    assert message.provider_message_id is not None
    assert message.status == ("sent" if provider == "messenger" else "queued")


@pytest.mark.parametrize("provider", CHANNELS)
def test_a_status_within_the_grace_settles_a_late_answered_send_and_it_is_never_resent(
    client, session, stub, world, provider
):
    message_id = late_answered_send(client, session, stub, provider)
    provider_id = {"whatsapp_cloud": "wamid.LATE", "twilio": "SMlate", "messenger": "m_late"}[provider]
    assert provider_reports(client, stub, provider, "sent", provider_id).status_code == 200

    time_passes(session, 60)
    time_passes(session, GRACE + 60)
    make_due(session)
    run_jobs()
    assert len(stub.sends()) == 1
    session.expire_all()
    message = session.get(Message, message_id)
    assert (message.status, message.provider_message_id) == ("sent", provider_id)
    assert session.exec(select(Job).where(Job.status == JobStatus.DEAD)).all() == []


def test_a_twilio_status_that_was_parked_still_settles_the_send_it_names(client, session, stub, world):
    message_id = late_answered_send(client, session, stub, "twilio")
    callback = urlsplit(stub.sends()[0].form()["StatusCallback"][0])  # our reference is in its query
    form = payload("twilio", "status_delivered") | {"MessageSid": "SMparked", "SmsSid": "SMparked"}
    form |= {"MessageStatus": "sent", "SmsStatus": "sent"}
    # Stored as the route keeps a webhook it could verify but not store: body, headers and query.
    park_webhook(
        session,
        Delivery("twilio_whatsapp", ParsedWebhook(), urlencode(form), {webhooks.QUERY: callback.query}),
        "OperationalError: the store failed",
    )
    session.commit()
    time_passes(session, 60)  # stored by a worker; its status applied (by our reference) soon after
    time_passes(session, 60)
    session.expire_all()
    message = session.get(Message, message_id)
    assert (message.status, message.provider_message_id) == ("sent", "SMparked")
    assert len(stub.sends()) == 1


def test_the_query_of_a_status_callback_is_kept_with_its_webhook(client, session, stub, world):
    late_answered_send(client, session, stub, "twilio")
    assert provider_reports(client, stub, "twilio", "sent", "SMkept").status_code == 200
    event = session.exec(select(WebhookEvent).where(WebhookEvent.provider == "twilio_whatsapp")).all()[-1]
    assert event.headers[webhooks.QUERY].startswith("aisha_ref=")


def test_a_failed_status_within_the_grace_fails_the_message_with_the_providers_reason(
    client, session, stub, world
):
    message_id = late_answered_send(client, session, stub, "whatsapp_cloud")
    provider_reports(client, stub, "whatsapp_cloud", "failed", "wamid.REFUSED")
    time_passes(session, 60)
    time_passes(session, GRACE + 60)
    assert len(stub.sends()) == 1
    session.expire_all()
    message = session.get(Message, message_id)
    assert (message.status, message.error_code) == ("failed", "131047")


def test_when_the_second_send_is_not_confirmed_either_the_message_fails_and_is_not_sent_again(
    client, session, stub, world
):
    message_id = late_answered_send(client, session, stub, "whatsapp_cloud")
    stub.answer_late(LATE)
    time_passes(session, GRACE + 1)
    assert len(stub.sends()) == 2
    session.expire_all()
    assert session.get(Message, message_id).status == "unknown"
    time_passes(session, GRACE + 1)
    make_due(session)
    run_jobs()
    assert len(stub.sends()) == 2
    session.expire_all()
    message = session.get(Message, message_id)
    assert (message.status, message.error_code) == ("failed", "unknown_outcome")
    assert "may have received it" in message.error_text
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert client.post(f"/api/messages/{message_id}/retry", headers=headers).status_code == 200


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there once closed


@pytest.mark.parametrize(
    ("provider", "setting"),
    [
        ("whatsapp_cloud", "whatsapp_api_base_url"),
        ("twilio", "twilio_api_base_url"),
        ("messenger", "fb_api_base_url"),
    ],
)
def test_a_send_that_could_not_connect_never_left_and_is_retried_with_the_usual_backoff(
    client, session, stub, world, monkeypatch, provider, setting
):
    conversation_id = customer_writes(client, provider)
    monkeypatch.setattr(get_settings(), setting, closed_port())
    message_id = reply(client, conversation_id, text="Hello")["id"]
    run_jobs()
    session.expire_all()
    message = session.get(Message, message_id)
    assert (message.status, message.error_code) == ("pending", "network")
    job = session.exec(select(Job).where(Job.kind == "send_message")).one()
    assert (job.status, job.attempts) == ("queued", 1)
    assert job.run_after - utcnow() < timedelta(seconds=10)  # backoff, not the grace

    monkeypatch.undo()
    make_due(session)
    run_jobs()
    assert len(stub.sends()) == 1
    session.expire_all()
    assert session.get(Message, message_id).provider_message_id is not None
