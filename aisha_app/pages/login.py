import reflex as rx

from aisha_app.pages.components import post_form
from aisha_app.state.login import LoginState


def login_page() -> rx.Component:
    """A plain HTML form: the backend answers with the HttpOnly session cookie."""
    return rx.center(
        rx.card(
            post_form(
                rx.vstack(
                    rx.heading("Sign in to Aisha", size="6"),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            LoginState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            id="login-error",
                            width="100%",
                        ),
                    ),
                    rx.text("Email", size="2", weight="medium"),
                    rx.input(
                        name="email",
                        type="email",
                        required=True,
                        id="email",
                        width="100%",
                        auto_complete="username",
                    ),
                    rx.text("Password", size="2", weight="medium"),
                    rx.input(
                        name="password",
                        type="password",
                        required=True,
                        id="password",
                        width="100%",
                        auto_complete="current-password",
                    ),
                    rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                    rx.button("Sign in", type="submit", width="100%", id="sign-in"),
                    spacing="3",
                    width="100%",
                ),
                action="/api/auth/login",
                method="post",
            ),
            width="360px",
            padding="2em",
        ),
        height="100vh",
    )
