"""The shared shell: sidebar, header, and the guard that keeps pages behind sign-in."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from aisha_app import routes
from aisha_app.pages.components import post_form
from aisha_app.state.nav import NavState
from aisha_app.state.session import SessionState

NAV = [
    ("Dashboard", routes.DASHBOARD, "layout-dashboard"),
    ("Inbox", routes.INBOX, "inbox"),
    ("Contacts", routes.CONTACTS, "contact"),
    ("Leads", routes.LEADS, "kanban"),
    ("Waiting list", routes.WAITING_LIST, "list-ordered"),
    ("Reviews", routes.REVIEWS, "star"),
    ("Automations", routes.AUTOMATIONS, "workflow"),
    ("Analytics", routes.ANALYTICS, "chart-column"),
    ("Simulator", routes.SIMULATOR, "smartphone"),
    ("Settings", routes.SETTINGS, "settings"),
]


# Below this width (Radix's "md", 768 px) the sidebar folds into a drawer under a top bar.
DESKTOP = ["none", "none", "flex"]
PHONE = ["flex", "flex", "none"]


def _active(href: str) -> rx.Var[bool]:
    path = rx.State.router.url.path
    # Settings stays lit on its sub-pages; the dashboard only on itself.
    return path == href if href == routes.DASHBOARD else (path == href) | path.startswith(href + "/")


def unread_badge(id: str) -> rx.Component:
    """How many active conversations hold messages the signed-in agent has not read."""
    return rx.cond(
        NavState.unread_label != "",
        rx.badge(
            NavState.unread_label,
            color_scheme="green",
            variant="solid",
            radius="full",
            aria_label=NavState.unread_label + " conversations with unread messages",
            id=id,
        ),
    )


def _nav_link(label: str, href: str, icon: str, prefix: str = "") -> rx.Component:
    active = _active(href)
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(label, size="3"),
            *([rx.spacer(), unread_badge(f"{prefix}nav-unread")] if href == routes.INBOX else []),
            align="center",
            spacing="3",
            width="100%",
        ),
        href=href,
        underline="none",
        color_scheme=rx.cond(active, "accent", "gray"),
        high_contrast=True,
        weight=rx.cond(active, "bold", "regular"),
        padding_y="0.55em",
        padding_x="0.75em",
        border_radius="8px",
        width="100%",
        background=rx.cond(active, rx.color("accent", 4), "transparent"),
        _hover={"background": rx.color("accent", 3)},
        custom_attrs={"aria-current": rx.cond(active, "page", "false")},
        class_name="nav-link",
    )


def _nav(drawer: bool = False) -> rx.Component:
    # In the drawer a link also closes it.
    links = [
        rx.drawer.close(_nav_link(*item, "drawer-"), as_child=True) if drawer else _nav_link(*item)
        for item in NAV
    ]
    return rx.el.nav(rx.vstack(*links, spacing="1", width="100%"), width="100%")


def _who(prefix: str = "") -> rx.Component:
    """Who is signed in; ``prefix`` keeps the drawer's copy's ids apart from the sidebar's."""
    return rx.vstack(
        rx.text(SessionState.user_name, weight="bold", size="2", id=f"{prefix}signed-in-name"),
        rx.text(SessionState.user_email, size="1", color_scheme="gray"),
        rx.badge(SessionState.user_role, variant="soft", id=f"{prefix}signed-in-role"),
        spacing="1",
        padding_x="0.75em",
    )


def alerts_toggle(prefix: str = "") -> rx.Component:
    """Sound and desktop notifications, this browser's choice (assets/nav.js keeps it)."""
    return rx.button(
        rx.icon("bell", size=16),
        "Alerts",
        rx.el.span(class_name="alerts-state"),
        variant="soft",
        color_scheme="gray",
        width="100%",
        type="button",
        id=f"{prefix}alerts-toggle",
        class_name="alerts-toggle",
        custom_attrs={"aria-pressed": "false"},
    )


def sign_out_form(prefix: str = "") -> rx.Component:
    return post_form(
        rx.button(
            rx.icon("log-out", size=16),
            "Sign out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            width="100%",
            id=f"{prefix}sign-out",
        ),
        action="/api/auth/logout",
        method="post",
        width="100%",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.heading("Aisha", size="6", padding_x="0.75em", padding_y="0.5em"),
        _nav(),
        rx.spacer(),
        rx.divider(),
        _who(),
        alerts_toggle(),
        sign_out_form(),
        display=DESKTOP,
        width="230px",
        min_width="230px",
        height="100vh",
        padding="1em",
        border_right=f"1px solid {rx.color('gray', 5)}",
        position="sticky",
        top="0",
        spacing="1",
        id="sidebar",
    )


def top_bar(title: str, nav: rx.Var[bool] | None = None) -> rx.Component:
    """On a phone: the page's name, and a menu button that opens the navigation as a drawer."""
    menu = rx.hstack(_drawer(), unread_badge("top-unread"), align="center", spacing="1")
    return rx.hstack(
        menu if nav is None else rx.cond(nav, menu),
        rx.heading(title, size="4", trim="both"),
        display=PHONE,
        align="center",
        spacing="2",
        padding_x="0.5em",
        padding_y="0.4em",
        position="sticky",
        top="0",
        z_index="30",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        id="top-bar",
    )


def _drawer() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", size="3", aria_label="Menu", id="menu-button")
        ),
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.heading("Aisha", size="5"),
                        rx.spacer(),
                        rx.drawer.close(
                            rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Close menu")
                        ),
                        width="100%",
                        align="center",
                    ),
                    _nav(drawer=True),
                    rx.divider(),
                    _who("drawer-"),
                    alerts_toggle("drawer-"),
                    sign_out_form("drawer-"),
                    spacing="2",
                    padding="1em",
                    width="100%",
                    height="100%",
                    overflow_y="auto",
                ),
                width="min(80vw, 280px)",
                height="100%",
                top="0",
                left="0",
                background=rx.color("gray", 1),
                z_index="50",
                id="nav-drawer",
            ),
        ),
        direction="left",
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


def back_link(label: str, href: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("chevron-left", size=16), rx.text(label, size="2"), align="center", spacing="1"),
        href=href,
        underline="none",
        id="back-link",
    )


def shell(
    title: str,
    content: Callable[[], rx.Component],
    *,
    back: tuple[str, str] | None = None,
    public: bool = False,
) -> Callable[[], rx.Component]:
    """Wrap a page body: navigation and title, content only once the server said who you are.

    ``back``: the (label, path) of the page this one belongs to, such as Settings. ``public``:
    the page decides itself who may use it (the simulator); the navigation is for staff only.
    """

    def page() -> rx.Component:
        signed_in = SessionState.user_id > 0
        body = content() if public else rx.cond(SessionState.forbidden, forbidden_notice(), content())
        return rx.flex(
            rx.cond(signed_in, sidebar()) if public else sidebar(),
            rx.box(
                top_bar(title, nav=signed_in if public else None),
                rx.box(
                    back_link(*back) if back else rx.fragment(),
                    rx.heading(title, size="7", margin_bottom="0.75em", display=DESKTOP),
                    body if public else rx.cond(signed_in, body, rx.spinner(size="3")),
                    padding=["0.75em", "1em", "2em"],
                    width="100%",
                ),
                width="100%",
                min_width="0",  # a flex child may shrink below its content: nothing pushes the page wider
            ),
            # assets/nav.js puts the count in the tab's title and, if the agent asked, alerts.
            rx.el.span(id="unread-total", custom_attrs={"data-count": NavState.unread_label}, display="none"),
            rx.el.span(
                id="nav-alert",
                custom_attrs={"data-seq": NavState.alert_seq, "data-text": NavState.alert_text},
                display="none",
            ),
            rx.cond(signed_in, rx.moment(interval=60_000, on_change=NavState.tick, display="none")),
            rx.script(src="/nav.js"),
            width="100%",
            max_width="100vw",
            align="start",
        )

    page.__name__ = f"{title.lower().replace(' ', '_')}_page"
    return page
