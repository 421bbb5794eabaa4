"""Reviews: what customers said, filtered and searched, exported as CSV."""

import reflex as rx

from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.reviews import ReviewsState


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(
            placeholder="Search reviews",
            value=ReviewsState.search,
            on_change=lambda v: ReviewsState.set_filter("search", v),
            width="14em",
            id="review-search",
        ),
        rx.input(
            placeholder="Product",
            value=ReviewsState.product,
            on_change=lambda v: ReviewsState.set_filter("product", v),
            width="12em",
        ),
        rx.select(
            ["any", "5", "4", "3", "2", "1"],
            value=ReviewsState.rating,
            on_change=lambda v: ReviewsState.set_filter("rating", v),
        ),
        rx.text("from", size="2"),
        rx.input(
            type="date", value=ReviewsState.since, on_change=lambda v: ReviewsState.set_filter("since", v)
        ),
        rx.text("to", size="2"),
        rx.input(
            type="date", value=ReviewsState.until, on_change=lambda v: ReviewsState.set_filter("until", v)
        ),
        rx.el.a(  # a plain link: the browser downloads it (the app's router would not)
            rx.button(rx.icon("download"), "CSV", variant="soft"),
            href=ReviewsState.csv_url,
            download="reviews.csv",
            target="_blank",  # not the client router's: the browser fetches it
            id="reviews-csv",
        ),
        align="center",
        wrap="wrap",
        spacing="2",
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(h)
                    for h in ("Customer", "Product", "Rating", "Review", "Thank-you", "When")
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                ReviewsState.rows,
                lambda r: rx.table.row(
                    rx.table.cell(r["customer"], custom_attrs=AUTO_DIR),
                    rx.table.cell(r["product"], custom_attrs=AUTO_DIR),
                    rx.table.cell(rx.text(r["stars"], color=rx.color("amber", 10), title=r["rating"])),
                    rx.table.cell(rx.text(r["text"], size="2", custom_attrs=AUTO_DIR)),
                    rx.table.cell(rx.badge(r["thanks"], variant="soft")),
                    rx.table.cell(r["when"], title=r["exact"], white_space="nowrap"),
                    class_name="review-row",
                ),
            )
        ),
        width="100%",
    )


def _reviews() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.text(ReviewsState.total.to_string(), " reviews", size="2", color_scheme="gray"),
        rx.cond(
            ReviewsState.rows.length() > 0,
            _table(),
            empty_state(
                "No reviews here",
                'Customers leave reviews in chat: they write "review", the assistant offers it, staff ask, '
                "or it follows a visit from the waiting list.",
                "star",
            ),
        ),
        width="100%",
        spacing="3",
    )


reviews_page = shell("Reviews", _reviews)
