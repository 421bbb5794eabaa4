"""Contacts: everyone who has written, searchable, filtered by tag, stage and reach, editable."""

from typing import Any

import reflex as rx

from aisha_app.models import LeadStage
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import attribute_boxes, choice
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.contacts import ContactsState as S

COLUMNS = ["Name", "Phone / PSID", "Tags", "Birthday", "Email", "Language", "Stage", "Label", "Source"]
STAGES = [("", "Every stage")] + [(s.value, s.value.capitalize()) for s in LeadStage]
REACH = [("", "Everyone"), ("reachable", "Reachable"), ("opted_out", "Opted out")]


def _tags(c) -> rx.Component:
    """The contact's tags; one tapped filters the list by it."""
    return rx.flex(
        rx.foreach(
            c["tag_list"].to(list[str]),
            lambda t: rx.badge(
                t,
                variant="soft",
                radius="full",
                cursor="pointer",
                on_click=S.filter("tag", t),
                title="Only contacts tagged " + t,
                class_name="contact-tag",
            ),
        ),
        gap="1",
        wrap="wrap",
    )


def _row(c) -> rx.Component:
    return rx.table.row(
        # The first column stays in view (assets/aisha.css): on a phone, Edit is on screen.
        rx.table.cell(
            rx.hstack(
                rx.text(c["name"], custom_attrs=AUTO_DIR),
                rx.button("Edit", size="1", variant="soft", on_click=S.edit(c)),
                align="center",
                justify="between",
                spacing="2",
            )
        ),
        rx.table.cell(c["phone"]),
        rx.table.cell(_tags(c)),
        rx.table.cell(c["birthday"]),
        *[rx.table.cell(c[k]) for k in ("email", "language", "stage", "label", "source")],
        class_name="contact-row",
    )


def _box(name: str, placeholder: str, **props) -> rx.Component:
    return rx.input(
        name=name, default_value=S.editing[name].to(str), placeholder=placeholder, width="100%", **props
    )


def _editor() -> rx.Component:
    e = S.editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit contact"),
            rx.form(
                rx.vstack(
                    _box("name", "Name"),
                    _box("email", "Email"),
                    _box("language", "Language (en, ar, sw)"),
                    _box("timezone", "Time zone (Africa/Nairobi); blank: the shop's"),
                    _box("tags", "Tags, comma separated"),
                    rx.text("Birthday (the year may be left out)", size="2", weight="medium"),
                    rx.flex(
                        _box("birthday_day", "Day", type="number", min="1", max="31", id="edit-birthday-day"),
                        _box(
                            "birthday_month",
                            "Month",
                            type="number",
                            min="1",
                            max="12",
                            id="edit-birthday-month",
                        ),
                        _box("birthday_year", "Year", type="number", min="1900", max="2100"),
                        gap="0.5em",
                        width="100%",
                    ),
                    rx.text(
                        "A 29 February birthday is celebrated on 28 February in other years.",
                        size="1",
                        color_scheme="gray",
                    ),
                    attribute_boxes(e["attrs"].to(list[dict[str, Any]]), e["id"].to(str), "edit-"),
                    rx.foreach(
                        e["other_attrs"].to(list[list[str]]),
                        lambda kv: rx.text(kv[0], ": ", kv[1], size="1", color_scheme="gray"),
                    ),
                    rx.hstack(
                        rx.checkbox(name="opted_out", default_checked=e["opted_out"].to(bool)),
                        rx.text("Opted out of messages", size="2"),
                    ),
                    rx.cond(
                        S.error != "",
                        rx.callout(S.error, color_scheme="red", size="1", id="contact-edit-error"),
                    ),
                    rx.hstack(
                        rx.button("Cancel", type="button", variant="soft", on_click=S.cancel),
                        rx.button("Save", type="submit", id="contact-save"),
                    ),
                    width="100%",
                ),
                on_submit=S.save,
            ),
            max_width="min(32em, 94vw)",
        ),
        open=S.editing.length() > 0,
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            placeholder="Search name, phone or email",
            value=S.search,
            on_change=S.set_search.debounce(300),
            width="100%",
            id="contact-search",
        ),
        rx.input(
            placeholder="Tag",
            value=S.tag,
            on_change=lambda v: S.filter("tag", v).debounce(300),
            width="100%",
            id="contact-tag-filter",
        ),
        choice(STAGES, S.stage, lambda v: S.filter("stage", v), "Stage", "contact-stage-filter"),
        choice(REACH, S.reach, lambda v: S.filter("reach", v), "Who", "contact-reach-filter"),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="0.5em",
        width="100%",
        align=rx.breakpoints(initial="stretch", sm="center"),
    )


OUTCOME_COLOURS = {"created": "green", "updated": "blue", "unchanged": "gray", "refused": "red"}


def _import() -> rx.Component:
    """Admins: a CSV in, previewed line by line, then imported."""
    return rx.vstack(
        rx.upload.root(
            rx.button(rx.icon("upload", size=14), "Import CSV", size="1", variant="soft", type="button"),
            id="contacts-import",
            accept={"text/csv": [".csv"]},
            max_files=1,
            border="none",
            padding="0",
            on_drop=S.preview_import(rx.upload_files(upload_id="contacts-import")),
        ),
        rx.text(
            "Columns as in the CSV export; phone required. A known phone updates that contact "
            "(empty cells change nothing, tags are added), a new one is created.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            S.import_error != "", rx.callout(S.import_error, color_scheme="red", size="1", id="import-error")
        ),
        rx.cond(
            S.import_summary != "",
            rx.card(
                rx.vstack(
                    rx.text(S.import_summary, size="2", weight="medium", id="import-summary"),
                    rx.foreach(
                        S.import_lines,
                        lambda line: rx.hstack(
                            rx.text("Line ", line[0], size="1", white_space="nowrap"),
                            rx.badge(
                                line[1], color_scheme=rx.match(line[1], *OUTCOME_COLOURS.items(), "gray")
                            ),
                            rx.text(line[2], size="1", word_break="break-word"),
                            align="center",
                            spacing="2",
                            class_name="import-line",
                        ),
                    ),
                    rx.hstack(
                        rx.cond(
                            S.import_pending,
                            rx.button("Import", size="1", on_click=S.confirm_import, id="import-confirm"),
                        ),
                        rx.button(
                            rx.cond(S.import_pending, "Cancel", "Close"),
                            size="1",
                            variant="soft",
                            on_click=S.cancel_import,
                            id="import-cancel",
                        ),
                    ),
                    width="100%",
                    spacing="2",
                ),
                width="100%",
                id="import-report",
            ),
        ),
        width="100%",
        spacing="1",
    )


def _segments() -> rx.Component:
    """The saved segments with their live counts: one tapped filters the list by it."""
    return rx.flex(
        rx.text("Segments:", size="2", color_scheme="gray"),
        rx.foreach(
            S.segments,
            lambda g: rx.badge(
                g[1],
                " · ",
                g[2],
                variant=rx.cond(S.segment == g[0], "solid", "soft"),
                radius="full",
                cursor="pointer",
                on_click=S.filter("segment", rx.cond(S.segment == g[0], "", g[0])),
                class_name="segment-chip",
            ),
        ),
        rx.cond(S.segments.length() == 0, rx.text("none yet", size="2", color_scheme="gray")),
        rx.cond(
            S.is_admin & ((S.tag != "") | (S.stage != "")),
            rx.hstack(
                rx.input(
                    placeholder="Name these filters",
                    value=S.segment_name,
                    on_change=S.set_segment_name,
                    size="1",
                    id="segment-name",
                ),
                rx.button(
                    "Save as segment", size="1", variant="soft", on_click=S.save_segment, id="segment-save"
                ),
                spacing="2",
                wrap="wrap",
            ),
        ),
        gap="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _contacts() -> rx.Component:
    return rx.vstack(
        _filters(),
        _segments(),
        rx.cond(S.notice != "", rx.callout(S.notice, color_scheme="green", size="1", id="contacts-notice")),
        rx.cond(S.is_admin, _import()),
        rx.hstack(
            rx.text(S.total, " contacts", color_scheme="gray", size="2", id="contact-total"),
            rx.cond(
                S.is_admin,
                rx.el.a(  # a plain link: the browser downloads it (the app's router would not)
                    rx.button(rx.icon("download", size=14), "CSV", size="1", variant="soft"),
                    href=S.csv_url,
                    download="contacts.csv",
                    target="_blank",  # not the client router's: the browser fetches it
                    id="contacts-csv",
                    title="All fields of the contacts these filters find",
                ),
            ),
            rx.cond(
                S.tag != "",
                rx.button(
                    "Tagged " + S.tag + " ×",
                    size="1",
                    variant="soft",
                    on_click=S.filter("tag", ""),
                    id="contact-tag-clear",
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.contacts.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in COLUMNS])),
                rx.table.body(rx.foreach(S.contacts, _row)),
                width="100%",
                class_name="first-column-stays",
            ),
            rx.cond(
                S.filtered,
                empty_state("No contact matches", "Change or clear the search and the filters.", "search"),
                empty_state("No contacts", "People appear here when they write on any channel.", "contact"),
            ),
        ),
        _editor(),
        width="100%",
        spacing="4",
    )


contacts_page = shell("Contacts", _contacts)
