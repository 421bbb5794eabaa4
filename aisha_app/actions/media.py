"""Customers' media: downloaded from the provider by a worker, kept on our disk."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from aisha_app.background.handlers import JobKind, handler
from aisha_app.config import get_settings
from aisha_app.db import commit
from aisha_app.errors import AppError, WorkError
from aisha_app.models import Job, Message, MessageType
from aisha_app.realtime import events
from aisha_app.services.messaging import adapter_for, capabilities

MAX_BYTES = 25 * 1024 * 1024
OUTBOUND_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,5}")
ATTACHABLE = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
}


FILES = "files_after_commit"


def media_path(message_id: int) -> Path:
    return Path(get_settings().media_dir) / str(message_id)


def write_after_commit(session: Session, path: Path, content: bytes) -> None:
    """Write a file once the transaction that names it commits (never for one rolled back:
    SQLite reuses a rolled-back id, and the file would belong to someone else's message)."""
    session.connection()  # joins the transaction, so its rollback discards the file
    session.info.setdefault(FILES, []).append((path, content))


@sa.event.listens_for(Session, "after_commit")
def _write_files(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for path, content in session.info.pop(FILES, []):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_files(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(FILES, None)


def outbound_path(name: str) -> Path:
    return Path(get_settings().media_dir) / "outbound" / name


def store_attachment(content: bytes, content_type: str) -> tuple[str, MessageType]:
    """Keep a file staff attach to a reply; returns the public URL the provider fetches it from."""
    extension = ATTACHABLE.get(content_type.split(";")[0].strip())
    if extension is None:
        raise AppError(
            "unsupported_file",
            "Attach a JPEG, PNG or WebP picture, a PDF, an MP3/OGG audio or an MP4 video.",
            400,
        )
    if len(content) > MAX_BYTES:
        raise AppError("file_too_large", "Attachments can be at most 25 MB.", 400)
    name = f"{uuid.uuid4().hex}.{extension}"
    path = outbound_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    kind = {"image": MessageType.IMAGE, "audio": MessageType.AUDIO, "video": MessageType.VIDEO}.get(
        content_type.split("/")[0], MessageType.DOCUMENT
    )
    return f"{get_settings().public_base_url.rstrip('/')}/files/{name}", kind


@handler(JobKind.FETCH_MEDIA)
def _fetch(session: Session, job: Job) -> None:
    message = session.get(Message, job.payload["message_id"])
    if message is None or not capabilities(message.channel).fetches_media or not message.meta.get("media"):
        return
    media = message.meta["media"][0]
    commit(session)  # no transaction stays open while the provider answers
    content, mime = adapter_for(message.channel).fetch_media(media)  # a SendError says if a retry helps
    if len(content) > MAX_BYTES:
        raise WorkError(f"media of {len(content)} bytes is over the {MAX_BYTES} limit", permanent=True)
    path = media_path(message.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    message.media_url = f"/media/{message.id}"
    message.media_content_type = (mime or media.get("content_type") or "application/octet-stream").split(";")[
        0
    ]
    session.add(message)
    events.publish_on_commit(
        session, events.MESSAGE_UPDATED, conversation_id=message.conversation_id, message_id=message.id
    )
    session.flush()
