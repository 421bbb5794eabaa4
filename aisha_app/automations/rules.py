"""What a rule is made of, checked when it is saved: one trigger, conditions, ordered actions.

Every shape is a pydantic model, so the API answers 422 naming the bad field, and the engine
only ever reads rules that passed these checks.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from aisha_app.actions.canned import VARIABLE, VARIABLES
from aisha_app.models import ConversationStatus, LeadStage
from aisha_app.models.numbers import IdNumber

MAX_ACTIONS = 20
MAX_CONDITIONS = 20
Name = Annotated[str, Field(min_length=1, max_length=40)]


class Event(StrEnum):
    """What happened: each trigger listens to one of these."""

    MESSAGE_RECEIVED = "message_received"
    CONVERSATION_OPENED = "conversation_opened"
    CONVERSATION_RESOLVED = "conversation_resolved"
    TAG_ADDED = "tag_added"
    LABEL_ADDED = "label_added"
    LEAD_STAGE_CHANGED = "lead_stage_changed"
    BIRTHDAY = "birthday"  # the clock's: automations.timed sweeps for these
    IDLE = "idle"
    SCHEDULE = "schedule"
    ANNIVERSARY = "date_anniversary"
    REVIEW_RECEIVED = "review_received"
    WAITING_LIST = "waiting_list"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeywordTrigger(Strict):
    """A customer's message holding one of the keywords (case, accents and digit scripts ignored)."""

    type: Literal["keyword"]
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=1, max_length=50)
    match: Literal["word", "contains", "regex"] = "word"

    @model_validator(mode="after")
    def _patterns_compile(self) -> KeywordTrigger:
        if self.match == "regex":
            for pattern in self.keywords:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"keywords: {pattern!r} is not a regular expression ({exc})") from exc
        return self


class MessageTrigger(Strict):
    type: Literal["message_received"]


class ConversationOpenedTrigger(Strict):
    type: Literal["conversation_opened"]


class ConversationResolvedTrigger(Strict):
    type: Literal["conversation_resolved"]


class TagAddedTrigger(Strict):
    type: Literal["tag_added"]
    tag: Name | None = Field(default=None, description="any tag when left out")


class LabelAddedTrigger(Strict):
    type: Literal["label_added"]
    label: Name | None = Field(default=None, description="any label when left out")


class LeadStageTrigger(Strict):
    type: Literal["lead_stage_changed"]
    from_stage: LeadStage | None = None
    to_stage: LeadStage | None = None


class ReviewTrigger(Strict):
    """A customer finished a review; with ``max_rating``, only one of that many stars or fewer."""

    type: Literal["review_received"]
    max_rating: int | None = Field(default=None, ge=1, le=5)


class WaitingListTrigger(Strict):
    """A customer joined a waiting list, was called, served, or did not come (``on``); with
    ``list`` (a name or an id), only on that list."""

    type: Literal["waiting_list"]
    on: Literal["joined", "called", "served", "no_show"] = "joined"
    list: str | None = Field(default=None, max_length=80)


class BirthdayTrigger(Strict):
    """A contact's birthday, ``days_before`` it, at ``at`` in the contact's time zone (else the
    shop's). 29 February is celebrated on 28 February in other years."""

    type: Literal["birthday"]
    days_before: int = Field(default=0, ge=0, le=30)
    at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24-hour")


class AnniversaryTrigger(Strict):
    """A date attribute of the contact (``attribute``: its key, values YYYY-MM-DD) comes round,
    as a birthday does: ``days_before`` it, at ``at`` in the contact's time zone."""

    type: Literal["date_anniversary"]
    attribute: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_ -]+$")
    days_before: int = Field(default=0, ge=0, le=30)
    at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24-hour")


class IdleTrigger(Strict):
    """A conversation quiet for ``minutes``: nobody answered the customer (``staff``), or the
    customer has not answered us (``customer``). An automation's own messages do not count."""

    type: Literal["idle"]
    waiting_for: Literal["staff", "customer"] = "staff"
    minutes: int = Field(ge=1, le=30 * 24 * 60, description="1 minute to 30 days")


class ScheduleTrigger(Strict):
    """Every day, week or month at ``at`` in the shop's time zone, for each reachable contact of
    a segment (``weekday``: 0 is Monday, for ``week``; ``day``: 1 to 28, for ``month``)."""

    type: Literal["schedule"]
    every: Literal["day", "week", "month"] = "day"
    at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24-hour")
    weekday: int = Field(default=0, ge=0, le=6)
    day: int = Field(default=1, ge=1, le=28)
    segment: IdNumber


Trigger = Annotated[
    KeywordTrigger
    | MessageTrigger
    | ConversationOpenedTrigger
    | ConversationResolvedTrigger
    | TagAddedTrigger
    | LabelAddedTrigger
    | LeadStageTrigger
    | ReviewTrigger
    | WaitingListTrigger
    | BirthdayTrigger
    | IdleTrigger
    | ScheduleTrigger
    | AnniversaryTrigger,
    Field(discriminator="type"),
]
# Triggers the clock fires (a sweep job per rule), not an action's event.
TIMED = {"birthday", "idle", "schedule", "date_anniversary"}

# The event each trigger listens to.
LISTENS_TO = {
    "keyword": Event.MESSAGE_RECEIVED,
    "message_received": Event.MESSAGE_RECEIVED,
    "conversation_opened": Event.CONVERSATION_OPENED,
    "conversation_resolved": Event.CONVERSATION_RESOLVED,
    "tag_added": Event.TAG_ADDED,
    "label_added": Event.LABEL_ADDED,
    "lead_stage_changed": Event.LEAD_STAGE_CHANGED,
    "review_received": Event.REVIEW_RECEIVED,
    "waiting_list": Event.WAITING_LIST,
    "birthday": Event.BIRTHDAY,
    "idle": Event.IDLE,
    "schedule": Event.SCHEDULE,
    "date_anniversary": Event.ANNIVERSARY,
}

# What a condition may look at; contact.attributes.<key> as well.
FIELDS = {
    "contact.name": "text",
    "contact.language": "text",
    "contact.timezone": "text",
    "contact.tags": "list",
    "contact.lead_stage": "text",
    "contact.lead_label": "text",
    "contact.opted_out": "bool",
    "contact.birthday_month": "number",
    "contact.segments": "list",  # the names of the segments the contact is in
    "conversation.status": "text",
    "conversation.channel": "text",
    "conversation.labels": "list",
    "conversation.assigned": "bool",
    "conversation.ai_enabled": "bool",
    "message.body": "text",
    "message.type": "text",
    "clock.open": "bool",  # inside the shop's opening hours
}
ATTRIBUTE = re.compile(r"^contact\.attributes\.[A-Za-z0-9_ -]{1,64}$")
Op = Literal[
    "equals", "not_equals", "contains", "not_contains", "in", "not_in", "gt", "lt", "is_set", "is_not_set"
]


class Condition(Strict):
    field: str
    op: Op
    value: Any = None

    @field_validator("field")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in FIELDS and not ATTRIBUTE.match(value):
            raise ValueError(
                f"unknown field {value!r}; one of {', '.join(FIELDS)} or contact.attributes.<key>"
            )
        return value

    @model_validator(mode="after")
    def _value_fits(self) -> Condition:
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"{self.op} takes a list of values")
        if self.op in ("gt", "lt") and (
            isinstance(self.value, bool) or not isinstance(self.value, int | float)
        ):
            raise ValueError(f"{self.op} takes a number")
        if self.op not in ("is_set", "is_not_set") and self.value is None:
            raise ValueError(f"{self.op} needs a value")
        return self


class Conditions(Strict):
    """Every condition of ``all`` and, if ``any`` has some, at least one of them."""

    all: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)
    any: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)


def _known_variables(value: str) -> str:
    unknown = sorted({v for v in VARIABLE.findall(value) if v not in VARIABLES or v.startswith("agent.")})
    if unknown:
        known = ", ".join("{{" + v + "}}" for v in VARIABLES if v.startswith("contact."))
        raise ValueError(f"unknown variable {', '.join(unknown)}; the variables are {known}")
    return value


# What a customer reads (or staff, in a note): variables checked when the rule is saved.
CustomerText = Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_known_variables)]
Variables = list[Annotated[str, Field(max_length=1024)]]


class SendText(Strict):
    """Free text inside the 24-hour window; outside it the template, if one is chosen, else skipped."""

    type: Literal["send_text"]
    text: CustomerText
    template: str | None = Field(default=None, max_length=512, description="sent outside the window")
    template_language: str | None = Field(default=None, max_length=16)
    variables: Variables = Field(default_factory=list, max_length=10)


class SendTemplate(Strict):
    type: Literal["send_template"]
    template: str = Field(min_length=1, max_length=512)
    template_language: str | None = Field(default=None, max_length=16)
    variables: Variables = Field(default_factory=list, max_length=10)


class TagAction(Strict):
    type: Literal["add_tag", "remove_tag"]
    tag: Name


class LabelAction(Strict):
    type: Literal["add_label", "remove_label"]
    label: Name


class SetAttribute(Strict):
    type: Literal["set_attribute"]
    key: str = Field(min_length=1, max_length=64)
    value: (
        Annotated[str, Field(max_length=1000)]
        | Annotated[int, Field(ge=-(10**15), le=10**15)]
        | float
        | bool
        | None
    )


class Assign(Strict):
    """A named staff member, or turns among the active agents."""

    type: Literal["assign"]
    user_id: IdNumber | None = None
    round_robin: bool = False

    @model_validator(mode="after")
    def _one(self) -> Assign:
        if (self.user_id is None) == (not self.round_robin):
            raise ValueError("assign takes a user_id or round_robin: true (one of them)")
        return self


class SetStatus(Strict):
    type: Literal["set_status"]
    status: ConversationStatus


class SetAssistant(Strict):
    type: Literal["set_assistant"]
    enabled: bool


class Note(Strict):
    type: Literal["note"]
    text: CustomerText


class MoveLead(Strict):
    type: Literal["move_lead_stage"]
    stage: LeadStage


class Stop(Strict):
    type: Literal["stop"]


class Webhook(Strict):
    """POST the event, the contact and the conversation as JSON signed with HMAC-SHA256 (the
    ``X-Aisha-Signature`` header) to ``url``: a job of its own, retried; public addresses only in
    production."""

    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000)
    timeout_seconds: float = Field(default=10, gt=0, le=10)


class SendMedia(Strict):
    """A picture, voice note, video or document by its address, with an optional caption; only
    inside the 24-hour window (no template carries media here), else skipped with why."""

    type: Literal["send_media"]
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000)
    media_type: Literal["image", "audio", "video", "document"] = "image"
    caption: Annotated[str, Field(max_length=1024), AfterValidator(_known_variables)] = ""


class StartReview(Strict):
    """Ask the customer for a review (inside the 24-hour window: their answers are needed)."""

    type: Literal["start_review"]
    product: str | None = Field(default=None, max_length=200)


class JoinWaitingList(Strict):
    """Put the customer on a waiting list (by id or name; blank: the first open one); they are
    told their place unless ``tell_customer`` is false."""

    type: Literal["add_to_waiting_list"]
    list: str | None = Field(default=None, max_length=80)
    tell_customer: bool = True


CANCEL_IF = Literal["customer_replied", "staff_replied", "resolved"]


class Wait(Strict):
    """The rest of the rule runs after ``minutes`` (10 minutes to 30 days): a row in the jobs
    table, so it survives restarts; it ends instead if one of ``cancel_if`` happened meanwhile."""

    type: Literal["wait"]
    minutes: int = Field(ge=10, le=30 * 24 * 60)
    cancel_if: list[CANCEL_IF] = Field(default_factory=list, max_length=3)


Action = Annotated[
    SendText
    | SendTemplate
    | TagAction
    | LabelAction
    | SetAttribute
    | Assign
    | SetStatus
    | SetAssistant
    | Note
    | MoveLead
    | Stop
    | Wait
    | SendMedia
    | Webhook
    | StartReview
    | JoinWaitingList,
    Field(discriminator="type"),
]
CUSTOMER_FACING = {"send_text", "send_template", "send_media", "start_review", "add_to_waiting_list"}


class Options(Strict):
    once_per: Literal["contact", "conversation"] | None = None
    # Automated messages wait out quiet hours unless the rule says they may not.
    ignore_quiet_hours: bool = False


class RuleIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    trigger: Trigger
    conditions: Conditions = Field(default_factory=Conditions)
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)
    options: Options = Field(default_factory=Options)
    is_active: bool = True


class RulePatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    trigger: Trigger | None = None
    conditions: Conditions | None = None
    actions: list[Action] | None = Field(default=None, min_length=1, max_length=MAX_ACTIONS)
    options: Options | None = None
    is_active: bool | None = None


class RulePublic(BaseModel):
    id: int
    name: str
    trigger: dict[str, Any]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    options: dict[str, Any]
    is_active: bool
    created_at: datetime
    updated_at: datetime
    runs: int = 0
    failures: int = 0
    last_run_at: datetime | None = None
