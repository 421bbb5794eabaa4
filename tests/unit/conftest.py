"""One test world on a real database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set.

The settings are read from the environment once, so the test database is chosen here,
before anything from ``aisha_app`` is imported.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="aisha-tests-"))
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP}/test.db"
os.environ.update(
    DATABASE_URL=TEST_DATABASE_URL,
    ENVIRONMENT="test",
    SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
    PUBLIC_BASE_URL="http://testserver",
)

import sqlalchemy as sa  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from aisha_app import migrations  # noqa: E402
from aisha_app.actions.users import create_user  # noqa: E402
from aisha_app.api import build_api  # noqa: E402
from aisha_app.db import get_engine  # noqa: E402
from aisha_app.models import Contact, Role, User, UserCreate  # noqa: E402

ADMIN_PASSWORD = "admin-password-123"
AGENT_PASSWORD = "agent-password-123"


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


def login(client: TestClient, email: str, password: str) -> dict[str, str]:
    """Bearer headers for a user, through the real token endpoint."""
    response = client.post("/api/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
