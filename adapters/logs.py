"""How the process logs: text by default, one JSON object per line with
LEERCOACH_LOG_FORMAT=json (python-json-logger's formatter), at LEERCOACH_LOG_LEVEL.

Each JSON line has `time` (UTC, ISO 8601), `level`, `logger` and `message`, plus the ids of
what it is about when set (bot/log_context.py): `request_id`, `turn_id`, `platform`,
`outcome`. Messages carry ids, counts and error kinds, never what a person wrote: the
engine's database errors hide their parameters (bot/storage/database.py).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import IO

from pythonjsonlogger.json import JsonFormatter

from bot import log_context
from bot.config import ConfigError

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Commands that run for long (the server, the scheduler) say at INFO what their ticks did.
SERVICES = ("serve", "scheduler")


class ContextFields(logging.Filter):
    """Puts the request/turn id, platform and outcome of this context on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_context.current().items():
            setattr(record, name, value)
        return True


class JsonLines(JsonFormatter):
    """One JSON object per line, its time in UTC."""

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}", style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%SZ")
        self.converter = time.gmtime


class _Ours(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure` installed, which a second call replaces."""


def handler(log_format: str, to: IO[str] | None = None, *, ours: bool = False
            ) -> logging.Handler:
    """A handler on stderr (or `to`) in `log_format` ("text" or "json")."""
    stream = _Ours(to) if ours else logging.StreamHandler(to)
    stream.addFilter(ContextFields())
    stream.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return stream


def configure(command: str | None, verbose: bool,
              env: Mapping[str, str] = os.environ) -> None:
    """Set up the root logger once for this process (ConfigError on an unknown format or
    level, naming the variable)."""
    log_format = env.get("LEERCOACH_LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in FORMATS:
        raise ConfigError(f"LEERCOACH_LOG_FORMAT must be one of {', '.join(FORMATS)}, "
                          f"not {log_format!r}")
    chosen = env.get("LEERCOACH_LOG_LEVEL", "").strip().upper()
    if chosen and chosen not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("LEERCOACH_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, "
                          f"not {chosen!r}")
    default = "INFO" if verbose or command in SERVICES else "WARNING"
    root = logging.getLogger()
    if any(not isinstance(old, _Ours) for old in root.handlers):
        return  # someone set logging up already (a test runner): like logging.basicConfig
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format, ours=True))
    root.setLevel(chosen or default)
    # Each request's access line, and APScheduler's "job executed" every two seconds, say
    # nothing an operator acts on; the ticks log their own line when they did something.
    for chatty in ("aiohttp.access", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
