"""Settings › Actions: register the endpoints the assistant may call, and see them at a glance."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.components import edit_delete, feedback, labelled
from aisha_app.pages.layout import shell
from aisha_app.state.actions import ActionsState


def _form() -> rx.Component:
    f = ActionsState.form
    key = f["id"] + f["name"]  # a new key re-renders the uncontrolled fields with the row's values
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.heading(rx.cond(f["id"] != "", "Edit action", "New action"), size="4"),
                    rx.spacer(),
                    rx.button("New", size="1", variant="ghost", type="button", on_click=ActionsState.new),
                    width="100%",
                ),
                labelled(
                    "Name (lower case, e.g. order_status)",
                    rx.input(
                        name="name",
                        default_value=f["name"],
                        key=key,
                        required=True,
                        id="action-name",
                        width="100%",
                    ),
                ),
                labelled(
                    "What it does (the model reads this to decide when to call it)",
                    rx.text_area(
                        name="description",
                        default_value=f["description"],
                        key=key,
                        rows="2",
                        width="100%",
                        id="action-description",
                    ),
                ),
                labelled(
                    "Parameters (JSON schema)",
                    rx.text_area(
                        name="parameters",
                        default_value=f["parameters"],
                        key=key,
                        rows="6",
                        width="100%",
                        font_family="monospace",
                        id="action-parameters",
                    ),
                ),
                rx.hstack(
                    rx.el.select(
                        *[rx.el.option(m, value=m) for m in ("POST", "GET", "PUT", "PATCH", "DELETE")],
                        name="method",
                        default_value=f["method"],
                        key=key,
                    ),
                    rx.input(name="url", default_value=f["url"], key=key, width="100%", id="action-url"),
                    width="100%",
                ),
                rx.hstack(
                    rx.input(
                        name="auth_header_name",
                        default_value=f["auth_header_name"],
                        key=key,
                        placeholder="Header",
                        width="35%",
                    ),
                    rx.input(
                        name="auth_header_value",
                        type="password",
                        key=key,
                        placeholder=rx.cond(
                            f["has_secret"] != "", "set: blank keeps it, - removes it", "Bearer ..."
                        ),
                        width="65%",
                        auto_complete="off",
                        id="action-secret",
                    ),
                    width="100%",
                ),
                rx.hstack(
                    rx.text("Timeout (s)", size="2"),
                    rx.input(
                        name="timeout_seconds", default_value=f["timeout_seconds"], key=key, width="5em"
                    ),
                    rx.el.input(
                        type="checkbox", name="is_active", default_checked=f["is_active"] != "", key=key
                    ),
                    rx.text("Active", size="2"),
                    align="center",
                ),
                feedback(ActionsState.error, ActionsState.notice, "action"),
                rx.button("Save", type="submit", id="action-save"),
                width="100%",
            ),
            on_submit=ActionsState.save,
        ),
        width="100%",
        max_width="560px",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.text(
            "The assistant calls an action when a customer's question needs it, with a timeout; "
            "the answer goes back to the model. Gemini only: the offline assistant calls none.",
            size="2",
            color_scheme="gray",
        ),
        rx.foreach(
            ActionsState.actions,
            lambda a: rx.card(
                rx.hstack(
                    rx.vstack(
                        rx.hstack(
                            rx.code(a["name"]),
                            rx.badge(a["method"]),
                            rx.cond(a["is_active"] == "", rx.badge("off", color_scheme="gray")),
                            rx.cond(a["has_secret"] != "", rx.badge("auth header set", color_scheme="green")),
                        ),
                        rx.text(a["description"], size="2"),
                        rx.text(a["url"], size="1", color_scheme="gray"),
                        spacing="1",
                    ),
                    rx.spacer(),
                    edit_delete(ActionsState.edit(a), ActionsState.delete(a["id"])),
                    width="100%",
                ),
                width="100%",
                class_name="action-row",
            ),
        ),
        width="100%",
        max_width="640px",
    )


def _actions() -> rx.Component:
    return rx.flex(_form(), _list(), spacing="5", wrap="wrap", align="start", width="100%")


actions_page = shell("Assistant actions", _actions, back=("Settings", routes.SETTINGS))
