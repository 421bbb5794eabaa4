"""A real app (``aisha_app.devserver``) on a free port, and real Chromium.

Run as its own pytest process (see scripts/test.sh): Playwright's sync API and
pytest-asyncio's event loop do not share a process well.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from aisha_app.devserver import running_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ADMIN_EMAIL = "owner@kazi.test"
ADMIN_PASSWORD = "owner-password-1"
# The running app's database; tests may seed what pages cannot create yet.
APP_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or (
    f"sqlite:///{tempfile.mkdtemp(prefix='aisha-browser-')}/browser.db"  # in the run's TMPDIR
)
# The running app's output, kept with the run's reports (scripts/test.sh names them).
APP_LOG = (
    ROOT
    / "test-results"
    / f"browser-{'postgresql' if APP_DATABASE_URL.startswith('postgresql') else 'sqlite'}"
    / "app.log"
)


_LOG_START = pytest.StashKey[int]()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app_database() -> str:
    """The running app's database (a fixture, so every test sees the same one)."""
    return APP_DATABASE_URL


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    database_url = APP_DATABASE_URL
    if database_url.startswith("postgresql"):
        _reset_postgres(database_url)
    settings = {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "AI_BURST_SECONDS": "0.5",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    with running_app(_free_port(), settings, log_path=APP_LOG) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=app_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")


PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESK = {"width": 1440, "height": 900}


def signed_in_page(
    browser: Browser,
    app_url: str,
    path: str,
    email: str = ADMIN_EMAIL,
    password: str = ADMIN_PASSWORD,
    viewport: dict[str, int] | None = None,
) -> Page:
    """A fresh browser (its own cookies) signed in and at ``path``, at ``viewport`` if given."""
    context = browser.new_context(base_url=app_url, viewport=viewport or DESK)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, email, password)
    expect(page.locator("#welcome")).to_be_visible()
    page.goto(path)
    return page


def customer_page(browser: Browser, app_url: str, name: str, phone: str) -> Page:
    """The simulator, opened by a signed-in staff member playing the customer ``name``."""
    page = signed_in_page(browser, app_url, "/simulator")
    page.fill("#sim-name", name)
    page.fill("#sim-phone", phone)
    page.click("#sim-start")
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test's report carries what the app logged while it ran: CI prints only the report."""
    report = yield
    if report.when == "setup":
        item.stash[_LOG_START] = APP_LOG.stat().st_size if APP_LOG.exists() else 0
    elif report.failed and APP_LOG.exists():
        with open(APP_LOG, "rb") as log:
            log.seek(item.stash.get(_LOG_START, 0))
            lines = log.read().decode(errors="replace").splitlines()[-80:]
        report.sections.append(("what the app logged during this test", "\n".join(lines) or "(nothing)"))
    if (
        report.failed
        and report.when == "call"
        and isinstance(browser := item.funcargs.get("browser"), Browser)
    ):
        for context in browser.contexts:  # every page the test opened, as it was when it failed
            for open_page in context.pages:
                try:
                    text = open_page.locator("body").inner_text(timeout=2_000)[-2_000:]
                except PlaywrightError as exc:
                    text = f"(unreadable: {exc.message})"
                report.sections.append((f"page {open_page.url}", text))
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if APP_LOG.exists():
        terminalreporter.write_line(f"the app's log: {APP_LOG.relative_to(ROOT)}")


def admin_api(app_url: str) -> httpx.Client:
    """The running app's API as its admin: for what a test sets up or checks behind the page."""
    token = httpx.post(
        f"{app_url}/api/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    ).json()["access_token"]
    return httpx.Client(base_url=app_url, headers={"Authorization": f"Bearer {token}"})
