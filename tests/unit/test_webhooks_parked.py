"""A webhook that could not be stored is parked; a worker stores it later, or an admin sees why not."""

from __future__ import annotations

import json
from concurrent.futures import Future

from sqlmodel import select

from aisha_app.actions.ingest import Delivery
from aisha_app.background.writer import Writer
from aisha_app.models import Job, Message, WebhookEvent
from aisha_app.services.messaging.base import ParsedWebhook
from tests.unit.support import ADMIN_PASSWORD, login, make_due, run_jobs
from tests.unit.test_ingest import inbound, wa_body


def _park(raw: str) -> None:
    """A delivery whose storing fails (a bug upstream, as far as storing goes), with its raw body."""
    broken = inbound(1, 1)
    broken.channel = "not-a-channel"
    done: Future = Future()
    Writer()._write([(Delivery("whatsapp_cloud", ParsedWebhook(messages=[broken]), raw, {}), done)])
    assert done.result(timeout=5) is None  # parked is stored: the provider was told 200


def test_a_parked_webhook_is_stored_from_its_raw_body_by_a_worker(session):
    _park(json.dumps(wa_body(7, 7)))
    assert session.exec(select(Message)).all() == []

    assert run_jobs() >= 1

    assert [m.provider_message_id for m in session.exec(select(Message)).all()] == ["wamid.batch.7"]
    event = session.exec(select(WebhookEvent)).one()
    session.refresh(event)
    assert (event.status, event.error) == ("processed", None)


def test_a_parked_webhook_that_keeps_failing_is_a_dead_job_an_admin_sees_with_its_error(
    client, session, world
):
    _park('{"object": "whatsapp_business_account", "entry": "not a list"}')

    run_jobs()

    job = session.exec(select(Job).where(Job.kind == "process_webhook")).one()
    session.refresh(job)
    assert job.status == "dead"
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    dead = client.get("/api/jobs/dead", headers=headers)
    assert dead.status_code == 200
    [shown] = [j for j in dead.json() if j["kind"] == "process_webhook"]
    assert "cannot be read" in shown["last_error"]
    assert "not a WhatsApp Business Account webhook" in shown["last_error"]

    # Replayed, it fails the same way and is dead again: never silently gone.
    assert client.post(f"/api/jobs/{shown['id']}/replay", headers=headers).status_code == 200
    make_due(session)
    run_jobs()
    again = client.get("/api/jobs/dead", headers=headers).json()
    assert [j["id"] for j in again if j["kind"] == "process_webhook"] == [shown["id"]]


def test_a_webhook_our_parser_failed_on_is_parked_and_stored_by_a_worker_later(session):
    delivery = Delivery(
        "whatsapp_cloud", ParsedWebhook(), json.dumps(wa_body(8, 8)), {}, unreadable="KeyError: 'type'"
    )
    done: Future = Future()
    Writer()._write([(delivery, done)])
    assert done.result(timeout=5) is None  # acknowledged: it is kept
    parked = session.exec(select(WebhookEvent)).one()
    assert (parked.status, parked.error) == ("failed", "KeyError: 'type'")
    assert session.exec(select(Message)).all() == []

    run_jobs()  # the parser of the day reads it

    assert [m.provider_message_id for m in session.exec(select(Message)).all()] == ["wamid.batch.8"]
