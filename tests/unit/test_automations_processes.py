"""Automations under two worker processes: every rule runs once per event, and every action once,
though each event's job is queued twice (a replay, a retried webhook stored twice by a race) and
the two processes take jobs from one queue at the same time."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from aisha_app.actions.ingest import Delivery, store_batch
from aisha_app.background import jobs
from aisha_app.models import AutomationRun, Channel, Contact, Job, JobStatus, MessageType
from aisha_app.services.messaging.base import InboundMessage, ParsedWebhook
from tests.unit.support import worker_hosts, worker_processes

CUSTOMERS = 12


def _writes(session, i: int) -> None:
    """Customer ``i`` asks for the price on WhatsApp; Meta delivers the webhook twice."""
    message = InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        provider_message_id=f"wamid.processes-{i}",
        sender=f"+2547115000{i:02d}",
        sender_name=f"Buyer{i}",
        type=MessageType.TEXT,
        body="PRICE please",
    )
    for _ in range(2):
        store_batch(session, [Delivery("whatsapp_cloud", ParsedWebhook(messages=[message]))])
    session.commit()


def test_two_worker_processes_run_each_rule_and_each_action_once(
    client, owner, session, world, stub, tmp_path
):
    rules = []
    for name, actions in (
        (
            "Price list",
            [
                {"type": "add_tag", "tag": "asked-price"},
                {"type": "send_text", "text": "Our prices, {{contact.first_name}}: boots 1,200."},
            ],
        ),
        ("Set the stage", [{"type": "set_attribute", "key": "asked", "value": "price"}]),
    ):
        made = client.post(
            "/api/automations",
            json={"name": name, "trigger": {"type": "keyword", "keywords": ["price"]}, "actions": actions},
            headers=owner,
        )
        assert made.status_code == 201, made.text
        rules.append(made.json()["id"])
    for i in range(CUSTOMERS):
        _writes(session, i)
    queued = session.exec(select(Job).where(Job.kind == "automation")).all()
    assert len(queued) == CUSTOMERS  # the second delivery stored nothing, so queued nothing
    for job in queued:  # and each job twice, as a replay would
        jobs.enqueue(session, "automation", job.payload)
    session.commit()

    def finished() -> bool:
        session.expire_all()
        pending = session.exec(select(Job).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))).all()
        return not pending

    logs = worker_processes(tmp_path, finished, timeout=90, AUTOMATION_QUIET_HOURS="none")
    assert finished(), logs
    assert len(worker_hosts(logs)) == 2  # two processes took part

    session.expire_all()
    runs = session.exec(select(AutomationRun)).all()
    assert Counter((r.automation_id, r.status) for r in runs) == {
        (rules[0], "succeeded"): CUSTOMERS,
        (rules[1], "succeeded"): CUSTOMERS,
    }
    buyers = session.exec(select(Contact).where(Contact.name.like("Buyer%"))).all()
    assert len(buyers) == CUSTOMERS
    assert all(c.tags == ["asked-price"] and c.attributes == {"asked": "price"} for c in buyers)
    bodies = [r.json().get("text", {}).get("body", "") for r in stub.sends()]
    sent = Counter(body for body in bodies if body.startswith("Our prices"))
    assert sent == {f"Our prices, Buyer{i}: boots 1,200.": 1 for i in range(CUSTOMERS)}  # each once
    assert not session.exec(select(Job).where(Job.status == JobStatus.DEAD)).all()
