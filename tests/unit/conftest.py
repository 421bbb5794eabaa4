"""One test world on a real database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set.

``tests.unit.support`` sets the environment up before anything from ``aisha_app`` is imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# isort: off
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, STUB, TEST_DATABASE_URL, login  # environment
# isort: on

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from aisha_app import migrations
from aisha_app.actions.users import create_user
from aisha_app.api import build_api
from aisha_app.config import get_settings
from aisha_app.db import get_engine
from aisha_app.models import Contact, Product, Role, User, UserCreate
from aisha_app.realtime import events
from tests.unit.provider_stub import ProviderStub


def reset_schema(url: str) -> None:
    """Drop everything, so each run starts from an empty database."""
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    else:
        path = sa.engine.make_url(url).database
        if path and Path(path).exists():
            Path(path).unlink()


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[sa.Engine]:
    reset_schema(TEST_DATABASE_URL)
    migrations.upgrade()
    yield get_engine()


@pytest.fixture(autouse=True)
def clean_tables(database: sa.Engine) -> Iterator[None]:
    yield
    with database.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def heard() -> Iterator[list[events.Event]]:
    """Every event published (after its commit) while the test runs."""
    received: list[events.Event] = []
    unsubscribe = events.subscribe(received.append)
    yield received
    unsubscribe()


@pytest.fixture
def stub() -> Iterator[ProviderStub]:
    STUB.reset()
    yield STUB
    STUB.reset()


@pytest.fixture
def session(database: sa.Engine) -> Iterator[Session]:
    with Session(database, expire_on_commit=False) as s:
        yield s


@dataclass
class World:
    admin: User
    agent: User
    contacts: list[Contact]


@pytest.fixture
def world(session: Session) -> World:
    """An admin, an agent, and a business with a few contacts."""
    admin = create_user(
        session,
        UserCreate(email="owner@shop.test", name="Owner", role=Role.ADMIN, password=ADMIN_PASSWORD),
        actor=None,
    )
    agent = create_user(
        session,
        UserCreate(email="agent@shop.test", name="Agent", role=Role.AGENT, password=AGENT_PASSWORD),
        actor=admin,
    )
    contacts = [
        Contact(name="Wanjiru", phone_e164="+254712345678"),
        Contact(name="Amina", phone_e164="+254733222333", language="ar"),
    ]
    session.add_all(contacts)
    session.commit()
    return World(admin=admin, agent=agent, contacts=contacts)


@pytest.fixture(scope="session")
def api() -> TestClient:
    return TestClient(build_api())


@pytest.fixture
def client(api: TestClient) -> Iterator[TestClient]:
    api.cookies.clear()
    yield api
    api.cookies.clear()


@pytest.fixture
def owner(client: TestClient, world: World) -> dict[str, str]:
    """The admin's bearer header (the world's owner, signed in through the API)."""
    return login(client, "owner@shop.test", ADMIN_PASSWORD)


@pytest.fixture
def awake(monkeypatch: pytest.MonkeyPatch) -> None:
    """No quiet hours: the automation tests run at any hour of the day."""
    monkeypatch.setattr(get_settings(), "automation_quiet_hours", "")


@pytest.fixture
def gemini(monkeypatch: pytest.MonkeyPatch, stub: ProviderStub, session: Session) -> ProviderStub:
    """Gemini configured and pointed at the stub; the catalog holds the safety boots."""
    settings = get_settings()
    monkeypatch.setattr(settings, "gemini_api_key", "test-gemini-key")
    monkeypatch.setattr(settings, "gemini_api_base_url", stub.base_url)
    session.add(
        Product(sku="BOOT-1", name="Steel-toe safety boots", price=Decimal("4500"), currency="KES", stock=18)
    )
    session.commit()
    return stub
