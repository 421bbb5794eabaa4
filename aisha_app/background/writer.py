"""Group commit for webhooks: one writer thread stores whatever arrived meanwhile, at once.

A webhook request waits for its delivery's commit before answering 200 (nothing is
acknowledged that is not stored), but a thousand concurrent webhooks cost a few transactions,
not a thousand, and never queue on SQLite's write lock.

When the database is locked or away, a request gets an error within ``DEADLINE_SECONDS``
(the route answers 503, and the provider retries): the writer's connections give up on a lock
after a couple of seconds, a request stops waiting at its deadline, and a delivery whose
request gave up is not stored afterwards. The thread itself outlives every failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from concurrent.futures import Future, InvalidStateError

from sqlalchemy.exc import IntegrityError

from aisha_app.actions.ingest import Delivery, park_webhook, store_batch
from aisha_app.db import describe, get_writer_engine, unavailable, unit_of_work

log = logging.getLogger("aisha.writer")
MAX_BATCH = 500
# A request waits this long for its commit, then hears 503; providers retry after a 5xx.
DEADLINE_SECONDS = 4.0


class StoreUnavailable(Exception):
    """The database could not take the delivery now; the provider should retry later."""


class Writer:
    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[Delivery, Future]] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.outage = False  # logged once when it starts, once when it ends

    def _ensure_thread(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="aisha-webhook-writer", daemon=True)
                self.thread.start()

    async def store(self, delivery: Delivery, deadline: float = DEADLINE_SECONDS) -> None:
        """Returns once the delivery is committed (or parked for a retry, which is stored too).

        Raises ``StoreUnavailable`` when it could not be stored within ``deadline`` seconds.
        """
        self._ensure_thread()
        done: Future = Future()
        self.queue.put((delivery, done))
        # One timer per webhook, not wait_for's extra future and callbacks. At the deadline the
        # future is cancelled: if the writer has not taken it yet, it never will.
        waiting, expired = asyncio.wrap_future(done), []
        timer = asyncio.get_running_loop().call_later(deadline, _expire, waiting, expired)
        try:
            await waiting
        except asyncio.CancelledError:
            if not expired:
                raise  # the request itself was cancelled
            raise StoreUnavailable(f"not stored within {deadline:g} s") from None
        finally:
            timer.cancel()

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except Exception as exc:  # noqa: BLE001  (never let the thread die: answer and go on)
                log.exception("the webhook writer failed on a batch")
                self._fail(batch, StoreUnavailable(describe(exc)))

    def _write(self, batch: list[tuple[Delivery, Future]]) -> None:
        # Requests that stopped waiting have been answered 503: their provider sends them again.
        batch = [(d, done) for d, done in batch if done.set_running_or_notify_cancel()]
        if any(d.unreadable for d, _ in batch):
            self._park_unreadable([x for x in batch if x[0].unreadable])
            batch = [x for x in batch if not x[0].unreadable]
        if not batch:
            return
        try:
            with unit_of_work(get_writer_engine()) as session:
                store_batch(session, [d for d, _ in batch])
        except Exception as exc:  # noqa: BLE001  (sorted below: outage, or one bad delivery)
            if unavailable(exc):
                self._unavailable(batch, exc)
                return
            log.warning(
                "storing a batch of %s webhooks failed (%s); storing them one by one",
                len(batch),
                describe(exc),
            )
            for i, (delivery, done) in enumerate(batch):
                try:
                    self._write_one(delivery)
                except Exception as one_exc:  # noqa: BLE001  (neither stored nor parked: 503)
                    if unavailable(one_exc):  # gone meanwhile: the rest would only wait too
                        self._unavailable(batch[i:], one_exc)
                        return
                    log.exception("a %s webhook could be neither stored nor parked", delivery.provider)
                    done.set_exception(StoreUnavailable(describe(one_exc)))
                else:
                    done.set_result(None)
            self._recovered()
            return
        self._recovered()
        for _, done in batch:
            done.set_result(None)

    def _write_one(self, delivery: Delivery) -> None:
        """Store one delivery, or park it for a worker; raises if the database takes neither."""
        for attempt in range(2):
            try:
                with unit_of_work(get_writer_engine()) as session:
                    store_batch(session, [delivery])
                return
            except IntegrityError as exc:
                if attempt == 0:
                    continue  # another process created the same contact a moment ago: look again
                error = describe(exc)
            except Exception as exc:  # noqa: BLE001
                if unavailable(exc):
                    raise
                error = describe(exc)
        log.error("processing a %s webhook failed; parked for retry: %s", delivery.provider, error)
        with unit_of_work(get_writer_engine()) as session:
            park_webhook(session, delivery, error)

    def _park_unreadable(self, batch: list[tuple[Delivery, Future]]) -> None:
        for i, (delivery, done) in enumerate(batch):
            try:
                with unit_of_work(get_writer_engine()) as session:
                    park_webhook(session, delivery, delivery.unreadable or "unreadable")
            except Exception as exc:  # noqa: BLE001
                self._fail(batch[i:], StoreUnavailable(describe(exc)))
                return
            done.set_result(None)

    def _unavailable(self, batch: list[tuple[Delivery, Future]], exc: Exception) -> None:
        if not self.outage:
            self.outage = True
            log.error(
                "the database is unavailable; webhooks are answered 503 until it is back: %s", describe(exc)
            )
        self._fail(batch, StoreUnavailable(describe(exc)))

    def _recovered(self) -> None:
        if self.outage:
            self.outage = False
            log.warning("the database is back; webhooks are stored again")

    @staticmethod
    def _fail(batch: list[tuple[Delivery, Future]], error: Exception) -> None:
        for _, done in batch:
            with contextlib.suppress(InvalidStateError):  # answered, or its request gave up
                done.set_exception(error)


def _expire(waiting: asyncio.Future, expired: list[bool]) -> None:
    expired.append(True)
    waiting.cancel()


WRITER = Writer()
