"""Typed messages kept on local disk from before their acknowledgement until their turn is
committed, so that a message acknowledged during a database outage is not lost.

Slack is answered 200 at once and the turn runs afterwards (adapters/slack/app.py), so a
turn that meets an unreachable database could only apologise and drop what was written.
Now the message is appended (and fsynced) to this process's spool file first; a turn that
commits marks it done; one that meets an outage leaves it, and the spool's entries are run
again in the order they came once the database answers. The engine's event-id store
dedupes a message run twice (a crash between the commit and the "done" line).

One file per process (`inbound-<pid>-<random>.jsonl`, locked while the process runs), in
LEERCOACH_SPOOL_DIR: replicas on one host share the folder without sharing a file, and a
process that starts adopts the files nobody holds (a process that died) and runs their
entries. The file holds people's text only until their turn commits; it is emptied as soon
as nothing is waiting.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

log = logging.getLogger("leercoach.spool")
COMPACT_BYTES = 1024 * 1024  # an idle spool file larger than this is emptied


@dataclass(slots=True)
class Entry:
    key: str  # the event's id, as the engine dedupes it
    person: str  # "tenant/user": a person's turns run in order
    payload: dict[str, Any]  # what the platform sent, to read the event from again
    stalled: bool = False  # its turn met an outage (or waits behind one that did)


def spool_directory(database_url: str) -> Path | None:
    """LEERCOACH_SPOOL_DIR, else `leercoach-spool` beside an SQLite file, else in the
    working directory; None when set to `off` (no fsync before each acknowledgement, and
    what is typed during an outage gets the apology instead)."""
    chosen = os.environ.get("LEERCOACH_SPOOL_DIR", "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent / "leercoach-spool"
    return Path.cwd() / "leercoach-spool"


class Spool:
    """This process's spool file and the entries not yet done, oldest first."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory = directory
        self.path = directory / f"inbound-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._lock = threading.Lock()
        self._syncing = threading.Lock()
        self._written = self._synced = 0  # lines added, and how many of them are fsynced
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._file: IO[str] = self.path.open("a", encoding="utf-8")
        os.chmod(self.path, 0o600)
        fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._adopt()

    # -- writing -----------------------------------------------------------------------

    def add(self, key: str, person: str, payload: dict[str, Any]) -> None:
        """Keep an event durably (written and fsynced) before it is acknowledged.

        Callers on several threads share one fsync (a group commit): an fsync costs a few
        milliseconds, and one per event would cap a burst at a few hundred a second."""
        with self._lock:
            if key in self._entries:
                return
            self._write({"add": key, "person": person, "payload": payload}, sync=False)
            self._entries[key] = Entry(key, person, payload)
            self._written += 1
            ticket = self._written
        with self._syncing:
            if self._synced >= ticket:
                return  # another caller's fsync covered this line
            upto = self._written
            os.fsync(self._file.fileno())
            self._synced = upto

    def done(self, key: str) -> None:
        """The event's turn committed (or it needs none): forget it."""
        with self._lock:
            if self._entries.pop(key, None) is None:
                return
            self._write({"done": key}, sync=False)  # lost, it costs one deduped rerun
            if not self._entries and self._file.tell() > COMPACT_BYTES:
                self._file.truncate(0)
                self._file.seek(0)

    def stall(self, key: str) -> None:
        """Its turn met an outage: it waits for the next replay."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.stalled = True

    # -- reading -----------------------------------------------------------------------

    def holds(self, key: str | None) -> bool:
        return key is not None and key in self._entries

    def waits_behind(self, key: str) -> bool:
        """Whether an older entry of the same person is stalled: this one must wait too,
        so their messages are handled in the order they were typed."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False
            for other in self._entries.values():
                if other.key == key:
                    return False
                if other.person == entry.person and other.stalled:
                    return True
            return False

    def stalled(self) -> list[Entry]:
        with self._lock:
            return [entry for entry in self._entries.values() if entry.stalled]

    def close(self) -> None:
        with self._lock:
            self._file.close()
            if not self._entries:
                self.path.unlink(missing_ok=True)

    # -- inside ------------------------------------------------------------------------

    def _write(self, record: dict[str, Any], *, sync: bool) -> None:
        # ASCII only: a lone surrogate (bad input Slack passes on) is kept as its escape
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())

    def _adopt(self) -> None:
        """Take over the files of processes that are gone: their open entries become ours
        (stalled, so the next replay runs them), and their files are removed."""
        for path in sorted(self.directory.glob("inbound-*.jsonl")):
            if path == self.path:
                continue
            try:
                with path.open("r+", encoding="utf-8") as orphan:
                    try:
                        fcntl.flock(orphan, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a running process holds it
                    for entry in _open_entries(orphan):
                        if entry.key not in self._entries:
                            self._write({"add": entry.key, "person": entry.person,
                                         "payload": entry.payload}, sync=False)
                            self._entries[entry.key] = entry
                    os.fsync(self._file.fileno())
                    path.unlink()
            except OSError as exc:
                log.warning("spool file %s could not be adopted: %s", path.name,
                            type(exc).__name__)
        if self._entries:
            log.warning("%d typed messages from a stopped process are run again",
                        len(self._entries))


def _open_entries(lines: IO[str]) -> list[Entry]:
    """The entries added and not done, in order; a torn last line (a crash mid-write) was
    never acknowledged and is skipped."""
    found: OrderedDict[str, Entry] = OrderedDict()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "add" in record:
            found[str(record["add"])] = Entry(str(record["add"]), str(record["person"]),
                                              dict(record["payload"]), stalled=True)
        elif "done" in record:
            found.pop(str(record["done"]), None)
    return list(found.values())
