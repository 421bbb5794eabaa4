"""Events across processes: with REDIS_URL set, committed events also travel over Redis.

Each process delivers its own events to its own subscribers directly (``aisha_app.realtime.events``);
the bus republishes them on a Redis channel, and every other process (app or worker) hears them
and delivers them to its subscribers too -- so a reply sent by a separate worker process still
ticks live in the inbox an app process serves.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import uuid

import redis

from aisha_app.realtime import events

log = logging.getLogger("aisha.bus")
CHANNEL = "aisha:events"
# One name per process: whatever this process published, it has delivered already.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
OUTBOX_SIZE = 10_000


class RedisBus:
    def __init__(self, url: str) -> None:
        self.origin = ORIGIN
        self.client = redis.Redis.from_url(url, socket_timeout=5, health_check_interval=30)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self._unsubscribe = None
        # Published by a thread of its own: a slow or absent Redis never holds up a commit.
        self.outbox: queue.Queue[events.Event] = queue.Queue(maxsize=OUTBOX_SIZE)

    def start(self) -> None:
        self._unsubscribe = events.subscribe(self._enqueue)
        self.thread = threading.Thread(target=self._listen, name="aisha-event-bus", daemon=True)
        self.thread.start()
        threading.Thread(target=self._publish_outbox, name="aisha-event-bus-out", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        if self._unsubscribe:
            self._unsubscribe()

    def _enqueue(self, event: events.Event) -> None:
        """Runs on whatever thread committed (the webhook writer, a worker): never waits on Redis."""
        if event.data.get("_origin"):
            return  # heard from another process: already on the bus
        try:
            self.outbox.put_nowait(event)
        except queue.Full:  # Redis is away for long: pages catch up on their next load
            log.warning("event bus outbox full; %s not sent to other processes", event.kind)

    def _publish_outbox(self) -> None:
        while not self.stopping.is_set():
            try:
                event = self.outbox.get(timeout=1.0)
            except queue.Empty:
                continue
            try:
                self.client.publish(
                    CHANNEL,
                    json.dumps({"origin": self.origin, "kind": event.kind, "data": event.data}, default=str),
                )
            except redis.RedisError:
                log.warning("could not publish %s to Redis; other processes will not hear it", event.kind)

    def _listen(self) -> None:
        while not self.stopping.is_set():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    payload = json.loads(message["data"])
                    if payload["origin"] != self.origin:
                        events.deliver(
                            events.Event(payload["kind"], payload["data"] | {"_origin": payload["origin"]})
                        )
            except (redis.RedisError, ValueError, KeyError):
                log.warning("event bus connection lost; reconnecting")
                self.stopping.wait(1.0)


def start_bus(url: str | None) -> RedisBus | None:
    if not url:
        return None
    bus = RedisBus(url)
    bus.start()
    return bus
