"""Customers' media files, for signed-in staff only."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter
from fastapi.responses import FileResponse

from aisha_app.actions.media import OUTBOUND_NAME, media_path, outbound_path
from aisha_app.api.deps import CurrentUser, DbSession, Id
from aisha_app.errors import NotFound
from aisha_app.models import Message

router = APIRouter(tags=["media"])
INLINE_KINDS = {"image", "audio", "video"}


def _headers(content_type: str, filename: str) -> dict[str, str]:
    headers = {
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        # A customer's file never runs as a page of ours (an HTML or SVG "document" could).
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    inline = content_type.split("/")[0] in INLINE_KINDS and "svg" not in content_type
    if not inline:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return headers


@router.get("/files/{name}", response_class=FileResponse)
def outbound_file(name: str) -> FileResponse:
    """A file staff attached to a reply. Public by an unguessable name, so the provider can fetch it."""
    if not OUTBOUND_NAME.fullmatch(name) or not (outbound_path(name)).exists():
        raise NotFound("File")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(outbound_path(name), media_type=content_type, headers=_headers(content_type, name))


@router.get("/media/{message_id}", response_class=FileResponse)
def message_media(message_id: Id, user: CurrentUser, session: DbSession) -> FileResponse:
    message = session.get(Message, message_id)
    path = media_path(message_id)
    if message is None or not path.exists():
        raise NotFound("Media")
    content_type = message.media_content_type or "application/octet-stream"
    return FileResponse(
        path, media_type=content_type, headers=_headers(content_type, f"message-{message_id}")
    )
