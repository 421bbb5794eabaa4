"""With Redis, a separate worker process's events reach this process's live pages."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from aisha_app.actions.outbound import Draft, send_message
from aisha_app.models import Channel, Conversation
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from aisha_app.realtime.bus import start_bus

# .ci/run starts its own Redis and names it; without it, a local Redis on the default port if one runs.
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bus():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        if os.environ.get("TEST_REDIS_URL"):
            raise  # a Redis was promised: its absence is a failure, not a skip
        pytest.skip("no Redis on 127.0.0.1:6379")
    bus = start_bus(REDIS_URL)
    yield bus
    bus.stop()


def test_a_send_by_a_worker_process_is_heard_here(bus, session, world, stub):
    heard: list[events.Event] = []
    got_status = threading.Event()
    sent: list[int] = []  # the message's id, once it is known

    def listen(event: events.Event) -> None:
        heard.append(event)
        ours = event.data.get("message_id") in sent  # another suite may share this Redis
        if ours and event.kind == events.MESSAGE_STATUS and event.data.get("status") == "queued":
            got_status.set()

    unsubscribe = events.subscribe(listen)
    conversation = Conversation(
        contact_id=world.contacts[0].id, channel=Channel.WHATSAPP_CLOUD, last_inbound_at=utcnow()
    )
    session.add(conversation)
    session.commit()
    message = send_message(session, conversation.id, Draft(text="sent elsewhere"), sender=world.agent)
    session.commit()
    sent.append(message.id)
    time.sleep(0.3)  # the bus subscription is up
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": REDIS_URL}
    worker = subprocess.Popen(
        [sys.executable, "-m", "aisha_app.background.worker", "--threads", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert got_status.wait(timeout=20), [e.kind for e in heard]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
        unsubscribe()
    remote = [e for e in heard if e.kind == events.MESSAGE_STATUS and e.data["message_id"] == message.id]
    assert remote and all(e.data["_origin"] != bus.origin for e in remote)  # from the worker, over Redis


def test_this_processs_own_events_are_heard_once(bus, session, world):
    heard: list[events.Event] = []
    unsubscribe = events.subscribe(heard.append)
    try:
        events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=world.contacts[0].id)
        session.commit()
        time.sleep(0.5)  # time for a round trip over Redis, were it to come back
    finally:
        unsubscribe()
    assert [e.kind for e in heard] == [events.CONTACT_UPDATED]


def test_a_redis_that_does_not_answer_never_holds_up_a_commit():
    import socket

    silent = socket.socket()  # accepts connections and never answers, as a hung Redis would
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    bus = start_bus(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        events.deliver(events.Event(events.CONVERSATION_UPDATED, {"conversation_id": 1}))
        assert time.monotonic() - started < 0.5  # the bus's own thread waits for Redis, not this one
        assert bus.outbox.qsize() <= 1
    finally:
        bus.stop()
        silent.close()
