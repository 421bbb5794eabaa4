"""One adapter per channel behind one interface; adding a channel is adding one file here."""

from __future__ import annotations

from aisha_app.models import Channel
from aisha_app.services.messaging.base import ChannelAdapter
from aisha_app.services.messaging.messenger import Messenger
from aisha_app.services.messaging.simulator import Simulator
from aisha_app.services.messaging.twilio_whatsapp import TwilioWhatsApp
from aisha_app.services.messaging.whatsapp_cloud import WhatsAppCloud

ADAPTERS: dict[Channel, ChannelAdapter] = {
    adapter.channel: adapter for adapter in (WhatsAppCloud(), TwilioWhatsApp(), Messenger(), Simulator())
}


def adapter_for(channel: Channel | str) -> ChannelAdapter:
    return ADAPTERS[Channel(channel)]


def default_phone_channel() -> Channel:
    """Where a message to a phone number goes when the caller names no channel."""
    for channel in (Channel.WHATSAPP_CLOUD, Channel.TWILIO_WHATSAPP):
        if ADAPTERS[channel].configured():
            return channel
    return Channel.SIMULATOR
