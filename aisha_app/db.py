"""The engine and sessions. Tables are created by Alembic migrations, never here.

One unit of work per edge: a request, a Reflex event handler, a job and a writer batch each open
``unit_of_work()`` (or are handed its session) and commit once, through ``commit``. Actions only
flush, so they compose: an audit row lands in the transaction of the change it records, and
events publish after that one commit. Under test a guard fails any other commit.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from aisha_app.config import get_settings

T = TypeVar("T")


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# How long a writer waits for a lock. Requests may wait a while; the webhook writer may not:
# its callers must hear 503 within seconds so the provider retries.
LOCK_WAIT_SECONDS = 10.0
WRITER_LOCK_WAIT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 10


def _sqlite_pragmas(busy_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    return on_connect


# A literal quoted after a colon ('invalid input syntax for type integer: "..."') is a value.
_QUOTED_VALUE = re.compile(r':\s*".*"\s*$', re.S)


def _without_values(context: sa.engine.ExceptionContext) -> None:
    """No database error carries the values of a row, wherever it is logged or stored.

    SQLAlchemy prints a statement's parameters in the exception (``hide_parameters`` stops
    that), and PostgreSQL adds a DETAIL ("Failing row contains (..., $argon2id$...)",
    "Key (email)=(...)"), which psycopg puts in the message. Only the primary message stays.
    """
    error = context.sqlalchemy_exception
    if isinstance(error, sa.exc.StatementError):
        error.hide_parameters = True
    original = context.original_exception
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if primary is None:
        return
    primary = _QUOTED_VALUE.sub(': "..."', primary)
    original.args = (primary,)
    if error is not None and isinstance(error, sa.exc.DBAPIError):
        error.args = (f"({type(original).__module__}.{type(original).__name__}) {primary}",)


def _begin_before_savepoints(engine: Engine) -> None:
    """Python's sqlite3 begins a transaction only before a write, so a SAVEPOINT that comes first
    would be the transaction itself, and its release a COMMIT the edge could not roll back.

    Done in the engine's dialect, not in a "savepoint" event: one connection event makes
    SQLAlchemy dispatch events around every statement on the engine, which cost the webhook
    writer about 2.5% of its time on SQLite.
    """
    savepoint = engine.dialect.do_savepoint

    def do_savepoint(conn: sa.Connection, name: str) -> None:
        raw = conn.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")
        savepoint(conn, name)

    engine.dialect.do_savepoint = do_savepoint


def build_engine(url: str, *, lock_wait: float = LOCK_WAIT_SECONDS, pool_size: int = 10) -> Engine:
    """An engine whose statements give up after ``lock_wait`` seconds of waiting for a lock."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": lock_wait}, hide_parameters=True
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas(int(lock_wait * 1000)))
        _begin_before_savepoints(engine)
    else:
        connect_args: dict = {"connect_timeout": max(1, math.ceil(min(lock_wait, CONNECT_TIMEOUT_SECONDS)))}
        pool_timeout = 30.0  # SQLAlchemy's default: requests queue for a connection under load
        if lock_wait < LOCK_WAIT_SECONDS:
            # A lock held elsewhere or a statement stuck behind one ends in an error, not a wait.
            ms = int(lock_wait * 1000)
            connect_args["options"] = f"-c lock_timeout={ms} -c statement_timeout={ms + 1000}"
            pool_timeout = lock_wait
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=pool_timeout,
            connect_args=connect_args,
            hide_parameters=True,
        )
    sa.event.listen(engine, "handle_error", _without_values)
    return engine


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def get_writer_engine() -> Engine:
    """The webhook writer's own connections, with short lock and connect timeouts."""
    return build_engine(get_settings().database_url, lock_wait=WRITER_LOCK_WAIT_SECONDS, pool_size=2)


def unavailable(exc: BaseException) -> bool:
    """The database is away, locked or too slow (as opposed to refusing this data)."""
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError) or bool(
        getattr(exc, "connection_invalidated", False)
    )


def describe(exc: BaseException) -> str:
    """An error in one line for a log or a stored error: no statement, no values."""
    if isinstance(exc, sa.exc.DBAPIError):
        first = str(exc.orig).splitlines()[0] if str(exc.orig) else ""
        return f"{type(exc).__name__} ({type(exc.orig).__name__}): {first}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


EDGE_COMMIT = "edge_commit"
WROTE = "wrote"


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session for reading; nothing it writes is kept (under test, writing here fails)."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session
        if session.info.get(WROTE) and _guarded():
            raise CommitOutsideEdge("a read-only session_scope wrote; use unit_of_work()")


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One edge's transaction: committed once when the block ends, rolled back if it raises."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        commit(session)


def in_unit_of_work(work: Callable[..., T], *args: Any) -> T:
    """``work(session, *args)`` as an edge of its own (a live refresh reads what every tab shares)."""
    with unit_of_work() as session:
        return work(session, *args)


def commit(session: Session) -> None:
    """The edge's COMMIT. Actions never call this (nor ``session.commit``): they flush."""
    session.info[EDGE_COMMIT] = True
    try:
        session.commit()
    finally:
        session.info.pop(EDGE_COMMIT, None)


def get_session() -> Iterator[Session]:
    """FastAPI dependency (scope ``function``): the request's unit of work, committed before the answer."""
    with unit_of_work() as session:
        yield session


class CommitOutsideEdge(RuntimeError):
    """Under test: something other than an edge committed (or a read-only scope wrote)."""


def _guarded() -> bool:
    return get_settings().environment == "test"


_LIBRARIES = ("sqlalchemy.", "sqlmodel.", "aisha_app.db")
_TESTS = str(Path(__file__).resolve().parent.parent / "tests") + "/"


@sa.event.listens_for(Session, "before_commit")
def _commit_guard(session: Session) -> None:
    if session.info.get(EDGE_COMMIT) or session.in_nested_transaction() or not _guarded():
        return  # a savepoint's release is part of the edge's transaction
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_LIBRARIES):
        frame = frame.f_back
    caller = frame.f_globals.get("__name__", "") if frame is not None else ""
    if frame is None or frame.f_code.co_filename.startswith(_TESTS) or caller.startswith("alembic"):
        return  # a test (or a migration) is its own edge
    raise CommitOutsideEdge(f"{caller} committed: actions flush, the edge commits (aisha_app.db.commit)")


@sa.event.listens_for(Session, "after_flush")
def _note_write(session: Session, _context) -> None:
    session.info[WROTE] = True


@sa.event.listens_for(Session, "after_commit")
def _clear_write(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(WROTE, None)


@sa.event.listens_for(Session, "after_soft_rollback")
def _clear_write_on_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(WROTE, None)


def database_status() -> dict[str, str]:
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {"status": "ok", "dialect": get_engine().dialect.name}
    except sa.exc.SQLAlchemyError as exc:
        return {"status": "error", "error": type(exc).__name__}
