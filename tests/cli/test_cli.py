"""The `leercoach` command as people run it: real subprocesses of the installed script.

Every command runs in a temporary folder with no LEERCOACH_* settings, so the default
database `./leercoach.db` is created there.
"""

from __future__ import annotations

import asyncio
import json
import queue
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.http_server import create_app
from bot.config import Settings
from bot.runtime import Runtime, build_coach
from bot.storage.database import create_db_engine, make_session_factory
from tests.rigs.cli import (
    EN_QUESTIONS,
    NL_QUESTIONS,
    TIMEOUT,
    clean_env,
    free_port,
    leercoach_command,
    run,
)
from tests.rigs.databases import PG_URL, drop_schema, postgres_schema_url

RESUME_NL = "Zullen we verdergaan? We waren bij deze vraag:"


def export(cwd: Path, user: str) -> dict[str, Any]:
    result = run(cwd, "privacy", "export", "--user", user)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# -- help ------------------------------------------------------------------------------


def test_help_lists_the_commands(tmp_path: Path):
    result = run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("chat", "serve", "db", "privacy"):
        assert command in result.stdout

    privacy = run(tmp_path, "privacy", "--help")
    assert privacy.returncode == 0, privacy.stderr
    assert "export" in privacy.stdout


def test_no_command_is_a_usage_error(tmp_path: Path):
    result = run(tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage" in result.stderr.lower()


# -- chat ------------------------------------------------------------------------------

ALICE = (
    "Een lastig gesprek met een klant 🎉",
    "Eerst geluisterd, toen samengevat — “rustig”",
    "{{ 7*7 }}: eerst vragen stellen, dan pas advies geven",
)
BOB = (
    "A demo that went sideways",
    "I asked the team what they saw",
    "Ask before you assume 🙂",
)
# the answers to the diary's one deepening question (on in a real `leercoach chat`)
ALICE_DEEPER = "Ik heb zelf doorgevraagd wat ze precies nodig had."
BOB_DEEPER = "The slides did not load, so I showed the app live."


@pytest.mark.slow
def test_full_diary_in_dutch_and_english_then_export(tmp_path: Path):
    piped = "dagboek\n" + "".join(f"{a}\n" for a in ALICE) + f"4\n{ALICE_DEEPER}\n"
    dutch = run(tmp_path, "chat", "--user", "alice", stdin=piped)
    assert dutch.returncode == 0, dutch.stderr
    assert "Traceback" not in dutch.stderr
    position = -1
    for question in NL_QUESTIONS:
        found = dutch.stdout.find(question)
        assert found > position, (question, dutch.stdout)
        position = found
    # others named ("een klant"): the follow-up quotes her and asks for her own part
    assert (f"Je schreef: “{ALICE[0]}”. Wat was jouw eigen aandeel daarin?"
            in dutch.stdout)
    assert f"Je les van vandaag: “{ALICE[2]}”" in dutch.stdout
    assert "49" not in dutch.stdout  # what alice typed is never run as a template
    assert dutch.stdout.find("Dank je wel") > position

    assert (tmp_path / "leercoach.db").exists()  # the embedded default migrated itself

    piped = "diary\n" + "".join(f"{a}\n" for a in BOB) + f"5\n{BOB_DEEPER}\n"
    english = run(tmp_path, "chat", "--user", "bob", "--locale", "en", stdin=piped)
    assert english.returncode == 0, english.stderr
    position = -1
    for question in EN_QUESTIONS:
        found = english.stdout.find(question)
        assert found > position, (question, english.stdout)
        position = found
    # a very short moment: a concrete example
    assert (f"You wrote: “{BOB[0]}”. Could you give a concrete example?" in english.stdout)
    assert f"Today's lesson: “{BOB[2]}”" in english.stdout
    assert "Welke leermomenten" not in english.stdout

    alice = export(tmp_path, "alice")
    [entry] = alice["diary_entries"]
    assert (entry["moments"], entry["approach"], entry["learning"]) == ALICE
    assert entry["value"] == 4
    [dialog] = alice["dialogs"]
    assert dialog["answers"] == {
        "moments": ALICE[0],
        "approach": ALICE[1],
        "learning": ALICE[2],
        "value": 4,
        "deepen": ALICE_DEEPER,
    }
    assert (entry["extra"]["deepen"], entry["extra"]["deepen_rule"]) == (ALICE_DEEPER,
                                                                        "own_part")
    assert [i["external_id"] for i in alice["identities"]] == ["alice"]
    assert BOB[0] not in json.dumps(alice, ensure_ascii=False)

    bob = export(tmp_path, "bob")
    assert bob["person"]["locale"] == "en"
    [entry] = bob["diary_entries"]
    assert (entry["moments"], entry["approach"], entry["learning"], entry["value"]) == (
        *BOB,
        5,
    )


def test_export_of_unknown_user_fails_clearly(tmp_path: Path):
    result = run(tmp_path, "privacy", "export", "--user", "nobody")
    assert result.returncode == 1
    assert "nobody" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_db_upgrade_prints_the_revision_and_can_run_twice(tmp_path: Path):
    from bot.storage import migrate

    head = migrate.head_revision()
    for _ in range(2):
        result = run(tmp_path, "db", "upgrade")
        assert result.returncode == 0, result.stderr
        assert f"revision {head}" in result.stdout
    assert (tmp_path / "leercoach.db").exists()


def test_config_error_exits_2_without_traceback(tmp_path: Path):
    env = clean_env(LEERCOACH_MAX_ANSWER_CHARS="abc")
    result = run(tmp_path, "chat", "--user", "alice", stdin="dagboek\n", env=env)
    assert result.returncode == 2
    assert "LEERCOACH_MAX_ANSWER_CHARS" in result.stderr
    assert "abc" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "leercoach.db").exists()


# -- killed mid-dialog -----------------------------------------------------------------


class Lines:
    """Lines of a process's stdout, read by a thread so the test never blocks forever."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout

        def pump() -> None:
            for line in stream:
                self.queue.put(line)
            self.queue.put(None)

        self.thread = threading.Thread(target=pump, daemon=True)
        self.thread.start()

    def until(self, text: str, timeout: float = 30) -> None:
        while True:
            try:
                line = self.queue.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no line with {text!r} within {timeout}s; saw {self.seen!r}")
            if line is None:
                pytest.fail(f"output ended before {text!r}; saw {self.seen!r}")
            self.seen.append(line)
            if text in line:
                return


@pytest.mark.slow
def test_killed_mid_dialog_resumes_at_the_same_question(tmp_path: Path):
    first, second = "Een vergadering die uitliep", "Ik heb om een pauze gevraagd"
    process = subprocess.Popen(
        [*leercoach_command(), "chat", "--user", "carol"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env=clean_env(),
    )
    try:
        assert process.stdin is not None
        lines = Lines(process)
        process.stdin.write("dagboek\n")
        process.stdin.flush()
        lines.until(NL_QUESTIONS[0])
        process.stdin.write(f"{first}\n")
        process.stdin.flush()
        lines.until(NL_QUESTIONS[1])  # the first answer is committed before this is shown
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL

    again = run(tmp_path, "chat", "--user", "carol", stdin=f"{second}\n")
    assert again.returncode == 0, again.stderr
    out = again.stdout
    assert out.startswith(RESUME_NL), out
    assert out.find(NL_QUESTIONS[1]) > out.find(RESUME_NL)
    assert out.find(NL_QUESTIONS[2]) > out.find(NL_QUESTIONS[1])
    assert NL_QUESTIONS[0] not in out

    carol = export(tmp_path, "carol")
    [dialog] = carol["dialogs"]
    assert dialog["status"] == "active"
    assert dialog["step_id"] == "learning"
    assert dialog["answers"] == {"moments": first, "approach": second}


# -- serve -----------------------------------------------------------------------------


def test_serve_answers_healthz(tmp_path: Path):
    port = free_port()
    process = subprocess.Popen(
        [*leercoach_command(), "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        for _ in range(300):
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"serve exited with {process.returncode}: {process.stderr.read()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status, body = response.status, json.loads(response.read())
                break
            except (urllib.error.URLError, ConnectionError):
                threading.Event().wait(0.1)
        else:
            pytest.fail("leercoach serve never answered /healthz")
        assert status == 200
        assert body["status"] == "ok"
    finally:
        process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)


def test_readyz_is_503_when_the_database_is_unreachable_and_healthz_stays_200():
    url = "postgresql+psycopg://127.0.0.1:1/nothing"
    settings = Settings(database_url=url)
    database = create_db_engine(url)
    runtime = Runtime(
        settings, database, make_session_factory(database), build_coach(database, settings)
    )

    async def probe(path: str) -> tuple[int, dict[str, Any]]:
        async with TestClient(TestServer(create_app(runtime))) as client:
            response = await client.get(path)
            return response.status, await response.json()

    try:
        status, body = asyncio.run(asyncio.wait_for(probe("/readyz"), timeout=TIMEOUT))
        alive, _ = asyncio.run(asyncio.wait_for(probe("/healthz"), timeout=TIMEOUT))
    finally:
        runtime.close()
    assert status == 503
    assert body == {"status": "unavailable", "reason": "database unreachable"}
    assert alive == 200  # the process is alive: restarting it would not bring the database


# -- a shared PostgreSQL ---------------------------------------------------------------


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty (unmigrated) PostgreSQL schema, when one is configured."""
    if not PG_URL:
        pytest.skip("LEERCOACH_TEST_DATABASE_URL is not set")
    url, schema = postgres_schema_url(PG_URL)
    try:
        yield url
    finally:
        drop_schema(PG_URL, schema)


@pytest.mark.slow
def test_postgres_is_migrated_deliberately(tmp_path: Path, postgres_url: str):
    env = clean_env(LEERCOACH_DATABASE_URL=postgres_url)
    refused = run(tmp_path, "chat", "--user", "dave", stdin="dagboek\n", env=env)
    assert refused.returncode == 2
    assert "leercoach db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr

    from bot.storage import migrate

    upgraded = run(tmp_path, "db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"revision {migrate.head_revision()}" in upgraded.stdout

    # the four questions, then the deepening question skipped
    piped = "dagboek\n" + "".join(f"{a}\n" for a in ALICE) + "3\noverslaan\n"
    chat = run(tmp_path, "chat", "--user", "dave", stdin=piped, env=env)
    assert chat.returncode == 0, chat.stderr
    assert f"Je les van vandaag: “{ALICE[2]}”" in chat.stdout
    assert not (tmp_path / "leercoach.db").exists()  # nothing went to the SQLite default

    exported = run(tmp_path, "privacy", "export", "--user", "dave", env=env)
    assert exported.returncode == 0, exported.stderr
    [entry] = json.loads(exported.stdout)["diary_entries"]
    assert (entry["moments"], entry["approach"], entry["learning"], entry["value"]) == (
        *ALICE,
        3,
    )


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("nonsense://somewhere", ("db", "upgrade")),
        ("postgresql://127.0.0.1:1/nothing", ("db", "upgrade")),
        ("postgresql://127.0.0.1:1/nothing", ("chat", "--user", "alice")),
    ],
    ids=["unknown-scheme-upgrade", "unreachable-upgrade", "unreachable-chat"],
)
def test_unusable_database_url_gives_a_clear_message(
    tmp_path: Path, url: str, args: tuple[str, ...]
):
    result = run(tmp_path, *args, stdin="", env=clean_env(LEERCOACH_DATABASE_URL=url))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("leercoach:"), result.stderr
