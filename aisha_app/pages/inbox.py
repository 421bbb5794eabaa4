"""The staff inbox: filters and conversation list, the thread with its composer, the contact."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import reflex as rx

from aisha_app.pages.chat import AUTO_DIR, bubble_body, reply_button
from aisha_app.pages.components import attribute_boxes
from aisha_app.pages.layout import DESKTOP, PHONE, empty_state, shell
from aisha_app.queries.inbox import STATUS_TABS
from aisha_app.services.messaging import ADAPTERS
from aisha_app.state.inbox import InboxState

# The contact panel needs room beside the list and the thread (Radix's "lg", 1024 px).
WIDE = ["none", "none", "none", "flex"]
NARROW = ["flex", "flex", "flex", "none"]
CHANNELS = [("all", "All channels")] + [(c.value, a.capabilities.label) for c, a in ADAPTERS.items()]


def _filters() -> rx.Component:
    return rx.vstack(
        rx.input(
            placeholder="Search name, phone or message",
            value=InboxState.search,
            on_change=InboxState.set_search.debounce(300),
            width="100%",
            id="inbox-search",
        ),
        rx.segmented_control.root(
            *[rx.segmented_control.item(tab.label, value=tab.value) for tab in STATUS_TABS],
            value=InboxState.status_filter,
            on_change=InboxState.set_status_filter,
            size="1",
            width="100%",
        ),
        rx.grid(
            rx.select.root(
                rx.select.trigger(width="100%"),
                rx.select.content(*[rx.select.item(label, value=v) for v, label in CHANNELS]),
                value=InboxState.channel_filter,
                on_change=InboxState.set_channel_filter,
                size="1",
            ),
            rx.select.root(
                rx.select.trigger(width="100%"),
                rx.select.content(
                    rx.select.item("Everyone's", value="all"),
                    rx.select.item("Mine", value="mine"),
                    rx.select.item("Unassigned", value="unassigned"),
                ),
                value=InboxState.scope,
                on_change=InboxState.set_scope,
                size="1",
            ),
            columns="2",
            spacing="2",
            width="100%",
        ),
        rx.grid(
            rx.el.select(
                rx.el.option("Every label", value=""),
                rx.foreach(InboxState.label_choices, lambda label: rx.el.option(label[0], value=label[0])),
                value=InboxState.label_filter,
                on_change=InboxState.set_label_filter,
                class_name="native-select small",
                aria_label="Label",
                id="inbox-label-filter",
            ),
            rx.input(
                placeholder="Contact tag",
                value=InboxState.tag_filter,
                on_change=InboxState.set_tag_filter.debounce(300),
                size="1",
                width="100%",
                aria_label="Contact tag",
                id="inbox-tag-filter",
            ),
            columns="2",
            spacing="2",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


@rx.memo
def conversation_row(
    cid: rx.Var[int],
    name: rx.Var[str],
    at: rx.Var[str],
    exact: rx.Var[str],
    unread: rx.Var[str],
    last: rx.Var[str],
    channel: rx.Var[str],
    status: rx.Var[str],
    ai: rx.Var[bool],
    waiting_since: rx.Var[str],
    waiting_clock: rx.Var[str],
    waiting_exact: rx.Var[str],
    selected: rx.Var[bool],
) -> rx.Component:
    """One conversation of the list, in plain elements styled by assets/aisha.css (Radix's styled
    components cost ten times as much to draw). A memo of its fields one by one: every live update
    hands every open tab the whole list, and only the rows whose fields changed draw again."""
    return rx.el.div(
        rx.el.div(
            rx.el.span(name, class_name="row-name", custom_attrs=AUTO_DIR),
            rx.el.span(rx.moment(at, from_now=True), title=exact, class_name="row-time"),
            rx.cond(unread != "", rx.el.span(unread, aria_label=unread + " unread", class_name="unread")),
            class_name="row-top",
        ),
        # untrimmed: trimming clips Arabic letters' tails
        rx.el.div(last, class_name="row-last", custom_attrs=AUTO_DIR),
        rx.el.div(
            rx.el.span(channel, class_name="chip"),
            rx.el.span(status, class_name="chip chip-outline"),
            rx.cond(ai, rx.el.span("AI", class_name="chip chip-ai")),
            rx.cond(
                waiting_since != "",
                rx.el.span(
                    "waiting since ", waiting_clock, title=waiting_exact, class_name="chip waiting-since"
                ),
            ),
            class_name="row-chips",
        ),
        on_click=InboxState.select(cid),
        class_name="conversation",
        custom_attrs={"data-id": cid, "data-selected": rx.cond(selected, "true", "false")},
    )


def _row(c: Any) -> rx.Component:
    return conversation_row(
        cid=c["id"].to(int),
        name=c["name"].to(str),
        at=c["at"].to(str),
        exact=c["exact"].to(str),
        unread=c["unread"].to(str),
        last=c["last"].to(str),
        channel=c["channel"].to(str),
        status=c["status"].to(str),
        ai=c["ai"].to(bool),
        waiting_since=c["waiting_since"].to(str),
        waiting_clock=c["waiting_clock"].to(str),
        waiting_exact=c["waiting_exact"].to(str),
        selected=InboxState.selected_id == c["id"],
        key=c["id"],  # by conversation: one moving to the top moves one node, the others stay as drawn
    )


def _list() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.cond(
            InboxState.conversations.length() > 0,
            rx.vstack(
                rx.foreach(InboxState.conversations, _row),
                rx.cond(
                    InboxState.has_more,
                    # assets/inbox.js presses it when the list is scrolled near its end.
                    rx.button(
                        "More conversations",
                        on_click=InboxState.load_more,
                        size="1",
                        variant="ghost",
                        width="100%",
                        id="load-more",
                    ),
                ),
                width="100%",
                spacing="1",
                overflow_y="auto",
                max_height="70vh",
                id="conversation-list",
            ),
            rx.text("No conversations match.", color_scheme="gray", size="2"),
        ),
        rx.text(
            "Keys: j / k next / previous · e resolve · a assign to me · / search · r reply",
            size="1",
            color_scheme="gray",
            display=DESKTOP,
            id="shortcuts-help",
        ),
        class_name="inbox-list",
        width=["100%", "100%", "300px"],
        min_width=["0", "0", "300px"],
        spacing="3",
    )


def _header() -> rx.Component:
    h = InboxState.header
    return rx.vstack(
        rx.hstack(
            rx.icon_button(
                rx.icon("arrow-left"),
                variant="ghost",
                on_click=InboxState.select(0),
                display=PHONE,
                aria_label="Back to the conversations",
                id="thread-back",
            ),
            rx.heading(
                h["name"].to(str), size="4", custom_attrs=AUTO_DIR, overflow_wrap="break-word", min_width="0"
            ),
            rx.badge(h["channel"].to(str), variant="soft"),
            _contact_popover(),
            align="center",
            width="100%",
        ),
        rx.flex(
            rx.cond(
                h["status"].to(str) != "resolved",
                rx.button(
                    rx.icon("check", size=14),
                    "Resolve",
                    size="1",
                    color_scheme="green",
                    on_click=InboxState.resolve,
                    title="Resolve and open the next conversation (e)",
                    id="resolve",
                ),
            ),
            rx.cond(
                h["assignee"].to(str) != InboxState.user_id.to_string(),
                rx.button(
                    rx.icon("user-check", size=14),
                    "Assign to me",
                    size="1",
                    variant="soft",
                    on_click=InboxState.assign_to_me,
                    title="Assign to me (a)",
                    id="assign-me",
                ),
            ),
            rx.select.root(
                rx.select.trigger(),
                rx.select.content(
                    *[rx.select.item(s.title(), value=s) for s in ("open", "pending", "snoozed", "resolved")]
                ),
                value=h["status"].to(str),
                on_change=InboxState.set_conversation_status,
                size="1",
            ),
            rx.select.root(
                rx.select.trigger(placeholder="Unassigned"),
                rx.select.content(
                    rx.select.item("Unassigned", value="none"),
                    rx.foreach(InboxState.staff, lambda u: rx.select.item(u["name"], value=u["id"])),
                ),
                value=h["assignee"].to(str),
                on_change=InboxState.assign,
                size="1",
            ),
            rx.hstack(
                rx.text("AI", size="1"),
                rx.switch(checked=h["ai"].to(bool), on_change=InboxState.set_ai, id="ai-switch"),
                align="center",
            ),
            rx.button(
                rx.icon("star", size=14),
                "Ask for a review",
                size="1",
                variant="soft",
                on_click=InboxState.ask_for_review,
                id="ask-review",
            ),
            wrap="wrap",
            spacing="2",
            width="100%",
            align="center",
        ),
        rx.flex(
            rx.foreach(
                h["label_chips"].to(list[list[str]]),
                lambda chip: rx.badge(
                    chip[0],
                    " ×",
                    color_scheme=chip[1],
                    variant="surface",
                    cursor="pointer",
                    on_click=InboxState.remove_label(chip[0]),
                    aria_label="Remove the label " + chip[0],
                    class_name="label-chip",
                ),
            ),
            rx.input(
                placeholder="+ label",
                value=InboxState.label_draft,
                on_change=InboxState.set_label_draft,
                on_blur=InboxState.add_label,
                size="1",
                width="8em",
                custom_attrs={"list": "label-suggestions"},  # the team's labels, offered as one types
                id="label-draft",
            ),
            rx.el.datalist(
                rx.foreach(InboxState.label_choices, lambda label: rx.el.option(value=label[0])),
                id="label-suggestions",
            ),
            wrap="wrap",
            spacing="1",
            align="center",
        ),
        width="100%",
        id="thread-header",
    )


def _handoff() -> rx.Component:
    """Why the assistant handed over, and since when the customer has waited for a person."""
    h = InboxState.header
    return rx.cond(
        h["waiting_since"].to(str) != "",
        rx.callout(
            rx.text(
                "Waiting for staff since ",
                rx.el.span(h["waiting_clock"].to(str), title=h["waiting_exact"].to(str)),
                " (",
                rx.moment(h["waiting_since"].to(str), from_now=True),
                ")",
                rx.cond(h["handoff_reason"].to(str) != "", rx.text.span(": ", h["handoff_reason"].to(str))),
            ),
            icon="hand",
            color_scheme="amber",
            size="1",
            width="100%",
            id="handoff",
        ),
    )


def _canned_option(c: Any, index: rx.Var[int]) -> rx.Component:
    return rx.hstack(
        rx.code("/" + c["shortcut"].to(str), white_space="nowrap"),
        rx.text(
            c["text"],
            size="1",
            color_scheme="gray",
            overflow="hidden",
            white_space="nowrap",
            text_overflow="ellipsis",
            min_width="0",
            custom_attrs=AUTO_DIR,
        ),
        on_click=InboxState.use_canned(c["id"]),
        class_name="canned-option",
        custom_attrs={"data-index": index, "role": "option"},
        padding="0.4em 0.6em",
        border_radius="6px",
        cursor="pointer",
        width="100%",
        align="center",
        _hover={"background": rx.color("accent", 3)},
    )


def _canned_menu() -> rx.Component:
    """``/word`` in the reply: the canned responses it matches (assets/inbox.js: arrows, Enter, Tab, Esc)."""
    return rx.cond(
        InboxState.canned_matches.length() > 0,
        rx.vstack(
            rx.foreach(InboxState.canned_matches, _canned_option),
            id="canned-menu",
            custom_attrs={"role": "listbox", "aria-label": "Canned responses"},
            spacing="0",
            width="100%",
            max_height="40vh",
            overflow_y="auto",
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="8px",
            padding="0.25em",
            background=rx.color("gray", 1),
        ),
    )


def _composer() -> rx.Component:
    return rx.vstack(
        rx.cond(
            InboxState.error != "",
            rx.callout(
                InboxState.error, color_scheme="red", icon="triangle-alert", size="1", id="composer-error"
            ),
        ),
        _canned_menu(),
        rx.cond(
            InboxState.header["window_open"].to(bool) | InboxState.note_mode,
            # A form: what is sent is the text in the box when Send (or Enter) is pressed, even
            # if the server has not heard of the last keystrokes yet.
            rx.form(
                rx.hstack(
                    rx.text_area(
                        # Not bound to the draft (state/inbox.py _box): the server hears the text
                        # for the canned menu, and puts text in the box only when it means to.
                        default_value=InboxState.draft,
                        on_change=InboxState.set_draft,
                        name="draft",
                        id="composer",
                        placeholder=rx.cond(
                            InboxState.note_mode,
                            "Private note: only the team sees it",
                            "Write a reply (Enter sends, Shift+Enter: new line, / for canned responses)",
                        ),
                        width="100%",
                        rows="2",
                        custom_attrs={
                            **AUTO_DIR,
                            "data-note": rx.cond(InboxState.note_mode, "true", "false"),
                        },
                        # A note looks like the notes in the thread: amber, never mistaken for a reply.
                        background=rx.cond(InboxState.note_mode, rx.color("amber", 3), "transparent"),
                        color_scheme=rx.cond(InboxState.note_mode, "amber", "gray"),
                    ),
                    rx.upload.root(
                        rx.button(rx.icon("paperclip"), variant="soft", type="button", title="Attach a file"),
                        id="composer-file",
                        max_files=1,
                        border="none",
                        padding="0",
                        on_drop=InboxState.attach(rx.upload_files(upload_id="composer-file")),
                    ),
                    rx.button(
                        rx.cond(InboxState.note_mode, "Add note", "Send"),
                        type="submit",
                        id="send",
                        color_scheme=rx.cond(InboxState.note_mode, "amber", "teal"),
                    ),
                    width="100%",
                    align="end",
                ),
                on_submit=InboxState.send,
                width="100%",
                id="composer-form",
            ),
            rx.vstack(
                rx.text(
                    "The customer last wrote more than 24 hours ago: only an approved template can be "
                    "sent now.",
                    size="2",
                    color_scheme="amber",
                    id="window-closed",
                ),
                rx.cond(
                    InboxState.templates.length() > 0,
                    rx.el.select(
                        rx.el.option("Choose an approved template", value=""),
                        rx.foreach(InboxState.templates, lambda name: rx.el.option(name, value=name)),
                        value=InboxState.template_name,
                        on_change=InboxState.set_template_name,
                        class_name="native-select",
                        aria_label="Template",
                        id="template-choice",
                    ),
                    rx.text(
                        "No approved template for this channel yet: an admin writes and submits one "
                        "in Settings › Templates.",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.foreach(
                    InboxState.template_fields,
                    lambda field, i: rx.input(
                        value=field[1],
                        on_change=lambda value: InboxState.set_template_value(i, value),
                        placeholder=field[0],
                        aria_label="Template variable " + (i + 1).to_string() + ": " + field[0],
                        size="1",
                        width="100%",
                        class_name="template-variable",
                    ),
                ),
                rx.cond(
                    InboxState.template_name != "",
                    rx.el.div(
                        InboxState.template_preview,
                        class_name="bubble",
                        custom_attrs={"data-side": "mine", **AUTO_DIR},
                        id="template-preview",
                    ),
                ),
                rx.button(
                    "Send template",
                    on_click=InboxState.send_template,
                    disabled=InboxState.template_name == "",
                    id="send-template",
                ),
                width="100%",
            ),
        ),
        rx.hstack(
            rx.switch(
                checked=InboxState.note_mode,
                on_change=InboxState.set_note_mode,
                size="1",
                color_scheme="amber",
                id="note-switch",
            ),
            rx.text("Private note", size="1"),
            rx.cond(
                InboxState.note_mode,
                rx.badge("Only the team sees this", color_scheme="amber", size="1", id="note-mode"),
            ),
            align="center",
        ),
        width="100%",
    )


BUTTONS_APART = "\u001f"  # between the titles of a message's reply buttons, in one string


@rx.memo
def staff_bubble(
    id: rx.Var[int],
    direction: rx.Var[str],
    type: rx.Var[str],
    body: rx.Var[str],
    status: rx.Var[str],
    tick: rx.Var[str],
    time: rx.Var[str],
    exact: rx.Var[str],
    error: rx.Var[str],
    media_url: rx.Var[str],
    media_kind: rx.Var[str],
    map_url: rx.Var[str],
    author: rx.Var[str],
    button_titles: rx.Var[str],
) -> rx.Component:
    """A message of the thread: a memo of its fields one by one, so that a live update, which
    hands every open tab the whole thread, draws again only the bubbles that changed."""
    fields = {k: v for k, v in locals().items() if k != "button_titles"}
    buttons = rx.cond(
        button_titles != "",
        rx.hstack(rx.foreach(button_titles.split(BUTTONS_APART), lambda t: reply_button(t))),
    )
    again = rx.button("Retry", size="1", color_scheme="red", variant="soft", on_click=InboxState.retry(id))
    return bubble_body(SimpleNamespace(**fields), direction == "outbound", buttons, again, key=None)


def _bubble(m: Any) -> rx.Component:
    return staff_bubble(
        **{name: getattr(m, name) for name in BUBBLE_FIELDS},
        button_titles=m.buttons.foreach(lambda b: b["title"]).join(BUTTONS_APART),
        key=m.id,  # by message: a new one is one node more, not every bubble redrawn a place down
    )


BUBBLE_FIELDS = (
    "id", "direction", "type", "body", "status", "tick", "time", "exact",
    "error", "media_url", "media_kind", "map_url", "author",
)  # fmt: skip


def _thread() -> rx.Component:
    return rx.cond(
        InboxState.selected_id > 0,
        rx.vstack(
            _header(),
            _handoff(),
            rx.divider(),
            rx.box(
                rx.vstack(
                    rx.cond(
                        InboxState.has_older,
                        rx.text("Scroll up for older messages", size="1", color_scheme="gray"),
                    ),
                    rx.foreach(
                        InboxState.thread,
                        _bubble,
                    ),
                    width="100%",
                    spacing="2",
                    overflow_y="auto",
                    max_height=["60vh", "60vh", "55vh"],
                    id="thread",
                    custom_attrs={
                        "data-conversation": InboxState.selected_id,
                        "data-more": rx.cond(InboxState.has_older, "true", "false"),
                    },
                ),
                # assets/inbox.js shows it when a message arrives while the agent reads older ones.
                rx.button(
                    rx.icon("arrow-down", size=14),
                    "New messages",
                    size="1",
                    radius="full",
                    id="new-messages",
                    position="absolute",
                    bottom="0.5em",
                    left="50%",
                    transform="translateX(-50%)",
                    display="none",
                ),
                rx.button(
                    on_click=InboxState.load_older, id="load-older", display="none", aria_hidden="true"
                ),
                position="relative",
                width="100%",
            ),
            _composer(),
            width="100%",
            min_width="0",
            spacing="3",
            class_name="inbox-thread",
        ),
        rx.box(
            empty_state(
                "Choose a conversation", "New messages appear here as they arrive.", "message-circle"
            ),
            display=DESKTOP,
            width="100%",
        ),
    )


def _field(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="2"), spacing="0")


def _edit(label: str, name: str, prefix: str, **props) -> rx.Component:
    h = InboxState.header
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.input(
            name=name,
            default_value=h[name].to(str),
            key=h["id"].to(str) + h[name].to(str),  # another conversation, or saved: the stored value
            size="1",
            width="100%",
            id=f"{prefix}contact-{name.replace('_', '-')}",
            **props,
        ),
        spacing="0",
        width="100%",
    )


def _contact_fields(prefix: str) -> list[rx.Component]:
    """What the team knows of the customer, editable, with links to their lead card and their
    conversations on other channels. ``prefix`` keeps the panel's and the popover's ids apart."""
    h = InboxState.header
    birthday = [
        _edit(label, name, prefix, type="number", min=low, max=high)
        for label, name, low, high in (
            ("Day", "birthday_day", 1, 31),
            ("Month", "birthday_month", 1, 12),
            ("Year", "birthday_year", 1900, 2100),
        )
    ]
    return [
        _field("Phone", h["phone"].to(str)),
        rx.cond(h["email"].to(str) != "", _field("Email", h["email"].to(str))),
        rx.hstack(
            _field("Lead stage", h["stage"].to(str)), _field("Source", h["source"].to(str)), spacing="4"
        ),
        rx.link(
            rx.hstack(
                rx.icon("kanban", size=14), rx.text("Lead card", size="2"), align="center", spacing="1"
            ),
            href="/leads?contact=" + h["contact_id"].to(str),
            id=f"{prefix}lead-link",
        ),
        rx.cond(
            InboxState.elsewhere.length() > 0,
            rx.vstack(
                rx.text("Other conversations", size="1", color_scheme="gray"),
                rx.foreach(
                    InboxState.elsewhere,
                    lambda c: rx.button(
                        c["channel"],
                        " · ",
                        c["status"],
                        " · ",
                        rx.el.span(rx.moment(c["at"], from_now=True), title=c["exact"]),
                        size="1",
                        variant="ghost",
                        on_click=InboxState.select(c["id"].to(int)),
                        class_name="other-conversation",
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.form(
            rx.vstack(
                _edit("Name", "contact_name", prefix, max_length=200),
                _edit("Language", "language", prefix, max_length=16, placeholder="en, sw, ar ..."),
                _edit("Tags (comma separated)", "tags", prefix),
                rx.text("Birthday", size="1", color_scheme="gray"),
                rx.hstack(*birthday, spacing="1", width="100%"),
                attribute_boxes(h["attrs"].to(list[dict[str, Any]]), h["id"].to(str), prefix),
                rx.foreach(
                    h["other_attrs"].to(list[list[str]]),
                    lambda kv: _field(kv[0], kv[1]),
                ),
                rx.vstack(
                    rx.text("Notes (the team only)", size="1", color_scheme="gray"),
                    rx.text_area(
                        name="notes",
                        default_value=h["notes"].to(str),
                        key=h["id"].to(str) + h["notes"].to(str),
                        rows="3",
                        max_length=4000,
                        width="100%",
                        custom_attrs=AUTO_DIR,
                        id=f"{prefix}contact-notes",
                    ),
                    spacing="0",
                    width="100%",
                ),
                rx.hstack(
                    rx.button("Save contact", size="1", type="submit", id=f"{prefix}contact-save"),
                    rx.cond(
                        InboxState.contact_notice != "",
                        rx.text(
                            InboxState.contact_notice,
                            size="1",
                            color_scheme="green",
                            id=f"{prefix}contact-notice",
                        ),
                    ),
                    align="center",
                ),
                rx.cond(
                    InboxState.contact_error != "",
                    rx.text(
                        InboxState.contact_error, size="1", color_scheme="red", id=f"{prefix}contact-error"
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=InboxState.save_contact,
            width="100%",
        ),
    ]


def _contact() -> rx.Component:
    """Beside the thread on a wide screen; behind a button in its header on a narrow one."""
    return rx.cond(
        InboxState.selected_id > 0,
        rx.vstack(
            rx.heading("Contact", size="3"),
            *_contact_fields(""),
            display=WIDE,
            width="240px",
            min_width="240px",
            spacing="2",
            max_height="85vh",
            overflow_y="auto",
            id="contact-panel",
        ),
    )


def _contact_popover() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("contact"),
                variant="soft",
                size="1",
                aria_label="Contact",
                display=NARROW,
                id="contact-button",
            )
        ),
        rx.popover.content(
            rx.vstack(*_contact_fields("popover-"), spacing="2", width="100%"),
            width="min(90vw, 320px)",
            max_height="75vh",
            overflow_y="auto",
        ),
    )


# On a phone the list and the thread take turns on the one screen: the list until a
# conversation is chosen, then the thread with a way back.
TAKE_TURNS = """
@media (max-width: 767px) {
  .inbox[data-selected="true"] .inbox-list { display: none; }
}
.canned-option[data-active="true"] { background: var(--accent-4); }
"""


def _inbox() -> rx.Component:
    return rx.hstack(
        rx.el.style(TAKE_TURNS),
        rx.script(src="/inbox.js"),
        _list(),
        rx.divider(orientation="vertical", display=DESKTOP),
        _thread(),
        _contact(),
        width="100%",
        align="start",
        spacing=rx.breakpoints(initial="0", md="4"),
        class_name="inbox",
        custom_attrs={"data-selected": rx.cond(InboxState.selected_id > 0, "true", "false")},
    )


inbox_page = shell("Inbox", _inbox)
