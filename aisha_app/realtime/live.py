"""Live pages: after a commit, every open inbox (and simulator) is refreshed on the server.

Pages register their browser tab when they load. A committed event (from a request, a state
handler or a worker thread) is handed to the app's event loop, gathered for a moment, and each
registered tab's state is updated with ``app.modify_state`` -- the same fan-out Reflex's shared
states use -- which pushes the change down that tab's websocket.

Every tab is handed the same ``Batch``: what a page reads to apply the events (the conversations
that changed, the new messages) is read once per batch and shared, so twenty open inboxes cost
about what one does, and each tab applies only what changed to what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any, Protocol, TypeVar

import reflex as rx

from aisha_app.config import get_settings
from aisha_app.realtime import events
from aisha_app.realtime.bus import start_bus

log = logging.getLogger("aisha.live")
GATHER_SECONDS = 0.05
T = TypeVar("T")


class Batch:
    """The events gathered for one refresh of every open tab, and what the tabs read for them.

    ``once(key, compute)`` computes a value the first time a tab asks for it and hands the same
    value to every later tab: the key names everything it depends on (the user, for what is
    theirs only). Values are shared between tabs: treat them as read-only.
    """

    def __init__(self, batch: list[events.Event]) -> None:
        self.events = batch
        self._found: dict[Hashable, Any] = {}
        self._lock = threading.RLock()

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._found:
                self._found[key] = compute()
            return self._found[key]


class LiveView(Protocol):
    def _on_events(self, batch: Batch) -> None: ...


class Hub:
    def __init__(self) -> None:
        self.app: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        # Per tab, the states to refresh (the navigation's badge, and the page's own), in order.
        self.viewers: dict[str, tuple[type[rx.State], ...]] = {}
        self.pending: list[events.Event] = []
        self.lock = threading.Lock()
        self.flush_scheduled = False

    def watch(self, client_token: str, state_cls: type[rx.State], *, only: bool = False) -> None:
        """A tab shows a live page; ``state_cls._on_events`` runs for it after each commit.

        ``only``: the tab opened another page, so what it watched before is dropped.
        """
        with self.lock:
            before = () if only else self.viewers.get(client_token, ())
            if state_cls not in before:
                self.viewers[client_token] = (*before, state_cls)

    def unwatch(self, client_token: str) -> None:
        with self.lock:
            self.viewers.pop(client_token, None)

    def on_event(self, event: events.Event) -> None:
        """Events subscriber: runs in whatever thread committed."""
        if self.loop is None or self.loop.is_closed():
            return
        with self.lock:
            self.pending.append(event)
            if self.flush_scheduled:
                return
            self.flush_scheduled = True
        self.loop.call_soon_threadsafe(lambda: self.loop.create_task(self._flush_soon()))

    async def _flush_soon(self) -> None:
        await asyncio.sleep(GATHER_SECONDS)
        with self.lock:
            gathered, self.pending, self.flush_scheduled = self.pending, [], False
            viewers = dict(self.viewers)
        batch = Batch(gathered)
        token_manager = self.app.event_namespace._token_manager if self.app.event_namespace else None
        for token, classes in viewers.items():
            try:
                if token_manager is not None and not await token_manager.is_token_connected(token):
                    self.unwatch(token)
                    continue
                async with self.app.modify_state(rx.BaseStateToken(ident=token, cls=classes[0])) as root:
                    for state_cls in classes:
                        view = await root.get_state(state_cls)
                        # Database work off the event loop: websockets and webhooks keep moving.
                        await asyncio.to_thread(view._on_events, batch)
            except Exception:  # one broken tab must not stop the others
                log.exception("live update for a tab of %s failed", [c.__name__ for c in classes])


HUB = Hub()


@contextlib.asynccontextmanager
async def live_updates(app: Any) -> AsyncIterator[None]:
    """The app's lifespan task: connect committed events to open pages."""
    HUB.app, HUB.loop = app, asyncio.get_running_loop()
    unsubscribe = events.subscribe(HUB.on_event)
    bus = start_bus(get_settings().redis_url)  # events of worker processes and other app processes
    try:
        yield
    finally:
        unsubscribe()
        if bus:
            bus.stop()
        HUB.loop = None
