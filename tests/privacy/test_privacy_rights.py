"""Data rights: `mijn gegevens` / `my data` (a copy as a JSON document) and `verwijder mijn
gegevens` / `delete my data` (everything removed after an explicit yes), in the chat through
the real engine and with `leercoach privacy`, on SQLite and (when configured) PostgreSQL.

Alice has a row in every table that can point at a person; Bob is her partner, whose own
history must come through her deletion intact.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, Engine, ForeignKey, Integer, MetaData, Table, func, select
from sqlalchemy.orm import Session

from adapters.cli.main import main
from adapters.slack.blocks import turn_blocks
from adapters.teams.cards import activities
from adapters.terminal import render
from bot.config import Settings
from bot.conversation.coach import Coach
from bot.core.messages import File, Message, Question
from bot.privacy.erasure import (
    PERSON_REFERENCES,
    TALLIED,
    NoSuchPerson,
    delete_person,
    person_references,
    tallies,
)
from bot.privacy.export import UnknownPerson, export_person, find_person
from bot.runtime import build_coach, open_runtime
from bot.storage.database import create_db_engine
from bot.storage.models import (
    AgendaItem,
    AgendaVote,
    Base,
    CaseContribution,
    Checklist,
    ChecklistRun,
    Cohort,
    CohortMember,
    CommunitySession,
    CommunitySignup,
    ContractResponse,
    ConversationReference,
    Delivery,
    Dialog,
    Experiment,
    ExperimentLog,
    Identity,
    IntervisionCase,
    LearningCanvas,
    LearningContract,
    MonthlyReflection,
    NeverPair,
    PairingRound,
    PairMember,
    Person,
    Schedule,
    Team,
    TeamMember,
    WeeklyPlan,
    WorkOutcome,
    WorkSession,
    WorkSessionSeries,
    WorkshopResponse,
    WorkshopRun,
    YearlyReview,
)
from scheduler.ticks import Ticks
from tests.conftest import Chat, Clock, joined
from tests.rigs.cli import invoke

SAYS = {
    "nl": {"mine": "mijn gegevens", "delete": "verwijder mijn gegevens",
           "yes": "Ja, verwijder alles", "no": "Nee, niets verwijderen", "plain_yes": "ja",
           "export": "Hier is alles wat ik van je bewaar", "file": "leercoach-mijn-gegevens.json",
           "confirm": "Wil je echt dat ik alles verwijder", "gone": "is verwijderd",
           "kept": "ik verwijder niets", "choose": "Kies een van de opties"},
    "en": {"mine": "my data", "delete": "delete my data",
           "yes": "Yes, delete everything", "no": "No, delete nothing", "plain_yes": "yes",
           "export": "Here is everything I keep about you", "file": "leercoach-my-data.json",
           "confirm": "Are you sure you want me to delete everything",
           "gone": "has been deleted", "kept": "I won't delete anything",
           "choose": "Choose one of the options"},
}
LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])


@pytest.fixture(autouse=True)
def _every_turn_succeeds(no_failed_turns: None) -> None:
    """A crash behind the engine's polite failure text fails the test."""


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(database: Engine, database_url: str, clock: Clock) -> Iterator[Coach]:
    coach = build_coach(database, Settings(database_url=database_url), clock=clock)
    yield coach
    coach.close()


@dataclass
class People:
    alice: Chat
    bob: Chat
    alice_id: int
    bob_id: int


def known(chat: Chat, locale: str) -> int:
    """Someone who has met the coach and kept one diary entry; their person id."""
    chat.send(text="hallo", locale=locale, display_name=f"{chat.address.person.title()} Test")
    chat.say("stop")
    chat.say("dagboek" if locale == "nl" else "diary")
    for answer in ("Een lastige klant", "Ik vroeg eerst door", "Vragen voor oordelen", "4"):
        chat.say(answer)
    with Session(chat.engine.database) as session:
        return find_person(session, chat.address.person).id


@pytest.fixture
def people(engine: Coach) -> People:
    alice, bob = Chat(engine, "alice"), Chat(engine, "bob")
    return People(alice, bob, known(alice, "nl"), known(bob, "nl"))


def fill_everything(database: Engine, alice: int, bob: int, now: datetime) -> None:
    """A row pointing at Alice in every table that can (and Bob's side of each)."""
    with Session(database) as session:
        me = session.get(Person, alice)
        assert me is not None
        org = me.organisation_id
        session.get(Person, bob).steady_colleague_id = alice  # type: ignore[union-attr]
        team = Team(organisation_id=org, name="Servicedesk")
        cohort = Cohort(organisation_id=org, name="Peer review")
        session.add_all([team, cohort])
        session.flush()
        session.add_all([TeamMember(team_id=team.id, person_id=alice),
                         TeamMember(team_id=team.id, person_id=bob),
                         CohortMember(cohort_id=cohort.id, person_id=alice),
                         CohortMember(cohort_id=cohort.id, person_id=bob),
                         NeverPair(organisation_id=org, person_a=alice, person_b=bob),
                         NeverPair(organisation_id=org, person_a=bob, person_b=alice)])
        round_ = PairingRound(cohort_id=cohort.id, number=1, starts_on=date(2026, 3, 9),
                              ends_on=date(2026, 3, 15))
        session.add(round_)
        session.flush()
        session.add_all([PairMember(round_id=round_.id, group_number=1, person_id=alice,
                                    met=True),
                         PairMember(round_id=round_.id, group_number=1, person_id=bob,
                                    met=True)])
        # contracts shared both ways, each answered by the other
        hers = LearningContract(person_id=alice, quarter="2026-Q1", version=1,
                                goal="Beter doorvragen", share_consent=True,
                                shared_with_id=bob)
        his = LearningContract(person_id=bob, quarter="2026-Q1", version=1,
                               goal="Rustig blijven", share_consent=True, shared_with_id=alice)
        session.add_all([hers, his])
        session.flush()
        session.add_all([ContractResponse(contract_id=hers.id, responder_id=bob,
                                          response="Mooi doel!"),
                         ContractResponse(contract_id=his.id, responder_id=alice,
                                          response="Zet door!")])
        session.add(Dialog(person_id=bob, flow_id="contract_response", step_id="response",
                           context={"contract_id": hers.id, "author_id": alice,
                                    "author_name": "Alice", "goal": "Beter doorvragen"},
                           address={}, local_date=date(2026, 3, 11),
                           expires_at=now + timedelta(hours=12)))
        session.add_all([
            WeeklyPlan(person_id=alice, week_start=date(2026, 3, 9), situation="Overleg"),
            MonthlyReflection(person_id=alice, month=date(2026, 2, 1), went_well="Veel",
                              focus_month=date(2026, 3, 1)),
            YearlyReview(person_id=alice, year=2025, challenging=4, proud_of="Het team"),
            LearningCanvas(person_id=alice, organisation_id=org, summary="Samenvatting"),
            Delivery(key=f"nudge:{alice}:diary:dead", person_id=alice, kind="nudge",
                     rhythm="diary", flow_id="diary", local_date=date(2026, 3, 10),
                     state="dead", due_at=now, next_attempt_at=now, expires_at=now,
                     last_error="403"),
            ConversationReference(platform="test", tenant="acme", person="alice",
                                  conversation="dm-alice", data={"id": "x"}),
            ConversationReference(platform="test", tenant="acme", person="bob",
                                  conversation="dm-bob", data={"id": "y"}),
        ])
        # intervision: her case (with Bob's question in it), and her question in Bob's
        cases = [IntervisionCase(organisation_id=org, owner_id=owner, platform="test",
                                 tenant="acme", conversation="C1", story="Verhaal",
                                 stuck="Vast", unsure="Twijfel", question="Hoe?")
                 for owner in (alice, bob)]
        session.add_all(cases)
        session.flush()
        session.add_all([CaseContribution(case_id=cases[0].id, person_id=bob,
                                          phase="questions", kind="question", text="Wat?"),
                         CaseContribution(case_id=cases[1].id, person_id=alice,
                                          phase="questions", kind="question", text="Wie?"),
                         CaseContribution(case_id=cases[1].id, person_id=bob,
                                          phase="questions", kind="question", text="Waar?")])
        run = WorkshopRun(organisation_id=org, exercise="awareness", kind="questions",
                          item_count=3, platform="test", tenant="acme", conversation="C1",
                          locale="nl", started_by=alice)
        series = WorkSessionSeries(organisation_id=org, team_id=team.id, platform="test",
                                   tenant="acme", conversation="C1", weekday=1,
                                   local_time=time(10), facilitator_id=alice)
        community = CommunitySession(organisation_id=org, title="SOL", starts_at=now)
        checklist = Checklist(organisation_id=org, code="handover", name_nl="Overdracht",
                              name_en="Handover")
        session.add_all([run, series, community, checklist])
        session.flush()
        work = WorkSession(series_id=series.id, starts_at=now)
        session.add_all([work,
                         WorkshopResponse(run_id=run.id, item=1, person_id=alice,
                                          kind="answer", text="Mijn antwoord"),
                         WorkshopResponse(run_id=run.id, item=1, person_id=bob,
                                          kind="answer", text="Zijn antwoord"),
                         CommunitySignup(session_id=community.id, person_id=alice),
                         ChecklistRun(person_id=alice, checklist_id=checklist.id,
                                      ticked=[1])])
        session.flush()
        items = [AgendaItem(session_id=work.id, proposer_id=who, text=f"Punt van {who}")
                 for who in (alice, bob)]
        session.add_all(items)
        session.flush()
        session.add_all([AgendaVote(item_id=items[1].id, person_id=alice),
                         AgendaVote(item_id=items[0].id, person_id=bob),
                         WorkOutcome(session_id=work.id, kind="decision", text="We doen X",
                                     owner_id=alice, note="Loopt", recorded_by=alice)])
        experiment = Experiment(organisation_id=org, owner_id=alice, title="Proef")
        session.add(experiment)
        session.flush()
        session.add(ExperimentLog(experiment_id=experiment.id, person_id=alice, text="Dag 1"))
        session.merge(Schedule(person_id=alice))
        _web_rows(session, alice, now)
        session.commit()


def _web_rows(session: Session, alice: int, now: datetime) -> None:
    """Login links and web sessions, when the schema has them (bot.people.web_access)."""
    tables = Base.metadata.tables
    if "login_links" in tables:
        session.execute(tables["login_links"].insert().values(
            token_hash="a" * 64, person_id=alice, created_at=now, expires_at=now))
    if "web_sessions" in tables:
        session.execute(tables["web_sessions"].insert(), [
            {"token_hash": "b" * 64, "person_id": alice, "csrf": "c", "chat_person_id": None,
             "created_at": now, "expires_at": now},
            {"token_hash": "d" * 64, "person_id": None, "csrf": "c", "chat_person_id": alice,
             "created_at": now, "expires_at": now},
        ])


def rows_about(database: Engine, person_id: int) -> dict[str, int]:
    """Every row any column of the schema points at the person with."""
    found: dict[str, int] = {}
    tables = Base.metadata.tables
    with database.connect() as connection:
        for table_name, column in person_references():
            table = tables[table_name]
            count = connection.execute(select(func.count()).select_from(table)
                                       .where(table.c[column] == person_id)).scalar_one()
            if count:
                found[f"{table_name}.{column}"] = count
        references = connection.execute(
            select(func.count()).select_from(ConversationReference)
            .where(ConversationReference.person == "alice")).scalar_one()
        if references:
            found["conversation_references"] = references
    return found


def the_question(messages: list[Message]) -> Question:
    [question] = [m for m in messages if isinstance(m, Question)]
    return question


# -- every reference to a person is handled ---------------------------------------------


def test_every_foreign_key_to_people_has_a_rule():
    """A new table with a column pointing at people must say what deleting does to it."""
    handled = {(table, column) for table, column, _ in PERSON_REFERENCES}
    assert set(person_references()) == handled


def test_the_rule_check_sees_a_new_reference():
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("mentor_notes", metadata, Column("id", Integer, primary_key=True),
          Column("author_id", ForeignKey("people.id")))
    handled = {(table, column) for table, column, _ in PERSON_REFERENCES}
    assert set(person_references(metadata)) - handled == {("mentor_notes", "author_id")}


# -- my data --------------------------------------------------------------------------------


@LOCALES
def test_my_data_sends_the_export_as_a_json_document(locale: str, engine: Coach):
    alice = Chat(engine, "alice")
    alice.send(text="hello", locale=locale)
    alice.say("stop")
    alice.say("dagboek")
    for answer in ("Een klant met {{ 7*7 }}", "Ik vroeg door", "Eerst vragen", "4"):
        alice.say(answer)
    [document] = alice.say(SAYS[locale]["mine"])
    assert isinstance(document, File)
    assert SAYS[locale]["export"] in document.text
    assert document.name == SAYS[locale]["file"] and document.mime == "application/json"
    data = json.loads(document.content)
    [entry] = data["diary_entries"]
    assert entry["moments"] == "Een klant met {{ 7*7 }}"  # verbatim, never a template
    with Session(engine.database) as session:
        person = find_person(session, "alice")
        assert data["person"]["id"] == person.id
        assert data["diary_entries"] == export_person(session, person)["diary_entries"]


def test_my_data_inside_a_conversation_leaves_the_question_open(people: People):
    people.alice.say("dagboek")
    [document] = people.alice.say("mijn gegevens")
    assert isinstance(document, File)
    reply = joined(people.alice.say("Een nieuw leermoment"))
    assert "Hoe ben je daarmee omgegaan?" in reply


def test_every_adapter_renders_the_document(people: People):
    [document] = people.alice.say("mijn gegevens")
    assert isinstance(document, File)
    assert document.content in render(document)
    slack = json.dumps(turn_blocks([document]), ensure_ascii=False)
    assert "```" in slack and "Vragen voor oordelen" in slack
    explanation, *parts = activities([document])  # Teams: the words, then the document
    assert "```" not in explanation["text"] and parts
    assert all(part["text"].startswith("```") for part in parts)
    assert "Vragen voor oordelen" in "".join(part["text"] for part in parts)


# -- delete my data ------------------------------------------------------------------------


@LOCALES
def test_delete_asks_first_and_a_plain_yes_is_not_enough(locale: str, engine: Coach,
                                                          database: Engine):
    alice = Chat(engine, "alice")
    alice.send(text="hello", locale=locale)
    alice.say("stop")
    question = the_question(alice.say(SAYS[locale]["delete"]))
    assert SAYS[locale]["confirm"] in question.text
    assert [c.label for c in question.choices] == [SAYS[locale]["no"], SAYS[locale]["yes"]]
    assert SAYS[locale]["choose"] in joined(alice.say(SAYS[locale]["plain_yes"]))
    assert SAYS[locale]["kept"] in joined(alice.say(SAYS[locale]["no"]))
    with Session(database) as session:
        assert find_person(session, "alice")
    alice.say(SAYS[locale]["delete"])
    assert SAYS[locale]["gone"] in joined(alice.say(SAYS[locale]["yes"]))
    with Session(database) as session, pytest.raises(UnknownPerson):
        find_person(session, "alice")


def test_stop_deletes_nothing(people: People, database: Engine):
    people.alice.say("verwijder mijn gegevens")
    people.alice.say("stop")
    assert rows_about(database, people.alice_id)["diary_entries.person_id"] == 1


def test_deleting_removes_every_row_about_her_and_keeps_bobs_history(
    people: People, database: Engine, clock: Clock
):
    fill_everything(database, people.alice_id, people.bob_id, clock.now)
    before = rows_about(database, people.alice_id)
    assert {f"{t}.{c}" for t, c in person_references()} <= set(before), "fill every table"
    with Session(database) as session:
        bob_before = export_person(session, find_person(session, "bob"))

    question = the_question(people.alice.say("verwijder mijn gegevens"))
    # as a Slack or Teams button sends it
    reply = joined(people.alice.send(value="delete", reply_to=question.ref))
    assert "Klaar: alles wat ik van je bewaarde, is verwijderd" in reply
    assert "Alice" in reply  # still said in her own name and language

    assert rows_about(database, people.alice_id) == {}
    with Session(database) as session:
        with pytest.raises(UnknownPerson):
            find_person(session, f"#{people.alice_id}")
        with pytest.raises(UnknownPerson):
            find_person(session, "alice")
        bob = find_person(session, "bob")
        after = export_person(session, bob)
        assert bob.steady_colleague_id is None
        assert after["diary_entries"] == bob_before["diary_entries"]
        [his] = after["learning_contracts"]
        assert his["goal"] == "Rustig blijven" and his["shared_with_id"] is None
        assert after["contract_responses_written"] == []  # to her contract, which is gone
        assert [r["text"] for r in after["workshop_responses"]] == ["Zijn antwoord"]
        assert [i["text"] for i in after["agenda_items"]] == [f"Punt van {people.bob_id}"]
        # his case stays with his own question; hers went with everything said in it
        [case] = session.scalars(select(IntervisionCase)).all()
        assert case.owner_id == people.bob_id
        assert [c.text for c in session.scalars(select(CaseContribution))] == ["Waar?"]
        # the round stays, with Bob in it
        assert [(m.person_id, m.met) for m in session.scalars(select(PairMember))] == [
            (people.bob_id, True)]
        # the team's decision stays, without her name or her note
        [decision] = session.scalars(select(WorkOutcome)).all()
        assert (decision.text, decision.owner_id, decision.note, decision.recorded_by) == (
            "We doen X", None, None, None)
        # his open answer to her contract ends and no longer quotes it
        [response] = [d for d in session.scalars(select(Dialog))
                      if d.flow_id == "contract_response"]
        assert response.status == "stopped" and response.context == {}
        assert session.scalars(select(ConversationReference.person)).all() == ["bob"]
    with database.connect() as connection:
        organisation = connection.execute(select(Person.organisation_id)).scalar_one()
        kept = {kind: count for _, kind, count in tallies(connection, organisation)}
    assert kept["people"] == 1 and kept["diary_entries"] == 1
    assert set(kept) <= {"people", *TALLIED}


def test_nothing_afterwards_brings_her_back(people: People, engine: Coach,
                                            database: Engine, database_url: str,
                                            clock: Clock):
    question = the_question(people.alice.say("verwijder mijn gegevens"))
    assert people.alice.send(value="delete", reply_to=question.ref, event_id="Ev1")
    address = people.alice.address
    assert engine.resume(address) == []
    assert engine.home(address) is None
    assert engine.open_question(address) is None
    assert engine.start_flow(people.alice_id, "diary") == []
    # the platform delivering the same press again, and the scheduler's next day
    assert people.alice.send(value="delete", reply_to=question.ref, event_id="Ev1") == []
    runtime = open_runtime(Settings(database_url=database_url))
    try:
        asyncio.run(Ticks(runtime, {}).tick(clock.now + timedelta(days=1)))
    finally:
        runtime.close()
    with Session(database) as session:
        assert session.scalars(select(Identity.external_id)).all() == ["bob"]
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_writing_again_is_a_new_beginning(people: People, database: Engine):
    question = the_question(people.alice.say("verwijder mijn gegevens"))
    people.alice.send(value="delete", reply_to=question.ref)
    people.alice.say("hallo")  # a new message from her is a new beginning
    with Session(database) as session:
        alice = find_person(session, "alice")
        assert alice.id != people.alice_id
        data = export_person(session, alice)
    assert data["diary_entries"] == [] and len(data["dialogs"]) == 1  # the new onboarding


def test_delete_person_is_the_engine_free_api(people: People, database: Engine,
                                              clock: Clock):
    with Session(database) as session:
        done = delete_person(session, people.bob_id, clock.now)
        session.commit()
    assert done.removed["people"] == 1 and done.removed["diary_entries"] == 1
    assert done.removed["identities"] == 1 and done.total >= 4
    with database.begin() as connection, pytest.raises(NoSuchPerson):
        delete_person(connection, people.bob_id, clock.now)
    with Session(database) as session:
        assert export_person(session, find_person(session, "alice"))["diary_entries"]


# -- leercoach privacy ---------------------------------------------------------------------


@pytest.fixture
def cli_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = sqlite_url
    for name in ("LEERCOACH_PROMPTS_DIR", "LEERCOACH_DEFAULT_LOCALE",
                 "LEERCOACH_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", url)
    database = create_db_engine(url)
    yield database
    database.dispose()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`leercoach privacy ARGS` in-process."""
    return invoke(capsys, "privacy", *args)


def two_people(database: Engine) -> None:
    engine = build_coach(database, Settings(database_url=str(database.url)))
    try:
        known(Chat(engine, "alice"), "nl")
        known(Chat(engine, "bob"), "nl")
    finally:
        engine.close()


def test_cli_delete_verifies_with_an_export(cli_database: Engine,
                                            capsys: pytest.CaptureFixture[str]):
    two_people(cli_database)
    code, out, err = cli(capsys, "export", "--user", "alice")
    assert code == 0, err
    assert json.loads(out)["diary_entries"]
    code, out, err = cli(capsys, "delete", "--user", "alice", "--yes")
    assert code == 0, err
    assert "Deleted Alice Test (#1)" in out and "1 diary_entries" in out
    assert "Verified: an export of #1 finds nobody." in out
    code, out, err = cli(capsys, "export", "--user", "alice")
    assert code == 1 and "no person known as 'alice'" in err
    code, out, err = cli(capsys, "export", "--user", "bob")
    assert code == 0 and len(json.loads(out)["diary_entries"]) == 1
    code, out, err = cli(capsys, "delete", "--user", "alice", "--yes")
    assert code == 1 and "no person known as 'alice'" in err


def test_cli_delete_asks_on_a_terminal_and_refuses_without_one(
    cli_database: Engine, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
):
    two_people(cli_database)
    monkeypatch.setattr("adapters.cli.privacy.interactive", lambda: False)
    code, out, err = cli(capsys, "delete", "--user", "alice")
    assert code == 2 and "--yes" in err
    monkeypatch.setattr("adapters.cli.privacy.interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    code, out, err = cli(capsys, "delete", "--user", "alice")
    assert code == 1 and "1 diary_entries" in out and "Nothing deleted." in out
    assert cli(capsys, "export", "--user", "alice")[0] == 0
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    code, out, err = cli(capsys, "delete", "--user", "alice")
    assert code == 0 and "Verified" in out, err


def test_cli_privacy_lists_its_actions(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["privacy", "--help"])
    out = capsys.readouterr().out
    for action_name in ("export", "delete", "rotate-key"):
        assert action_name in out
    with pytest.raises(SystemExit):
        main(["privacy", "rotate-key", "--help"])
    out = capsys.readouterr().out
    assert "--new-key" in out and "--old-key" in out


def test_rotate_key_is_handed_to_the_encryption_command(monkeypatch: pytest.MonkeyPatch):
    import adapters.cli.encryption

    seen: list[Any] = []
    monkeypatch.setattr(adapters.cli.encryption, "cmd_rotate_key",
                        lambda args, settings: seen.append(args) or 0)
    assert main(["privacy", "rotate-key", "--new-key", "NEW", "--old-key", "A",
                 "--old-key", "B"]) == 0
    assert (seen[0].new_key, seen[0].old_key) == ("NEW", ["A", "B"])

