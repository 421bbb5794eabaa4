"""Automation rules: triggers, conditions and actions, each run once per event and logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from aisha_app.automations import engine
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.config import get_settings
from aisha_app.models import (
    Automation,
    AutomationRun,
    Contact,
    Conversation,
    Job,
    LeadActivity,
    Message,
    MessageTemplate,
)
from aisha_app.models.base import utcnow
from tests.unit.support import (
    AGENT_PASSWORD,
    PROVIDER_ENV,
    customer_writes,
    login,
    make_due,
    payload,
    post_meta,
    run_jobs,
    sent_to,
)

PHONE = "+254712345678"  # Wanjiru, of the test world


def rule(client, owner, **fields) -> dict:
    body = {"name": "Price list", "trigger": {"type": "keyword", "keywords": ["price"]}}
    body |= {"actions": [{"type": "add_tag", "tag": "asked-price"}]} | fields
    response = client.post("/api/automations", json=body, headers=owner)
    assert response.status_code == 201, response.text
    return response.json()


def runs(session, rule_id: int | None = None) -> list[AutomationRun]:
    session.expire_all()
    query = select(AutomationRun).order_by(AutomationRun.id)
    if rule_id is not None:
        query = query.where(AutomationRun.automation_id == rule_id)
    return list(session.exec(query).all())


def tags(session, phone: str = PHONE) -> list[str]:
    session.expire_all()
    return session.exec(select(Contact).where(Contact.phone_e164 == phone)).one().tags


def test_a_keyword_rule_tags_the_customer_and_logs_its_run(client, owner, session, world):
    created = rule(client, owner)
    customer_writes(session, PHONE, "Hi, what's the PRICE of the boots?")
    assert tags(session) == ["asked-price"]
    (run,) = runs(session)
    assert (run.automation_id, run.status, run.trigger) == (created["id"], "succeeded", "message_received")
    assert run.steps == [
        {"index": 0, "type": "add_tag", "status": "done", "detail": "added tag 'asked-price'"}
    ]
    listed = client.get(f"/api/automations/{created['id']}/runs", headers=owner).json()
    assert [r["id"] for r in listed] == [run.id]
    by_contact = client.get(f"/api/automation-runs?contact_id={world.contacts[0].id}", headers=owner).json()
    assert [r["id"] for r in by_contact] == [run.id]
    timeline = session.exec(select(LeadActivity).where(LeadActivity.kind == "automation")).all()
    assert [a.summary for a in timeline] == ["Automation 'Price list': added tag 'asked-price'"]
    shown = client.get(f"/api/automations/{created['id']}", headers=owner).json()
    assert (shown["runs"], shown["failures"]) == (1, 0)
    assert shown["last_run_at"] is not None


def test_a_message_without_the_keyword_triggers_nothing(client, owner, session, world):
    rule(client, owner)
    customer_writes(session, PHONE, "Priceless service, thank you")  # "price" inside a longer word
    assert tags(session) == []
    assert runs(session) == []
    assert session.exec(select(Job).where(Job.kind == "automation")).all() == []


def test_a_retried_webhook_runs_the_rule_once(client, owner, session, world, awake):
    rule(
        client,
        owner,
        trigger={"type": "keyword", "keywords": ["colour"]},
        actions=[{"type": "send_text", "text": "We have red and black, {{contact.first_name}}."}],
    )
    body = payload("whatsapp_cloud", "text")  # "Does it come in another colour?" from 254712345678
    for _ in range(3):  # Meta retries when it did not hear 200 in time
        assert (
            post_meta(client, "/webhooks/whatsapp", body, PROVIDER_ENV["WHATSAPP_APP_SECRET"]).status_code
            == 200
        )
    make_due(session)
    run_jobs()
    make_due(session)
    run_jobs()
    assert len(runs(session)) == 1
    assert sent_to(session, PHONE).count("We have red and black, Wanjiru.") == 1


def test_a_crash_before_commit_and_a_second_worker_still_send_once(client, owner, session, world, awake):
    from aisha_app.actions.ingest import receive_simulated

    created = rule(client, owner, actions=[{"type": "send_text", "text": "Our prices: ..."}])
    receive_simulated(session, PHONE, None, "price?")
    session.commit()
    job = session.exec(select(Job).where(Job.kind == "automation")).one()
    engine._run_job(session, job)  # a worker does the run ...
    session.rollback()  # ... and dies before its COMMIT
    assert runs(session) == []
    make_due(session)
    run_jobs()  # the job, retried, and the send it queues
    engine._run_job(session, session.get(Job, job.id))  # a second worker handed the same job
    session.commit()
    make_due(session)
    run_jobs()
    assert len(runs(session, created["id"])) == 1
    assert sent_to(session, PHONE).count("Our prices: ...") == 1


@pytest.mark.parametrize(
    ("keywords", "match", "text", "fires"),
    [
        (["price"], "word", "PRICE??", True),
        (["price"], "word", "how much is the price-list", True),
        (["price"], "word", "priceless", False),
        (["price"], "contains", "priceless", True),
        (["cafe"], "word", "Is the Café open?", True),  # accents ignored
        (["menu"], "word", "Ménu plz", True),
        (["1"], "word", "١", True),  # Arabic-Indic one
        (["order 25"], "word", "order ٢٥ please", True),
        (["شكرا"], "word", "شُكْرًا جزيلا", True),  # short vowels ignored
        (["شكرا"], "word", "شـكـرا", True),  # tatweel ignored
        (["hi, there"], "word", "hi, there!", True),  # a comma inside a keyword
        (["stop"], "word", "don't stop me now", True),
        (["stop"], "word", "STOPPED", False),
        (["^order\\s*#?\\d+$"], "regex", "Order #42", True),
        (["^order\\s*#?\\d+$"], "regex", "my order 42", False),
    ],
)
def test_keywords_match_as_customers_write(client, owner, session, world, keywords, match, text, fires):
    rule(client, owner, trigger={"type": "keyword", "keywords": keywords, "match": match})
    customer_writes(session, PHONE, text)
    assert (tags(session) == ["asked-price"]) is fires


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger": {"type": "sometimes"}}, "trigger"),
        ({"trigger": {"type": "keyword", "keywords": ["(unclosed"], "match": "regex"}}, "trigger"),
        ({"trigger": {"type": "keyword", "keywords": []}}, "trigger"),
        ({"actions": []}, "actions"),
        ({"actions": [{"type": "send_email"}]}, "actions"),
        ({"actions": [{"type": "assign"}]}, "actions"),
        ({"actions": [{"type": "send_text", "text": "Hi {{contact.shoe_size}}"}]}, "actions"),
        (
            {"conditions": {"all": [{"field": "contact.password", "op": "equals", "value": "x"}]}},
            "conditions",
        ),
        ({"conditions": {"all": [{"field": "contact.language", "op": "in", "value": "en"}]}}, "conditions"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_rule_is_a_422_naming_the_field_and_stores_nothing(client, owner, session, change, field):
    body = {"name": "R", "trigger": {"type": "keyword", "keywords": ["x"]}}
    body |= {"actions": [{"type": "add_tag", "tag": "t"}]} | change
    response = client.post("/api/automations", json=body, headers=owner)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"].split(".")[0] == field
    assert session.exec(select(Automation)).all() == []


def test_staff_read_rules_and_only_admins_change_them(client, owner, session, world):
    created = rule(client, owner)
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert client.get("/api/automations", headers=agent).status_code == 200
    body = {"name": "Mine", "trigger": {"type": "message_received"}, "actions": [{"type": "stop"}]}
    assert client.post("/api/automations", json=body, headers=agent).status_code == 403
    assert (
        client.patch(
            f"/api/automations/{created['id']}", json={"is_active": False}, headers=agent
        ).status_code
        == 403
    )
    assert client.delete(f"/api/automations/{created['id']}", headers=agent).status_code == 403
    assert client.get("/api/automations").status_code == 401


def test_a_rule_switched_off_or_deleted_stops_triggering(client, owner, session, world):
    created = rule(client, owner)
    off = client.patch(f"/api/automations/{created['id']}", json={"is_active": False}, headers=owner)
    assert off.json()["is_active"] is False
    customer_writes(session, PHONE, "price")
    assert tags(session) == []
    client.patch(f"/api/automations/{created['id']}", json={"is_active": True}, headers=owner)
    customer_writes(session, PHONE, "price")
    assert tags(session) == ["asked-price"]
    assert client.delete(f"/api/automations/{created['id']}", headers=owner).status_code == 204
    assert client.get(f"/api/automations/{created['id']}", headers=owner).status_code == 404


def test_conditions_decide_and_the_log_shows_what_they_saw(client, owner, session, world):
    rule(
        client,
        owner,
        conditions={
            "all": [{"field": "contact.language", "op": "equals", "value": "AR"}],
            "any": [
                {"field": "message.body", "op": "contains", "value": "boots"},
                {"field": "contact.tags", "op": "contains", "value": "vip"},
            ],
        },
    )
    customer_writes(session, PHONE, "price of the boots?")  # Wanjiru has no language set
    customer_writes(session, "+254733222333", "price of the boots?")  # Amina writes Arabic
    first, second = runs(session)
    assert (first.status, first.error) == ("skipped", "its conditions were not met")
    assert [(c["field"], c["actual"], c["passed"]) for c in first.conditions] == [
        ("contact.language", None, False),
        ("message.body", "price of the boots?", True),
        ("contact.tags", [], False),
    ]
    assert second.status == "succeeded"
    assert tags(session, "+254733222333") == ["asked-price"]
    assert tags(session) == []


def test_a_loop_between_two_rules_is_stopped_and_logged(client, owner, session, world):
    """A tags "a" → B; B tags "b" → A; ... each step deeper, until the depth limit stops it."""
    a = rule(
        client,
        owner,
        name="A",
        trigger={"type": "tag_added", "tag": "a"},
        actions=[{"type": "remove_tag", "tag": "a"}, {"type": "add_tag", "tag": "b"}],
    )
    b = rule(
        client,
        owner,
        name="B",
        trigger={"type": "tag_added", "tag": "b"},
        actions=[{"type": "remove_tag", "tag": "b"}, {"type": "add_tag", "tag": "a"}],
    )
    contact = world.contacts[0]
    assert client.patch(f"/api/contacts/{contact.id}", json={"tags": ["a"]}, headers=owner).status_code == 200
    for _ in range(10):
        make_due(session)
        if not run_jobs():
            break
    log = runs(session)
    assert [(r.automation_id, r.depth, r.status) for r in log] == [
        (a["id"], 0, "succeeded"),
        (b["id"], 1, "succeeded"),
        (a["id"], 2, "succeeded"),
        (b["id"], 3, "succeeded"),
        (a["id"], 4, "skipped"),
    ]
    assert "a loop between rules ends here" in log[-1].error
    assert tags(session) == ["a"]


def whatsapp_customer_wrote_30_hours_ago(client, session) -> None:
    """Wanjiru wrote on WhatsApp (a channel with the 24-hour window), a day and more ago."""
    body = payload("whatsapp_cloud", "text")
    assert (
        post_meta(client, "/webhooks/whatsapp", body, PROVIDER_ENV["WHATSAPP_APP_SECRET"]).status_code == 200
    )
    make_due(session)
    run_jobs()
    conversation = session.exec(select(Conversation)).one()
    conversation.last_inbound_at = utcnow() - timedelta(hours=30)
    session.add(conversation)
    session.commit()


def tagged_and_worked(client, owner, session, contact_id: int, tag: str) -> None:
    client.patch(f"/api/contacts/{contact_id}", json={"tags": [tag]}, headers=owner)
    make_due(session)
    run_jobs()


def test_outside_the_window_the_rule_sends_its_template_instead(client, owner, session, world, awake, stub):
    session.add(
        MessageTemplate(
            name="price_list",
            language="en",
            channel="whatsapp_cloud",
            body="Hello {{1}}, our prices: ...",
            variables=["name"],
            status="approved",
        )
    )
    session.commit()
    rule(
        client,
        owner,
        trigger={"type": "tag_added", "tag": "wants-prices"},
        actions=[
            {
                "type": "send_text",
                "text": "Here are our prices",
                "template": "price_list",
                "variables": ["{{contact.first_name}}"],
            }
        ],
    )
    whatsapp_customer_wrote_30_hours_ago(client, session)
    tagged_and_worked(client, owner, session, world.contacts[0].id, "wants-prices")
    assert "Hello Wanjiru, our prices: ..." in sent_to(session, PHONE), runs(session)[-1].steps
    assert runs(session)[-1].status == "succeeded"


def test_outside_the_window_without_a_template_the_send_is_skipped_with_why(
    client, owner, session, world, awake, stub
):
    rule(
        client,
        owner,
        trigger={"type": "tag_added"},
        actions=[
            {"type": "send_text", "text": "Here are our prices"},
            {"type": "add_label", "label": "followed-up"},
        ],
    )
    whatsapp_customer_wrote_30_hours_ago(client, session)
    tagged_and_worked(client, owner, session, world.contacts[0].id, "x")
    (run,) = runs(session)
    assert [(s["type"], s["status"]) for s in run.steps] == [("send_text", "skipped"), ("add_label", "done")]
    assert "outside the 24-hour window" in run.steps[0]["detail"]
    assert "Here are our prices" not in sent_to(session, PHONE)


def test_quiet_hours_in_the_customers_time_zone_hold_automated_messages(
    client, owner, session, world, monkeypatch
):
    contact = world.contacts[0]
    contact.timezone = "Pacific/Kiritimati"  # UTC+14: quiet when the shop is not
    session.add(contact)
    session.commit()
    local = utcnow().astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati"))
    start = local.strftime("%H:%M")
    end = (local + timedelta(hours=1)).strftime("%H:%M")
    monkeypatch.setattr(get_settings(), "automation_quiet_hours", f"{start}-{end}")
    rule(client, owner, actions=[{"type": "send_text", "text": "Our prices: ..."}])
    customer_writes(session, PHONE, "price")
    (run,) = runs(session)
    assert run.status == "waiting"  # held, not dropped
    assert run.steps[0]["type"] == "wait" and run.steps[0]["status"] == "waiting"
    assert "quiet hours" in run.steps[0]["detail"] and "Pacific/Kiritimati" in run.steps[0]["detail"]
    assert f"held until {end} their time" in run.steps[0]["detail"]
    assert "Our prices: ..." not in sent_to(session, PHONE)
    resume = session.exec(select(Job).where(Job.kind == "automation_resume")).one()
    ends = (local + timedelta(hours=1)).replace(second=0, microsecond=0)
    assert abs(resume.run_after - ends) <= timedelta(minutes=2)
    monkeypatch.setattr(get_settings(), "automation_quiet_hours", "")  # their night is over
    make_due(session)
    run_jobs()
    make_due(session)
    run_jobs()
    assert sent_to(session, PHONE).count("Our prices: ...") == 1
    (run,) = runs(session)
    assert run.status == "succeeded"
    assert [(s["type"], s["status"]) for s in run.steps] == [("wait", "done"), ("send_text", "done")]


def test_a_customer_gets_at_most_the_daily_number_of_automated_messages(
    client, owner, session, world, awake, monkeypatch
):
    monkeypatch.setattr(get_settings(), "automation_daily_limit", 2)
    rule(client, owner, actions=[{"type": "send_text", "text": "Our prices: ..."}])
    for _ in range(3):
        customer_writes(session, PHONE, "price")
    assert sent_to(session, PHONE).count("Our prices: ...") == 2
    last = runs(session)[-1]
    assert last.status == "skipped" and "the limit is 2" in last.steps[0]["detail"]


def test_once_per_contact_runs_the_rule_for_a_customer_only_once(client, owner, session, world):
    rule(client, owner, options={"once_per": "contact"}, actions=[{"type": "add_label", "label": "asked"}])
    customer_writes(session, PHONE, "price")
    customer_writes(session, PHONE, "price again")
    first, second = runs(session)
    assert first.status == "succeeded"
    assert (second.status, second.error) == (
        "skipped",
        f"it runs once per contact, and ran already (run {first.id})",
    )


def test_the_dry_run_says_what_would_happen_and_changes_nothing(client, owner, session, world, awake):
    created = rule(
        client,
        owner,
        actions=[
            {"type": "send_text", "text": "Hi {{contact.first_name}}"},
            {"type": "add_tag", "tag": "asked-price"},
            {"type": "move_lead_stage", "stage": "QUALIFIED"},
        ],
    )
    customer_writes(session, PHONE, "hello")  # a conversation, and no keyword: nothing ran
    before = (len(sent_to(session, PHONE)), tags(session), session.exec(select(Job)).all())
    response = client.post(
        f"/api/automations/{created['id']}/dry-run", json={"contact_id": world.contacts[0].id}, headers=owner
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert [(s["type"], s["status"]) for s in out["steps"]] == [
        ("send_text", "done"),
        ("add_tag", "done"),
        ("move_lead_stage", "done"),
    ]
    assert out["steps"][0]["detail"] == "Hi Wanjiru"
    # It runs as if triggered, and says the last message ("hello") would not have started it.
    assert out["trigger_check"] == (
        "✗ Their last message has none of the keywords, so the rule would not start for it: 'hello'"
    )
    session.expire_all()
    assert (len(sent_to(session, PHONE)), tags(session), session.exec(select(Job)).all()) == before
    assert session.get(Contact, world.contacts[0].id).lead_stage == "NEW"
    assert runs(session) == []
    missing = client.post(f"/api/automations/{created['id']}/dry-run", json={}, headers=owner)
    assert missing.status_code == 422


def test_stage_and_label_triggers_and_conversation_actions(client, owner, session, world):
    rule(
        client,
        owner,
        name="Qualified",
        trigger={"type": "lead_stage_changed", "to_stage": "QUALIFIED"},
        actions=[
            {"type": "add_label", "label": "sales"},
            {"type": "assign", "round_robin": True},
            {"type": "note", "text": "{{contact.name}} is qualified: call today"},
        ],
    )
    rule(
        client,
        owner,
        name="Sales",
        trigger={"type": "label_added", "label": "sales"},
        actions=[{"type": "set_assistant", "enabled": False}],
    )
    customer_writes(session, PHONE, "hello")
    contact_id = world.contacts[0].id
    assert (
        client.put(f"/api/leads/{contact_id}/stage", json={"stage": "QUALIFIED"}, headers=owner).status_code
        == 200
    )
    make_due(session)
    run_jobs()
    make_due(session)
    run_jobs()
    session.expire_all()
    conversation = session.exec(select(Conversation)).one()
    assert conversation.labels == ["sales"]
    assert conversation.assignee_id == world.agent.id  # the only active agent
    assert conversation.ai_enabled is False
    notes = session.exec(select(Message).where(Message.type == "note")).all()
    assert [n.body for n in notes] == ["Wanjiru is qualified: call today"]
    assert [r.status for r in runs(session)] == ["succeeded", "succeeded"]


def test_an_event_for_a_rule_deleted_meanwhile_is_dropped(client, owner, session, world):
    created = rule(client, owner)
    event = TriggerEvent(
        "message_received", "message:999", contact_id=world.contacts[0].id, data={"body": "price"}
    )
    assert engine.run_rule(session, session.get(Automation, created["id"]), event) is not None
    session.commit()
    client.delete(f"/api/automations/{created['id']}", headers=owner)
    session.expire_all()
    assert session.exec(select(AutomationRun)).all() == []  # a rule's log goes with it
