"""Batched storing of webhooks: one transaction for many, duplicates dropped, failures isolated."""

import json
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from aisha_app.actions.ingest import Delivery, store_batch
from aisha_app.background.writer import Writer
from aisha_app.models import Channel, Contact, Conversation, Job, Message, MessageType, WebhookEvent
from aisha_app.services.messaging.base import InboundMessage, ParsedWebhook
from tests.unit.support import PROVIDER_ENV, post_meta


def wa_body(i: int, sender: int, message_id: str | None = None) -> dict:
    wa_id = f"25471100{sender:04d}"
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "contacts": [{"profile": {"name": f"Customer {sender}"}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": message_id or f"wamid.batch.{i}",
                                    "timestamp": "1750263773",
                                    "type": "text",
                                    "text": {"body": f"message {i}"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def inbound(i: int, sender: int, channel=Channel.WHATSAPP_CLOUD) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        provider_message_id=f"wamid.direct.{i}",
        sender=f"+25471100{sender:04d}",
        sender_name=f"Customer {sender}",
        type=MessageType.TEXT,
        body=f"direct {i}",
    )


def test_a_batch_stores_each_message_once_in_its_senders_conversation(session):
    deliveries = [
        Delivery("whatsapp_cloud", ParsedWebhook(messages=[inbound(i % 40, i % 10)]), "{}", {})
        for i in range(60)
    ]  # 60 deliveries, 40 distinct ids, 10 senders
    created = store_batch(session, deliveries)
    assert len(created) == 40
    assert len(session.exec(select(Message)).all()) == 40
    assert len(session.exec(select(Contact)).all()) == 10
    conversations = session.exec(select(Conversation)).all()
    assert len(conversations) == 10
    assert all(c.last_inbound_at is not None for c in conversations)
    assert len(session.exec(select(WebhookEvent)).all()) == 60


def test_concurrent_webhooks_with_retries_are_all_stored_exactly_once(client, session):
    secret = PROVIDER_ENV["WHATSAPP_APP_SECRET"]
    bodies = [wa_body(i, i % 7) for i in range(120)] + [wa_body(i, i % 7) for i in range(0, 120, 3)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(
            pool.map(lambda b: post_meta(client, "/webhooks/whatsapp", b, secret).status_code, bodies)
        )

    assert set(codes) == {200}
    assert len(session.exec(select(Message)).all()) == 120
    assert len(session.exec(select(Contact)).all()) == 7
    assert len(session.exec(select(Conversation)).all()) == 7


def test_one_bad_delivery_does_not_cost_the_others(session):
    good = Delivery("whatsapp_cloud", ParsedWebhook(messages=[inbound(1, 1)]), json.dumps({"n": 1}), {})
    broken_message = inbound(2, 2)
    broken_message.channel = "not-a-channel"  # a bug upstream, as far as storing is concerned
    bad = Delivery("whatsapp_cloud", ParsedWebhook(messages=[broken_message]), json.dumps({"n": 2}), {})

    writer = Writer()
    from concurrent.futures import Future

    futures = [Future(), Future()]
    writer._write([(good, futures[0]), (bad, futures[1])])

    assert all(f.done() for f in futures)
    assert [m.body for m in session.exec(select(Message)).all()] == ["direct 1"]
    parked = session.exec(select(WebhookEvent).where(WebhookEvent.status == "failed")).one()
    assert json.loads(parked.body) == {"n": 2}
    assert session.exec(select(Job).where(Job.kind == "process_webhook")).one().payload == {
        "event_id": parked.id
    }


def test_the_window_opens_when_the_customer_wrote_not_when_the_webhook_was_stored(session):
    from datetime import timedelta

    from aisha_app.actions.outbound import window_open
    from aisha_app.models.base import utcnow

    late = inbound(1, 1)
    late.timestamp = utcnow() - timedelta(hours=30)  # a provider retry, a day and more late
    store_batch(session, [Delivery("whatsapp_cloud", ParsedWebhook(messages=[late]), "{}", {})])
    conversation = session.exec(select(Conversation)).one()
    assert conversation.last_inbound_at < utcnow() - timedelta(hours=29)
    assert not window_open(conversation)

    fresh = inbound(2, 1)
    fresh.timestamp = utcnow() - timedelta(minutes=5)
    store_batch(session, [Delivery("whatsapp_cloud", ParsedWebhook(messages=[fresh]), "{}", {})])
    session.refresh(conversation)
    assert window_open(conversation)

    older = inbound(3, 1)
    older.timestamp = utcnow() - timedelta(hours=40)  # arrives last, but never moves the window back
    store_batch(session, [Delivery("whatsapp_cloud", ParsedWebhook(messages=[older]), "{}", {})])
    session.refresh(conversation)
    assert window_open(conversation)
