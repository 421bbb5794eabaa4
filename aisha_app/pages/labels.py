"""Settings › Labels: the conversation labels, their names and colours."""

import reflex as rx

from aisha_app import routes
from aisha_app.models import LABEL_COLOURS
from aisha_app.pages.components import choice, feedback
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.labels import LabelsState as S

COLOURS = [(c, c) for c in LABEL_COLOURS]


def _row(label) -> rx.Component:
    return rx.flex(
        rx.badge(
            label[1], color_scheme=rx.match(label[2], *[(c, c) for c in LABEL_COLOURS], "gray"), size="2"
        ),
        rx.cond(
            S.is_admin,
            rx.flex(
                rx.input(
                    default_value=label[1],
                    key=label[0] + label[1],
                    on_blur=lambda v: S.rename(label[0], v),
                    max_length=40,
                    aria_label="Name",
                    class_name="label-name",
                    width="100%",
                ),
                choice(COLOURS, label[2], lambda v: S.recolour(label[0], v), "Colour"),
                rx.button(
                    "Delete", size="1", variant="soft", color_scheme="red", on_click=S.delete(label[0])
                ),
                gap="0.5em",
                align="center",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        gap="0.5em",
        align=rx.breakpoints(initial="start", sm="center"),
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
        class_name="label-row",
    )


def _labels() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Labels sort conversations (the inbox filters by them; automations add and remove them). "
            "A new name reaches every conversation that has the label; a label first typed on a "
            "conversation is kept here, grey.",
            size="2",
            color_scheme="gray",
        ),
        feedback(S.error, S.notice, "labels"),
        rx.cond(
            S.is_admin,
            rx.flex(
                rx.input(
                    placeholder="New label",
                    value=S.new_name,
                    on_change=lambda v: S.set_new("new_name", v),
                    max_length=40,
                    id="label-new-name",
                    width="100%",
                ),
                choice(
                    COLOURS, S.new_colour, lambda v: S.set_new("new_colour", v), "Colour", "label-new-colour"
                ),
                rx.button("Add", on_click=S.create, id="label-add"),
                gap="0.5em",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        rx.cond(
            S.labels.length() > 0,
            rx.vstack(rx.foreach(S.labels, _row), width="100%", spacing="3", id="labels"),
            empty_state("No labels yet", "Add one here, or type one on a conversation.", "tag"),
        ),
        width="100%",
        max_width="48em",
        spacing="4",
    )


labels_page = shell("Labels", _labels, back=("Settings", routes.SETTINGS))
