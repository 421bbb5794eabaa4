"""Settings › Failed jobs."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.jobs import JobsState


def _job(job) -> rx.Component:
    """One dead job, as a card: on a phone its Replay stays on screen (a table's last column
    would be off to the side)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(job["kind"], weight="bold", size="2"),
                rx.text("#", job["id"], " · ", job["attempts"], " attempts", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button("Replay", size="1", on_click=JobsState.replay(job["id"])),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.text(job["payload"], size="1", color_scheme="gray", class_name="job-for"),
            rx.text(job["error"], size="1", color_scheme="red", class_name="job-error"),
            rx.text(
                "Gave up ",
                rx.moment(job["when"], from_now=True),
                size="1",
                color_scheme="gray",
                title=job["exact"],
                class_name="job-when",
            ),
            spacing="1",
            width="100%",
            min_width="0",
            overflow_wrap="anywhere",
        ),
        width="100%",
        class_name="job",
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
            rx.vstack(rx.foreach(JobsState.dead, _job), spacing="2", width="100%"),
            empty_state(
                "No failed jobs", "Every job so far has succeeded or is still being retried.", "circle-check"
            ),
        ),
        width="100%",
        spacing="4",
    )


jobs_page = shell("Failed jobs", _jobs, back=("Settings", routes.SETTINGS))
