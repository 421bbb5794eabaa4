"""Command line for installing and looking after Aisha.

python -m aisha_app.manage setup
    migrate to head, create the first admin (ADMIN_EMAIL, ADMIN_PASSWORD or a generated
    password printed once), load the demo on a fresh embedded database
python -m aisha_app.manage migrate
    upgrade the database schema to head
python -m aisha_app.manage reset-password EMAIL [--password-stdin]
    set a user's password (asked twice on a terminal, or one line from standard input),
    end their sessions and clear their failed sign-ins
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import secrets
import sys
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from sqlmodel import select

from aisha_app import migrations
from aisha_app.actions import demo
from aisha_app.actions.users import ensure_admin, reset_password
from aisha_app.config import ConfigurationError, describe, get_settings
from aisha_app.db import unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import PasswordReset, Role, User


def _command(*args: str) -> str:
    """How to run this module again, as the user would type it here (e.g. .venv/bin/python -m ...)."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):  # outside this directory: the full path
        python = python.relative_to(Path.cwd())
    return " ".join([str(python), "-m", "aisha_app.manage", *args])


def _bootstrap_admin() -> None:
    settings = get_settings()
    with unit_of_work() as session:
        admins = session.exec(
            select(User.email).where(User.role == Role.ADMIN, User.is_active).order_by(User.id)
        ).all()
        if admins:
            named = settings.admin_email.strip().lower()
            email = named if named in admins else admins[0]
            print(f"The admin account exists already: {email}")
            print(f"To set a new password run: {_command('reset-password', email)}")
            return
        if settings.is_production and not settings.admin_password:
            # A generated password would end up in the container's logs.
            raise ConfigurationError(
                "No admin exists yet: set ADMIN_PASSWORD (and ADMIN_EMAIL) for the first start."
            )
        password = settings.admin_password or secrets.token_urlsafe(12)
        user, created = ensure_admin(session, settings.admin_email, password)
    if not created:
        raise ConfigurationError(
            f"{user.email} exists but is not an active admin; choose another ADMIN_EMAIL."
        )
    print("Created the admin account:")
    print(f"    email:    {user.email}")
    if settings.admin_password:
        print("    password: (from ADMIN_PASSWORD)")
    else:
        print(f"    password: {password}")
        print("    (printed once; set ADMIN_PASSWORD before the first run to choose it)")


def setup() -> None:
    """Migrate to head, make sure an admin exists, and load the demo on a fresh embedded database."""
    settings = get_settings()
    print(f"Settings: {describe(settings)}")
    migrations.upgrade()
    print("Database schema is up to date.")
    _bootstrap_admin()
    with unit_of_work() as session:
        if settings.uses_default_database and not settings.is_production and demo.workspace_is_empty(session):
            demo.load_demo_workspace(session)
            print("Loaded the demo workspace (Kazi Workwear, Nairobi).")


def _fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _new_password(email: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        _fail("no terminal to ask for the password; pipe it in with --password-stdin")
    password = getpass.getpass(f"New password for {email}: ")
    if getpass.getpass("The same again: ") != password:
        _fail("the two passwords differ; nothing was changed")
    return password


def _reset_password(email: str, from_stdin: bool) -> None:
    try:
        password = PasswordReset(password=_new_password(email, from_stdin)).password
    except ValidationError as exc:
        _fail(exc.errors()[0]["msg"].removeprefix("Value error, "))
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            _fail(f"No user with the email {email}.")
        reset_password(session, user.id, password, actor=None)
    print(f"Password changed for {email}; their sessions have ended and failed sign-ins are forgotten.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m aisha_app.manage",
        description="Install and look after Aisha.",
        epilog=f"examples: {_command('setup')}  |  "
        f"echo 'a-new-password' | {_command('reset-password', 'admin@example.com', '--password-stdin')}",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{setup,migrate,reset-password}")
    sub.add_parser("setup", help="migrate, create the first admin, load the demo on a fresh embedded DB")
    sub.add_parser("migrate", help="upgrade the database schema to head")
    reset = sub.add_parser(
        "reset-password", help="set a user's password, end their sessions, clear their failed sign-ins"
    )
    reset.add_argument("email")
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input (no terminal needed)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            setup()
        elif args.command == "migrate":
            migrations.upgrade()
        elif args.command == "reset-password":
            _reset_password(args.email, args.password_stdin)
    except (ConfigurationError, AppError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
