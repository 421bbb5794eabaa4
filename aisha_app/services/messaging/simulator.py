"""The built-in channel: a staff member plays the customer on the /simulator page.

Nothing leaves the machine. Inbound messages are recorded by the simulator page itself;
sending only names the message, and the page marks it delivered and read as it shows it.
"""

from __future__ import annotations

import uuid

from aisha_app.models import Channel, MessageStatus
from aisha_app.services.messaging.base import (
    Capabilities,
    Identity,
    Outbound,
    ParsedWebhook,
    SendError,
    WebhookRejected,
)
from aisha_app.services.messaging.template_api import SimulatorTemplates


class Simulator:
    channel = Channel.SIMULATOR
    template_api = SimulatorTemplates()  # templates at the provider: submitted, listed, sent by
    accepted_status = MessageStatus.DELIVERED  # the simulated phone is always online
    capabilities = Capabilities(
        label="Simulator",
        identity=Identity.PHONE,
        service_window=None,  # a staff member plays the customer: always open
        templates=True,
        max_buttons=13,
        fetches_media=False,  # its media are stored as they are sent
        reaches_phones=False,  # a made-up phone: never where a real number's message goes
    )

    def verify_token(self) -> str | None:
        return None

    def configured(self) -> bool:
        return True

    def verify(self, *, url: str, headers: dict[str, str], body: bytes, form: dict[str, str] | None) -> None:
        raise WebhookRejected(403, "the simulator has no webhook")

    def parse(self, body: bytes, form: dict[str, str] | None = None) -> ParsedWebhook:
        raise WebhookRejected(400, "the simulator has no webhook")

    def fetch_media(self, media: dict) -> tuple[bytes, str | None]:
        raise SendError("unsupported", "simulator media are stored when they are sent", permanent=True)

    def send(self, message: Outbound) -> str:
        return f"sim-{uuid.uuid4().hex}"
