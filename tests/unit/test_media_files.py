"""Files: customers' media for staff only, staff attachments public by an unguessable name."""

import pytest

from aisha_app.actions.media import store_attachment
from aisha_app.errors import AppError
from aisha_app.models import Conversation, Message
from tests.unit.support import AGENT_PASSWORD, login


def test_an_attachment_is_served_publicly_for_the_provider_to_fetch(client):
    url, kind = store_attachment(b"%PDF-1.7 order", "application/pdf")
    assert kind == "document"
    assert url.startswith("http://testserver/files/") and url.endswith(".pdf")
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 order"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_only_known_file_kinds_may_be_attached():
    with pytest.raises(AppError) as refused:
        store_attachment(b"<script>alert(1)</script>", "text/html")
    assert refused.value.code == "unsupported_file"


@pytest.mark.parametrize("name", ["../secret_key", "abc.pdf", "0" * 32 + ".html5x", "0" * 32 + ".pdf"])
def test_file_names_that_were_not_issued_are_404(client, name):
    assert client.get(f"/files/{name}").status_code == 404


def test_a_customers_html_document_downloads_instead_of_running_as_our_page(client, session, world, tmp_path):
    from aisha_app.actions.media import media_path

    conversation = Conversation(contact_id=world.contacts[0].id, channel="whatsapp_cloud")
    session.add(conversation)
    session.commit()
    message = Message(
        conversation_id=conversation.id,
        channel="whatsapp_cloud",
        direction="inbound",
        type="document",
        media_content_type="text/html",
        status="received",
    )
    session.add(message)
    session.commit()
    media_path(message.id).parent.mkdir(parents=True, exist_ok=True)
    media_path(message.id).write_bytes(b"<script>steal()</script>")
    response = client.get(f"/media/{message.id}", headers=login(client, "agent@shop.test", AGENT_PASSWORD))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in response.headers["content-security-policy"]
