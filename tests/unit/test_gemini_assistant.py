"""The Gemini path: the real google-genai client against a generateContent stub on 127.0.0.1."""

import json

from sqlmodel import select

from aisha_app.actions.ingest import receive_simulated
from aisha_app.models import Conversation, Job, Message
from tests.unit.provider_stub import gemini_call, gemini_text
from tests.unit.support import make_due, run_jobs

PHONE = "+254722333444"


def gemini_requests(stub):
    return [r for r in stub.requests if r.path.endswith(":generateContent")]


def assistant_replies(session):
    return list(session.exec(select(Message).where(Message.from_assistant)).all())


def test_a_turn_that_calls_a_tool_gets_the_catalogs_answer_back(session, gemini):
    gemini.gemini.extend(
        [
            gemini_call("search_products", {"query": "safety boots"}),
            gemini_text("The steel-toe safety boots are KES 4,500 and we have 18 in stock.", tokens=80),
        ]
    )
    receive_simulated(session, PHONE, "Fatuma", "How much are your boots?")
    make_due(session)
    run_jobs()

    first, second = gemini_requests(gemini)
    assert first.path == "/v1/models/gemini-2.5-flash:generateContent" or first.path.endswith(
        "models/gemini-2.5-flash:generateContent"
    )
    assert first.headers["x-goog-api-key"] == "test-gemini-key"
    sent = first.json()
    assert "Never state a price" in sent["systemInstruction"]["parts"][0]["text"]
    assert sent["contents"][-1]["parts"][0]["text"] == "How much are your boots?"
    assert {d["name"] for d in sent["tools"][0]["functionDeclarations"]} >= {
        "search_products",
        "handoff_to_human",
    }
    tool_answer = second.json()["contents"][-1]["parts"][0]["functionResponse"]
    assert tool_answer["name"] == "search_products"
    assert tool_answer["response"]["results"][0]["price"] == "4500.00"

    (reply,) = assistant_replies(session)
    assert reply.body == "The steel-toe safety boots are KES 4,500 and we have 18 in stock."
    assert reply.meta["tools"] == ["search_products"]
    assert reply.meta["tokens_used"] == 110  # both turns, for cost reporting


def test_the_model_handing_over_makes_the_conversation_pending(session, gemini):
    gemini.gemini.extend(
        [
            gemini_call("handoff_to_human", {"reason": "asks for a refund"}),
            gemini_text("A colleague will reply to you here shortly."),
        ]
    )
    receive_simulated(session, PHONE, "Fatuma", "I want my money back")
    make_due(session)
    run_jobs()
    conversation = session.exec(select(Conversation)).one()
    assert (conversation.status, conversation.ai_enabled) == ("pending", False)
    assert conversation.handoff_reason == "asks for a refund"  # the model's own words, for staff
    assert assistant_replies(session)[0].body == "A colleague will reply to you here shortly."


def test_an_error_is_retried_and_then_the_offline_responder_answers(session, gemini):
    gemini.fail_next(500, {"error": {"code": 500, "message": "internal", "status": "INTERNAL"}}, times=3)
    receive_simulated(session, PHONE, "Fatuma", "How much are the safety boots?")
    for _ in range(3):
        make_due(session)
        run_jobs()
    assert len(gemini_requests(gemini)) == 3
    (reply,) = assistant_replies(session)
    assert (
        reply.body == "Steel-toe safety boots costs KES 4,500. We have 18 in stock."
    )  # offline, from the catalog
    assert session.exec(select(Job).where(Job.kind == "ai_reply")).one().status == "succeeded"


def test_a_slow_answer_times_out_and_is_retried(session, gemini):
    gemini.fail_next(200, gemini_text("too late"), delay=3.0)  # slower than PROVIDER_TIMEOUT_SECONDS
    gemini.gemini.append(gemini_text("Hello! How can I help?"))
    receive_simulated(session, PHONE, "Fatuma", "hello")
    make_due(session)
    run_jobs()
    assert assistant_replies(session) == []
    job = session.exec(select(Job).where(Job.kind == "ai_reply")).one()
    assert (job.status, job.attempts) == ("queued", 1)
    make_due(session)
    run_jobs()
    assert [r.body for r in assistant_replies(session)] == ["Hello! How can I help?"]


def test_the_conversation_so_far_is_sent_as_history(session, gemini, world):

    gemini.gemini.append(gemini_text("first"))
    receive_simulated(session, PHONE, "Fatuma", "hi")
    make_due(session)
    run_jobs()
    gemini.gemini.append(gemini_text("second"))
    receive_simulated(session, PHONE, "Fatuma", "do you deliver?")
    make_due(session)
    run_jobs()
    last = gemini_requests(gemini)[-1].json()["contents"]
    assert [(c["role"], c["parts"][0]["text"]) for c in last] == [
        ("user", "hi"),
        ("model", "first"),
        ("user", "do you deliver?"),
    ]
    assert json.dumps(last)  # plain JSON the API accepts
