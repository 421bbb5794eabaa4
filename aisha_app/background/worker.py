"""Workers: claim jobs from the database queue and run them.

By default a few worker threads run inside the app process (started with the app's lifespan).
``python -m aisha_app.background.worker --threads N`` runs more, in their own process, on the same queue.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import AsyncIterator

from aisha_app.background import handlers, jobs
from aisha_app.config import get_settings
from aisha_app.db import unit_of_work
from aisha_app.realtime.bus import start_bus

log = logging.getLogger("aisha.worker")


class Worker:
    def __init__(self, name: str | None = None, poll_seconds: float = 1.0) -> None:
        handlers.load()  # a worker runs every kind of job the app queues
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.poll_seconds = poll_seconds

    def run_once(self) -> bool:
        """Run one due job; False if there was none."""
        with unit_of_work() as session:
            job = jobs.claim(session, self.name)
            if job is None:
                return False
            jobs.run_job(session, job)
            return True

    def run(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.name)
        while not stop.is_set():
            try:
                if self.run_once():
                    continue
            except Exception:  # the database may be briefly away; keep the worker alive
                log.exception("worker %s: claiming failed", self.name)
            jobs.WAKE.wait(self.poll_seconds)
            jobs.WAKE.clear()
        log.info("worker %s stopped", self.name)


def schedule_timed_rules() -> None:
    """Queue any time-based rule's missing sweep (one whose job was parked dead, say): the clock's
    rules keep firing after a restart whatever happened before it."""
    from aisha_app.automations import timed

    try:
        with unit_of_work() as session:
            if queued := timed.schedule_all(session):
                log.info("%s time-based rule(s) have their next sweep queued", queued)
    except Exception:  # the database may be away at start: the workers retry their own work
        log.exception("time-based rules could not be scheduled at start")


def start_threads(count: int, stop: threading.Event) -> list[threading.Thread]:
    if count:
        schedule_timed_rules()
    threads = []
    for i in range(count):
        worker = Worker(name=f"{socket.gethostname()}:{os.getpid()}:t{i}")
        thread = threading.Thread(target=worker.run, args=(stop,), name=f"aisha-worker-{i}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads


@contextlib.asynccontextmanager
async def in_app_workers() -> AsyncIterator[None]:
    """The app's lifespan task: worker threads live as long as the app."""
    stop = threading.Event()
    threads = start_threads(get_settings().in_app_workers, stop)
    try:
        yield
    finally:
        stop.set()
        jobs.WAKE.set()
        for thread in threads:
            thread.join(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m aisha_app.background.worker")
    parser.add_argument("--threads", type=int, default=2, help="worker threads in this process")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    bus = start_bus(get_settings().redis_url)  # so open inboxes hear about this process's work
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (stop.set(), jobs.WAKE.set()))
    threads = start_threads(args.threads, stop)
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=1)
    if bus:
        bus.stop()


if __name__ == "__main__":
    main()
