"""One adapter per channel behind one interface; adding a channel is adding one file here."""

from __future__ import annotations

from aisha_app.models import Channel
from aisha_app.services.messaging.base import Capabilities, ChannelAdapter
from aisha_app.services.messaging.messenger import Messenger
from aisha_app.services.messaging.simulator import Simulator
from aisha_app.services.messaging.twilio_whatsapp import TwilioWhatsApp
from aisha_app.services.messaging.whatsapp_cloud import WhatsAppCloud

# In order of preference where several could carry a message (WhatsApp's Cloud API first).
ADAPTERS: dict[Channel, ChannelAdapter] = {
    adapter.channel: adapter for adapter in (WhatsAppCloud(), TwilioWhatsApp(), Messenger(), Simulator())
}


def adapter_for(channel: Channel | str) -> ChannelAdapter:
    return ADAPTERS[Channel(channel)]


def capabilities(channel: Channel | str) -> Capabilities:
    return adapter_for(channel).capabilities


def phone_channels() -> list[Channel]:
    """The configured channels that can write first to a phone number, the preferred first."""
    return [a.channel for a in ADAPTERS.values() if a.capabilities.reaches_phones and a.configured()]


def default_phone_channel() -> Channel:
    """Where a message to a phone number goes when the caller names no channel."""
    return next(iter(phone_channels()), Channel.SIMULATOR)
