"""Whether this process can reach its database, said once when it goes and once when it is
back.

During an outage every turn, tick and send meets the same error; logging each with its
traceback buried the one fact an operator needs (a 30-second PostgreSQL outage left
hundreds). Every caller that meets an unreachable database reports it here, and only the
first report and the first success after it are logged. One tracker per process.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.storage.database import ping

log = logging.getLogger("leercoach.database")


class DatabaseAway(Exception):
    """The database could not be reached; nothing of the work was committed."""


class DatabaseState:
    """Up or away, with the moment it went away (monotonic)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._away_since: float | None = None

    @property
    def away(self) -> bool:
        return self._away_since is not None

    def went_away(self, error: BaseException) -> None:
        with self._lock:
            if self._away_since is not None:
                return
            self._away_since = time.monotonic()
        log.error("database unreachable (%s); work waits and is retried until it answers",
                  type(error).__name__)

    def answered(self) -> None:
        if self._away_since is None:  # the usual case: no lock taken
            return
        with self._lock:
            since, self._away_since = self._away_since, None
        if since is not None:
            log.warning("database reachable again after %.0f s", time.monotonic() - since)


DATABASE = DatabaseState()


def unreachable(engine: Engine, error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached (not a conflict or a bug):
    a dropped connection, or an OperationalError while a trivial query fails too."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError) and not ping(engine)
