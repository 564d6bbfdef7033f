"""The bad input corpus: every case in tests/bad_input/corpus/*.yaml against its entry point.

One YAML file per entry point (the engine, the `leercoach` command, Slack's
`/slack/events`, Teams' `/api/messages`, the web pages) lists cases: a name, what is sent
and what must come back:

- `4xx`: the request is refused with a 4xx status (for the command: exit status 1 or 2
  with the reason on stderr, never a traceback), and nobody is answered or created;
- `reply`: a person spoke and gets a polite answer: some text, no crash apology, no
  traceback, no template syntax of ours (`{{`, `{%`) unless they typed it themselves;
- `ignored`: a 2xx (the command: exit status 0) and nobody is answered or created.

Every case must also leave the process serving and the stored data whole: no error is
logged (the engine hides a crash behind a polite apology, and bolt and aiohttp log the
crashes of listeners and handlers), the witness (a known person with a finished diary, a
cancelled onboarding and their settings) exports exactly as before, and at the end of each
entry point's group `/healthz` still answers 200.

How a request is written (see `body_bytes` and the builders per entry point):

- `body`: a string (sent as UTF-8), `{base64: …}` (raw bytes), `{repeat: S, times: N}`
  (S N times), `{json: …}` (serialized; `ascii: false` keeps non-ASCII and lone surrogates
  as raw bytes), `{form: {…}}` (urlencoded; a non-string value is sent as JSON text);
- builders that write a platform's own shapes with our test rigs: `slack_dm`,
  `slack_event`, `slack_command`, `slack_action`, `slack_view` (tests/rigs/slack_rig.py) and
  `activity` (a Teams activity like tests/teams/test_teams_http.py's);
- anywhere in a string: `${now}` (Unix seconds), `${ts}` (a Slack message ts), `${uuid}`,
  `${case}` (the case's name), and in Slack and Teams cases `${last_ref}` and
  `${last_message}` (the ref of the question the coach asked last in this case, and its
  message), so a case can answer an open question badly; `{repeat: …, times: …}` and
  `{concat: […]}` also work inside JSON values.

Each file's header says what else its cases may hold (`setup`, `person`, `posts`, …).

The corpus runs on SQLite, one database per entry point; each group shares one server.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import http.client
import io
import json
import logging
import re
import shlex
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from aiohttp import web
from sqlalchemy import func, select

from bot import clock
from bot.config import Settings
from bot.core.messages import Address, InboundEvent, Message, Outbound
from bot.runtime import Runtime, open_runtime
from bot.storage import migrate
from bot.storage.database import create_db_engine

CORPUS = Path(__file__).resolve().parent / "corpus"
ENTRY_POINTS = ("engine", "cli", "slack", "teams", "web")
EXPECTATIONS = ("4xx", "reply", "ignored")
MINIMUM_CASES = 200
FAILURE = ("er ging aan mijn kant iets mis", "something went wrong on my side")
LEAKS = ("Traceback (most recent call last)", "{{", "}}", "{%", "%}")
SLACK_SECRET = "test-signing-secret"
SLACK_TEAM = "T0LEERCO"
TEAMS_TENANT = "tenant-1"
WITNESS_ANSWERS = ("Een klant belde boos over een factuur die niet klopte.",
                   "Ik luisterde eerst en vroeg daarna door naar de details.",
                   "Eerst luisteren, dan pas oplossen.")


# -- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    entry: str
    name: str
    spec: Mapping[str, Any]

    @property
    def expect(self) -> str:
        return str(self.spec["expect"])

    def typed(self, text: str) -> bool:
        """Whether the case itself contains `text` (then a reply may quote it)."""
        return text in json.dumps(self.spec, ensure_ascii=False)


def load(entry: str) -> list[Case]:
    path = CORPUS / f"{entry}.yaml"
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict) and document.get("entry_point") == entry, path
    cases = []
    for spec in document["cases"]:
        assert isinstance(spec, dict) and isinstance(spec.get("name"), str), spec
        assert spec.get("expect") in EXPECTATIONS, f"{entry}/{spec['name']}: expect?"
        cases.append(Case(entry, spec["name"], spec))
    return cases


CASES = {entry: load(entry) for entry in ENTRY_POINTS}


def cases_of(entry: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", CASES[entry], ids=[c.name for c in CASES[entry]])


def test_the_corpus_has_at_least_200_well_formed_cases() -> None:
    counts = {entry: len(found) for entry, found in CASES.items()}
    print("\nbad input cases per entry point: "
          + ", ".join(f"{entry} {count}" for entry, count in counts.items())
          + f"; {sum(counts.values())} in all")
    assert sum(counts.values()) >= MINIMUM_CASES, counts
    for entry, found in CASES.items():
        names = [case.name for case in found]
        assert len(names) == len(set(names)), f"{entry}: duplicate case names"
        assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) for name in names), names
        assert len(found) >= 50, f"{entry}: only {len(found)} cases"


# -- generators ------------------------------------------------------------------------------


# What the coach asked last in this case (`${last_ref}`, `${last_message}`): set before
# each request of a Slack or Teams case, so a case can answer the question that is open.
LAST: dict[str, str] = {}


def fill(text: str, case: Case) -> str:
    now = clock.now().timestamp()  # a platform's time of an event agrees with ours
    text = (text.replace("${now}", str(int(now))).replace("${ts}", f"{now:.6f}")
            .replace("${uuid}", uuid.uuid4().hex).replace("${case}", case.name))
    for key, value in LAST.items():
        text = text.replace("${" + key + "}", value)
    return text


def expand(spec: Any, case: Case) -> Any:
    """A value of the corpus with its generators run and its placeholders filled in."""
    if isinstance(spec, str):
        return fill(spec, case)
    if isinstance(spec, list):
        return [expand(item, case) for item in spec]
    if isinstance(spec, dict):
        if set(spec) == {"repeat", "times"}:
            return str(expand(spec["repeat"], case)) * int(spec["times"])
        if set(spec) == {"concat"}:
            return "".join(str(expand(part, case)) for part in spec["concat"])
        return {str(key): expand(value, case) for key, value in spec.items()}
    return spec


def encode(text: str) -> bytes:
    """UTF-8, with lone surrogates kept as the (invalid) bytes a broken client sends."""
    return text.encode("utf-8", "surrogatepass")


def body_bytes(spec: Any, case: Case,
               builders: Mapping[str, Callable[[Any, Case], tuple[str, Any]]] | None = None
               ) -> tuple[bytes, str | None]:
    """The bytes of a request body and the content type they naturally have."""
    if spec is None:
        return b"", None
    if isinstance(spec, str):
        return encode(fill(spec, case)), None
    assert isinstance(spec, dict), spec
    if set(spec) in ({"repeat", "times"}, {"concat"}):
        return encode(expand(spec, case)), None
    if "base64" in spec:
        return base64.b64decode(spec["base64"]), None
    if "json" in spec:
        value = expand(spec["json"], case)
        if spec.get("ascii", True):
            return json.dumps(value).encode("ascii"), "application/json"
        return encode(json.dumps(value, ensure_ascii=False)), "application/json"
    if "form" in spec:
        fields = {key: value if isinstance(value, str) else json.dumps(value)
                  for key, value in expand(spec["form"], case).items()}
        return encode(urlencode(fields)), "application/x-www-form-urlencoded"
    for name, build in (builders or {}).items():
        if name in spec:
            kind, value = build(spec[name], case)
            return body_bytes({kind: value}, case)
    raise AssertionError(f"{case.entry}/{case.name}: unknown body {sorted(spec)}")


def drop(found: dict[str, Any], keys: list[str] | None) -> dict[str, Any]:
    for key in keys or ():
        found.pop(key, None)
    return found


# -- what must hold after every case ---------------------------------------------------------


class Errors(logging.Handler):
    """Every error logged anywhere in the process: a crash that was caught and logged (the
    engine's polite apology, a bolt listener, an aiohttp handler's 500) is a finding too."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found, self.records = self.records, []
        return [f"{r.name}: {r.getMessage()}" + (f" ({r.exc_info[1]!r})" if r.exc_info
                                                 else "") for r in found]


@pytest.fixture(scope="module")
def errors() -> Iterator[Errors]:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def assert_polite(texts: list[str], case: Case) -> str:
    joined = "\n".join(texts)
    assert joined.strip(), f"{case.name}: an empty reply"
    for failure in FAILURE:
        assert failure not in joined, f"{case.name}: the crash apology: {joined[:300]}"
    for leak in LEAKS:
        if not case.typed(leak):
            assert leak not in joined, f"{case.name}: {leak!r} in {joined[:300]}"
    for wanted in case.spec.get("contains") or ():
        assert wanted in joined, f"{case.name}: {wanted!r} not in {joined[:500]}"
    for unwanted in case.spec.get("absent") or ():
        assert unwanted not in joined, f"{case.name}: {unwanted!r} in {joined[:500]}"
    return joined


def message_texts(messages: list[Message]) -> list[str]:
    texts = []
    for message in messages:
        for name in ("title", "intro", "text"):
            value = getattr(message, name, None)
            if value:
                texts.append(str(value))
    return texts


def new_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'leercoach.db'}"
    database = create_db_engine(url)
    migrate.upgrade(database)
    database.dispose()
    return url


@dataclass(repr=False)
class Witness:
    """A known person whose stored data no bad input may touch."""

    runtime: Runtime
    address: Address
    before: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Witness({self.address.platform}:{self.address.person})"

    def export(self) -> dict[str, Any]:
        from bot.privacy.export import export_person, find_person

        with self.runtime.sessions() as session:
            person = find_person(session, self.address.person, self.address.platform,
                                 self.address.tenant)
            return export_person(session, person)

    def seed(self) -> Witness:
        """Met the coach (onboarding offered, then stopped), then a whole diary."""
        def say(**fields: Any) -> list[Outbound]:
            return self.runtime.engine.handle(InboundEvent(
                address=self.address, display_name="Wendy Witness", **fields))

        say(text="hallo")
        say(text="stop")
        say(text="dagboek")
        for answer in WITNESS_ANSWERS:
            say(text=answer)
        say(value="4")
        self.before = self.export()
        assert len(self.before["diary_entries"]) == 1, self.before
        assert not [d for d in self.before["dialogs"] if d["status"] == "active"]
        return self

    def assert_intact(self, case: str) -> None:
        after = self.export()
        assert after == self.before, f"{case}: the witness's stored data changed"


def check_person(runtime: Runtime, case: Case, platform: str) -> None:
    """`person: {user: …, field: value}`: what is stored about that person afterwards."""
    from bot.privacy.export import find_person

    expected = dict(case.spec.get("person") or {})
    if not expected:
        return
    user = str(expected.pop("user"))
    with runtime.sessions() as session:
        person = find_person(session, user, platform)
        for name, value in expected.items():
            stored = getattr(person, name)
            assert str(stored) == str(value), f"{case.name}: {name} is {stored!r}"


def people(runtime: Runtime) -> int:
    from bot.storage.models import Person

    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


# -- a server on its own event loop ---------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Background:
    """An event loop in a daemon thread, serving our app (and a platform's mock API)."""

    IDLE = ("RequestHandler.start", "_serve_forever", "Server.serve_forever")

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bad-inputs",
                                       daemon=True)
        self.thread.start()
        self.runner: web.AppRunner | None = None
        self.port = 0

    def run(self, work: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def serve(self, app: web.Application) -> None:
        async def start() -> None:
            self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.port = int(self.runner.addresses[0][1])

        self.run(start())

    def close(self) -> None:
        if self.runner is not None:
            self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _busy(self) -> list[str]:
        me = asyncio.current_task()
        found = []
        for task in asyncio.all_tasks():
            name = getattr(task.get_coro(), "__qualname__", "")
            if task is not me and not task.done() and not name.endswith(self.IDLE):
                found.append(name)
        return found

    def settle(self, timeout: float = 20) -> None:
        """Wait until the work a request left behind (a Slack event is handled after its
        200) is done: no task on the loop but idle connections, twice in a row."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            busy = self.run(self._busy())
            quiet = quiet + 1 if not busy else 0
            if busy and time.monotonic() > deadline:
                raise AssertionError(f"still busy after {timeout}s: {busy}")
            time.sleep(0.01)

    def request(self, method: str, path: str, body: bytes = b"",
                headers: Mapping[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body or method in ("POST", "PUT"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.send(body)  # a server may refuse a huge body before reading it
            answer = connection.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                            answer.read())
        finally:
            connection.close()

    def healthz(self) -> None:
        answer = self.request("GET", "/healthz")
        assert answer.status == 200, answer
        assert answer.json()["status"] == "ok"


def check_status(case: Case, status: int) -> None:
    assert status < 500, f"{case.name}: {status}"
    if "status" in case.spec:
        assert status == case.spec["status"], f"{case.name}: {status}"
    elif case.expect == "4xx":
        assert 400 <= status < 500, f"{case.name}: {status}"
    else:
        assert 200 <= status < 300, f"{case.name}: {status}"


# == the engine ==============================================================================


ENGINE_FIELDS = {"text", "value", "values", "form", "command", "reply_to", "event_id",
                 "display_name", "locale", "timezone", "ambient", "origin", "received_at"}


@dataclass
class EngineGroup:
    runtime: Runtime
    witness: Witness
    server: Background


@pytest.fixture(scope="module")
def engine_group(tmp_path_factory: pytest.TempPathFactory, errors: Errors
                 ) -> Iterator[EngineGroup]:
    from adapters.http_server import create_app

    runtime = open_runtime(Settings(database_url=new_database(
        tmp_path_factory.mktemp("engine"))))
    witness = Witness(runtime, Address("test", "acme", "witness", "dm-witness")).seed()
    server = Background()
    server.serve(create_app(runtime))
    errors.take()
    try:
        yield EngineGroup(runtime, witness, server)
    finally:
        server.close()
        runtime.close()


def engine_event(address: Address, spec: Any, case: Case) -> InboundEvent:
    if isinstance(spec, str):
        spec = {"text": spec}
    fields = expand(spec, case)
    unknown = set(fields) - ENGINE_FIELDS
    assert not unknown, f"{case.name}: unknown event fields {unknown}"
    if isinstance(fields.get("values"), list):
        fields["values"] = tuple(fields["values"])
    if isinstance(fields.get("received_at"), str):
        fields["received_at"] = datetime.fromisoformat(fields["received_at"])
    return InboundEvent(address=address, **fields)


def forget(runtime: Runtime, address: Address) -> None:
    """The person asked to be forgotten (`leercoach privacy delete`)."""
    from bot.privacy.erasure import delete_person
    from bot.privacy.export import find_person

    with runtime.sessions() as session:
        person_id = find_person(session, address.person, address.platform, address.tenant).id
    with runtime.database.begin() as connection:
        delete_person(connection, person_id, runtime.engine.clock())


@cases_of("engine")
def test_engine(case: Case, engine_group: EngineGroup, errors: Errors) -> None:
    errors.take()
    spec = case.spec
    runtime = engine_group.runtime
    who = spec.get("who", "new")
    if who == "witness":
        address = engine_group.witness.address
    else:
        user = str(expand(spec.get("user", f"bad-{case.name}"), case))
        address = Address(str(spec.get("platform", "test")), str(spec.get("tenant", "acme")),
                          user, str(spec.get("conversation", f"dm-{user}")))
    for step in spec.get("setup") or ():
        if isinstance(step, dict) and step.get("$delete"):
            forget(runtime, address)
        else:
            runtime.engine.handle(engine_event(address, step, case))
    before = people(runtime)
    replies = runtime.engine.handle(engine_event(address, spec["event"], case))
    assert not errors.take(), f"{case.name}: errors were logged"
    mine = [o.message for o in replies if o.address.person == address.person]
    if case.expect == "reply":
        assert_polite(message_texts(mine), case)
    else:
        assert replies == [], f"{case.name}: {replies}"
        assert people(runtime) == before, f"{case.name}: someone was created"
    for name, value in (spec.get("person") or {}).items():
        from bot.privacy.export import find_person

        with runtime.sessions() as session:
            stored = getattr(find_person(session, address.person, address.platform,
                                         address.tenant), name)
        assert str(stored) == str(value), f"{case.name}: {name} is {stored!r}"
    engine_group.witness.assert_intact(case.name)


def test_engine_group_left_the_process_serving(engine_group: EngineGroup) -> None:
    engine_group.witness.assert_intact("after the engine group")
    engine_group.server.healthz()
    reply = engine_group.runtime.engine.handle(InboundEvent(
        address=Address("test", "acme", "after-engine", "dm-after"), text="hulp"))
    assert message_texts([o.message for o in reply])


# == the command line =======================================================================


@dataclass
class CliGroup:
    runtime: Runtime
    witness: Witness
    server: Background
    folder: Path


@pytest.fixture(scope="module")
def cli_group(tmp_path_factory: pytest.TempPathFactory, errors: Errors
              ) -> Iterator[CliGroup]:
    from adapters.http_server import create_app

    folder = tmp_path_factory.mktemp("cli")
    url = new_database(folder)
    with pytest.MonkeyPatch.context() as env:
        for name in ("LEERCOACH_PROMPTS_DIR", "LEERCOACH_DEFAULT_LOCALE",
                     "LEERCOACH_DEFAULT_TIMEZONE", "LEERCOACH_ENCRYPTION_KEY"):
            env.delenv(name, raising=False)
        env.setenv("LEERCOACH_DATABASE_URL", url)
        runtime = open_runtime(Settings(database_url=url))
        witness = Witness(runtime, Address("terminal", "local", "witness",
                                           "terminal:witness")).seed()
        server = Background()
        server.serve(create_app(runtime))
        errors.take()
        try:
            yield CliGroup(runtime, witness, server, folder)
        finally:
            server.close()
            runtime.close()


@cases_of("cli")
def test_cli(case: Case, cli_group: CliGroup, errors: Errors,
             capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.cli.main import main

    errors.take()
    spec = case.spec
    folder = cli_group.folder / case.name
    folder.mkdir()
    for name, content in (spec.get("files") or {}).items():
        data, _ = body_bytes(content, case)
        (folder / name).write_bytes(data)
    monkeypatch.chdir(folder)
    monkeypatch.setattr("sys.stdin", _Piped(expand(spec.get("stdin", ""), case)))
    for name, value in (spec.get("env") or {}).items():
        monkeypatch.setenv(name, str(value))
    args = spec["args"]
    argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in expand(args, case)]
    try:
        code = main([fill(arg, case) for arg in argv])
    except SystemExit as exit_:  # argparse refuses bad arguments this way
        code = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()
    assert not errors.take(), f"{case.name}: errors were logged"
    assert "Traceback" not in out + err, f"{case.name}: {err}"
    if case.expect == "4xx":
        assert code in (1, 2), f"{case.name}: exit {code}; {out} {err}"
        assert err.strip(), f"{case.name}: refused without a reason"
        assert len(err.strip().splitlines()) <= 40, f"{case.name}: {err}"
        shown = err
    else:
        assert code == 0, f"{case.name}: exit {code}; {err}"
        shown = out
    if spec.get("polite"):  # the coach's answers in the terminal
        assert_polite([shown], case)
    for wanted in spec.get("contains") or ():
        assert wanted in shown, f"{case.name}: {wanted!r} not in {shown[:500]}"
    cli_group.witness.assert_intact(case.name)


class _Piped(io.StringIO):
    """stdin of a script: lines from a pipe, nobody to answer a confirmation."""

    def isatty(self) -> bool:
        return False


def test_cli_group_left_everything_intact(cli_group: CliGroup) -> None:
    cli_group.witness.assert_intact("after the cli group")
    cli_group.server.healthz()


# == Slack ===================================================================================


def slack_signature(body: bytes, stamp: str, secret: str = SLACK_SECRET) -> str:
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def _slack_dm(spec: Mapping[str, Any], case: Case) -> tuple[str, Any]:
    from tests.rigs.slack_rig import dm

    spec = expand(spec, case)
    body = dm(str(spec.get("text", "")), str(spec.get("user", "U1")),
              team=str(spec.get("team", SLACK_TEAM)), event_id=spec.get("event_id"))
    body["event"].update(spec.get("event") or {})
    drop(body["event"], spec.get("drop_event"))
    body.update(spec.get("envelope") or {})
    return "json", drop(body, spec.get("drop"))


def _slack_event(spec: Mapping[str, Any], case: Case) -> tuple[str, Any]:
    from tests.rigs.slack_rig import envelope

    spec = expand(spec, case)
    body = envelope(dict(spec.get("event") or {}), team=str(spec.get("team", SLACK_TEAM)),
                    event_id=spec.get("event_id"))
    body.update(spec.get("envelope") or {})
    return "json", drop(body, spec.get("drop"))


def _slack_command(spec: Mapping[str, Any], case: Case) -> tuple[str, Any]:
    from tests.rigs.slack_rig import command

    spec = expand(spec, case)
    fields = command(str(spec.get("text", "")), str(spec.get("user", "U1")),
                     spec.get("channel"))
    fields["response_url"] = "http://127.0.0.1:9/response"
    fields.update({k: v for k, v in spec.items() if k not in ("text", "user", "channel",
                                                               "drop")})
    return "form", drop(fields, spec.get("drop"))


def _slack_action(spec: Mapping[str, Any], case: Case) -> tuple[str, Any]:
    """A press on a button of a message (block_actions), as Slack posts it."""
    spec = expand(spec, case)
    user = str(spec.get("user", "U1"))
    channel = str(spec.get("channel", f"D{user}"))
    ts = str(spec.get("message_ts", "1700000000.000100"))
    action = {"type": "button", "action_id": "lc_scale", "block_id": "diary.1.value",
              "value": "4", "text": {"type": "plain_text", "text": "4"},
              "action_ts": f"{clock.now().timestamp():.6f}", **(spec.get("action") or {})}
    drop(action, spec.get("drop_action"))
    payload = {
        "type": "block_actions", "team": {"id": SLACK_TEAM, "domain": "leercoach-test"},
        "user": {"id": user, "team_id": SLACK_TEAM}, "api_app_id": "A0LEERAPP",
        "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "message": {"ts": ts, "blocks": spec.get("blocks", [])},
        "state": {"values": spec.get("state") or {}},
        "actions": [action],
    }
    payload.update(spec.get("payload") or {})
    drop(payload, spec.get("drop"))
    return "form", {"payload": payload}


def _slack_view(spec: Mapping[str, Any], case: Case) -> tuple[str, Any]:
    """A submitted modal (view_submission) with these field values."""
    spec = expand(spec, case)
    user = str(spec.get("user", "U1"))
    view = {
        "id": "V123", "hash": uuid.uuid4().hex[:12], "type": "modal",
        "callback_id": "lc_form_submit",
        "private_metadata": spec.get("private_metadata",
                                     json.dumps({"ref": "contract.1.form",
                                                 "channel": f"D{user}", "ts": ""})),
        "title": {"type": "plain_text", "text": "Leercontract"},
        "state": {"values": spec.get("state") or {
            name: {"value": {"type": "plain_text_input", "value": value}}
            for name, value in (spec.get("values") or {}).items()}},
        **(spec.get("view") or {}),
    }
    payload = {"type": "view_submission", "team": {"id": SLACK_TEAM},
               "user": {"id": user, "team_id": SLACK_TEAM}, "api_app_id": "A0LEERAPP",
               "trigger_id": f"trig-{uuid.uuid4().hex[:8]}", "view": view,
               **(spec.get("payload") or {})}
    return "form", {"payload": drop(payload, spec.get("drop"))}


SLACK_BUILDERS = {"slack_dm": _slack_dm, "slack_event": _slack_event,
                  "slack_command": _slack_command, "slack_action": _slack_action,
                  "slack_view": _slack_view}
SLACK_USERS: dict[str, dict[str, Any]] = {
    "U1": {"real_name": "Anna de Vries", "profile": {"display_name": "Anna"}},
    "UMARS": {"tz": "Mars/Olympus", "locale": "tlh-QO", "real_name": "Marvin",
              "profile": {"display_name": "Marvin"}},
    "URTL": {"real_name": "\u202eevil\u202c", "tz": "", "locale": "",
             "profile": {"display_name": "\u202etxet\u200d\u200d\u2066"}},
    "UNUL": {"real_name": "N\x00ul", "tz": None,
             "profile": {"display_name": "\x00\x1b[31m"}},
    "UHUGE": {"real_name": "x" * 5000, "profile": {"display_name": "😀" * 2000}},
    "UWITNESS": {"real_name": "Wendy Witness", "profile": {"display_name": "Wendy Witness"}},
}


@dataclass
class SlackGroup:
    runtime: Runtime
    witness: Witness
    server: Background
    api: Any


@pytest.fixture(scope="module")
def slack_group(tmp_path_factory: pytest.TempPathFactory, errors: Errors
                ) -> Iterator[SlackGroup]:
    from dataclasses import replace

    from adapters.http_server import create_app
    from adapters.slack.app import build_slack
    from adapters.slack.config import SlackConfig
    from tests.rigs.slack_mock import MockSlackApi

    runtime = open_runtime(Settings(database_url=new_database(
        tmp_path_factory.mktemp("slack"))))
    witness = Witness(runtime, Address("slack", SLACK_TEAM, "UWITNESS", "DUWITNESS")).seed()
    server = Background()
    api = MockSlackApi(users=SLACK_USERS)
    base = server.run(api.start())
    config = SlackConfig(signing_secret=SLACK_SECRET, bot_token="xoxb-test-token")

    async def build() -> web.Application:  # bolt wants a running loop
        return create_app(runtime, None, [build_slack(runtime, replace(config,
                                                                       api_url=base))])

    server.serve(server.run(build()))
    errors.take()
    try:
        yield SlackGroup(runtime, witness, server, api)
    finally:
        server.close()
        runtime.close()


def slack_text(params: Mapping[str, Any]) -> list[str]:
    texts = [str(params.get("text") or "")]
    for block in params.get("blocks") or ():
        if block.get("type") == "section":
            texts.append(str((block.get("text") or {}).get("text") or ""))
        elif block.get("type") == "context":
            texts += [str(element.get("text") or "") for element in block["elements"]]
    return [text for text in texts if text]


def slack_request(group: SlackGroup, request: Mapping[str, Any], case: Case) -> Response:
    body, kind = body_bytes(request.get("body"), case, SLACK_BUILDERS)
    headers = {"Content-Type": kind} if kind else {}
    if request.get("sign", True):
        # Slack signs with the real time, and the signature window is checked on it
        stamp = str(int(time.time()) + int(request.get("clock_skew", 0)))
        headers |= {"X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": slack_signature(body, stamp)}
    headers |= {name: fill(str(value), case) for name, value in
                (request.get("headers") or {}).items()}
    drop(headers, request.get("drop_headers"))
    answer = group.server.request(str(request.get("method", "POST")),
                                  str(request.get("path", "/slack/events")), body, headers)
    return answer


def slack_last(calls: list[Any]) -> dict[str, str]:
    """The block id (a question's ref) and ts of the last question posted."""
    for call in reversed(calls):
        if call.method != "chat.postMessage":
            continue
        for block in reversed(call.params.get("blocks") or ()):
            if block.get("type") == "actions":
                return {"last_ref": str(block.get("block_id")),
                        "last_message": str(call.response.get("ts"))}
    return {}


SLACK_SPEAKING = ("chat.postMessage", "chat.postEphemeral", "views.open", "views.publish")


@cases_of("slack")
def test_slack(case: Case, slack_group: SlackGroup, errors: Errors) -> None:
    slack_group.server.settle()
    errors.take()
    spec = case.spec
    api = slack_group.api
    seen = len(api.calls)
    before = people(slack_group.runtime)
    requests = spec.get("requests") or [spec["request"]]
    for request in requests:
        if "forget" in request:  # the person asked to be forgotten (privacy delete)
            forget(slack_group.runtime, Address("slack", SLACK_TEAM, request["forget"], ""))
            before = people(slack_group.runtime)
            continue
        LAST.clear()
        LAST.update(slack_last(api.calls[seen:]))
        answer = slack_request(slack_group, request, case)
        check_status(case, answer.status)
        slack_group.server.settle()
    new = [call for call in api.calls[seen:] if call.method in SLACK_SPEAKING]
    assert not errors.take(), f"{case.name}: errors were logged"
    if case.expect == "reply":
        assert new, f"{case.name}: nobody was answered"
        texts = [text for call in new for text in slack_text(call.params)]
        texts += [json.dumps(call.params.get("view"), ensure_ascii=False)
                  for call in new if call.method.startswith("views.")]
        assert_polite(texts, case)
    else:
        assert not new, f"{case.name}: {[c.method for c in new]}"
        assert people(slack_group.runtime) == before, f"{case.name}: someone was created"
    if "posts" in spec:
        posts = [call for call in new if call.method == "chat.postMessage"]
        assert len(posts) == spec["posts"], f"{case.name}: {len(posts)} posts"
    check_person(slack_group.runtime, case, "slack")
    slack_group.witness.assert_intact(case.name)


def test_slack_group_left_the_process_serving(slack_group: SlackGroup) -> None:
    slack_group.witness.assert_intact("after the slack group")
    slack_group.server.healthz()


# == Teams ===================================================================================


TEAMS_NAMES = {"29:witness": "Wendy Witness"}


@dataclass
class TeamsGroup:
    runtime: Runtime
    witness: Witness
    server: Background
    connector: Any
    service_url: str


def teams_activity(spec: Mapping[str, Any], case: Case, service_url: str) -> dict[str, Any]:
    """A Teams activity like tests/teams/test_teams_http.py's, with the case's changes."""
    spec = expand(spec, case)
    user = str(spec.get("user", "29:bad"))
    found = {
        "type": "message", "id": f"act-{uuid.uuid4().hex[:8]}", "channelId": "msteams",
        "serviceUrl": service_url, "timestamp": clock.now().isoformat(),
        "locale": "nl-NL",
        "from": {"id": user, "name": TEAMS_NAMES.get(user, "Bad Input"),
                 "aadObjectId": f"aad-{user[3:]}"},
        "recipient": {"id": "28:bot", "name": "Leercoach"},
        "conversation": {"id": f"a:1personal-{user[3:]}", "conversationType": "personal",
                         "tenantId": TEAMS_TENANT},
        "channelData": {"tenant": {"id": TEAMS_TENANT}},
        "entities": [{"type": "clientInfo", "locale": "nl-NL",
                      "timezone": "Europe/Amsterdam"}],
    }
    found.update({k: v for k, v in spec.items() if k not in ("user", "drop")})
    return drop(found, spec.get("drop"))


@pytest.fixture(scope="module")
def teams_group(tmp_path_factory: pytest.TempPathFactory, errors: Errors
                ) -> Iterator[TeamsGroup]:
    from adapters.http_server import create_app
    from adapters.teams.app import build_teams
    from adapters.teams.config import TeamsConfig
    from tests.rigs.teams_connector import FakeConnector

    runtime = open_runtime(Settings(database_url=new_database(
        tmp_path_factory.mktemp("teams"))))
    witness = Witness(runtime, Address("teams", TEAMS_TENANT, "29:witness",
                                       "a:1personal-witness")).seed()
    server = Background()
    connector = FakeConnector()
    service_url = server.run(connector.start())
    server.serve(create_app(runtime, None, [build_teams(runtime, TeamsConfig())]))
    errors.take()
    try:
        yield TeamsGroup(runtime, witness, server, connector, service_url)
    finally:
        server.close()
        runtime.close()


def teams_last(calls: list[Any]) -> dict[str, str]:
    """The ref of the last card's question and the id the connector gave that card."""
    for call in reversed(calls):
        if call.kind not in ("send", "reply") or not isinstance(call.body, dict):
            continue
        for attachment in reversed(call.body.get("attachments") or ()):
            for action in (attachment.get("content") or {}).get("actions") or ():
                ref = (action.get("data") or {}).get("lc_ref")
                if ref:
                    return {"last_ref": str(ref),
                            "last_message": str((call.response or {}).get("id"))}
    return {}


def teams_texts(activities: list[Any]) -> list[str]:
    texts = []
    for activity in activities:
        if not isinstance(activity, dict):
            continue
        texts.append(str(activity.get("text") or ""))
        for attachment in activity.get("attachments") or ():
            content = attachment.get("content") or {}
            texts += [str(block.get("text", "")) for block in content.get("body") or ()]
    return [text for text in texts if text]


@cases_of("teams")
def test_teams(case: Case, teams_group: TeamsGroup, errors: Errors) -> None:
    teams_group.server.settle()
    errors.take()
    spec = case.spec
    connector = teams_group.connector
    seen = len(connector.calls())
    before = people(teams_group.runtime)

    def build(value: Any, case: Case) -> tuple[str, Any]:
        return "json", teams_activity(value, case, teams_group.service_url)

    for request in spec.get("requests") or [spec["request"]]:
        if "forget" in request:  # the person asked to be forgotten (privacy delete)
            forget(teams_group.runtime, Address("teams", TEAMS_TENANT, request["forget"], ""))
            before = people(teams_group.runtime)
            continue
        LAST.clear()
        LAST.update(teams_last(connector.calls()[seen:]))
        body, kind = body_bytes(request.get("body"), case, {"activity": build})
        headers = {"Content-Type": kind} if kind else {}
        headers |= {k: str(v) for k, v in (request.get("headers") or {}).items()}
        drop(headers, request.get("drop_headers"))
        answer = teams_group.server.request(str(request.get("method", "POST")),
                                            str(request.get("path", "/api/messages")),
                                            body, headers)
        check_status(case, answer.status)
        teams_group.server.settle()
    new = [call.body for call in connector.calls()[seen:] if call.kind in ("send", "reply")]
    assert not errors.take(), f"{case.name}: errors were logged"
    if case.expect == "reply":
        assert new, f"{case.name}: nobody was answered"
        assert_polite(teams_texts(new), case)
    else:
        assert not new, f"{case.name}: {new}"
        assert people(teams_group.runtime) == before, f"{case.name}: someone was created"
    if "posts" in spec:
        assert len(new) == spec["posts"], f"{case.name}: {len(new)} activities"
    check_person(teams_group.runtime, case, "teams")
    teams_group.witness.assert_intact(case.name)


def test_teams_group_left_the_process_serving(teams_group: TeamsGroup) -> None:
    teams_group.witness.assert_intact("after the teams group")
    teams_group.server.healthz()


# == the web pages ===========================================================================


@dataclass
class WebGroup:
    runtime: Runtime
    witness: Witness
    server: Background
    cookies: dict[str, str]  # role -> the session cookie
    csrf: dict[str, str]  # role -> its CSRF token
    other: int  # a participant's person id, for ids of others

    def choose_witness(self) -> None:
        """The admin chats as the witness (creating a web person chooses that one)."""
        chosen = self.server.request(
            "POST", "/chat/choose", json.dumps({"person": self.witness.address.person}).encode(),
            {"Cookie": self.cookies["admin"], "X-CSRF-Token": self.csrf["admin"],
             "Content-Type": "application/json"})
        assert chosen.status == 200, chosen


def web_login(server: Background, runtime: Runtime, person_id: int | None) -> tuple[str, str]:
    from tests.rigs.browser import login_token

    answer = server.request("POST", "/login", urlencode(
        {"token": login_token(runtime, person_id)}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 303, answer
    cookie = answer.headers["set-cookie"].split(";", 1)[0]
    page = server.request("GET", "/me", headers={"Cookie": cookie, "Accept": "text/html"})
    found = re.search(rb'<meta name="csrf-token" content="([^"]+)">', page.body)
    assert found, page
    return cookie, found.group(1).decode()


@pytest.fixture(scope="module")
def web_group(tmp_path_factory: pytest.TempPathFactory, errors: Errors
              ) -> Iterator[WebGroup]:
    from adapters.http_server import create_app
    from adapters.web.app import WebAdapter
    from bot.people.roles import set_role
    from bot.privacy.export import find_person

    runtime = open_runtime(Settings(database_url=new_database(
        tmp_path_factory.mktemp("web"))))
    witness = Witness(runtime, Address("web", "local", "web-witness-0a0b0c",
                                       "web:web-witness-0a0b0c")).seed()
    ids = {}
    for user, role in (("U-part", "participant"), ("U-faci", "facilitator")):
        runtime.engine.handle(InboundEvent(address=Address("slack", "T1", user, f"D{user}"),
                                           text="hulp", display_name=user))
        with runtime.sessions() as session:
            ids[role] = find_person(session, user).id
        with runtime.database.begin() as connection:
            set_role(connection, ids[role], role)
    server = Background()
    server.serve(create_app(runtime, adapters=[WebAdapter(runtime)]))
    cookies, csrf = {}, {}
    for role, person_id in (("admin", None), ("participant", ids["participant"]),
                            ("facilitator", ids["facilitator"])):
        cookies[role], csrf[role] = web_login(server, runtime, person_id)
    group = WebGroup(runtime, witness, server, cookies, csrf, ids["participant"])
    group.choose_witness()
    witness.before = witness.export()
    errors.take()
    try:
        yield group
    finally:
        server.close()
        runtime.close()


def web_texts(payload: Any) -> list[str]:
    texts: list[str] = []
    for message in (payload or {}).get("messages") or ():
        for name in ("text", "title", "intro"):
            if message.get(name):
                texts.append(str(message[name]))
    return texts


@cases_of("web")
def test_web(case: Case, web_group: WebGroup, errors: Errors) -> None:
    web_group.choose_witness()
    errors.take()
    spec = case.spec
    before = people(web_group.runtime)
    for request in spec.get("requests") or [spec["request"]]:
        body, kind = body_bytes(request.get("body"), case)
        role = request.get("as", "admin")
        headers = {"Accept": request.get("accept", "application/json")}
        if kind:
            headers["Content-Type"] = kind
        if role != "anonymous":
            headers["Cookie"] = web_group.cookies[role]
            csrf = request.get("csrf", "valid")
            if csrf == "valid":
                headers["X-CSRF-Token"] = web_group.csrf[role]
            elif csrf in web_group.csrf:
                headers["X-CSRF-Token"] = web_group.csrf[csrf]
            elif csrf is not None:
                headers["X-CSRF-Token"] = fill(str(csrf), case)
        headers |= {k: fill(str(v), case) for k, v in (request.get("headers") or {}).items()}
        drop(headers, request.get("drop_headers"))
        path = fill(str(request.get("path", "/chat/send")), case).replace(
            "${other}", str(web_group.other))
        answer = web_group.server.request(str(request.get("method", "POST")), path, body,
                                          headers)
        check_status(case, answer.status)
        assert b"Traceback" not in answer.body, case.name
    assert not errors.take(), f"{case.name}: errors were logged"
    if case.expect == "reply":
        assert answer.headers.get("content-type", "").startswith("application/json"), answer
        assert_polite(web_texts(answer.json()), case)
    elif case.expect == "ignored":
        assert people(web_group.runtime) == before, f"{case.name}: someone was created"
    else:
        assert people(web_group.runtime) == before, f"{case.name}: someone was created"
    for wanted in spec.get("body_contains") or ():
        assert wanted.encode() in answer.body, f"{case.name}: {wanted!r} not in the answer"
    web_group.witness.assert_intact(case.name)


def test_web_group_left_the_process_serving(web_group: WebGroup) -> None:
    web_group.witness.assert_intact("after the web group")
    web_group.server.healthz()
