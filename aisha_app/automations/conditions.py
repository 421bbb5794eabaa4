"""Conditions on the contact, the conversation, the message and the clock, each logged with the
value it saw, so a run's log says why a rule acted or did not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from aisha_app.automations.text import fold

if TYPE_CHECKING:
    from aisha_app.automations.perform import World


def value_of(session: Session, world: World, field: str) -> Any:
    """What ``field`` is for this customer now (None when there is nothing to look at)."""
    scope, _, name = field.partition(".")
    if scope == "clock":
        from aisha_app.assistant.profile import load_profile

        return load_profile(session).is_open(world.now)
    if scope == "contact":
        if world.contact is None:
            return None
        if name.startswith("attributes."):
            return (world.contact.attributes or {}).get(name.removeprefix("attributes."))
        if name == "segments":
            from aisha_app.queries.segments import segments_of

            return segments_of(session, world.contact.id)
        return getattr(world.contact, name)
    if scope == "conversation":
        if world.conversation is None:
            return None
        if name == "assigned":
            return world.conversation.assignee_id is not None
        return getattr(world.conversation, name)
    if world.message is None:
        return None
    return (world.message.body or "") if name == "body" else getattr(world.message, name)


def _same(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return actual is wanted or str(actual).lower() == str(wanted).lower()
    if isinstance(actual, int | float) and not isinstance(wanted, str):
        return actual == wanted
    return fold(str(actual)) == fold(str(wanted))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def holds(op: str, actual: Any, wanted: Any) -> bool:
    """Whether ``actual op wanted``: text compares loosely (case, accents, digit scripts)."""
    empty = actual is None or actual == "" or actual == [] or actual == {}
    if op == "is_set":
        return not empty
    if op == "is_not_set":
        return empty
    items = actual if isinstance(actual, list) else None
    if op in ("equals", "not_equals"):
        same = any(_same(a, wanted) for a in items) if items is not None else _same(actual, wanted)
        return same if op == "equals" else not same
    if op in ("contains", "not_contains"):
        if items is not None:
            found = any(_same(a, wanted) for a in items)
        else:
            found = actual is not None and fold(str(wanted)) in fold(str(actual))
        return found if op == "contains" else not found
    if op in ("in", "not_in"):
        found = any(_same(a, w) for a in (items if items is not None else [actual]) for w in wanted)
        return found if op == "in" else not found
    a, w = _number(actual), _number(wanted)
    if a is None or w is None:
        return False
    return a > w if op == "gt" else a < w


def evaluate(session: Session, conditions: dict[str, Any], world: World) -> tuple[list[dict[str, Any]], bool]:
    """Each condition with what it saw and whether it held; and whether the rule may act."""
    results: list[dict[str, Any]] = []
    outcome = {}
    for group in ("all", "any"):
        passed = []
        for c in (conditions or {}).get(group) or []:
            actual = value_of(session, world, c["field"])
            ok = holds(c["op"], actual, c.get("value"))
            passed.append(ok)
            results.append({"group": group, **c, "actual": _loggable(actual), "passed": ok})
        outcome[group] = passed
    return results, all(outcome["all"]) and (not outcome["any"] or any(outcome["any"]))


def _loggable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        return [str(v) for v in value][:50]
    return str(value)[:200]
