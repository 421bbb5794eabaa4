"""Customers' media: downloaded from the provider by a worker, kept on our disk."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from aisha_app import events, jobs
from aisha_app.config import get_settings
from aisha_app.models import Channel, Job, Message
from aisha_app.services.messaging import adapter_for
from aisha_app.services.messaging.base import SendError

MAX_BYTES = 25 * 1024 * 1024


def media_path(message_id: int) -> Path:
    return Path(get_settings().media_dir) / str(message_id)


@jobs.handler("fetch_media")
def _fetch(session: Session, job: Job) -> None:
    message = session.get(Message, job.payload["message_id"])
    if message is None or message.channel != Channel.WHATSAPP_CLOUD:
        return
    media = (message.meta.get("media") or [{}])[0]
    try:
        content, mime = adapter_for(message.channel).fetch_media(media["media_id"])
    except SendError as exc:
        if exc.permanent:
            raise jobs.PermanentJobError(str(exc)) from exc
        raise
    if len(content) > MAX_BYTES:
        raise jobs.PermanentJobError(f"media of {len(content)} bytes is over the {MAX_BYTES} limit")
    path = media_path(message.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    message.media_url = f"/media/{message.id}"
    message.media_content_type = mime or media.get("content_type")
    session.add(message)
    events.publish_on_commit(
        session, events.MESSAGE_UPDATED, conversation_id=message.conversation_id, message_id=message.id
    )
    session.commit()
