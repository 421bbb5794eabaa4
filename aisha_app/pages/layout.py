"""The shared shell: sidebar, header, and the guard that keeps pages behind sign-in."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from aisha_app import routes
from aisha_app.pages.components import post_form
from aisha_app.state.session import SessionState

NAV = [
    ("Dashboard", routes.DASHBOARD, "layout-dashboard"),
    ("Inbox", routes.INBOX, "inbox"),
    ("Contacts", routes.CONTACTS, "contact"),
    ("Leads", routes.LEADS, "kanban"),
    ("Waiting list", routes.WAITING_LIST, "list-ordered"),
    ("Reviews", routes.REVIEWS, "star"),
    ("Analytics", routes.ANALYTICS, "chart-column"),
    ("Simulator", routes.SIMULATOR, "smartphone"),
    ("Settings", routes.SETTINGS, "settings"),
]


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label, size="3"), align="center", spacing="3"),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding_y="0.45em",
        padding_x="0.75em",
        border_radius="8px",
        width="100%",
        _hover={"background": rx.color("accent", 3)},
    )


def sign_out_form() -> rx.Component:
    return post_form(
        rx.button(
            rx.icon("log-out", size=16),
            "Sign out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            width="100%",
            id="sign-out",
        ),
        action="/api/auth/logout",
        method="post",
        width="100%",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.heading("Aisha", size="6", padding_x="0.75em", padding_y="0.5em"),
        *[_nav_link(*item) for item in NAV],
        rx.spacer(),
        rx.divider(),
        rx.vstack(
            rx.text(SessionState.user_name, weight="bold", size="2", id="signed-in-name"),
            rx.text(SessionState.user_email, size="1", color_scheme="gray"),
            rx.badge(SessionState.user_role, variant="soft", id="signed-in-role"),
            spacing="1",
            padding_x="0.75em",
        ),
        sign_out_form(),
        width="230px",
        min_width="230px",
        height="100vh",
        padding="1em",
        border_right=f"1px solid {rx.color('gray', 5)}",
        position="sticky",
        top="0",
        spacing="1",
    )


def forbidden_notice() -> rx.Component:
    return rx.callout(
        "403 — this page is for admins only. Ask an admin if you need access.",
        icon="shield-alert",
        color_scheme="red",
        id="forbidden",
    )


def empty_state(title: str, text: str, icon: str = "inbox") -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=40, color=rx.color("gray", 8)),
            rx.heading(title, size="4"),
            rx.text(text, color_scheme="gray", text_align="center", max_width="32em"),
            align="center",
        ),
        padding="4em",
        width="100%",
    )


def shell(title: str, content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """Wrap a page body: sidebar and title, content only once the server said who you are."""

    def page() -> rx.Component:
        return rx.hstack(
            sidebar(),
            rx.box(
                rx.heading(title, size="7", margin_bottom="0.75em"),
                rx.cond(
                    SessionState.user_id > 0,
                    rx.cond(SessionState.forbidden, forbidden_notice(), content()),
                    rx.spinner(size="3"),
                ),
                padding="2em",
                width="100%",
            ),
            spacing="0",
            align="start",
            width="100%",
        )

    page.__name__ = f"{title.lower().replace(' ', '_')}_page"
    return page
