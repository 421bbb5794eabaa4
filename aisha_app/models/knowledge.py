"""What the business knows and says: products, FAQ articles, message templates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from aisha_app.models.base import created_at_field, json_field, timestamp_field


class Product(SQLModel, table=True):
    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    sku: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=100, index=True)
    price: Decimal = Field(default=Decimal("0"), sa_type=sa.Numeric(12, 2))
    currency: str = Field(default="KES", max_length=3)
    stock: int | None = None
    description: str | None = Field(default=None, sa_type=sa.Text)
    image_url: str | None = Field(default=None, sa_type=sa.Text)
    is_active: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class KnowledgeArticle(SQLModel, table=True):
    """An FAQ entry the assistant may quote."""

    __tablename__ = "knowledge_articles"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(sa_type=sa.Text)
    answer: str = Field(sa_type=sa.Text)
    language: str = Field(default="en", max_length=16)
    tags: list[str] = json_field(list)
    is_active: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class TemplateStatus(StrEnum):
    """Where a template stands with the provider; only an approved one is ever sent."""

    DRAFT = "draft"  # ours alone: edit it, then submit it
    PENDING = "pending"  # submitted, in review
    APPROVED = "approved"
    REJECTED = "rejected"  # ``rejection_reason`` says why; edit it and submit again
    PAUSED = "paused"  # Meta paused it for low quality (hours); sends are refused meanwhile
    DISABLED = "disabled"


class TemplateCategory(StrEnum):
    MARKETING = "marketing"
    UTILITY = "utility"
    AUTHENTICATION = "authentication"


class MessageTemplate(SQLModel, table=True):
    """A message the provider approved, the only kind a business may send outside the 24-hour
    window: a body with ``{{1}}``-style variables (``variables`` says what each holds, for people;
    ``examples`` are what the provider reviews), an optional header, footer and buttons."""

    __tablename__ = "message_templates"
    __table_args__ = (
        sa.UniqueConstraint("name", "language", "channel", name="uq_templates_name_lang_channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=512)
    language: str = Field(default="en", max_length=16)
    channel: str = Field(max_length=24)
    category: str = Field(default="utility", max_length=24)
    body: str = Field(sa_type=sa.Text)
    variables: list[str] = json_field(list)
    examples: list[str] = json_field(list)
    # {} none; {"type": "text", "text": ...}; {"type": "image" | "video" | "document", "url": ...}
    header: dict[str, str] = json_field(dict)
    footer: str | None = Field(default=None, max_length=60)
    # [{"type": "quick_reply" | "url" | "phone_number", "text": ..., "url"?: ..., "phone_number"?: ...}]
    buttons: list[dict[str, str]] = json_field(list)
    # Twilio's ContentSid (HX...), or Meta's template id (sent by name and language, not by it).
    provider_template_id: str | None = Field(default=None, max_length=128)
    status: TemplateStatus = Field(default=TemplateStatus.DRAFT, sa_type=sa.String(16))
    rejection_reason: str | None = Field(default=None, sa_type=sa.Text)
    quality: str | None = Field(default=None, max_length=16)  # Meta's GREEN, YELLOW, RED or UNKNOWN
    status_at: datetime | None = timestamp_field()  # when the provider last said where it stands
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class CannedResponse(SQLModel, table=True):
    """A reply staff insert by typing ``/shortcut`` in the composer; admins keep the list."""

    __tablename__ = "canned_responses"

    id: int | None = Field(default=None, primary_key=True)
    shortcut: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    # May hold variables: {{contact.first_name}}, {{contact.name}}, {{agent.name}}, ...
    text: str = Field(sa_type=sa.Text)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


def _index_listeners(kind: str):
    """Keep the full-text index (``aisha_app.assistant.index``) in the writing transaction."""

    def after_write(_mapper, connection, target) -> None:
        from aisha_app.assistant import index

        index.put(connection, kind, target.id, index.text_for(kind, target))

    def after_delete(_mapper, connection, target) -> None:
        from aisha_app.assistant import index

        index.drop(connection, kind, target.id)

    return after_write, after_delete


for _model, _kind in ((KnowledgeArticle, "faq"), (Product, "product")):
    _write, _delete = _index_listeners(_kind)
    sa.event.listen(_model, "after_insert", _write)
    sa.event.listen(_model, "after_update", _write)
    sa.event.listen(_model, "after_delete", _delete)


class AssistantAction(SQLModel, table=True):
    """An HTTPS endpoint of the business's own systems that the assistant may call as a tool."""

    __tablename__ = "assistant_actions"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=48, sa_column_kwargs={"unique": True})
    description: str = Field(sa_type=sa.Text)
    # A JSON-schema object: {"type": "object", "properties": {...}, "required": [...]}.
    parameters: dict = json_field(dict)
    url: str = Field(sa_type=sa.Text)
    method: str = Field(default="POST", max_length=8)
    # Sent with every call, e.g. "Authorization: Bearer ...". A secret: never shown again.
    auth_header_name: str | None = Field(default=None, max_length=64)
    auth_header_value: str | None = Field(default=None, sa_type=sa.Text)
    timeout_seconds: float = Field(default=10.0, gt=0, le=30)
    is_active: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
