"""An automation's webhook: signed JSON posted by a job of its own, retried on 5xx and no answer,
given up on 4xx, delivered once per run with the same delivery id on every try."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlmodel import select

from aisha_app.config import get_settings
from aisha_app.models import Job, JobStatus
from tests.unit.provider_stub import Failure
from tests.unit.support import customer_writes, make_due, run_jobs
from tests.unit.test_automations import PHONE, rule, runs

SECRET = "test-webhook-secret-0123456789"


@pytest.fixture
def signed(monkeypatch):
    monkeypatch.setattr(get_settings(), "automation_webhook_secret", SECRET)


def hooked(client, owner, stub, **spec) -> dict:
    return rule(
        client,
        owner,
        actions=[
            {"type": "add_tag", "tag": "asked-price"},
            {"type": "webhook", "url": f"{stub.base_url}/actions/crm", **spec},
        ],
    )


def deliveries(stub) -> list:
    return [r for r in stub.requests if r.path == "/actions/crm"]


def test_the_webhook_posts_signed_json_about_the_customer(client, owner, session, world, stub, signed):
    created = hooked(client, owner, stub)
    customer_writes(session, PHONE, "What's the price of the boots?")
    (delivery,) = deliveries(stub)
    body = delivery.json()
    assert body["rule"] == {"id": created["id"], "name": "Price list"}
    assert body["contact"]["phone"] == PHONE and body["contact"]["tags"] == ["asked-price"]
    assert body["message"]["body"] == "What's the price of the boots?"
    assert body["conversation"]["channel"] == "simulator"
    headers = {k.lower(): v for k, v in delivery.headers.items()}
    expected = hmac.new(
        SECRET.encode(), headers["x-aisha-timestamp"].encode() + b"." + delivery.body, hashlib.sha256
    )
    assert headers["x-aisha-signature"] == "sha256=" + expected.hexdigest()
    assert headers["content-type"] == "application/json"
    (run,) = runs(session, created["id"])
    assert run.status == "succeeded"
    assert run.steps[1]["detail"].startswith("POST to 127.0.0.1 queued")


def test_a_failing_receiver_is_retried_with_the_same_delivery_id_and_a_refusal_is_not(
    client, owner, session, world, stub, signed
):
    hooked(client, owner, stub)
    stub.failures.extend([Failure(503, {"error": "busy"}), Failure(500, {"error": "oops"})])
    customer_writes(session, PHONE, "price please")
    for _ in range(3):
        make_due(session)
        run_jobs()
    tries = deliveries(stub)
    assert len(tries) == 3  # 503, 500, then 200
    ids = {dict((k.lower(), v) for k, v in t.headers.items())["x-aisha-delivery"] for t in tries}
    assert len(ids) == 1
    assert all(json.loads(t.body) == json.loads(tries[0].body) for t in tries)
    (job,) = session.exec(select(Job).where(Job.kind == "automation_webhook")).all()
    assert job.status == JobStatus.SUCCEEDED

    stub.requests.clear()
    stub.actions["crm"] = (410, {"error": "gone"}, 0.0)
    customer_writes(session, PHONE, "price again")
    make_due(session)
    run_jobs()
    session.expire_all()
    dead = session.exec(
        select(Job).where(Job.kind == "automation_webhook", Job.status == JobStatus.DEAD)
    ).one()
    assert "HTTP 410" in dead.last_error and len(deliveries(stub)) == 1  # refused: not retried


def test_without_a_secret_the_webhook_is_not_sent_and_the_run_says_why(client, owner, session, world, stub):
    created = hooked(client, owner, stub)
    customer_writes(session, PHONE, "price?")
    (run,) = runs(session, created["id"])
    assert run.status == "failed" and "AUTOMATION_WEBHOOK_SECRET" in run.error
    assert deliveries(stub) == []


@pytest.mark.parametrize(
    "spec", [{"url": "ftp://crm.test/x"}, {"url": "https://crm.test/x", "timeout_seconds": 30}]
)
def test_a_webhook_is_http_with_at_most_10_seconds(client, owner, spec):
    answer = client.post(
        "/api/automations",
        json={"name": "x", "trigger": {"type": "message_received"}, "actions": [{"type": "webhook", **spec}]},
        headers=owner,
    )
    assert answer.status_code == 422


def test_in_production_a_webhook_reaches_only_public_addresses(
    client, owner, session, world, stub, signed, monkeypatch
):
    hooked(client, owner, stub)
    monkeypatch.setattr(get_settings(), "environment", "production")
    customer_writes(session, PHONE, "price?")
    session.expire_all()
    job = session.exec(select(Job).where(Job.kind == "automation_webhook")).one()
    assert job.status == JobStatus.DEAD and "private or reserved network" in job.last_error
    assert deliveries(stub) == []
