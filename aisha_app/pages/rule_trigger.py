"""The rule editor's "When": the trigger and the boxes each kind of trigger needs."""

import reflex as rx

from aisha_app.automations.form import (
    EVERY,
    MATCHES,
    STAGES,
    TRIGGERS,
    UNITS,
    WAITING_FOR,
    WAITING_ON,
    WEEKDAYS,
)
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import choice, labelled
from aisha_app.pages.rule_parts import section, text
from aisha_app.state.rule_editor import RuleEditorState as S

_ANY_STAGE = [("", "any stage")] + [(s, s.capitalize()) for s in STAGES]


def _when_in_the_year(days_id: str, at_id: str) -> rx.Component:
    """Days before, and the hour: a birthday's or a date's."""
    f = S.form
    return rx.flex(
        labelled(
            "Days before (0: on the day)",
            rx.input(
                value=f.days_before,
                on_change=lambda v: S.set_text("days_before", v),
                type="number",
                min="0",
                max="30",
                width="100%",
                id=days_id,
            ),
        ),
        labelled(
            "At",
            rx.input(
                value=f.at,
                on_change=lambda v: S.set_text("at", v),
                type="time",
                width="100%",
                id=at_id,
            ),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="0.5em",
        width="100%",
    )


def trigger() -> rx.Component:
    f = S.form
    return section(
        "When",
        choice(
            list(TRIGGERS.items()), f.trigger, lambda v: S.set_text("trigger", v), "Trigger", "rule-trigger"
        ),
        rx.match(
            f.trigger,
            (
                "keyword",
                rx.vstack(
                    labelled(
                        "Keywords, one per line",
                        rx.text_area(
                            value=f.keywords,
                            on_change=lambda v: S.set_text("keywords", v),
                            placeholder="price\nbei\nسعر",
                            rows="3",
                            width="100%",
                            custom_attrs=AUTO_DIR,
                            id="rule-keywords",
                        ),
                    ),
                    labelled(
                        "Found",
                        choice(
                            list(MATCHES.items()),
                            f.match,
                            lambda v: S.set_text("match", v),
                            "Found",
                            "rule-match",
                        ),
                    ),
                    rx.text(
                        "Capitals, accents and Arabic-Indic digits do not matter: Bei, BEI and bei are one.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            ("tag_added", labelled("The tag (blank: any tag)", text("tag", "vip", "rule-trigger-tag"))),
            (
                "label_added",
                labelled("The label (blank: any label)", text("label", "urgent", "rule-trigger-label")),
            ),
            (
                "lead_stage_changed",
                rx.flex(
                    labelled(
                        "From",
                        choice(
                            _ANY_STAGE,
                            f.from_stage,
                            lambda v: S.set_text("from_stage", v),
                            "From",
                            "rule-from",
                        ),
                    ),
                    labelled(
                        "To",
                        choice(_ANY_STAGE, f.to_stage, lambda v: S.set_text("to_stage", v), "To", "rule-to"),
                    ),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    gap="0.5em",
                    width="100%",
                ),
            ),
            (
                "review_received",
                labelled(
                    "Only if it has at most",
                    choice(
                        [("", "any number of stars")]
                        + [(str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(1, 6)],
                        f.max_rating,
                        lambda v: S.set_text("max_rating", v),
                        "Stars",
                        "rule-max-rating",
                    ),
                ),
            ),
            (
                "waiting_list",
                rx.flex(
                    labelled(
                        "The customer",
                        choice(
                            list(WAITING_ON.items()),
                            f.waiting_on,
                            lambda v: S.set_text("waiting_on", v),
                            "On",
                            "rule-waiting-on",
                        ),
                    ),
                    labelled(
                        "On the list (blank: any)", text("waiting_list", "Fitting room", "rule-waiting-list")
                    ),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    gap="0.5em",
                    width="100%",
                ),
            ),
            (
                "date_anniversary",
                rx.vstack(
                    labelled(
                        "The date attribute (its key)", text("attribute", "first_order", "rule-attribute")
                    ),
                    _when_in_the_year("rule-anniversary-days", "rule-anniversary-at"),
                    rx.text(
                        "Each year on the attribute's day (YYYY-MM-DD), in the customer's time zone, "
                        "else the shop's; 29 February on 28 February in other years; not in the date's "
                        "own year.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            (
                "birthday",
                rx.vstack(
                    _when_in_the_year("rule-days-before", "rule-at"),
                    rx.text(
                        "In the customer's time zone, else the shop's. A 29 February birthday is celebrated "
                        "on 28 February in other years. If the app was down, a greeting goes out late, "
                        "but not more than " + S.late_hours.to(str) + " hours late. Each customer is "
                        "greeted once a year.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            (
                "schedule",
                rx.vstack(
                    rx.flex(
                        labelled(
                            "How often",
                            choice(
                                list(EVERY.items()),
                                f.every,
                                lambda v: S.set_text("every", v),
                                "How often",
                                "rule-every",
                            ),
                        ),
                        labelled(
                            "At",
                            rx.input(
                                value=f.at,
                                on_change=lambda v: S.set_text("at", v),
                                type="time",
                                width="100%",
                                id="rule-schedule-at",
                            ),
                        ),
                        direction=rx.breakpoints(initial="column", sm="row"),
                        gap="0.5em",
                        width="100%",
                    ),
                    rx.cond(
                        f.every == "week",
                        labelled(
                            "On",
                            choice(
                                [(str(i), d) for i, d in enumerate(WEEKDAYS)],
                                f.weekday,
                                lambda v: S.set_text("weekday", v),
                                "On",
                                "rule-weekday",
                            ),
                        ),
                    ),
                    rx.cond(
                        f.every == "month",
                        labelled(
                            "Day of the month (1 to 28)",
                            rx.input(
                                value=f.day,
                                on_change=lambda v: S.set_text("day", v),
                                type="number",
                                min="1",
                                max="28",
                                width="100%",
                                id="rule-day",
                            ),
                        ),
                    ),
                    labelled(
                        "For the segment",
                        rx.el.select(
                            rx.el.option("Choose…", value=""),
                            rx.foreach(S.segments, lambda g: rx.el.option(g[1], value=g[0])),
                            value=f.segment,
                            on_change=lambda v: S.set_text("segment", v),
                            class_name="native-select",
                            aria_label="Segment",
                            id="rule-segment",
                        ),
                    ),
                    rx.text(
                        "In the shop's time zone; once for each member of the segment who may be messaged "
                        "(not those who opted out). Segments are saved on the Contacts page.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            (
                "idle",
                rx.vstack(
                    choice(
                        list(WAITING_FOR.items()),
                        f.waiting_for,
                        lambda v: S.set_text("waiting_for", v),
                        "Waiting for",
                        "rule-waiting-for",
                    ),
                    rx.flex(
                        labelled(
                            "For",
                            rx.input(
                                value=f.idle_for,
                                on_change=lambda v: S.set_text("idle_for", v),
                                type="number",
                                min="1",
                                width="100%",
                                id="rule-idle-for",
                            ),
                        ),
                        labelled(
                            "Unit",
                            choice(
                                [(u, u) for u in UNITS],
                                f.idle_unit,
                                lambda v: S.set_text("idle_unit", v),
                                "Unit",
                                "rule-idle-unit",
                            ),
                        ),
                        direction="row",
                        gap="0.5em",
                        width="100%",
                    ),
                    rx.text(
                        "Open and pending conversations, looked at every minute. Replies from staff and "
                        "the assistant count; an automation's own messages do not, so a reminder is "
                        "sent once for each quiet stretch.",
                        size="1",
                        color_scheme="gray",
                    ),
                    width="100%",
                ),
            ),
            rx.fragment(),
        ),
        id="rule-when",
    )
