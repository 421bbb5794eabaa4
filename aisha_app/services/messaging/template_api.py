"""Each provider's template API, behind one interface (``TemplateApi``): its adapter names it.

- WhatsApp Cloud: ``POST /{WABA}/message_templates`` (the account from
  ``WHATSAPP_BUSINESS_ACCOUNT_ID``) submits; the verdict comes by webhook
  (``message_template_status_update``, parsed by the adapter); ``GET`` lists. Sent by name.
- Twilio: the Content API makes the content (``POST /v1/Content``) and asks WhatsApp's approval
  (``POST /v1/Content/{sid}/ApprovalRequests/whatsapp``); no webhook tells the verdict, so it is
  polled; sent by its ContentSid.
- The simulator stands in for a provider: what is submitted there is approved at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from aisha_app.config import get_settings
from aisha_app.errors import AppError
from aisha_app.models import MessageTemplate, TemplateStatus
from aisha_app.services.http import http_client

VARIABLE_MARK = "{{"
TWILIO_CONTENT = "https://content.twilio.com"
# Meta's words for a template's status, and Twilio's, in ours.
STATUSES = {
    "APPROVED": TemplateStatus.APPROVED,
    "PENDING": TemplateStatus.PENDING,
    "IN_APPEAL": TemplateStatus.PENDING,
    "PENDING_DELETION": TemplateStatus.DISABLED,
    "REJECTED": TemplateStatus.REJECTED,
    "PAUSED": TemplateStatus.PAUSED,
    "DISABLED": TemplateStatus.DISABLED,
    "ARCHIVED": TemplateStatus.DISABLED,
    "UNARCHIVED": TemplateStatus.APPROVED,
    "REINSTATED": TemplateStatus.APPROVED,
    "FLAGGED": TemplateStatus.APPROVED,  # quality at risk: still sent (the quality says so)
    "LIMIT_EXCEEDED": TemplateStatus.PAUSED,
    "RECEIVED": TemplateStatus.PENDING,
    "UNSUBMITTED": TemplateStatus.DRAFT,
}


def status_of(word: object, default: TemplateStatus = TemplateStatus.PENDING) -> TemplateStatus:
    return STATUSES.get(str(word or "").upper(), default)


@dataclass
class Verdict:
    """What a provider said of a template just submitted, or when asked again."""

    status: TemplateStatus
    provider_id: str | None = None
    reason: str | None = None


class TemplateApi(Protocol):
    provider: str  # as staff read it
    polls: bool  # no webhook tells the verdict: ask (``verdict``) while pending
    lists: bool  # ``listing`` gives the provider's templates (a sync)

    def configured(self) -> bool: ...

    def submit(self, template: MessageTemplate) -> Verdict: ...

    def listing(self) -> list[dict[str, Any]]: ...

    def verdict(self, template: MessageTemplate) -> Verdict: ...

    def send_id(self, template: MessageTemplate) -> str: ...


class ProviderUnreachable(AppError):
    def __init__(self, provider: str, detail: str) -> None:
        super().__init__("provider_unreachable", f"{provider} could not be reached: {detail}", 502)


def _call(provider: str, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One request; its JSON. 502 when it cannot be reached or answers 5xx; 422 with the
    provider's own words when it refuses (a 4xx)."""
    try:
        response = http_client().request(
            method, url, timeout=get_settings().provider_timeout_seconds, **kwargs
        )
    except httpx.HTTPError as exc:
        raise ProviderUnreachable(provider, type(exc).__name__) from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code >= 500 or not isinstance(data, dict):
        raise ProviderUnreachable(provider, f"HTTP {response.status_code}")
    if response.status_code >= 400:
        error = data.get("error") if isinstance(data.get("error"), dict) else data
        said = error.get("error_user_msg") or error.get("message") or f"HTTP {response.status_code}"
        raise AppError("provider_refused", f"{provider} refused it: {said}", 422, details=[error])
    return data


# -- WhatsApp Cloud ------------------------------------------------------------------------
def meta_components(t: MessageTemplate) -> list[dict[str, Any]]:
    """The template as Meta's Graph API takes it."""
    components: list[dict[str, Any]] = []
    if t.header.get("type") == "text":
        header: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": t.header["text"]}
        if VARIABLE_MARK in t.header["text"]:
            header["example"] = {"header_text": [t.examples[0] if t.examples else "example"]}
        components.append(header)
    elif t.header:
        media = {"header_handle": [t.header["url"]]}
        components.append({"type": "HEADER", "format": t.header["type"].upper(), "example": media})
    body: dict[str, Any] = {"type": "BODY", "text": t.body}
    if t.examples:
        body["example"] = {"body_text": [t.examples]}
    components.append(body)
    if t.footer:
        components.append({"type": "FOOTER", "text": t.footer})
    if t.buttons:
        buttons = [
            {"type": b["type"].upper(), "text": b["text"]}
            | ({"url": b["url"]} if b.get("url") else {})
            | ({"phone_number": b["phone_number"]} if b.get("phone_number") else {})
            for b in t.buttons
        ]
        components.append({"type": "BUTTONS", "buttons": buttons})
    return components


def from_meta(item: dict[str, Any]) -> dict[str, Any]:
    """A template as Meta lists it, in our fields."""
    fields: dict[str, Any] = {"body": "", "header": {}, "footer": None, "buttons": [], "examples": []}
    for c in item.get("components") or []:
        if not isinstance(c, dict):
            continue
        kind = str(c.get("type", "")).upper()
        if kind == "BODY":
            fields["body"] = str(c.get("text") or "")
            examples = (c.get("example") or {}).get("body_text") or [[]]
            fields["examples"] = [str(e) for e in (examples[0] if examples else [])]
        elif kind == "HEADER":
            fmt = str(c.get("format", "TEXT")).lower()
            if fmt == "text":
                fields["header"] = {"type": "text", "text": str(c.get("text") or "")[:60]}
            elif fmt in ("image", "video", "document"):
                handles = (c.get("example") or {}).get("header_handle") or [""]
                fields["header"] = {"type": fmt, "url": str(handles[0])[:2000]}
        elif kind == "FOOTER":
            fields["footer"] = str(c.get("text") or "")[:60] or None
        elif kind == "BUTTONS":
            fields["buttons"] = [
                {k: str(v) for k, v in {**b, "type": str(b.get("type", "")).lower()}.items() if v}
                for b in c.get("buttons") or []
                if isinstance(b, dict)
                and str(b.get("type", "")).lower() in ("quick_reply", "url", "phone_number")
            ]
    reason = item.get("rejected_reason")
    quality = (item.get("quality_score") or {}).get("score")
    return fields | {
        "name": str(item["name"])[:512],
        "language": str(item.get("language") or "en")[:16],
        "category": str(item.get("category") or "utility").lower()[:24],
        "provider_template_id": str(item.get("id") or "")[:128] or None,
        "status": status_of(item.get("status")),
        "reason": None if reason in (None, "NONE") else str(reason),
        "quality": str(quality).upper()[:16] if quality else None,
    }


class MetaTemplates:
    provider = "WhatsApp Cloud"
    polls = False  # the status webhook tells
    lists = True

    def configured(self) -> bool:
        settings = get_settings()
        return bool(settings.whatsapp_business_account_id and settings.whatsapp_access_token)

    def _endpoint(self) -> tuple[str, dict[str, str]]:
        if not self.configured():
            raise AppError(
                "not_configured",
                "Set WHATSAPP_BUSINESS_ACCOUNT_ID and WHATSAPP_ACCESS_TOKEN to manage its templates.",
                409,
            )
        settings = get_settings()
        base = f"{settings.whatsapp_api_base_url.rstrip('/')}/{settings.whatsapp_business_account_id}"
        return base + "/message_templates", {"Authorization": f"Bearer {settings.whatsapp_access_token}"}

    def submit(self, template: MessageTemplate) -> Verdict:
        url, headers = self._endpoint()
        body = {
            "name": template.name,
            "language": template.language,
            "category": template.category.upper(),
            "components": meta_components(template),
        }
        answer = _call(self.provider, "POST", url, headers=headers, json=body)
        return Verdict(status_of(answer.get("status")), str(answer.get("id") or "") or None)

    def listing(self) -> list[dict[str, Any]]:
        url, headers = self._endpoint()
        params: dict[str, Any] | None = {
            "fields": "id,name,language,status,category,components,quality_score,rejected_reason",
            "limit": 100,
        }
        found: list[dict[str, Any]] = []
        for _ in range(100):  # pages of 100: 10,000 templates at most
            page = _call(self.provider, "GET", url, headers=headers, params=params)
            found += [from_meta(i) for i in page.get("data") or [] if isinstance(i, dict) and i.get("name")]
            following = (page.get("paging") or {}).get("next")
            if not following:
                break
            url, params = str(following), None
        return found

    def verdict(self, template: MessageTemplate) -> Verdict:
        return Verdict(TemplateStatus(template.status))  # told by webhook, not asked

    def send_id(self, template: MessageTemplate) -> str:
        return template.name  # Meta sends by name and language


# -- Twilio --------------------------------------------------------------------------------
def twilio_types(t: MessageTemplate) -> dict[str, Any]:
    """The template as a Twilio content type."""
    actions = [b for b in t.buttons if b["type"] in ("url", "phone_number")]
    replies = [b for b in t.buttons if b["type"] == "quick_reply"]
    if actions:
        return {
            "twilio/call-to-action": {
                "body": t.body,
                "actions": [
                    {"type": "URL", "title": b["text"], "url": b["url"]}
                    if b["type"] == "url"
                    else {"type": "PHONE_NUMBER", "title": b["text"], "phone": b["phone_number"]}
                    for b in actions
                ],
            }
        }
    if replies:
        return {"twilio/quick-reply": {"body": t.body, "actions": [{"title": b["text"]} for b in replies]}}
    if t.header.get("url"):
        return {"twilio/media": {"body": t.body, "media": [t.header["url"]]}}
    return {"twilio/text": {"body": t.body}}


def _numbered(variables: dict[str, Any]) -> list[str]:
    return [str(variables[k]) for k in sorted(variables, key=lambda k: int(k) if str(k).isdigit() else 0)]


class TwilioTemplates:
    provider = "Twilio"
    polls = True  # Twilio has no webhook for the verdict
    lists = True

    def configured(self) -> bool:
        settings = get_settings()
        return bool(settings.twilio_account_sid and settings.twilio_auth_token)

    def _endpoint(self) -> tuple[str, tuple[str, str]]:
        if not self.configured():
            raise AppError(
                "not_configured",
                "Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to manage Twilio templates.",
                409,
            )
        settings = get_settings()
        base = (settings.twilio_api_base_url or TWILIO_CONTENT).rstrip("/")
        return base, (settings.twilio_account_sid, settings.twilio_auth_token)

    def submit(self, template: MessageTemplate) -> Verdict:
        base, auth = self._endpoint()
        sid = template.provider_template_id
        if not sid:
            content = _call(
                self.provider,
                "POST",
                f"{base}/v1/Content",
                auth=auth,
                json={
                    "friendly_name": template.name,
                    "language": template.language,
                    "variables": {str(i): e for i, e in enumerate(template.examples, start=1)},
                    "types": twilio_types(template),
                },
            )
            sid = str(content.get("sid") or "") or None
            if not sid:
                raise ProviderUnreachable(self.provider, "no ContentSid in its answer")
        answer = _call(
            self.provider,
            "POST",
            f"{base}/v1/Content/{sid}/ApprovalRequests/whatsapp",
            auth=auth,
            json={"name": template.name, "category": template.category.upper()},
        )
        return Verdict(status_of(answer.get("status")), sid)

    def listing(self) -> list[dict[str, Any]]:
        base, auth = self._endpoint()
        url: str | None = f"{base}/v1/ContentAndApprovals?PageSize=100"
        found: list[dict[str, Any]] = []
        for _ in range(100):
            if not url:
                break
            page = _call(self.provider, "GET", url, auth=auth)
            for item in page.get("contents") or []:
                if not isinstance(item, dict) or not item.get("sid"):
                    continue
                approvals = item.get("approval_requests")
                whatsapp = approvals if isinstance(approvals, dict) else {}
                types = item.get("types") if isinstance(item.get("types"), dict) else {}
                body = next((str(t.get("body") or "") for t in types.values() if isinstance(t, dict)), "")
                variables = item.get("variables") if isinstance(item.get("variables"), dict) else {}
                found.append(
                    {
                        "name": str(whatsapp.get("name") or item.get("friendly_name") or item["sid"])[:512],
                        "language": str(item.get("language") or "en")[:16],
                        "category": str(whatsapp.get("category") or "utility").lower()[:24],
                        "body": body,
                        "examples": _numbered(variables),
                        "provider_template_id": str(item["sid"])[:128],
                        "status": status_of(whatsapp.get("status"), TemplateStatus.DRAFT),
                        "reason": whatsapp.get("rejection_reason") or None,
                    }
                )
            url = (page.get("meta") or {}).get("next_page_url")
        return found

    def verdict(self, template: MessageTemplate) -> Verdict:
        base, auth = self._endpoint()
        sid = template.provider_template_id
        answer = _call(self.provider, "GET", f"{base}/v1/Content/{sid}/ApprovalRequests", auth=auth)
        whatsapp = answer.get("whatsapp") if isinstance(answer.get("whatsapp"), dict) else {}
        return Verdict(status_of(whatsapp.get("status")), sid, whatsapp.get("rejection_reason") or None)

    def send_id(self, template: MessageTemplate) -> str:
        if not template.provider_template_id:
            raise AppError(
                "template_not_submitted",
                f"Template {template.name!r} has no Twilio ContentSid: submit it, or sync from Twilio.",
                409,
            )
        return template.provider_template_id


# -- the simulator -------------------------------------------------------------------------
class SimulatorTemplates:
    provider = "the simulator"
    polls = False
    lists = False

    def configured(self) -> bool:
        return True

    def submit(self, template: MessageTemplate) -> Verdict:
        return Verdict(TemplateStatus.APPROVED)  # nobody to ask

    def listing(self) -> list[dict[str, Any]]:
        return []

    def verdict(self, template: MessageTemplate) -> Verdict:
        return Verdict(TemplateStatus(template.status))

    def send_id(self, template: MessageTemplate) -> str:
        return template.name
