"""Password hashing (argon2 via passlib) and signed access tokens (JWT via python-jose)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt
from passlib.context import CryptContext

from aisha_app.config import get_settings

ALGORITHM = "HS256"
SESSION_COOKIE = "aisha_session"

_passwords = CryptContext(schemes=["argon2"], deprecated="auto")
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _passwords.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    if hashed is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False
    return _passwords.verify(password, hashed)


def create_access_token(
    user_id: int, token_version: int, *, expires_in: timedelta | None = None
) -> tuple[str, int]:
    """A signed token and its lifetime in seconds."""
    settings = get_settings()
    lifetime = expires_in or timedelta(minutes=settings.access_token_minutes)
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "ver": token_version, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), int(lifetime.total_seconds())


def decode_access_token(token: str) -> dict[str, Any] | None:
    """The token's claims, or None if it is forged, altered, expired or malformed."""
    try:
        claims = jwt.decode(token, get_settings().secret_key, algorithms=[ALGORITHM])
    except JWTError:
        return None
    if not str(claims.get("sub", "")).isdigit() or not isinstance(claims.get("ver"), int):
        return None
    return claims
