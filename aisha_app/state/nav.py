"""The navigation's live badge (active conversations with messages you have not read) and the
alerts an agent can turn on: a new conversation, one assigned to them, a customer waiting long."""

from __future__ import annotations

from datetime import datetime, timedelta

import reflex as rx

from aisha_app.config import get_settings
from aisha_app.db import unit_of_work
from aisha_app.models.base import utcnow
from aisha_app.queries.inbox import (
    UNREAD_CAP,
    assigned_ids,
    glances,
    unread_conversations,
    waiting_longer_than,
)
from aisha_app.realtime import events
from aisha_app.realtime.live import HUB
from aisha_app.state.session import SessionState, off_loop

# What changes someone's badge: a message, a conversation changing status, their own reading.
_COUNTED = {events.MESSAGE_CREATED, events.CONVERSATION_UPDATED, events.CONVERSATION_READ}


def _summary(what: str, names: list[str]) -> str:
    return f"{what}: {names[0]}" + (f" and {len(names) - 1} more" if len(names) > 1 else "")


class NavState(SessionState):
    unread: int = 0
    # assets/nav.js sounds and shows each new alert (if the agent turned alerts on).
    alert_seq: int = 0
    alert_text: str = ""
    # Backend only: what this tab had already seen, so that each alert comes once.
    _since: str = ""  # conversations created after this are new
    _mine: list[int] = []  # active conversations assigned to this agent
    _waited: list[int] = []  # customers already announced as waiting long

    @rx.var
    def unread_label(self) -> str:
        """ "" for none; "99+" past the count's cap."""
        return "" if not self.unread else f"{UNREAD_CAP}+" if self.unread > UNREAD_CAP else str(self.unread)

    def _alert(self, *news: tuple[str, list[str]]) -> None:
        said = [_summary(what, names) for what, names in news if names]
        if said:
            self.alert_seq += 1
            self.alert_text = " · ".join(said)

    def _waiting(self, *, announce: bool) -> None:
        minutes = get_settings().waiting_alert_minutes
        with unit_of_work() as session:
            waiting = waiting_longer_than(session, utcnow() - timedelta(minutes=minutes))
        if announce:
            self._alert((f"Waiting over {minutes} min", [n for cid, n in waiting if cid not in self._waited]))
        self._waited = [cid for cid, _ in waiting]

    @rx.event
    @off_loop
    def load(self) -> None:
        """First on_load of every signed-in page: the badge, and live updates for this tab anew
        (the page's own on_load adds its state after)."""
        HUB.watch(self.router.session.client_token, NavState, only=True)
        user = self._signed_in()  # the page's own on_load decides what the tab may see
        if user is None:
            self.unread = 0
            return
        with unit_of_work() as session:
            self.unread = unread_conversations(session, user.id)
            self._mine = assigned_ids(session, user.id)
        self._since = self._since or utcnow().isoformat()
        self._waiting(announce=False)

    @rx.event
    @off_loop
    def tick(self, _now: str = "") -> None:
        """Every minute (a hidden clock in the layout): customers who have now waited too long."""
        if self._signed_in() is not None:
            self._waiting(announce=True)

    def _on_events(self, batch: list[events.Event]) -> None:
        user = self._signed_in()
        if user is None:
            self.unread = 0
            return
        batch = events.concerning(batch, user.id)
        if not any(e.kind in _COUNTED for e in batch):
            return
        touched = sorted({e.data["conversation_id"] for e in batch if "conversation_id" in e.data})
        since = datetime.fromisoformat(self._since) if self._since else utcnow()
        with unit_of_work() as session:
            self.unread = unread_conversations(session, user.id)
            seen = glances(session, user.id, touched) if touched else []
        mine = set(self._mine)
        self._alert(
            ("New conversation", [g.name for g in seen if g.created_at > since]),
            ("Assigned to you", [g.name for g in seen if g.mine and g.id not in mine]),
        )
        mine |= {g.id for g in seen if g.mine}
        mine -= {g.id for g in seen if not g.mine}
        self._mine = sorted(mine)
        self._since = max(since, *(g.created_at for g in seen)).isoformat() if seen else since.isoformat()
