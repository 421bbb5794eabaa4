"""An automation's webhook: the event, the contact and the conversation as JSON, POSTed by a job
of its own (queued in the run's transaction, so it exists only if the run does) and retried.

Each delivery is signed: ``X-Aisha-Signature: sha256=<hex>`` is HMAC-SHA256 of
``<X-Aisha-Timestamp>.<body>`` with ``AUTOMATION_WEBHOOK_SECRET``; ``X-Aisha-Delivery`` is the
same on every retry of one delivery, so the receiver can keep the first. The address is checked
on the very IP the request connects to (only public ones in production), redirects are not
followed, and the answer is waited for at most the rule's ``timeout_seconds`` (10 at most).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx
from sqlmodel import Session

from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind, handler
from aisha_app.config import get_settings
from aisha_app.errors import AppError, WorkError
from aisha_app.services.http import UnsafeAddress, pinned_request

log = logging.getLogger("aisha.automations")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def queue(session: Session, rule: Any, world: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """The action: the delivery, queued with what it carries as it is now."""
    if not get_settings().automation_webhook_secret:
        raise AppError("webhook_unsigned", "Set AUTOMATION_WEBHOOK_SECRET: webhooks are always signed.", 400)
    contact, conversation = world.contact, world.conversation
    body = {
        "rule": {"id": rule.id, "name": rule.name},
        "contact": None
        if contact is None
        else {
            "id": contact.id,
            "name": contact.name,
            "phone": contact.phone_e164,
            "email": contact.email,
            "language": contact.language,
            "tags": list(contact.tags or []),
            "attributes": dict(contact.attributes or {}),
            "lead_stage": str(contact.lead_stage),
        },
        "conversation": None
        if conversation is None
        else {
            "id": conversation.id,
            "channel": str(conversation.channel),
            "status": str(conversation.status),
            "labels": list(conversation.labels or []),
        },
        "message": None if world.message is None else {"id": world.message.id, "body": world.message.body},
        "at": world.now.isoformat(),
    }
    jobs.enqueue(
        session,
        JobKind.AUTOMATION_WEBHOOK,
        {"url": spec["url"], "timeout": spec.get("timeout_seconds", 10), "body": body},
        max_attempts=8,
    )
    host = httpx.URL(spec["url"]).host
    return {"detail": f"POST to {host} queued (signed; retried until it answers 2xx)"}


@handler(JobKind.AUTOMATION_WEBHOOK)
def _deliver(session: Session, job) -> None:
    secret = get_settings().automation_webhook_secret
    if not secret:
        raise WorkError("AUTOMATION_WEBHOOK_SECRET is not set: the webhook cannot be signed", permanent=True)
    body = json.dumps(job.payload["body"], separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Aisha-Timestamp": timestamp,
        "X-Aisha-Signature": signature(secret, timestamp, body),
        "X-Aisha-Delivery": f"automation-webhook-{job.id}",
    }
    try:
        response = pinned_request(
            "POST",
            job.payload["url"],
            public_only=get_settings().is_production,
            timeout=min(float(job.payload.get("timeout", 10)), 10.0),
            headers=headers,
            content=body,
            follow_redirects=False,
        )
    except UnsafeAddress as exc:
        raise WorkError(f"not sent: {exc}", permanent=True) from exc
    except httpx.HTTPError as exc:
        raise WorkError(f"{type(exc).__name__}: no answer") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise WorkError(f"HTTP {response.status_code}: retried")
    if response.status_code >= 300:
        raise WorkError(f"HTTP {response.status_code}: refused, not retried", permanent=True)
    log.info("automation webhook %s delivered: HTTP %s", job.id, response.status_code)
