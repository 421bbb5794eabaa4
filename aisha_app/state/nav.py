"""The navigation's live badge (active conversations with messages you have not read) and the
alerts an agent can turn on: a new conversation, one assigned to them, a customer waiting long."""

from __future__ import annotations

from datetime import datetime, timedelta

import reflex as rx

from aisha_app.config import get_settings
from aisha_app.db import in_unit_of_work, unit_of_work
from aisha_app.models.base import utcnow
from aisha_app.queries.inbox import (
    UNREAD_CAP,
    assigned_ids,
    glances,
    unread_conversation_ids,
    waiting_longer_than,
)
from aisha_app.realtime import events
from aisha_app.realtime.live import HUB, Batch
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
    _counted: list[int] = []  # the unread conversations the badge counts (up to UNREAD_CAP + 1)
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
            self._count(unread_conversation_ids(session, user.id))
            self._mine = assigned_ids(session, user.id)
        self._since = self._since or utcnow().isoformat()
        self._waiting(announce=False)

    @rx.event
    @off_loop
    def tick(self, _now: str = "") -> None:
        """Every minute (a hidden clock in the layout): customers who have now waited too long."""
        if self._signed_in() is not None:
            self._waiting(announce=True)

    def _count(self, unread_ids: list[int] | set[int]) -> None:
        self._counted = sorted(unread_ids)
        self._set(unread=len(self._counted))

    def _on_events(self, batch: Batch) -> None:
        """Only the conversations the events name are counted again, once for all of this
        agent's tabs (``batch``)."""
        user = self._signed_in(batch)
        if user is None:
            self._set(unread=0)
            return
        seen = events.concerning(batch.events, user.id)
        if not any(e.kind in _COUNTED for e in seen):
            return
        touched = tuple(sorted(events.conversation_ids(seen)))
        if not touched:
            return
        self._count(counted_after(batch, touched, user.id, self._counted))
        uid = user.id
        seen_now = batch.once(("glances", uid, touched), lambda: in_unit_of_work(glances, uid, list(touched)))
        since = datetime.fromisoformat(self._since) if self._since else utcnow()
        mine = set(self._mine)
        self._alert(
            ("New conversation", [g.name for g in seen_now if g.created_at > since]),
            ("Assigned to you", [g.name for g in seen_now if g.mine and g.id not in mine]),
        )
        mine |= {g.id for g in seen_now if g.mine}
        mine -= {g.id for g in seen_now if not g.mine}
        self._mine = sorted(mine)
        self._since = (
            max(since, *(g.created_at for g in seen_now)).isoformat() if seen_now else since.isoformat()
        )


def counted_after(batch: Batch, touched: tuple[int, ...], user_id: int, counted: list[int]) -> list[int]:
    """The badge's unread conversations after a batch: only the ``touched`` ones (those the
    events a tab sees name) are asked about again, once for all of the agent's tabs."""
    unread_now = batch.once(
        ("unread among", user_id, touched),
        lambda: in_unit_of_work(unread_conversation_ids, user_id, list(touched)),
    )
    before = set(counted)
    after = (before - set(touched)) | set(unread_now)
    if len(before) > UNREAD_CAP >= len(after):  # the count had stopped at its cap: count anew
        after = set(
            batch.once(("unread", user_id), lambda: in_unit_of_work(unread_conversation_ids, user_id))
        )
    return sorted(after)
