"""Chat bubbles shared by the staff inbox and the customer simulator."""

from __future__ import annotations

import reflex as rx

# Right-to-left text (Arabic) lays itself out when the browser picks the direction.
AUTO_DIR = {"dir": "auto"}


def media(m: rx.Var) -> rx.Component:
    return rx.match(
        m.media_kind,
        ("image", rx.image(src=m.media_url, max_width="min(260px, 100%)", border_radius="8px", alt="photo")),
        ("audio", rx.el.audio(src=m.media_url, controls=True)),
        ("video", rx.el.video(src=m.media_url, controls=True, width="260px", max_width="100%")),
        ("document", rx.link("📎 Open file", href=m.media_url, is_external=True)),
        rx.fragment(),
    )


def bubble(m: rx.Var, mine: rx.Var[bool], on_retry=None, on_tap=None) -> rx.Component:
    """One message. ``mine`` puts it on the right; notes are yellow; failures show why."""
    is_note = m.type == "note"
    return rx.box(
        rx.vstack(
            rx.cond(m.author != "", rx.text(m.author, size="1", weight="bold", color_scheme="gray")),
            rx.cond(m.media_url != "", media(m)),
            rx.cond(m.map_url != "", rx.link("📍 ", m.body, href=m.map_url, is_external=True)),
            rx.cond(
                (m.body != "") & (m.map_url == ""),
                rx.text(m.body, size="2", white_space="pre-wrap", custom_attrs=AUTO_DIR, class_name="body"),
            ),
            rx.cond(
                m.buttons.length() > 0,
                rx.hstack(
                    rx.foreach(
                        m.buttons,
                        lambda b: rx.button(
                            b["title"],
                            size="1",
                            variant="outline",
                            class_name="reply-button",
                            on_click=on_tap(b["id"], b["title"]) if on_tap else rx.noop(),
                            disabled=on_tap is None,
                        ),
                    )
                ),
            ),
            rx.hstack(
                rx.text(m.time, title=m.exact, size="1", color=rx.color("gray", 10), font_size="11px"),
                rx.cond(
                    m.direction == "outbound",
                    rx.text(
                        m.tick,
                        size="1",
                        class_name="tick",
                        custom_attrs={"data-status": m.status},
                        color=rx.cond(m.status == "read", rx.color("blue", 10), rx.color("gray", 10)),
                    ),
                ),
                spacing="2",
                justify="end",
                width="100%",
            ),
            rx.cond(
                m.error != "",
                rx.hstack(
                    rx.text(m.error, size="1", color_scheme="red", class_name="error"),
                    rx.cond(
                        on_retry is not None,
                        rx.button(
                            "Retry",
                            size="1",
                            color_scheme="red",
                            variant="soft",
                            on_click=on_retry(m.id) if on_retry else rx.noop(),
                        ),
                    ),
                ),
            ),
            spacing="1",
            align="start",
        ),
        background=rx.cond(
            is_note, rx.color("amber", 3), rx.cond(mine, rx.color("teal", 3), rx.color("gray", 3))
        ),
        border_radius="12px",
        padding="0.5em 0.8em",
        max_width=["85%", "85%", "70%"],
        overflow_wrap="anywhere",  # a long word or URL wraps instead of pushing the thread wider
        min_width="0",
        align_self=rx.cond(mine, "flex-end", "flex-start"),
        class_name="bubble",
        custom_attrs={"data-direction": m.direction, "data-status": m.status, "data-id": m.id},
    )
