import reflex as rx

from aisha_app import routes
from aisha_app.state.session import SessionState, off_loop

# The login form's error codes and the words shown for them; anything else in the URL is ignored.
ERRORS = {
    "invalid_credentials": "Wrong email or password.",
    "account_deactivated": "This account has been deactivated. Ask an admin.",
    "too_many_attempts": "Too many failed sign-ins. Wait a few minutes and try again.",
    "validation_error": "Enter your email and password.",
}


class LoginState(SessionState):
    """The login form itself posts to the backend; this only reads the outcome code."""

    error: str = ""
    next_path: str = routes.DASHBOARD

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is not None:
            return rx.redirect(routes.DASHBOARD)
        params = self.router.url.query_parameters
        self.error = ERRORS.get(params.get("error", ""), "")
        next_path = params.get("next", "")
        self.next_path = next_path if next_path.startswith("/") and not next_path.startswith("//") else "/"
        return None
