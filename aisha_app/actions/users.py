"""Staff accounts: signing in, creating, changing roles, deactivating, resetting passwords."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from aisha_app.actions.audit import audit
from aisha_app.config import get_settings
from aisha_app.errors import AppError, Conflict, Forbidden, NotFound, TooManyAttempts
from aisha_app.models import LoginAttempt, Role, User, UserCreate, UserUpdate
from aisha_app.models.base import utcnow
from aisha_app.security import decode_access_token, hash_password, verify_password

log = logging.getLogger("aisha.users")


def _throttled(session: Session, attempt: LoginAttempt) -> int | None:
    """Seconds to wait if too many recent attempts failed for this email or address, else None.

    Called after this attempt is recorded (as a failure until proven otherwise), so parallel
    guesses all count against each other instead of racing past the check.
    """
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    since = attempt.created_at - window
    last_success = session.exec(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == attempt.email, LoginAttempt.succeeded
        )
    ).one()
    checks = (
        (LoginAttempt.email == attempt.email, max(since, last_success or since), settings.login_max_failures),
        # One address trying many emails is throttled too, more loosely.
        (LoginAttempt.client_ip == attempt.client_ip, since, settings.login_max_failures * 4),
    )
    for condition, start, limit in checks:
        failures = session.exec(
            select(LoginAttempt.created_at)
            .where(
                condition,
                col(LoginAttempt.succeeded).is_(False),
                LoginAttempt.created_at > start,
                LoginAttempt.id != attempt.id,
            )
            .order_by(col(LoginAttempt.created_at).desc())
            .limit(limit)
        ).all()
        if len(failures) >= limit:
            return max(1, int((failures[-1] + window - utcnow()).total_seconds()))
    return None


def authenticate(session: Session, email: str, password: str, client_ip: str) -> User:
    """The user with these credentials, or an error. Every attempt is recorded."""
    email = email.strip().lower()[:255]
    attempt = LoginAttempt(email=email, client_ip=client_ip[:64], succeeded=False)
    session.add(attempt)
    session.commit()
    retry_after = _throttled(session, attempt)
    if retry_after is not None:
        raise TooManyAttempts(retry_after=retry_after)
    user = session.exec(select(User).where(User.email == email)).first()
    if not verify_password(password, user.hashed_password if user else None):
        log.info("failed sign-in from %s", client_ip)  # not the email: people type passwords there
        raise AppError("invalid_credentials", "Wrong email or password.", 401)
    if not user.is_active:
        raise AppError("account_deactivated", "This account has been deactivated.", 403)
    attempt.succeeded = True
    user.last_login_at = utcnow()
    session.add_all([attempt, user])
    session.exec(
        sa.delete(LoginAttempt).where(
            LoginAttempt.email == email, LoginAttempt.created_at < utcnow() - timedelta(days=1)
        )
    )
    session.commit()
    return user


def user_for_token(session: Session, token: str | None) -> User | None:
    """The active user a token belongs to, if it is genuine, unexpired and not revoked."""
    claims = decode_access_token(token) if token else None
    if claims is None:
        return None
    user = session.get(User, int(claims["sub"]))
    if user is None or not user.is_active or user.token_version != claims["ver"]:
        return None
    return user


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN or not actor.is_active:
        raise Forbidden()


def _active_admins(session: Session) -> int:
    """Locks the admin rows (PostgreSQL) so two admins cannot demote each other at once."""
    ids = session.exec(select(User.id).where(User.role == Role.ADMIN, User.is_active).with_for_update()).all()
    return len(ids)


def create_user(session: Session, data: UserCreate, actor: User | None, client_ip: str | None = None) -> User:
    """Create a staff account. ``actor`` None is the installer bootstrapping the first admin."""
    if actor is not None:
        _require_admin(actor)
    if session.exec(select(User.id).where(User.email == data.email)).first() is not None:
        raise Conflict(f"A user with the email {data.email} already exists.")
    user = User(
        email=data.email, name=data.name, role=data.role, hashed_password=hash_password(data.password)
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # created by someone else a moment ago
        session.rollback()
        raise Conflict(f"A user with the email {data.email} already exists.") from exc
    audit(session, actor, "user.created", user, client_ip=client_ip, email=user.email, role=user.role)
    session.commit()
    return user


def update_user(
    session: Session, user_id: int, data: UserUpdate, actor: User, client_ip: str | None = None
) -> User:
    """Rename, change role, deactivate or reactivate a user."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    changes = {k: v for k, v in changes.items() if getattr(user, k) != v}
    loses_admin = (
        user.role == Role.ADMIN
        and user.is_active
        and (changes.get("role") == Role.AGENT or changes.get("is_active") is False)
    )
    if loses_admin and user.id == actor.id:
        raise Conflict("You cannot remove your own admin access or deactivate yourself.")
    if loses_admin and _active_admins(session) <= 1:
        raise Conflict("At least one active admin must remain.")
    if not changes:
        return user
    for key, value in changes.items():
        setattr(user, key, value)
    if "role" in changes or "is_active" in changes:
        user.token_version += 1  # signs the user out everywhere
    user.updated_at = utcnow()
    session.add(user)
    audit(session, actor, "user.updated", user, client_ip=client_ip, changes=changes)
    session.commit()
    return user


def reset_password(
    session: Session, user_id: int, password: str, actor: User | None, client_ip: str | None = None
) -> User:
    """Set a new password and sign the user out of every session."""
    if actor is not None:
        _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User")
    user.hashed_password = hash_password(password)
    user.token_version += 1
    user.updated_at = utcnow()
    session.add(user)
    audit(session, actor, "user.password_reset", user, client_ip=client_ip)
    session.commit()
    return user


def list_users(session: Session, actor: User) -> list[User]:
    _require_admin(actor)
    return list(session.exec(select(User).order_by(User.role, User.email)).all())


def ensure_admin(session: Session, email: str, password: str, name: str = "Admin") -> tuple[User, bool]:
    """The first admin: created if no user has this email, else left as it is."""
    existing = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if existing is not None:
        return existing, False
    user = create_user(
        session, UserCreate(email=email, name=name, role=Role.ADMIN, password=password), actor=None
    )
    return user, True
