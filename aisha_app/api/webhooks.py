"""Provider webhooks: verify the signature, parse strictly, store, answer 200 in milliseconds.

A bad signature is 403, a malformed body 400; nothing a provider sends produces a 500.
Unknown event kinds are acknowledged (200) and logged so the provider stops retrying.
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from aisha_app.actions.ingest import Delivery, reprocess_webhook
from aisha_app.background.handlers import JobKind, handler
from aisha_app.background.writer import WRITER, StoreUnavailable
from aisha_app.config import get_settings
from aisha_app.errors import WorkError
from aisha_app.models import Job, WebhookEvent
from aisha_app.services.messaging import ADAPTERS, adapter_for
from aisha_app.services.messaging.base import ChannelAdapter, ParsedWebhook, WebhookRejected, storable_text

log = logging.getLogger("aisha.webhooks")
router = APIRouter(prefix="/webhooks", tags=["webhooks"], include_in_schema=False)

KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-hub-signature-256",
    "x-twilio-signature",
    "i-twilio-idempotency-token",
)


# Kept with the raw body: a Twilio status callback's query is ours (a send's reference), signed
# with the body, and a parked webhook is read again from what was kept.
QUERY = ":query"


def _form(body: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise WebhookRejected(400, "form body is not UTF-8") from exc


MAX_BODY = 1024 * 1024  # providers send a few KB; more is not a webhook


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise WebhookRejected(413, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise WebhookRejected(413, "body too large")
    return bytes(body)


def _parse(
    adapter: ChannelAdapter, body: bytes, form: dict[str, str] | None
) -> tuple[ParsedWebhook, str | None]:
    """A verified webhook's content; or nothing and why, when parsing failed on our side.

    A bug of ours must not cost the provider's delivery: it is parked, and a replay after the
    fix stores it.
    """
    try:
        return adapter.parse(body, form), None
    except WebhookRejected:
        raise
    except Exception as exc:  # noqa: BLE001
        log.exception("a verified %s webhook could not be parsed; parked", adapter.channel)
        return ParsedWebhook(), f"{type(exc).__name__}: {exc}"


async def _receive(request: Request, adapter: ChannelAdapter) -> Response | None:
    """None when stored; else the error response."""
    channel = adapter.channel
    try:
        body = await _read_body(request)
    except WebhookRejected as exc:
        return PlainTextResponse(exc.reason, status_code=exc.status)
    headers = {k.lower(): v for k, v in request.headers.items()}
    url = get_settings().public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    try:
        form = _form(body) if adapter.capabilities.webhook_form else None
        adapter.verify(url=url, headers=headers, body=body, form=form)
        if form is not None:  # the status callback URL's query is ours (a send's reference), signed
            form = dict(request.query_params) | form
        parsed, unreadable = _parse(adapter, body, form)
    except WebhookRejected as exc:
        log.warning("%s webhook rejected (%s): %s", channel, exc.status, exc.reason)
        return PlainTextResponse(exc.reason, status_code=exc.status)
    kept = {k: v for k, v in headers.items() if k in KEPT_HEADERS}
    if request.url.query:
        kept[QUERY] = storable_text(request.url.query[:2000])
    raw = storable_text(body.decode("utf-8", errors="replace"))  # a form may carry a raw NUL
    delivery = Delivery(channel.value, parsed, raw, kept, unreadable=unreadable)
    try:
        await WRITER.store(delivery)
    except StoreUnavailable as exc:  # the database is locked or away: the provider retries
        log.warning("%s webhook not stored, answered 503: %s", channel, exc)
        return PlainTextResponse("temporarily unable to store; retry", status_code=503)
    except Exception:  # noqa: BLE001  (whatever it was, a retry may succeed; never a 500)
        log.exception("%s webhook could not be stored", channel)
        return PlainTextResponse("temporarily unable to store; retry", status_code=503)
    return None


def _handshake(request: Request, expected: str | None) -> Response:
    params = request.query_params
    token = params.get("hub.verify_token", "")
    if (
        expected
        and params.get("hub.mode") == "subscribe"
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("verification failed", status_code=403)


def _routes(adapter: ChannelAdapter) -> None:
    """The provider-facing URLs of one channel, as its adapter names them."""
    can = adapter.capabilities

    async def receive(request: Request) -> Response:
        error = await _receive(request, adapter)
        return error or Response(can.webhook_answer, media_type=can.webhook_answer_type)

    def handshake(request: Request) -> Response:
        return _handshake(request, adapter.verify_token())

    for path in can.webhook_paths:
        name = f"{adapter.channel.value}{path.replace('/', '_')}"
        router.add_api_route(path, receive, methods=["POST"], name=name)
        if can.handshake:
            router.add_api_route(path, handshake, methods=["GET"], name=f"{name}_handshake")


for _adapter in ADAPTERS.values():
    _routes(_adapter)


@handler(JobKind.PROCESS_WEBHOOK)
def _reprocess(session, job: Job) -> None:
    event = session.get(WebhookEvent, job.payload["event_id"])
    if event is None or event.status == "processed":
        return
    adapter = adapter_for(event.provider)
    body = event.body.encode()
    try:
        form = _form(body) if adapter.capabilities.webhook_form else None
        if form is not None:
            form = dict(parse_qsl(str(event.headers.get(QUERY, "")))) | form
        parsed = adapter.parse(body, form)
    except WebhookRejected as exc:  # it reads the same way every time: an admin must look
        raise WorkError(f"webhook event {event.id} cannot be read: {exc.reason}", permanent=True) from exc
    reprocess_webhook(session, event, parsed)
