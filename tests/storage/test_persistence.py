"""Persistence: the schema the migrations build, restarts, concurrent turns, retries, export.

Every test runs on SQLite and, when LEERCOACH_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.core.messages import Address, InboundEvent, Message, Outbound, Question, Scale
from bot.privacy.export import export_person, find_person
from bot.runtime import build_coach
from bot.storage import migrate
from bot.storage.database import create_db_engine, make_session_factory
from bot.storage.models import Base, Dialog, DiaryEntry, Identity, Person
from tests.conftest import Chat, Clock, joined
from tests.rigs.cli import NL_QUESTIONS
from tests.rigs.diaries import onboard, write_diary

FIELDS = ("moments", "approach", "learning")
RESUME_NL = "Zullen we verdergaan? We waren bij deze vraag:"
WORKERS = 8


# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def databases(database_url: str) -> Iterator[Callable[[], Engine]]:
    """Opens database engines on the test database and disposes them all afterwards."""
    opened: list[Engine] = []

    def open_one() -> Engine:
        database = create_db_engine(database_url)
        opened.append(database)
        return database

    yield open_one
    for database in opened:
        database.dispose()


def make_engine(database: Engine, url: str, clock: Clock) -> Coach:
    return build_coach(database, Settings(database_url=url), clock=clock)


def address(user: str) -> Address:
    return Address("test", "acme", user, f"dm-{user}")


def texts(outbound: list[Outbound]) -> str:
    return joined([out.message for out in outbound])


def open_question(messages: list[Message]) -> Message:
    questions = [m for m in messages if isinstance(m, Question | Scale)]
    assert len(questions) == 1, messages
    return questions[0]


def entries_of(database: Engine, user: str) -> list[DiaryEntry]:
    with make_session_factory(database)() as session:
        person = find_person(session, user)
        return list(
            session.scalars(
                select(DiaryEntry).where(DiaryEntry.person_id == person.id).order_by(DiaryEntry.id)
            )
        )


def dialogs_of(database: Engine, user: str, flow_id: str = "diary") -> list[Dialog]:
    with make_session_factory(database)() as session:
        person = find_person(session, user)
        return list(
            session.scalars(
                select(Dialog)
                .where(Dialog.person_id == person.id, Dialog.flow_id == flow_id)
                .order_by(Dialog.id)
            )
        )






# -- schema ----------------------------------------------------------------------------


def test_migrations_build_exactly_the_models_schema(databases: Callable[[], Engine]):
    database = databases()
    with database.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": migrate.include_name}),
            Base.metadata,
        )
    assert differences == []


def test_upgrade_twice_is_idempotent(databases: Callable[[], Engine]):
    database = databases()
    head = migrate.head_revision()
    assert head is not None
    migrate.upgrade(database)
    migrate.upgrade(database)
    assert migrate.current_revision(database) == head
    assert migrate.is_up_to_date(database)
    with database.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": migrate.include_name}),
            Base.metadata,
        )
    assert differences == []


# -- restart mid-dialog ----------------------------------------------------------------


def test_restart_mid_dialog_resumes_at_the_same_question(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    first_database = databases()
    chat_a = Chat(make_engine(first_database, database_url, clock))
    assert NL_QUESTIONS[0] in chat_a.say_text("dagboek")
    asked = open_question(chat_a.say("Een lastig gesprek met een klant."))
    assert asked.text.startswith(NL_QUESTIONS[1])
    first_database.dispose()

    clock.advance(minutes=5)
    engine_b = make_engine(databases(), database_url, clock)
    chat_b = Chat(engine_b)
    resumed = [out.message for out in engine_b.resume(chat_b.address)]
    assert resumed[0].text == RESUME_NL  # type: ignore[union-attr]
    again = open_question(resumed)
    assert again.text == asked.text
    assert again.ref == asked.ref

    assert NL_QUESTIONS[2] in chat_b.say_text("Eerst geluisterd, toen samengevat.")
    assert NL_QUESTIONS[3] in chat_b.say_text("Eerst vragen stellen, dan pas advies geven.")
    closing = chat_b.say_text("4")
    assert "Eerst vragen stellen, dan pas advies geven." in closing

    [entry] = entries_of(engine_b.database, "alice")
    assert entry.moments == "Een lastig gesprek met een klant."
    assert entry.approach == "Eerst geluisterd, toen samengevat."
    assert entry.learning == "Eerst vragen stellen, dan pas advies geven."
    assert entry.value == 4
    assert entry.complete
    [dialog] = dialogs_of(engine_b.database, "alice")
    assert dialog.status == "completed"
    assert dialog.answers == {
        "moments": "Een lastig gesprek met een klant.",
        "approach": "Eerst geluisterd, toen samengevat.",
        "learning": "Eerst vragen stellen, dan pas advies geven.",
        "value": 4,
    }


def test_resume_without_open_dialog_says_nothing_new(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    engine = make_engine(databases(), database_url, clock)
    assert engine.resume(address("nobody")) == []
    chat = Chat(engine)
    write_diary(chat, ("iets nieuws", "gewoon gedaan", "het lukt wel"))
    assert engine.resume(chat.address) == []


def test_restart_after_the_dialog_expired_keeps_the_partial_answers(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    first_database = databases()
    chat_a = Chat(make_engine(first_database, database_url, clock))
    chat_a.say("dagboek")
    chat_a.say("Half af 🙂")
    first_database.dispose()

    clock.advance(hours=13)  # past the 12-hour dialog timeout
    engine_b = make_engine(databases(), database_url, clock)
    resumed = engine_b.resume(address("alice"))
    assert "bleef halverwege liggen" in texts(resumed)
    assert "woensdag 11 maart" in texts(resumed)
    assert engine_b.resume(address("alice")) == []  # told once, then nothing is open

    [dialog] = dialogs_of(engine_b.database, "alice")
    assert dialog.status == "expired"
    assert dialog.answers == {"moments": "Half af 🙂"}
    [entry] = entries_of(engine_b.database, "alice")
    assert entry.moments == "Half af 🙂"
    assert entry.complete is False
    assert entry.dialog_id == dialog.id


# -- concurrency -----------------------------------------------------------------------


def _fire_together(engine: Coach, events: list[InboundEvent]) -> list[list[Outbound]]:
    """Hand all events to the engine at once, from separate threads."""
    barrier = threading.Barrier(len(events))

    def send(event: InboundEvent) -> list[Outbound]:
        barrier.wait(timeout=30)
        return engine.handle(event)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(send, event) for event in events]
        return [future.result(timeout=120) for future in futures]


ROUNDS = 4


def test_concurrent_messages_of_one_person_never_lose_an_update(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    engine = make_engine(databases(), database_url, clock)
    chat = Chat(engine)
    onboard(chat)
    # Some history first: diaries written one message at a time.
    for day in range(3):
        write_diary(chat, (f"moment {day}", f"aanpak {day}", f"les {day}"))

    for round_ in range(ROUNDS):
        answers = [f"ronde {round_} antwoord {n} ✨" for n in range(3)]
        assert NL_QUESTIONS[0] in chat.say_text("dagboek")
        [dialog_before] = [d for d in dialogs_of(engine.database, "alice") if d.status == "active"]
        events = [InboundEvent(address=chat.address, text=answer) for answer in [*answers, "4"]]
        replies = _fire_together(engine, events)

        # Every message got an answer; none failed.
        failure = "er ging aan mijn kant iets mis"
        assert all(reply and failure not in texts(reply) for reply in replies), replies
        value_accepted = any("Dank je wel" in texts(reply) for reply in replies)
        if not value_accepted:
            # "4" came before the scale question was open: it was turned down as too short
            # for a text question, and nothing of it was stored. The scale question is open.
            assert "Kun je er iets meer over vertellen" in texts(replies[3])
            assert "Dank je wel" in chat.say_text("4")

        dialog = dialogs_of(engine.database, "alice")[-1]
        assert dialog.id == dialog_before.id
        assert dialog.status == "completed"
        assert dialog.step_id is None
        stored = [dialog.answers[name] for name in FIELDS]
        assert sorted(stored) == sorted(answers), stored  # each exactly once, none lost
        assert dialog.answers["value"] == 4
        assert set(dialog.answers) == {*FIELDS, "value"}
        # version 1 at the start, one increment per accepted answer
        assert dialog.version == 1 + len(dialog.answers)

        # The question each text answer got in reply follows the order they were stored in.
        for index, answer in enumerate(stored):
            reply = texts(replies[answers.index(answer)])
            assert NL_QUESTIONS[index + 1] in reply, (answer, reply)

        entries = [e for e in entries_of(engine.database, "alice") if e.dialog_id == dialog.id]
        assert len(entries) == 1  # completed exactly once
        [entry] = entries
        assert [entry.moments, entry.approach, entry.learning] == stored
        assert entry.value == 4 and entry.complete

    assert len(entries_of(engine.database, "alice")) == 3 + ROUNDS
    assert [d.status for d in dialogs_of(engine.database, "alice")] == ["completed"] * (3 + ROUNDS)


PEOPLE = 20


def test_many_people_at_once_all_complete(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    engine = make_engine(databases(), database_url, clock)
    barrier = threading.Barrier(WORKERS)

    def one_person(number: int) -> list[str]:
        if number < WORKERS:
            barrier.wait(timeout=30)  # the first wave also races to create the organisation
        user = f"user{number:02d}"
        messages = ["dagboek", f"moment van {user}", f"aanpak van {user}", f"les van {user}", "4"]
        return [texts(engine.handle(InboundEvent(address(user), text=m))) for m in messages]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(one_person, range(PEOPLE), timeout=300))

    for number, replies in enumerate(results):
        user = f"user{number:02d}"
        for index, question in enumerate(NL_QUESTIONS):
            assert question in replies[index], (user, replies)
        assert f"les van {user}" in replies[4]

    with make_session_factory(engine.database)() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == PEOPLE
        assert session.scalar(select(func.count()).select_from(Identity)) == PEOPLE
        entries = session.scalars(select(DiaryEntry)).all()
        assert len(entries) == PEOPLE
        by_person = {
            session.get(Person, e.person_id).identities[0].external_id: e  # type: ignore[union-attr]
            for e in entries
        }
    assert sorted(by_person) == [f"user{n:02d}" for n in range(PEOPLE)]
    for user, entry in by_person.items():
        assert (entry.moments, entry.approach, entry.learning, entry.value) == (
            f"moment van {user}",
            f"aanpak van {user}",
            f"les van {user}",
            4,
        )
        assert entry.complete


def test_same_event_id_delivered_twice_at_once_is_handled_once(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    engine = make_engine(databases(), database_url, clock)
    chat = Chat(engine)
    assert NL_QUESTIONS[0] in chat.say_text("dagboek")
    event = InboundEvent(address=chat.address, text="Een retry van het platform", event_id="Ev42")
    replies = _fire_together(engine, [event, event])

    answered = [reply for reply in replies if reply]
    assert len(answered) == 1, replies
    assert NL_QUESTIONS[1] in texts(answered[0])
    [dialog] = dialogs_of(engine.database, "alice")
    assert dialog.answers == {"moments": "Een retry van het platform"}
    assert dialog.step_id == "approach"
    assert dialog.version == 2

    # A later retry of the same event is still ignored; the next answer goes on normally.
    assert engine.handle(event) == []
    assert NL_QUESTIONS[2] in chat.say_text("Rustig gebleven")


# -- privacy export --------------------------------------------------------------------

TRICKY = (
    "Vandaag 🎉 een demo gegeven — “spannend”",
    "{{ 7*7 }} en {% if x %}geen sjabloon{% endif %}",
    "Regel één\nregel twee <b>vet</b> & 'quotes' \"dubbel\" \\ backslash",
)


def test_privacy_export_contains_everything_verbatim(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    engine = make_engine(databases(), database_url, clock)
    chat = Chat(engine)
    closing = write_diary(chat, TRICKY, value="5")
    assert TRICKY[2] in closing  # user text is shown as it was typed, never rendered
    assert "49" not in closing
    # a second, unfinished diary: its answer is exported too
    chat.say("dagboek")
    chat.say("Nog een 🙂 moment {{ 7*7 }}")
    # someone else's data never leaks into alice's export
    Chat(engine, user="bob").say("dagboek")
    Chat(engine, user="bob").say("Bobs geheim")

    with make_session_factory(engine.database)() as session:
        person = find_person(session, "alice")
        data = export_person(session, person)
        by_id = export_person(session, find_person(session, f"#{person.id}"))
    assert by_id == data

    dumped = json.dumps(data, ensure_ascii=False)
    assert json.loads(dumped) == data
    assert "Bobs geheim" not in dumped

    assert data["person"]["id"] == person.id
    assert data["person"]["locale"] == "nl"
    [identity] = data["identities"]
    assert (identity["platform"], identity["tenant"], identity["external_id"]) == (
        "test",
        "acme",
        "alice",
    )
    dialogs: list[dict[str, Any]] = data["dialogs"]
    assert [d["flow_id"] for d in dialogs] == ["diary", "diary"]
    assert dialogs[0]["status"] == "completed"
    assert dialogs[0]["answers"] == dict(zip(FIELDS, TRICKY, strict=True)) | {"value": 5}
    assert dialogs[1]["status"] == "active"
    assert dialogs[1]["answers"] == {"moments": "Nog een 🙂 moment {{ 7*7 }}"}

    [entry] = data["diary_entries"]
    assert (entry["moments"], entry["approach"], entry["learning"]) == TRICKY
    assert entry["value"] == 5
    assert entry["complete"] is True
    assert entry["dialog_id"] == dialogs[0]["id"]
    assert entry["local_date"] == "2026-03-11"


# -- PostgreSQL: what a turn sees after waiting for the person's lock ---------------------


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` (bounded); the test fails rather than hang if it never holds."""
    for _ in range(3000):
        if condition():
            return
        threading.Event().wait(0.01)
    pytest.fail(f"timed out waiting until {what}")


def test_postgres_turn_after_lock_wait_sees_the_previous_turns_answer(
    database_url: str, databases: Callable[[], Engine], clock: Clock
):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL row-lock semantics")
    tag = f"lc-lockwait-{threading.get_ident()}"
    tagged = make_url(database_url).update_query_dict({"application_name": tag})
    tagged_database = create_db_engine(tagged.render_as_string(hide_password=False))
    engine = make_engine(tagged_database, database_url, clock)
    try:
        chat = Chat(engine)
        chat.say("dagboek")
        chat.say("moment")
        assert NL_QUESTIONS[2] in chat.say_text("aanpak")  # the learning question is open
        with make_session_factory(engine.database)() as session:
            person_id = find_person(session, "alice").id

        monitor = databases()
        holder = databases().connect()

        def waiting() -> int:
            with monitor.connect() as connection:
                return int(
                    connection.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE application_name = :tag AND wait_event_type = 'Lock'"
                        ),
                        {"tag": tag},
                    ).scalar_one()
                )

        # An earlier message of alice is still being handled: its turn holds her row lock.
        transaction = holder.begin()
        holder.execute(text("SELECT id FROM people WHERE id = :id FOR UPDATE"), {"id": person_id})
        with ThreadPoolExecutor(max_workers=2) as pool:
            third = pool.submit(engine.handle, InboundEvent(chat.address, text="les geleerd"))
            _wait_until(lambda: waiting() == 1, "the third answer waits for the lock")
            value = pool.submit(engine.handle, InboundEvent(chat.address, text="4"))
            _wait_until(lambda: waiting() == 2, "the value waits behind it")
            transaction.commit()
            third_reply = texts(third.result(timeout=60))
            value_reply = texts(value.result(timeout=60))
        holder.close()

        # The two answers were applied one after the other, in the order they queued.
        assert NL_QUESTIONS[3] in third_reply
        assert "Dank je wel" in value_reply, value_reply
        [dialog] = dialogs_of(engine.database, "alice")
        assert dialog.status == "completed"
        assert dialog.answers["value"] == 4
    finally:
        tagged_database.dispose()
