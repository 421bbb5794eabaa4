"""Every kind of job, and the function that runs it.

A module that handles a kind registers its function with ``@handler(JobKind.X)``; ``load()``
imports them all, so a worker process knows every kind the app can queue.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from aisha_app.models import Job


class JobKind(StrEnum):
    SEND_MESSAGE = "send_message"
    # A send whose answer was lost: after a grace period, resend it or give up.
    SETTLE_UNKNOWN_SEND = "settle_unknown_send"
    AI_REPLY = "ai_reply"
    # A customer who waits for staff writes while the shop is closed: one "we open at ..." reply.
    OUT_OF_HOURS = "out_of_hours"
    # A delivery report that came before the send it names had committed.
    APPLY_STATUS = "apply_status"
    FETCH_MEDIA = "fetch_media"
    # A verified webhook that could not be stored at once, stored again from its raw body.
    PROCESS_WEBHOOK = "process_webhook"
    WAITING_LIST_NO_SHOW = "waiting_list_no_show"
    # The rules an event triggered: each runs once for it (aisha_app.automations.engine).
    AUTOMATION = "automation"
    # A time-based rule's next look at the clock (aisha_app.automations.timed).
    AUTOMATION_SWEEP = "automation_sweep"
    # A run's wait ended: the rest of its actions (aisha_app.automations.engine).
    AUTOMATION_RESUME = "automation_resume"
    # An automation's webhook: the signed POST, retried (aisha_app.automations.webhooks).
    AUTOMATION_WEBHOOK = "automation_webhook"
    # Twilio's verdicts on templates submitted for approval (aisha_app.actions.template_providers).
    TEMPLATE_POLL = "template_poll"


# A handler may return when to run the same job again (a recurring job, such as a rule's sweep).
Handler = Callable[[Session, Job], datetime | None]
DeadHook = Callable[[Session, Job, str], None]
HANDLERS: dict[str, Handler] = {}
DEAD_HOOKS: dict[str, DeadHook] = {}
REPLAY_HOOKS: dict[str, Handler] = {}

# The modules that register handlers.
HANDLER_MODULES = (
    "aisha_app.actions.assistant",
    "aisha_app.actions.inbound",
    "aisha_app.actions.media",
    "aisha_app.actions.outbound",
    "aisha_app.actions.template_providers",
    "aisha_app.actions.waiting_list",
    "aisha_app.api.webhooks",
    "aisha_app.automations.engine",
    "aisha_app.automations.timed",
    "aisha_app.automations.webhooks",
)


def handler(
    kind: JobKind, *, on_dead: DeadHook | None = None, on_replay: Handler | None = None
) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``.

    ``on_dead`` records a final failure (e.g. the message shows it failed); ``on_replay`` undoes
    that when an admin replays the job, in the same transaction.
    """

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        if on_dead is not None:
            DEAD_HOOKS[kind] = on_dead
        if on_replay is not None:
            REPLAY_HOOKS[kind] = on_replay
        return fn

    return register


def load() -> None:
    """Import every module that registers a handler."""
    for module in HANDLER_MODULES:
        importlib.import_module(module)
