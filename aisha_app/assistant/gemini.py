"""The Gemini responder: the business profile as instructions, the conversation, and tools.

The model may call tools (the catalog and FAQ, the business profile, the waiting list, reviews,
lead notes, a hand-over, and the business's own registered actions); their results go back to it
until it answers. Prices and stock reach it only through the tools, and the instructions forbid
anything else.
"""

from __future__ import annotations

from google import genai
from google.genai import types

from aisha_app.actions.assistant_actions import active_actions
from aisha_app.assistant import tools
from aisha_app.assistant.offline import Reply, handoff
from aisha_app.assistant.profile import BusinessProfile
from aisha_app.assistant.tuning import load_tuning
from aisha_app.config import get_settings
from aisha_app.models.base import utcnow

MAX_TOOL_ROUNDS = 4


def instructions(profile: BusinessProfile) -> str:
    return (
        f"You are the assistant of {profile.name}, answering customers on WhatsApp and Messenger.\n"
        f"About the business: {profile.description}\n"
        f"Tone: {profile.tone}. Reply in the customer's language ({', '.join(profile.languages)}), briefly.\n"
        f"You may: {profile.may}. You must not: {profile.may_not}.\n"
        "Never state a price, stock level or policy that a tool did not give you. If the tools do not "
        "answer the question, call handoff_to_human and tell the customer a person will reply.\n"
        "When the customer sends a photo, describe only what you can see and look it up with the tools."
    )


def client() -> genai.Client:
    settings = get_settings()
    options = types.HttpOptions(
        base_url=settings.gemini_api_base_url or None,
        timeout=int(settings.provider_timeout_seconds * 1000),
        retry_options=types.HttpRetryOptions(attempts=1),  # the job queue retries, with backoff
    )
    return genai.Client(api_key=settings.gemini_api_key, http_options=options)


def _contents(history: list[tuple[str, str]], images: list[tuple[bytes, str]]) -> list[types.Content]:
    contents = [types.Content(role=role, parts=[types.Part(text=text)]) for role, text in history if text]
    if images:
        pictures = [types.Part.from_bytes(data=data, mime_type=mime) for data, mime in images]
        if contents and contents[-1].role == "user":
            contents[-1].parts = [*pictures, *contents[-1].parts]
        else:
            contents.append(types.Content(role="user", parts=pictures))
    return contents


def respond(
    ctx: tools.ToolContext, history: list[tuple[str, str]], images: list[tuple[bytes, str]] | None = None
) -> Reply:
    """``history`` is [(role, text)], role "user" (the customer) or "model" (us), oldest first;
    ``images`` are the photos of the customer's latest messages, (bytes, MIME type)."""
    tuning = load_tuning(ctx.session)
    contents = _contents(history, images or [])
    config = types.GenerateContentConfig(
        system_instruction=instructions(ctx.profile),
        temperature=tuning.temperature,
        tools=[types.Tool(function_declarations=tools.declarations(active_actions(ctx.session)))],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    gemini_client = client()  # keep a reference: the SDK closes its HTTP client when this is collected
    model, tokens, text = gemini_client.models, 0, ""
    for _ in range(MAX_TOOL_ROUNDS):
        ctx.release()
        response = model.generate_content(model=tuning.model, contents=contents, config=config)
        tokens += (response.usage_metadata.total_token_count or 0) if response.usage_metadata else 0
        calls = response.function_calls or []
        if not calls:
            text = response.text or ""
            break
        contents.append(response.candidates[0].content)
        parts = [
            types.Part.from_function_response(
                name=call.name, response=tools.run(ctx, call.name, dict(call.args or {}))
            )
            for call in calls
        ]
        contents.append(types.Content(role="tool", parts=parts))
    decision = "handoff" if ctx.handoff else "continue"
    if ctx.reply_override:  # a review has begun: its first question is the answer
        text = ctx.reply_override
    reason = ctx.handoff_reason or "The assistant handed over without saying why."
    if not text.strip():  # no answer after the tools: a person it is
        text, decision = handoff(ctx.profile, ctx.lang, utcnow()).text, "handoff"
        reason = ctx.handoff_reason or "The assistant had no answer."
    return Reply(text.strip(), decision, None, ctx.passages, ctx.called, tokens, reason=reason)
