"""Settings › Users: admins create staff, change roles, deactivate and reset passwords."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.layout import shell
from aisha_app.state.users import UsersState


def _create_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.hstack(
                rx.input(name="email", placeholder="Email", type="email", required=True, id="new-email"),
                rx.input(name="name", placeholder="Name", required=True, id="new-name"),
                rx.select.root(
                    rx.select.trigger(id="new-role"),
                    rx.select.content(
                        rx.select.item("Agent", value="agent"), rx.select.item("Admin", value="admin")
                    ),
                    name="role",
                    default_value="agent",
                ),
                rx.input(
                    name="password",
                    placeholder="Password (10+ characters)",
                    type="password",
                    required=True,
                    id="new-password",
                ),
                rx.button("Create user", type="submit", id="create-user"),
                wrap="wrap",
                spacing="2",
            ),
            on_submit=UsersState.create_user,
            reset_on_submit=True,
        ),
    )


def _user_row(user) -> rx.Component:
    return rx.table.row(
        # The first column stays in view (assets/aisha.css): on a phone, the actions are on screen.
        rx.table.cell(
            rx.vstack(
                rx.text(user["email"]),
                rx.hstack(
                    rx.cond(
                        user["active"],
                        rx.button(
                            "Deactivate",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=UsersState.set_active(user["id"], False),
                        ),
                        rx.button(
                            "Reactivate",
                            size="1",
                            variant="soft",
                            on_click=UsersState.set_active(user["id"], True),
                        ),
                    ),
                    rx.button(
                        "Reset password",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=UsersState.open_reset(user["id"], user["email"]),
                    ),
                    wrap="wrap",
                ),
                spacing="1",
            )
        ),
        rx.table.cell(user["name"]),
        rx.table.cell(
            rx.select(
                ["agent", "admin"],
                value=user["role"],
                on_change=lambda role: UsersState.set_role(user["id"], role),
                size="1",
            ),
        ),
        rx.table.cell(
            rx.cond(
                user["active"],
                rx.badge("active", color_scheme="green"),
                rx.badge("deactivated", color_scheme="gray"),
            )
        ),
        rx.table.cell(user["last_login"]),
        id=f"user-{user['email']}",
    )


def _reset_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reset password for ", UsersState.reset_user_email),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="password",
                        type="password",
                        placeholder="New password (10+ characters)",
                        required=True,
                        width="100%",
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=UsersState.close_reset,
                        ),
                        rx.button("Set password", type="submit"),
                    ),
                ),
                on_submit=UsersState.reset_password,
            ),
        ),
        open=UsersState.reset_user_id > 0,
    )


def _users() -> rx.Component:
    return rx.vstack(
        rx.cond(
            UsersState.error != "",
            rx.callout(UsersState.error, icon="triangle-alert", color_scheme="red", id="users-error"),
        ),
        rx.cond(
            UsersState.notice != "",
            rx.callout(UsersState.notice, icon="check", color_scheme="green", id="users-notice"),
        ),
        _create_form(),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ["Email", "Name", "Role", "Status", "Last sign-in"]
                    ]
                )
            ),
            rx.table.body(rx.foreach(UsersState.users, _user_row)),
            width="100%",
            class_name="first-column-stays",
        ),
        _reset_dialog(),
        spacing="4",
        width="100%",
    )


users_page = shell("Users", _users, back=("Settings", routes.SETTINGS))
