"""The Reviews page: filters, search, the thank-you's delivery, CSV of what is shown; live."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import reflex as rx

from aisha_app.clock import exact, shop_zone, short
from aisha_app.db import unit_of_work
from aisha_app.queries.journeys import ReviewFilter, reviews
from aisha_app.realtime import events
from aisha_app.realtime.live import HUB, Batch
from aisha_app.state.session import SessionState, off_loop

REFRESH_ON = {events.REVIEW_CREATED, events.MESSAGE_STATUS}


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        return None


class ReviewsState(SessionState):
    rows: list[dict[str, str]] = []
    total: int = 0
    product: str = ""
    rating: str = "any"
    since: str = ""
    until: str = ""
    search: str = ""

    def _filter(self) -> ReviewFilter:
        until = _day(self.until)
        return ReviewFilter(
            product=self.product or None,
            rating=int(self.rating) if self.rating.isdigit() else None,
            since=_day(self.since),
            until=until + timedelta(days=1) if until else None,  # the whole last day
            q=self.search or None,
        )

    def _reload(self) -> None:
        with unit_of_work() as session:
            found, self.total = reviews(session, self._filter(), limit=200)
            zone = shop_zone(session)
        self.rows = [
            {
                "id": str(r["id"]),
                "customer": r["customer_name"] or r["phone_number"] or "",
                "product": r["product"] or "",
                "stars": "★" * r["rating"] + "☆" * (5 - r["rating"]),
                "rating": str(r["rating"]),
                "text": r["text"] or "",
                "thanks": r["thank_you_status"] or "not sent",
                "when": short(r["created_at"], zone),
                "exact": exact(r["created_at"], zone),
            }
            for r in found
        ]

    def _on_events(self, batch: Batch) -> None:
        if any(e.kind in REFRESH_ON for e in batch.events) and self._authorize(batch=batch) is not None:
            self._reload()

    @rx.var
    def csv_url(self) -> str:
        f = self._filter()
        query = {
            "product": f.product or "",
            "rating": f.rating or "",
            "since": f.since.isoformat() if f.since else "",
            "until": f.until.isoformat() if f.until else "",
            "q": f.q or "",
        }
        return "/api/reviews/export.csv?" + urlencode({k: v for k, v in query.items() if v})

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        HUB.watch(self.router.session.client_token, ReviewsState)
        self._reload()
        return None

    @rx.event
    @off_loop
    def set_filter(self, name: str, value: str | list[str]) -> None:
        if name in ("product", "rating", "since", "until", "search") and isinstance(value, str):
            setattr(self, name, value[:200])
        if self._authorize() is not None:
            self._reload()
