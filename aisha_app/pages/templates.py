"""Settings › Templates: the WhatsApp templates with their status and quality, and an editor
with a live preview of the message as the customer's WhatsApp shows it."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import feedback, labelled
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.templates import BUTTON_ROWS
from aisha_app.state.templates import TemplatesState as S

STATUS_COLOURS = {
    "draft": "gray",
    "pending": "amber",
    "approved": "green",
    "rejected": "red",
    "paused": "orange",
    "disabled": "gray",
}
CATEGORIES = [("utility", "Utility"), ("marketing", "Marketing"), ("authentication", "Authentication")]
CHANNELS = [
    ("whatsapp_cloud", "WhatsApp Cloud"),
    ("twilio_whatsapp", "Twilio WhatsApp"),
    ("simulator", "Simulator"),
]
HEADERS = [
    ("none", "No header"),
    ("text", "Text"),
    ("image", "Picture"),
    ("video", "Video"),
    ("document", "Document"),
]
BUTTONS = [("none", "No button"), ("quick_reply", "Quick reply"), ("url", "Link"), ("phone_number", "Call")]


def _select(name: str, options: list[tuple[str, str]], label: str) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(text, value=v) for v, text in options],
        value=S.form[name],
        on_change=lambda value: S.set_field(name, value),
        class_name="native-select",
        aria_label=label,
        id=f"tpl-{name.replace('_', '-')}",
    )


def _box(name: str, label: str, placeholder: str = "", **props) -> rx.Component:
    return labelled(
        label,
        rx.input(
            default_value=S.form[name],
            key=S.rev.to_string() + name,
            on_change=lambda value: S.set_field(name, value),
            placeholder=placeholder,
            width="100%",
            id=f"tpl-{name.replace('_', '-')}",
            **props,
        ),
    )


def _area(name: str, label: str, placeholder: str, rows: str) -> rx.Component:
    return labelled(
        label,
        rx.text_area(
            default_value=S.form[name],
            key=S.rev.to_string() + name,
            on_change=lambda value: S.set_field(name, value),
            placeholder=placeholder,
            rows=rows,
            width="100%",
            custom_attrs=AUTO_DIR,
            id=f"tpl-{name.replace('_', '-')}",
        ),
    )


def _button_row(i: int) -> rx.Component:
    kind = S.form[f"b{i}_type"]
    return rx.grid(
        _select(f"b{i}_type", BUTTONS, f"Button {i + 1}"),
        rx.input(
            default_value=S.form[f"b{i}_text"],
            key=S.rev.to_string() + f"b{i}_text",
            on_change=lambda value: S.set_field(f"b{i}_text", value),
            placeholder="Its text (20 at most)",
            max_length=20,
            aria_label=f"Button {i + 1} text",
            disabled=kind == "none",
        ),
        rx.input(
            default_value=S.form[f"b{i}_target"],
            key=S.rev.to_string() + f"b{i}_target",
            on_change=lambda value: S.set_field(f"b{i}_target", value),
            placeholder=rx.cond(kind == "phone_number", "+254712345678", "https://..."),
            aria_label=f"Button {i + 1} link or number",
            disabled=(kind != "url") & (kind != "phone_number"),
        ),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="2",
        width="100%",
    )


def _preview() -> rx.Component:
    p = S.preview
    return rx.vstack(
        rx.text("Preview", size="2", weight="medium"),
        rx.box(
            rx.vstack(
                rx.cond(
                    p["media"].to(str) != "",
                    rx.center(
                        rx.icon(
                            rx.match(
                                p["media"].to(str), ("video", "video"), ("document", "file-text"), "image"
                            )
                        ),
                        class_name="tpl-media",
                    ),
                ),
                rx.cond(p["header"].to(str) != "", rx.text(p["header"].to(str), weight="bold", size="2")),
                rx.text(
                    p["body"].to(str),
                    size="2",
                    white_space="pre-wrap",
                    overflow_wrap="anywhere",
                    custom_attrs=AUTO_DIR,
                ),
                rx.cond(
                    p["footer"].to(str) != "", rx.text(p["footer"].to(str), size="1", color_scheme="gray")
                ),
                spacing="1",
                class_name="tpl-bubble",
                id="tpl-preview",
            ),
            rx.foreach(p["buttons"].to(list[str]), lambda b: rx.box(b, class_name="tpl-button")),
            class_name="tpl-phone",
        ),
        rx.text(p["count"].to(str), size="1", color_scheme="gray"),
        width="100%",
        max_width="22em",
    )


def _editor() -> rx.Component:
    f = S.form
    return rx.flex(
        rx.vstack(
            rx.heading(rx.cond(f["id"] != "", "Edit " + f["name"], "New template"), size="4"),
            _box("name", "Name (lowercase, digits, _)", "order_ready", max_length=512),
            rx.grid(
                _box("language", "Language", "en, sw, ar, en_US", max_length=16),
                labelled("Category", _select("category", CATEGORIES, "Category")),
                labelled("Channel", _select("channel", CHANNELS, "Channel")),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="2",
                width="100%",
            ),
            labelled("Header", _select("header_type", HEADERS, "Header")),
            rx.cond(
                f["header_type"] == "text", _box("header_text", "Header text (60 at most)", max_length=60)
            ),
            rx.cond(
                (f["header_type"] != "text") & (f["header_type"] != "none"),
                _box("header_url", "A sample file (https://...)", "https://shop.example/picture.jpg"),
            ),
            _area(
                "body",
                "Body: {{1}}, {{2}} ... for what changes per customer",
                "Hi {{1}}, your order {{2}} is ready.",
                "4",
            ),
            _area("examples", "Examples, one per line (for {{1}}, {{2}} ...)", "Wanjiru\nK-102", "2"),
            _area("variables", "What each holds, one per line (optional)", "first name\norder number", "2"),
            _box("footer", "Footer (60 at most)", "Kazi Workwear", max_length=60),
            rx.text("Buttons", size="2", weight="medium"),
            *[_button_row(i) for i in range(BUTTON_ROWS)],
            rx.hstack(
                rx.button("Save draft", on_click=S.save, id="tpl-save"),
                rx.cond(f["id"] != "", rx.button("Cancel", variant="soft", on_click=S.new)),
            ),
            width="100%",
            max_width="36em",
            spacing="2",
        ),
        _preview(),
        direction=rx.breakpoints(initial="column", md="row"),
        gap="1.5em",
        width="100%",
    )


def _row(t) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(t["name"], weight="bold", size="2", overflow_wrap="anywhere"),
                rx.badge(
                    t["status"], color_scheme=rx.match(t["status"].to(str), *STATUS_COLOURS.items(), "gray")
                ),
                rx.cond(t["quality"] != "", rx.badge("quality " + t["quality"].to(str), variant="outline")),
                rx.text(
                    t["language"], " · ", t["channel"], " · ", t["category"], size="1", color_scheme="gray"
                ),
                gap="0.5em",
                wrap="wrap",
                align="center",
            ),
            rx.text(
                t["body"], size="2", white_space="pre-wrap", overflow_wrap="anywhere", custom_attrs=AUTO_DIR
            ),
            rx.cond(t["reason"] != "", rx.text("Rejected: ", t["reason"], size="1", color_scheme="red")),
            rx.cond(
                S.is_admin,
                rx.hstack(
                    rx.cond(
                        t["editable"].to(bool),
                        rx.fragment(
                            rx.button("Edit", size="1", variant="soft", on_click=S.edit(t["form"])),
                            rx.button("Submit for approval", size="1", on_click=S.submit(t["id"].to(str))),
                        ),
                    ),
                    rx.button(
                        "Delete",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.delete(t["id"].to(str)),
                    ),
                    wrap="wrap",
                ),
            ),
            width="100%",
            spacing="2",
        ),
        width="100%",
        class_name="template-row",
    )


def _templates() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Outside WhatsApp's 24-hour window only an approved template reaches a customer. Write one "
            "here, submit it (Meta or Twilio reviews it, often within a day), and it is offered in the "
            "inbox and to automations once approved. Templates made in Meta's or Twilio's console come "
            "in with Sync.",
            size="2",
            color_scheme="gray",
        ),
        feedback(S.error, S.notice, "templates"),
        rx.cond(
            S.is_admin,
            rx.button(
                rx.icon("refresh-cw"),
                "Sync from the providers",
                variant="soft",
                on_click=S.sync,
                id="tpl-sync",
            ),
        ),
        rx.cond(S.is_admin, _editor()),
        rx.cond(
            S.templates.length() > 0,
            rx.vstack(rx.foreach(S.templates, _row), width="100%", max_width="48em", id="templates"),
            empty_state(
                "No templates yet", "Admins write them here, or sync them from the providers.", "file-check"
            ),
        ),
        width="100%",
        spacing="4",
    )


templates_page = shell("Templates", _templates, back=("Settings", routes.SETTINGS))
