"""The rule editor: when, only if, then, in words; a dry run against a chosen customer."""

import reflex as rx

from aisha_app import routes
from aisha_app.automations.form import FIELD_LABELS, GROUPS, OPS, OPS_FOR
from aisha_app.automations.rules import MAX_CONDITIONS
from aisha_app.pages.automations import run_details, status_badge
from aisha_app.pages.components import choice, feedback, labelled
from aisha_app.pages.layout import shell
from aisha_app.pages.rule_actions import actions
from aisha_app.pages.rule_parts import section, text
from aisha_app.pages.rule_trigger import trigger
from aisha_app.state.rule_editor import RuleEditorState as S


def _ops(group: str, i, row) -> rx.Component:
    def select(kind: str) -> rx.Component:
        return choice(
            [(op, OPS[op]) for op in OPS_FOR[kind]],
            row.op,
            lambda v: S.set_condition(group, i, "op", v),
            "Comparison",
        )

    return rx.match(row.kind, *[(kind, select(kind)) for kind in OPS_FOR], select("text"))


def _value(group: str, i, row) -> rx.Component:
    yes_no = choice(
        [("yes", "yes"), ("no", "no")], row.value, lambda v: S.set_condition(group, i, "value", v), "Value"
    )
    box = rx.input(
        value=row.value,
        on_change=lambda v: S.set_condition(group, i, "value", v),
        placeholder=rx.cond((row.op == "in") | (row.op == "not_in"), "one, another", "value"),
        width="100%",
        class_name="cond-value",
    )
    return rx.cond(
        (row.op == "is_set") | (row.op == "is_not_set"),
        rx.fragment(),
        rx.cond(row.kind == "bool", yes_no, box),
    )


def _condition(group: str):
    def row_of(row, i) -> rx.Component:
        return rx.flex(
            choice(
                list(FIELD_LABELS.items()),
                row.field,
                lambda v: S.set_condition(group, i, "field", v),
                "Field",
            ),
            rx.cond(
                row.field == "attribute",
                rx.input(
                    value=row.attribute,
                    on_change=lambda v: S.set_condition(group, i, "attribute", v),
                    placeholder="attribute name",
                    width="100%",
                ),
            ),
            _ops(group, i, row),
            _value(group, i, row),
            rx.icon_button(
                rx.icon("x", size=14),
                variant="soft",
                color_scheme="gray",
                on_click=S.remove_condition(group, i),
                aria_label="Remove condition",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="0.5em",
            align=rx.breakpoints(initial="stretch", sm="center"),
            width="100%",
            class_name="condition",
        )

    return row_of


def _conditions() -> rx.Component:
    def group(name: str, hint: str) -> rx.Component:
        return rx.vstack(
            rx.text(GROUPS[name], size="2", weight="medium"),
            rx.text(hint, size="1", color_scheme="gray"),
            rx.foreach(getattr(S.form, name), _condition(name)),
            rx.cond(
                getattr(S.form, name).length() < MAX_CONDITIONS,
                rx.button(
                    rx.icon("plus", size=14),
                    "Add condition",
                    size="1",
                    variant="soft",
                    on_click=S.add_condition(name),
                    id=f"add-condition-{name}",
                ),
            ),
            width="100%",
            spacing="2",
        )

    return section(
        "Only if",
        group("all", "Each must be true. None: always."),
        group("any", "If there are some, at least one must be true as well."),
        id="rule-conditions",
    )


def _options() -> rx.Component:
    f = S.form
    once = [("", "Every time"), ("contact", "Once per contact"), ("conversation", "Once per conversation")]
    return section(
        "Options",
        labelled("Runs", choice(once, f.once_per, lambda v: S.set_text("once_per", v), "Runs", "rule-once")),
        rx.checkbox(
            "May message customers in quiet hours (" + S.quiet_hours + " in the customer's time zone)",
            checked=f.ignore_quiet_hours,
            on_change=lambda on: S.set_flag("ignore_quiet_hours", on),
            id="rule-quiet",
        ),
        rx.text(
            "A customer gets at most " + S.daily_limit.to(str) + " automated messages a day, from all rules.",
            size="1",
            color_scheme="gray",
        ),
        id="rule-options",
    )


def _dry_run() -> rx.Component:
    return section(
        "Try it",
        rx.text(
            "See what the rule as it stands would do for a customer now, as if its trigger had just "
            "happened. Nothing is sent or changed.",
            size="2",
            color_scheme="gray",
        ),
        rx.input(
            placeholder="Customer name or phone",
            value=S.try_search,
            on_change=S.find_customer,
            debounce_timeout=300,
            width="100%",
            id="try-search",
        ),
        rx.foreach(
            S.try_matches,
            lambda c: rx.button(
                c[1],
                variant="ghost",
                size="2",
                on_click=S.choose_customer(c[0]),
                class_name="try-match",
                white_space="normal",
                height="auto",
                text_align="start",
                max_width="100%",
            ),
        ),
        rx.cond(
            S.try_contact.length() > 0,
            rx.button(
                rx.icon("flask-conical", size=16),
                "Try on " + S.try_contact[1],
                on_click=S.dry_run,
                variant="soft",
                id="try-run",
                max_width="100%",
                white_space="normal",
                height="auto",
                min_height="var(--space-6)",
            ),
        ),
        rx.cond(
            S.dry_status != "",
            rx.vstack(
                rx.hstack(
                    status_badge(S.dry_status),
                    rx.text("Nothing was sent or changed.", size="1"),
                    align="center",
                ),
                rx.cond(S.dry_trigger != "", rx.text(S.dry_trigger, size="1", id="dry-trigger")),
                rx.cond(S.dry_reason != "", rx.text(S.dry_reason, size="1", color_scheme="red")),
                run_details(S.dry_checks, S.dry_steps),
                width="100%",
                id="dry-result",
            ),
        ),
        id="rule-try",
    )


def _editor() -> rx.Component:
    f = S.form
    return rx.vstack(
        feedback(S.error, S.notice, "rule"),
        section(
            "Name",
            text("name", "Tag customers who ask for prices", "rule-name"),
            rx.checkbox(
                "On", checked=f.is_active, on_change=lambda on: S.set_flag("is_active", on), id="rule-active"
            ),
            id="rule-name-section",
        ),
        trigger(),
        _conditions(),
        actions(),
        _options(),
        rx.cond(
            S.is_admin,
            rx.hstack(
                rx.button("Save", on_click=S.save, id="rule-save"),
                rx.cond(
                    S.can_run_now,
                    rx.button("Run now", variant="soft", on_click=S.run_now, id="rule-run-now"),
                ),
                rx.cond(
                    S.rule_id > 0,
                    rx.link("Run log", href=routes.AUTOMATION_RUNS + "?rule=" + S.rule_id.to(str)),
                ),
                align="center",
                spacing="4",
            ),
            rx.text("Only admins save automations.", size="2", color_scheme="gray"),
        ),
        feedback(S.error, S.notice, "rule-bottom"),
        _dry_run(),
        width="100%",
        max_width="48em",
        spacing="3",
    )


editor_page = shell("Automation", _editor, back=("Automations", routes.AUTOMATIONS))
