"""The assistant acts: waiting list, reviews, lead notes, the business's own actions, photos."""

import base64
import json

import pytest
from sqlmodel import select

from aisha_app.actions import assistant_actions
from aisha_app.actions.app_settings import set_setting
from aisha_app.actions.ingest import receive_simulated
from aisha_app.assistant.tuning import TUNING_KEY
from aisha_app.config import get_settings
from aisha_app.errors import AppError, Conflict, Forbidden
from aisha_app.models import (
    AuditLog,
    Contact,
    Conversation,
    LeadActivity,
    Message,
    ReviewSession,
    WaitingListEntry,
)
from tests.unit.provider_stub import gemini_call, gemini_error, gemini_text
from tests.unit.support import make_due, run_jobs

PHONE = "+254722333444"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def customer_says(session, text, *, media=None):
    receive_simulated(session, PHONE, "Fatuma", text, media=media)
    make_due(session)
    run_jobs()
    return [m.body for m in session.exec(select(Message).where(Message.from_assistant).order_by(Message.id))]


def gemini_requests(stub):
    return [r.json() for r in stub.requests if r.path.endswith(":generateContent")]


def function_answer(request):
    return request["contents"][-1]["parts"][0]["functionResponse"]


def action_in(stub, **overrides):
    values = {
        "name": "order_status",
        "description": "Look up an order's delivery status by its number.",
        "parameters": {
            "type": "object",
            "properties": {"order_number": {"type": "string"}},
            "required": ["order_number"],
        },
        "url": f"{stub.base_url}/actions/order_status",
        "method": "POST",
        "auth_header_name": "Authorization",
        "auth_header_value": "Bearer shop-secret-123",
        "timeout_seconds": 1,
    }
    return assistant_actions.ActionIn(**(values | overrides))


def test_the_model_puts_the_customer_on_the_waiting_list(session, gemini):
    gemini.gemini.extend(
        [gemini_call("join_waiting_list", {}), gemini_text("You're number 1 in line, about 5 minutes.")]
    )
    replies = customer_says(session, "Can you put me in the queue?")

    assert replies == ["You're number 1 in line, about 5 minutes."]  # one message: the model's
    result = function_answer(gemini_requests(gemini)[1])["response"]
    assert (result["list"], result["position"], result["estimated_wait_minutes"]) == ("Main", 1, 5)
    entry = session.exec(select(WaitingListEntry)).one()
    assert entry.status == "waiting"


def test_the_models_position_question_reads_the_real_line(session, gemini, world):
    from aisha_app.actions import waiting_list

    waiting_list.join(session, world.contacts[0], tell_customer=False)
    receive_simulated(session, PHONE, "Fatuma", "hi")
    contact = session.exec(select(Contact).where(Contact.phone_e164 == PHONE)).one()
    waiting_list.join(session, contact, tell_customer=False)
    gemini.gemini.extend([gemini_call("waiting_list_position", {}), gemini_text("You are second.")])
    customer_says(session, "where am I in the line?")

    result = function_answer(gemini_requests(gemini)[-1])["response"]
    assert result["position"] == 2


def test_starting_a_review_makes_its_first_question_the_reply(session, gemini):
    gemini.gemini.extend([gemini_call("start_review", {"product": "safety boots"}), gemini_text("ignored")])
    replies = customer_says(session, "I'd like to leave a review of the boots")

    assert replies == ["Tell us about your experience with Steel-toe safety boots."]
    review = session.exec(select(ReviewSession)).one()
    assert (review.step, review.started_by, review.answers["product_name"]) == (
        "text",
        "assistant",
        "Steel-toe safety boots",
    )
    # The customer's next message goes to the review, not to the model.
    asked = len(gemini_requests(gemini))
    customer_says(session, "Comfortable and strong")
    assert len(gemini_requests(gemini)) == asked
    session.refresh(review)
    assert review.step == "rating"


def test_a_lead_note_lands_on_the_customers_timeline(session, gemini):
    gemini.gemini.extend(
        [gemini_call("add_lead_note", {"note": "Needs 40 pairs before March"}), gemini_text("Noted!")]
    )
    customer_says(session, "We need 40 pairs of boots before March")

    (note,) = session.exec(select(LeadActivity)).all()
    assert (note.kind, note.summary, note.details) == (
        "note",
        "Needs 40 pairs before March",
        {"by": "assistant"},
    )


def test_a_registered_action_is_called_with_its_secret_header_and_its_answer_fed_back(session, gemini, world):
    assistant_actions.save_action(session, action_in(gemini), world.admin)
    gemini.actions["order_status"] = (200, {"order": "A-17", "status": "out for delivery"}, 0)
    gemini.gemini.extend(
        [
            gemini_call("order_status", {"order_number": "A-17"}),
            gemini_text("Your order is out for delivery."),
        ]
    )
    replies = customer_says(session, "Where is my order A-17?")

    declared = {d["name"]: d for d in gemini_requests(gemini)[0]["tools"][0]["functionDeclarations"]}
    assert declared["order_status"]["description"].startswith("Look up an order")
    (call,) = [r for r in gemini.requests if r.path == "/actions/order_status"]
    assert (call.method, call.json()) == ("POST", {"order_number": "A-17"})
    assert call.headers["Authorization"] == "Bearer shop-secret-123"
    assert function_answer(gemini_requests(gemini)[1])["response"] == {
        "order": "A-17",
        "status": "out for delivery",
    }
    assert replies == ["Your order is out for delivery."]
    (reply,) = session.exec(select(Message).where(Message.from_assistant)).all()
    assert reply.meta["tools"] == ["order_status"]


def test_a_slow_or_failing_action_gives_the_model_an_error_to_explain(session, gemini, world):
    assistant_actions.save_action(session, action_in(gemini), world.admin)
    gemini.actions["order_status"] = (200, {"late": True}, 2.0)  # the action's timeout is 1 s
    gemini.gemini.extend([gemini_call("order_status", {"order_number": "A-17"}), gemini_text("Sorry!")])
    customer_says(session, "Where is my order A-17?")
    assert function_answer(gemini_requests(gemini)[1])["response"] == {
        "error": "the order_status service did not answer in time"
    }

    gemini.reset()
    gemini.actions["order_status"] = (503, {"down": True}, 0)
    gemini.gemini.extend([gemini_call("order_status", {"order_number": "A-17"}), gemini_text("Sorry!")])
    assert assistant_actions.call_action(
        session.exec(select(assistant_actions.AssistantAction)).one(), {"order_number": "A-17"}
    )["error"] == ("the order_status service answered HTTP 503")


def test_a_get_action_sends_its_parameters_in_the_query(session, stub, world):
    action = assistant_actions.save_action(
        session, action_in(stub, method="GET", auth_header_name=None, auth_header_value=None), world.admin
    )
    stub.actions["order_status"] = (200, ["a", "list"], 0)
    assert assistant_actions.call_action(action, {"order_number": "A 17"}) == {"result": ["a", "list"]}
    (call,) = [r for r in stub.requests if r.path == "/actions/order_status"]
    assert call.method == "GET" and "Authorization" not in call.headers


def test_action_registration_refuses_what_would_be_unsafe_or_confusing(session, stub, world):
    with pytest.raises(ValueError, match="https"):
        action_in(stub, url="http://shop.example.com/orders")
    with pytest.raises(ValueError, match="built-in tool"):
        action_in(stub, name="handoff_to_human")
    with pytest.raises(ValueError, match="JSON schema"):
        action_in(stub, parameters={"type": "string"})
    with pytest.raises(ValueError, match="header name"):
        action_in(stub, auth_header_name="Bad Header:")
    with pytest.raises(Forbidden):
        assistant_actions.save_action(session, action_in(stub), world.agent)
    assistant_actions.save_action(session, action_in(stub), world.admin)
    with pytest.raises(Conflict):
        assistant_actions.save_action(session, action_in(stub), world.admin)
    assert (
        action_in(stub, url="https://erp.example.com/api/orders").url == "https://erp.example.com/api/orders"
    )


def test_the_secret_header_stays_when_an_edit_leaves_it_blank_and_never_reaches_the_audit_log(
    session, stub, world
):
    action = assistant_actions.save_action(session, action_in(stub), world.admin)
    assistant_actions.save_action(
        session,
        action_in(stub, description="Order status by number.", auth_header_value=None),
        world.admin,
        action.id,
    )
    session.refresh(action)
    assert action.auth_header_value == "Bearer shop-secret-123"
    logged = json.dumps([row.details for row in session.exec(select(AuditLog)).all()])
    assert "shop-secret-123" not in logged and "order_status" in logged


def test_the_customers_photo_reaches_the_model(session, gemini):
    gemini.gemini.append(gemini_text("That looks like our steel-toe boot."))
    replies = customer_says(session, None, media=(PNG, "image/png"))

    (request,) = gemini_requests(gemini)
    parts = request["contents"][-1]["parts"]
    picture = parts[0]["inlineData"]
    assert (picture["mime_type"], base64.b64decode(picture["data"])) == ("image/png", PNG)
    assert replies == ["That looks like our steel-toe boot."]


def test_without_gemini_a_photo_goes_to_a_person(session):
    replies = customer_says(session, None, media=(PNG, "image/png"))
    assert "colleague" in replies[0]
    assert session.exec(select(Conversation)).one().status == "pending"


def test_the_admins_model_and_temperature_are_used(session, gemini, world):
    set_setting(session, TUNING_KEY, {"model": "gemini-2.5-pro", "temperature": 0.9}, world.admin)
    gemini.gemini.append(gemini_text("Hello!"))
    customer_says(session, "hello")
    (call,) = [r for r in gemini.requests if r.path.endswith(":generateContent")]
    assert call.path.endswith("models/gemini-2.5-pro:generateContent")
    assert call.json()["generationConfig"]["temperature"] == 0.9


def test_when_gemini_fails_after_a_tool_acted_the_reply_is_not_tried_again(session, gemini):
    gemini.gemini.extend([gemini_call("add_lead_note", {"note": "Wants 40 pairs"}), gemini_error(500)])
    replies = customer_says(session, "We need 40 pairs of boots before March")
    make_due(session)
    run_jobs()

    assert len(gemini_requests(gemini)) == 2  # no second round: the note would be written twice
    assert len(session.exec(select(LeadActivity)).all()) == 1
    assert len(replies) == 1  # the offline responder answered


def test_a_review_begun_before_gemini_failed_asks_its_question(session, gemini):
    gemini.gemini.extend([gemini_call("start_review", {"product": "safety boots"}), gemini_error(503)])
    replies = customer_says(session, "I would like to leave a review")
    assert replies == ["Tell us about your experience with Steel-toe safety boots."]
    assert session.exec(select(ReviewSession)).one().answers["product_name"] == "Steel-toe safety boots"


def test_the_playground_and_the_api_never_call_the_business_s_actions(session, gemini, world, client):
    from tests.unit.support import ADMIN_PASSWORD, login

    assistant_actions.save_action(session, action_in(gemini), world.admin)
    session.commit()
    gemini.gemini.extend([gemini_call("order_status", {"order_number": "A-17"}), gemini_text("Checking.")])
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    answer = client.post("/api/ai/reply", json={"prompt": "Where is order A-17?"}, headers=headers).json()

    assert answer["tools_called"] == ["order_status"]
    assert [r for r in gemini.requests if r.path.startswith("/actions/")] == []
    assert function_answer(gemini_requests(gemini)[1])["response"]["dry_run"] is True


def test_a_new_host_needs_the_secret_typed_again(session, stub, world):
    action = assistant_actions.save_action(session, action_in(stub), world.admin)
    moved = action_in(stub, url="https://elsewhere.example/orders", auth_header_value=None)
    with pytest.raises(AppError, match="type the auth header again"):
        assistant_actions.save_action(session, moved, world.admin, action.id)
    retyped = action_in(stub, url="https://elsewhere.example/orders", auth_header_value="Bearer new-one")
    assert assistant_actions.save_action(session, retyped, world.admin, action.id).auth_header_value == (
        "Bearer new-one"
    )


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        (
            {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {}},
            "schema",
        ),
        ({"type": "object", "properties": {"n": {"type": "strnig"}}}, "'strnig' is not one of"),
    ],
)
def test_a_schema_gemini_would_refuse_is_refused_when_saved(stub, schema, reason):
    with pytest.raises(ValueError, match=reason):
        action_in(stub, parameters=schema)


@pytest.mark.parametrize("url", ["https://127.0.0.1/orders", "https://localhost/x", "https://10.0.0.8/api"])
def test_in_production_an_action_cannot_reach_this_network(monkeypatch, stub, url):
    monkeypatch.setattr(get_settings(), "environment", "production")
    with pytest.raises(ValueError, match="private or reserved network"):
        action_in(stub, url=url)
