"""The review collector: a guided chat that survives restarts, cancels, expires and follows up."""

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from aisha_app.actions import waiting_list
from aisha_app.models import Conversation, Message, Product, Review, ReviewSession
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from tests.unit.support import AGENT_PASSWORD, customer_writes, login, sent_to

ROOT = Path(__file__).resolve().parents[2]
FATUMA = "+254722333444"


@pytest.fixture
def boots(session):
    product = Product(sku="BOOT-1", name="Steel-toe safety boots", price=Decimal("4500"), stock=18)
    session.add(product)
    session.commit()
    return product


def review_session(session) -> ReviewSession:
    session.expire_all()
    return session.exec(select(ReviewSession).order_by(ReviewSession.id.desc())).first()


def test_a_customer_leaves_a_review_in_chat_and_is_thanked_by_name(session, boots):
    heard = []
    unsubscribe = events.subscribe(heard.append)
    customer_writes(session, FATUMA, "review", name="Fatuma Hassan")
    assert sent_to(session, FATUMA) == [
        "Thank you for taking a moment to review us! Which product or service is your review about?"
    ]
    customer_writes(session, FATUMA, "the safety boots")  # her name is known: not asked
    assert sent_to(session, FATUMA)[-1] == "Tell us about your experience with Steel-toe safety boots."
    customer_writes(session, FATUMA, "Strong and comfortable all day.")
    assert sent_to(session, FATUMA)[-1] == "How would you rate it, from 1 (poor) to 5 (excellent)?"
    rating_question = session.exec(select(Message).order_by(Message.id.desc())).first()
    assert [b["id"] for b in rating_question.meta["buttons"]] == [f"rating_{n}" for n in range(1, 6)]

    customer_writes(session, FATUMA, "⭐⭐⭐⭐⭐", reply_id="rating_5")
    unsubscribe()

    review = session.exec(select(Review)).one()
    assert (review.product_id, review.product_name, review.customer_name, review.text, review.rating) == (
        boots.id,
        "Steel-toe safety boots",
        "Fatuma Hassan",
        "Strong and comfortable all day.",
        5,
    )
    assert (
        sent_to(session, FATUMA)[-1]
        == "Thank you, Fatuma! Your 5-star review of Steel-toe safety boots is saved."
    )
    assert session.get(Message, review.thank_you_message_id).body.startswith("Thank you, Fatuma!")
    assert review_session(session).status == "completed"
    assert [e.data["review_id"] for e in heard if e.kind == events.REVIEW_CREATED] == [review.id]


def test_an_unknown_customer_is_asked_their_name_and_a_free_text_product_is_kept(session):
    customer_writes(session, FATUMA, "تقييم")
    assert sent_to(session, FATUMA)[-1] == "شكرا لوقتك! عن أي منتج أو خدمة تريد أن تكتب تقييمك؟"
    customer_writes(session, FATUMA, "خدمة التوصيل")
    assert sent_to(session, FATUMA)[-1] == "ما اسمك؟"
    customer_writes(session, FATUMA, "ليلى")
    customer_writes(session, FATUMA, "سريعة جدا")
    customer_writes(session, FATUMA, "رائع")  # not a rating
    assert sent_to(session, FATUMA)[-1] == "من فضلك أجب برقم من 1 إلى 5."
    customer_writes(session, FATUMA, "٤")  # Arabic-Indic digit
    review = session.exec(select(Review)).one()
    assert (review.product_id, review.product_name, review.customer_name, review.rating) == (
        None,
        "خدمة التوصيل",
        "ليلى",
        4,
    )


def test_cancel_stops_the_review_and_the_assistant_answers_again(session):
    customer_writes(session, FATUMA, "review", name="Fatuma")
    customer_writes(session, FATUMA, "Cancel")
    assert sent_to(session, FATUMA)[-1] == "No problem, the review is cancelled."
    assert review_session(session).status == "cancelled"
    customer_writes(session, FATUMA, "hello")
    assert sent_to(session, FATUMA)[-1].startswith("Hello! Welcome to")
    assert session.exec(select(Review)).all() == []


def test_an_abandoned_review_expires(session):
    customer_writes(session, FATUMA, "review", name="Fatuma")
    stale = review_session(session)
    stale.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stale)
    session.commit()
    customer_writes(session, FATUMA, "hello")
    assert review_session(session).status == "expired"
    assert sent_to(session, FATUMA)[-1].startswith("Hello! Welcome to")


def test_a_low_rating_goes_to_staff_for_follow_up(session, boots):
    customer_writes(session, FATUMA, "review", name="Fatuma")
    for answer in ("boots", "They broke after a week."):
        customer_writes(session, FATUMA, answer)
    customer_writes(session, FATUMA, "1")
    conversation = session.exec(select(Conversation)).one()
    session.refresh(conversation)
    assert (conversation.status, conversation.ai_enabled, conversation.labels) == (
        "pending",
        False,
        ["review-follow-up"],
    )
    note = session.exec(select(Message).where(Message.type == "note")).one()
    assert "Low rating (1/5)" in note.body
    assert sent_to(session, FATUMA)[-1].endswith("a colleague will contact you.")


def test_a_restart_mid_review_continues_where_it_was(session, boots):
    customer_writes(session, FATUMA, "review", name="Fatuma")
    customer_writes(session, FATUMA, "boots")
    from aisha_app.actions.ingest import receive_simulated

    receive_simulated(session, FATUMA, None, "Great grip on wet floors.")
    session.commit()
    # A new worker process (nothing in memory) picks the review up from the database.
    worker = subprocess.Popen(
        [sys.executable, "-m", "aisha_app.background.worker", "--threads", "1"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "AI_BURST_SECONDS": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and review_session(session).step != "rating":
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.communicate(timeout=20)
    current = review_session(session)
    assert (current.step, current.answers["text"]) == ("rating", "Great grip on wet floors.")
    customer_writes(session, FATUMA, "5")
    assert session.exec(select(Review)).one().text == "Great grip on wet floors."


def test_a_served_waiting_customer_is_asked_for_a_review(session, world):
    customer_writes(session, FATUMA, "join", name="Fatuma")
    entry = waiting_list.current_entry(session, session.exec(select(Conversation)).one().contact_id)
    waiting_list.call(session, entry.id, world.agent)
    waiting_list.serve(session, entry.id, world.agent)
    assert review_session(session).started_by == "waiting_list"
    assert sent_to(session, FATUMA)[-1].startswith("Thank you for taking a moment to review us!")


def test_staff_can_start_a_review_on_a_conversation_they_hold(session, client, world):
    customer_writes(session, FATUMA, "hello", name="Fatuma")
    conversation = session.exec(select(Conversation)).one()
    conversation.ai_enabled = False  # a person has taken it
    session.add(conversation)
    session.commit()
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.post("/api/reviews/request", json={"conversation_id": conversation.id}, headers=headers)
    assert response.status_code == 202 and response.json()["step"] == "product"
    customer_writes(session, FATUMA, "the vest")  # answered by the review, though the AI is off
    assert review_session(session).step == "text"


def seed_reviews(session, world):
    rows = [
        ("Steel-toe safety boots", 5, "Great boots", 3),
        ("Reflective vest", 2, "Too small", 2),
        ("Steel-toe safety boots", 4, '=HYPERLINK("http://evil")', 1),
    ]
    for product, rating, text, days_ago in rows:
        session.add(
            Review(
                contact_id=world.contacts[0].id,
                product_name=product,
                customer_name="Wanjiru",
                text=text,
                rating=rating,
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )
    session.commit()


def test_the_reviews_api_lists_newest_first_with_filters(session, client, world):
    seed_reviews(session, world)
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    every = client.get("/api/reviews", headers=headers).json()
    assert every["total"] == 3
    assert [r["rating"] for r in every["items"]] == [4, 2, 5]
    boots = client.get("/api/reviews", params={"product": "boots"}, headers=headers).json()
    assert [r["rating"] for r in boots["items"]] == [4, 5]
    low = client.get("/api/reviews", params={"max_rating": 2}, headers=headers).json()
    assert [r["text"] for r in low["items"]] == ["Too small"]
    since = (utcnow() - timedelta(days=2, hours=12)).isoformat()
    recent = client.get("/api/reviews", params={"since": since, "q": "small"}, headers=headers).json()
    assert [r["text"] for r in recent["items"]] == ["Too small"]
    assert client.get("/api/reviews", params={"rating": 9}, headers=headers).status_code == 422
    assert client.get("/api/reviews").status_code == 401


def test_the_csv_export_is_safe_to_open_in_a_spreadsheet(session, client, world):
    seed_reviews(session, world)
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.get("/api/reviews/export.csv", params={"product": "boots"}, headers=headers)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["rating"] for r in rows] == ["4", "5"]
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    ("typed", "rating"),
    [
        ("5⭐", 5),
        ("5 ⭐", 5),
        ("⭐⭐⭐", 3),
        ("4 stars", 4),
        ("٢", 2),
        ("10", None),
        ("3 or 4", None),
        ("great", None),
    ],
)
def test_ratings_are_read_as_customers_type_them(typed, rating):
    from aisha_app.actions.reviews import _rating

    assert _rating(typed, None) == rating


def test_staff_cannot_start_a_review_the_customer_could_not_answer(session, client, world):
    conversation = Conversation(contact_id=world.contacts[0].id, channel="whatsapp_cloud")  # never wrote
    session.add(conversation)
    session.commit()
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.post("/api/reviews/request", json={"conversation_id": conversation.id}, headers=headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "outside_window"
    assert session.exec(select(ReviewSession)).all() == []


def test_bad_review_queries_get_clear_answers_not_errors(session, client, world):
    seed_reviews(session, world)
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    naive = client.get("/api/reviews", params={"since": "2020-01-01T00:00:00"}, headers=headers)
    assert naive.status_code == 200 and naive.json()["total"] == 3  # read as UTC
    huge = client.post("/api/reviews/request", json={"conversation_id": 10**25}, headers=headers)
    assert huge.status_code == 422


def test_the_csv_keeps_phone_numbers_and_empty_cells_as_they_are(session, client, world):
    session.add(Review(contact_id=world.contacts[0].id, product_name="\tSUM(A1)", text="", rating=3))
    session.commit()
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    (row,) = csv.DictReader(io.StringIO(client.get("/api/reviews/export.csv", headers=headers).text))
    assert (row["phone_number"], row["product"], row["text"]) == ("+254712345678", "'\tSUM(A1)", "")
