"""Password hashing (argon2 via passlib) and signed access tokens (JWT via python-jose)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from jose import JWTError, jwt
from passlib.context import CryptContext

from aisha_app.config import Settings, get_settings

ALGORITHM = "HS256"
SESSION_COOKIE = "aisha_session"

# argon2's minimum: tests only. A hash carries its parameters, so either kind verifies anywhere.
_CHEAP_ARGON2 = {"argon2__memory_cost": 8, "argon2__time_cost": 1, "argon2__parallelism": 1}


@lru_cache
def _context(cheap: bool) -> CryptContext:
    return CryptContext(schemes=["argon2"], deprecated="auto", **(_CHEAP_ARGON2 if cheap else {}))


def password_context(settings: Settings) -> CryptContext:
    """Strong argon2 parameters (passlib's defaults: 64 MiB, 3 passes) except under test."""
    return _context(settings.cheap_password_hashing)


@lru_cache
def _dummy_hash(cheap: bool) -> str:
    """Verified when the email is unknown, so a wrong email costs as long as a wrong password."""
    return _context(cheap).hash("not-a-real-password")


def hash_password(password: str) -> str:
    return password_context(get_settings()).hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    context = password_context(get_settings())
    if hashed is None:
        context.verify(password, _dummy_hash(get_settings().cheap_password_hashing))
        return False
    return context.verify(password, hashed)


def create_access_token(
    user_id: int, session_id: str, *, expires_in: timedelta | None = None
) -> tuple[str, int]:
    """A signed token naming its server-side session, and its lifetime in seconds."""
    settings = get_settings()
    lifetime = expires_in or session_lifetime()
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "sid": session_id, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), int(lifetime.total_seconds())


def session_lifetime() -> timedelta:
    return timedelta(minutes=get_settings().access_token_minutes)


def decode_access_token(token: str) -> dict[str, Any] | None:
    """The token's claims, or None if it is forged, altered, expired, endless or malformed."""
    try:
        claims = jwt.decode(
            token, get_settings().secret_key, algorithms=[ALGORITHM], options={"require_exp": True}
        )
    except JWTError:
        return None
    if not str(claims.get("sub", "")).isdigit() or not isinstance(claims.get("sid"), str):
        return None
    return claims
