"""Actions: endpoints of the business's own systems that the assistant may call as tools.

An admin registers a name, a description, JSON-schema parameters and an HTTPS endpoint (method and
an auth header). The model fills in the parameters; we call the endpoint with a timeout and give
the model what it answered. The auth header is a secret: stored, sent, never shown or logged.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import ssl
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from google.genai import types
from pydantic import BaseModel, Field, field_validator
from pydantic import ValidationError as PydanticValidationError
from sqlmodel import Session, select

from aisha_app.actions.audit import audit
from aisha_app.config import get_settings
from aisha_app.errors import AppError, Conflict, Forbidden, NotFound
from aisha_app.models import AssistantAction, Role, User
from aisha_app.models.base import utcnow
from aisha_app.services.http import Resolver, UnsafeAddress, checked_addresses, pinned_request, resolve_host

log = logging.getLogger("aisha.assistant.actions")

BUILT_IN_TOOLS = {
    "search_products",
    "search_knowledge",
    "get_business_info",
    "join_waiting_list",
    "waiting_list_position",
    "leave_waiting_list",
    "start_review",
    "add_lead_note",
    "handoff_to_human",
}
MAX_RESULT_CHARS = 4000
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class ActionIn(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{2,47}$")
    description: str = Field(min_length=10, max_length=1000)
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    url: str = Field(max_length=2000)
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    auth_header_name: str | None = None
    # None keeps the stored value; "" removes it.
    auth_header_value: str | None = Field(default=None, max_length=4000)
    timeout_seconds: float = Field(default=10.0, gt=0, le=30)
    is_active: bool = True

    @field_validator("name")
    @classmethod
    def _not_built_in(cls, value: str) -> str:
        if value in BUILT_IN_TOOLS:
            raise ValueError(f"{value!r} is a built-in tool; pick another name")
        return value

    @field_validator("parameters")
    @classmethod
    def _object_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("type") != "object" or not isinstance(value.get("properties", {}), dict):
            raise ValueError('parameters must be a JSON schema {"type": "object", "properties": {...}}')
        if len(json.dumps(value)) > 8000:
            raise ValueError("parameters schema is too large (8,000 characters at most)")
        _known_types(value)
        try:  # what Gemini's SDK accepts; a schema it refuses would break every reply
            types.Schema.model_validate(value)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"parameters: {where or 'schema'}: {first['msg']}") from None
        return value

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        loopback = _is_loopback(parts.hostname or "")
        # Plain http only to this machine, and never in production: the header is a secret.
        if parts.scheme == "https" and parts.hostname:
            refuse_internal(parts.hostname)
            return value.strip()
        if parts.scheme == "http" and loopback and not get_settings().is_production:
            return value.strip()
        raise ValueError("the endpoint must be an https:// URL")

    @field_validator("auth_header_name")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value and not HEADER_NAME.match(value.strip()):
            raise ValueError("the header name may hold letters, digits and dashes only")
        return value.strip() if value else None


SCHEMA_TYPES = {"string", "number", "integer", "boolean", "array", "object"}


def _known_types(node: Any, where: str = "parameters") -> None:
    """Every "type" in the schema is one Gemini knows (the SDK only warns about the others)."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind is not None and (not isinstance(kind, str) or kind.lower() not in SCHEMA_TYPES):
            raise ValueError(f"{where}: type {kind!r} is not one of {', '.join(sorted(SCHEMA_TYPES))}")
        for key, child in node.items():
            _known_types(child, f"{where}.{key}")
    elif isinstance(node, list):
        for child in node:
            _known_types(child, where)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_internal(host: str) -> None:
    """In production an action may only reach the public internet, not this network's services.

    Checked when saved, and again at each call on the very addresses the call connects to
    (``pinned_request``): the name may point elsewhere by then.
    """
    if get_settings().is_production:
        checked_addresses(host, 443, public_only=True)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins manage the assistant's actions.")


def save_action(
    session: Session, data: ActionIn, actor: User, action_id: int | None = None
) -> AssistantAction:
    _admin(actor)
    action = session.get(AssistantAction, action_id) if action_id else None
    if action_id and action is None:
        raise NotFound("Action")
    clash = session.exec(select(AssistantAction).where(AssistantAction.name == data.name)).first()
    if clash is not None and clash.id != action_id:
        raise Conflict(f"An action named {data.name!r} already exists.")
    action = action or AssistantAction(name=data.name, description="", url="")
    if (
        data.auth_header_value is None
        and action.auth_header_value
        and _origin(action.url) != _origin(data.url)
    ):
        # The secret was given for one host; it is not sent to another without being typed again.
        raise AppError(
            "secret_needed",
            "The endpoint's host changed: type the auth header again (or - to send none).",
        )
    values = data.model_dump(exclude={"auth_header_value"})
    for key, value in values.items():
        setattr(action, key, value)
    if data.auth_header_value is not None:
        action.auth_header_value = data.auth_header_value or None
    if not action.auth_header_name:
        action.auth_header_value = None
    action.updated_at = utcnow()
    session.add(action)
    session.flush()
    # The audit trail names the change, never the secret.
    audit(session, actor, "assistant_action.saved", action, name=action.name, url=action.url)
    session.flush()
    return action


def delete_action(session: Session, action_id: int, actor: User) -> None:
    _admin(actor)
    action = session.get(AssistantAction, action_id)
    if action is None:
        raise NotFound("Action")
    audit(session, actor, "assistant_action.deleted", action, name=action.name)
    session.delete(action)
    session.flush()


def active_actions(session: Session) -> list[AssistantAction]:
    return list(
        session.exec(
            select(AssistantAction).where(AssistantAction.is_active).order_by(AssistantAction.name)
        ).all()
    )


def call_action(
    action: AssistantAction,
    arguments: dict[str, Any],
    *,
    resolve: Resolver = resolve_host,
    verify: ssl.SSLContext | bool = True,
) -> dict[str, Any]:
    """Call the endpoint; whatever happens, the model gets a result it can reason about.

    ``resolve`` and ``verify`` are the name look-up and the TLS trust (tests give their own).
    """
    headers = {"Accept": "application/json"}
    if action.auth_header_name and action.auth_header_value:
        headers[action.auth_header_name] = action.auth_header_value
    request: dict[str, Any] = (
        {"params": arguments} if action.method in ("GET", "DELETE") else {"json": arguments}
    )
    try:
        response = pinned_request(
            action.method,
            action.url,
            public_only=get_settings().is_production,
            resolve=resolve,
            verify=verify,
            headers=headers,
            timeout=action.timeout_seconds,
            follow_redirects=False,  # a redirect would carry the secret header elsewhere
            **request,
        )
    except UnsafeAddress as exc:
        log.warning("action %s: not called: %s", action.name, exc)
        return {"error": f"the {action.name} service is not reachable from here"}
    except httpx.TimeoutException:
        log.warning("action %s: no answer within %ss", action.name, action.timeout_seconds)
        return {"error": f"the {action.name} service did not answer in time"}
    except httpx.HTTPError as exc:
        log.warning("action %s: %s", action.name, type(exc).__name__)
        return {"error": f"the {action.name} service could not be reached"}
    text = response.text[:MAX_RESULT_CHARS]
    if response.status_code >= 400:
        log.warning("action %s: HTTP %s", action.name, response.status_code)
        return {
            "error": f"the {action.name} service answered HTTP {response.status_code}",
            "body": text[:500],
        }
    try:
        result = response.json()
    except ValueError:
        return {"result": text}
    if len(json.dumps(result)) > MAX_RESULT_CHARS:
        return {"result": text, "truncated": True}
    return result if isinstance(result, dict) else {"result": result}
