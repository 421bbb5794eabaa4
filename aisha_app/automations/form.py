"""A rule as the editor shows it: plain words and text boxes, turned into the rule the API takes
and back, so a shop owner never sees JSON. Everything here is a string the page can bind to; the
rule's own checks (``rules.RuleIn``) still decide what is valid, and ``explain`` says it in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from aisha_app.automations.rules import FIELDS, RuleIn
from aisha_app.clock import span
from aisha_app.models import ConversationStatus, LeadStage
from aisha_app.models.numbers import id_in

TRIGGERS = {
    "keyword": "A customer's message has a keyword",
    "message_received": "Any message from a customer",
    "conversation_opened": "A conversation opens",
    "conversation_resolved": "A conversation is resolved",
    "tag_added": "A tag is added to a contact",
    "label_added": "A label is added to a conversation",
    "lead_stage_changed": "A lead moves to another stage",
    "review_received": "A customer leaves a review",
    "waiting_list": "Something happens on a waiting list",
    "birthday": "A customer's birthday",
    "idle": "A conversation goes quiet",
    "schedule": "On a schedule, for a segment",
    "date_anniversary": "A date of the contact comes round",
}
EVERY = {"day": "Every day", "week": "Every week", "month": "Every month"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WAITING_ON = {"joined": "joins", "called": "is called", "served": "is served", "no_show": "does not come"}
WAITING_FOR = {
    "staff": "Nobody has answered the customer",
    "customer": "The customer has not answered us",
}
UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}
MATCHES = {
    "word": "as a whole word",
    "contains": "anywhere, even inside a word",
    "regex": "as a regular expression",
}
ATTRIBUTE_FIELD = "attribute"  # the editor's "Contact attribute…": its key typed beside it
FIELD_LABELS = {
    "contact.name": "Contact's name",
    "contact.language": "Contact's language",
    "contact.timezone": "Contact's time zone",
    "contact.tags": "Contact's tags",
    "contact.lead_stage": "Lead stage",
    "contact.lead_label": "Lead label",
    "contact.opted_out": "Contact opted out",
    "contact.birthday_month": "Birthday month (1-12)",
    "contact.segments": "Contact's segments",
    "conversation.status": "Conversation status",
    "conversation.channel": "Channel",
    "conversation.labels": "Conversation labels",
    "conversation.assigned": "Conversation is assigned",
    "conversation.ai_enabled": "Assistant answers",
    "message.body": "Message text",
    "message.type": "Message type",
    "clock.open": "Shop is open now",
    ATTRIBUTE_FIELD: "Contact attribute…",
}
OPS = {
    "equals": "is",
    "not_equals": "is not",
    "contains": "contains",
    "not_contains": "does not contain",
    "in": "is one of",
    "not_in": "is none of",
    "gt": "is more than",
    "lt": "is less than",
    "is_set": "is set",
    "is_not_set": "is empty",
}
# Which comparisons make sense for each kind of field (a yes/no field is only "is").
OPS_FOR = {
    "text": ["equals", "not_equals", "contains", "not_contains", "in", "not_in", "is_set", "is_not_set"],
    "list": ["contains", "not_contains", "is_set", "is_not_set"],
    "number": ["equals", "not_equals", "gt", "lt", "is_set", "is_not_set"],
    "bool": ["equals"],
    "attribute": ["equals", "not_equals", "contains", "gt", "lt", "is_set", "is_not_set"],
}
NO_VALUE = {"is_set", "is_not_set"}
ACTIONS = {
    "send_text": "Send a message",
    "send_template": "Send a template",
    "send_media": "Send a picture or file",
    "add_tag": "Add a tag",
    "remove_tag": "Remove a tag",
    "add_label": "Add a label",
    "remove_label": "Remove a label",
    "set_attribute": "Set a contact attribute",
    "assign": "Assign the conversation",
    "set_status": "Change the status",
    "set_assistant": "Switch the assistant",
    "note": "Add an internal note",
    "move_lead_stage": "Move the lead stage",
    "wait": "Wait",
    "webhook": "Call a webhook",
    "start_review": "Ask for a review",
    "add_to_waiting_list": "Add to a waiting list",
    "stop": "Stop here",
}
CANCELS = {
    "customer_replied": "the customer replies",
    "staff_replied": "staff reply",
    "resolved": "the conversation is resolved",
}
STAGES = [s.value for s in LeadStage]
STATUSES = [s.value for s in ConversationStatus]
ROUND_ROBIN = "round_robin"
GROUPS = {"all": "Every one of these", "any": "At least one of these"}


def kind_of(field_name: str) -> str:
    return "attribute" if field_name == ATTRIBUTE_FIELD else FIELDS[field_name]


@dataclass
class ConditionRow:
    field: str = "contact.tags"
    attribute: str = ""  # the key, for a contact attribute
    op: str = "contains"
    value: str = ""
    kind: str = "list"  # of the field: which comparisons and which value box the page shows


@dataclass
class ActionRow:
    type: str = "add_tag"
    text: str = ""  # a message or a note
    name: str = ""  # the tag, label, attribute key or template
    value: str = ""  # the attribute's value, the status, the stage, on/off, or whom to assign
    template: str = ""  # sent instead of a message outside the 24-hour window
    language: str = ""  # the template's
    variables: str = ""  # the template's, one per line
    wait_for: str = "1"  # a wait's, in wait_unit
    wait_unit: str = "hours"
    cancel_if: str = "customer_replied"  # a wait's: what ends it, comma-separated
    url: str = ""  # a webhook's
    timeout: str = "10"  # its seconds


@dataclass
class RuleForm:
    name: str = ""
    trigger: str = "keyword"
    keywords: str = ""  # one per line: a keyword may hold a comma
    match: str = "word"
    tag: str = ""  # tag_added's (blank: any tag)
    label: str = ""  # label_added's
    from_stage: str = ""  # lead_stage_changed's (blank: any)
    to_stage: str = ""
    days_before: str = "0"  # birthday's: 0 is on the day
    at: str = "09:00"  # birthday's, in the customer's time zone
    waiting_for: str = "staff"  # idle's
    idle_for: str = "30"
    idle_unit: str = "minutes"
    every: str = "day"  # schedule's
    weekday: str = "0"
    day: str = "1"
    segment: str = ""  # its id
    attribute: str = ""  # date_anniversary's: the date attribute's key
    max_rating: str = ""  # review_received's: "" for any rating
    waiting_on: str = "joined"  # waiting_list's
    waiting_list: str = ""  # its list (name or id; blank: any)
    all: list[ConditionRow] = field(default_factory=list)
    any: list[ConditionRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=lambda: [ActionRow()])
    once_per: str = ""  # "", "contact" or "conversation"
    ignore_quiet_hours: bool = False
    is_active: bool = True


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _condition(row: ConditionRow, where: str) -> dict[str, Any]:
    if row.field == ATTRIBUTE_FIELD and not row.attribute.strip():
        raise FormError(f"{where}: write the attribute's name")
    name = f"contact.attributes.{row.attribute.strip()}" if row.field == ATTRIBUTE_FIELD else row.field
    out: dict[str, Any] = {"field": name, "op": row.op}
    if row.op in NO_VALUE:
        return out
    text = row.value.strip()
    if row.kind == "bool":
        out["value"] = text != "no"
    elif row.op in ("in", "not_in"):
        out["value"] = [v.strip() for v in text.split(",") if v.strip()]
    elif row.op in ("gt", "lt") or row.kind == "number":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or abs(number) > 1e15:
            raise FormError(f"{where}: {text or 'an empty box'!r} is not a number") from None
        out["value"] = int(number) if number.is_integer() else number
    else:
        out["value"] = text
    return out


def _action(row: ActionRow, where: str) -> dict[str, Any]:
    kind = row.type
    out: dict[str, Any] = {"type": kind}
    if kind in ("send_text", "note"):
        out["text"] = row.text.strip()
    if kind == "send_text" and row.template.strip():
        out["template"] = row.template.strip()
    if kind == "send_template":
        out["template"] = row.name.strip()
    if kind in ("send_text", "send_template"):
        if row.language.strip():
            out["template_language"] = row.language.strip()
        if _lines(row.variables):
            out["variables"] = _lines(row.variables)
    if kind in ("add_tag", "remove_tag"):
        out["tag"] = row.name.strip()
    if kind in ("add_label", "remove_label"):
        out["label"] = row.name.strip()
    if kind == "set_attribute":
        out["key"], out["value"] = row.name.strip(), row.value.strip()
    if kind == "assign":
        if row.value == ROUND_ROBIN:
            out["round_robin"] = True
        else:
            out["user_id"] = id_in(row.value)
    if kind == "set_status":
        out["status"] = row.value or ConversationStatus.RESOLVED.value
    if kind == "set_assistant":
        out["enabled"] = row.value != "off"
    if kind == "move_lead_stage":
        out["stage"] = row.value or LeadStage.CONTACTED.value
    if kind == "start_review":
        out["product"] = row.name.strip() or None
    if kind == "add_to_waiting_list":
        out["list"] = row.name.strip() or None
        out["tell_customer"] = row.value != "quiet"
    if kind == "send_media":
        out["url"], out["caption"] = row.url.strip(), row.text.strip()
        out["media_type"] = row.value or "image"
    if kind == "webhook":
        out["url"] = row.url.strip()
        try:
            out["timeout_seconds"] = float(row.timeout.strip() or "10")
        except ValueError:
            raise FormError(f"{where}: {row.timeout!r} is not a number of seconds") from None
    if kind == "wait":
        count = row.wait_for.strip()
        if not (count.isascii() and count.isdecimal()) or len(count) > 6:
            raise FormError(f"{where}: {count or 'an empty box'!r} is not a whole number")
        out["minutes"] = int(count) * UNITS.get(row.wait_unit, 1)
        if not 10 <= out["minutes"] <= 30 * UNITS["days"]:
            raise FormError(f"{where}: a wait is from 10 minutes to 30 days")
        out["cancel_if"] = [c for c in row.cancel_if.split(",") if c in CANCELS]
    return out


def to_rule(form: RuleForm) -> dict[str, Any]:
    """The rule the API takes; ``FormError`` for what only the form can get wrong (a number box)."""
    trigger: dict[str, Any] = {"type": form.trigger}
    if form.trigger == "keyword":
        trigger |= {"keywords": _lines(form.keywords), "match": form.match}
    elif form.trigger == "tag_added" and form.tag.strip():
        trigger["tag"] = form.tag.strip()
    elif form.trigger == "label_added" and form.label.strip():
        trigger["label"] = form.label.strip()
    elif form.trigger == "lead_stage_changed":
        trigger |= {"from_stage": form.from_stage or None, "to_stage": form.to_stage or None}
    elif form.trigger in ("birthday", "date_anniversary"):
        days = form.days_before.strip() or "0"
        if not (days.isascii() and days.isdecimal()):
            raise FormError(f"Trigger (days before): {days!r} is not a number of days")
        trigger |= {"days_before": int(days), "at": form.at.strip()}
        if form.trigger == "date_anniversary":
            trigger["attribute"] = form.attribute.strip()
    elif form.trigger == "review_received":
        trigger["max_rating"] = int(form.max_rating) if form.max_rating in {"1", "2", "3", "4", "5"} else None
    elif form.trigger == "waiting_list":
        trigger |= {"on": form.waiting_on, "list": form.waiting_list.strip() or None}
    elif form.trigger == "schedule":
        if id_in(form.segment) is None:
            raise FormError("Trigger (segment): choose the segment it is for")
        day = form.day.strip()
        if not (day.isascii() and day.isdecimal()) or not 1 <= int(day) <= 28:
            raise FormError("Trigger (day of the month): from 1 to 28 (every month has those)")
        trigger |= {
            "every": form.every,
            "at": form.at.strip(),
            "weekday": int(form.weekday) if form.weekday in [str(i) for i in range(7)] else 0,
            "day": int(day),
            "segment": id_in(form.segment),
        }
    elif form.trigger == "idle":
        count = form.idle_for.strip()
        if not (count.isascii() and count.isdecimal()) or len(count) > 6:
            raise FormError(f"Trigger (quiet for): {count or 'an empty box'!r} is not a whole number")
        minutes = int(count) * UNITS.get(form.idle_unit, 1)
        if not 1 <= minutes <= 30 * UNITS["days"]:
            raise FormError("Trigger (quiet for): from 1 minute to 30 days")
        trigger |= {"waiting_for": form.waiting_for, "minutes": minutes}
    options: dict[str, Any] = {"ignore_quiet_hours": form.ignore_quiet_hours}
    if form.once_per:
        options["once_per"] = form.once_per
    return {
        "name": form.name.strip(),
        "trigger": trigger,
        "conditions": {
            group: [
                _condition(row, f"{GROUPS[group]}, condition {i + 1}")
                for i, row in enumerate(getattr(form, group))
            ]
            for group in GROUPS
        },
        "actions": [
            _action(row, f"Action {i + 1} ({ACTIONS.get(row.type, row.type)})")
            for i, row in enumerate(form.actions)
        ],
        "options": options,
        "is_active": form.is_active,
    }


def _row_of(condition: dict[str, Any]) -> ConditionRow:
    name = condition["field"]
    value = condition.get("value")
    row = ConditionRow(op=condition["op"])
    if name.startswith("contact.attributes."):
        row.field, row.attribute = ATTRIBUTE_FIELD, name.removeprefix("contact.attributes.")
    else:
        row.field = name
    row.kind = kind_of(row.field)
    if isinstance(value, bool):
        row.value = "yes" if value else "no"
    elif isinstance(value, list):
        row.value = ", ".join(str(v) for v in value)
    elif value is not None:
        row.value = str(value)
    return row


def _action_row(spec: dict[str, Any]) -> ActionRow:
    kind = spec["type"]
    row = ActionRow(type=kind, text=spec.get("text") or "", language=spec.get("template_language") or "")
    row.variables = "\n".join(spec.get("variables") or [])
    if kind == "send_text":
        row.template = spec.get("template") or ""
    row.name = str(spec.get("tag") or spec.get("label") or spec.get("key") or spec.get("product") or "")
    if kind == "send_template":
        row.name = spec["template"]
    if kind == "set_attribute":
        row.value = "" if spec.get("value") is None else str(spec["value"])
    elif kind == "assign":
        row.value = ROUND_ROBIN if spec.get("round_robin") else str(spec.get("user_id") or "")
    elif kind == "set_status":
        row.value = spec["status"]
    elif kind == "set_assistant":
        row.value = "on" if spec["enabled"] else "off"
    elif kind == "move_lead_stage":
        row.value = spec["stage"]
    elif kind == "add_to_waiting_list":
        row.name = spec.get("list") or ""
        row.value = "" if spec.get("tell_customer", True) else "quiet"
    elif kind == "send_media":
        row.url, row.text, row.value = spec["url"], spec.get("caption") or "", spec.get("media_type", "image")
    elif kind == "webhook":
        row.url = spec["url"]
        timeout = float(spec.get("timeout_seconds", 10))
        row.timeout = str(int(timeout)) if timeout.is_integer() else str(timeout)
    elif kind == "wait":
        quiet = _quiet_for(spec["minutes"])
        row.wait_for, row.wait_unit = quiet["idle_for"], quiet["idle_unit"]
        row.cancel_if = ",".join(spec.get("cancel_if") or [])
    return row


def from_rule(rule: dict[str, Any]) -> RuleForm:
    """The editor's view of a saved rule (``RulePublic`` as a dict)."""
    trigger = rule["trigger"]
    options = rule.get("options") or {}
    conditions = rule.get("conditions") or {}
    return RuleForm(
        name=rule["name"],
        trigger=trigger["type"],
        keywords="\n".join(trigger.get("keywords") or []),
        match=trigger.get("match") or "word",
        tag=trigger.get("tag") or "",
        label=trigger.get("label") or "",
        from_stage=trigger.get("from_stage") or "",
        to_stage=trigger.get("to_stage") or "",
        days_before=str(trigger.get("days_before", 0)),
        at=trigger.get("at") or "09:00",
        waiting_for=trigger.get("waiting_for") or "staff",
        every=trigger.get("every") or "day",
        weekday=str(trigger.get("weekday", 0)),
        day=str(trigger.get("day", 1)),
        segment=str(trigger.get("segment") or ""),
        attribute=trigger.get("attribute") or "",
        max_rating=str(trigger.get("max_rating") or ""),
        waiting_on=trigger.get("on") or "joined",
        waiting_list=trigger.get("list") or "",
        **_quiet_for(trigger.get("minutes") or 30),
        all=[_row_of(c) for c in conditions.get("all") or []],
        any=[_row_of(c) for c in conditions.get("any") or []],
        actions=[_action_row(a) for a in rule["actions"]],
        once_per=options.get("once_per") or "",
        ignore_quiet_hours=bool(options.get("ignore_quiet_hours")),
        is_active=rule.get("is_active", True),
    )


def _quiet_for(minutes: int) -> dict[str, str]:
    """Minutes as the editor shows them: in the largest unit that holds them whole."""
    for unit in ("days", "hours"):
        if minutes and minutes % UNITS[unit] == 0:
            return {"idle_for": str(minutes // UNITS[unit]), "idle_unit": unit}
    return {"idle_for": str(minutes), "idle_unit": "minutes"}


class FormError(ValueError):
    """What the editor's boxes hold cannot make a rule; the message says where."""


def checked(form: RuleForm) -> RuleIn:
    """The form as a valid rule, or ``FormError`` saying in words what to fix."""
    data = to_rule(form)
    try:
        return RuleIn.model_validate(data)
    except ValidationError as exc:
        raise FormError(explain(exc, data)) from None


def explain(exc: ValidationError, data: dict[str, Any]) -> str:
    """pydantic's errors as a shop owner reads them: "Action 2 (Add a tag): the tag is empty"."""
    said = []
    for error in exc.errors():
        loc = [part for part in error["loc"] if part not in TRIGGERS and part not in ACTIONS]
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_too_short":
            message = "this box is empty"
        elif error["type"] == "too_short" and loc[:1] == ["actions"]:
            message = "add at least one action"
        elif error["type"] == "string_pattern_mismatch" and loc[-1:] == ["at"]:
            message = "write the time as HH:MM on a 24-hour clock, such as 09:00"
        where = _where(loc, data)
        said.append(f"{where}: {message}" if where else message)
    return "; ".join(dict.fromkeys(said))


def _where(loc: list[Any], data: dict[str, Any]) -> str:
    head = loc[0] if loc else ""
    if head == "name":
        return "Name"
    if head == "trigger":
        return "Trigger" + (f" ({str(loc[1]).replace('_', ' ')})" if len(loc) > 1 else "")
    if head == "actions" and len(loc) > 1 and isinstance(loc[1], int):
        kind = data["actions"][loc[1]]["type"] if loc[1] < len(data["actions"]) else ""
        detail = f", {loc[2]}" if len(loc) > 2 else ""
        return f"Action {loc[1] + 1} ({ACTIONS.get(kind, kind)}{detail})"
    if head == "actions":
        return "Actions"
    if head == "conditions" and len(loc) > 2:
        return f"{GROUPS.get(loc[1], loc[1])}, condition {loc[2] + 1}"
    return ".".join(str(part) for part in loc)


def trigger_summary(trigger: dict[str, Any], segments: dict[int, str] | None = None) -> str:
    """One line for the list: "Keyword: price, bei"."""
    kind = trigger.get("type", "")
    if kind == "keyword":
        return "Keyword: " + ", ".join(trigger.get("keywords") or [])
    if kind == "tag_added" and trigger.get("tag"):
        return f"Tag added: {trigger['tag']}"
    if kind == "label_added" and trigger.get("label"):
        return f"Label added: {trigger['label']}"
    if kind == "birthday":
        days = trigger.get("days_before", 0)
        when = "on the day" if not days else f"{days} day{'s' if days > 1 else ''} before"
        return f"Birthday: {when} at {trigger.get('at', '09:00')}"
    if kind == "review_received":
        most = trigger.get("max_rating")
        return "A review" + (f" of {most} star{'s' if most > 1 else ''} or fewer" if most else "")
    if kind == "waiting_list":
        where = f" on {trigger['list']}" if trigger.get("list") else ""
        return f"Waiting list{where}: the customer {WAITING_ON.get(trigger.get('on'), trigger.get('on'))}"
    if kind == "date_anniversary":
        days = trigger.get("days_before", 0)
        when = "on the day" if not days else f"{days} day{'s' if days > 1 else ''} before"
        return f"{trigger.get('attribute')} comes round: {when} at {trigger.get('at', '09:00')}"
    if kind == "schedule":
        every = trigger.get("every", "day")
        when = {
            "day": "every day",
            "week": f"every {WEEKDAYS[trigger.get('weekday', 0)]}",
            "month": f"on day {trigger.get('day', 1)} of every month",
        }[every]
        segment = (segments or {}).get(trigger.get("segment"), f"segment {trigger.get('segment')}")
        return f"Schedule: {when} at {trigger.get('at', '09:00')}, {segment}"
    if kind == "idle":
        quiet = _quiet_for(trigger.get("minutes") or 0)
        unit = quiet["idle_unit"] if quiet["idle_for"] != "1" else quiet["idle_unit"].rstrip("s")
        who = "staff" if trigger.get("waiting_for") == "staff" else "the customer"
        return f"Quiet for {quiet['idle_for']} {unit}, waiting for {who}"
    if kind == "lead_stage_changed":
        moves = f"{trigger.get('from_stage') or 'any'} → {trigger.get('to_stage') or 'any'}"
        return f"Lead stage: {moves}"
    return TRIGGERS.get(kind, kind)


def actions_summary(actions: list[dict[str, Any]]) -> str:
    def one(spec: dict[str, Any]) -> str:
        said = ACTIONS.get(spec["type"], spec["type"])
        if spec["type"] == "wait":
            return f"{said} {span(spec['minutes'])}"
        what = spec.get("tag") or spec.get("label") or spec.get("stage") or spec.get("status")
        return f"{said}: {what}" if what else said

    return " → ".join(one(a) for a in actions)
