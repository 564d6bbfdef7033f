"""Encryption at rest: what people write is sealed in the database when a key is set, still
read when it was written before, re-sealed by rotate-key, and a missing or wrong key is a
clear error at start. Runs on SQLite and, when LEERCOACH_TEST_DATABASE_URL is set, on
PostgreSQL."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, select, text

from adapters.cli import main as cli
from adapters.cli.encryption import cmd_rotate_key
from bot.config import ConfigError, Settings
from bot.people.directory import default_organisation
from bot.practices.intervision import hooks as intervision
from bot.privacy.export import export_person, find_person
from bot.runtime import Runtime, open_runtime
from bot.storage import encryption
from bot.storage.encryption import PREFIX, KeyRing, UnreadableSecret
from bot.storage.key_rotation import rotate_key
from bot.storage.models import CaseContribution, DiaryEntry, IntervisionCase, table_of
from tests.conftest import Chat, Clock
from tests.rigs.diaries import onboard, write_diary

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
Opener = Callable[[str | None], Runtime]
ANSWERS = ("Een lastig gesprek met een klant.", "Ik heb eerst doorgevraagd.",
           "Luisteren voor ik oplos.")


@pytest.fixture(autouse=True)
def _no_ring_left_behind() -> Iterator[None]:
    """The key ring is process-wide: leave it as other tests expect it (none)."""
    with encryption.using(None):
        yield


@pytest.fixture
def open_with(database_url: str, clock: Clock) -> Iterator[Opener]:
    """Opens runtimes on the test database with a given key setting; closes them all."""
    opened: list[Runtime] = []

    def open_one(key: str | None) -> Runtime:
        runtime = open_runtime(Settings(database_url=database_url, encryption_key=key),
                               clock=clock)
        opened.append(runtime)
        return runtime

    yield open_one
    for runtime in opened:
        runtime.close()


def raw_diary(runtime: Runtime) -> list[tuple[str, ...]]:
    """The diary texts as stored, bypassing the column types."""
    with runtime.database.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT moments, approach, learning FROM diary_entries ORDER BY id"))]


def raw_answers(runtime: Runtime) -> list[str]:
    with runtime.database.connect() as connection:
        return [row[0] for row in connection.execute(text(
            "SELECT CAST(answers AS TEXT) FROM dialogs ORDER BY id"))]


def read_diary(runtime: Runtime) -> list[tuple[str | None, ...]]:
    with runtime.sessions() as session:
        return [(e.moments, e.approach, e.learning) for e in session.scalars(
            select(DiaryEntry).order_by(DiaryEntry.id))]


def diary_through_the_engine(runtime: Runtime, answers: tuple[str, str, str] = ANSWERS,
                             user: str = "alice", onboarded: bool = False) -> None:
    chat = Chat(runtime.engine, user)
    if not onboarded:
        onboard(chat)
    write_diary(chat, answers)


def rotate(settings: Settings, new_key: str | None = None,
           old_keys: list[str] | None = None) -> int:
    return cmd_rotate_key(argparse.Namespace(new_key=new_key, old_key=old_keys), settings)


# -- sealed at rest --------------------------------------------------------------------


def test_a_diary_entry_is_stored_encrypted_and_read_back(open_with: Opener) -> None:
    runtime = open_with(KEY_A)
    diary_through_the_engine(runtime)

    [stored] = raw_diary(runtime)
    for value, answer in zip(stored, ANSWERS, strict=True):
        assert value.startswith(PREFIX) and answer not in value
    # a JSON column holds one sealed JSON string; an empty {} says nothing and stays
    answers = raw_answers(runtime)
    assert all(value.strip('"').startswith(PREFIX) or value == "{}" for value in answers)
    assert any(value != "{}" for value in answers)
    assert not any("klant" in value for value in answers)

    assert read_diary(runtime) == [ANSWERS]
    with runtime.sessions() as session:
        exported = str(export_person(session, find_person(session, "alice")))
    assert all(answer in exported for answer in ANSWERS)


def test_without_a_key_text_is_plain_and_stays_readable_once_a_key_is_set(
        open_with: Opener, capsys: pytest.CaptureFixture[str]) -> None:
    plain = open_with(None)
    diary_through_the_engine(plain)
    assert raw_diary(plain) == [ANSWERS]
    plain.close()

    keyed = open_with(KEY_A)
    assert read_diary(keyed) == [ANSWERS]  # written before the key: read as it is
    later = ("Een nieuwe collega ingewerkt.", "Samen opgepakt.", "Uitleggen helpt mij ook.")
    diary_through_the_engine(keyed, later, onboarded=True)
    assert read_diary(keyed) == [ANSWERS, later]
    old_row, new_row = raw_diary(keyed)
    assert old_row == ANSWERS and all(v.startswith(PREFIX) for v in new_row)

    # switching encryption on for what was there: rotate-key with the configured key
    assert rotate(keyed.settings) == 0
    assert "Re-encrypted" in capsys.readouterr().out
    assert all(v.startswith(PREFIX) for row in raw_diary(keyed) for v in row)
    assert all(v.strip('"').startswith(PREFIX) or v == "{}" for v in raw_answers(keyed))
    assert read_diary(keyed) == [ANSWERS, later]


def test_plain_text_that_looks_sealed_is_kept_as_typed(open_with: Opener) -> None:
    runtime = open_with(None)
    typed = (f"{PREFIX}gAAAA", "enc0:x", "")
    person = _a_person(runtime)
    with runtime.database.begin() as connection:
        connection.execute(insert(table_of(DiaryEntry)).values(
            person_id=person, local_date=runtime.engine.clock().date(), moments=typed[0],
            approach=typed[1], learning=typed[2], extra={}, complete=True,
            created_at=runtime.engine.clock()))
    assert read_diary(runtime) == [typed]
    assert raw_diary(runtime)[0][2] == ""  # an empty answer stays empty: `!= ''` still works


# -- rotation and wrong keys -------------------------------------------------------------


def test_rotate_key_reencrypts_under_the_new_key(open_with: Opener,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    runtime = open_with(KEY_A)
    diary_through_the_engine(runtime)
    before = raw_diary(runtime)

    assert rotate(runtime.settings, new_key=KEY_B) == 0
    out = capsys.readouterr().out
    assert "LEERCOACH_ENCRYPTION_KEY to the new key" in out
    assert KEY_A not in out and KEY_B not in out
    after = raw_diary(runtime)
    assert all(a != b for a, b in zip(after[0], before[0], strict=True))

    with encryption.using(KeyRing([KEY_A])), pytest.raises(UnreadableSecret):
        read_diary(runtime)
    with encryption.using(KeyRing([KEY_B])):
        assert read_diary(runtime) == [ANSWERS]
        # run again: nothing left to do, values untouched
        again = rotate_key(runtime.database, [KEY_B, KEY_A])
    assert again.reencrypted == 0 and again.current > 0
    assert raw_diary(runtime) == after


def test_rotation_with_both_keys_configured(open_with: Opener) -> None:
    """The no-downtime way: NEW,OLD in the setting, rotate, then NEW alone."""
    runtime = open_with(KEY_A)
    diary_through_the_engine(runtime)
    runtime.close()
    both = open_with(f"{KEY_B}, {KEY_A}")
    assert read_diary(both) == [ANSWERS]  # old values read with the second key
    assert rotate(both.settings) == 0
    both.close()
    assert read_diary(open_with(KEY_B)) == [ANSWERS]


def test_a_missing_or_wrong_key_is_a_clear_error_at_start(open_with: Opener) -> None:
    runtime = open_with(KEY_A)
    diary_through_the_engine(runtime)
    runtime.close()

    with pytest.raises(UnreadableSecret) as wrong:
        open_with(KEY_B)
    assert "cannot be decrypted with LEERCOACH_ENCRYPTION_KEY" in str(wrong.value)
    assert KEY_A not in str(wrong.value) and KEY_B not in str(wrong.value)
    with pytest.raises(UnreadableSecret, match="LEERCOACH_ENCRYPTION_KEY is not set"):
        open_with(None)
    with pytest.raises(UnreadableSecret):
        rotate(replace(runtime.settings, encryption_key=KEY_B), new_key=KEY_B)


def test_the_command_line_says_so_without_a_traceback_or_the_key(
        open_with: Opener, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    diary_through_the_engine(open_with(KEY_A))
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", database_url)
    monkeypatch.setenv("LEERCOACH_ENCRYPTION_KEY", KEY_B)
    assert cli.main(["cases"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot be decrypted" in err and "Traceback" not in err and KEY_B not in err

    monkeypatch.setenv("LEERCOACH_ENCRYPTION_KEY", "not-a-fernet-key")
    assert cli.main(["cases"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "LEERCOACH_ENCRYPTION_KEY is not a Fernet key" in err
    assert "not-a-fernet-key" not in err


def test_privacy_rotate_key_on_the_command_line(
        open_with: Opener, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    try:
        parser.parse_args(["privacy", "rotate-key", "--new-key", KEY_B])
    except SystemExit:
        pytest.skip("`privacy rotate-key` is not wired into the command line yet")
    capsys.readouterr()
    runtime = open_with(KEY_A)
    diary_through_the_engine(runtime)
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", database_url)
    monkeypatch.setenv("LEERCOACH_ENCRYPTION_KEY", KEY_A)
    assert cli.main(["privacy", "rotate-key", "--new-key", KEY_B]) == 0
    assert "Re-encrypted" in capsys.readouterr().out
    with encryption.using(KeyRing([KEY_B])):
        assert read_diary(runtime) == [ANSWERS]


# -- settings ----------------------------------------------------------------------------


def test_an_invalid_key_fails_at_start_without_showing_it() -> None:
    with pytest.raises(ConfigError) as bad:
        Settings.from_env({"LEERCOACH_ENCRYPTION_KEY": "hunter2"})
    assert "hunter2" not in str(bad.value) and "generate one with" in str(bad.value)
    assert bad.value.__cause__ is None and bad.value.__suppress_context__
    with pytest.raises(ConfigError, match=r"key 2 of 2"):
        Settings.from_env({"LEERCOACH_ENCRYPTION_KEY": f"{KEY_A},{KEY_A[:-2]}"})
    with pytest.raises(ConfigError, match="holds no key"):
        Settings.from_env({"LEERCOACH_ENCRYPTION_KEY": " , "})

    settings = Settings.from_env({"LEERCOACH_ENCRYPTION_KEY": f" {KEY_A} "})
    assert settings.encryption_key == KEY_A
    assert KEY_A not in repr(settings) and KEY_A not in repr(KeyRing([KEY_A]))
    assert Settings.from_env({}).encryption_key is None


# -- searching sealed text ---------------------------------------------------------------


def test_the_case_library_is_searched_after_decryption(open_with: Opener) -> None:
    runtime = open_with(KEY_A)
    with runtime.sessions() as session:
        organisation = default_organisation(session, runtime.settings).id
        session.commit()
    cases = {
        "factuur": ("Een klant belde boos over een Factuur.", "Wie lost het op?"),
        "planning": ("De planning liep uit.", "Hoe zeg ik nee?"),
    }
    ids = {}
    with runtime.database.begin() as connection:
        for name, (story, question) in cases.items():
            ids[name] = connection.execute(insert(table_of(IntervisionCase)).values(
                organisation_id=organisation, platform="test", tenant="acme",
                conversation="C", phase="closed", story=story, stuck="Vast.",
                unsure="Twijfel.", question=question, in_library=True, anonymised=False,
                created_at=runtime.engine.clock()).returning(IntervisionCase.id)).scalar_one()
        connection.execute(insert(table_of(CaseContribution)).values(
            case_id=ids["planning"], phase="advice", kind="advice",
            text="Spreek met finance af wie het oppakt.", created_at=runtime.engine.clock()))
        stored = connection.execute(text("SELECT story FROM intervision_cases")).scalars()
        assert all(value.startswith(PREFIX) for value in stored)

        def found(words: str) -> list[int]:
            return [case["id"] for case in intervision.library(connection, organisation, words)]

        assert found("") == [ids["planning"], ids["factuur"]]
        assert found("factuur") == [ids["factuur"]]  # any case, in the text
        assert found("FINANCE planning") == [ids["planning"]]  # case and what was said
        assert found("finance factuur") == []  # every word must be there
        assert found("vast") == [ids["planning"], ids["factuur"]]


def _a_person(runtime: Runtime) -> int:
    chat = Chat(runtime.engine, "bob")
    chat.say("hallo")
    chat.say("stop")
    with runtime.sessions() as session:
        return find_person(session, "bob").id
