"""Message templates: Meta's limits checked on save, submitted to Meta or Twilio, their verdict
taken from the status webhook (Meta) or polled (Twilio), a sync that imports the provider's
list, and only an approved template ever sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from aisha_app.config import get_settings
from aisha_app.models import Channel, Conversation, Job, MessageTemplate
from aisha_app.models.base import utcnow
from tests.unit.support import AGENT_PASSWORD, PROVIDER_ENV, login, make_due, post_meta, run_jobs

ORDER_READY = {
    "name": "order_ready",
    "language": "en",
    "category": "utility",
    "channel": "whatsapp_cloud",
    "header": {"type": "text", "text": "Your order"},
    "body": "Hi {{1}}, your order {{2}} is ready for collection.",
    "footer": "Kazi Workwear, Nairobi",
    "buttons": [
        {"type": "quick_reply", "text": "On my way"},
        {"type": "url", "text": "Opening hours", "url": "https://kazi.example/hours"},
        {"type": "phone_number", "text": "Call the shop", "phone_number": "+254712000111"},
    ],
    "examples": ["Wanjiru", "K-102"],
    "variables": ["first name", "order number"],
}


def create(client, owner, **changes) -> dict:
    answer = client.post("/api/templates", json=ORDER_READY | changes, headers=owner)
    assert answer.status_code == 201, answer.text
    return answer.json()


def status_webhook(client, field: str, **value):
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": field, "value": value}]}],
    }
    return post_meta(client, "/webhooks/whatsapp", body, PROVIDER_ENV["WHATSAPP_APP_SECRET"])


def template(session, template_id: int) -> MessageTemplate:
    session.expire_all()
    return session.get(MessageTemplate, template_id)


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"name": "Order Ready"}, "name", "lowercase letters, digits and underscores"),
        ({"name": "a" * 513}, "name", "at most 512 characters"),
        ({"body": "x" * 1025}, "body", "at most 1024 characters"),
        ({"header": {"type": "text", "text": "h" * 61}}, "header.text", "at most 60 characters"),
        ({"footer": "f" * 61}, "footer", "at most 60 characters"),
        ({"buttons": [{"type": "quick_reply", "text": "b" * 21}]}, "buttons.0.text", "at most 20 characters"),
        ({"body": "Hi {{1}}, order {{3}} is ready."}, "", "{{1}}, {{2}} ... in order"),
        ({"examples": ["Wanjiru"]}, "", "one example for each of the body's 2 variable(s)"),
        ({"body": "{{1}}, your order {{2}} is ready."}, "", "starts or ends with a variable"),
        ({"language": "English"}, "language", "a language code such as en"),
        ({"header": {"type": "image"}}, "header", "needs a sample file's https:// address"),
        (
            {"buttons": [{"type": "url", "text": f"Link {i}", "url": "https://k.example"} for i in range(3)]},
            "",
            "at most 2 link buttons",
        ),
        (
            {"buttons": [{"type": "phone_number", "text": "Call", "phone_number": "0712"}]},
            "buttons.0",
            "+254",
        ),
        ({"channel": "messenger"}, "channel", "Input should be"),
    ],
)
def test_what_meta_would_refuse_is_a_422_naming_it(client, owner, change, field, said):
    answer = client.post("/api/templates", json=ORDER_READY | change, headers=owner)
    assert answer.status_code == 422, answer.text
    details = answer.json()["error"]["details"]
    assert any(d["field"] == field and said in d["message"] for d in details), details


def test_an_admin_writes_a_draft_staff_read_it_and_only_admins_change_it(client, owner, session, world):
    made = create(client, owner)
    assert made["status"] == "draft" and made["header"] == {"type": "text", "text": "Your order"}
    assert made["buttons"][2] == {
        "type": "phone_number",
        "text": "Call the shop",
        "phone_number": "+254712000111",
    }
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    assert [t["name"] for t in client.get("/api/templates", headers=agent).json()] == ["order_ready"]
    assert client.post("/api/templates", json=ORDER_READY | {"name": "x"}, headers=agent).status_code == 403
    assert client.post("/api/templates", json=ORDER_READY, headers=owner).status_code == 409  # taken
    patched = client.patch(f"/api/templates/{made['id']}", json={"footer": "Kazi Workwear"}, headers=owner)
    assert patched.status_code == 200 and patched.json()["footer"] == "Kazi Workwear"
    assert patched.json()["body"] == ORDER_READY["body"]  # the rest kept
    bad = client.patch(f"/api/templates/{made['id']}", json={"body": "Hi {{2}}"}, headers=owner)
    assert bad.status_code == 422 and "in order" in bad.text
    assert client.delete(f"/api/templates/{made['id']}", headers=agent).status_code == 403
    assert client.delete(f"/api/templates/{made['id']}", headers=owner).status_code == 204
    assert client.get("/api/templates", headers=owner).json() == []


def _outside_the_window(session, world, channel: Channel = Channel.WHATSAPP_CLOUD) -> int:
    conversation = Conversation(
        contact_id=world.contacts[0].id,
        channel=channel,
        last_inbound_at=utcnow() - timedelta(days=2),
    )
    session.add(conversation)
    session.commit()
    return conversation.id


def test_only_an_approved_template_is_sent(client, owner, session, world, stub):
    made = create(client, owner)
    conversation_id = _outside_the_window(session, world)
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    draft = {"template": {"name": "order_ready", "variables": ["Wanjiru", "K-102"]}}
    refused = client.post(f"/api/conversations/{conversation_id}/messages", json=draft, headers=agent)
    assert refused.status_code == 409
    assert "'order_ready' (en) is a draft: submit it for approval first" in refused.json()["error"]["message"]

    submitted = client.post(f"/api/templates/{made['id']}/submit", headers=owner)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "pending"
    assert (
        client.post(f"/api/conversations/{conversation_id}/messages", json=draft, headers=agent).status_code
        == 409
    )
    assert (
        status_webhook(
            client,
            "message_template_status_update",
            event="APPROVED",
            message_template_id=int(submitted.json()["provider_template_id"]),
            message_template_name="order_ready",
            message_template_language="en",
            reason="NONE",
        ).status_code
        == 200
    )
    assert template(session, made["id"]).status == "approved"
    sent = client.post(f"/api/conversations/{conversation_id}/messages", json=draft, headers=agent)
    assert sent.status_code == 201, sent.text
    make_due(session)
    run_jobs()
    (send,) = [r.json() for r in stub.sends() if r.path.endswith("/messages")]
    assert send["template"]["name"] == "order_ready" and send["template"]["language"] == {"code": "en"}


def test_submitting_to_meta_sends_its_components_and_the_webhook_tells_the_verdict(
    client, owner, session, world, stub
):
    made = create(client, owner)
    submitted = client.post(f"/api/templates/{made['id']}/submit", headers=owner).json()
    (request,) = [r for r in stub.requests if r.path.endswith("/message_templates")]
    assert request.path == "/102290129340398/message_templates"
    assert request.headers["Authorization"] == f"Bearer {PROVIDER_ENV['WHATSAPP_ACCESS_TOKEN']}"
    sent = request.json()
    assert (sent["name"], sent["language"], sent["category"]) == ("order_ready", "en", "UTILITY")
    assert sent["components"] == [
        {"type": "HEADER", "format": "TEXT", "text": "Your order"},
        {
            "type": "BODY",
            "text": "Hi {{1}}, your order {{2}} is ready for collection.",
            "example": {"body_text": [["Wanjiru", "K-102"]]},
        },
        {"type": "FOOTER", "text": "Kazi Workwear, Nairobi"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "On my way"},
                {"type": "URL", "text": "Opening hours", "url": "https://kazi.example/hours"},
                {"type": "PHONE_NUMBER", "text": "Call the shop", "phone_number": "+254712000111"},
            ],
        },
    ]
    assert client.post(f"/api/templates/{made['id']}/submit", headers=owner).status_code == 409  # once

    # Rejected, with Meta's reason (matched by name and language this time), then edited: a draft.
    status_webhook(
        client,
        "message_template_status_update",
        event="REJECTED",
        message_template_name="order_ready",
        message_template_language="en",
        reason="INVALID_FORMAT",
    )
    rejected = template(session, made["id"])
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "INVALID_FORMAT")
    assert rejected.provider_template_id == submitted["provider_template_id"]
    edited = client.patch(f"/api/templates/{made['id']}", json={"footer": None}, headers=owner).json()
    assert (edited["status"], edited["rejection_reason"]) == ("draft", None)
    client.post(f"/api/templates/{made['id']}/submit", headers=owner)
    for event, status in (("APPROVED", "approved"), ("PAUSED", "paused"), ("DISABLED", "disabled")):
        status_webhook(
            client,
            "message_template_status_update",
            event=event,
            message_template_id=int(submitted["provider_template_id"]),
            message_template_name="order_ready",
            message_template_language="en",
        )
        assert template(session, made["id"]).status == status
    status_webhook(
        client,
        "message_template_quality_update",
        previous_quality_score="GREEN",
        new_quality_score="YELLOW",
        message_template_id=int(submitted["provider_template_id"]),
        message_template_name="order_ready",
        message_template_language="en",
    )
    assert template(session, made["id"]).quality == "YELLOW"
    assert (
        client.patch(f"/api/templates/{made['id']}", json={"footer": "x"}, headers=owner).status_code == 409
    )


def test_a_status_webhook_must_be_signed_and_one_for_a_template_we_do_not_have_is_ignored(
    client, owner, session, world
):
    made = create(client, owner)
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {"event": "APPROVED", "message_template_name": "order_ready"},
                    }
                ],
            }
        ],
    }
    assert post_meta(client, "/webhooks/whatsapp", body, "not-the-secret").status_code == 403
    assert post_meta(client, "/webhooks/whatsapp", body, None).status_code == 403
    assert template(session, made["id"]).status == "draft"
    unknown = status_webhook(
        client, "message_template_status_update", event="APPROVED", message_template_name="someone_elses"
    )
    assert unknown.status_code == 200


def test_a_sync_imports_metas_list_and_updates_ours(client, owner, session, world, stub):
    made = create(client, owner)
    stub.meta_templates.extend(
        [
            {
                "id": "5551",
                "name": "order_ready",
                "language": "en",
                "status": "APPROVED",
                "category": "UTILITY",
                "quality_score": {"score": "GREEN"},
                "components": [{"type": "BODY", "text": ORDER_READY["body"]}],
            },
            {  # made in Meta's console
                "id": "5552",
                "name": "birthday_wish",
                "language": "sw",
                "status": "APPROVED",
                "category": "MARKETING",
                "components": [
                    {"type": "HEADER", "format": "TEXT", "text": "Heri!"},
                    {
                        "type": "BODY",
                        "text": "Heri ya siku ya kuzaliwa {{1}}!",
                        "example": {"body_text": [["Amina"]]},
                    },
                    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Asante"}]},
                ],
            },
        ]
    )
    answer = client.post("/api/templates/sync?channel=whatsapp_cloud", headers=owner)
    assert answer.status_code == 200, answer.text
    assert answer.json() == [{"channel": "whatsapp_cloud", "added": 1, "updated": 1}]
    ours = template(session, made["id"])
    assert (ours.status, ours.quality, ours.provider_template_id) == ("approved", "GREEN", "5551")
    imported = session.exec(select(MessageTemplate).where(MessageTemplate.name == "birthday_wish")).one()
    assert (imported.language, imported.category, imported.status) == ("sw", "marketing", "approved")
    assert imported.header == {"type": "text", "text": "Heri!"} and imported.examples == ["Amina"]
    assert imported.buttons == [{"type": "quick_reply", "text": "Asante"}]
    assert imported.variables == ["variable 1"]


def test_a_provider_that_cannot_be_reached_is_a_clear_502(client, owner, session, world, monkeypatch, stub):
    made = create(client, owner)
    stub.fail_next(503)
    failed = client.post(f"/api/templates/{made['id']}/submit", headers=owner)
    assert failed.status_code == 502
    assert failed.json()["error"]["message"] == "WhatsApp Cloud could not be reached: HTTP 503"
    assert template(session, made["id"]).status == "draft"  # nothing changed
    stub.fail_next(400, {"error": {"message": "Invalid parameter", "error_user_msg": "The name is taken"}})
    refused = client.post(f"/api/templates/{made['id']}/submit", headers=owner)
    assert refused.status_code == 422 and "WhatsApp Cloud refused it: The name is taken" in refused.text
    monkeypatch.setattr(get_settings(), "whatsapp_api_base_url", "http://127.0.0.1:9")  # nobody listens
    down = client.post("/api/templates/sync?channel=whatsapp_cloud", headers=owner)
    assert down.status_code == 502 and "could not be reached: ConnectError" in down.text


def test_twilio_templates_are_created_submitted_and_polled(client, owner, session, world, stub):
    made = create(
        client,
        owner,
        channel="twilio_whatsapp",
        header=None,
        buttons=[{"type": "quick_reply", "text": "On my way"}],
    )
    submitted = client.post(f"/api/templates/{made['id']}/submit", headers=owner).json()
    sid = submitted["provider_template_id"]
    assert sid.startswith("HX") and submitted["status"] == "pending"
    content, approval = [r for r in stub.requests if "/v1/Content" in r.path]
    assert content.path == "/v1/Content" and content.json()["types"] == {
        "twilio/quick-reply": {"body": ORDER_READY["body"], "actions": [{"title": "On my way"}]}
    }
    assert content.json()["variables"] == {"1": "Wanjiru", "2": "K-102"}
    assert approval.path == f"/v1/Content/{sid}/ApprovalRequests/whatsapp"
    assert approval.json() == {"name": "order_ready", "category": "UTILITY"}
    (poll,) = session.exec(select(Job).where(Job.kind == "template_poll")).all()
    make_due(session)
    run_jobs()
    assert template(session, made["id"]).status == "pending"  # Twilio says pending still
    stub.approvals[sid] = {"status": "approved"}
    make_due(session)
    run_jobs()
    assert template(session, made["id"]).status == "approved"
    session.expire_all()
    assert session.get(Job, poll.id).status == "succeeded"  # nothing pending: the polling ends

    conversation_id = _outside_the_window(session, world, Channel.TWILIO_WHATSAPP)
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    draft = {"template": {"name": "order_ready", "variables": ["Wanjiru", "K-102"]}}
    assert (
        client.post(f"/api/conversations/{conversation_id}/messages", json=draft, headers=agent).status_code
        == 201
    )
    make_due(session)
    run_jobs()
    (send,) = [r.form() for r in stub.sends() if r.path.endswith("/Messages.json")]
    assert send["ContentSid"] == [sid] and send["ContentVariables"] == ['{"1": "Wanjiru", "2": "K-102"}']


def test_on_the_simulator_a_submitted_template_is_approved_at_once(client, owner, session, world):
    made = create(client, owner, channel="simulator")
    assert client.post(f"/api/templates/{made['id']}/submit", headers=owner).json()["status"] == "approved"


def test_a_templates_variables_are_filled_from_what_each_says_it_holds(session, world):
    from aisha_app.actions.templates import prefill, rendered

    chosen = MessageTemplate(
        name="t",
        channel="simulator",
        body="{{1}} {{2}} {{3}} {{4}}",
        variables=["First name", "{{contact.phone}}", "order number", "agent"],
    )
    contact = world.contacts[0]  # Wanjiru Kamau, +254712345678
    values = prefill(chosen, contact, world.agent)
    assert values == [contact.name.split()[0], contact.phone_e164, "", "Agent"]
    assert rendered("Hi {{1}}, order {{2}}.", ["Wanjiru", ""]) == "Hi Wanjiru, order {{2}}."
