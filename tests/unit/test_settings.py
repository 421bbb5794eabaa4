import pytest

from aisha_app.config import INSECURE_SECRET_KEY, ConfigurationError, Settings, check, describe


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        check(Settings(environment="production", secret_key=INSECURE_SECRET_KEY))


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigurationError):
        check(Settings(environment="production", secret_key="short"))


def test_production_accepts_a_strong_secret_key():
    key = "k" * 48
    assert check(Settings(environment="production", secret_key=key)).secret_key == key


def test_development_never_signs_with_the_published_default_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = check(Settings(environment="development", secret_key=INSECURE_SECRET_KEY)).secret_key
    second = check(Settings(environment="development", secret_key=INSECURE_SECRET_KEY)).secret_key
    assert first != INSECURE_SECRET_KEY
    assert len(first) >= 32
    assert first == second  # kept on disk, so a restart does not sign everyone out
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_start_up_line_names_providers_but_never_secrets():
    settings = Settings(
        twilio_account_sid="AC123",
        twilio_auth_token="twilio-token-value",
        twilio_whatsapp_number="+1555",
        gemini_api_key="gemini-key-value",
        fb_page_access_token=None,
        fb_app_secret=None,
    )
    line = describe(settings)
    assert "twilio_whatsapp=configured" in line
    assert "gemini=configured" in line
    assert "messenger=not configured" in line
    assert "twilio-token-value" not in line and "gemini-key-value" not in line


def test_default_database_is_the_embedded_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    settings = Settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.uses_default_database
    assert not Settings(database_url="sqlite:///elsewhere.db").uses_default_database


def test_empty_values_from_a_copied_env_example_mean_unset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.setenv("DATABASE_URL", "")
    (tmp_path / ".env").write_text("SECRET_KEY=\nDATABASE_URL=\nGEMINI_API_KEY=\n")
    settings = check(Settings(environment="development"))
    assert len(settings.secret_key) >= 32
    assert settings.database_url.startswith("sqlite:///")
    assert settings.gemini_api_key is None


def test_a_weak_development_key_is_replaced_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check(Settings(environment="development", secret_key="short")).secret_key != "short"
