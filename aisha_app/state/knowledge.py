"""Settings › Knowledge: FAQ articles and products the assistant quotes (admins edit, staff read)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session, col, select

from aisha_app.actions import knowledge
from aisha_app.db import unit_of_work
from aisha_app.models import KnowledgeArticle, Product, User
from aisha_app.state.session import SessionState, off_loop

MAX_CSV_BYTES = 2 * 1024 * 1024


class KnowledgeState(SessionState):
    articles: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    article_form: dict[str, Any] = {}
    product_form: dict[str, Any] = {}
    notice: str = ""
    error: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            self.articles = [
                {
                    "id": a.id,
                    "question": a.question,
                    "answer": a.answer,
                    "language": a.language,
                    "tags": ", ".join(a.tags),
                }
                for a in session.exec(
                    select(KnowledgeArticle).order_by(col(KnowledgeArticle.id).desc())
                ).all()
            ]
            self.products = [
                {
                    "id": p.id,
                    "sku": p.sku or "",
                    "name": p.name,
                    "name_ar": p.name_ar or "",
                    "category": p.category or "",
                    "price": str(p.price),
                    "currency": p.currency,
                    "stock": "" if p.stock is None else str(p.stock),
                    "description": p.description or "",
                }
                for p in session.exec(select(Product).order_by(Product.name)).all()
            ]

    def _do(self, change: Callable[[Session, User], str]) -> None:
        self.notice, self.error = self._admin_change(
            change, "Only admins edit what the assistant knows.", also=(ValueError, ArithmeticError)
        )
        self._reload()

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self.notice = self.error = ""
        self._reload()
        return None

    @rx.event
    def edit_article(self, article: dict[str, Any]) -> None:
        self.article_form = dict(article)

    @rx.event
    def edit_product(self, product: dict[str, Any]) -> None:
        self.product_form = dict(product)

    @rx.event
    @off_loop
    def save_article(self, form: dict[str, Any]) -> None:
        article_id = self.article_form.get("id")

        def change(session, admin):
            data = knowledge.ArticleIn(
                question=form.get("question", ""),
                answer=form.get("answer", ""),
                language=form.get("language") or "en",
                tags=[t.strip() for t in form.get("tags", "").split(",") if t.strip()],
            )
            knowledge.save_article(session, data, admin, article_id)
            return "FAQ saved."

        self._do(change)
        if not self.error:
            self.article_form = {}

    @rx.event
    @off_loop
    def save_product(self, form: dict[str, Any]) -> None:
        product_id = self.product_form.get("id")

        def change(session, admin):
            knowledge.save_product(
                session, knowledge.ProductIn(**knowledge._product_row(form)), admin, product_id
            )
            return "Product saved."

        self._do(change)
        if not self.error:
            self.product_form = {}

    @rx.event
    @off_loop
    def delete_article(self, article_id: int) -> None:
        self._do(lambda s, a: knowledge.delete(s, KnowledgeArticle, article_id, a) or "FAQ deleted.")

    @rx.event
    @off_loop
    def delete_product(self, product_id: int) -> None:
        self._do(lambda s, a: knowledge.delete(s, Product, product_id, a) or "Product deleted.")

    async def _import(self, files: list[rx.UploadFile], kind: str) -> None:
        for file in files[:1]:
            content = await file.read()
            if len(content) > MAX_CSV_BYTES:
                self.error = "The CSV file is over 2 MB."
                return
            text = content.decode("utf-8", errors="replace")

            def change(session, admin, text=text):
                saved, problems = knowledge.import_csv(session, text, admin, kind)
                return f"Imported {saved} {kind}." + (
                    f" Skipped: {'; '.join(problems[:10])}" if problems else ""
                )

            await asyncio.to_thread(self._do, change)  # off the event loop

    @rx.event
    async def import_products(self, files: list[rx.UploadFile]) -> None:
        await self._import(files, "products")

    @rx.event
    async def import_articles(self, files: list[rx.UploadFile]) -> None:
        await self._import(files, "articles")
