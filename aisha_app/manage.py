"""Command line: ``python -m aisha_app.manage setup | create-admin | reset-password EMAIL``."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from sqlmodel import select

from aisha_app import migrations
from aisha_app.actions import demo
from aisha_app.actions.users import ensure_admin, reset_password
from aisha_app.config import ConfigurationError, describe, get_settings
from aisha_app.db import session_scope
from aisha_app.errors import AppError
from aisha_app.models import Role, User


def _bootstrap_admin() -> None:
    settings = get_settings()
    with session_scope() as session:
        if session.exec(select(User.id).where(User.role == Role.ADMIN)).first() is not None:
            print(
                "Admin account exists. Reset a password with: python -m aisha_app.manage reset-password EMAIL"
            )
            return
        if settings.is_production and not settings.admin_password:
            # A generated password would end up in the container's logs.
            raise ConfigurationError(
                "No admin exists yet: set ADMIN_PASSWORD (and ADMIN_EMAIL) for the first start."
            )
        password = settings.admin_password or secrets.token_urlsafe(12)
        user, _ = ensure_admin(session, settings.admin_email, password)
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
    with session_scope() as session:
        if settings.uses_default_database and not settings.is_production and demo.workspace_is_empty(session):
            demo.load_demo_workspace(session)
            print("Loaded the demo workspace (Kazi Workwear, Nairobi).")


def _reset_password(email: str) -> None:
    password = getpass.getpass(f"New password for {email}: ")
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            raise SystemExit(f"No user with the email {email}.")
        reset_password(session, user.id, password, actor=None)
    print(f"Password changed for {email}; their sessions have ended.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m aisha_app.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="migrate, create the first admin, load the demo on a fresh embedded DB")
    sub.add_parser("migrate", help="upgrade the database schema to head")
    reset = sub.add_parser("reset-password", help="set a user's password")
    reset.add_argument("email")
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            setup()
        elif args.command == "migrate":
            migrations.upgrade()
        elif args.command == "reset-password":
            _reset_password(args.email)
    except (ConfigurationError, AppError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
