"""Read-only views of the data for pages. Writes live in ``aisha_app.actions``."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from aisha_app.clock import exact, shop_zone
from aisha_app.models import (
    Contact,
    Review,
    User,
    WaitingListEntry,
    WaitingStatus,
)
from aisha_app.queries.inbox import ConversationFilter, count_conversations


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def dashboard_counts(session: Session) -> dict[str, int]:
    return {
        # The inbox's Active and Pending tabs, counted by the inbox's own query.
        "active_conversations": count_conversations(session, ConversationFilter(status="active")),
        "waiting_for_staff": count_conversations(session, ConversationFilter(status="pending")),
        "contacts": _count(session, Contact),
        "waiting_now": _count(session, WaitingListEntry, WaitingListEntry.status == WaitingStatus.WAITING),
        "reviews": _count(session, Review),
    }


def staff(session: Session) -> list[dict[str, Any]]:
    users = session.exec(select(User).order_by(User.role, User.email)).all()
    zone = shop_zone(session)
    return [
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "role": u.role,
            "active": u.is_active,
            "last_login": exact(u.last_login_at, zone) if u.last_login_at else "never",
        }
        for u in users
    ]
