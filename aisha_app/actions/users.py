"""Staff accounts: signing in and out, creating, changing roles, deactivating, resetting passwords."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from aisha_app.actions.audit import audit
from aisha_app.config import get_settings
from aisha_app.db import commit
from aisha_app.errors import AppError, Conflict, Forbidden, NotFound, TooManyAttempts
from aisha_app.models import LoginAttempt, Role, User, UserCreate, UserSession, UserUpdate
from aisha_app.models.base import utcnow
from aisha_app.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    session_lifetime,
    verify_password,
)

log = logging.getLogger("aisha.users")


def _failures(
    session: Session, condition: Any, start: datetime, limit: int, attempt: LoginAttempt
) -> list[datetime]:
    """When the newest ``limit`` failures matching ``condition`` since ``start`` happened."""
    return list(
        session.exec(
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
    )


def _last_success(session: Session, condition: Any) -> datetime | None:
    return session.exec(
        select(func.max(LoginAttempt.created_at)).where(condition, LoginAttempt.succeeded)
    ).one()


def _throttled(session: Session, attempt: LoginAttempt) -> int | None:
    """Seconds to wait if too many recent attempts failed, else None.

    Counted within the window: this email from this address (since it last signed in from
    there); this address whatever the email (one address trying many emails); and this email
    from every address together (since it last signed in), a ceiling high enough that guesses
    from one address never lock the owner out of their own account elsewhere.

    Called after this attempt is recorded (as a failure until proven otherwise), so parallel
    guesses all count against each other instead of racing past the check.
    """
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    since = attempt.created_at - window
    same_email = LoginAttempt.email == attempt.email
    same_address = LoginAttempt.client_ip == attempt.client_ip
    pair_success = _last_success(session, sa.and_(same_email, same_address))
    account_success = _last_success(session, same_email)
    checks = (
        (sa.and_(same_email, same_address), max(since, pair_success or since), settings.login_max_failures),
        (same_address, since, settings.login_max_failures * 4),
        (same_email, max(since, account_success or since), settings.login_max_account_failures),
    )
    for condition, start, limit in checks:
        failures = _failures(session, condition, start, limit, attempt)
        if len(failures) >= limit:
            return max(1, int((failures[-1] + window - utcnow()).total_seconds()))
    return None


def authenticate(session: Session, email: str, password: str, client_ip: str) -> User:
    """The user with these credentials, or an error. Every attempt that checks a password is recorded."""
    email = email.strip().lower()[:255]
    attempt = LoginAttempt(email=email, client_ip=client_ip[:64], succeeded=False)
    session.add(attempt)
    # The one action that commits, on purpose: the attempt is the throttle's lock, so parallel
    # guesses must see each other's before checking, and a refusal must outlive the request.
    commit(session)
    retry_after = _throttled(session, attempt)
    if retry_after is not None:
        # No password was checked. Counting this attempt would let anyone who keeps trying
        # extend the lock for ever.
        session.delete(attempt)
        commit(session)
        log.info("sign-in refused by the throttle from %s", client_ip)
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
    session.flush()
    return user


def open_session(session: Session, user: User) -> tuple[str, int]:
    """Start a signed-in session: the token that names it, and its lifetime in seconds."""
    now, lifetime = utcnow(), session_lifetime()
    live = UserSession(
        id=secrets.token_urlsafe(24), user_id=user.id, created_at=now, expires_at=now + lifetime
    )
    session.add(live)
    session.exec(sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now))
    session.flush()
    return create_access_token(user.id, live.id, expires_in=lifetime)


def user_for_token(session: Session, token: str | None) -> User | None:
    """The active user a token belongs to, if it is genuine, unexpired and its session not ended."""
    claims = decode_access_token(token) if token else None
    if claims is None:
        return None
    found = session.exec(
        select(User, UserSession)
        .join(UserSession, col(UserSession.user_id) == User.id)
        .where(UserSession.id == claims["sid"])
    ).first()
    if found is None:
        return None
    user, live = found
    if user.id != int(claims["sub"]) or not user.is_active or live.revoked_at is not None:
        return None
    return user if live.expires_at > utcnow() else None


def end_session(session: Session, token: str | None) -> None:
    """Sign out: the session this token names ends on the server (copies of the token stop working)."""
    claims = decode_access_token(token) if token else None
    if claims is None:
        return
    session.exec(
        sa.update(UserSession)
        .where(UserSession.id == claims["sid"], col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.flush()


def _end_all_sessions(session: Session, user_id: int) -> None:
    session.exec(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


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
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:  # created by someone else a moment ago
        raise Conflict(f"A user with the email {data.email} already exists.") from exc
    audit(session, actor, "user.created", user, client_ip=client_ip, email=user.email, role=user.role)
    session.flush()
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
        _end_all_sessions(session, user.id)  # signs the user out everywhere
    user.updated_at = utcnow()
    session.add(user)
    audit(session, actor, "user.updated", user, client_ip=client_ip, changes=changes)
    session.flush()
    return user


def reset_password(
    session: Session, user_id: int, password: str, actor: User | None, client_ip: str | None = None
) -> User:
    """Set a new password, sign the user out of every session and forget their failed sign-ins.

    Forgetting the failures is how an admin lets someone back in whose account is throttled.
    """
    if actor is not None:
        _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User")
    user.hashed_password = hash_password(password)
    user.updated_at = utcnow()
    session.add(user)
    _end_all_sessions(session, user.id)
    session.exec(
        sa.delete(LoginAttempt).where(
            LoginAttempt.email == user.email, col(LoginAttempt.succeeded).is_(False)
        )
    )
    audit(session, actor, "user.password_reset", user, client_ip=client_ip)
    session.flush()
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
