"""Configuration from the environment, read once, so every part agrees on the same values."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///leercoach.db"


class ConfigError(ValueError):
    """An environment variable holds a value Leercoach cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


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
        )
