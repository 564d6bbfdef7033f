"""Settings from the environment: defaults, the scheduler's options, and clear errors."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import ConfigError, Settings


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
