"""Group commit for webhooks: one writer thread stores whatever arrived meanwhile, at once.

A webhook request waits for its delivery's commit before answering 200 (nothing is
acknowledged that is not stored), but a thousand concurrent webhooks cost a few transactions,
not a thousand, and never queue on SQLite's write lock.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future

from sqlalchemy.exc import IntegrityError

from aisha_app.actions.ingest import Delivery, park_webhook, store_batch
from aisha_app.db import unit_of_work

log = logging.getLogger("aisha.writer")
MAX_BATCH = 500


class Writer:
    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[Delivery, Future]] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def _ensure_thread(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="aisha-webhook-writer", daemon=True)
                self.thread.start()

    async def store(self, delivery: Delivery) -> None:
        """Returns once the delivery is committed (or parked for a retry, which is stored too)."""
        self._ensure_thread()
        done: Future = Future()
        self.queue.put((delivery, done))
        await asyncio.wrap_future(done)

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[tuple[Delivery, Future]]) -> None:
        try:
            with unit_of_work() as session:
                store_batch(session, [d for d, _ in batch])
        except Exception as exc:  # noqa: BLE001  (fall back to one at a time; nothing is lost)
            log.warning(
                "storing a batch of %s webhooks failed (%s); storing them one by one", len(batch), exc
            )
            for delivery, done in batch:
                self._write_one(delivery)
                done.set_result(None)
            return
        for _, done in batch:
            done.set_result(None)

    def _write_one(self, delivery: Delivery) -> None:
        for attempt in range(2):
            try:
                with unit_of_work() as session:
                    store_batch(session, [delivery])
                return
            except IntegrityError:
                if attempt == 0:
                    continue  # another process created the same contact a moment ago: look again
                raise_error = "unique conflict twice"
            except Exception as exc:  # noqa: BLE001
                raise_error = f"{type(exc).__name__}: {exc}"
            log.exception("processing a %s webhook failed; parked for retry", delivery.provider)
            with unit_of_work() as session:
                park_webhook(session, delivery, raise_error)
            return


WRITER = Writer()
