"""Settings › Canned responses: replies staff insert by typing / in the composer."""

import reflex as rx

from aisha_app import routes
from aisha_app.actions.canned import VARIABLES
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import edit_delete, feedback, labelled
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.canned import CannedState

_HELP = "Variables: " + ", ".join("{{" + name + "}} (" + what + ")" for name, what in VARIABLES.items())


def _form() -> rx.Component:
    f = CannedState.form
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(f["id"], "Edit /" + f["shortcut"].to(str), "New canned response"), size="4"),
            labelled(
                "Shortcut (typed after /)",
                rx.input(
                    name="shortcut",
                    placeholder="thanks",
                    default_value=f["shortcut"].to(str),
                    key=f["id"].to(str),
                    required=True,
                    max_length=32,
                    width="100%",
                    id="canned-shortcut",
                ),
            ),
            labelled(
                "Text",
                rx.text_area(
                    name="text",
                    placeholder="Asante {{contact.first_name}}! We open at 8 am.",
                    default_value=f["text"].to(str),
                    key=f["id"].to(str),
                    required=True,
                    rows="4",
                    max_length=4096,
                    custom_attrs=AUTO_DIR,
                    width="100%",
                    id="canned-text",
                ),
            ),
            rx.text(_HELP, size="1", color_scheme="gray"),
            rx.hstack(
                rx.button("Save", type="submit", id="canned-save"),
                rx.cond(
                    f["id"], rx.button("Cancel", variant="soft", type="button", on_click=CannedState.new)
                ),
            ),
            width="100%",
            max_width="40em",
        ),
        on_submit=CannedState.save,
        reset_on_submit=True,
        width="100%",
    )


def _row(c) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.code("/" + c["shortcut"].to(str)),
                rx.spacer(),
                rx.cond(CannedState.is_admin, edit_delete(CannedState.edit(c), CannedState.delete(c["id"]))),
                width="100%",
                align="center",
            ),
            rx.text(
                c["text"], size="2", white_space="pre-wrap", overflow_wrap="anywhere", custom_attrs=AUTO_DIR
            ),
            width="100%",
        ),
        width="100%",
        class_name="canned-response",
    )


def _canned() -> rx.Component:
    return rx.vstack(
        rx.text("Type / in the inbox's reply box to insert one.", color_scheme="gray", size="2"),
        feedback(CannedState.error, CannedState.notice, "canned"),
        rx.cond(CannedState.is_admin, _form()),
        rx.cond(
            CannedState.responses.length() > 0,
            rx.vstack(
                rx.foreach(CannedState.responses, _row), width="100%", max_width="40em", id="canned-list"
            ),
            empty_state(
                "No canned responses yet", "Admins add replies the team sends often.", "message-square-text"
            ),
        ),
        width="100%",
        spacing="4",
    )


canned_page = shell("Canned responses", _canned, back=("Settings", routes.SETTINGS))
