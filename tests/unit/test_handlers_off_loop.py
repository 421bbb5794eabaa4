"""Reflex event handlers that reach the database run off the event loop that serves every tab."""

from __future__ import annotations

import asyncio
import inspect
import threading

import reflex as rx

import aisha_app.aisha_app  # noqa: F401  (registers every page's state)
from aisha_app.state.session import SessionState, off_loop

DATABASE_WORDS = ("_authorize", "unit_of_work", "_reload", "_refresh", "session_scope")


def states() -> list[type[rx.State]]:
    found, todo = [], [SessionState]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


def test_every_handler_that_reaches_the_database_is_run_off_the_event_loop():
    on_the_loop, checked = [], 0
    for cls in states():
        for name, handler in cls.event_handlers.items():
            fn = inspect.unwrap(handler.fn)
            try:
                source = inspect.getsource(fn)
            except (OSError, TypeError):
                continue  # Reflex's own setters
            if any(word in source for word in DATABASE_WORDS):
                checked += 1
                if not inspect.iscoroutinefunction(handler.fn):
                    on_the_loop.append(f"{cls.__name__}.{name}")
    assert checked > 30  # every page's state was looked at
    assert on_the_loop == []


def test_an_off_loop_handler_runs_in_another_thread_and_returns_its_answer():
    seen = {}

    @off_loop
    def handler(state, value):
        seen["thread"] = threading.get_ident()
        return value * 2

    async def main():
        seen["loop"] = threading.get_ident()
        return await handler(None, 21)

    assert asyncio.run(main()) == 42
    assert seen["thread"] != seen["loop"]
