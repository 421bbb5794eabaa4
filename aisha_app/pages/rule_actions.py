"""The rule editor's "Then": ordered actions, each with the boxes its kind needs."""

import reflex as rx

from aisha_app.actions.canned import VARIABLES
from aisha_app.automations.form import ACTIONS, CANCELS, ROUND_ROBIN, STAGES, STATUSES, UNITS
from aisha_app.automations.rules import MAX_ACTIONS
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import choice, labelled
from aisha_app.pages.rule_parts import section
from aisha_app.state.rule_editor import RuleEditorState as S

_VARIABLES = "Variables: " + ", ".join(
    "{{" + name + "}}" for name in VARIABLES if name.startswith("contact.")
)


def _action_fields(i, row) -> rx.Component:
    def box(key: str, placeholder: str, label: str) -> rx.Component:
        return labelled(
            label,
            rx.input(
                value=getattr(row, key),
                on_change=lambda v: S.set_action(i, key, v),
                placeholder=placeholder,
                width="100%",
                class_name=f"action-{key}",
            ),
        )

    def message(label: str) -> rx.Component:
        return labelled(
            label,
            rx.text_area(
                value=row.text,
                on_change=lambda v: S.set_action(i, "text", v),
                rows="3",
                width="100%",
                custom_attrs=AUTO_DIR,
                class_name="action-text",
            ),
        )

    def pick(options, label: str) -> rx.Component:
        return labelled(label, choice(options, row.value, lambda v: S.set_action(i, "value", v), label))

    template_extras = rx.fragment(
        box("language", "en", "Template language (blank: the contact's)"),
        labelled(
            "Template variables, one per line",
            rx.text_area(
                value=row.variables,
                on_change=lambda v: S.set_action(i, "variables", v),
                rows="2",
                width="100%",
            ),
        ),
    )
    staff = rx.el.select(
        rx.el.option("Choose…", value=""),
        rx.el.option("Take turns among the active agents", value=ROUND_ROBIN),
        rx.foreach(S.staff, lambda u: rx.el.option(u[1], value=u[0])),
        value=row.value,
        on_change=lambda v: S.set_action(i, "value", v),
        class_name="native-select",
        aria_label="Assign to",
    )
    return rx.match(
        row.type,
        (
            "send_text",
            rx.fragment(
                message("Message"),
                rx.text(_VARIABLES, size="1", color_scheme="gray"),
                box(
                    "template", "order_update", "Outside the 24-hour window send this template (blank: skip)"
                ),
                template_extras,
            ),
        ),
        ("send_template", rx.fragment(box("name", "order_update", "Template name"), template_extras)),
        (
            "webhook",
            rx.fragment(
                box("url", "https://your-crm.example/hooks/aisha", "Address (POST, JSON)"),
                box("timeout", "10", "Wait for an answer, seconds (at most 10)"),
                rx.text(
                    "Signed with HMAC-SHA256 of the timestamp and the body (headers X-Aisha-Timestamp, "
                    "X-Aisha-Signature, X-Aisha-Delivery) using AUTOMATION_WEBHOOK_SECRET; retried until "
                    "it answers 2xx.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
        ),
        ("start_review", box("name", "Safety boots", "About the product (blank: the customer says)")),
        (
            "add_to_waiting_list",
            rx.fragment(
                box("name", "Fitting room", "The list (blank: the first open one)"),
                pick([("", "Tell the customer their place"), ("quiet", "Do not tell them")], "Tell"),
            ),
        ),
        (
            "send_media",
            rx.fragment(
                box("url", "https://shop.example/price-list.jpg", "The file's address"),
                pick(
                    [
                        ("image", "A picture"),
                        ("document", "A document"),
                        ("video", "A video"),
                        ("audio", "A voice note"),
                    ],
                    "Kind",
                ),
                message("Caption (optional)"),
                rx.text("Only inside the 24-hour window.", size="1", color_scheme="gray"),
            ),
        ),
        ("add_tag", box("name", "vip", "Tag")),
        ("remove_tag", box("name", "vip", "Tag")),
        ("add_label", box("name", "urgent", "Label")),
        ("remove_label", box("name", "urgent", "Label")),
        ("set_attribute", rx.fragment(box("name", "size", "Attribute"), box("value", "XL", "Value"))),
        ("assign", labelled("Assign to", staff)),
        ("set_status", pick([(s, s.capitalize()) for s in STATUSES], "Status")),
        (
            "set_assistant",
            pick([("on", "The assistant answers"), ("off", "The assistant steps back")], "Assistant"),
        ),
        (
            "note",
            rx.fragment(
                message("Note (only staff see it)"), rx.text(_VARIABLES, size="1", color_scheme="gray")
            ),
        ),
        ("move_lead_stage", pick([(s, s.capitalize()) for s in STAGES], "Stage")),
        (
            "wait",
            rx.vstack(
                rx.flex(
                    labelled(
                        "For",
                        rx.input(
                            value=row.wait_for,
                            on_change=lambda v: S.set_action(i, "wait_for", v),
                            type="number",
                            min="1",
                            width="100%",
                            class_name="action-wait-for",
                        ),
                    ),
                    labelled(
                        "Unit",
                        choice(
                            [(u, u) for u in UNITS],
                            row.wait_unit,
                            lambda v: S.set_action(i, "wait_unit", v),
                            "Unit",
                        ),
                    ),
                    direction="row",
                    gap="0.5em",
                    width="100%",
                ),
                rx.text("End the rule instead if meanwhile", size="2"),
                *[
                    rx.checkbox(
                        said,
                        checked=row.cancel_if.contains(reason),
                        on_change=lambda on, reason=reason: S.toggle_cancel(i, reason, on),
                        class_name=f"cancel-{reason}",
                    )
                    for reason, said in CANCELS.items()
                ],
                rx.text(
                    "From 10 minutes to 30 days. The rest of the rule runs when the wait ends, even "
                    "if the app restarted meanwhile.",
                    size="1",
                    color_scheme="gray",
                ),
                width="100%",
                spacing="2",
            ),
        ),
        rx.fragment(),
    )


def _action(row, i) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge((i + 1).to(str), variant="soft", radius="full"),
                choice(list(ACTIONS.items()), row.type, lambda v: S.set_action(i, "type", v), "Action"),
                rx.icon_button(
                    rx.icon("arrow-up", size=14),
                    variant="ghost",
                    on_click=S.move_action(i, -1),
                    aria_label="Move up",
                ),
                rx.icon_button(
                    rx.icon("arrow-down", size=14),
                    variant="ghost",
                    on_click=S.move_action(i, 1),
                    aria_label="Move down",
                ),
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.remove_action(i),
                    aria_label="Remove action",
                ),
                align="center",
                width="100%",
                spacing="2",
            ),
            _action_fields(i, row),
            width="100%",
            spacing="2",
        ),
        width="100%",
        variant="surface",
        class_name="action",
    )


def actions() -> rx.Component:
    return section(
        "Then",
        rx.foreach(S.form.actions, _action),
        rx.cond(
            S.form.actions.length() < MAX_ACTIONS,
            rx.button(
                rx.icon("plus", size=14),
                "Add action",
                size="1",
                variant="soft",
                on_click=S.add_action,
                id="add-action",
            ),
        ),
        id="rule-actions",
    )
