"""A rule's wait: the rest of its actions is a job row due when the wait ends, so it survives a
restart, runs once, and ends instead when what cancels it happened meanwhile."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from aisha_app.models import Job, JobStatus
from aisha_app.models.base import utcnow
from tests.unit.support import customer_writes, make_due, run_jobs, sent_to
from tests.unit.test_automations import PHONE, rule, runs

FOLLOW_UP = "How were the boots, Wanjiru?"


def bought_and_tagged(client, owner, session, world, **wait) -> dict:
    """A rule that labels at once, waits, then asks how it went; Wanjiru is tagged 'bought'."""
    created = rule(
        client,
        owner,
        trigger={"type": "tag_added", "tag": "bought"},
        actions=[
            {"type": "add_label", "label": "follow-up"},
            {"type": "wait", "minutes": 60, **wait},
            {"type": "send_text", "text": "How were the boots, {{contact.first_name}}?"},
        ],
    )
    customer_writes(session, PHONE, "I'll take the boots, thanks!")
    client.patch(f"/api/contacts/{world.contacts[0].id}", json={"tags": ["bought"]}, headers=owner)
    run_jobs()
    return created


def resumes(session) -> list[Job]:
    session.expire_all()
    return list(session.exec(select(Job).where(Job.kind == "automation_resume")).all())


def test_a_wait_survives_a_restart_and_the_rest_runs_once_when_it_ends(client, owner, session, world, awake):
    created = bought_and_tagged(client, owner, session, world)
    (run,) = runs(session, created["id"])
    assert run.status == "waiting"
    assert [(s["type"], s["status"]) for s in run.steps] == [("add_label", "done"), ("wait", "waiting")]
    assert "waits 1 hour, until" in run.steps[1]["detail"]
    (job,) = resumes(session)
    assert timedelta(minutes=59) < job.run_after.replace(tzinfo=UTC) - utcnow() <= timedelta(minutes=60)
    assert FOLLOW_UP not in sent_to(session, PHONE)
    run_jobs()  # not due yet: nothing happens
    assert runs(session, created["id"])[0].status == "waiting"

    make_due(session)  # an hour later, in a worker that started after the wait began
    run_jobs()
    make_due(session)
    run_jobs()
    (run,) = runs(session, created["id"])
    assert run.status == "succeeded", run.steps
    assert [(s["type"], s["status"]) for s in run.steps] == [
        ("add_label", "done"),
        ("wait", "done"),
        ("send_text", "done"),
    ]
    assert run.steps[1]["detail"].startswith("waited ")
    assert sent_to(session, PHONE).count(FOLLOW_UP) == 1
    (job,) = resumes(session)
    assert job.status == JobStatus.SUCCEEDED
    # The job retried after its COMMIT (a worker lost its answer) finds the run done.
    job.status, job.run_after = JobStatus.QUEUED, utcnow()
    session.add(job)
    session.commit()
    run_jobs()
    assert sent_to(session, PHONE).count(FOLLOW_UP) == 1


def test_a_customer_reply_during_the_wait_ends_the_run(client, owner, session, world, awake):
    created = bought_and_tagged(client, owner, session, world, cancel_if=["customer_replied"])
    customer_writes(session, PHONE, "They fit perfectly!")
    make_due(session)
    run_jobs()
    (run,) = runs(session, created["id"])
    assert (run.status, run.error) == ("skipped", "the customer replied during the wait")
    assert run.steps[-1]["status"] == "stopped"
    assert FOLLOW_UP not in sent_to(session, PHONE)


def test_a_rule_switched_off_during_its_wait_does_not_go_on(client, owner, session, world, awake):
    created = bought_and_tagged(client, owner, session, world, cancel_if=["staff_replied"])
    client.patch(f"/api/automations/{created['id']}", json={"is_active": False}, headers=owner)
    make_due(session)
    run_jobs()
    (run,) = runs(session, created["id"])
    assert (run.status, run.error) == ("skipped", "the rule was switched off during the wait")
    assert FOLLOW_UP not in sent_to(session, PHONE)


def test_the_dry_run_shows_the_wait_and_what_follows_it(client, owner, session, world, awake):
    created = bought_and_tagged(client, owner, session, world, cancel_if=["customer_replied", "resolved"])
    out = client.post(
        f"/api/automations/{created['id']}/dry-run", json={"contact_id": world.contacts[0].id}, headers=owner
    ).json()
    assert [(s["type"], s["status"]) for s in out["steps"]] == [
        ("add_label", "skipped"),  # the real run labelled the conversation already
        ("wait", "done"),
        ("send_text", "done"),
    ]
    assert out["steps"][1]["detail"].startswith("would wait 1 hour, until ")
    assert out["steps"][1]["detail"].endswith("unless the customer replies or the conversation is resolved")
    assert len(resumes(session)) == 1  # the real run's only


@pytest.mark.parametrize(
    "wait", [{"minutes": 5}, {"minutes": 30 * 24 * 60 + 1}, {"minutes": 60, "cancel_if": ["paid"]}]
)
def test_a_wait_is_10_minutes_to_30_days_and_names_known_cancels(client, owner, wait):
    answer = client.post(
        "/api/automations",
        json={
            "name": "x",
            "trigger": {"type": "message_received"},
            "actions": [{"type": "wait", **wait}, {"type": "stop"}],
        },
        headers=owner,
    )
    assert answer.status_code == 422
    assert "actions" in answer.text


def test_a_wait_whose_resume_keeps_failing_ends_as_failed_and_a_replay_resumes_it(
    client, owner, session, world, awake
):
    created = bought_and_tagged(client, owner, session, world)
    (job,) = resumes(session)
    kept = job.payload
    # What follows the wait cannot run (a message without its text): the job fails each time.
    job.payload = {**kept, "actions": [{"type": "send_text"}]}
    job.attempts, job.run_after = job.max_attempts - 1, utcnow()
    session.add(job)
    session.commit()
    run_jobs()
    (run,) = runs(session, created["id"])
    assert run.status == "failed" and "KeyError" in run.error  # not waiting for ever
    assert run.steps[-1]["status"] == "failed"
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.status == JobStatus.DEAD
    job.payload = kept  # mended, and an admin replays it
    session.add(job)
    session.commit()
    assert client.post(f"/api/jobs/{job.id}/replay", headers=owner).status_code == 200
    assert runs(session, created["id"])[0].status == "waiting"
    make_due(session)
    run_jobs()
    make_due(session)
    run_jobs()
    assert runs(session, created["id"])[0].status == "succeeded"
    assert sent_to(session, PHONE).count(FOLLOW_UP) == 1


def test_a_deleted_rules_waiting_run_does_not_resume_as_another_rules(client, owner, session, world, awake):
    first = bought_and_tagged(client, owner, session, world)
    assert client.delete(f"/api/automations/{first['id']}", headers=owner).status_code == 204
    second = rule(
        client,
        owner,
        trigger={"type": "tag_added", "tag": "returned"},
        actions=[{"type": "wait", "minutes": 10}, {"type": "add_label", "label": "refund"}],
    )
    client.patch(
        f"/api/contacts/{world.contacts[0].id}", json={"tags": ["bought", "returned"]}, headers=owner
    )
    run_jobs()
    (run,) = runs(session, second["id"])
    assert run.status == "waiting"  # its own wait, queued (on SQLite it may hold the first run's id)
    make_due(session)
    run_jobs()
    assert runs(session, second["id"])[0].status == "succeeded"
    assert FOLLOW_UP not in sent_to(session, PHONE)  # the deleted rule's rest never ran
