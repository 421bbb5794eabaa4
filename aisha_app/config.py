"""The one settings object. Nothing else in the codebase reads ``os.environ``."""

from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("aisha.config")

INSECURE_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 (refused in production)
DATA_DIR = Path("data")


class ConfigurationError(RuntimeError):
    """Raised at start-up when the settings cannot run safely."""


class Settings(BaseSettings):
    # Empty values (as in a copied .env.example) mean "not set", never "set to empty".
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{DATA_DIR}/aisha.db"
    redis_url: str | None = None
    secret_key: str = INSECURE_SECRET_KEY
    public_base_url: str = "http://localhost:3000"
    access_token_minutes: int = Field(default=12 * 60, ge=1)
    # Seconds before a call to Twilio, Meta or Google is given up (and retried later).
    provider_timeout_seconds: float = Field(default=20.0, gt=0)
    # A send that timed out after it left may have reached the customer: wait this long for the
    # provider's status webhook before sending it once more.
    send_unknown_grace_seconds: float = Field(default=300.0, ge=0)
    # Customers' photos, voice notes and documents, served to signed-in staff only.
    media_dir: Path = DATA_DIR / "media"
    # Job-queue worker threads inside the app process; `python -m aisha_app.background.worker` adds more.
    in_app_workers: int = Field(default=2, ge=0)

    admin_email: str = "admin@example.com"
    admin_password: str | None = None
    default_region: str = "KE"

    # Behind a reverse proxy: take the client address from the last X-Forwarded-For hop.
    trust_proxy_headers: bool = False
    # Failed sign-ins allowed per email from one client address (four times as many per address,
    # whatever the email) within the window. Attempts refused by the throttle are not counted.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    # Failed sign-ins for one email from all addresses together: high, so that one attacker
    # cannot lock the owner out, yet many addresses guessing together are still slowed down.
    login_max_account_failures: int = Field(default=100, ge=1)

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_number: str | None = None
    twilio_api_base_url: str | None = None

    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    # The WhatsApp Business Account that owns the templates (Graph API /{id}/message_templates).
    whatsapp_business_account_id: str | None = None

    fb_page_access_token: str | None = None
    fb_verify_token: str | None = None
    fb_app_secret: str | None = None
    fb_api_base_url: str = "https://graph.facebook.com/v21.0"

    # The assistant: messages older than this get no automatic reply (a provider's retry backlog).
    ai_reply_max_age_minutes: int = Field(default=10, ge=1)
    # Messages sent within this many seconds of each other get one answer.
    ai_burst_seconds: float = Field(default=3.0, ge=0)

    # Automations: messages they may send one customer in 24 hours, and the hours (in the
    # customer's time zone, else the shop's) when they send none unless a rule says otherwise.
    automation_daily_limit: int = Field(default=3, ge=0, le=100)
    # "none" for none (an empty value in the environment is read as unset: the default).
    automation_quiet_hours: str = Field(default="21:00-08:00", pattern=r"^(|none|\d\d:\d\d-\d\d:\d\d)$")
    # A birthday greeting found due longer ago than this (the workers were down) is not sent.
    automation_late_hours: int = Field(default=12, ge=1, le=72)  # a sweep runs a little after the moment
    # Signs the JSON an automation's webhook action posts (X-Aisha-Signature); none: no webhooks.
    automation_webhook_secret: str | None = Field(default=None, min_length=16)

    # Agents who turned alerts on hear of a customer who has waited for staff this long.
    waiting_alert_minutes: int = Field(default=10, ge=1)

    # A review conversation left unanswered this long is dropped.
    review_expiry_minutes: int = Field(default=30, ge=1)

    gemini_api_key: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    ai_temperature: float = Field(default=0.3, ge=0, le=2)
    gemini_api_base_url: str | None = None

    @field_validator("automation_quiet_hours", mode="after")
    @classmethod
    def _no_quiet_hours(cls, value: str) -> str:
        return "" if value == "none" else value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def uses_default_database(self) -> bool:
        """True when DATABASE_URL was not given: the embedded quick-start database."""
        return "database_url" not in self.model_fields_set

    @property
    def public_origin(self) -> str:
        parts = urlsplit(self.public_base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def secure_cookies(self) -> bool:
        return self.is_production or self.public_base_url.startswith("https://")

    @property
    def cheap_password_hashing(self) -> bool:
        """Tests create and sign in users all the time; strong argon2 would dominate their time."""
        return self.environment == "test"

    def providers(self) -> dict[str, bool]:
        """Which outside services have the credentials they need."""
        return {
            "twilio_whatsapp": bool(
                self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_number
            ),
            "whatsapp_cloud": bool(
                self.whatsapp_access_token and self.whatsapp_phone_number_id and self.whatsapp_app_secret
            ),
            "messenger": bool(self.fb_page_access_token and self.fb_app_secret),
            "gemini": bool(self.gemini_api_key),
            "redis": bool(self.redis_url),
        }


def _development_secret() -> str:
    """A per-installation random key, kept beside the embedded database.

    A quick-start install is still reachable by others on its network, so even
    development must not sign tokens with a key published in this repository.
    """
    path = DATA_DIR / "secret_key"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def check(settings: Settings) -> Settings:
    """Refuse settings that are unsafe; fill in a development secret."""
    weak = settings.secret_key == INSECURE_SECRET_KEY or len(settings.secret_key) < 32
    if settings.is_production and weak:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in "
            "production (ENVIRONMENT=production). Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if settings.is_production and not settings.public_base_url.startswith("https://"):
        log.warning("PUBLIC_BASE_URL is not https: browsers send the (Secure) session cookie over https only")
    if weak and settings.environment == "development":
        settings.secret_key = _development_secret()
    return settings


def describe(settings: Settings) -> str:
    """One line for the start-up log: which providers are configured. Never secrets."""
    parts = [
        f"{name}={'configured' if ok else 'not configured'}" for name, ok in settings.providers().items()
    ]
    return f"environment={settings.environment} " + " ".join(parts)


@lru_cache
def get_settings() -> Settings:
    return check(Settings())
