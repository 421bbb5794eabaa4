"""Custom attributes: admins define what each holds (text, number, date, yes/no, one of a list),
and every value a contact is given for a defined key is checked, and stored in its one form
(``"42"`` is 42, ``"yes"`` is true, a choice in the case it was defined in). A key nobody has
defined stays free text, as before definitions existed."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from aisha_app.actions.audit import audit
from aisha_app.errors import AppError, Conflict, Forbidden, NotFound
from aisha_app.models import AttributeDefinition, AttributeKind, Role, User

YES = {"true", "yes", "y", "1"}
NO = {"false", "no", "n", "0"}


class DefinitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_ -]+$")
    label: str = Field(min_length=1, max_length=80)
    kind: AttributeKind
    choices: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _choices(self) -> DefinitionIn:
        self.choices = list(dict.fromkeys(c.strip()[:80] for c in self.choices if c.strip()))
        if self.kind == AttributeKind.CHOICE and not self.choices:
            raise ValueError("a one-of-a-list attribute needs its choices")
        if self.kind != AttributeKind.CHOICE and self.choices:
            raise ValueError("only a one-of-a-list attribute has choices")
        return self


class DefinitionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(default=None, min_length=1, max_length=80)
    choices: list[str] | None = Field(default=None, max_length=50)


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins define attributes.")


def definitions(session: Session) -> dict[str, AttributeDefinition]:
    return {d.key: d for d in session.exec(select(AttributeDefinition).order_by(AttributeDefinition.label))}


def define(session: Session, body: DefinitionIn, actor: User) -> AttributeDefinition:
    _admin(actor)
    definition = AttributeDefinition(**body.model_dump(mode="json"))
    try:
        with session.begin_nested():
            session.add(definition)
    except IntegrityError:
        raise Conflict(f"The attribute {body.key!r} is defined already.") from None
    audit(session, actor, "attribute.defined", definition, key=definition.key)
    session.flush()
    return definition


def redefine(session: Session, definition_id: int, body: DefinitionPatch, actor: User) -> AttributeDefinition:
    """The label, or a list's choices (the kind stays: values already given were checked by it)."""
    _admin(actor)
    definition = definition_or_404(session, definition_id)
    if body.label is not None:
        definition.label = body.label.strip()
    if body.choices is not None:
        if definition.kind != AttributeKind.CHOICE:
            raise AppError("not_a_list", "Only a one-of-a-list attribute has choices.", 422)
        choices = list(dict.fromkeys(c.strip()[:80] for c in body.choices if c.strip()))
        if not choices:
            raise AppError("no_choices", "A one-of-a-list attribute needs its choices.", 422)
        definition.choices = choices
    session.add(definition)
    audit(session, actor, "attribute.changed", definition, key=definition.key)
    session.flush()
    return definition


def undefine(session: Session, definition_id: int, actor: User) -> None:
    """The definition goes; contacts keep their values, as free text from now on."""
    _admin(actor)
    definition = definition_or_404(session, definition_id)
    audit(session, actor, "attribute.undefined", definition, key=definition.key)
    session.delete(definition)
    session.flush()


def definition_or_404(session: Session, definition_id: int) -> AttributeDefinition:
    found = session.get(AttributeDefinition, definition_id)
    if found is None:
        raise NotFound("Attribute definition")
    return found


def checked_value(definition: AttributeDefinition, value: Any) -> Any:
    """``value`` in the definition's one form, or ValueError saying what it must be."""
    label = definition.label
    text = str(value).strip() if not isinstance(value, bool) else ("yes" if value else "no")
    if definition.kind == AttributeKind.NUMBER:
        if isinstance(value, bool):
            raise ValueError(f"{label} is a number")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{label} is a number, not {text!r}") from None
        if number != number or abs(number) > 1e15:
            raise ValueError(f"{label} is a number, not {text!r}")
        return int(number) if number.is_integer() else number
    if definition.kind == AttributeKind.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{label} is a date written YYYY-MM-DD, not {text!r}") from None
    if definition.kind == AttributeKind.YES_NO:
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError(f"{label} is yes or no, not {text!r}")
    if definition.kind == AttributeKind.CHOICE:
        for choice in definition.choices:
            if choice.casefold() == text.casefold():
                return choice
        raise ValueError(f"{label} is one of {', '.join(definition.choices)}; not {text!r}")
    if len(text) > 1000:
        raise ValueError(f"{label} holds at most 1,000 characters")
    return text


def checked(session: Session, attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes with each defined one checked (None, a removal, stays None); AppError 422
    naming every bad one."""
    known = definitions(session)
    out, problems = {}, []
    for key, value in attributes.items():
        if value is None or key not in known:
            out[key] = value
            continue
        try:
            out[key] = checked_value(known[key], value)
        except ValueError as exc:
            problems.append({"field": f"attributes.{key}", "message": str(exc)})
    if problems:
        raise AppError(
            "invalid_attribute", "; ".join(p["message"] for p in problems) + ".", 422, details=problems
        )
    return out


BOX = "attr."  # a form box's name: BOX + the attribute's key


def boxes(known: dict[str, AttributeDefinition], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``known`` (defined) attributes as a contact form shows them, one box each with the
    contact's value."""
    return [
        {
            "key": d.key,
            "label": d.label,
            "kind": d.kind,
            "value": shown(values.get(d.key)),
            "choices": d.choices,
        }
        for d in known.values()
    ]


def undefined(known: dict[str, AttributeDefinition], values: dict[str, Any]) -> list[list[str]]:
    """The contact's attributes nobody has defined (from the API or a CSV): shown, not edited."""
    return [[key, shown(value)] for key, value in sorted(values.items()) if key not in known]


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def from_boxes(form: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What a submitted form changes: a box edited sets its attribute (checked by ``checked``
    later), one emptied removes it; one left as it was changes nothing (not even re-checked: a
    value from before the definition stays until someone edits it)."""
    change: dict[str, Any] = {}
    for name, raw in form.items():
        if not name.startswith(BOX):
            continue
        key, value = name.removeprefix(BOX), str(raw or "").strip()
        if value == shown(before.get(key)):
            continue
        if value:
            change[key] = value
        else:
            change[key] = None
    return change
