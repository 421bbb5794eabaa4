"""Contacts: everyone who has written, searchable and editable."""

import reflex as rx

from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.layout import empty_state, shell
from aisha_app.state.contacts import ContactsState

COLUMNS = ["Name", "Phone / PSID", "Email", "Language", "Stage", "Label", "Tags", "Source"]


def _row(c) -> rx.Component:
    return rx.table.row(
        # The first column stays in view (assets/aisha.css): on a phone, Edit is on screen.
        rx.table.cell(
            rx.hstack(
                rx.text(c["name"], custom_attrs=AUTO_DIR),
                rx.button("Edit", size="1", variant="soft", on_click=ContactsState.edit(c)),
                align="center",
                justify="between",
                spacing="2",
            )
        ),
        *[rx.table.cell(c[k]) for k in ("phone", "email", "language", "stage", "label", "tags", "source")],
    )


def _editor() -> rx.Component:
    e = ContactsState.editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit contact"),
            rx.form(
                rx.vstack(
                    rx.input(name="name", default_value=e["name"].to(str), placeholder="Name", width="100%"),
                    rx.input(
                        name="email", default_value=e["email"].to(str), placeholder="Email", width="100%"
                    ),
                    rx.input(
                        name="language",
                        default_value=e["language"].to(str),
                        placeholder="Language (en, ar, sw)",
                        width="100%",
                    ),
                    rx.input(
                        name="tags",
                        default_value=e["tags"].to(str),
                        placeholder="Tags, comma separated",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.checkbox(name="opted_out", default_checked=e["opted_out"].to(bool)),
                        rx.text("Opted out of messages", size="2"),
                    ),
                    rx.cond(
                        ContactsState.error != "",
                        rx.callout(ContactsState.error, color_scheme="red", size="1"),
                    ),
                    rx.hstack(
                        rx.button("Cancel", type="button", variant="soft", on_click=ContactsState.cancel),
                        rx.button("Save", type="submit"),
                    ),
                    width="100%",
                ),
                on_submit=ContactsState.save,
            ),
        ),
        open=ContactsState.editing.length() > 0,
    )


def _contacts() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(
                placeholder="Search name, phone or email",
                value=ContactsState.search,
                on_change=ContactsState.set_search.debounce(300),
                width="24em",
                id="contact-search",
                max_width="100%",
            ),
            rx.text(ContactsState.total, " contacts", color_scheme="gray", size="2"),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            ContactsState.contacts.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in COLUMNS])),
                rx.table.body(rx.foreach(ContactsState.contacts, _row)),
                width="100%",
                class_name="first-column-stays",
            ),
            empty_state("No contacts", "People appear here when they write on any channel.", "contact"),
        ),
        _editor(),
        width="100%",
        spacing="4",
    )


contacts_page = shell("Contacts", _contacts)
