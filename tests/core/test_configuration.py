"""Settings from the environment: defaults, the scheduler's options, and clear errors."""

from __future__ import annotations

from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, Settings, secrets_from_files, variable_of


def test_the_embedded_default_needs_no_variables() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///leercoach.db"
    assert settings.periodic_time == time(9, 30)
    assert (settings.nudge_grace_minutes, settings.reminder_minutes) == (120, 120)
    assert (settings.slack_channel_rate, settings.teams_conversation_rate) == (1.0, 7.0)


def test_scheduler_options_are_read() -> None:
    settings = Settings.from_env({
        "LEERCOACH_PERIODIC_TIME": "08:45",
        "LEERCOACH_REMINDER_MINUTES": "0",
        "LEERCOACH_DELIVERY_ATTEMPTS": "3",
        "LEERCOACH_SLACK_WORKSPACE_RATE": "2.5",
    })
    assert settings.periodic_time == time(8, 45)
    assert settings.reminder_minutes == 0  # no reminder at all
    assert settings.delivery_attempts == 3
    assert settings.slack_workspace_rate == 2.5


@pytest.mark.parametrize(("name", "value", "says"), [
    ("LEERCOACH_PERIODIC_TIME", "half tien", "must be a time like 09:30"),
    ("LEERCOACH_PERIODIC_TIME", "09:30+01:00", "is a local time, without a zone"),
    ("LEERCOACH_DELIVERY_ATTEMPTS", "0", "must be at least 1"),
    ("LEERCOACH_REMINDER_MINUTES", "-5", "must be at least 0"),
    ("LEERCOACH_NUDGE_GRACE_MINUTES", "twee uur", "must be a whole number"),
    ("LEERCOACH_TEAMS_TENANT_RATE", "0", "must be more than 0"),
    ("LEERCOACH_SLACK_CHANNEL_RATE", "snel", "must be a number"),
])
def test_unusable_values_are_refused_by_name(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says) as raised:
        Settings.from_env({name: value})
    assert name in str(raised.value)


# A value other than the default for every setting, as an operator would write it.
OTHER_VALUES = {
    "LEERCOACH_DATABASE_URL": "postgresql://coach@db:5432/leercoach",
    "LEERCOACH_DEFAULT_LOCALE": "en",
    "LEERCOACH_DEFAULT_TIMEZONE": "UTC",
    "LEERCOACH_PERIODIC_TIME": "07:15",
    "LEERCOACH_FACILITATORS": "anyone",
    "LEERCOACH_PUBLIC_URL": "https://coach.example.org",
    "LEERCOACH_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "LEERCOACH_DIARY_DEEPENING": "off",
}


def test_every_setting_is_read_from_the_variable_config_check_names(tmp_path: Path) -> None:
    defaults = Settings()
    for item in fields(Settings):
        variable = variable_of(item.name)
        default = getattr(defaults, item.name)
        if item.name == "prompts_dir":
            value = str(tmp_path)
        elif variable in OTHER_VALUES:
            value = OTHER_VALUES[variable]
        else:
            value = str(default * 2 + 1) if isinstance(default, int) else str(default * 2)
        read = getattr(Settings.from_env({variable: value}), item.name)
        assert read != default, f"{variable} does not set {item.name}"


@pytest.mark.parametrize(("name", "value", "says"), [
    ("LEERCOACH_DATABASE_URL", "leercoach.db", "must be a database URL like sqlite:///"),
    ("LEERCOACH_DATABASE_URL", "mysql://coach:hunter2@db/leercoach",
     "postgresql://user:password@host"),
    ("LEERCOACH_DEFAULT_TIMEZONE", "Amsterdam", "must be an IANA time zone like Europe/"),
    ("LEERCOACH_PROMPTS_DIR", "/nonexistent/prompts", "must be an existing folder"),
    ("LEERCOACH_ENCRYPTION_KEY", "geheim", "is not a Fernet key"),
])
def test_start_up_errors_name_the_variable_and_the_form_without_a_password(
        name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says) as raised:
        Settings.from_env({name: value})
    assert name in str(raised.value)
    assert "hunter2" not in str(raised.value) and "geheim" not in str(raised.value)


def test_a_secret_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "slack_token"
    secret.write_text("xoxb-from-a-file\n")
    assert secrets_from_files({"SLACK_BOT_TOKEN_FILE": str(secret), "OTHER_FILE": "x"}) == {
        "SLACK_BOT_TOKEN": "xoxb-from-a-file"}
    with pytest.raises(ConfigError, match="set SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE"):
        secrets_from_files({"SLACK_BOT_TOKEN_FILE": str(secret), "SLACK_BOT_TOKEN": "x"})
    with pytest.raises(ConfigError, match="LEERCOACH_ENCRYPTION_KEY_FILE must name a readable"):
        secrets_from_files({"LEERCOACH_ENCRYPTION_KEY_FILE": str(tmp_path / "missing")})
