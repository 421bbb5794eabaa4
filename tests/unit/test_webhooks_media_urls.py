"""Media URLs a provider sends are kept only if they are https: never stored, fetched or shown else."""

from __future__ import annotations

import pytest
from sqlmodel import select

from aisha_app.models import Job, Message
from tests.unit.support import ADMIN_PASSWORD, PROVIDER_ENV, login, payload, post_meta, post_twilio, run_jobs

NOT_HTTPS = [
    "http://scontent.xx.fbcdn.net/v/photo.jpg",
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
    "//scontent.xx.fbcdn.net/photo.jpg",
    "data:image/png;base64,iVBORw0KGgo=",
]


def _nothing_of(url: str, client, session, stub) -> Message:
    message = session.exec(select(Message)).one()
    assert message.media_url is None
    assert url not in str(message.meta)
    assert session.exec(select(Job).where(Job.kind == "fetch_media")).all() == []
    run_jobs()
    assert [r for r in stub.requests if r.method == "GET"] == []
    headers = login(client, "owner@shop.test", ADMIN_PASSWORD)
    shown = client.get(f"/api/conversations/{message.conversation_id}/messages", headers=headers)
    assert shown.status_code == 200 and url not in shown.text
    return message


@pytest.mark.parametrize("url", NOT_HTTPS)
def test_a_messenger_attachment_that_is_not_https_is_dropped(client, session, stub, world, url):
    body = payload("messenger", "image")
    body["entry"][0]["messaging"][0]["message"]["attachments"][0]["payload"]["url"] = url
    assert post_meta(client, "/webhooks/messenger", body, PROVIDER_ENV["FB_APP_SECRET"]).status_code == 200
    assert _nothing_of(url, client, session, stub).type == "text"


@pytest.mark.parametrize("url", NOT_HTTPS)
def test_a_twilio_media_url_that_is_not_https_is_dropped(client, session, stub, world, url):
    form = payload("twilio", "media") | {"MediaUrl0": url}
    assert post_twilio(client, "/webhooks/twilio", form).status_code == 200
    message = _nothing_of(url, client, session, stub)
    assert (message.type, message.body) == ("text", "Our logo")


@pytest.mark.parametrize("url", NOT_HTTPS)
def test_a_url_in_a_whatsapp_media_block_is_never_kept(client, session, stub, world, url):
    """WhatsApp media is fetched by id through the Graph API; a URL in the webhook is not used."""
    body = payload("whatsapp_cloud", "image")
    body["entry"][0]["changes"][0]["value"]["messages"][0]["image"] |= {"url": url, "link": url}
    assert (
        post_meta(client, "/webhooks/whatsapp", body, PROVIDER_ENV["WHATSAPP_APP_SECRET"]).status_code == 200
    )
    message = session.exec(select(Message)).one()
    assert message.media_url is None and url not in str(message.meta)
    assert message.meta["media"][0]["media_id"] == "1003383421387256"


def test_an_https_attachment_is_still_kept(client, session):
    post_meta(client, "/webhooks/messenger", payload("messenger", "image"), PROVIDER_ENV["FB_APP_SECRET"])
    assert session.exec(select(Message)).one().media_url.startswith("https://scontent")
