"""The dashboard's counts over REST: what the Dashboard page shows."""

from __future__ import annotations

from fastapi import APIRouter

from aisha_app import queries
from aisha_app.api.deps import CurrentUser, DbSession

router = APIRouter(tags=["dashboard"])


@router.get("/api/dashboard", response_model=dict[str, int])
def dashboard(user: CurrentUser, session: DbSession) -> dict[str, int]:
    """Active conversations and those waiting for staff (the inbox's tabs' totals), contacts, the
    waiting list now, reviews."""
    return queries.dashboard_counts(session)
