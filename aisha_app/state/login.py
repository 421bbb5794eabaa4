import reflex as rx

from aisha_app import routes
from aisha_app.state.session import SessionState


class LoginState(SessionState):
    """The login form itself posts to the backend; this only reads what came back."""

    error: str = ""
    email: str = ""
    next_path: str = routes.DASHBOARD

    @rx.event
    def load(self):
        if self._authorize() is not None:
            return rx.redirect(routes.DASHBOARD)
        params = self.router.url.query_parameters
        self.error = params.get("error", "")
        self.email = params.get("email", "")
        self.next_path = params.get("next", routes.DASHBOARD)
        return None
