"""Configuration from the environment, read once, so every part agrees on the same values."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError as ConfigError  # raised by from_env, and caught by its callers
from bot.storage.encryption import KeyRing, split_keys

DEFAULT_DATABASE_URL = "sqlite:///leercoach.db"
T = TypeVar("T")
# Where a variable `NAME_FILE` may stand for `NAME`, its value read from that file (Docker
# and Kubernetes secrets are files): every variable of these families.
FILE_SECRET_PREFIXES = ("LEERCOACH_", "SLACK_", "MICROSOFT_")
# Words in a setting's name that make its value a secret: never printed, only "set".
SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
# The Settings fields whose variable is not LEERCOACH_<FIELD NAME>.
_VARIABLE_NAMES = {"lease_seconds": "LEERCOACH_DELIVERY_LEASE_SECONDS"}


def variable_of(field_name: str) -> str:
    """The environment variable that sets the Settings field `field_name`."""
    return _VARIABLE_NAMES.get(field_name, f"LEERCOACH_{field_name.upper()}")


def is_secret(name: str) -> bool:
    return any(word in name.upper() for word in SECRET_WORDS)


def secrets_from_files(env: Mapping[str, str]) -> dict[str, str]:
    """The variables that `NAME_FILE` variables stand for, read from their files (one
    trailing newline dropped). Setting both NAME and NAME_FILE is refused: which one wins
    would be a guess."""
    found: dict[str, str] = {}
    for file_variable, path in env.items():
        name = file_variable.removesuffix("_FILE")
        if name == file_variable or not name.startswith(FILE_SECRET_PREFIXES):
            continue
        if env.get(name, "").strip():
            raise ConfigError(f"set {name} or {file_variable}, not both")
        try:
            found[name] = Path(path.strip()).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ConfigError(f"{file_variable} must name a readable file holding {name}; "
                              f"cannot read {path.strip()!r} ({reason})") from None
    return found


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


def _database_url(env: Mapping[str, str], name: str) -> str:
    """A SQLite or PostgreSQL URL; the error never quotes a password."""
    raw = env.get(name, "").strip()
    if not raw:
        return DEFAULT_DATABASE_URL
    expected = (f"{name} must be a database URL like sqlite:///leercoach.db or "
                "postgresql://user:password@host:5432/leercoach")
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"{expected}; what is set is not a URL") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"{expected}, got {url.render_as_string(hide_password=True)!r}")
    return raw


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} must be an IANA time zone like Europe/Amsterdam, "
                          f"got {value!r}") from None
    return value


def _folder(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not Path(raw).is_dir():
        raise ConfigError(f"{name} must be an existing folder (of prompt texts), "
                          f"got {raw!r}")
    return Path(raw)


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
    # the diary's one deepening question after the four questions ("on" or "off")
    diary_deepening: bool = True
    # where the web pages are reached from a person's browser: the `dashboard` command's
    # login links point there
    public_url: str = "http://127.0.0.1:3978"
    # LEERCOACH_ENCRYPTION_KEY: Fernet keys, comma-separated, newest first; None keeps
    # answers in plain text (see bot.storage.encryption). Never in a repr or a log line.
    encryption_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        locale = env.get("LEERCOACH_DEFAULT_LOCALE", "nl").strip() or "nl"
        if locale not in ("nl", "en"):
            raise ConfigError(f"LEERCOACH_DEFAULT_LOCALE must be nl or en, got {locale!r}")
        return cls(
            database_url=_database_url(env, "LEERCOACH_DATABASE_URL"),
            prompts_dir=_folder(env, "LEERCOACH_PROMPTS_DIR"),
            default_locale=locale,
            default_timezone=_timezone(env, "LEERCOACH_DEFAULT_TIMEZONE", "Europe/Amsterdam"),
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
            diary_deepening=_choice(env, "LEERCOACH_DIARY_DEEPENING", "on", ("on", "off"))
            == "on",
            public_url=_url(env, "LEERCOACH_PUBLIC_URL", "http://127.0.0.1:3978"),
            encryption_key=_encryption_key(env, "LEERCOACH_ENCRYPTION_KEY"),
        )

    def shown(self, env: Mapping[str, str] | None = None) -> Iterator[tuple[str, str, str]]:
        """Every setting as (variable, value as shown, "set" or "default"): secrets only as
        "(set, hidden)", a database URL without its password."""
        env = os.environ if env is None else env
        for item in fields(self):
            variable = variable_of(item.name)
            value: Any = getattr(self, item.name)
            origin = "set" if env.get(variable, "").strip() else "default"
            yield variable, masked(variable, value), origin


def masked(variable: str, value: Any) -> str:
    """How `config check` shows a value: secrets hidden, URLs without their password."""
    if value is None or value == "":
        return "(not set)"
    if is_secret(variable):
        return "(set, hidden)"
    if variable.endswith("_URL") and isinstance(value, str) and "@" in value:
        try:
            return make_url(value).render_as_string(hide_password=True)
        except ArgumentError:
            return "(set, hidden)"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)
