"""The Gemini responder: the business profile as instructions, the conversation, and tools.

The model may call tools (search the catalog and FAQ, read the business profile, hand over to
a person); their results go back to it until it answers. Prices and stock reach it only through
the tools, and the instructions forbid anything else.
"""

from __future__ import annotations

from typing import Any

from google import genai
from google.genai import types
from sqlmodel import Session

from aisha_app.assistant.knowledge import Passage, search
from aisha_app.assistant.offline import Reply, handoff, language_of
from aisha_app.assistant.profile import BusinessProfile
from aisha_app.config import get_settings
from aisha_app.models.base import utcnow

MAX_TOOL_ROUNDS = 4

DECLARATIONS = [
    types.FunctionDeclaration(
        name="search_products",
        description="Find products in the catalog with their real price and stock.",
        parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    ),
    types.FunctionDeclaration(
        name="search_knowledge",
        description="Find the business's FAQ answers (delivery, payment, returns ...).",
        parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    ),
    types.FunctionDeclaration(
        name="get_business_info",
        description="The business's address, opening hours and whether it is open now.",
        parameters={"type": "object", "properties": {}},
    ),
    types.FunctionDeclaration(
        name="handoff_to_human",
        description="Hand the conversation to a staff member. Use it whenever you "
        "cannot answer from the tools, or the customer asks for a person.",
        parameters={"type": "object", "properties": {"reason": {"type": "string"}}},
    ),
]


def instructions(profile: BusinessProfile) -> str:
    return (
        f"You are the assistant of {profile.name}, answering customers on WhatsApp and Messenger.\n"
        f"About the business: {profile.description}\n"
        f"Tone: {profile.tone}. Reply in the customer's language ({', '.join(profile.languages)}), briefly.\n"
        f"You may: {profile.may}. You must not: {profile.may_not}.\n"
        "Never state a price, stock level or policy that a tool did not give you. If the tools do not "
        "answer the question, call handoff_to_human and tell the customer a person will reply."
    )


def _passage(p: Passage) -> dict[str, Any]:
    if p.kind == "product":
        return {
            "name": p.title,
            "name_ar": p.name_ar,
            "price": str(p.price),
            "currency": p.currency,
            "stock": p.stock,
            "sku": p.sku,
        }
    return {"question": p.title, "answer": p.text}


def _run_tool(
    session: Session, profile: BusinessProfile, name: str, args: dict, found: list[Passage]
) -> dict:
    if name in ("search_products", "search_knowledge"):
        kind = "product" if name == "search_products" else "faq"
        hits = [p for p in search(session, str(args.get("query", "")), limit=5) if p.kind == kind]
        found.extend(hits)
        return {"results": [_passage(p) for p in hits]}
    if name == "get_business_info":
        now = utcnow()
        return {
            "name": profile.name,
            "address": profile.address,
            "hours": profile.hours_text(),
            "open_now": profile.is_open(now),
            "next_opening": profile.next_opening(now),
        }
    if name == "handoff_to_human":
        return {"ok": True, "note": "A staff member will take over this conversation."}
    return {"error": f"unknown tool {name}"}


def client() -> genai.Client:
    settings = get_settings()
    options = types.HttpOptions(
        base_url=settings.gemini_api_base_url or None,
        timeout=int(settings.provider_timeout_seconds * 1000),
        retry_options=types.HttpRetryOptions(attempts=1),  # the job queue retries, with backoff
    )
    return genai.Client(api_key=settings.gemini_api_key, http_options=options)


def respond(session: Session, profile: BusinessProfile, history: list[tuple[str, str]]) -> Reply:
    """``history`` is [(role, text)], role "user" (the customer) or "model" (us), oldest first."""
    settings = get_settings()
    contents: list[types.Content] = [
        types.Content(role=role, parts=[types.Part(text=text)]) for role, text in history if text
    ]
    config = types.GenerateContentConfig(
        system_instruction=instructions(profile),
        temperature=settings.ai_temperature,
        tools=[types.Tool(function_declarations=DECLARATIONS)],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    gemini_client = client()  # keep a reference: the SDK closes its HTTP client when this is collected
    model, found, called, tokens, decision, text = gemini_client.models, [], [], 0, "continue", ""
    for _ in range(MAX_TOOL_ROUNDS):
        response = model.generate_content(model=settings.gemini_model, contents=contents, config=config)
        tokens += (response.usage_metadata.total_token_count or 0) if response.usage_metadata else 0
        calls = response.function_calls or []
        if not calls:
            text = response.text or ""
            break
        contents.append(response.candidates[0].content)
        parts = []
        for call in calls:
            called.append(call.name)
            decision = "handoff" if call.name == "handoff_to_human" else decision
            result = _run_tool(session, profile, call.name, dict(call.args or {}), found)
            parts.append(types.Part.from_function_response(name=call.name, response=result))
        contents.append(types.Content(role="tool", parts=parts))
    last_customer = next((t for role, t in reversed(history) if role == "user"), "")
    if not text.strip():  # no answer after the tools: a person it is
        fallback = handoff(profile, language_of(last_customer), utcnow())
        text, decision = fallback.text, "handoff"
    return Reply(text.strip(), decision, None, found, called, tokens)
