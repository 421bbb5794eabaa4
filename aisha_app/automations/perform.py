"""Each action of a rule, done through the same named actions staff use, in a savepoint of its
own: one that fails is logged with its reason and the next still runs (as Chatwoot's do)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, func, select

from aisha_app.actions import leads
from aisha_app.actions.app_settings import get_setting, remember
from aisha_app.actions.canned import fill
from aisha_app.actions.contacts import update_contact
from aisha_app.actions.conversations import update_conversation
from aisha_app.actions.outbound import Draft, send_message, window_open
from aisha_app.config import get_settings
from aisha_app.errors import AppError
from aisha_app.models import (
    Automation,
    Contact,
    ContactUpdate,
    Conversation,
    ConversationUpdate,
    Message,
    MessageDirection,
    Role,
    User,
)
from aisha_app.models.base import utcnow


@dataclass
class World:
    """What a run acts on: the customer, their conversation, the message that triggered it."""

    contact: Contact | None
    conversation: Conversation | None
    message: Message | None
    now: datetime

    @classmethod
    def load(cls, session: Session, event: Any) -> World:
        return cls.for_subject(session, event.contact_id, event.conversation_id, event.message_id)

    @classmethod
    def for_subject(
        cls,
        session: Session,
        contact_id: int | None,
        conversation_id: int | None,
        message_id: int | None = None,
    ) -> World:
        conversation = session.get(Conversation, conversation_id) if conversation_id else None
        if conversation is not None:
            contact_id = conversation.contact_id
        contact = session.get(Contact, contact_id) if contact_id else None
        if conversation is None and contact is not None:  # the customer's latest conversation
            conversation = session.exec(
                select(Conversation)
                .where(Conversation.contact_id == contact.id)
                .order_by(col(Conversation.last_message_at).desc().nulls_last(), col(Conversation.id).desc())
            ).first()
        message = session.get(Message, message_id) if message_id else None
        if message is None and conversation is not None and not message_id:
            message = session.exec(
                select(Message)
                .where(
                    Message.conversation_id == conversation.id, Message.direction == MessageDirection.INBOUND
                )
                .order_by(col(Message.id).desc())
            ).first()
        return cls(contact, conversation, message, utcnow())


class Skip(Exception):
    """The action does not apply now; the reason is logged."""


class Held(Skip):
    """A customer message in the customer's quiet hours: it goes when they end (``until``)."""

    def __init__(self, why: str, until: datetime) -> None:
        super().__init__(why)
        self.until = until


def step(session: Session, rule: Automation, world: World, spec: dict[str, Any], dry: bool) -> dict[str, Any]:
    """Do one action: ``{"type", "status": done|skipped|failed|stopped, "detail", ...}``."""
    kind = spec["type"]
    if kind == "stop":
        return {"type": kind, "status": "stopped", "detail": "the rule stops here"}
    try:
        with session.begin_nested():
            outcome = ACTIONS[kind](session, rule, world, spec)
    except Held as why:
        return {"type": kind, "status": "held", "detail": str(why), "until": why.until.isoformat()}
    except Skip as why:
        return {"type": kind, "status": "skipped", "detail": str(why)}
    except AppError as exc:
        return {"type": kind, "status": "failed", "detail": exc.message, "code": exc.code}
    return {"type": kind, "status": "done", **outcome}


def _conversation(world: World) -> Conversation:
    if world.conversation is None:
        raise Skip("the customer has no conversation yet")
    return world.conversation


def _may_message(session: Session, rule: Automation, world: World) -> Conversation:
    """The conversation an automated message may go to now, or Skip with the reason."""
    contact, conversation = world.contact, _conversation(world)
    if contact is None or contact.deleted_at is not None:
        raise Skip("the contact was deleted")
    if contact.opted_out:
        raise Skip("the customer opted out of messages")
    settings = get_settings()
    since = world.now - timedelta(hours=24)
    sent = session.exec(
        select(func.count(Message.id))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.contact_id == contact.id,
            Message.created_at >= since,
            Message.meta["automation_id"].as_integer().is_not(None),
        )
    ).one()
    if sent >= settings.automation_daily_limit:
        raise Skip(
            f"the customer had {sent} automated message(s) in the last 24 hours "
            f"(the limit is {settings.automation_daily_limit})"
        )
    quiet = settings.automation_quiet_hours
    if quiet and not (rule.options or {}).get("ignore_quiet_hours"):
        zone = _zone(session, contact)
        local = world.now.astimezone(zone).strftime("%H:%M")
        start, end = quiet.split("-")
        inside = start <= local < end if start <= end else (local >= start or local < end)
        if inside:
            ends = _quiet_end(world.now, zone, end)
            raise Held(
                f"quiet hours ({start}-{end}; it is {local} in {zone.key} for the customer): "
                f"held until {end} their time",
                ends,
            )
    return conversation


def _quiet_end(now: datetime, zone: ZoneInfo, end: str) -> datetime:
    """The next ``end`` (HH:MM) on the customer's clock after ``now``, in UTC."""
    hours, minutes = (int(part) for part in end.split(":"))
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), time(hours, minutes), tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), time(hours, minutes), tzinfo=zone)
    return moment.astimezone(UTC)


def _zone(session: Session, contact: Contact) -> ZoneInfo:
    from aisha_app.clock import shop_zone

    try:
        return ZoneInfo(contact.timezone) if contact.timezone else shop_zone(session)
    except (ZoneInfoNotFoundError, ValueError):
        return shop_zone(session)


def _sent(message: Message, rule: Automation) -> dict[str, Any]:
    message.meta = dict(message.meta or {}) | {"automation_id": rule.id, "automation": rule.name}
    return {"message_id": message.id, "detail": (message.body or "")[:200]}


def send_text(session, rule, world, spec):
    conversation = _may_message(session, rule, world)
    if window_open(conversation):
        draft = Draft(text=fill(spec["text"], world.contact, None))
    elif spec.get("template"):
        draft = Draft(
            template=spec["template"],
            template_language=spec.get("template_language"),
            variables=[fill(v, world.contact, None) for v in spec.get("variables") or []],
        )
    else:
        raise Skip("outside the 24-hour window, and the rule names no template to send instead")
    return _sent(send_message(session, conversation.id, draft), rule)


def send_template(session, rule, world, spec):
    conversation = _may_message(session, rule, world)
    draft = Draft(
        template=spec["template"],
        template_language=spec.get("template_language"),
        variables=[fill(v, world.contact, None) for v in spec.get("variables") or []],
    )
    return _sent(send_message(session, conversation.id, draft), rule)


def _contact(world: World) -> Contact:
    if world.contact is None or world.contact.deleted_at is not None:
        raise Skip("no contact to change")
    return world.contact


def _toggle(have: list[str] | None, item: str, add: bool, owner: str, kind: str) -> tuple[list[str], str]:
    """``have`` with ``item`` added or removed, and what was done; Skip when nothing would change."""
    have = list(have or [])
    if add == (item in have):
        raise Skip(
            f"the {owner} has {kind} {item!r} already" if add else f"the {owner} has no {kind} {item!r}"
        )
    return (
        have + [item] if add else [h for h in have if h != item]
    ), f"{'added' if add else 'removed'} {kind} {item!r}"


def tags(session, rule, world, spec):
    contact = _contact(world)
    have, done = _toggle(contact.tags, spec["tag"].strip(), spec["type"] == "add_tag", "contact", "tag")
    update_contact(session, contact.id, ContactUpdate(tags=have), None)
    return {"detail": done}


def labels(session, rule, world, spec):
    conversation = _conversation(world)
    add = spec["type"] == "add_label"
    have, done = _toggle(conversation.labels, spec["label"].strip(), add, "conversation", "label")
    update_conversation(session, conversation.id, ConversationUpdate(labels=have), None)
    return {"detail": done}


def set_attribute(session, rule, world, spec):
    contact = _contact(world)
    update_contact(session, contact.id, ContactUpdate(attributes={spec["key"]: spec["value"]}), None)
    return {"detail": f"{spec['key']} = {spec['value']!r}"}


def assign(session, rule, world, spec):
    conversation = _conversation(world)
    if spec.get("round_robin"):
        agents = session.exec(
            select(User).where(User.is_active, User.role == Role.AGENT).order_by(col(User.id))
        ).all()
        if not agents:
            raise Skip("there is no active agent to take turns")
        key = f"automation.{rule.id}.last_assignee"
        last = get_setting(session, key)
        after = [a for a in agents if last is not None and a.id > last]
        agent = (after or agents)[0]
        remember(session, key, agent.id)
    else:
        agent = session.get(User, spec["user_id"])
        if agent is None or not agent.is_active:
            raise AppError("unknown_assignee", f"staff member {spec['user_id']} is not active", 400)
    update_conversation(session, conversation.id, ConversationUpdate(assignee_id=agent.id), None)
    return {"detail": f"assigned to {agent.name}", "user_id": agent.id}


def set_status(session, rule, world, spec):
    conversation = _conversation(world)
    update_conversation(session, conversation.id, ConversationUpdate(status=spec["status"]), None)
    return {"detail": f"status {spec['status']}"}


def set_assistant(session, rule, world, spec):
    conversation = _conversation(world)
    update_conversation(session, conversation.id, ConversationUpdate(ai_enabled=spec["enabled"]), None)
    return {"detail": "the assistant answers" if spec["enabled"] else "the assistant steps back"}


def note(session, rule, world, spec):
    conversation = _conversation(world)
    message = send_message(
        session, conversation.id, Draft(text=fill(spec["text"], world.contact, None), note=True)
    )
    return _sent(message, rule)


def move_lead_stage(session, rule, world, spec):
    contact = _contact(world)
    before = str(contact.lead_stage)
    leads.move_lead(session, contact.id, spec["stage"], None)
    return {"detail": f"lead stage {before} → {spec['stage']}"}


def send_media(session, rule, world, spec):
    conversation = _may_message(session, rule, world)
    if not window_open(conversation):
        raise Skip("outside the 24-hour window: media goes only inside it")
    caption = fill(spec.get("caption") or "", world.contact, None) or None
    draft = Draft(text=caption, media_url=spec["url"], media_type=spec.get("media_type", "image"))
    return _sent(send_message(session, conversation.id, draft), rule)


def start_review(session, rule, world, spec):
    from aisha_app.actions import reviews

    conversation = _may_message(session, rule, world)
    if not window_open(conversation):
        raise Skip("outside the 24-hour window: the customer's answers are needed, so no review is asked")
    review, question = reviews.start_review(
        session, conversation, started_by="automation", product=spec.get("product")
    )
    return {"detail": f"asked for a review: {question!r}"}


def join_waiting_list(session, rule, world, spec):
    from aisha_app.actions import waiting_list

    contact = _contact(world)
    if spec.get("tell_customer", True):
        _may_message(session, rule, world)
    place = waiting_list.join(
        session,
        contact,
        waiting_list.find_list(session, spec.get("list")),
        tell_customer=spec.get("tell_customer", True),
    )
    if place.already:
        raise Skip(f"the customer is on the list already (number {place.position})")
    return {"detail": f"added to the waiting list: number {place.position}"}


def webhook(session, rule, world, spec):
    from aisha_app.automations.webhooks import queue

    return queue(session, rule, world, spec)


ACTIONS = {
    "send_media": send_media,
    "webhook": webhook,
    "start_review": start_review,
    "add_to_waiting_list": join_waiting_list,
    "send_text": send_text,
    "send_template": send_template,
    "add_tag": tags,
    "remove_tag": tags,
    "add_label": labels,
    "remove_label": labels,
    "set_attribute": set_attribute,
    "assign": assign,
    "set_status": set_status,
    "set_assistant": set_assistant,
    "note": note,
    "move_lead_stage": move_lead_stage,
}


def note_on_timeline(session: Session, rule: Automation, world: World, steps: list[dict], dry: bool) -> None:
    """What the rule did shows on the customer's timeline."""
    done = [s["detail"] for s in steps if s["status"] == "done"]
    if done and world.contact is not None and not dry:
        leads.log_automation(
            session,
            world.contact,
            f"Automation {rule.name!r}: " + "; ".join(done),
            {"automation_id": rule.id},
        )
