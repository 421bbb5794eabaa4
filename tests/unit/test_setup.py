"""The quick start's setup step, run as the command a newcomer runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from aisha_app import manage as manage_module
from aisha_app.security import verify_password

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
    assert verify_password(password, stored_hash(tmp_path))
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


def manage(cwd: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """``python -m aisha_app.manage ARGS`` with no terminal: standard input is a pipe (or nothing)."""
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ENVIRONMENT", "SECRET_KEY"}
    }
    environment.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "aisha_app.manage", *args],
        cwd=cwd,
        env=environment,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A quick-start install whose admin is boss@kazi.test."""
    cwd = tmp_path_factory.mktemp("installed")
    result = run_setup(cwd, ADMIN_EMAIL="boss@kazi.test", ADMIN_PASSWORD="boss-password-1")
    assert result.returncode == 0, result.stderr
    return cwd


def stored_hash(cwd: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{cwd}/data/aisha.db")
    with engine.connect() as conn:
        hashed = conn.execute(sa.text("SELECT hashed_password FROM users")).scalar_one()
    engine.dispose()
    return hashed


def test_a_second_setup_says_which_admin_exists_and_how_to_set_its_password(installed):
    again = run_setup(installed, ADMIN_EMAIL="boss@kazi.test", ADMIN_PASSWORD="")
    assert again.returncode == 0, again.stderr
    assert "The admin account exists already: boss@kazi.test" in again.stdout
    assert "-m aisha_app.manage reset-password boss@kazi.test" in again.stdout
    assert "above" not in again.stdout


def test_run_sh_does_not_point_at_credentials_above():
    assert "admin account above" not in (ROOT / "scripts" / "run.sh").read_text()


def test_reset_password_reads_the_new_password_from_standard_input(installed):
    result = manage(
        installed, "reset-password", "Boss@Kazi.test", "--password-stdin", stdin="a-new-password-9\n"
    )
    assert result.returncode == 0, result.stderr
    assert "a-new-password-9" not in result.stdout + result.stderr
    assert verify_password("a-new-password-9", stored_hash(installed))


def test_reset_password_refuses_a_short_password_and_an_unknown_email(installed):
    before = stored_hash(installed)
    short = manage(installed, "reset-password", "boss@kazi.test", "--password-stdin", stdin="short\n")
    assert short.returncode == 2
    assert "at least 10 characters" in short.stderr
    unknown = manage(
        installed, "reset-password", "ghost@kazi.test", "--password-stdin", stdin="long-enough-1\n"
    )
    assert unknown.returncode == 2
    assert "No user with the email ghost@kazi.test" in unknown.stderr
    assert stored_hash(installed) == before


def test_reset_password_without_a_terminal_says_to_use_password_stdin(installed):
    result = manage(installed, "reset-password", "boss@kazi.test", stdin="a-new-password-9\n")
    assert result.returncode == 2
    assert "--password-stdin" in result.stderr


def test_the_help_and_the_docstring_list_the_real_commands():
    docstring = manage_module.__doc__ or ""
    result = manage(ROOT, "--help")
    assert result.returncode == 0
    for command in ("setup", "migrate", "reset-password"):
        assert command in result.stdout
        assert f"python -m aisha_app.manage {command}" in docstring
    assert "create-admin" not in docstring + result.stdout
    assert "--password-stdin" in docstring
    assert "--password-stdin" in manage(ROOT, "reset-password", "--help").stdout
