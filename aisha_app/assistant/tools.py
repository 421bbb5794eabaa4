"""The assistant's tools: what it may look up and do, for Gemini and the offline responder alike.

Tools that act for a customer (waiting list, review, lead note) need the conversation; in the
playground there is none, and they say so instead of acting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from google.genai import types
from sqlmodel import Session

from aisha_app.actions import leads, reviews, waiting_list
from aisha_app.actions.assistant_actions import active_actions, call_action
from aisha_app.assistant.knowledge import Passage, search
from aisha_app.assistant.profile import BusinessProfile
from aisha_app.db import commit
from aisha_app.errors import AppError
from aisha_app.models import AssistantAction, Contact, Conversation
from aisha_app.models.base import utcnow

log = logging.getLogger("aisha.assistant.tools")

QUERY = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
NOTHING: dict[str, Any] = {"type": "object", "properties": {}}

BUILT_IN = [
    ("search_products", "Find products in the catalog with their real price and stock.", QUERY),
    ("search_knowledge", "Find the business's FAQ answers (delivery, payment, returns ...).", QUERY),
    ("get_business_info", "The business's address, opening hours and whether it is open now.", NOTHING),
    (
        "join_waiting_list",
        "Put the customer on a waiting list (the first list unless they name one); returns their "
        "position and estimated wait.",
        {
            "type": "object",
            "properties": {"list": {"type": "string"}, "party_note": {"type": "string"}},
        },
    ),
    ("waiting_list_position", "The customer's current position and estimated wait.", NOTHING),
    ("leave_waiting_list", "Take the customer off the waiting list, when they ask to leave.", NOTHING),
    (
        "start_review",
        "Start collecting the customer's review (product, text, 1-5 rating) when they want to leave one.",
        {"type": "object", "properties": {"product": {"type": "string"}}},
    ),
    (
        "add_lead_note",
        "Note something staff should know about this customer (interest, budget, timing).",
        {"type": "object", "properties": {"note": {"type": "string"}}, "required": ["note"]},
    ),
    (
        "handoff_to_human",
        "Hand the conversation to a staff member. Use it whenever you cannot answer from the "
        "tools, or the customer asks for a person.",
        {"type": "object", "properties": {"reason": {"type": "string"}}},
    ),
]
NO_CUSTOMER = {"ok": False, "error": "This is the playground: there is no customer to act for."}
# Tools that change something; once one has run, a failed reply is not retried (it would act twice).
ACTING = {"join_waiting_list", "leave_waiting_list", "start_review", "add_lead_note"}


@dataclass
class ToolContext:
    session: Session
    profile: BusinessProfile
    conversation: Conversation | None = None
    lang: str = "en"
    passages: list[Passage] = field(default_factory=list)
    called: list[str] = field(default_factory=list)
    # Set when a tool already wrote to the customer (a review's first question): that is the reply.
    reply_override: str | None = None
    handoff: bool = False
    handoff_reason: str | None = None  # the model's own words for why
    acted: bool = False  # a tool changed something (or called the business's system)

    def release(self) -> None:
        """End the transaction before a slow call (the model, the business's endpoint): nothing
        waits on its locks meanwhile, and what the tools did so far is kept."""
        commit(self.session)

    @property
    def contact(self) -> Contact | None:
        return self.session.get(Contact, self.conversation.contact_id) if self.conversation else None


def declarations(actions: list[AssistantAction]) -> list[types.FunctionDeclaration]:
    declared = [types.FunctionDeclaration(name=n, description=d, parameters=p) for n, d, p in BUILT_IN]
    for a in actions:
        try:
            declared.append(
                types.FunctionDeclaration(name=a.name, description=a.description, parameters=a.parameters)
            )
        except ValueError:  # saved before today's checks: leave it out rather than fail every reply
            log.warning("action %s: its parameters are not a schema Gemini accepts; left out", a.name)
    return declared


def _passage(p: Passage) -> dict[str, Any]:
    if p.kind == "product":
        return {
            "name": p.title,
            "name_ar": p.name_ar,
            "price": str(p.price),
            "currency": p.currency,
            "stock": p.stock,
            "sku": p.sku,
        }
    return {"question": p.title, "answer": p.text}


def _standing(result: waiting_list.Standing) -> dict[str, Any]:
    return {
        "list": result.list_name,
        "position": result.position,
        "estimated_wait_minutes": result.minutes,
        "already_on_the_list": result.already,
        "called": result.entry.status == "called",
    }


def run(ctx: ToolContext, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one tool call; errors come back as results the model can explain."""
    ctx.called.append(name)
    try:
        result = _run(ctx, name, args)
    except AppError as exc:
        return {"ok": False, "error": exc.message}
    acts = name in ACTING or name not in {n for n, _, _ in BUILT_IN}
    if acts and result.get("ok") is not False and not result.get("dry_run"):
        ctx.acted = True
        ctx.release()  # done is done: a later failure in this reply must not undo it
    return result


def _run(ctx: ToolContext, name: str, args: dict[str, Any]) -> dict[str, Any]:
    session, contact = ctx.session, ctx.contact
    if name in ("search_products", "search_knowledge"):
        kind = "product" if name == "search_products" else "faq"
        hits = [p for p in search(session, str(args.get("query", "")), limit=5) if p.kind == kind]
        ctx.passages.extend(hits)
        return {"results": [_passage(p) for p in hits]}
    if name == "get_business_info":
        now, profile = utcnow(), ctx.profile
        return {
            "name": profile.name,
            "address": profile.address,
            "hours": profile.hours_text(),
            "open_now": profile.is_open(now),
            "next_opening": profile.next_opening(now),
        }
    if name == "handoff_to_human":
        ctx.handoff = True
        reason = args.get("reason") if isinstance(args.get("reason"), str) else None
        ctx.handoff_reason = (reason or "").strip()[:500] or ctx.handoff_reason
        return {"ok": True, "note": "A staff member will take over this conversation."}
    if name in {n for n, _, _ in BUILT_IN} and contact is None:
        return NO_CUSTOMER
    if name == "join_waiting_list":
        listed = waiting_list.find_list(session, args.get("list") or None)
        result = waiting_list.join(
            session, contact, listed, party_note=args.get("party_note"), lang=ctx.lang, tell_customer=False
        )
        return _standing(result)
    if name == "waiting_list_position":
        entry = waiting_list.current_entry(session, contact.id)
        return _standing(waiting_list.standing(session, entry)) if entry else {"on_a_list": False}
    if name == "leave_waiting_list":
        left = waiting_list.leave(session, contact, tell_customer=False)
        return {"ok": True, "left": True} if left else {"on_a_list": False}
    if name == "start_review":
        _, question = reviews.start_review(
            session,
            ctx.conversation,
            started_by="assistant",
            lang=ctx.lang,
            product=args.get("product"),
            ask=False,
        )
        ctx.reply_override = question
        return {"ok": True, "first_question": question}
    if name == "add_lead_note":
        leads.add_activity(
            session, contact.id, "note", str(args.get("note", ""))[:2000], None, {"by": "assistant"}
        )
        return {"ok": True}
    action = next((a for a in active_actions(session) if a.name == name), None)
    if action is None:
        return {"ok": False, "error": f"unknown tool {name}"}
    if ctx.conversation is None:
        # The playground and the API's "what would it say" change nothing in the business's systems.
        note = f"{name} was not called (no customer conversation)"
        return {"dry_run": True, "note": note, "arguments": args}
    ctx.release()
    return call_action(action, args)
