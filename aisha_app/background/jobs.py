"""The database-backed job queue: slow work (sends, media, AI replies) off the request path.

A job is claimed by one conditional UPDATE: it changes one row or nothing, so any number of
worker processes can share the queue. On PostgreSQL the candidate row is picked with
``FOR UPDATE SKIP LOCKED`` so workers do not queue up behind each other's locks.
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from aisha_app.background.handlers import DEAD_HOOKS, HANDLERS, REPLAY_HOOKS, JobKind
from aisha_app.db import commit
from aisha_app.errors import Conflict, NotFound, WorkError
from aisha_app.models import Job, JobStatus
from aisha_app.models.base import utcnow

log = logging.getLogger("aisha.jobs")

# A running job whose worker has been silent this long is given to another worker.
STALE_AFTER = timedelta(minutes=5)
MAX_BACKOFF_SECONDS = 15 * 60

# Set after a commit that enqueued work, so idle workers in this process start at once.
WAKE = threading.Event()


def enqueue(
    session: Session,
    kind: JobKind,
    payload: dict[str, Any],
    *,
    delay: timedelta | None = None,
    max_attempts: int = 5,
    dedupe_key: str | None = None,
) -> Job:
    """Add a job to the caller's transaction: it exists only if the caller commits."""
    job = Job(
        kind=kind,
        payload=payload,
        max_attempts=max_attempts,
        run_after=utcnow() + (delay or timedelta()),
        dedupe_key=dedupe_key,
    )
    session.add(job)
    session.info["wake_workers"] = True
    return job


@sa.event.listens_for(Session, "after_commit")
def _wake_workers(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the jobs are not committed yet
    if session.info.pop("wake_workers", False):
        WAKE.set()


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds with jitter, at most 15 minutes."""
    base = min(MAX_BACKOFF_SECONDS, 2**attempts)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def claim(session: Session, worker_id: str, now: datetime | None = None) -> Job | None:
    """Take the next due job for this worker, or None. Commits the claim.

    One UPDATE ... WHERE id = (next due job) AND it is still claimable ... RETURNING:
    it changes one row or none, so two workers never hold the same job.
    """
    now = now or utcnow()
    table = Job.__table__
    claimable = sa.or_(
        sa.and_(table.c.status == JobStatus.QUEUED, table.c.run_after <= now),
        # A worker that died mid-job leaves it running; after a while anyone may take it.
        sa.and_(table.c.status == JobStatus.RUNNING, table.c.locked_at < now - STALE_AFTER),
    )
    next_due = sa.select(table.c.id).where(claimable).order_by(table.c.run_after, table.c.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        next_due = next_due.with_for_update(skip_locked=True)
    job_id = session.execute(
        sa.update(table)
        .where(table.c.id == next_due.scalar_subquery(), claimable)
        .values(status=JobStatus.RUNNING, locked_by=worker_id, locked_at=now, attempts=table.c.attempts + 1)
        .returning(table.c.id)
    ).scalar_one_or_none()
    commit(session)  # the claim is its own unit: other workers must see it at once
    if job_id is None:
        return None
    return session.get(Job, job_id, populate_existing=True)


def _finish(session: Session, job: Job, status: JobStatus, error: str | None = None) -> None:
    if status in (JobStatus.SUCCEEDED, JobStatus.DEAD):
        job.dedupe_key = None  # done: the next job of this key may be queued
    job.status = status
    job.last_error = error
    job.locked_by = None
    job.locked_at = None
    job.finished_at = utcnow() if status in (JobStatus.SUCCEEDED, JobStatus.DEAD) else None
    session.add(job)
    commit(session)  # the job's one commit: what the handler wrote and the job's outcome together


def run_job(session: Session, job: Job) -> JobStatus:
    """Run one claimed job and record its outcome."""
    fn = HANDLERS.get(job.kind)
    if fn is None:
        _finish(session, job, JobStatus.DEAD, f"no handler for job kind {job.kind!r}")
        return JobStatus.DEAD
    try:
        again = fn(session, job)
    except Exception as exc:  # noqa: BLE001  (any failure is retried, then parked, unless permanent)
        session.rollback()
        if isinstance(exc, WorkError) and exc.permanent:
            log.warning("job %s (%s) failed permanently: %s", job.id, job.kind, exc)
            return _bury(session, job, str(exc))
        error = f"{type(exc).__name__}: {exc}"
        if job.attempts >= job.max_attempts:
            log.error("job %s (%s) is dead after %s attempts: %s", job.id, job.kind, job.attempts, error)
            return _bury(session, job, error)
        job.run_after = utcnow() + backoff(job.attempts)
        log.info("job %s (%s) attempt %s failed, retrying: %s", job.id, job.kind, job.attempts, error)
        _finish(session, job, JobStatus.QUEUED, error)
        return JobStatus.QUEUED
    if isinstance(again, datetime):  # a recurring job (a rule's sweep): the same row, queued again
        job.run_after, job.attempts = again, 0
        _finish(session, job, JobStatus.QUEUED)
        return JobStatus.QUEUED
    _finish(session, job, JobStatus.SUCCEEDED)
    return JobStatus.SUCCEEDED


def _bury(session: Session, job: Job, error: str) -> JobStatus:
    hook = DEAD_HOOKS.get(job.kind)
    if hook is not None:
        hook(session, job, error)
    _finish(session, job, JobStatus.DEAD, error)
    return JobStatus.DEAD


def replay(session: Session, job_id: int) -> Job:
    """Give a dead job a fresh set of attempts (the admin's replay button)."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("Job")
    if job.status != JobStatus.DEAD:
        raise Conflict("Only dead jobs can be replayed.")
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.run_after = utcnow()
    job.finished_at = None
    session.add(job)
    if job.kind in REPLAY_HOOKS:
        REPLAY_HOOKS[job.kind](session, job)
    session.info["wake_workers"] = True
    session.flush()
    return job


def dead_jobs(session: Session, limit: int = 100) -> list[Job]:
    return list(
        session.exec(
            select(Job).where(Job.status == JobStatus.DEAD).order_by(col(Job.id).desc()).limit(limit)
        ).all()
    )
