"""Settings › Failed jobs: the queue's dead letters, with a replay button (admins only)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from aisha_app.actions.audit import audit
from aisha_app.background import jobs
from aisha_app.clock import exact, shop_zone
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.state.session import SessionState, off_loop


class JobsState(SessionState):
    dead: list[dict[str, Any]] = []
    notice: str = ""

    def _reload(self) -> None:
        with unit_of_work() as session:
            zone = shop_zone(session)
            self.dead = [
                {
                    "id": j.id,
                    "kind": j.kind,
                    "attempts": j.attempts,
                    "error": (j.last_error or "")[:300],
                    "payload": ", ".join(f"{k}={v}" for k, v in j.payload.items())[:120],
                    "when": j.finished_at.isoformat() if j.finished_at else "",
                    "exact": exact(j.finished_at, zone),
                }
                for j in jobs.dead_jobs(session)
            ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        self.notice = ""
        if self._authorize(admin=True) is None:
            self.dead = []
            return None if self.user_id else self._to_login()
        self._reload()
        return None

    @rx.event
    @off_loop
    def replay(self, job_id: int) -> None:
        admin = self._authorize(admin=True)
        if admin is None:
            self.dead = []
            return
        try:
            with unit_of_work() as session:
                job = jobs.replay(session, job_id)
                audit(session, admin, "job.replayed", job, kind=job.kind)
            self.notice = f"Job {job_id} is queued again."
        except AppError as exc:
            self.notice = exc.message
        self._reload()
