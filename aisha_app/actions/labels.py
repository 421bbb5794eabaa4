"""The conversation labels the team keeps: a name and a colour. Admins create, rename, recolour
and delete them; a rename or a delete reaches every conversation that carries the label. A
label first used on a conversation (by staff or an automation) is kept from then on, grey."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from aisha_app.actions.audit import audit
from aisha_app.errors import Conflict, Forbidden, NotFound
from aisha_app.models import LABEL_COLOURS, Conversation, Label, Role, User
from aisha_app.realtime import events

Colour = str


class LabelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    colour: Colour = Field(default="gray", pattern="^(" + "|".join(LABEL_COLOURS) + ")$")


class LabelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=40)
    colour: Colour | None = Field(default=None, pattern="^(" + "|".join(LABEL_COLOURS) + ")$")


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins manage labels.")


def all_labels(session: Session) -> list[Label]:
    return list(session.exec(select(Label).order_by(func.lower(Label.name))).all())


def keep(session: Session, names: list[str]) -> None:
    """Labels just put on a conversation that the team had not kept yet: kept now, grey."""
    if not names:
        return
    known = set(session.exec(select(Label.name).where(col(Label.name).in_(names))).all())
    for name in names:
        if name not in known:
            try:
                with session.begin_nested():  # another conversation may be labelled so this moment
                    session.add(Label(name=name))
            except IntegrityError:
                pass


def create_label(session: Session, body: LabelIn, actor: User) -> Label:
    _admin(actor)
    label = Label(name=body.name.strip(), colour=body.colour)
    try:
        with session.begin_nested():
            session.add(label)
    except IntegrityError:
        raise Conflict(f"There is a label {label.name!r} already.") from None
    audit(session, actor, "label.created", label, name=label.name)
    session.flush()
    return label


def _carrying(session: Session, name: str) -> list[Conversation]:
    from aisha_app.queries.inbox import has_label

    return list(session.exec(select(Conversation).where(has_label(session, name))).all())


def _relabel(session: Session, old: str, new: str | None) -> int:
    """Every conversation's ``old`` label renamed to ``new`` (None: removed); how many."""
    changed = _carrying(session, old)
    for conversation in changed:
        names = [n for n in conversation.labels if n != old] + ([new] if new else [])
        conversation.labels = sorted(set(names))
        session.add(conversation)
        events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=conversation.id)
    return len(changed)


def change_label(session: Session, label_id: int, body: LabelPatch, actor: User) -> Label:
    _admin(actor)
    label = label_or_404(session, label_id)
    if body.colour is not None:
        label.colour = body.colour
    if body.name is not None and body.name.strip() != label.name:
        new = body.name.strip()
        if session.exec(select(Label.id).where(Label.name == new, Label.id != label.id)).first():
            raise Conflict(f"There is a label {new!r} already.")
        moved = _relabel(session, label.name, new)
        audit(session, actor, "label.renamed", label, old=label.name, new=new, conversations=moved)
        label.name = new
    session.add(label)
    session.flush()
    return label


def delete_label(session: Session, label_id: int, actor: User) -> int:
    """The label goes, and off every conversation that carried it; how many those were."""
    _admin(actor)
    label = label_or_404(session, label_id)
    moved = _relabel(session, label.name, None)
    audit(session, actor, "label.deleted", label, name=label.name, conversations=moved)
    session.delete(label)
    session.flush()
    return moved


def label_or_404(session: Session, label_id: int) -> Label:
    label = session.get(Label, label_id)
    if label is None:
        raise NotFound("Label")
    return label
