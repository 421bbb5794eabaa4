"""Automations: the rules (on/off, last run, counts, errors) and the log of every run."""

import reflex as rx

from aisha_app import routes
from aisha_app.models import RunStatus
from aisha_app.pages.components import choice, feedback
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.automations import AutomationsState, RunLogState

STATUS_COLOURS = {"succeeded": "green", "failed": "red", "skipped": "gray", "waiting": "amber"}


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
        variant="soft",
        class_name="run-status",
    )


def _delete(rule) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Delete", size="1", variant="soft", color_scheme="red")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + rule.name + "?"),
            rx.alert_dialog.description("The rule and its run log go. Switching it off keeps both."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="red", on_click=AutomationsState.delete(rule.id))
                ),
                justify="end",
                margin_top="1em",
            ),
        ),
    )


def _rule(rule) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(rule.name, href=routes.AUTOMATION_EDIT + "?id=" + rule.id.to(str), weight="bold"),
                rx.spacer(),
                rx.switch(
                    checked=rule.is_active,
                    on_change=lambda on: AutomationsState.switch(rule.id, on),
                    disabled=~AutomationsState.is_admin,
                    aria_label="On",
                    class_name="rule-switch",
                ),
                align="center",
                width="100%",
            ),
            rx.text("When: ", rule.trigger, size="2", class_name="rule-trigger"),
            rx.text("Then: ", rule.actions, size="2", color_scheme="gray", class_name="rule-actions"),
            rx.text(
                "Runs: " + rule.runs.to(str) + " · failed: " + rule.failures.to(str) + " · last run ",
                rx.cond(rule.last_run != "", rx.moment(rule.last_run, from_now=True), "never"),
                size="1",
                color_scheme="gray",
                title=rule.last_run_exact,
                class_name="rule-counts",
            ),
            rx.cond(
                rule.last_error != "",
                rx.text(
                    "Last failure, ",
                    rx.moment(rule.last_error_at, from_now=True),
                    ": ",
                    rule.last_error,
                    size="1",
                    color_scheme="red",
                    class_name="rule-error",
                ),
            ),
            rx.hstack(
                rx.link("Run log", href=routes.AUTOMATION_RUNS + "?rule=" + rule.id.to(str), size="2"),
                rx.link("Edit", href=routes.AUTOMATION_EDIT + "?id=" + rule.id.to(str), size="2"),
                rx.spacer(),
                rx.cond(AutomationsState.is_admin, _delete(rule)),
                align="center",
                width="100%",
            ),
            spacing="1",
            width="100%",
            min_width="0",
            overflow_wrap="anywhere",
        ),
        width="100%",
        class_name="rule",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Rules that follow up on their own: when something happens, if the conditions hold, "
            "do the actions. Each runs once per event, and every run is logged.",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.cond(
                AutomationsState.is_admin,
                rx.link(
                    rx.button(rx.icon("plus", size=16), "New automation"),
                    href=routes.AUTOMATION_EDIT,
                    id="new-automation",
                ),
            ),
            rx.link(rx.button("Run log", variant="soft"), href=routes.AUTOMATION_RUNS),
            wrap="wrap",
        ),
        feedback(AutomationsState.error, AutomationsState.notice, "automations"),
        rx.cond(
            AutomationsState.rules.length() > 0,
            rx.vstack(rx.foreach(AutomationsState.rules, _rule), width="100%", id="rules"),
            empty_state(
                "No automations yet",
                "Tag customers who ask for prices, greet new conversations, hand over to staff at night.",
                "workflow",
            ),
        ),
        width="100%",
        max_width="48em",
        spacing="4",
    )


automations_page = shell("Automations", _list)


def _lines(lines, colour: str = "gray") -> rx.Component:
    return rx.foreach(lines, lambda line: rx.text(line, size="1", color_scheme=colour))


def run_details(checks, steps) -> rx.Component:
    """Each condition with what it saw, each action with its outcome (the log and the dry run)."""
    return rx.vstack(
        rx.cond(checks.length() > 0, rx.text("Conditions", size="1", weight="bold")),
        _lines(checks),
        rx.cond(steps.length() > 0, rx.text("Actions", size="1", weight="bold")),
        _lines(steps),
        spacing="1",
        width="100%",
        class_name="run-details",
    )


def _run(run) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(run.status),
                rx.text(run.rule, weight="bold", size="2"),
                rx.spacer(),
                rx.text(
                    rx.moment(run.when, from_now=True), size="1", color_scheme="gray", title=run.when_exact
                ),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.hstack(
                rx.text(run.customer, size="2", class_name="run-customer"),
                rx.cond(
                    run.conversation_id > 0,
                    rx.link(
                        "Open conversation", href=routes.INBOX + "?c=" + run.conversation_id.to(str), size="2"
                    ),
                ),
                wrap="wrap",
            ),
            rx.cond(
                run.error != "", rx.text(run.error, size="1", color_scheme="red", class_name="run-error")
            ),
            run_details(run.checks, run.steps),
            spacing="1",
            width="100%",
            min_width="0",
            overflow_wrap="anywhere",
        ),
        width="100%",
        class_name="run",
    )


def _filters() -> rx.Component:
    statuses = [("", "Every outcome")] + [(s.value, s.value.capitalize()) for s in RunStatus]
    return rx.flex(
        rx.el.select(
            rx.el.option("Every automation", value=""),
            rx.foreach(RunLogState.rule_choices, lambda r: rx.el.option(r[1], value=r[0])),
            value=RunLogState.rule,
            on_change=lambda v: RunLogState.filter("rule", v),
            class_name="native-select",
            aria_label="Automation",
            id="runs-rule",
        ),
        choice(
            statuses, RunLogState.status, lambda v: RunLogState.filter("status", v), "Outcome", "runs-status"
        ),
        rx.input(
            placeholder="Customer name or phone",
            value=RunLogState.customer,
            on_change=lambda v: RunLogState.filter("customer", v),
            debounce_timeout=300,
            id="runs-customer",
            width="100%",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="0.5em",
        width="100%",
    )


def _runs() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.cond(
            RunLogState.runs.length() > 0,
            rx.vstack(rx.foreach(RunLogState.runs, _run), width="100%", id="runs"),
            empty_state("No runs", "Nothing has run that matches these filters.", "list-checks"),
        ),
        rx.cond(RunLogState.has_more, rx.button("Older runs", variant="soft", on_click=RunLogState.older)),
        width="100%",
        max_width="48em",
        spacing="4",
    )


runs_page = shell("Run log", _runs, back=("Automations", routes.AUTOMATIONS))
