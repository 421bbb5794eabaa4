"""The waiting-list board for staff, and the read-only display for a screen in the shop."""

import reflex as rx

from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import drag_and_drop, feedback
from aisha_app.pages.layout import shell
from aisha_app.state.waiting import DisplayState, WaitingState


def _person(row: rx.Var, *buttons: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row["name"], weight="bold", custom_attrs=AUTO_DIR),
            rx.text(
                row["phone"], " · ", row["note"], " · since ", row["since"], size="1", color_scheme="gray"
            ),
            spacing="0",
        ),
        rx.spacer(),
        *buttons,
        width="100%",
        align="center",
    )


def _cancel(row: rx.Var) -> rx.Component:
    return rx.button(
        "Cancel", size="1", variant="soft", color_scheme="red", on_click=WaitingState.cancel(row["id"])
    )


def _called() -> rx.Component:
    return rx.vstack(
        rx.heading("Called", size="4"),
        rx.foreach(
            WaitingState.called,
            lambda row: rx.card(
                _person(
                    row,
                    rx.button("Served", size="1", on_click=WaitingState.serve(row["id"]), class_name="serve"),
                    _cancel(row),
                ),
                width="100%",
                class_name="called-row",
            ),
        ),
        rx.cond(
            WaitingState.called.length() == 0, rx.text("Nobody called yet.", size="2", color_scheme="gray")
        ),
        width="100%",
        max_width="420px",
    )


def _line() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Waiting", size="4"),
            rx.badge(WaitingState.line.length().to_string()),
            rx.text("about ", WaitingState.minutes_each, " min each", size="1", color_scheme="gray"),
            rx.spacer(),
            rx.button(rx.icon("megaphone"), "Call next", on_click=WaitingState.call_next, id="call-next"),
            width="100%",
            align="center",
        ),
        rx.text("Drag a row onto another to change the order.", size="1", color_scheme="gray"),
        rx.foreach(
            WaitingState.line,
            lambda row: rx.card(
                rx.hstack(
                    rx.heading(row["position"], size="5", width="1.6em"),
                    _person(
                        row,
                        rx.button("Call", size="1", variant="soft", on_click=WaitingState.call(row["id"])),
                        _cancel(row),
                    ),
                    width="100%",
                    align="center",
                ),
                width="100%",
                cursor="grab",
                class_name="waiting-row",
                custom_attrs={
                    "draggable": "true",
                    "data-drag-url": row["drag_url"],
                    "data-drop-current": row["position"],
                    "data-drop-field": "position",
                    "data-drop-value": row["position"],
                    "data-drop-type": "int",
                },
            ),
        ),
        rx.cond(
            WaitingState.line.length() == 0, rx.text("Nobody is waiting.", size="2", color_scheme="gray")
        ),
        width="100%",
        max_width="520px",
    )


def _add() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="name", placeholder="Name", required=True, width="10em"),
            rx.input(name="phone", placeholder="Phone (0712 345 678)", required=True, width="12em"),
            rx.input(name="note", placeholder="Party (e.g. 2 people)", width="10em"),
            rx.button(rx.icon("user-plus"), "Add", type="submit", id="add-to-list"),
            wrap="wrap",
        ),
        on_submit=WaitingState.add,
        reset_on_submit=True,
    )


def _settings() -> rx.Component:
    values, key = WaitingState.settings, WaitingState.settings["key"]
    return rx.form(
        rx.hstack(
            rx.text("Estimate", size="1"),
            rx.input(
                name="minutes_per_customer",
                default_value=values["minutes_per_customer"],
                key=key,
                size="1",
                width="4em",
            ),
            rx.text("min per customer until today's rate is known; no-show after", size="1"),
            rx.input(
                name="no_show_minutes",
                default_value=values["no_show_minutes"],
                key=key,
                size="1",
                width="4em",
            ),
            rx.text("min;", size="1"),
            rx.el.input(
                type="checkbox",
                name="notify_on_move",
                default_checked=values["notify_on_move"] != "",
                key=key,
            ),
            rx.text("tell customers when they move up;", size="1"),
            rx.el.input(
                type="checkbox",
                name="review_after_serve",
                default_checked=values["review_after_serve"] != "",
                key=key,
            ),
            rx.text("ask for a review after service", size="1"),
            rx.button("Save", size="1", variant="soft", type="submit", id="list-settings-save"),
            align="center",
            wrap="wrap",
        ),
        on_submit=WaitingState.save_settings,
    )


def _admin() -> rx.Component:
    return rx.cond(
        WaitingState.is_admin,
        rx.vstack(
            _settings(),
            rx.hstack(
                rx.form(
                    rx.hstack(
                        rx.input(name="name", placeholder="New list (e.g. Tailoring)", size="1"),
                        rx.button("Create list", size="1", variant="soft", type="submit"),
                    ),
                    on_submit=WaitingState.create_list,
                    reset_on_submit=True,
                ),
                rx.text("Shop screen:", size="1"),
                rx.link(
                    WaitingState.display_url,
                    href=WaitingState.display_url,
                    is_external=True,
                    size="1",
                    id="display-link",
                    overflow_wrap="anywhere",  # a long link wraps on a phone
                    min_width="0",
                ),
                rx.button("New link", size="1", variant="ghost", on_click=WaitingState.rotate_display),
                align="center",
                wrap="wrap",
            ),
            width="100%",
        ),
    )


def _board() -> rx.Component:
    return rx.vstack(
        drag_and_drop(),
        rx.hstack(
            rx.segmented_control.root(
                rx.foreach(
                    WaitingState.lists, lambda wl: rx.segmented_control.item(wl["name"], value=wl["id"])
                ),
                value=WaitingState.list_id,
                on_change=WaitingState.pick_list,
                max_width="100%",
                overflow_x="auto",
            ),
            _add(),
            spacing="4",
            wrap="wrap",
            align="center",
        ),
        feedback(WaitingState.error, WaitingState.notice, "board"),
        rx.flex(_line(), _called(), spacing="6", wrap="wrap", align="start", width="100%"),
        _admin(),
        spacing="4",
        width="100%",
    )


waiting_page = shell("Waiting list", _board)


def display_page() -> rx.Component:
    return rx.center(
        rx.cond(
            DisplayState.valid,
            rx.vstack(
                rx.heading(DisplayState.list_name, size="8"),
                rx.heading("Now serving", size="6", color_scheme="green"),
                rx.hstack(
                    rx.foreach(DisplayState.called, lambda n: rx.badge(n, size="3", color_scheme="green")),
                    wrap="wrap",
                    id="display-called",
                ),
                rx.heading("Next", size="6"),
                rx.vstack(
                    rx.foreach(DisplayState.upcoming, lambda n: rx.text(n, size="6", custom_attrs=AUTO_DIR)),
                    id="display-upcoming",
                ),
                align="center",
                spacing="5",
            ),
            rx.text("This display link is not valid (it may have been replaced).", id="display-invalid"),
        ),
        padding="3em",
        width="100%",
    )
