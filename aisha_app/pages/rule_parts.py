"""Pieces every part of the rule editor draws with."""

import reflex as rx

from aisha_app.state.rule_editor import RuleEditorState as S


def section(title: str, *children: rx.Component, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="2", width="100%"),
        width="100%",
        id=id,
    )


def text(name: str, placeholder: str, id: str) -> rx.Component:
    return rx.input(
        value=getattr(S.form, name),
        on_change=lambda v: S.set_text(name, v),
        placeholder=placeholder,
        width="100%",
        id=id,
    )
