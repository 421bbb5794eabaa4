"""Reviews over REST: newest first, filtered, or as CSV; staff ask a customer for one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel

from aisha_app.actions.reviews import start_by_staff
from aisha_app.api.deps import CurrentUser, DbSession, Offset
from aisha_app.models.numbers import IdNumber
from aisha_app.queries.journeys import ReviewFilter, reviews, reviews_csv

router = APIRouter(prefix="/api/reviews", tags=["reviews"])


class ReviewOut(BaseModel):
    id: int
    contact_id: int
    conversation_id: int | None
    customer_name: str | None
    phone_number: str | None
    product: str | None
    product_id: int | None
    rating: int
    text: str | None
    thank_you_status: str | None
    created_at: datetime


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    total: int
    limit: int
    offset: int


class RequestIn(BaseModel):
    conversation_id: IdNumber


def _utc(moment: datetime) -> datetime:
    """A date-time without a zone is read as UTC; one whose UTC falls off the calendar (year 1 at
    +01:00) is refused here rather than failing in the database."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the date is outside the years 1 to 9999 in UTC") from exc


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def review_filter(
    product: str | None = Query(default=None, max_length=200),
    rating: int | None = Query(default=None, ge=1, le=5),
    max_rating: int | None = Query(default=None, ge=1, le=5),
    since: UtcDateTime | None = None,
    until: UtcDateTime | None = None,
    q: str | None = Query(default=None, max_length=200, description="words in the review, name or product"),
) -> ReviewFilter:
    return ReviewFilter(product, rating, max_rating, since, until, q)


Filters = Annotated[ReviewFilter, Depends(review_filter)]


@router.get("", response_model=ReviewPage)
def list_reviews(
    user: CurrentUser,
    session: DbSession,
    filters: Filters,
    limit: int = Query(default=50, ge=1, le=500),
    offset: Offset = 0,
) -> ReviewPage:
    rows, total = reviews(session, filters, limit, offset)
    return ReviewPage(items=[ReviewOut(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/export.csv", response_class=Response)
def export(user: CurrentUser, session: DbSession, filters: Filters) -> Response:
    rows, _ = reviews(session, filters, limit=100_000)
    return Response(
        reviews_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reviews.csv"'},
    )


@router.post("/request", status_code=202)
def request_review(body: RequestIn, user: CurrentUser, session: DbSession) -> dict:
    """Ask the customer of a conversation for a review (the guided questions start now)."""
    review = start_by_staff(session, body.conversation_id)
    return {"review_session_id": review.id, "step": review.step}
