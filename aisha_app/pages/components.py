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


def edit_delete(on_edit: rx.event.EventSpec, on_delete: rx.event.EventSpec) -> rx.Component:
    """The two small buttons at the end of an editable row."""
    return rx.hstack(
        rx.button("Edit", size="1", variant="soft", on_click=on_edit),
        rx.button("Delete", size="1", variant="soft", color_scheme="red", on_click=on_delete),
    )


def drag_and_drop() -> rx.Component:
    """assets/dnd.js and the outline it puts on a drop zone (data-drag-url / data-drop-* attributes)."""
    return rx.fragment(
        rx.el.style(".drop-hover { outline: 2px dashed var(--accent-9); outline-offset: 2px; }"),
        rx.script(src="/dnd.js"),
    )


def labelled(label: str, control: rx.Component) -> rx.Component:
    """A form field: its label above it."""
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def choice(
    options: list[tuple[str, str]], value: rx.Var[str], on_change, label: str, id: str | None = None
) -> rx.Component:
    """A native select of (value, label) pairs: the phone's own picker, easy to reach by thumb.
    ``label`` is what a screen reader says (and a test finds it by); ``id`` only for one of a kind."""
    return rx.el.select(
        *[rx.el.option(text, value=v) for v, text in options],
        value=value,
        on_change=on_change,
        class_name="native-select",
        aria_label=label,
        **({"id": id} if id else {}),
    )


def attribute_boxes(attrs: rx.Var, key: rx.Var[str], prefix: str) -> rx.Component:
    """A contact's defined attributes, one box each as its definition says: a number box, a date
    picker, yes/no or its choices in a select, else text. ``attrs`` as actions.attributes.boxes
    gives them; ``key`` changes when the contact or its saved values do (the boxes start again)."""

    def box(a) -> rx.Component:
        name, value = "attr." + a["key"].to(str), a["value"].to(str)
        common = {"name": name, "key": key + name + value, "aria_label": a["label"].to(str)}
        listed = [rx.el.option("", value="")]
        control = rx.match(
            a["kind"].to(str),
            (
                "yes_no",
                rx.el.select(
                    *listed,
                    rx.el.option("yes", value="yes"),
                    rx.el.option("no", value="no"),
                    default_value=value,
                    class_name="native-select small",
                    **common,
                ),
            ),
            (
                "choice",
                rx.el.select(
                    *listed,
                    rx.foreach(a["choices"].to(list[str]), lambda c: rx.el.option(c, value=c)),
                    default_value=value,
                    class_name="native-select small",
                    **common,
                ),
            ),
            (
                "number",
                rx.input(type="number", step="any", default_value=value, size="1", width="100%", **common),
            ),
            ("date", rx.input(type="date", default_value=value, size="1", width="100%", **common)),
            rx.input(default_value=value, max_length=1000, size="1", width="100%", **common),
        )
        return rx.vstack(
            rx.text(a["label"].to(str), size="1", color_scheme="gray"),
            control,
            spacing="0",
            width="100%",
            class_name=f"{prefix}attribute",
        )

    return rx.foreach(attrs, box)
