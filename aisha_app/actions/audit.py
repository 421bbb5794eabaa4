from __future__ import annotations

from typing import Any

from sqlmodel import Session

from aisha_app.models import AuditLog, User


def audit(
    session: Session,
    actor: User | None,
    action: str,
    target: Any = None,
    *,
    client_ip: str | None = None,
    **details: Any,
) -> None:
    """Add an audit entry to the caller's transaction; it commits with the change it records."""
    session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            action=action,
            target_type=type(target).__name__.lower() if target is not None else None,
            target_id=str(target.id) if target is not None else None,
            details=details,
            client_ip=client_ip,
        )
    )
