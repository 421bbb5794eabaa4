"""The review collector: a guided conversation, one question at a time, kept in the database.

Product -> name (skipped when we know it) -> the review -> a 1-5 rating, then thanks by name.
The session row holds the step and the answers, so a restart continues where it was; "cancel"
stops it; a session left unanswered expires. A rating of 2 or less goes to staff.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, col, select

from aisha_app.actions import customer_texts as texts
from aisha_app.actions.notify import conversation_for
from aisha_app.actions.outbound import Draft, OutsideWindow, send_message, window_open
from aisha_app.assistant.knowledge import normalize, search
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.config import get_settings
from aisha_app.errors import Conflict, NotFound
from aisha_app.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Review,
    ReviewSession,
    ReviewSessionStatus,
    ReviewStep,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from aisha_app.services.messaging import capabilities

CANCEL_WORDS = {"cancel", "stop", "quit", "ghairi", "acha", "الغاء", "توقف", "وقف"}
LOW_RATING = 2
FOLLOW_UP_LABEL = "review-follow-up"
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def _say(key: str, lang: str | None, **values: object) -> str:
    return texts.say(texts.REVIEW, key, lang, **values)


def _expiry() -> timedelta:
    return timedelta(minutes=get_settings().review_expiry_minutes)


def active_session(session: Session, conversation_id: int) -> ReviewSession | None:
    """The review being collected on this conversation; an abandoned one is expired on the way."""
    found = session.exec(
        select(ReviewSession)
        .where(
            ReviewSession.conversation_id == conversation_id,
            ReviewSession.status == ReviewSessionStatus.ACTIVE,
        )
        .order_by(col(ReviewSession.id).desc())
    ).first()
    if found is not None and found.expires_at <= utcnow():
        found.status = ReviewSessionStatus.EXPIRED
        session.add(found)
        session.flush()
        return None
    return found


def _ask(session: Session, review: ReviewSession, conversation: Conversation, text: str | None = None) -> str:
    lang = review.answers.get("lang")
    buttons: list[dict[str, str]] = []
    if review.step == ReviewStep.PRODUCT:
        text = text or _say("product", lang)
    elif review.step == ReviewStep.NAME:
        text = text or _say("name", lang)
    elif review.step == ReviewStep.TEXT:
        text = text or _say("text", lang, product=review.answers.get("product_name") or "us")
    else:
        text = text or _say("rating", lang)
        if capabilities(conversation.channel).max_buttons >= 5:  # else the number is typed
            buttons = [{"id": f"rating_{n}", "title": "⭐" * n} for n in range(1, 6)]
    send_message(session, conversation.id, Draft(text=text, buttons=buttons), from_assistant=True)
    return text


def start_review(
    session: Session,
    conversation: Conversation,
    *,
    started_by: str = "customer",
    lang: str | None = None,
    product: str | None = None,
    ask: bool = True,
) -> tuple[ReviewSession, str]:
    """Begin (or resume) collecting a review; returns the session and the question asked.

    With ``ask`` the session and its first question are stored together, or neither is; without
    it the caller (the assistant) sends the question as its reply.
    """
    review = active_session(session, conversation.id)
    contact = session.get(Contact, conversation.contact_id)
    if contact.opted_out:
        raise Conflict("This customer has opted out of messages.")
    if not window_open(conversation):
        raise OutsideWindow(capabilities(conversation.channel))  # the answers must be able to come back
    if review is None:
        review = ReviewSession(
            contact_id=conversation.contact_id,
            conversation_id=conversation.id,
            started_by=started_by,
            answers={"lang": lang or contact.language or "en"},
            expires_at=utcnow() + _expiry(),
        )
        if product:
            _take_product(session, review, product, contact)
        session.add(review)
    if not ask:
        session.flush()
        return review, question_text(review)
    return review, _ask(session, review, conversation)  # commits the session with its question


def question_text(review: ReviewSession) -> str:
    lang = review.answers.get("lang")
    return {
        ReviewStep.PRODUCT: lambda: _say("product", lang),
        ReviewStep.NAME: lambda: _say("name", lang),
        ReviewStep.TEXT: lambda: _say("text", lang, product=review.answers.get("product_name") or "us"),
        ReviewStep.RATING: lambda: _say("rating", lang),
    }[review.step]()


def start_review_for_contact(session: Session, contact: Contact, started_by: str) -> ReviewSession | None:
    """Ask for a review where the customer can answer now; None (nothing stored) when they cannot."""
    conversation = conversation_for(session, contact)
    if conversation is None or contact.opted_out or not window_open(conversation):
        return None
    return start_review(session, conversation, started_by=started_by)[0]


def _take_product(session: Session, review: ReviewSession, text: str, contact: Contact) -> None:
    match = next((p for p in search(session, text, limit=3) if p.kind == "product" and p.score >= 0.5), None)
    answers = dict(review.answers)
    answers["product_id"] = match.id if match else None
    answers["product_name"] = match.title if match else text.strip()[:200]
    review.answers = answers
    review.step = ReviewStep.TEXT if contact.name else ReviewStep.NAME


def _rating(text: str, reply_id: str | None) -> int | None:
    """A tapped button, a single number ("4", "٤", "5⭐"), or only stars ("⭐⭐⭐")."""
    if reply_id and reply_id.startswith("rating_") and reply_id[7:].isdecimal():
        value = int(reply_id[7:])
    else:
        numbers = re.findall(r"[0-9]+", text.translate(ARABIC_DIGITS))
        stars = text.count("⭐") + text.count("★")
        value = int(numbers[0]) if len(numbers) == 1 and len(numbers[0]) == 1 else 0 if numbers else stars
    return value if 1 <= value <= 5 else None


def advance(session: Session, review: ReviewSession, text: str, reply_id: str | None = None) -> None:
    """The customer answered the current question (commits, and asks the next one)."""
    conversation = session.get(Conversation, review.conversation_id)
    contact = session.get(Contact, review.contact_id)
    text = (text or "").strip()
    lang = review.answers.get("lang")
    if normalize(text).strip(" .!") in CANCEL_WORDS:
        review.status = ReviewSessionStatus.CANCELLED
        session.add(review)
        send_message(session, conversation.id, Draft(text=_say("cancelled", lang)), from_assistant=True)
        return
    if not text:
        return  # a sticker or a photo: the question stands
    review.updated_at, review.expires_at = utcnow(), utcnow() + _expiry()
    answers = dict(review.answers)
    if review.step == ReviewStep.PRODUCT:
        _take_product(session, review, text, contact)
    elif review.step == ReviewStep.NAME:
        answers["customer_name"] = text[:200]
        contact.name = contact.name or text[:200]
        session.add(contact)
        review.answers, review.step = answers, ReviewStep.TEXT
    elif review.step == ReviewStep.TEXT:
        answers["text"] = text[:4000]
        review.answers, review.step = answers, ReviewStep.RATING
    else:
        rating = _rating(text, reply_id)
        if rating is None:
            session.add(review)
            _ask(session, review, conversation, _say("rating_again", lang))
            return
        _complete(session, review, conversation, contact, rating)
        return
    session.add(review)
    _ask(session, review, conversation)


def _complete(
    session: Session, review: ReviewSession, conversation: Conversation, contact: Contact, rating: int
) -> None:
    answers, lang = review.answers, review.answers.get("lang")
    name = answers.get("customer_name") or contact.name or ""
    saved = Review(
        contact_id=contact.id,
        conversation_id=conversation.id,
        product_id=answers.get("product_id"),
        product_name=answers.get("product_name"),
        customer_name=name or None,
        text=answers.get("text"),
        rating=rating,
    )
    session.add(saved)
    session.flush()
    review.status, review.review_id = ReviewSessionStatus.COMPLETED, saved.id
    session.add(review)
    thanks = (
        _say(
            "thanks",
            lang,
            name=name.split()[0] if name else "",
            rating=rating,
            product=answers.get("product_name") or "us",
        )
        .replace(" !", "!")
        .replace(", !", "!")
    )
    if rating <= LOW_RATING:
        thanks += _say("sorry", lang)
        # Staff follow up: the conversation waits for a person, the assistant steps back.
        conversation.status, conversation.ai_enabled = ConversationStatus.PENDING, False
        conversation.handed_off_at = utcnow()
        conversation.handoff_reason = f"A {rating}-star review: follow up with the customer."
        conversation.labels = sorted({*conversation.labels, FOLLOW_UP_LABEL})
        session.add(conversation)
        send_message(
            session,
            conversation.id,
            Draft(note=True, text=f"Low rating ({rating}/5) for {saved.product_name}: please follow up."),
        )
    events.publish_on_commit(
        session, events.REVIEW_CREATED, review_id=saved.id, conversation_id=conversation.id
    )
    emit(
        session,
        [
            TriggerEvent(
                event=Event.REVIEW_RECEIVED,
                key=f"review:{saved.id}",
                contact_id=contact.id,
                conversation_id=conversation.id,
                data={"rating": rating, "product": saved.product_name or ""},
            )
        ],
    )
    message = send_message(session, conversation.id, Draft(text=thanks), from_assistant=True)
    saved.thank_you_message_id = message.id
    session.add(saved)
    session.flush()


def start_by_staff(session: Session, conversation_id: int) -> ReviewSession:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("Conversation")
    return start_review(session, conversation, started_by="staff")[0]
