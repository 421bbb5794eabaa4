"""The job queue's dead letters, for admins: see what failed for good and replay it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from aisha_app.api.deps import AdminUser, DbSession, Id
from aisha_app.background import jobs

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


class JobPublic(BaseModel):
    id: int
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


@router.get("/dead", response_model=list[JobPublic])
def dead(admin: AdminUser, session: DbSession) -> list[JobPublic]:
    return [JobPublic.model_validate(j, from_attributes=True) for j in jobs.dead_jobs(session)]


@router.post("/{job_id}/replay", response_model=JobPublic)
def replay(job_id: Id, admin: AdminUser, session: DbSession) -> JobPublic:
    return JobPublic.model_validate(jobs.replay(session, job_id), from_attributes=True)
