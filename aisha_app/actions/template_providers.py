"""Templates and their providers: a template submitted for approval, the provider's verdict kept
(told by Meta's webhook, polled from Twilio while pending), and the providers' lists pulled in by
a sync (which also imports templates made in Meta's or Twilio's console). What each provider
takes is its adapter's ``template_api`` (aisha_app.services.messaging.template_api)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from aisha_app.actions.audit import audit
from aisha_app.actions.templates import EDITABLE, placeholders, template_or_404
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind, handler
from aisha_app.errors import AppError, Forbidden
from aisha_app.models import MessageTemplate, Role, TemplateStatus, User
from aisha_app.models.base import utcnow
from aisha_app.services.messaging import ADAPTERS, adapter_for
from aisha_app.services.messaging.base import TemplateUpdate
from aisha_app.services.messaging.template_api import STATUSES

log = logging.getLogger("aisha.templates")

POLL_EVERY = timedelta(minutes=10)
POLL_KEY = "template-poll"


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins manage templates.")


def _set_status(template: MessageTemplate, status: TemplateStatus, reason: str | None = None) -> None:
    template.status, template.status_at, template.updated_at = status, utcnow(), utcnow()
    template.rejection_reason = (
        (reason or "no reason given")[:2000] if status == TemplateStatus.REJECTED else None
    )


def submit(session: Session, template_id: int, actor: User) -> MessageTemplate:
    """To the provider for approval: a draft, or a rejected template edited since."""
    _admin(actor)
    template = template_or_404(session, template_id)
    if template.status not in EDITABLE:
        raise AppError(
            "already_submitted",
            f"Template {template.name!r} is {template.status}: it was submitted already.",
            409,
        )
    api = adapter_for(template.channel).template_api
    verdict = api.submit(template)  # nothing here changes if the provider refuses or is away
    template.provider_template_id = verdict.provider_id or template.provider_template_id
    _set_status(template, verdict.status, verdict.reason)
    session.add(template)
    if api.polls and template.status == TemplateStatus.PENDING:
        jobs.enqueue(session, JobKind.TEMPLATE_POLL, {}, dedupe_key=POLL_KEY, max_attempts=1000)
    audit(session, actor, "template.submitted", template, name=template.name, status=template.status)
    session.flush()
    return template


def apply_update(session: Session, update: TemplateUpdate) -> MessageTemplate | None:
    """Meta's news of a template, by its id or else by name and language (None: not one of
    ours; a sync imports it)."""
    query = select(MessageTemplate).where(MessageTemplate.channel == update.channel)
    template = None
    if update.template_id:
        template = session.exec(
            query.where(MessageTemplate.provider_template_id == update.template_id)
        ).first()
    if template is None and update.name:
        template = session.exec(
            query.where(
                MessageTemplate.name == update.name, MessageTemplate.language == (update.language or "en")
            )
        ).first()
    if template is None:
        log.info("a status update for a template we do not have: %s %s", update.name, update.language)
        return None
    if update.template_id and not template.provider_template_id:
        template.provider_template_id = update.template_id
    if (status := STATUSES.get((update.event or "").upper())) is not None:
        _set_status(template, status, update.reason)
    if update.quality:
        template.quality = update.quality.upper()[:16]
    session.add(template)
    return template


def sync(session: Session, actor: User, channel: str | None = None) -> list[dict[str, Any]]:
    """Every configured provider's templates (or ``channel``'s): new ones added, ours updated."""
    _admin(actor)
    apis = []
    for name, adapter in ADAPTERS.items():
        api = adapter.template_api
        if api is not None and api.lists and (name == channel if channel else api.configured()):
            apis.append((str(name), api))
    if not apis:
        raise AppError(
            "not_configured",
            "No provider to sync from: set WHATSAPP_BUSINESS_ACCOUNT_ID and WHATSAPP_ACCESS_TOKEN, or "
            "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
            409,
        )
    results = []
    for name, api in apis:
        added = updated = 0
        for fields in api.listing():
            if _upsert(session, name, fields):
                added += 1
            else:
                updated += 1
        results.append({"channel": name, "added": added, "updated": updated})
    audit(session, actor, "template.synced", None, results=results)
    session.flush()
    return results


def _upsert(session: Session, channel: str, fields: dict[str, Any]) -> bool:
    """The provider's template kept here; True when it is new here."""
    template = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.channel == channel,
            MessageTemplate.name == fields["name"],
            MessageTemplate.language == fields["language"],
        )
    ).first()
    new = template is None
    if new:
        template = MessageTemplate(name=fields["name"], language=fields["language"], channel=channel, body="")
    for key in (
        "body",
        "category",
        "header",
        "footer",
        "buttons",
        "examples",
        "provider_template_id",
        "quality",
    ):
        if key in fields and (fields[key] is not None or key in ("footer", "quality")):
            setattr(template, key, fields[key])
    count = placeholders(template.body)
    if len(template.variables) != count:
        template.variables = [f"variable {n}" for n in range(1, count + 1)]
    if new or template.status != fields["status"] or template.rejection_reason != fields.get("reason"):
        _set_status(template, fields["status"], fields.get("reason"))
    session.add(template)
    return new


@handler(JobKind.TEMPLATE_POLL)
def _poll(session: Session, job) -> datetime | None:
    """The verdicts of the pending templates whose provider has no webhook for them; looks
    again while any is pending."""
    polled = [str(c) for c, a in ADAPTERS.items() if a.template_api is not None and a.template_api.polls]
    pending = session.exec(
        select(MessageTemplate).where(
            col(MessageTemplate.channel).in_(polled),
            MessageTemplate.status == TemplateStatus.PENDING,
            col(MessageTemplate.provider_template_id).is_not(None),
        )
    ).all()
    waiting = False
    for template in pending:
        verdict = adapter_for(template.channel).template_api.verdict(template)
        if verdict.status != template.status:
            _set_status(template, verdict.status, verdict.reason)
            session.add(template)
        waiting = waiting or verdict.status == TemplateStatus.PENDING
    return utcnow() + POLL_EVERY if waiting else None
