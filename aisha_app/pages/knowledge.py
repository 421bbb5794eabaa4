"""Settings › Knowledge: FAQ articles and the product catalog, with CSV import."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import edit_delete, feedback
from aisha_app.pages.layout import shell
from aisha_app.state.knowledge import KnowledgeState


def _input(name: str, placeholder: str, form, **props) -> rx.Component:
    return rx.input(
        name=name, placeholder=placeholder, default_value=form[name].to(str), key=form["id"].to(str), **props
    )


def _csv(upload_id: str, handler, columns: str) -> rx.Component:
    return rx.upload.root(
        rx.button(rx.icon("upload"), f"Import CSV ({columns})", variant="soft", size="1", type="button"),
        id=upload_id,
        accept={"text/csv": [".csv"]},
        max_files=1,
        border="none",
        padding="0",
        on_drop=handler(rx.upload_files(upload_id=upload_id)),
    )


def _articles() -> rx.Component:
    f = KnowledgeState.article_form
    return rx.vstack(
        rx.hstack(
            rx.heading("FAQ", size="4"),
            _csv("faq-csv", KnowledgeState.import_articles, "question, answer, language, tags"),
            align="center",
        ),
        rx.form(
            rx.hstack(
                _input("question", "Question", f, width="30%", required=True, id="faq-question"),
                _input("answer", "Answer", f, width="40%", required=True, id="faq-answer"),
                _input("language", "en", f, width="4em"),
                _input("tags", "tags, comma separated", f, width="20%"),
                rx.button("Save", type="submit", id="faq-save"),
                width="100%",
                wrap="wrap",
            ),
            on_submit=KnowledgeState.save_article,
            reset_on_submit=True,
        ),
        rx.table.root(
            rx.table.body(
                rx.foreach(
                    KnowledgeState.articles,
                    lambda a: rx.table.row(
                        rx.table.cell(rx.text(a["question"], weight="medium", custom_attrs=AUTO_DIR)),
                        rx.table.cell(rx.text(a["answer"], size="2", custom_attrs=AUTO_DIR)),
                        rx.table.cell(a["language"]),
                        rx.table.cell(a["tags"]),
                        rx.table.cell(
                            edit_delete(
                                KnowledgeState.edit_article(a), KnowledgeState.delete_article(a["id"])
                            )
                        ),
                    ),
                )
            ),
            width="100%",
        ),
        width="100%",
    )


def _products() -> rx.Component:
    f = KnowledgeState.product_form
    return rx.vstack(
        rx.hstack(
            rx.heading("Products", size="4"),
            _csv(
                "product-csv",
                KnowledgeState.import_products,
                "sku, name, name_ar, category, price, currency, stock",
            ),
            align="center",
        ),
        rx.form(
            rx.hstack(
                _input("sku", "SKU", f, width="8em"),
                _input("name", "Name", f, width="14em", required=True, id="product-name"),
                _input("name_ar", "الاسم", f, width="10em", custom_attrs=AUTO_DIR),
                _input("category", "Category", f, width="9em"),
                _input("price", "Price", f, width="7em", required=True, id="product-price"),
                _input("currency", "KES", f, width="5em"),
                _input("stock", "Stock", f, width="6em"),
                rx.button("Save", type="submit", id="product-save"),
                wrap="wrap",
                width="100%",
            ),
            on_submit=KnowledgeState.save_product,
            reset_on_submit=True,
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ["SKU", "Name", "Arabic", "Category", "Price", "Stock", ""]
                    ]
                )
            ),
            rx.table.body(
                rx.foreach(
                    KnowledgeState.products,
                    lambda p: rx.table.row(
                        rx.table.cell(p["sku"]),
                        rx.table.cell(p["name"]),
                        rx.table.cell(rx.text(p["name_ar"], custom_attrs=AUTO_DIR)),
                        rx.table.cell(p["category"]),
                        rx.table.cell(p["currency"], " ", p["price"]),
                        rx.table.cell(p["stock"]),
                        rx.table.cell(
                            edit_delete(
                                KnowledgeState.edit_product(p), KnowledgeState.delete_product(p["id"])
                            )
                        ),
                    ),
                )
            ),
            width="100%",
        ),
        width="100%",
    )


def _knowledge() -> rx.Component:
    return rx.vstack(
        rx.text("What the assistant may quote. Prices and stock come only from here.", color_scheme="gray"),
        feedback(KnowledgeState.error, KnowledgeState.notice, "knowledge"),
        _products(),
        _articles(),
        spacing="5",
        width="100%",
    )


knowledge_page = shell("Knowledge", _knowledge, back=("Settings", routes.SETTINGS))
