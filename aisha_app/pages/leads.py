"""Leads: a kanban of stages; drag a card to move it, open it for its timeline and activities."""

import reflex as rx

from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import drag_and_drop
from aisha_app.pages.layout import shell
from aisha_app.state.leads import STAGES, LeadsState


def _card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card["name"], weight="bold", size="2", custom_attrs=AUTO_DIR),
                rx.spacer(),
                rx.badge(
                    card["label"],
                    color_scheme=rx.match(card["label"], ("HOT", "red"), ("WARM", "orange"), "blue"),
                    class_name="lead-label",
                ),
                width="100%",
            ),
            rx.hstack(
                rx.badge(card["channel"], variant="soft", color_scheme="gray"),
                rx.badge(card["source"], variant="outline"),
                rx.text("score ", rx.text.strong(card["score"]), size="1", class_name="lead-score"),
                spacing="2",
                wrap="wrap",
            ),
            rx.text(card["last_message"], size="1", color_scheme="gray", custom_attrs=AUTO_DIR),
            rx.text(card["reasons"], size="1", color=rx.color("gray", 10), class_name="lead-reasons"),
            spacing="1",
            width="100%",
        ),
        width="100%",
        cursor="grab",
        on_click=LeadsState.open_lead(card),
        class_name="lead-card",
        custom_attrs={
            "draggable": "true",
            "data-drag-url": card["drag_url"],
            "data-drop-current": card["stage"],
            "data-contact-id": card["id"],
        },
    )


def _column(stage: str) -> rx.Component:
    cards = LeadsState.columns[stage]
    return rx.vstack(
        rx.hstack(
            rx.heading(stage, size="3"),
            rx.badge(cards.length().to_string(), variant="soft"),
            align="center",
        ),
        rx.foreach(cards, _card),
        # On a phone a column is most of the screen, and the board swipes from one to the next.
        min_width=["78vw", "78vw", "190px"],
        width=["78vw", "78vw", "190px"],
        scroll_snap_align="start",
        min_height="60vh",
        padding="0.5em",
        border_radius="10px",
        background=rx.color("gray", 2),
        spacing="2",
        class_name="lead-column",
        custom_attrs={"data-drop-field": "stage", "data-drop-value": stage, "data-stage": stage},
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(
            placeholder="Search name or phone",
            value=LeadsState.search,
            on_change=LeadsState.set_search.debounce(300),
            width="16em",
            max_width="100%",
        ),
        rx.input(
            placeholder="Contact tag",
            value=LeadsState.tag,
            on_change=LeadsState.set_tag.debounce(300),
            width="10em",
            max_width="100%",
            id="lead-tag",
        ),
        rx.text("Source", size="2"),
        rx.select(
            ["all", "ad", "post", "comment", "referral", "direct"],
            value=LeadsState.source,
            on_change=LeadsState.set_source,
            id="lead-source",
        ),
        rx.text("Label", size="2"),
        rx.select(["all", "HOT", "WARM", "COLD"], value=LeadsState.label, on_change=LeadsState.set_label),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _panel() -> rx.Component:
    lead = LeadsState.selected
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(lead["name"], size="4", custom_attrs=AUTO_DIR),
                rx.spacer(),
                rx.button(rx.icon("x"), variant="ghost", size="1", on_click=LeadsState.close_lead),
                width="100%",
            ),
            rx.text(lead["reasons"], size="1", color_scheme="gray"),
            rx.text(
                "Source: ", lead["source"], " ", lead["source_details"], size="1", id="lead-source-details"
            ),
            rx.hstack(
                rx.text("Stage", size="2"),
                rx.select(STAGES, value=lead["stage"], on_change=LeadsState.move_selected, size="1"),
                rx.text("Label", size="2"),
                rx.select(
                    ["auto", "HOT", "WARM", "COLD"],
                    placeholder=lead["label"],
                    on_change=LeadsState.label_selected,
                    size="1",
                ),
                align="center",
                wrap="wrap",
            ),
            rx.form(
                rx.hstack(
                    rx.el.select(
                        *[rx.el.option(k, value=k) for k in ("note", "call", "email", "meeting", "message")],
                        name="kind",
                    ),
                    rx.input(name="summary", placeholder="What happened?", required=True, width="100%"),
                    rx.button("Add", type="submit", size="1"),
                    width="100%",
                ),
                on_submit=LeadsState.add_activity,
                reset_on_submit=True,
            ),
            rx.cond(LeadsState.error != "", rx.callout(LeadsState.error, color_scheme="red", size="1")),
            rx.vstack(
                rx.foreach(
                    LeadsState.timeline,
                    lambda item: rx.hstack(
                        rx.badge(item["kind"], variant="soft", min_width="6em"),
                        rx.text(item["summary"], size="1", custom_attrs=AUTO_DIR, flex="1"),
                        rx.text(
                            item["when"],
                            title=item["exact"],
                            size="1",
                            color_scheme="gray",
                            white_space="nowrap",
                        ),
                        width="100%",
                        align="start",
                    ),
                ),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        # A drawer over the board's right edge: the board keeps its width and scrolls under it.
        position="fixed",
        top="0",
        right="0",
        height="100vh",
        width="400px",
        max_width="100vw",
        overflow_y="auto",
        z_index="10",
        box_shadow="-6px 0 18px rgba(0, 0, 0, 0.12)",
        id="lead-panel",
    )


def _leads() -> rx.Component:
    return rx.vstack(
        drag_and_drop(),
        _filters(),
        rx.hstack(
            *[_column(stage) for stage in STAGES],
            spacing="3",
            overflow_x="auto",
            scroll_snap_type="x mandatory",
            align="start",
            width="100%",
            max_width="100%",
            padding_bottom="0.5em",
            id="lead-board",
        ),
        rx.cond(LeadsState.selected.length() > 0, _panel()),
        width="100%",
        spacing="4",
    )


leads_page = shell("Leads", _leads)
