"""Configuration from the environment, read once, so every part agrees on the same values."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TypeVar

from bot.errors import ConfigError as ConfigError  # raised by from_env, and caught by its callers
from bot.storage.encryption import KeyRing, split_keys

DEFAULT_DATABASE_URL = "sqlite:///leercoach.db"
T = TypeVar("T")


def _parsed(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T],
            expected: str) -> T:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be {expected}, got {raw!r}") from exc


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    value = _parsed(env, name, default, int, "a whole number")
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    value = _parsed(env, name, default, float, "a number")
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0, got {value}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _time(env: Mapping[str, str], name: str, default: time) -> time:
    value = _parsed(env, name, default, time.fromisoformat, "a time like 09:30")
    if value.tzinfo is not None:
        raise ConfigError(f"{name} is a local time, without a zone; got {value.isoformat()}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip().rstrip("/") or default
    if not value.startswith(("http://", "https://")) or " " in value:
        raise ConfigError(f"{name} must be an http(s) address like https://coach.example.org, "
                          f"got {value!r}")
    return value


def _encryption_key(env: Mapping[str, str], name: str) -> str | None:
    """The keys as set, checked now so a bad one stops the start (the message never
    quotes a key)."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    KeyRing(split_keys(raw))
    return raw


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything an operator can set; see the configuration table in the README."""

    database_url: str = DEFAULT_DATABASE_URL
    prompts_dir: Path | None = None
    default_locale: str = "nl"
    default_timezone: str = "Europe/Amsterdam"
    max_answer_chars: int = 4000
    dialog_timeout_minutes: int = 720
    snooze_minutes: int = 60
    # free text older than this many months is purged by the scheduler (bot.privacy.retention);
    # 0 keeps it forever
    retention_months: int = 24
    # scheduler and outbox
    periodic_time: time = time(9, 30)
    nudge_grace_minutes: int = 120
    reminder_minutes: int = 120
    delivery_attempts: int = 6
    retry_base_seconds: int = 30
    retry_cap_seconds: int = 3600
    lease_seconds: int = 120
    busy_retry_minutes: int = 20
    slack_channel_rate: float = 1.0
    slack_workspace_rate: float = 8.0  # about 525 a minute, as large Slack bots report
    teams_conversation_rate: float = 7.0
    teams_tenant_rate: float = 50.0
    # who may start intervision cases and launch exercises: "role" (facilitators and
    # admins) or "anyone"
    facilitators: str = "role"
    # where the web pages are reached from a person's browser: the `dashboard` command's
    # login links point there
    public_url: str = "http://127.0.0.1:3978"
    # LEERCOACH_ENCRYPTION_KEY: Fernet keys, comma-separated, newest first; None keeps
    # answers in plain text (see bot.storage.encryption). Never in a repr or a log line.
    encryption_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        prompts = env.get("LEERCOACH_PROMPTS_DIR", "").strip()
        locale = env.get("LEERCOACH_DEFAULT_LOCALE", "nl").strip() or "nl"
        if locale not in ("nl", "en"):
            raise ConfigError(f"LEERCOACH_DEFAULT_LOCALE must be nl or en, got {locale!r}")
        return cls(
            database_url=env.get("LEERCOACH_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            prompts_dir=Path(prompts) if prompts else None,
            default_locale=locale,
            default_timezone=env.get("LEERCOACH_DEFAULT_TIMEZONE", "").strip()
            or "Europe/Amsterdam",
            max_answer_chars=_int(env, "LEERCOACH_MAX_ANSWER_CHARS", 4000),
            dialog_timeout_minutes=_int(env, "LEERCOACH_DIALOG_TIMEOUT_MINUTES", 720),
            snooze_minutes=_int(env, "LEERCOACH_SNOOZE_MINUTES", 60),
            retention_months=_int(env, "LEERCOACH_RETENTION_MONTHS", 24, minimum=0),
            periodic_time=_time(env, "LEERCOACH_PERIODIC_TIME", time(9, 30)),
            nudge_grace_minutes=_int(env, "LEERCOACH_NUDGE_GRACE_MINUTES", 120),
            reminder_minutes=_int(env, "LEERCOACH_REMINDER_MINUTES", 120, minimum=0),
            delivery_attempts=_int(env, "LEERCOACH_DELIVERY_ATTEMPTS", 6),
            retry_base_seconds=_int(env, "LEERCOACH_RETRY_BASE_SECONDS", 30),
            retry_cap_seconds=_int(env, "LEERCOACH_RETRY_CAP_SECONDS", 3600),
            lease_seconds=_int(env, "LEERCOACH_DELIVERY_LEASE_SECONDS", 120),
            busy_retry_minutes=_int(env, "LEERCOACH_BUSY_RETRY_MINUTES", 20),
            slack_channel_rate=_float(env, "LEERCOACH_SLACK_CHANNEL_RATE", 1.0),
            slack_workspace_rate=_float(env, "LEERCOACH_SLACK_WORKSPACE_RATE", 8.0),
            teams_conversation_rate=_float(env, "LEERCOACH_TEAMS_CONVERSATION_RATE", 7.0),
            teams_tenant_rate=_float(env, "LEERCOACH_TEAMS_TENANT_RATE", 50.0),
            facilitators=_choice(env, "LEERCOACH_FACILITATORS", "role", ("role", "anyone")),
            public_url=_url(env, "LEERCOACH_PUBLIC_URL", "http://127.0.0.1:3978"),
            encryption_key=_encryption_key(env, "LEERCOACH_ENCRYPTION_KEY"),
        )
