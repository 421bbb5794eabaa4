"""The quick start's setup step, run as the command a newcomer runs."""

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def run_setup(cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ENVIRONMENT", "SECRET_KEY"}
    }
    environment.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "aisha_app.manage", "setup"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    engine.dispose()
    return n


def test_first_run_on_the_embedded_database_creates_an_admin_and_the_demo(tmp_path):
    result = run_setup(tmp_path, ADMIN_EMAIL="boss@kazi.test", ADMIN_PASSWORD="boss-password-1")
    assert result.returncode == 0, result.stderr
    assert "boss@kazi.test" in result.stdout
    assert "boss-password-1" not in result.stdout
    assert "Loaded the demo workspace" in result.stdout
    url = f"sqlite:///{tmp_path}/data/aisha.db"
    assert count(url, "users") == 1
    assert count(url, "products") >= 3
    assert count(url, "conversations") >= 3
    products = count(url, "products")

    again = run_setup(tmp_path, ADMIN_EMAIL="boss@kazi.test", ADMIN_PASSWORD="boss-password-1")
    assert again.returncode == 0, again.stderr
    assert "Loaded the demo" not in again.stdout
    assert count(url, "products") == products
    assert count(url, "users") == 1


def test_a_generated_admin_password_is_printed_once_and_works(tmp_path):
    result = run_setup(tmp_path, ADMIN_EMAIL="first@kazi.test", ADMIN_PASSWORD="")
    assert result.returncode == 0, result.stderr
    password = next(
        line.split(":", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.strip().startswith("password:")
    )
    assert len(password) >= 12
    engine = sa.create_engine(f"sqlite:///{tmp_path}/data/aisha.db")
    with engine.connect() as conn:
        hashed = conn.execute(sa.text("SELECT hashed_password FROM users")).scalar_one()
    engine.dispose()
    from aisha_app.security import verify_password

    assert verify_password(password, hashed)
    again = run_setup(tmp_path, ADMIN_EMAIL="first@kazi.test", ADMIN_PASSWORD="")
    assert password not in again.stdout


def test_an_explicit_database_url_never_gets_demo_data(tmp_path):
    url = f"sqlite:///{tmp_path}/production.db"
    result = run_setup(tmp_path, DATABASE_URL=url, ADMIN_PASSWORD="boss-password-1")
    assert result.returncode == 0, result.stderr
    assert count(url, "users") == 1
    assert count(url, "contacts") == 0
    assert count(url, "products") == 0


def test_production_with_the_default_secret_refuses_to_start(tmp_path):
    result = run_setup(tmp_path, ENVIRONMENT="production", DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr


def test_production_never_generates_or_prints_an_admin_password(tmp_path):
    result = run_setup(
        tmp_path, ENVIRONMENT="production", SECRET_KEY="p" * 48, DATABASE_URL=f"sqlite:///{tmp_path}/p.db"
    )
    assert result.returncode == 2
    assert "ADMIN_PASSWORD" in result.stderr
    assert "password:" not in result.stdout
