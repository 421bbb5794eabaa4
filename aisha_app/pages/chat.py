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


def bubble_body(m, mine, buttons: rx.Component, retry: rx.Component | None, key) -> rx.Component:
    """One message. ``mine`` puts it on the right; notes are yellow; failures show why. ``m``
    has the message's fields as attributes: an item of a thread, or a memo's arguments.

    Plain elements styled by assets/aisha.css: a live update redraws the thread in every tab
    that shows it, and Radix's styled components cost many times as much to draw.
    """
    return rx.el.div(
        rx.cond(m.author != "", rx.el.div(m.author, class_name="bubble-author")),
        rx.cond(m.media_url != "", media(m)),
        rx.cond(m.map_url != "", rx.link("📍 ", m.body, href=m.map_url, is_external=True)),
        rx.cond(
            (m.body != "") & (m.map_url == ""),
            rx.el.div(m.body, custom_attrs=AUTO_DIR, class_name="body"),
        ),
        buttons,
        rx.el.div(
            rx.el.span(m.time, title=m.exact, class_name="bubble-time"),
            rx.cond(
                m.direction == "outbound",
                rx.el.span(m.tick, class_name="tick", custom_attrs={"data-status": m.status}),
            ),
            class_name="bubble-meta",
        ),
        rx.cond(
            m.error != "",
            rx.hstack(
                rx.text(m.error, size="1", color_scheme="red", class_name="error"),
                retry if retry is not None else rx.fragment(),
            ),
        ),
        class_name="bubble",
        key=key,  # by message: a new one is one node more, not every bubble redrawn a place down
        custom_attrs={
            "data-direction": m.direction,
            "data-status": m.status,
            "data-id": m.id,
            "data-side": rx.cond(mine, "mine", "theirs"),
            "data-note": rx.cond(m.type == "note", "true", "false"),
        },
    )


def reply_button(title: rx.Var, on_click=None) -> rx.Component:
    return rx.button(
        title,
        size="1",
        variant="outline",
        class_name="reply-button",
        on_click=on_click if on_click is not None else rx.noop(),
        disabled=on_click is None,
    )


def bubble(m: rx.Var, mine: rx.Var[bool], on_tap) -> rx.Component:
    """The customer's phone (the simulator): reply buttons they can tap."""
    buttons = rx.cond(
        m.buttons.length() > 0,
        rx.hstack(rx.foreach(m.buttons, lambda b: reply_button(b["title"], on_tap(b["id"], b["title"])))),
    )
    return bubble_body(m, mine, buttons, None, key=m.id)
