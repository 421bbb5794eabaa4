"""What the assistant may quote: FAQ articles and the product catalog, edited by admins."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlmodel import Session, select

from aisha_app.actions.audit import audit
from aisha_app.errors import AppError, Forbidden, NotFound
from aisha_app.models import KnowledgeArticle, Product, Role, User
from aisha_app.models.base import utcnow

MAX_IMPORT_ROWS = 5000


class ArticleIn(BaseModel):
    question: str = Field(min_length=3, max_length=500)
    answer: str = Field(min_length=1, max_length=4000)
    language: str = Field(default="en", max_length=16)
    tags: list[str] = Field(default_factory=list)


class ProductIn(BaseModel):
    sku: str | None = Field(default=None, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=100)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field(default="KES", min_length=3, max_length=3)
    stock: int | None = Field(default=None, ge=0)
    description: str | None = Field(default=None, max_length=4000)

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins edit what the assistant knows.")


def save_article(
    session: Session, data: ArticleIn, actor: User, article_id: int | None = None
) -> KnowledgeArticle:
    _admin(actor)
    article = (
        session.get(KnowledgeArticle, article_id) if article_id else KnowledgeArticle(question="", answer="")
    )
    if article is None:
        raise NotFound("Article")
    for key, value in data.model_dump().items():
        setattr(article, key, value)
    article.updated_at = utcnow()
    session.add(article)
    session.flush()
    audit(session, actor, "knowledge.saved", article, question=article.question[:80])
    session.flush()
    return article


def save_product(session: Session, data: ProductIn, actor: User, product_id: int | None = None) -> Product:
    _admin(actor)
    product = session.get(Product, product_id) if product_id else None
    if product_id and product is None:
        raise NotFound("Product")
    if product is None and data.sku:
        product = session.exec(select(Product).where(Product.sku == data.sku)).first()
    product = product or Product(name="")
    for key, value in data.model_dump().items():
        setattr(product, key, value)
    product.updated_at = utcnow()
    session.add(product)
    session.flush()
    audit(session, actor, "product.saved", product, name=product.name)
    session.flush()
    return product


def delete(session: Session, model: type, item_id: int, actor: User) -> None:
    _admin(actor)
    item = session.get(model, item_id)
    if item is None:
        raise NotFound(model.__name__)
    session.delete(item)
    audit(session, actor, f"{model.__name__.lower()}.deleted", item)
    session.flush()


# A line that cannot be read, or that the database refuses: named, and the others kept.
BAD_LINE = (ValidationError, InvalidOperation, ValueError, sa.exc.IntegrityError, sa.exc.DataError)


def import_csv(session: Session, text: str, actor: User, kind: str) -> tuple[int, list[str]]:
    """Import products (upserted by SKU) or FAQ articles; returns (rows saved, problems by line).

    Good rows are saved even when others are not; each problem names its line.
    """
    _admin(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    required = {"name", "price"} if kind == "products" else {"question", "answer"}
    if not reader.fieldnames or not required <= {f.strip().lower() for f in reader.fieldnames}:
        raise AppError(
            "bad_csv", f"The first line must name the columns, including {', '.join(sorted(required))}.", 400
        )
    saved, problems = 0, []
    for line, row in enumerate(reader, start=2):
        if line > MAX_IMPORT_ROWS + 1:
            problems.append(f"stopped after {MAX_IMPORT_ROWS} rows")
            break
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            with session.begin_nested():  # a bad line undoes only itself
                if kind == "products":
                    save_product(session, ProductIn(**_product_row(row)), actor)
                else:
                    tags = [t.strip() for t in row.get("tags", "").split(",") if t.strip()]
                    save_article(
                        session,
                        ArticleIn(
                            question=row["question"],
                            answer=row["answer"],
                            language=row.get("language") or "en",
                            tags=tags,
                        ),
                        actor,
                    )
            saved += 1
        except (
            ValidationError,
            InvalidOperation,
            ValueError,
            sa.exc.IntegrityError,
            sa.exc.DataError,
        ) as exc:
            reason = (
                "; ".join(e["msg"] for e in exc.errors()) if isinstance(exc, ValidationError) else str(exc)
            )
            problems.append(f"line {line}: {reason}")
    return saved, problems


def _product_row(row: dict[str, str]) -> dict[str, Any]:
    return {
        "sku": row.get("sku") or None,
        "name": row.get("name", ""),
        "name_ar": row.get("name_ar") or None,
        "category": row.get("category") or None,
        "price": _number(row.get("price", ""), "price", Decimal),
        "currency": row.get("currency") or "KES",
        "stock": _number(row["stock"], "stock", int) if row.get("stock") else None,
        "description": row.get("description") or None,
    }


def _number(text: str, what: str, kind: type) -> Any:
    try:
        return kind(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        example = "4500 or 4500.50" if kind is Decimal else "a whole number like 12"
        raise ValueError(f"{what} {text!r} is not a number ({example})") from None
