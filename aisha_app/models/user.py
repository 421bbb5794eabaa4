from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from aisha_app.models.base import UTCDateTime, created_at_field, timestamp_field

MIN_PASSWORD_LENGTH = 10
# Deliberately loose: staff of a local install may use addresses like admin@shop.local.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


class UserBase(SQLModel):
    email: str = Field(max_length=255, sa_column_kwargs={"unique": True}, index=True)
    name: str = Field(max_length=120)
    role: Role = Field(default=Role.AGENT, sa_type=sa.String(16))


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    hashed_password: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    last_login_at: datetime | None = timestamp_field()


def _check_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return value


class UserCreate(SQLModel):
    email: str = Field(max_length=255)
    name: str = Field(min_length=1, max_length=120)
    role: Role = Role.AGENT
    password: str

    @field_validator("email")
    @classmethod
    def _normalize_email(cls, value: str) -> str:
        value = value.strip().lower()
        if not EMAIL_PATTERN.match(value):
            raise ValueError("not a valid email address")
        return value

    _password = field_validator("password")(_check_password)


class UserUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    role: Role | None = None
    is_active: bool | None = None


class PasswordReset(SQLModel):
    password: str

    _password = field_validator("password")(_check_password)


class UserPublic(UserBase):
    id: int
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt; recent failures throttle the next ones."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_ip_created", "client_ip", "created_at"),
        sa.Index("ix_login_attempts_email_created", "email", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255)
    client_ip: str = Field(max_length=64)
    succeeded: bool
    created_at: datetime = created_at_field()


class UserSession(SQLModel, table=True):
    """One signed-in browser or API client. A token names its row; revoking the row ends it.

    Signing out revokes one session; a password reset, deactivation or role change revokes all of
    a user's sessions.
    """

    __tablename__ = "user_sessions"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = timestamp_field()
