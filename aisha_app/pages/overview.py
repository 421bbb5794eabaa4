"""Dashboard and the pages that later releases fill: real data only, honest when empty."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.overview import (
    DashboardState,
    SettingsState,
)


def _stat(label: str, key: str, icon: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=28, color=rx.color("accent", 9)),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.heading(DashboardState.counts[key].to_string(), size="7", id=f"stat-{key}"),
                spacing="0",
            ),
            align="center",
            spacing="4",
        ),
        min_width="200px",
    )


def _dashboard() -> rx.Component:
    return rx.vstack(
        rx.text("Welcome, ", rx.text.strong(DashboardState.user_name), ".", id="welcome"),
        rx.flex(
            # The inbox's Active and Pending tabs (aisha_app.queries.inbox.STATUS_TABS).
            _stat("Active conversations", "active_conversations", "message-circle"),
            _stat("Pending: waiting for staff", "waiting_for_staff", "user-round-check"),
            _stat("Contacts", "contacts", "users"),
            _stat("In the waiting list", "waiting_now", "list-ordered"),
            _stat("Reviews", "reviews", "star"),
            wrap="wrap",
            spacing="4",
        ),
        spacing="5",
    )


def _table(headers: list[str], rows, cells) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, lambda row: rx.table.row(*cells(row)))),
        width="100%",
    )


def _analytics() -> rx.Component:
    return empty_state(
        "No analytics yet",
        "Charts of conversations, response times and leads arrive in a later release.",
        "chart-column",
    )


def _settings() -> rx.Component:
    return rx.vstack(
        rx.cond(
            SettingsState.is_admin,
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("users"), "Users", variant="soft"), href=routes.USERS, id="users-link"
                ),
                rx.link(
                    rx.button(rx.icon("triangle-alert"), "Failed jobs", variant="soft"), href=routes.JOBS
                ),
                rx.link(
                    rx.button(rx.icon("plug"), "Assistant actions", variant="soft"),
                    href=routes.ACTIONS,
                    id="actions-link",
                ),
            ),
        ),
        rx.cond(
            SettingsState.is_admin,
            rx.hstack(
                rx.switch(
                    checked=SettingsState.simulator_public,
                    on_change=SettingsState.set_simulator_public,
                    id="simulator-public",
                ),
                rx.text("Open the simulator to anyone with the link (for a public demo)"),
                align="center",
            ),
        ),
        rx.hstack(
            rx.link(
                rx.button(rx.icon("bot"), "Assistant: profile and playground", variant="soft"),
                href=routes.ASSISTANT,
                id="assistant-link",
            ),
            rx.link(
                rx.button(rx.icon("book-open"), "Knowledge: FAQ and products", variant="soft"),
                href=routes.KNOWLEDGE,
                id="knowledge-link",
            ),
            rx.link(
                rx.button(rx.icon("message-square-text"), "Canned responses", variant="soft"),
                href=routes.CANNED,
                id="canned-link",
            ),
            rx.link(
                rx.button(rx.icon("tag"), "Labels", variant="soft"),
                href=routes.LABELS,
                id="labels-link",
            ),
            rx.link(
                rx.button(rx.icon("list"), "Contact attributes", variant="soft"),
                href=routes.ATTRIBUTES,
                id="attributes-link",
            ),
            rx.link(
                rx.button(rx.icon("file-check"), "WhatsApp templates", variant="soft"),
                href=routes.TEMPLATES,
                id="templates-link",
            ),
            wrap="wrap",
        ),
        rx.heading("Channels and providers", size="4"),
        _table(
            ["Provider", "Status"],
            SettingsState.providers,
            lambda p: [rx.table.cell(p["name"]), rx.table.cell(p["status"])],
        ),
        spacing="4",
        width="100%",
    )


dashboard_page = shell("Dashboard", _dashboard)
analytics_page = shell("Analytics", _analytics)
settings_page = shell("Settings", _settings)


def _not_found() -> rx.Component:
    return rx.vstack(
        empty_state("Page not found", "There is no page at this address.", "map-pin-off"),
        rx.link(
            rx.button(rx.icon("layout-dashboard"), "Go to the dashboard", variant="soft"),
            href=routes.DASHBOARD,
        ),
        align="center",
        width="100%",
        id="not-found",
    )


not_found_page = shell("Not found", _not_found)
