"""View state of the read-only overview pages (dashboard, leads, waiting, reviews)."""

from __future__ import annotations

import reflex as rx

from aisha_app import queries
from aisha_app.actions.app_settings import SIMULATOR_PUBLIC, get_setting, set_setting
from aisha_app.config import get_settings
from aisha_app.db import unit_of_work
from aisha_app.state.session import SessionState, off_loop


class DashboardState(SessionState):
    counts: dict[str, int] = {}

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        with unit_of_work() as session:
            self.counts = queries.dashboard_counts(session)
        return None


class SettingsState(SessionState):
    providers: list[dict[str, str]] = []
    simulator_public: bool = False

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self.providers = [
            {"name": name.replace("_", " "), "status": "configured" if ok else "not configured"}
            for name, ok in get_settings().providers().items()
        ]
        with unit_of_work() as session:
            self.simulator_public = bool(get_setting(session, SIMULATOR_PUBLIC, False))
        return None

    @rx.event
    @off_loop
    def set_simulator_public(self, value: bool) -> None:
        user = self._authorize(admin=True)
        self.forbidden = False  # the page stays visible; only the switch is refused
        if user is None:
            return
        with unit_of_work() as session:
            set_setting(session, SIMULATOR_PUBLIC, bool(value), user)
            self.simulator_public = bool(get_setting(session, SIMULATOR_PUBLIC, False))
