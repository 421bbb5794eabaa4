"""Workspace switches that admins flip in the app."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from aisha_app.actions.audit import audit
from aisha_app.errors import Forbidden
from aisha_app.models import AppSetting, Role, User
from aisha_app.models.base import utcnow

SIMULATOR_PUBLIC = "simulator_public"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(AppSetting, key)
    return default if row is None else row.value


def set_setting(session: Session, key: str, value: Any, actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins change workspace settings.")
    remember(session, key, value)
    audit(session, actor, "setting.changed", None, key=key, value=value)
    session.flush()


def remember(session: Session, key: str, value: Any) -> None:
    """A value the app keeps for itself (whose turn it is), not a switch admins flip."""
    row = session.get(AppSetting, key) or AppSetting(key=key)
    row.value, row.updated_at = value, utcnow()
    session.add(row)
    session.flush()
