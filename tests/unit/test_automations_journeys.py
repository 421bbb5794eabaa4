"""Automations that start a journey: ask for a review, put the customer on a waiting list."""

from __future__ import annotations

from sqlmodel import select

from aisha_app.models import ReviewSession, WaitingListEntry
from tests.unit.support import customer_writes, run_jobs, sent_to
from tests.unit.test_automations import PHONE, rule, runs


def test_a_resolved_conversation_asks_the_customer_for_a_review(client, owner, session, world, awake):
    created = rule(
        client,
        owner,
        trigger={"type": "conversation_resolved"},
        actions=[{"type": "start_review", "product": "Safety boots"}],
    )
    customer_writes(session, PHONE, "Do you have the boots in size 44?")
    (conversation,) = client.get("/api/conversations", headers=owner).json()["items"]
    assert conversation["status"] != "resolved"
    resolved = client.patch(
        f"/api/conversations/{conversation['id']}", json={"status": "resolved"}, headers=owner
    )
    assert resolved.status_code == 200
    run_jobs()
    (run,) = runs(session, created["id"])
    assert run.status == "succeeded", run.steps
    assert run.steps[0]["detail"].startswith("asked for a review: ")
    review = session.exec(select(ReviewSession)).one()
    assert (review.started_by, review.answers.get("product_name")) == ("automation", "Safety boots")
    assert sent_to(session, PHONE)[-1] in run.steps[0]["detail"]  # the question went to the customer


def test_a_keyword_puts_the_customer_on_the_waiting_list_once(client, owner, session, world, awake):
    created = rule(
        client,
        owner,
        trigger={"type": "keyword", "keywords": ["fitting"]},
        actions=[{"type": "add_to_waiting_list"}],
    )
    customer_writes(session, PHONE, "Can I book a fitting?")
    customer_writes(session, PHONE, "fitting please")
    first, second = runs(session, created["id"])
    assert first.status == "succeeded" and first.steps[0]["detail"] == "added to the waiting list: number 1"
    assert second.status == "skipped" and "on the list already (number 1)" in second.error
    assert len(session.exec(select(WaitingListEntry)).all()) == 1


def test_an_unknown_waiting_list_fails_the_action_with_why(client, owner, session, world, awake):
    created = rule(
        client,
        owner,
        trigger={"type": "keyword", "keywords": ["fitting"]},
        actions=[{"type": "add_to_waiting_list", "list": "Barber chair", "tell_customer": False}],
    )
    customer_writes(session, PHONE, "fitting?")
    (run,) = runs(session, created["id"])
    assert run.status == "failed" and "Waiting list" in run.error


def test_a_rule_sends_a_picture_with_its_caption_inside_the_window(client, owner, session, world, awake):
    from aisha_app.models import Message

    created = rule(
        client,
        owner,
        trigger={"type": "keyword", "keywords": ["catalogue"]},
        actions=[
            {
                "type": "send_media",
                "url": "https://shop.example.test/boots.jpg",
                "caption": "Our boots, {{contact.first_name}}",
            }
        ],
    )
    customer_writes(session, PHONE, "Send me the catalogue")
    (run,) = runs(session, created["id"])
    assert run.status == "succeeded", run.steps
    session.expire_all()
    sent = session.exec(
        select(Message).where(Message.media_url == "https://shop.example.test/boots.jpg")
    ).one()
    assert (sent.type, sent.body, sent.meta.get("automation_id")) == (
        "image",
        "Our boots, Wanjiru",
        created["id"],
    )


def test_a_low_review_and_each_waiting_list_step_trigger_their_rules(client, owner, session, world, awake):
    from aisha_app.models import Product

    session.add(Product(sku="BOOT-1", name="Steel-toe safety boots", price=4500, stock=18))
    session.commit()
    low = rule(
        client,
        owner,
        trigger={"type": "review_received", "max_rating": 2},
        actions=[{"type": "add_tag", "tag": "unhappy"}],
    )
    for step in ("joined", "called", "served"):
        rule(
            client,
            owner,
            name=f"On {step}",
            trigger={"type": "waiting_list", "on": step, "list": "main"},
            actions=[{"type": "add_tag", "tag": f"wl-{step}"}],
        )
    customer_writes(session, PHONE, "review")
    customer_writes(session, PHONE, "the safety boots")
    customer_writes(session, PHONE, "Too tight, hurt my feet.")
    customer_writes(session, PHONE, "⭐⭐", reply_id="rating_2")
    (run,) = runs(session, low["id"])
    assert run.status == "succeeded" and run.trigger == "review_received"

    joined = client.post(
        "/api/waiting-list/", json={"username": "Wanjiru", "phone_number": PHONE}, headers=owner
    )
    entry = joined.json()
    assert client.post(f"/api/waiting-list/{entry['id']}/call", headers=owner).status_code == 200
    assert client.post(f"/api/waiting-list/{entry['id']}/serve", headers=owner).status_code == 200
    run_jobs()
    session.expire_all()
    from aisha_app.models import Contact

    tags = session.get(Contact, world.contacts[0].id).tags
    assert {"unhappy", "wl-joined", "wl-called", "wl-served"} <= set(tags)


def test_a_new_conversation_and_one_opened_again_trigger_conversation_opened(
    client, owner, session, world, awake
):
    created = rule(
        client,
        owner,
        trigger={"type": "conversation_opened"},
        actions=[{"type": "add_label", "label": "new-chat"}],
    )
    customer_writes(session, PHONE, "Do you have the boots in size 44?")  # a new conversation
    customer_writes(session, PHONE, "And in black?")  # the same one: not opened again
    (first,) = runs(session, created["id"])
    assert first.status == "succeeded" and first.trigger == "conversation_opened"
    conversation_id = first.conversation_id
    for status in ("resolved", "open"):  # resolved, then opened again by staff
        answer = client.patch(f"/api/conversations/{conversation_id}", json={"status": status}, headers=owner)
        assert answer.status_code == 200
    run_jobs()
    assert [r.trigger for r in runs(session, created["id"])] == ["conversation_opened", "conversation_opened"]
