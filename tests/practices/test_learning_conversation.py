"""The open learning conversation (seed 001), in Dutch and English: preparation, the
conversation, the summary to confirm or correct, the five-year plan; the stored canvas, its
Markdown document (`leercoach canvas export`), the person's data export and the
organisation's canvases for the dashboard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Form, Message, Question, Scale
from bot.practices.learning_conversation.hooks import canvases_of
from bot.privacy.export import export_person, find_person
from bot.storage.models import LearningCanvas
from tests.conftest import Chat, Clock, joined
from tests.rigs.cli import invoke
from tests.rigs.learning_conversation import CONVERSATION, NOVEMBER, PLAN, PREPARATION, SAYS
from tests.rigs.records import active_flow, meet

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
WORD = {"nl": "leergesprek", "en": "learning conversation"}
YES = {"nl": "ja", "en": "yes"}
NO = {"nl": "nee", "en": "no"}


# The person's answers to parts 1 and 2, in the order they are asked.

pytestmark = pytest.mark.usefixtures("no_failed_turns")


# -- helpers ---------------------------------------------------------------------------------


def the(kind: type[Message], messages: list[Message]) -> Any:
    found = [m for m in messages if isinstance(m, kind)]
    assert len(found) == 1, messages
    return found[0]


def canvases(database: Engine) -> list[LearningCanvas]:
    with Session(database) as session:
        return list(session.scalars(select(LearningCanvas).order_by(LearningCanvas.id)))


def through_the_conversation(chat: Chat, locale: str) -> list[Message]:
    """Parts 1 and 2, checking each question as it comes; returns the feedback's start."""
    says = SAYS[locale]
    opening = chat.say(WORD[locale])
    intro = joined(opening)
    assert says["intro"] in intro and says["parts"] in intro
    assert says["organisation"] in the(Question, opening).text
    assert says["role"] in the(Question, chat.say(PREPARATION["organisation"])).text
    seeking = the(Question, chat.say(PREPARATION["role"]))
    assert says["seeking"] in seeking.text
    assert [c.value for c in seeking.choices] == ["confirmation", "new_perspectives", "policy"]
    assert says["occasion"] in the(Question, chat.say(says["new_perspectives"])).text
    assert says["involved"] in the(Question, chat.say(PREPARATION["occasion"])).text
    asked = the(Question, chat.say(PREPARATION["involved"]))
    for key in ("customers", "government", "employees", "improvement", "vuca", "hard", "soft",
                "human"):
        assert says[key] in asked.text, key
        if key == "vuca":
            assert asked.hint is not None and says["vuca_hint"] in asked.hint
        replies = chat.say(CONVERSATION[key])
        if key == "human":
            scale = the(Scale, replies)
            assert says["aligned"] in scale.text
        else:
            asked = the(Question, replies)
    return chat.say("2")


def fill(chat: Chat, form: Form, values: dict[str, str]) -> list[Message]:
    return chat.send(form=values, reply_to=form.ref)


@pytest.fixture
def migrated_database_file(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The engine's SQLite file, named for `leercoach` by LEERCOACH_DATABASE_URL."""
    for name in ("LEERCOACH_PROMPTS_DIR", "LEERCOACH_DEFAULT_LOCALE",
                 "LEERCOACH_DEFAULT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    yield sqlite_url


# -- the whole conversation ------------------------------------------------------------------


@LOCALES
def test_the_whole_conversation_confirmed_with_a_five_year_plan(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = NOVEMBER
    person_id = meet(engine, chat, database, clock, locale, "Anouk de Boer")

    feedback = through_the_conversation(chat, locale)
    assert says["feedback"] in joined(feedback)
    check = the(Question, feedback)
    for part in ("heard", "summary_preparation", "summary_organisation", "summary_seeking",
                 "summary_customers", "summary_aligned", "check"):
        assert says[part] in check.text, part
    assert [c.value for c in check.choices] == ["yes", "no"]
    assert active_flow(database) == "learning_conversation_feedback"

    # The first two parts are kept as soon as they are done.
    [canvas] = canvases(database)
    assert canvas.person_id == person_id
    assert canvas.answers == {**PREPARATION, "seeking": "new_perspectives", **CONVERSATION,
                              "aligned": 2}
    assert canvas.summary in check.text
    assert not canvas.confirmed and canvas.plan == {}

    form = the(Form, chat.say(YES[locale]))
    assert form.title == says["plan"]
    assert form.intro is not None and says["plan_hint"] in form.intro
    assert [f.name for f in form.fields] == [f"year_{n}" for n in range(1, 6)]
    assert form.fields[0].label == says["year_1"]
    assert all(f.multiline for f in form.fields)
    assert [f.required for f in form.fields] == [True, False, False, False, False]

    closing = joined(fill(chat, form, PLAN))
    assert says["saved"] in closing and says["with_plan"] in closing
    assert says["with_correction"] not in closing
    assert says["discuss"] in closing
    assert active_flow(database) is None

    [canvas] = canvases(database)
    assert canvas.confirmed is True
    assert canvas.correction is None
    assert canvas.plan == PLAN
    assert canvas.organisation_id > 0


@LOCALES
def test_a_correction_is_kept_with_the_canvas(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = NOVEMBER
    meet(engine, chat, database, clock, locale, "Anouk de Boer")
    through_the_conversation(chat, locale)

    asked = the(Question, chat.say(NO[locale]))
    assert says["correction"] in asked.text
    correction = "Het budget is er wel, maar het gaat vooral naar verplichte scholing."
    form = the(Form, chat.say(correction))
    closing = joined(fill(chat, form, {"year_1": "Leerbeleid schrijven."}))
    assert says["saved"] in closing and says["with_correction"] in closing

    [canvas] = canvases(database)
    assert canvas.confirmed is False
    assert canvas.correction == correction
    assert canvas.plan == {"year_1": "Leerbeleid schrijven.", "year_2": "", "year_3": "",
                           "year_4": "", "year_5": ""}


def test_skipped_questions_are_left_out_of_the_summary(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = NOVEMBER
    meet(engine, chat, database, clock)
    chat.say("open leergesprek")
    chat.say("Gemeente Noorddorp")
    for _ in range(12):  # everything else, up to the scale
        chat.say("overslaan")
    check = the(Question, chat.say("overslaan"))
    assert "• Organisatie of onderdeel: Gemeente Noorddorp" in check.text
    assert "*2. Het gesprek" not in check.text and "Klanten" not in check.text
    [canvas] = canvases(database)
    assert canvas.answers == {"organisation": "Gemeente Noorddorp"}


def test_the_plan_needs_a_first_year_and_a_stop_keeps_the_feedback(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = NOVEMBER
    meet(engine, chat, database, clock)
    through_the_conversation(chat, "nl")
    form = the(Form, chat.say("ja"))
    again = the(Form, fill(chat, form, {"year_1": "", "year_2": "Iets."}))
    assert again.fields[0].error is not None
    assert active_flow(database) == "learning_conversation_feedback"

    chat.say("stop")
    assert active_flow(database) is None
    [canvas] = canvases(database)
    assert canvas.confirmed is True  # said before the stop, so kept
    assert canvas.plan == {}


def test_what_was_typed_is_shown_as_typed(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = NOVEMBER
    meet(engine, chat, database, clock)
    chat.say("leergesprek")
    chat.say("{{ 7*7 }} en {% if true %}x{% endif %}")
    for _ in range(12):
        chat.say("overslaan")
    check_text = the(Question, chat.say("overslaan")).text
    assert "{{ 7*7 }} en {% if true %}x{% endif %}" in check_text


# -- the document, the data export, the dashboard ----------------------------------------------


@LOCALES
def test_canvas_export_writes_the_latest_canvas_as_markdown(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine,
    migrated_database_file: str, capsys: pytest.CaptureFixture[str],
) -> None:
    says = SAYS[locale]
    clock.now = NOVEMBER
    meet(engine, chat, database, clock, locale, "Anouk de Boer")

    code, out, err = invoke(capsys, "canvas", "export", "--user", "alice")
    assert code == 1 and out == "" and "no learning conversation canvas" in err

    through_the_conversation(chat, locale)
    fill(chat, the(Form, chat.say(YES[locale])), PLAN)

    code, out, err = invoke(capsys, "canvas", "export", "--user", "alice", "--platform", "test",
                         "--tenant", "acme")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == says["title"]
    assert says["byline"] in lines
    headings = [line for line in lines if line.startswith("#")]
    assert headings[:6] == [says["title"], says["part_1"], says["part_2"], says["sides"],
                            says["part_3"], says["part_4"]]
    assert headings[6:] == [says["year"].format(n=n) for n in range(1, 6)]
    for part in ("md_organisation", "md_vuca", "md_aligned"):
        assert says[part] in lines, part
    assert says["confirmed"] in out.split(says["part_3"])[1]
    plan = out.split(says["part_4"])[1]
    for step in PLAN.values():
        assert step in plan
    assert plan.index(PLAN["year_1"]) < plan.index(PLAN["year_2"]) < plan.index(PLAN["year_5"])

    # A second conversation, corrected and without a plan yet, is the one exported.
    through_the_conversation(chat, locale)
    chat.say(NO[locale])
    chat.say("Eerste regel.\nTweede regel.")
    chat.say("stop")
    code, out, _ = invoke(capsys, "canvas", "export", "--user", "alice")
    assert code == 0
    assert says["corrected"] in out
    assert "> Eerste regel.\n> Tweede regel." in out
    assert PLAN["year_1"] not in out
    assert len(canvases(database)) == 2


def test_canvas_export_of_an_unknown_person_fails_politely(
    migrated_database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = invoke(capsys, "canvas", "export", "--user", "nobody")
    assert code == 1 and out == ""
    assert err.startswith("leercoach: ") and "Traceback" not in err


def test_the_data_export_includes_the_canvas(
    engine: Coach, chat: Chat, clock: Clock, database: Engine, migrated_database_file: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock.now = NOVEMBER
    meet(engine, chat, database, clock)
    through_the_conversation(chat, "nl")
    chat.say("nee")
    fill(chat, the(Form, chat.say("De teamleiders zijn nog niet betrokken.")), PLAN)

    with Session(database) as session:
        data = export_person(session, find_person(session, "alice"))
    [canvas] = data["learning_canvases"]
    assert canvas["answers"]["organisation"] == PREPARATION["organisation"]
    assert canvas["correction"] == "De teamleiders zijn nog niet betrokken."
    assert canvas["plan"] == PLAN
    assert "Zorggroep De Linde" in canvas["summary"]

    code, out, _ = invoke(capsys, "privacy", "export", "--user", "alice")
    assert code == 0
    assert json.loads(out)["learning_canvases"][0]["id"] == canvas["id"]


def test_canvases_of_an_organisation_for_its_dashboard(
    engine: Coach, clock: Clock, database: Engine
) -> None:
    clock.now = NOVEMBER
    anouk, bram = Chat(engine, "anouk"), Chat(engine, "bram")
    meet(engine, anouk, database, clock, "nl", "Anouk de Boer")
    meet(engine, bram, database, clock, "en", "Bram Smit")
    through_the_conversation(anouk, "nl")
    fill(anouk, the(Form, anouk.say("ja")), PLAN)
    clock.advance(hours=1)
    through_the_conversation(bram, "en")

    with database.connect() as connection:
        organisation = canvases(database)[0].organisation_id
        found = canvases_of(connection, organisation)
        assert canvases_of(connection, organisation + 100) == []
    assert [c["person_name"] for c in found] == ["Bram Smit", "Anouk de Boer"]
    newest, oldest = found
    assert newest["confirmed"] is False and newest["plan"] == ["", "", "", "", ""]
    assert oldest["confirmed"] is True
    assert oldest["plan"] == [PLAN[f"year_{n}"] for n in range(1, 6)]
    assert oldest["unit"] == PREPARATION["organisation"]
    assert oldest["answers"]["aligned"] == 2
    assert "Klanten" in oldest["summary"] and "Customers" in newest["summary"]
    json.dumps(found)  # ready for the dashboard as it is


def test_the_commands_start_the_conversation_in_both_languages(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    for word in ("leergesprek", "Open leergesprek", "learning conversation", "/leergesprek"):
        match = engine.prompts.command_for(word)
        assert match is not None and match.command.flow == "learning_conversation", word
    meet(engine, chat, database, clock)
    assert "*leergesprek*: voor leidinggevenden en HR" in chat.say_text("hulp")

