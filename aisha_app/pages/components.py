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
