"""Read-only views of the data for pages. Writes live in ``aisha_app.actions``."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from aisha_app.models import (
    Contact,
    Conversation,
    ConversationStatus,
    LeadStage,
    Review,
    User,
    WaitingList,
    WaitingListEntry,
    WaitingStatus,
)


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def dashboard_counts(session: Session) -> dict[str, int]:
    return {
        "open_conversations": _count(session, Conversation, Conversation.status == ConversationStatus.OPEN),
        "waiting_for_staff": _count(session, Conversation, Conversation.status == ConversationStatus.PENDING),
        "contacts": _count(session, Contact),
        "waiting_now": _count(session, WaitingListEntry, WaitingListEntry.status == WaitingStatus.WAITING),
        "reviews": _count(session, Review),
    }


def leads_by_stage(session: Session) -> list[dict[str, str]]:
    counts = dict(session.exec(select(Contact.lead_stage, func.count()).group_by(Contact.lead_stage)).all())
    return [{"stage": stage.value, "count": str(counts.get(stage, 0))} for stage in LeadStage]


def waiting_lists(session: Session) -> list[dict[str, str]]:
    waiting = (
        select(func.count())
        .where(
            WaitingListEntry.waiting_list_id == WaitingList.id,
            WaitingListEntry.status == WaitingStatus.WAITING,
        )
        .scalar_subquery()
    )
    rows = session.exec(select(WaitingList, waiting).order_by(WaitingList.name)).all()
    return [{"name": wl.name, "waiting": str(n)} for wl, n in rows]


def recent_reviews(session: Session, limit: int = 50) -> list[dict[str, str]]:
    rows = session.exec(select(Review).order_by(col(Review.created_at).desc()).limit(limit)).all()
    return [
        {
            "customer": r.customer_name or "",
            "product": r.product_name or "",
            "rating": "★" * r.rating,
            "text": r.text or "",
            "when": r.created_at.strftime("%Y-%m-%d"),
        }
        for r in rows
    ]


def staff(session: Session) -> list[dict[str, Any]]:
    users = session.exec(select(User).order_by(User.role, User.email)).all()
    return [
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "role": u.role,
            "active": u.is_active,
            "last_login": u.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if u.last_login_at else "never",
        }
        for u in users
    ]
