"""The assistant at work: a reply job per burst of customer messages, and its decision applied."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, col, or_, select

from aisha_app.actions import reviews
from aisha_app.actions.commands import command_of, run_command
from aisha_app.actions.media import media_path
from aisha_app.actions.outbound import Draft, send_message
from aisha_app.assistant import gemini
from aisha_app.assistant.offline import HANDOFF_REASONS, Reply, closed_for_now, handoff, language_of, respond
from aisha_app.assistant.profile import load_profile
from aisha_app.assistant.tools import ToolContext
from aisha_app.background.handlers import JobKind, handler
from aisha_app.config import get_settings
from aisha_app.errors import WorkError
from aisha_app.models import (
    Conversation,
    ConversationStatus,
    Job,
    Message,
    MessageDirection,
    MessageType,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events

log = logging.getLogger("aisha.assistant")


def reply_key(conversation_id: int) -> str:
    """One queued reply per conversation: a burst of messages is answered once."""
    return f"ai_reply:{conversation_id}"


def out_of_hours_key(conversation_id: int) -> str:
    return f"out_of_hours:{conversation_id}"


# One acknowledgement per night: none again for this long, nor while an earlier one stands.
ACK_EVERY = timedelta(hours=12)


@handler(JobKind.OUT_OF_HOURS)
def _out_of_hours(session: Session, job: Job) -> None:
    """A customer waiting for staff wrote while the shop is closed: tell them, once, when a person
    will answer, rather than leave them to silence (or answer each message)."""
    conversation = session.get(Conversation, job.payload["conversation_id"])
    if conversation is None or conversation.ai_enabled or conversation.status != ConversationStatus.PENDING:
        return
    profile, now = load_profile(session), utcnow()
    when = profile.next_opening(now)
    if not profile.hours or profile.is_open(now) or when is None:
        return
    # Since the handoff (its own message, written a moment before handed_off_at, included).
    since = max((conversation.handed_off_at or now) - timedelta(minutes=1), now - ACK_EVERY)
    said = session.exec(
        select(Message.meta).where(
            Message.conversation_id == conversation.id,
            Message.direction == MessageDirection.OUTBOUND,
            Message.created_at >= since,
        )
    ).all()
    if any((meta or {}).get("out_of_hours") for meta in said):
        return
    wrote = session.exec(
        select(Message.body)
        .where(Message.conversation_id == conversation.id, Message.direction == MessageDirection.INBOUND)
        .order_by(col(Message.id).desc())
    ).first()
    lang = language_of(wrote or "")  # as the assistant answers: in the language just written
    message = send_message(
        session, conversation.id, Draft(text=closed_for_now(lang, when)), from_assistant=True
    )
    message.meta = {"decision": "continue", "out_of_hours": True}
    session.add(message)
    session.flush()


def reply_pending(session: Session, conversation_id: int) -> bool:
    """The assistant is preparing a reply to this conversation (its job is queued or running)."""
    job = session.exec(select(Job.id).where(Job.dedupe_key == reply_key(conversation_id))).first()
    return job is not None


MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGES_PER_REPLY = 3


def answer(
    session: Session,
    text: str,
    history: list[tuple[str, str]] | None = None,
    *,
    conversation: Conversation | None = None,
    images: list[tuple[bytes, str]] | None = None,
    ctx: ToolContext | None = None,
) -> Reply:
    """What the assistant says: Gemini when a key is set, the offline responder otherwise.

    Without a ``conversation`` (the playground, the API) tools that act for a customer do not act.
    """
    ctx = ctx or ToolContext(session, load_profile(session), conversation, lang=language_of(text))
    profile = ctx.profile
    if get_settings().providers()["gemini"]:
        return gemini.respond(ctx, [*(history or []), ("user", text)], images)
    if images and not text:
        # The offline responder cannot see photos: a person looks at them.
        return handoff(profile, ctx.lang, utcnow(), reason=HANDOFF_REASONS["photo"])
    return respond(session, profile, text, utcnow(), ctx)


def _images(burst: list[Message]) -> list[tuple[bytes, str]]:
    """The customer's photos in this burst that have been downloaded (most recent first)."""
    found = []
    for message in reversed(burst):
        path = media_path(message.id)
        if message.type != MessageType.IMAGE or not (message.media_content_type or "").startswith("image/"):
            continue
        if path.is_file() and path.stat().st_size <= MAX_IMAGE_BYTES:
            found.append((path.read_bytes(), message.media_content_type))
        if len(found) == IMAGES_PER_REPLY:
            break
    return list(reversed(found))


def _history(session: Session, conversation_id: int, before_id: int) -> list[tuple[str, str]]:
    rows = session.exec(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id < before_id, Message.type != "note")
        .order_by(col(Message.id).desc())
        .limit(12)
    ).all()
    return [
        ("user" if m.direction == MessageDirection.INBOUND else "model", m.body or "") for m in reversed(rows)
    ]


def apply_decision(session: Session, conversation: Conversation, reply: Reply) -> None:
    if reply.decision == "handoff":
        # Staff take it from here: no more automatic replies until it is resolved.
        conversation.ai_enabled, conversation.handed_off_at = False, utcnow()
        conversation.handoff_reason = (reply.reason or "")[:500] or None
        conversation.status = ConversationStatus.PENDING
    elif reply.decision == "resolve":
        conversation.status = ConversationStatus.RESOLVED
    session.add(conversation)
    events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=conversation.id)
    session.flush()


def _journeys(session: Session, conversation: Conversation, burst: list[Message]) -> bool:
    """A review being collected, or a command: handled here, not by the assistant. True if handled."""
    review = reviews.active_session(session, conversation.id)
    if review is not None:
        for message in burst:
            review = session.get(type(review), review.id)
            if review.status != "active":
                break
            reviews.advance(session, review, message.body or "", (message.meta or {}).get("reply_id"))
        return True
    if not conversation.ai_enabled:
        return True  # a person has taken the conversation
    last = burst[-1]
    command = command_of(last.body, (last.meta or {}).get("reply_id"))
    if command is None:
        return False
    run_command(session, conversation, command, language_of(last.body or ""))
    return True


def _without_gemini(session: Session, conversation: Conversation, text: str, ctx: ToolContext) -> Reply:
    """The offline responder's answer, or the review question a tool already began."""
    if ctx.reply_override:
        return Reply(ctx.reply_override, "continue", None, ctx.passages, ctx.called)
    review = reviews.active_session(session, conversation.id)
    if review is not None:
        return Reply(reviews.question_text(review), "continue", None, tools_called=ctx.called)
    fresh = ToolContext(session, ctx.profile, conversation, lang=ctx.lang)
    return respond(session, ctx.profile, text, utcnow(), fresh)


@handler(JobKind.AI_REPLY)
def _reply(session: Session, job: Job) -> None:
    conversation = session.get(Conversation, job.payload["conversation_id"])
    if conversation is None:
        return
    # What the customer wrote since we last answered them: automatic updates (a waiting-list
    # move) and staff notes are not answers, so the question before them still gets one.
    last_answer = (
        session.exec(
            select(Message.id)
            .where(
                Message.conversation_id == conversation.id,
                Message.direction == MessageDirection.OUTBOUND,
                Message.type != MessageType.NOTE,
                or_(Message.from_assistant, col(Message.sender_id).is_not(None)),
            )
            .order_by(col(Message.id).desc())
        ).first()
        or 0
    )
    burst = session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.id > last_answer,
            Message.direction == MessageDirection.INBOUND,
        )
        .order_by(Message.id)
    ).all()
    if not burst:
        return
    max_age = timedelta(minutes=get_settings().ai_reply_max_age_minutes)
    wrote = conversation.last_inbound_at or burst[-1].created_at  # when the customer wrote
    if utcnow() - wrote > max_age:
        log.info(
            "conversation %s: newest message is older than %s; no automatic reply", conversation.id, max_age
        )
        return
    if _journeys(session, conversation, burst):
        return
    text = " ".join(m.body for m in burst if m.body)
    images = _images(burst)
    if not text and not images:
        return
    profile = load_profile(session)
    ctx = ToolContext(session, profile, conversation, lang=language_of(text))
    try:
        reply = answer(
            session,
            text,
            _history(session, conversation.id, burst[0].id),
            conversation=conversation,
            images=images,
            ctx=ctx,
        )
    except Exception as exc:  # noqa: BLE001  (Gemini down or slow: retry, then the offline responder)
        session.rollback()
        # Once a tool has acted (joined the list, started a review, called the business's system),
        # trying the whole reply again would act twice: answer now instead.
        if job.attempts < job.max_attempts and not ctx.acted:
            raise WorkError(f"assistant failed: {exc}") from exc
        log.warning(
            "conversation %s: Gemini failed (attempt %s, tools %s); answering without it",
            conversation.id,
            job.attempts,
            ctx.called,
        )
        reply = _without_gemini(session, conversation, text, ctx)
    draft = Draft(text=reply.text)
    message = send_message(session, conversation.id, draft, from_assistant=True)
    message.meta = {
        "decision": reply.decision,
        "tools": reply.tools_called,
        "tokens_used": reply.tokens_used,
        "passages": [f"{p.kind}:{p.id}" for p in reply.passages],
    }
    if reply.decision == "handoff" and profile.hours and not profile.is_open(utcnow()):
        message.meta["out_of_hours"] = True  # it said when a person will answer
    session.add(message)
    events.publish_on_commit(
        session, events.MESSAGE_UPDATED, conversation_id=conversation.id, message_id=message.id
    )
    session.flush()
    apply_decision(session, session.get(Conversation, conversation.id), reply)
