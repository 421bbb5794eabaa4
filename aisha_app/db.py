"""The engine and sessions. Tables are created by Alembic migrations, never here.

One unit of work per edge: a request, a Reflex event handler, a job and a writer batch each open
``unit_of_work()`` (or are handed its session) and commit once, through ``commit``. Actions only
flush, so they compose: an audit row lands in the transaction of the change it records, and
events publish after that one commit. Under test a guard fails any other commit.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from aisha_app.config import get_settings


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def build_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


EDGE_COMMIT = "edge_commit"
WROTE = "wrote"


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for reading; nothing it writes is kept (under test, writing here fails)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
        if session.info.get(WROTE) and _guarded():
            raise CommitOutsideEdge("a read-only session_scope wrote; use unit_of_work()")


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One edge's transaction: committed once when the block ends, rolled back if it raises."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        commit(session)


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
