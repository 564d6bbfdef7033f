"""Who can see what (SECURITY.md, "Who can see what"), end to end and through every route.

Person A writes through the real engine, each text carrying a marker that appears nowhere
else ("GEHEIM-dagboek-qz7f3a"); then everyone else tries every way in that they have:

- the chat: every command of prompts/commands.toml and prompts/commands/*.toml, typed bare
  (a dialog it opens is stopped at once), and the overview page (Slack App Home);
- the web pages over real HTTP: `/`, `/me` (also with a `?person=` that must be ignored),
  `/dashboard` and every `/dashboard/<table>.csv`, for a colleague, a facilitator and the
  admin;
- the command line: `leercoach dashboard`, `leercoach dashboard --csv DIR`, `leercoach
  cases`.

Every check that the marker is absent goes with one that it is there where it belongs (A's
own `/me` and `mijn gegevens`, the colleague after consent, the case's own channel), so a
test cannot pass by showing nothing at all.

A weekly plan is never sent to anyone (the flow has no sharing step), so its rule is that
nothing of it reaches the colleague at all.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.cli.main import main
from adapters.web.dashboard import TABLE_KEYS
from bot.core.messages import Address, Form, InboundEvent, Message, Outbound, Question, Scale
from bot.people.roles import set_role
from bot.reports import dashboard
from bot.runtime import Runtime
from bot.storage.models import (
    Delivery,
    Dialog,
    Identity,
    IntervisionCase,
    Person,
    Team,
    TeamMember,
)
from tests.rigs.browser import live_server, login_token

pytestmark = pytest.mark.usefixtures("no_failed_turns")

SECRET = "qz7f3a"  # in every marker, and in no text of the coach's own
TENANT = "T1"
TOO_FEW = "te weinig deelnemers"
# A "how will you know" that passes the SMART check, so the contract asks no feedback.
SMART = "Eind maart heb ik 3 klantgesprekken geleid en twee collega's gaven feedback."
# A free-text answer that passes the weekly plan's checks (a moment, something observable).
CONCRETE = "Dinsdag in het teamoverleg vraag ik twee collega's om feedback."


def marker(kind: str) -> str:
    return f"GEHEIM-{kind}-{SECRET}"


def leaks(text: str) -> bool:
    return SECRET in text.casefold()


# -- people talking to the coach ---------------------------------------------------------------


class Actor:
    """Someone in Slack workspace T1 talking to the coach in their DM; every Outbound of
    every turn (to them or to anyone else) is kept in the shared `log`."""

    def __init__(self, runtime: Runtime, log: list[Outbound], user: str, name: str,
                 role: str = "participant") -> None:
        self.runtime = runtime
        self.log = log
        self.user = user
        self.name = name
        self.address = Address("slack", TENANT, user, f"D-{user}")
        self.send(text="help", display_name=name)
        with runtime.database.begin() as connection:
            self.id = int(connection.execute(select(Identity.person_id).where(
                Identity.platform == "slack", Identity.external_id == user)).scalar_one())
            set_role(connection, self.id, role)
        with Session(runtime.database) as session, session.begin():
            person = session.get(Person, self.id)
            assert person is not None
            person.display_name = name
            person.onboarded_at = person.onboarding_offered_at = runtime.engine.clock()

    def send(self, address: Address | None = None, **fields: Any) -> list[Outbound]:
        out = self.runtime.engine.handle(InboundEvent(address=address or self.address,
                                                      **fields))
        self.log.extend(out)
        return out

    def say(self, text: str) -> list[Outbound]:
        return self.send(text=text)

    def active_flow(self) -> str | None:
        with self.runtime.database.connect() as connection:
            return connection.execute(select(Dialog.flow_id).where(
                Dialog.person_id == self.id, Dialog.status == "active")).scalar_one_or_none()

    def in_channel(self, channel: str, **fields: Any) -> list[Outbound]:
        """A command typed in a channel (its replies come to the DM)."""
        return self.send(origin=channel, **fields)

    def in_thread(self, channel: str, thread: str, text: str) -> list[Outbound]:
        return self.send(Address("slack", TENANT, self.user, channel, thread), text=text,
                         ambient=True)


def shown(items: list[Outbound] | list[Message]) -> str:
    """Every string of the messages (texts, choices, hints, form fields, file contents)."""
    return "\n".join(repr(getattr(item, "message", item)) for item in items)


def to(actor: Actor, log: list[Outbound]) -> list[Outbound]:
    return [o for o in log if o.address.person == actor.user
            or actor.user in o.address.members]


def drive(actor: Actor, command: str, text: str,
          choose: dict[str, str] | None = None) -> list[Outbound]:
    """Start `command` and answer until its dialog ends: free text and every form field
    with `text`, a scale with 4, a choice with the first option, unless `choose` gives the
    answer for that step id."""
    choose = choose or {}
    out = actor.say(command)
    everything = list(out)
    asked: Message | None = None
    for _ in range(40):
        if actor.active_flow() is None:
            return everything
        mine = [o.message for o in out if o.address == actor.address
                and isinstance(o.message, Question | Scale | Form)]
        asked = mine[-1] if mine else asked  # a review or rejection only says something
        assert isinstance(asked, Question | Scale | Form), shown(everything)
        step = asked.ref.rsplit(".", 1)[-1]
        if isinstance(asked, Form):
            out = actor.send(form={f.name: f"{text} {SMART}" for f in asked.fields},
                             reply_to=asked.ref)
        elif step in choose and isinstance(asked, Question) and asked.choices:
            out = actor.send(value=choose[step], reply_to=asked.ref)
        elif step in choose:
            out = actor.send(text=choose[step], reply_to=asked.ref)
        elif isinstance(asked, Scale):
            out = actor.send(text="4", reply_to=asked.ref)
        elif asked.choices:
            out = actor.send(value=asked.choices[0].value, reply_to=asked.ref)
        else:
            out = actor.send(text=f"{text} {CONCRETE}", reply_to=asked.ref)
        everything += out
    raise AssertionError(f"{command}: the dialog did not end\n{shown(everything)}")


def every_command(actor: Actor) -> str:
    """What `actor` gets back from every command word, typed bare (a dialog it opens is
    stopped at once), and from their overview page."""
    replies: list[Outbound] = []
    for command in sorted(actor.runtime.engine.prompts.commands, key=lambda c: c.name):
        replies += actor.say(sorted(command.words)[0])
        if actor.active_flow() is not None:
            replies += actor.say("stop")
        assert actor.active_flow() is None, command.name
    home = actor.runtime.engine.home(actor.address)
    assert home is not None
    return shown(replies) + "\n" + repr(home)


def own_data(actor: Actor) -> str:
    """`mijn gegevens`: the File with everything kept about the actor."""
    return shown(actor.say("mijn gegevens"))


# -- the web pages over HTTP -----------------------------------------------------------------


async def _logged_in(base: str, token: str) -> ClientSession:
    client = ClientSession(cookie_jar=CookieJar(unsafe=True))
    async with client.post(f"{base}/login", data={"token": token},
                           allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    return client


def web_pages(runtime: Runtime, person_id: int | None, paths: list[str]
              ) -> dict[str, tuple[int, str]]:
    """Each path as the person (None: the admin) gets it over HTTP: status and body."""
    token = login_token(runtime, person_id)
    found: dict[str, tuple[int, str]] = {}

    async def visit(base: str) -> None:
        client = await _logged_in(base, token)
        try:
            for path in paths:
                async with client.get(f"{base}{path}", headers={"Accept": "text/html"},
                                      allow_redirects=False) as response:
                    found[path] = (response.status, await response.text())
        finally:
            await client.close()

    with live_server(runtime) as base:
        asyncio.run(visit(base))
    return found


def admin_chats_as(runtime: Runtime, external: str) -> tuple[int, str]:
    """The admin asks the web chat to talk as the person with platform id `external`,
    and what the chat then starts with: status and body of both."""
    token = login_token(runtime, None)
    found: list[tuple[int, str]] = []

    async def visit(base: str) -> None:
        client = await _logged_in(base, token)
        try:
            async with client.get(f"{base}/", headers={"Accept": "text/html"}) as response:
                page = await response.text()
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
            assert csrf is not None, page
            headers = {"Accept": "application/json", "X-CSRF-Token": csrf.group(1)}
            async with client.post(f"{base}/chat/choose", json={"person": external},
                                   headers=headers) as response:
                found.append((response.status, await response.text()))
            async with client.get(f"{base}/chat/start", headers=headers) as response:
                found.append((response.status, await response.text()))
        finally:
            await client.close()

    with live_server(runtime) as base:
        asyncio.run(visit(base))
    return found[0][0], "\n".join(body for _, body in found)


def all_pages(a_id: int) -> list[str]:
    return ["/", "/me", f"/me?person={a_id}", f"/me?person_id={a_id}", "/dashboard",
            *(f"/dashboard/{key}.csv" for key in TABLE_KEYS)]


# -- the command line ------------------------------------------------------------------------

Cli = Callable[..., str]


@pytest.fixture
def cli(runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """`leercoach ARGS` on the runtime's database: what it printed (it must succeed)."""
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", runtime.settings.database_url)
    capsys.readouterr()

    def run(*args: str) -> str:
        assert main(list(args)) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    yield run


def dashboard_csv_files(cli: Cli, folder: Path, *extra: str) -> dict[str, str]:
    cli("dashboard", "--csv", str(folder), *extra)
    files = {path.stem: path.read_text(encoding="utf-8") for path in folder.glob("*.csv")}
    assert set(files) == set(TABLE_KEYS)
    return files


# -- diary entries, monthly and yearly reflections: the author only ---------------------------


def test_diary_and_reflections_are_seen_by_their_author_only(
        runtime: Runtime, cli: Cli, tmp_path: Path) -> None:
    log: list[Outbound] = []
    anna = Actor(runtime, log, "UANNA", "Anna Jansen")
    bram = Actor(runtime, log, "UBRAM", "Bram de Vries")  # Anna's steady colleague
    fenna = Actor(runtime, log, "UFENNA", "Fenna Faciliteert", "facilitator")
    anna.say(f"collega {bram.user}")
    bram.say(f"collega {anna.user}")
    with runtime.database.connect() as connection:
        colleagues = {row.id: row.steady_colleague_id for row in connection.execute(
            select(Person.id, Person.steady_colleague_id))}
    assert colleagues[anna.id] == bram.id and colleagues[bram.id] == anna.id

    # Anna writes: a weekly plan and a contract she keeps to herself, her diary, a monthly
    # reflection and her yearly review.
    drive(anna, "weekplan", marker("weekplan"))
    drive(anna, "contract", marker("contract"), {"share": "no"})
    drive(anna, "dagboek", marker("dagboek"))
    drive(anna, "maand", marker("maand"))
    drive(anna, "jaar", marker("jaar"))
    written = ("dagboek", "maand", "jaar", "weekplan", "contract")

    # she sees all of it, in the chat and on her page
    mine = own_data(anna)
    page = web_pages(runtime, anna.id, ["/me"])["/me"]
    assert page[0] == 200
    for kind in written:
        assert marker(kind) in mine, kind
        assert marker(kind) in page[1], kind

    # nothing of it went to anyone else in any turn, or waits in the outbox for them
    for other in (bram, fenna):
        assert not leaks(shown(to(other, log))), other.name
    with Session(runtime.database) as session:
        for delivery in session.scalars(select(Delivery)):
            assert not leaks(repr(delivery.context) + (delivery.last_error or ""))

    # the colleague and the facilitator, through every command in the chat
    for other in (bram, fenna):
        assert not leaks(every_command(other)), other.name
        data = own_data(other)
        assert other.name.split()[0] in data and not leaks(data), other.name

    # ... and every web page, as they and as the admin see it
    for viewer in (bram.id, fenna.id, None):
        for path, (status, body) in web_pages(runtime, viewer, all_pages(anna.id)).items():
            assert not leaks(body), (viewer, path, status)
    assert web_pages(runtime, bram.id, ["/dashboard"])["/dashboard"][0] == 403
    facilitator = web_pages(runtime, fenna.id, ["/me", "/dashboard"])
    assert [status for status, _ in facilitator.values()] == [200, 200]
    assert "Fenna" in facilitator["/me"][1]  # her own page, not Anna's
    # the admin's web chat talks only as the web people the admin made, not as Anna
    status, said = admin_chats_as(runtime, anna.user)
    assert status == 404 and not leaks(said)

    # ... and the command line
    assert not leaks(cli("dashboard"))
    assert not leaks(cli("dashboard", "--locale", "en"))
    for name, text in dashboard_csv_files(cli, tmp_path / "csv").items():
        assert not leaks(text), name
    assert not leaks(cli("cases"))


# -- the weekly plan and the learning contract: the steady colleague after consent ----------


def _pair(runtime: Runtime) -> tuple[list[Outbound], Actor, Actor, Actor]:
    log: list[Outbound] = []
    anna = Actor(runtime, log, "UANNA", "Anna Jansen")
    bram = Actor(runtime, log, "UBRAM", "Bram de Vries")
    fenna = Actor(runtime, log, "UFENNA", "Fenna Faciliteert", "facilitator")
    assert "Bram" in shown(anna.say(f"collega {bram.user}"))
    return log, anna, bram, fenna


def _nothing_for(runtime: Runtime, log: list[Outbound], *others: Actor) -> None:
    for other in others:
        assert not leaks(shown(to(other, log))), other.name
        with Session(runtime.database) as session:
            for delivery in session.scalars(select(Delivery).where(
                    Delivery.person_id == other.id)):
                assert not leaks(repr(delivery.context)), other.name


def test_a_declined_contract_never_reaches_the_steady_colleague(runtime: Runtime) -> None:
    log, anna, bram, fenna = _pair(runtime)
    closing = shown(drive(anna, "contract", marker("contract"), {"share": "no"}))
    assert "Prima, dan houd ik het voor jezelf." in closing
    _nothing_for(runtime, log, bram, fenna)
    # asking for it does not help
    waiting = shown(bram.say("contract collega"))
    assert "Er staat op dit moment geen leercontract voor je klaar" in waiting
    assert not leaks(waiting)
    assert not leaks(own_data(bram))
    assert marker("contract") in own_data(anna)


def test_an_agreed_contract_reaches_the_colleague_and_their_reply_the_author_only(
        runtime: Runtime) -> None:
    log, anna, bram, fenna = _pair(runtime)
    drive(anna, "contract", marker("contract"), {"share": "yes"})
    assert marker("contract") in shown(to(bram, log))
    _nothing_for(runtime, log, fenna)
    # Bram's response goes back to Anna, and to nobody else
    before = len(log)
    bram.say(f"{marker('reactie')} Mooi doel, hoe bereid je het voor?")
    assert marker("reactie") in shown(to(anna, log[before:]))
    _nothing_for(runtime, log, fenna)
    assert all(o.address.person in (anna.user, bram.user) for o in log[before:])


def test_a_weekly_plan_never_reaches_the_steady_colleague_unasked(runtime: Runtime) -> None:
    log, anna, bram, fenna = _pair(runtime)
    drive(anna, "weekplan", marker("weekplan"))
    assert marker("weekplan") in own_data(anna)
    _nothing_for(runtime, log, bram, fenna)
    assert not leaks(shown(bram.say("contract collega")))
    assert not leaks(own_data(bram))


# -- facilitators and admins: aggregates of 5 or more, never free text ---------------------


def _cells(html: str, team: str) -> list[list[tuple[bool, str]]]:
    """The dashboard's table rows that name `team`: (suppressed, text) per cell."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r'<td( class="suppressed")?>(.*?)</td>', row, re.S)
        if any(text.strip() == team for _, text in cells):
            rows.append([(bool(mark), text.strip()) for mark, text in cells])
    return rows


def _no_numbers(text: str) -> bool:
    """Nothing but zeroes (0 counts no one): no number that describes someone."""
    return all(float(number) == 0 for number in re.findall(r"\d+(?:[.,]\d+)?", text))


def _count_columns(runtime: Runtime, organisation: int) -> dict[str, list[int]]:
    """Per table, the positions of its columns of people counts and rates."""
    with runtime.database.connect() as connection:
        tables = dashboard.all_tables(connection, organisation,
                                      today=runtime.engine.clock().date())
    return {table.key: [i for i, column in enumerate(table.columns)
                        if column.kind in ("count", "rate")] for table in tables}


@pytest.mark.slow
def test_the_dashboard_shows_groups_of_five_or_more_and_no_free_text(
        runtime: Runtime, cli: Cli, tmp_path: Path) -> None:
    log: list[Outbound] = []
    fenna = Actor(runtime, log, "UFENNA", "Fenna Faciliteert", "facilitator")
    small = [Actor(runtime, log, f"UK{i}", f"Klein {i}") for i in range(4)]
    large = [Actor(runtime, log, f"UG{i}", f"Groot {i}") for i in range(6)]
    with Session(runtime.database) as session, session.begin():
        facilitator = session.get(Person, fenna.id)
        assert facilitator is not None
        organisation = facilitator.organisation_id
        teams = {}
        for name, members in (("Klein", small), ("Groot", large)):
            team = Team(organisation_id=organisation, name=name)
            session.add(team)
            session.flush()
            session.add_all(TeamMember(team_id=team.id, person_id=m.id) for m in members)
            teams[name] = team.id
    for someone in (*small, *large):
        drive(someone, "dagboek", marker(f"dagboek-{someone.user}"))
    drive(small[0], "maand", marker("maand"))
    drive(large[0], "contract", marker("contract"))

    week = dashboard.week_label(runtime.engine.clock().date())  # the organisation's week
    pages = web_pages(runtime, fenna.id, [
        "/dashboard", f"/dashboard?team={teams['Klein']}",
        *(f"/dashboard/{key}.csv" for key in TABLE_KEYS),
        *(f"/dashboard/{key}.csv?format=csv-plain" for key in TABLE_KEYS),
        *(f"/dashboard/{key}.csv?team={teams['Klein']}&format=csv-plain" for key in TABLE_KEYS)])
    pages |= {f"admin {path}": found for path, found in web_pages(runtime, None, [
        "/dashboard", *(f"/dashboard/{key}.csv" for key in TABLE_KEYS)]).items()}
    for path, (status, body) in pages.items():
        assert status == 200, path
        assert not leaks(body), path  # no free text, whoever wrote it
        for name in ("Klein 0", "Klein 3", "Groot 0", "Groot 5"):
            assert name not in body, (path, name)  # and no names of people

    # the whole organisation: the small team's rows say "te weinig deelnemers", no counts
    page = pages["/dashboard"][1]
    rows = _cells(page, "Klein")
    assert rows, page
    this_week = [row for row in rows if row[0][1] == week]
    assert this_week and all(cell == (True, TOO_FEW) for row in this_week
                             for cell in row[2:]), this_week
    assert all(_no_numbers(" ".join(text for _, text in row[2:])) for row in rows), rows
    shown_large = [row for row in _cells(page, "Groot") if row[0][1] == week]
    assert shown_large and shown_large[0][2] == (False, "6")  # five or more: counted
    charts = re.search(r'<script[^>]*application/json[^>]*>(.*?)</script>', page, re.S)
    assert charts is not None
    diary = next(chart for chart in json.loads(charts.group(1))["charts"]
                 if chart["key"] == "diary_response")
    klein = [s for s in diary["datasets"] if s["label"].startswith("Klein")]
    assert klein and all(value is None for value in klein[0]["data"])

    # the small team on its own: one sentence instead of tables, and in its downloads every
    # count and rate hidden (or nobody's 0)
    counts = _count_columns(runtime, organisation)
    small_page = pages[f"/dashboard?team={teams['Klein']}"][1]
    assert 'id="too-small"' in small_page and not _cells(small_page, "Klein")
    sentence = re.search(r'<section class="card" id="too-small">(.*?)</section>', small_page, re.S)
    assert sentence is not None and _no_numbers(re.sub(r"<[^>]+>", " ", sentence.group(1)))
    # (not even the team's size: the rule of five is written out in words)
    for key in TABLE_KEYS:
        path = f"/dashboard/{key}.csv?team={teams['Klein']}&format=csv-plain"
        for row in list(csv.reader(io.StringIO(pages[path][1])))[1:]:
            assert all(_no_numbers(row[i]) for i in counts[key]), (path, row)
    plain = pages["/dashboard/diary_response.csv?format=csv-plain"][1]
    diary_csv = list(csv.reader(io.StringIO(plain)))
    klein_now = [row for row in diary_csv if row[:2] == [week, "Klein"]]
    assert klein_now == [[week, "Klein", "", "", "", TOO_FEW]]

    # the command line: the same tables, the same rules
    for args in ((), ("--locale", "en")):
        printed = cli("dashboard", *args)
        assert not leaks(printed)
        assert not any(name in printed for name in ("Klein 0", "Groot 0", "Fenna"))
    printed = cli("dashboard")
    lines = [line for line in printed.splitlines() if re.search(r"\bKlein\b", line)]
    assert any(line.startswith(week) for line in lines), printed
    for line in lines:
        rest = line.split("Klein", 1)[1]
        assert _no_numbers(rest.replace(TOO_FEW, "")), line
    assert any(line.startswith(week) and line.count(TOO_FEW) == 3 for line in lines)
    team_only = cli("dashboard", "--team", "Klein")
    assert TOO_FEW in team_only and not leaks(team_only)
    files = dashboard_csv_files(cli, tmp_path / "all")
    assert not any(leaks(text) for text in files.values())
    klein_rows = [row for row in csv.reader(io.StringIO(files["diary_response"]))
                  if row[:2] == [week, "Klein"]]
    assert klein_rows == [[week, "Klein", "", "", "", TOO_FEW]]
    for key, text in dashboard_csv_files(cli, tmp_path / "klein", "--team", "Klein").items():
        assert not leaks(text)
        for row in list(csv.reader(io.StringIO(text)))[1:]:
            assert all(_no_numbers(row[i]) for i in counts[key]), (key, row)


# -- intervision: the channel it was posted in, and the library only with consent ----------

C1, C2 = "C-team-een", "C-team-twee"
THREAD1, THREAD2 = "1700000000.000100", "1700000000.000200"


def bring_case(actor: Actor, channel: str, thread: str, text: str, library: str) -> int:
    """`intervisie` typed in `channel`, the intake filled in with `text`, the library
    question answered with `library` ("ja" / "nee"); the post anchored as `thread`."""
    replies = actor.in_channel(channel, command="intervisie")
    form = next(o.message for o in replies if isinstance(o.message, Form))
    replies = actor.send(reply_to=form.ref, form={
        "story": f"{text} Een klant belde boos.", "stuck": f"{text} Wie lost het op?",
        "unsure": f"{text} Doorverbinden?", "question": f"{text} Hoe houd ik regie?"})
    assert any(isinstance(o.message, Question) for o in replies), shown(replies)
    replies = actor.say(library)
    [post] = [o for o in replies if o.anchor]
    assert post.address == Address("slack", TENANT, "", channel)
    assert post.anchor is not None
    actor.runtime.engine.anchored(post.anchor, thread)
    return int(post.anchor.split(":")[1])


def _library(cli: Cli, search: str = "") -> str:
    listed = cli("cases") + cli("cases", "--export", "markdown")
    return listed + (cli("cases", "--search", search) if search else "")


@pytest.mark.parametrize("consent", ["ja", "nee"])
@pytest.mark.slow
def test_an_intervision_case_stays_in_its_channel_and_the_library_follows_consent(
        runtime: Runtime, cli: Cli, consent: str) -> None:
    log: list[Outbound] = []
    owner = Actor(runtime, log, "UOWNER", "Olga Eigenaar", "facilitator")
    member = Actor(runtime, log, "UMEMBER", "Mo Lid")
    other = Actor(runtime, log, "UOTHER", "Otto Ander", "facilitator")
    case = bring_case(owner, C1, THREAD1, marker("casus"), consent)
    elsewhere = bring_case(other, C2, THREAD2, "Een andere casus.", "ja")

    member.in_thread(C1, THREAD1, f"{marker('vraag')} Wat heb je al geprobeerd?")
    other.in_thread(C2, THREAD2, "Wat zei de klant precies?")
    for _ in range(2):  # the owner restates the core; then the advice round
        owner.send(Address("slack", TENANT, owner.user, C1, THREAD1), value="next",
                   reply_to=f"case:{case}")
    member.in_thread(C1, THREAD1, f"{marker('advies')} Spreek met finance af wie het doet.")
    owner.send(Address("slack", TENANT, owner.user, C1, THREAD1), value="close",
               reply_to=f"case:{case}")
    other.send(Address("slack", TENANT, other.user, C2, THREAD2), value="close",
               reply_to=f"case:{elsewhere}")

    # the case went to its own channel (the post, the thread) and to its owner's DM only
    carrying = [o for o in log if leaks(repr(o.message))]
    assert any(o.address.conversation == C1 and o.anchor for o in carrying)
    assert {o.address.conversation for o in carrying} <= {C1, owner.address.conversation}
    assert marker("advies") in shown(to(owner, log))  # the summary, in the owner's DM
    assert not leaks(shown(to(member, log)) + shown(to(other, log)))
    assert not leaks(shown([o for o in log if o.address.conversation == C2]))
    # the others' own view of "their" cases shows none of it
    assert not leaks(shown(member.say("mijn casussen")) + shown(other.say("mijn casussen")))
    assert marker("casus") in shown(owner.say("mijn casussen"))

    # the library: only with the owner's consent
    listed = _library(cli, "regie")
    if consent == "nee":
        assert not leaks(listed)
        assert f"#{elsewhere}" in listed  # the library itself works
        return
    assert marker("casus") in listed and marker("advies") in listed
    assert "Olga" in cli("cases")
    # someone else cannot take it out; the owner can anonymise it and take it out
    assert "Welke casus" in shown(member.say(f"casus verwijderen {case}"))
    assert "Welke casus" in shown(member.say(f"casus anonimiseren {case}"))
    assert marker("casus") in _library(cli)
    owner.say(f"casus anonimiseren {case}")
    listed = _library(cli)
    assert marker("casus") in listed and "Olga" not in listed
    owner.say(f"casus verwijderen {case}")
    assert not leaks(_library(cli, "regie"))


def test_a_thread_in_another_channel_does_not_join_a_case(runtime: Runtime) -> None:
    log: list[Outbound] = []
    owner = Actor(runtime, log, "UOWNER", "Olga Eigenaar", "facilitator")
    stranger = Actor(runtime, log, "USTRANGER", "Sam Vreemd")
    case = bring_case(owner, C1, THREAD1, "Een casus.", "ja")
    owner.send(Address("slack", TENANT, owner.user, C1, THREAD1), value="next",
               reply_to=f"case:{case}")
    owner.send(Address("slack", TENANT, owner.user, C1, THREAD1), value="next",
               reply_to=f"case:{case}")
    # the same thread id, in another channel: nothing to do with the case
    stranger.in_thread(C2, THREAD1, f"{marker('ander-kanaal')} Bel de klant terug.")
    owner.send(Address("slack", TENANT, owner.user, C1, THREAD1), value="close",
               reply_to=f"case:{case}")
    assert not leaks(shown(to(owner, log)))


def test_a_phase_button_pressed_outside_the_case_channel_steers_nothing(
        runtime: Runtime) -> None:
    log: list[Outbound] = []
    owner = Actor(runtime, log, "UOWNER", "Olga Eigenaar", "facilitator")
    elsewhere = Actor(runtime, log, "UOTHER", "Otto Elders", "facilitator")
    case = bring_case(owner, C1, THREAD1, "Een casus.", "nee")

    def phase() -> str:
        with runtime.database.connect() as connection:
            return str(connection.execute(select(IntervisionCase.phase).where(
                IntervisionCase.id == case)).scalar_one())

    # a forged press (the button's value sent from another channel) finds no case
    replies = elsewhere.send(Address("slack", TENANT, elsewhere.user, C2, THREAD2),
                             value="cancel", reply_to=f"case:{case}")
    assert phase() == "questions"
    assert all(reply.address.conversation != C1 for reply in replies)
    # the same press in the case's own thread does steer it
    owner.send(Address("slack", TENANT, owner.user, C1, THREAD1), value="next",
               reply_to=f"case:{case}")
    assert phase() == "restate"
