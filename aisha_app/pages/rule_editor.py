"""The rule editor: when, only if, then, in words; a dry run against a chosen customer."""

import reflex as rx

from aisha_app import routes
from aisha_app.actions.canned import VARIABLES
from aisha_app.automations.form import (
    ACTIONS,
    CANCELS,
    EVERY,
    FIELD_LABELS,
    GROUPS,
    MATCHES,
    OPS,
    OPS_FOR,
    ROUND_ROBIN,
    STAGES,
    STATUSES,
    TRIGGERS,
    UNITS,
    WAITING_FOR,
    WEEKDAYS,
)
from aisha_app.automations.rules import MAX_ACTIONS, MAX_CONDITIONS
from aisha_app.pages.automations import run_details, status_badge
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import choice, feedback, labelled
from aisha_app.pages.layout import shell
from aisha_app.state.rule_editor import RuleEditorState as S

_VARIABLES = "Variables: " + ", ".join(
    "{{" + name + "}}" for name in VARIABLES if name.startswith("contact.")
)
_ANY_STAGE = [("", "any stage")] + [(s, s.capitalize()) for s in STAGES]


def _text(name: str, placeholder: str, id: str) -> rx.Component:
    return rx.input(
        value=getattr(S.form, name),
        on_change=lambda v: S.set_text(name, v),
        placeholder=placeholder,
        width="100%",
        id=id,
    )


def _section(title: str, *children: rx.Component, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="2", width="100%"),
        width="100%",
        id=id,
    )


def _trigger() -> rx.Component:
    f = S.form
    return _section(
        "When",
        choice(
            list(TRIGGERS.items()), f.trigger, lambda v: S.set_text("trigger", v), "Trigger", "rule-trigger"
        ),
        rx.match(
            f.trigger,
            (
                "keyword",
                rx.vstack(
                    labelled(
                        "Keywords, one per line",
                        rx.text_area(
                            value=f.keywords,
                            on_change=lambda v: S.set_text("keywords", v),
                            placeholder="price\nbei\nسعر",
                            rows="3",
                            width="100%",
                            custom_attrs=AUTO_DIR,
                            id="rule-keywords",
                        ),
                    ),
                    labelled(
                        "Found",
                        choice(
                            list(MATCHES.items()),
                            f.match,
                            lambda v: S.set_text("match", v),
                            "Found",
                            "rule-match",
                        ),
                    ),
                    rx.text(
                        "Capitals, accents and Arabic-Indic digits do not matter: Bei, BEI and bei are one.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            ("tag_added", labelled("The tag (blank: any tag)", _text("tag", "vip", "rule-trigger-tag"))),
            (
                "label_added",
                labelled("The label (blank: any label)", _text("label", "urgent", "rule-trigger-label")),
            ),
            (
                "lead_stage_changed",
                rx.flex(
                    labelled(
                        "From",
                        choice(
                            _ANY_STAGE,
                            f.from_stage,
                            lambda v: S.set_text("from_stage", v),
                            "From",
                            "rule-from",
                        ),
                    ),
                    labelled(
                        "To",
                        choice(_ANY_STAGE, f.to_stage, lambda v: S.set_text("to_stage", v), "To", "rule-to"),
                    ),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    gap="0.5em",
                    width="100%",
                ),
            ),
            (
                "birthday",
                rx.vstack(
                    rx.flex(
                        labelled(
                            "Days before (0: on the day)",
                            rx.input(
                                value=f.days_before,
                                on_change=lambda v: S.set_text("days_before", v),
                                type="number",
                                min="0",
                                max="30",
                                width="100%",
                                id="rule-days-before",
                            ),
                        ),
                        labelled(
                            "At",
                            rx.input(
                                value=f.at,
                                on_change=lambda v: S.set_text("at", v),
                                type="time",
                                width="100%",
                                id="rule-at",
                            ),
                        ),
                        direction=rx.breakpoints(initial="column", sm="row"),
                        gap="0.5em",
                        width="100%",
                    ),
                    rx.text(
                        "In the customer's time zone, else the shop's. A 29 February birthday is celebrated "
                        "on 28 February in other years. If the app was down, a greeting goes out late, "
                        "but not more than " + S.late_hours.to(str) + " hours late. Each customer is "
                        "greeted once a year.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            (
                "schedule",
                rx.vstack(
                    rx.flex(
                        labelled(
                            "How often",
                            choice(
                                list(EVERY.items()),
                                f.every,
                                lambda v: S.set_text("every", v),
                                "How often",
                                "rule-every",
                            ),
                        ),
                        labelled(
                            "At",
                            rx.input(
                                value=f.at,
                                on_change=lambda v: S.set_text("at", v),
                                type="time",
                                width="100%",
                                id="rule-schedule-at",
                            ),
                        ),
                        direction=rx.breakpoints(initial="column", sm="row"),
                        gap="0.5em",
                        width="100%",
                    ),
                    rx.cond(
                        f.every == "week",
                        labelled(
                            "On",
                            choice(
                                [(str(i), d) for i, d in enumerate(WEEKDAYS)],
                                f.weekday,
                                lambda v: S.set_text("weekday", v),
                                "On",
                                "rule-weekday",
                            ),
                        ),
                    ),
                    rx.cond(
                        f.every == "month",
                        labelled(
                            "Day of the month (1 to 28)",
                            rx.input(
                                value=f.day,
                                on_change=lambda v: S.set_text("day", v),
                                type="number",
                                min="1",
                                max="28",
                                width="100%",
                                id="rule-day",
                            ),
                        ),
                    ),
                    labelled(
                        "For the segment",
                        rx.el.select(
                            rx.el.option("Choose…", value=""),
                            rx.foreach(S.segments, lambda g: rx.el.option(g[1], value=g[0])),
                            value=f.segment,
                            on_change=lambda v: S.set_text("segment", v),
                            class_name="native-select",
                            aria_label="Segment",
                            id="rule-segment",
                        ),
                    ),
                    rx.text(
                        "In the shop's time zone; once for each member of the segment who may be messaged "
                        "(not those who opted out). Segments are saved on the Contacts page.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            (
                "idle",
                rx.vstack(
                    choice(
                        list(WAITING_FOR.items()),
                        f.waiting_for,
                        lambda v: S.set_text("waiting_for", v),
                        "Waiting for",
                        "rule-waiting-for",
                    ),
                    rx.flex(
                        labelled(
                            "For",
                            rx.input(
                                value=f.idle_for,
                                on_change=lambda v: S.set_text("idle_for", v),
                                type="number",
                                min="1",
                                width="100%",
                                id="rule-idle-for",
                            ),
                        ),
                        labelled(
                            "Unit",
                            choice(
                                [(u, u) for u in UNITS],
                                f.idle_unit,
                                lambda v: S.set_text("idle_unit", v),
                                "Unit",
                                "rule-idle-unit",
                            ),
                        ),
                        direction="row",
                        gap="0.5em",
                        width="100%",
                    ),
                    rx.text(
                        "Open and pending conversations, looked at every minute. Replies from staff and "
                        "the assistant count; an automation's own messages do not, so a reminder is "
                        "sent once for each quiet stretch.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            rx.fragment(),
        ),
        id="rule-when",
    )


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

    return _section(
        "Only if",
        group("all", "Each must be true. None: always."),
        group("any", "If there are some, at least one must be true as well."),
        id="rule-conditions",
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


def _actions() -> rx.Component:
    return _section(
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


def _options() -> rx.Component:
    f = S.form
    once = [("", "Every time"), ("contact", "Once per contact"), ("conversation", "Once per conversation")]
    return _section(
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
    return _section(
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
        _section(
            "Name",
            _text("name", "Tag customers who ask for prices", "rule-name"),
            rx.checkbox(
                "On", checked=f.is_active, on_change=lambda on: S.set_flag("is_active", on), id="rule-active"
            ),
            id="rule-name-section",
        ),
        _trigger(),
        _conditions(),
        _actions(),
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
