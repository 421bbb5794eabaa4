"""Settings › Templates: the WhatsApp templates, where each stands with its provider, and an
editor with a live preview of what the customer will see. Staff read; admins write, submit and
sync."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import ValidationError

from aisha_app.actions import template_providers as providers
from aisha_app.actions import templates
from aisha_app.actions.templates import VARIABLE, TemplateIn
from aisha_app.db import unit_of_work
from aisha_app.errors import said
from aisha_app.models import MessageTemplate
from aisha_app.models.numbers import id_in
from aisha_app.state.session import SessionState, off_loop

BUTTON_ROWS = 3  # the editor's; the API takes up to 10
FIELDS = ("name", "language", "category", "channel", "header_type", "header_text", "header_url", "body")
FIELDS += ("examples", "variables", "footer")
FIELDS += tuple(f"b{i}_{part}" for i in range(BUTTON_ROWS) for part in ("type", "text", "target"))
BLANK: dict[str, str] = (
    {name: "" for name in FIELDS}
    | {
        "id": "",
        "language": "en",
        "category": "utility",
        "channel": "whatsapp_cloud",
        "header_type": "none",
    }
    | {f"b{i}_type": "none" for i in range(BUTTON_ROWS)}
)
# Field names as the form shows them (pydantic's complaints say the model's).
BOXES = {"body": "Body", "header": "Header", "footer": "Footer", "buttons": "Buttons", "name": "Name"}
BOXES |= {"language": "Language", "examples": "Examples", "variables": "Variables", "text": "text"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_of(t: MessageTemplate) -> dict[str, str]:
    form = BLANK | {
        "id": str(t.id),
        "name": t.name,
        "language": t.language,
        "category": t.category,
        "channel": t.channel,
        "header_type": t.header.get("type", "none"),
        "header_text": t.header.get("text", ""),
        "header_url": t.header.get("url", ""),
        "body": t.body,
        "examples": "\n".join(t.examples),
        "variables": "\n".join(t.variables),
        "footer": t.footer or "",
    }
    for i, b in enumerate(t.buttons[:BUTTON_ROWS]):
        form |= {
            f"b{i}_type": b["type"],
            f"b{i}_text": b["text"],
            f"b{i}_target": b.get("url") or b.get("phone_number", ""),
        }
    return form


def template_in(form: dict[str, str]) -> TemplateIn:
    """The editor's boxes as the template they describe (ValidationError says what is wrong)."""
    kind = form.get("header_type", "none")
    header = None
    if kind == "text":
        header = {"type": "text", "text": form.get("header_text", "")}
    elif kind in ("image", "video", "document"):
        header = {"type": kind, "url": form.get("header_url", "").strip()}
    buttons = []
    for i in range(BUTTON_ROWS):
        kind_i, text, target = (form.get(f"b{i}_{p}", "").strip() for p in ("type", "text", "target"))
        if kind_i in ("", "none"):
            continue
        button = {"type": kind_i, "text": text}
        if kind_i == "url":
            button["url"] = target
        elif kind_i == "phone_number":
            button["phone_number"] = target
        buttons.append(button)
    return TemplateIn(
        name=form.get("name", "").strip(),
        language=form.get("language", "").strip(),
        category=form.get("category", "utility"),
        channel=form.get("channel", "whatsapp_cloud"),
        body=form.get("body", ""),
        header=header,
        footer=form.get("footer", "").strip() or None,
        buttons=buttons,
        examples=_lines(form.get("examples", "")),
        variables=_lines(form.get("variables", "")),
    )


def _filled(text: str, examples: list[str]) -> str:
    """The text as the reviewer (and a customer) sees it: each {{n}} its example."""
    return VARIABLE.sub(lambda m: examples[int(m[1]) - 1] if int(m[1]) <= len(examples) else m[0], text)


class TemplatesState(SessionState):
    templates: list[dict[str, Any]] = []
    form: dict[str, str] = BLANK
    rev: int = 0  # a new form (another template, or a cleared one): the boxes start again
    notice: str = ""
    error: str = ""

    @rx.var
    def preview(self) -> dict[str, Any]:
        """What the customer's WhatsApp shows, with the examples in the variables."""
        f, examples = self.form, _lines(self.form.get("examples", ""))
        buttons = [
            f.get(f"b{i}_text", "").strip() or "(button)"
            for i in range(BUTTON_ROWS)
            if f.get(f"b{i}_type", "none") not in ("", "none")
        ]
        return {
            "header": _filled(f.get("header_text", ""), examples) if f.get("header_type") == "text" else "",
            "media": f.get("header_type", "none")
            if f.get("header_type") in ("image", "video", "document")
            else "",
            "body": _filled(f.get("body", ""), examples) or "The message's text shows here.",
            "footer": f.get("footer", ""),
            "buttons": buttons,
            "count": f"{len(f.get('body', ''))} / 1024",
        }

    def _reload(self) -> None:
        with unit_of_work() as session:
            self.templates = [
                {
                    "id": str(t.id),
                    "name": t.name,
                    "language": t.language,
                    "channel": t.channel.replace("_", " "),
                    "category": t.category,
                    "status": t.status,
                    "reason": t.rejection_reason or "",
                    "quality": t.quality or "",
                    "body": t.body,
                    "editable": t.status in templates.EDITABLE,
                    "form": form_of(t),
                }
                for t in templates.all_templates(session)
            ]

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        self.notice = self.error = ""
        self.form, self.rev = dict(BLANK), self.rev + 1
        self._reload()
        return None

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in FIELDS and isinstance(value, str):
            self.form = {**self.form, name: value[:2000]}

    @rx.event
    def edit(self, form: dict[str, str]) -> None:
        self.form, self.notice, self.error, self.rev = dict(form), "", "", self.rev + 1

    @rx.event
    def new(self) -> None:
        self.form, self.notice, self.error, self.rev = dict(BLANK), "", "", self.rev + 1

    def _do(self, change) -> bool:
        self.notice, self.error = self._admin_change(change, "Only admins manage templates.")
        self._reload()
        return not self.error

    @rx.event
    @off_loop
    def save(self) -> None:
        template_id = id_in(self.form.get("id", ""))

        def change(session, admin) -> str:
            body = template_in(self.form)
            if template_id is None:
                made = templates.create_template(session, body, admin)
                return f"Template {made.name!r} saved as a draft: submit it for approval."
            changed = templates.change_template(session, template_id, body, admin)
            return f"Template {changed.name!r} saved (a draft: submit it for approval)."

        try:
            template_in(self.form)
        except ValidationError as exc:  # said in the boxes' words, before anything is written
            self.notice, self.error = "", said(exc, BOXES)
            return
        if self._do(change):
            self.form, self.rev = dict(BLANK), self.rev + 1

    @rx.event
    @off_loop
    def submit(self, template_id: str) -> None:
        def change(session, admin) -> str:
            t = providers.submit(session, int(template_id), admin)
            return f"Template {t.name!r} submitted: {t.status}."

        if id_in(template_id) is not None:
            self._do(change)

    @rx.event
    @off_loop
    def delete(self, template_id: str) -> None:
        def change(session, admin) -> str:
            templates.delete_template(session, int(template_id), admin)
            return "Template deleted (the provider keeps its copy)."

        if id_in(template_id) is not None:
            self._do(change)

    @rx.event
    @off_loop
    def sync(self) -> None:
        def change(session, admin) -> str:
            done = providers.sync(session, admin)
            return "Synced: " + "; ".join(
                f"{r['channel'].replace('_', ' ')}: {r['added']} new, {r['updated']} updated" for r in done
            )

        self._do(change)
