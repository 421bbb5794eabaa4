"""Ask the assistant (for integrations and the playground)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import col, select

from aisha_app.actions.assistant import answer
from aisha_app.api.deps import CurrentUser, DbSession
from aisha_app.errors import NotFound
from aisha_app.models import Conversation, Message
from aisha_app.models.numbers import IdNumber

router = APIRouter(prefix="/api/ai", tags=["assistant"])


class Ask(BaseModel):
    prompt: str = Field(min_length=1, max_length=4000)
    conversation_id: IdNumber | None = None


class Answer(BaseModel):
    response: str
    decision: str
    tokens_used: int
    tools_called: list[str]


@router.post("/reply", response_model=Answer)
def reply(body: Ask, user: CurrentUser, session: DbSession) -> Answer:
    """What the assistant would answer; nothing is sent. With a conversation, its recent
    customer messages are read first."""
    prompt = body.prompt
    if body.conversation_id is not None:
        if session.get(Conversation, body.conversation_id) is None:
            raise NotFound("Conversation")
        recent = session.exec(
            select(Message.body)
            .where(Message.conversation_id == body.conversation_id, Message.direction == "inbound")
            .order_by(col(Message.id).desc())
            .limit(3)
        ).all()
        prompt = " ".join([*(b for b in reversed(recent) if b), prompt])
    result = answer(session, prompt)
    return Answer(
        response=result.text,
        decision=result.decision,
        tokens_used=result.tokens_used,
        tools_called=result.tools_called,
    )
