"""Settings › Attributes: what each custom attribute of a contact holds."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.components import choice, feedback, labelled
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.attributes import KINDS
from aisha_app.state.attributes import AttributesState as S


def _row(d) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(d[2], weight="bold", size="2"),
            rx.text(d[1], " · ", d[3], rx.cond(d[4] != "", ": " + d[4], ""), size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            S.is_admin,
            rx.button("Remove", size="1", variant="soft", color_scheme="red", on_click=S.undefine(d[0])),
        ),
        align="center",
        gap="0.5em",
        width="100%",
        class_name="attribute-row",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.flex(
            labelled(
                "Key (as in the API and CSV)", rx.input(name="key", placeholder="shoe_size", id="attr-key")
            ),
            labelled("Shown as", rx.input(name="label", placeholder="Shoe size", id="attr-label")),
            labelled("Holds", choice(list(KINDS.items()), S.kind, S.set_kind, "Holds", "attr-kind")),
            rx.cond(
                S.kind == "choice",
                labelled(
                    "Choices, comma separated",
                    rx.input(name="choices", placeholder="S, M, L", id="attr-choices"),
                ),
            ),
            rx.button("Define", type="submit", id="attr-define"),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="0.5em",
            align=rx.breakpoints(initial="stretch", sm="end"),
            wrap="wrap",
            width="100%",
        ),
        on_submit=S.define,
        reset_on_submit=True,
        width="100%",
    )


def _attributes() -> rx.Component:
    return rx.vstack(
        rx.text(
            "A defined attribute's values are checked wherever a contact gets one (the contact "
            "panel, the API, a CSV import) and kept in one form: a number as a number, a date as "
            "YYYY-MM-DD (birthday-like rules can greet on it), yes or no, or one of its choices.",
            size="2",
            color_scheme="gray",
        ),
        feedback(S.error, S.notice, "attributes"),
        rx.cond(S.is_admin, _form()),
        rx.cond(
            S.definitions.length() > 0,
            rx.vstack(rx.foreach(S.definitions, _row), width="100%", spacing="3", id="attributes"),
            empty_state(
                "No attributes defined", "Any attribute is free text until it is defined here.", "list"
            ),
        ),
        width="100%",
        max_width="48em",
        spacing="4",
    )


attributes_page = shell("Attributes", _attributes, back=("Settings", routes.SETTINGS))
