"""Settings › Failed jobs."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.jobs import JobsState


def _row(job) -> rx.Component:
    return rx.table.row(
        rx.table.cell(job["id"]),
        rx.table.cell(job["kind"]),
        rx.table.cell(job["payload"]),
        rx.table.cell(job["attempts"]),
        rx.table.cell(rx.text(job["error"], size="1", color_scheme="red")),
        rx.table.cell(rx.moment(job["when"], from_now=True), title=job["exact"], white_space="nowrap"),
        rx.table.cell(rx.button("Replay", size="1", on_click=JobsState.replay(job["id"]))),
    )


def _jobs() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Work that failed on every attempt (sends, media downloads). Replay it once the cause is "
            "fixed; nothing is lost meanwhile.",
            color_scheme="gray",
        ),
        rx.cond(JobsState.notice != "", rx.callout(JobsState.notice, icon="info", size="1")),
        rx.cond(
            JobsState.dead.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ["Job", "Kind", "For", "Attempts", "Last error", "Gave up", ""]
                        ]
                    )
                ),
                rx.table.body(rx.foreach(JobsState.dead, _row)),
                width="100%",
            ),
            empty_state(
                "No failed jobs", "Every job so far has succeeded or is still being retried.", "circle-check"
            ),
        ),
        width="100%",
        spacing="4",
    )


jobs_page = shell("Failed jobs", _jobs, back=("Settings", routes.SETTINGS))
