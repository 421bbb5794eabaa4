"""Small components Reflex does not ship."""

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class PostForm(BaseHTML):
    """A plain HTML form that the browser submits itself (``rx.el.form`` always prevents it).

    Used where the server must answer with a page and a cookie: sign-in and sign-out.
    """

    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


post_form = PostForm.create


def feedback(error: rx.Var[str], notice: rx.Var[str], prefix: str) -> rx.Component:
    """What a form's last submit did: the refusal in red or the result in green (ids prefix-…)."""
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, color_scheme="red", size="1", id=f"{prefix}-error")),
        rx.cond(notice != "", rx.callout(notice, color_scheme="green", size="1", id=f"{prefix}-notice")),
    )
