import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from aisha_app.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="aisha_app",
    # The browser reaches the backend (websocket, API) where the app is published.
    api_url=settings.public_base_url,
    # Only our own pages may call the backend with a staff member's cookie.
    cors_allowed_origins=[settings.public_origin],
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="medium"))],
    disable_plugins=[SitemapPlugin],
)
