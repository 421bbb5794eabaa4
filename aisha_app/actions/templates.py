"""WhatsApp message templates: kept here as drafts, checked against Meta's limits when saved,
submitted to the provider, and sent only once it approved them.

Meta's limits (checked on save, each said in words): a name of lowercase letters, digits and
underscores, at most 512 characters; a body of at most 1,024 characters whose variables are
``{{1}}``, ``{{2}}`` ... in order, each with an example; a header (text of at most 60
characters, with at most one variable, or a picture, video or document) and a footer of at most
60; at most 10 buttons (quick replies, at most 2 links and 1 phone number), each's text at most
20 characters.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from aisha_app.actions.audit import audit
from aisha_app.errors import AppError, Conflict, Forbidden, NotFound
from aisha_app.models import (
    Channel,
    Contact,
    MessageTemplate,
    Role,
    TemplateCategory,
    TemplateStatus,
    User,
)
from aisha_app.models.base import utcnow

VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]+$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")  # Meta's codes: en, en_US, sw, ar, pt_BR ...
# The channels whose templates a provider approves; the simulator stands in for one.
CHANNELS = (Channel.WHATSAPP_CLOUD, Channel.TWILIO_WHATSAPP, Channel.SIMULATOR)
EDITABLE = (TemplateStatus.DRAFT, TemplateStatus.REJECTED)


class Header(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text", "image", "video", "document"]
    text: str | None = Field(default=None, max_length=60, description="for a text header")
    url: str | None = Field(default=None, max_length=2000, description="a sample file, for a media header")

    @model_validator(mode="after")
    def _parts(self) -> Header:
        if self.type == "text":
            if not (self.text or "").strip():
                raise ValueError("a text header needs its text")
            if len(VARIABLE.findall(self.text or "")) > 1:
                raise ValueError("a text header holds at most one variable")
            self.url = None
        else:
            if not (self.url or "").startswith("https://"):
                raise ValueError(f"a {self.type} header needs a sample file's https:// address")
            self.text = None
        return self


class Button(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["quick_reply", "url", "phone_number"]
    text: str = Field(min_length=1, max_length=20)
    url: str | None = Field(default=None, max_length=2000)
    phone_number: str | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _target(self) -> Button:
        if self.type == "url" and not (self.url or "").startswith("https://"):
            raise ValueError(f"the link button {self.text!r} needs an https:// address")
        if self.type == "phone_number" and not re.fullmatch(r"\+[1-9]\d{6,14}", self.phone_number or ""):
            raise ValueError(f"the call button {self.text!r} needs a phone number such as +254712345678")
        if self.type != "url":
            self.url = None
        if self.type != "phone_number":
            self.phone_number = None
        return self


class TemplateIn(BaseModel):
    """A template as an admin writes it; what Meta would refuse is refused here, in words."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(default="en", max_length=16)
    category: TemplateCategory = TemplateCategory.UTILITY
    channel: Literal["whatsapp_cloud", "twilio_whatsapp", "simulator"]
    body: str = Field(min_length=1, max_length=1024)
    header: Header | None = None
    footer: str | None = Field(default=None, max_length=60)
    buttons: list[Button] = Field(default_factory=list, max_length=10)
    examples: list[str] = Field(default_factory=list, max_length=100, description="one per body variable")
    variables: list[str] = Field(
        default_factory=list, max_length=100, description="what each variable holds, e.g. 'first name'"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("lowercase letters, digits and underscores only, such as order_ready")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not LANGUAGE.match(value):
            raise ValueError("a language code such as en, en_US, sw or ar")
        return value

    @field_validator("footer")
    @classmethod
    def _footer(cls, value: str | None) -> str | None:
        if value is not None and VARIABLE.search(value):
            raise ValueError("a footer holds no variables")
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _variables(self) -> TemplateIn:
        numbers = [int(n) for n in VARIABLE.findall(self.body)]
        wanted = sorted(set(numbers))
        if wanted != list(range(1, len(wanted) + 1)):
            raise ValueError(
                "body: its variables are {{1}}, {{2}} ... in order, none left out; it has "
                + ", ".join(f"{{{{{n}}}}}" for n in wanted)
            )
        if self.body.strip().startswith("{{") or self.body.strip().endswith("}}"):
            raise ValueError("body: Meta refuses a body that starts or ends with a variable")
        self.examples = [e.strip() for e in self.examples]
        if len(self.examples) != len(wanted) or not all(self.examples):
            raise ValueError(f"examples: one example for each of the body's {len(wanted)} variable(s)")
        if len(self.variables) not in (0, len(wanted)):
            raise ValueError(f"variables: say what each of the {len(wanted)} variable(s) holds, or none")
        self.variables = self.variables or [f"variable {n}" for n in wanted]
        kinds = [b.type for b in self.buttons]
        if kinds.count("url") > 2:
            raise ValueError("buttons: at most 2 link buttons")
        if kinds.count("phone_number") > 1:
            raise ValueError("buttons: at most 1 call button")
        return self


def placeholders(body: str) -> int:
    return len(set(VARIABLE.findall(body)))


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins manage templates.")


def _apply(template: MessageTemplate, body: TemplateIn) -> None:
    data = body.model_dump(mode="json")
    for key in ("name", "language", "category", "channel", "body", "footer", "examples", "variables"):
        setattr(template, key, data[key])
    template.header = {k: v for k, v in (data["header"] or {}).items() if v is not None}
    template.buttons = [{k: v for k, v in b.items() if v is not None} for b in data["buttons"]]
    template.updated_at = utcnow()


def _unique(session: Session, template: MessageTemplate) -> None:
    try:
        with session.begin_nested():
            session.add(template)
    except IntegrityError:
        raise Conflict(
            f"There is a template {template.name!r} in {template.language} for {template.channel} already."
        ) from None


def create_template(session: Session, body: TemplateIn, actor: User) -> MessageTemplate:
    """A draft: nothing is sent to the provider until it is submitted."""
    _admin(actor)
    template = MessageTemplate(name=body.name, channel=body.channel, body=body.body)
    _apply(template, body)
    _unique(session, template)
    audit(session, actor, "template.created", template, name=template.name)
    session.flush()
    return template


def change_template(session: Session, template_id: int, body: TemplateIn, actor: User) -> MessageTemplate:
    """A draft or a rejected template, edited (a rejected one becomes a draft again: submit it).
    An approved one is the provider's now: make a new template instead."""
    _admin(actor)
    template = template_or_404(session, template_id)
    if template.status not in EDITABLE:
        raise AppError(
            "template_locked",
            f"Template {template.name!r} is {template.status}: only a draft or a rejected template is "
            "edited. Make a new template (another name) instead.",
            409,
        )
    _apply(template, body)
    template.status, template.rejection_reason = TemplateStatus.DRAFT, None
    _unique(session, template)
    audit(session, actor, "template.changed", template, name=template.name)
    session.flush()
    return template


def delete_template(session: Session, template_id: int, actor: User) -> None:
    """Gone from Aisha (messages sent with it keep what they said); the provider keeps its copy."""
    _admin(actor)
    template = template_or_404(session, template_id)
    audit(session, actor, "template.deleted", template, name=template.name)
    session.delete(template)
    session.flush()


def template_or_404(session: Session, template_id: int) -> MessageTemplate:
    template = session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound("Template")
    return template


def all_templates(
    session: Session, channel: str | None = None, status: str | None = None
) -> list[MessageTemplate]:
    query = select(MessageTemplate).order_by(col(MessageTemplate.name), col(MessageTemplate.language))
    if channel:
        query = query.where(MessageTemplate.channel == channel)
    if status:
        query = query.where(MessageTemplate.status == status)
    return list(session.exec(query).all())


def refused_reason(template: MessageTemplate) -> str | None:
    """Why this template may not be sent now (None: it may)."""
    if template.status == TemplateStatus.APPROVED:
        return None
    said = {
        TemplateStatus.DRAFT: "is a draft: submit it for approval first",
        TemplateStatus.PENDING: "is waiting for the provider's approval",
        TemplateStatus.REJECTED: "was rejected"
        + (f" ({template.rejection_reason})" if template.rejection_reason else "")
        + ": edit it and submit it again",
        TemplateStatus.PAUSED: "is paused by Meta for its quality: it is sent again once Meta unpauses it",
        TemplateStatus.DISABLED: "was disabled by Meta",
    }[TemplateStatus(template.status)]
    return f"Template {template.name!r} ({template.language}) {said}. Only an approved template is sent."


# What a variable's description says it holds, filled from the contact (or the agent) when a
# template is chosen: "{{contact.first_name}}" and the like as in canned responses, or words.
SAID_AS = {
    "first name": "{{contact.first_name}}",
    "name": "{{contact.first_name}}",
    "customer name": "{{contact.first_name}}",
    "full name": "{{contact.name}}",
    "phone": "{{contact.phone}}",
    "phone number": "{{contact.phone}}",
    "agent": "{{agent.first_name}}",
    "agent name": "{{agent.first_name}}",
}


def prefill(template: MessageTemplate, contact: Contact | None, agent: User | None) -> list[str]:
    """Each variable's value as far as the contact's fields tell it ("" where they do not)."""
    from aisha_app.actions.canned import fill

    values = []
    for said in template.variables:
        expression = said if "{{" in said else SAID_AS.get(said.strip().lower(), "")
        filled = fill(expression, contact, agent) if expression else ""
        values.append("" if "{{" in filled else filled)
    return values


def rendered(body: str, values: list[str]) -> str:
    """The body with each {{n}} its value (a value not given yet stays {{n}})."""
    return VARIABLE.sub(lambda m: values[int(m[1]) - 1] or m[0] if int(m[1]) <= len(values) else m[0], body)
