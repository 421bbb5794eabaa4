"""Short commands a customer types or taps: join, position, leave, review (and their translations).

Only a message that is the command and nothing else counts, so "I want to leave a review" is
left to the assistant, which understands it.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from aisha_app.actions import reviews, waiting_list
from aisha_app.actions.outbound import Draft, send_message
from aisha_app.assistant.knowledge import normalize
from aisha_app.errors import AppError
from aisha_app.models import Contact, Conversation, WaitingStatus

log = logging.getLogger("aisha.commands")

COMMANDS = {
    "join": ["join", "join queue", "join the queue", "join list", "queue", "jiunge", "انضم", "انضمام"],
    "position": [
        "position",
        "my position",
        "my turn",
        "status",
        "nafasi",
        "nafasi yangu",
        "دوري",
        "موقعي",
        "ترتيبي",
    ],
    "leave": ["leave", "leave queue", "leave the queue", "ondoka", "toka", "خروج", "غادر", "مغادره"],
    "review": ["review", "write a review", "leave a review", "tathmini", "تقييم", "قيم"],
}
BUTTONS = {"wl_join": "join", "wl_position": "position", "wl_leave": "leave", "review_start": "review"}
_WORDS = {normalize(w): command for command, phrases in COMMANDS.items() for w in phrases}


def command_of(text: str | None, reply_id: str | None = None) -> str | None:
    if reply_id in BUTTONS:
        return BUTTONS[reply_id]
    return _WORDS.get(" ".join(normalize(text or "").strip(" .!?؟،").split()))


def run_command(session: Session, conversation: Conversation, command: str, lang: str) -> None:
    """Do what the customer asked and answer on their conversation (commits)."""
    contact = session.get(Contact, conversation.contact_id)
    if command == "review":
        try:
            reviews.start_review(session, conversation, started_by="customer", lang=lang)
        except AppError as exc:  # opted out: nothing is sent
            log.info("conversation %s: no review: %s", conversation.id, exc.message)
        return
    buttons: list[dict[str, str]] = []
    try:
        if command == "join":
            result = waiting_list.join(session, contact, lang=lang, tell_customer=False)
            text, buttons = _standing_text(result, lang, joined=not result.already), waiting_list.BUTTONS
        elif command == "position":
            entry = waiting_list.current_entry(session, contact.id)
            text = (
                _standing_text(waiting_list.standing(session, entry), lang, joined=False)
                if entry
                else waiting_list.say("not_on_list", lang)
            )
        else:
            left = waiting_list.leave(session, contact, tell_customer=False)
            name = session.get(waiting_list.WaitingList, left.waiting_list_id).name if left else None
            text = (
                waiting_list.say("left", lang, list=name) if left else waiting_list.say("not_on_list", lang)
            )
    except AppError as exc:  # a closed list, say
        text = exc.message
    try:
        send_message(session, conversation.id, Draft(text=text, buttons=buttons), from_assistant=True)
    except AppError as exc:  # opted out
        log.info("conversation %s: command %s not answered: %s", conversation.id, command, exc.message)


def _standing_text(result: waiting_list.Standing, lang: str, *, joined: bool) -> str:
    called = result.entry.status == WaitingStatus.CALLED
    return waiting_list.standing_message(
        lang, result.list_name, result.position, result.minutes, called=called, joined=joined
    )
