"""A throwaway PostgreSQL cluster of a test's own, to stop and start at will: a database
outage without touching the machine's shared server. initdb and pg_ctl come from Debian's
/usr/lib/postgresql/<version>/bin; run as root, they run as the `postgres` user (the server
refuses to run as root) in a folder it owns. Free of pytest."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder with initdb and pg_ctl, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda path: int(Path(path).parent.parent.name)
                   if Path(path).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-w",
                  "-l", str(self.folder / "server.log"), "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c max_connections=60", "start")

    def stop(self) -> None:
        """A fast stop: sessions are cut off, as in an outage."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-w",
                  "-m", "fast", "stop")


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A fresh cluster, started, on a free loopback port; removed afterwards."""
    found = binaries()
    if found is None:
        raise FileNotFoundError("no PostgreSQL binaries under /usr/lib/postgresql")
    folder = Path(tempfile.mkdtemp(prefix="leercoach-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(found, folder, _free_port())
    try:
        cluster._run(str(found / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--no-sync")
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(subprocess.CalledProcessError):  # already stopped
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
