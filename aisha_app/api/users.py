"""Staff accounts and the audit log: admins only."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlmodel import col, select

from aisha_app.actions import users as actions
from aisha_app.api.deps import AdminUser, DbSession, Id, client_ip
from aisha_app.models import AuditLog, AuditLogPublic, PasswordReset, UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/users", response_model=list[UserPublic])
def list_users(admin: AdminUser, session: DbSession) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in actions.list_users(session, admin)]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(data: UserCreate, admin: AdminUser, session: DbSession, request: Request) -> UserPublic:
    return UserPublic.model_validate(actions.create_user(session, data, admin, client_ip(request)))


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(
    user_id: Id, data: UserUpdate, admin: AdminUser, session: DbSession, request: Request
) -> UserPublic:
    return UserPublic.model_validate(actions.update_user(session, user_id, data, admin, client_ip(request)))


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(
    user_id: Id, data: PasswordReset, admin: AdminUser, session: DbSession, request: Request
) -> None:
    actions.reset_password(session, user_id, data.password, admin, client_ip(request))


@router.get("/audit-log", response_model=list[AuditLogPublic])
def audit_log(
    admin: AdminUser, session: DbSession, limit: int = Query(default=100, ge=1, le=500)
) -> list[AuditLogPublic]:
    rows = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)).all()
    return [AuditLogPublic.model_validate(r) for r in rows]
