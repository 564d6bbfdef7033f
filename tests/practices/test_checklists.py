"""Checklists for critical tasks (seed 000, performance support): facilitators import them
with `leercoach checklists import FILE`, people call one up in chat (Dutch and English), tick
it off round by round, and may turn it into a learning moment in today's diary."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.core.messages import Message, Notice, Question
from bot.people.directory import default_organisation
from bot.practices.checklists.records import ChecklistSpec, import_checklists
from bot.privacy.export import export_person, find_person
from bot.storage.database import create_db_engine
from bot.storage.models import Checklist, ChecklistItem, ChecklistRun, Dialog, DiaryEntry
from tests.conftest import Chat, Clock, joined
from tests.rigs.cli import invoke
from tests.rigs.records import meet

HANDOVER: dict[str, Any] = {
    "code": "overdracht",
    "name_nl": "Overdracht van een patiënt",
    "name_en": "Patient handover",
    "discipline": "Verpleegkunde",
    "task": "Overdracht",
    "items": [
        {"item_nl": "Naam en geboortedatum gecontroleerd",
         "item_en": "Name and date of birth checked"},
        {"item_nl": "Allergieën nagevraagd", "item_en": "Allergies asked"},
        {"item_nl": "Medicatie doorgenomen", "item_en": "Medication reviewed"},
    ],
}
INCIDENT: dict[str, Any] = {
    "code": "incident",
    "name_nl": "Incident melden",
    "name_en": "Reporting an incident",
    "items": [{"item_nl": "Situatie veilig", "item_en": "Situation safe"},
              {"item_nl": "Melding gedaan", "item_en": "Report filed"}],
}


# -- the command line ----------------------------------------------------------------------------


def stored(url: str) -> dict[str, tuple[Checklist, list[tuple[str, str]]]]:
    """Every checklist by code, with its items (nl, en) in order."""
    database = create_db_engine(url)
    try:
        with Session(database) as session:
            result = {}
            for row in session.scalars(select(Checklist)):
                items = session.execute(
                    select(ChecklistItem.text_nl, ChecklistItem.text_en)
                    .where(ChecklistItem.checklist_id == row.id)
                    .order_by(ChecklistItem.position)
                ).all()
                result[row.code] = (row, [(nl, en) for nl, en in items])
            return result
    finally:
        database.dispose()


def count_checklists(url: str) -> int:
    database = create_db_engine(url)
    try:
        with Session(database) as session:
            return int(session.scalar(select(func.count()).select_from(Checklist)) or 0)
    finally:
        database.dispose()


@pytest.mark.slow
def test_yaml_import_list_and_reimport_updates_by_code(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "checklists.yaml"
    source.write_text(yaml.safe_dump({"checklists": [HANDOVER, INCIDENT]}, allow_unicode=True),
                      encoding="utf-8")
    code, out, err = invoke(capsys, "checklists", "import", str(source))
    assert (code, err) == (0, "")
    assert "imported 2 checklists into organisation 'default': 2 added" in out

    checklists = stored(database_file)
    row, items = checklists["overdracht"]
    assert (row.name_nl, row.name_en, row.discipline, row.task) == (
        "Overdracht van een patiënt", "Patient handover", "Verpleegkunde", "Overdracht")
    assert items[1] == ("Allergieën nagevraagd", "Allergies asked")
    assert len(checklists["incident"][1]) == 2

    code, out, _ = invoke(capsys, "checklists", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("overdracht")
    assert "Overdracht van een patiënt | Patient handover" in lines[0]
    assert "(3 items; Verpleegkunde / Overdracht)" in lines[0]
    assert "(2 items)" in lines[1]

    # Re-import: one checklist changes (a name, an item and one item more), one does not.
    changed = {**HANDOVER, "name_nl": "Overdracht",
               "items": [*HANDOVER["items"][:2],
                         {"item_nl": "Medicatie gecontroleerd", "item_en": "Medication checked"},
                         {"item_nl": "Vragen gesteld", "item_en": "Questions asked"}]}
    source.write_text(yaml.safe_dump([changed, INCIDENT], allow_unicode=True), encoding="utf-8")
    code, out, _ = invoke(capsys, "checklists", "import", str(source))
    assert code == 0 and "0 added, 1 updated, 1 unchanged" in out
    row, items = stored(database_file)["overdracht"]
    assert row.name_nl == "Overdracht"
    assert [nl for nl, _ in items] == [
        "Naam en geboortedatum gecontroleerd", "Allergieën nagevraagd",
        "Medicatie gecontroleerd", "Vragen gesteld"]
    # ... and a shorter list drops the items beyond it.
    source.write_text(yaml.safe_dump([{**HANDOVER, "items": HANDOVER["items"][:1]}]),
                      encoding="utf-8")
    assert invoke(capsys, "checklists", "import", str(source))[0] == 0
    assert len(stored(database_file)["overdracht"][1]) == 1

    # Archived checklists are listed only with --all, and can be offered again.
    code, out, _ = invoke(capsys, "checklists", "archive", "incident")
    assert code == 0 and "archived checklist 'incident': Incident melden" in out
    _, out, _ = invoke(capsys, "checklists", "list")
    assert "incident" not in out
    _, out, _ = invoke(capsys, "checklists", "list", "--all")
    assert "incident" in out and "[archived]" in out
    assert invoke(capsys, "checklists", "archive", "incident", "--undo")[0] == 0
    assert not stored(database_file)["incident"][0].archived
    code, _, err = invoke(capsys, "checklists", "archive", "nope")
    assert code == 2 and "has no checklist 'nope'" in err


def test_csv_import_with_excel_semicolons_and_one_row_per_item(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "checklists.csv"
    columns = ["code", "name_nl", "name_en", "discipline", "task", "item_nl", "item_en"]
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(columns)
        first, *rest = HANDOVER["items"]
        writer.writerow([HANDOVER[name] for name in columns[:5]]
                        + [first["item_nl"], first["item_en"]])
        for item in rest:  # the checklist's own fields may stay empty after its first row
            writer.writerow(["overdracht", "", "", "", "", item["item_nl"], item["item_en"]])
        writer.writerow(["incident", INCIDENT["name_nl"], INCIDENT["name_en"], "", "",
                         "Situatie veilig; echt", "Situation safe"])
        writer.writerow(["", "", "", "", "", "Melding gedaan", "Report filed"])
    code, out, err = invoke(capsys, "checklists", "import", str(source))
    assert (code, err) == (0, "")
    assert "2 added, 0 updated, 0 unchanged" in out

    checklists = stored(database_file)
    row, items = checklists["overdracht"]
    assert (row.name_en, row.task) == ("Patient handover", "Overdracht")
    assert items == [(i["item_nl"], i["item_en"]) for i in HANDOVER["items"]]
    assert checklists["incident"][1] == [("Situatie veilig; echt", "Situation safe"),
                                         ("Melding gedaan", "Report filed")]
    # The same checklists through YAML change nothing.
    same = tmp_path / "same.yml"
    incident = {**INCIDENT, "items": [{"item_nl": "Situatie veilig; echt",
                                       "item_en": "Situation safe"}, INCIDENT["items"][1]]}
    same.write_text(yaml.safe_dump([HANDOVER, incident], allow_unicode=True), encoding="utf-8")
    code, out, _ = invoke(capsys, "checklists", "import", str(same))
    assert "0 added, 0 updated, 2 unchanged" in out


GOOD_YAML = (
    "- code: goed\n  name_nl: Goed\n  name_en: Good\n  items:\n"
    "    - {item_nl: Een, item_en: One}\n"
)
COLUMNS = "code,name_nl,name_en,item_nl,item_en\n"
BAD_FILES = [
    ("bad.yaml", GOOD_YAML + "- code: a\n  name_nl: [unclosed\n", ["not valid YAML"]),
    ("missing.yaml",
     GOOD_YAML + "- code: a\n  name_nl: A\n  items:\n    - {item_nl: X}\n",
     ["line 6: checklist 'a': name_en is missing",
      "line 9: checklist 'a': item_en is missing"]),
    ("unknown.yaml",
     GOOD_YAML + "- code: a\n  name_nl: A\n  name_en: A\n  nam_en: typo\n"
     "  items:\n    - {item_nl: X, item_en: X, note: y}\n",
     ["line 9: checklist 'a': unknown field 'nam_en'",
      "line 11: checklist 'a': unknown item field 'note'"]),
    ("twice.yaml", GOOD_YAML + GOOD_YAML.replace("Goed", "Ander").replace("Good", "Other"),
     ["line 6: code 'goed' appears twice (also on line 1)"]),
    ("noitems.yaml", GOOD_YAML + "- {code: leeg, name_nl: Leeg, name_en: Empty}\n",
     ["line 6: checklist 'leeg' has no items"]),
    ("samename.yaml", GOOD_YAML + GOOD_YAML.replace("code: goed", "code: ander"),
     ["line 7: checklist 'ander': the name 'Goed' is also the name of checklist 'goed' "
      "(line 1)", "line 8: checklist 'ander': the name 'Good' is also"]),
    ("notext.yaml", GOOD_YAML + "- {code: a, name_nl: yes, name_en: A, items: [{item_nl: X, "
     "item_en: X}]}\n", ["line 6: checklist 'a': name_nl must be text"]),
    ("shape.yaml", "title: my checklists\n", ["expected a list of checklists"]),
    ("empty.yaml", "", ["the file has no checklists"]),
    ("header.csv", "code,name_nl,name_en\na,A,A\n",
     ["line 1: the header lacks the column(s) item_nl, item_en"]),
    ("rows.csv",
     COLUMNS + "goed,Goed,Good,Een,One\nBad Code,B,B,X,X\na,A,A,,X\n"
     "goed,,,Twee,Two\n\"b\",B2,B2,\"X\nY\",X,surplus\n",
     ["line 3: code 'Bad Code' may only hold lowercase letters",
      "line 4: checklist 'a': item_nl is missing",
      "line 5: checklist 'goed' continues after another one began",
      "line 6: more values than the header has columns"]),
    ("differs.csv", COLUMNS + "goed,Goed,Good,Een,One\ngoed,Anders,,Twee,Two\n",
     ["line 3: checklist 'goed': name_nl differs from line 2"]),
    ("checklists.txt", "code\n", ["use a .yaml, .yml or .csv file"]),
]


@pytest.mark.parametrize(("name", "content", "messages"), BAD_FILES)
def test_a_bad_file_is_refused_with_every_problem_by_line_and_nothing_is_imported(
    database_file: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    messages: list[str],
) -> None:
    invoke(capsys, "checklists", "list")  # the database, migrated
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = invoke(capsys, "checklists", "import", str(path))
    assert code == 2
    assert out == ""
    assert "nothing was imported" in err or "use a .yaml" in err
    for message in messages:
        assert message in err
    assert count_checklists(database_file) == 0


def test_a_name_another_checklist_has_is_refused(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(yaml.safe_dump([INCIDENT]), encoding="utf-8")
    assert invoke(capsys, "checklists", "import", str(first))[0] == 0
    second = tmp_path / "second.yaml"
    second.write_text(yaml.safe_dump([HANDOVER, {**INCIDENT, "code": "melden"}]),
                      encoding="utf-8")
    code, out, err = invoke(capsys, "checklists", "import", str(second))
    assert code == 2 and out == ""
    assert "checklist 'melden': the name 'Incident melden' is already the name of " \
        "checklist 'incident'" in err
    assert set(stored(database_file)) == {"incident"}  # the handover was not imported either


def test_list_of_an_organisation_without_checklists(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = invoke(capsys, "checklists", "list")
    assert code == 0 and "organisation 'default' has no active checklists" in out
    code, _, err = invoke(capsys, "checklists", "list", "--organisation", "acme")
    assert code == 2 and "there is no organisation 'acme'" in err


# -- in chat -----------------------------------------------------------------------------------


SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "command": "checklijst overdracht",
        "how_far": "Hoe ver ben je met *Overdracht van een patiënt*? Vink af wat je al "
                   "gedaan hebt.",
        "done": "Klaar",
        "ticked": "Afgevinkt: Naam en geboortedatum gecontroleerd en Medicatie doorgenomen.",
        "progress": "*Overdracht van een patiënt*: 2 van de 3 afgevinkt. Wat heb je nu gedaan?",
        "already": "Dat stond al afgevinkt.",
        "all": "Alles van *Overdracht van een patiënt* is afgevinkt. Goed gedaan!",
        "offer": "Wil je er een leermoment van maken?",
        "moment": "Wat was het leermoment?",
        "saved": "Je leermoment staat in je dagboek van vandaag.",
        "item": "Allergieën nagevraagd",
    },
    "en": {
        "command": "checklist patient handover",
        "how_far": "How far along are you with *Patient handover*? Tick off what you've "
                   "already done.",
        "done": "Done",
        "ticked": "Ticked off: Name and date of birth checked and Medication reviewed.",
        "progress": "*Patient handover*: 2 of 3 ticked off. What have you done now?",
        "already": "That was already ticked off.",
        "all": "Everything on *Patient handover* is ticked off. Well done!",
        "offer": "Would you like to make a learning moment of it?",
        "moment": "What was the learning moment?",
        "saved": "Your learning moment is in today's diary.",
        "item": "Allergies asked",
    },
}
LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])

pytestmark = pytest.mark.usefixtures("no_failed_turns")


def spec(data: dict[str, Any]) -> ChecklistSpec:
    return ChecklistSpec(
        code=data["code"], name_nl=data["name_nl"], name_en=data["name_en"],
        discipline=data.get("discipline", ""), task=data.get("task", ""),
        items=tuple((i["item_nl"], i["item_en"]) for i in data["items"]),
    )


def add_checklists(database: Engine, settings: Settings, *data: dict[str, Any]) -> None:
    with Session(database) as session, session.begin():
        organisation = default_organisation(session, settings)
        import_checklists(session, organisation.id, [spec(d) for d in data])


def question(messages: list[Message]) -> Question:
    found = [m for m in messages if isinstance(m, Question)]
    assert len(found) == 1, messages
    return found[0]


def runs(database: Engine) -> list[ChecklistRun]:
    with Session(database) as session:
        return list(session.scalars(select(ChecklistRun).order_by(ChecklistRun.id)))


def diary_entries(database: Engine) -> list[DiaryEntry]:
    with Session(database) as session:
        return list(session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)))


def labels(asked: Question) -> list[str]:
    return [choice.label for choice in asked.choices]


@LOCALES
def test_call_up_tick_off_and_make_a_learning_moment_of_it(
    engine: Coach, chat: Chat, database: Engine, settings: Settings, clock: Clock,
    locale: str,
) -> None:
    says = SAYS[locale]
    add_checklists(database, settings, HANDOVER, INCIDENT)
    meet(engine, chat, database, clock, locale)

    first = question(chat.say(says["command"]))
    assert first.text == says["how_far"]
    assert first.multiple
    items = [i[f"item_{locale}"] for i in HANDOVER["items"]]
    assert labels(first) == [*items, says["done"]]
    [run] = runs(database)
    assert (run.ticked, run.finished_at) == ([], None)

    # Buttons: two items ticked at once.
    replies = chat.send(values=("1", "3"), reply_to=first.ref)
    assert joined(replies).startswith(says["ticked"])
    second = question(replies)
    assert second.text == says["progress"]
    assert labels(second) == [f"✓ {items[0]}", items[1], f"✓ {items[2]}", says["done"]]
    assert runs(database)[0].ticked == [1, 3]

    # A repeated tick (typed) changes nothing; the button of the first round is stale.
    replies = chat.say("1")
    assert says["already"] in joined(replies)
    third = question(replies)
    assert third.text == says["progress"]
    replies = chat.send(values=("2",), reply_to=first.ref)
    assert isinstance(replies[0], Notice)
    assert question(replies).ref == third.ref
    assert runs(database)[0].ticked == [1, 3]

    # The last item, by name: all is ticked, so the run is done.
    replies = chat.say(says["item"].lower())
    assert says["all"] in joined(replies)
    offer = question(replies)
    assert offer.text == says["offer"]
    [run] = runs(database)
    assert run.ticked == [1, 2, 3]
    assert run.finished_at == clock.now

    moment = chat.say_text("ja" if locale == "nl" else "yes")
    assert says["moment"] in moment
    closing = chat.say_text("Bijna de allergieën vergeten {{ 7*7 }}.")
    assert says["saved"] in closing
    [entry] = diary_entries(database)
    assert entry.moments == "Bijna de allergieën vergeten {{ 7*7 }}."
    assert entry.local_date == date(2026, 3, 11)
    assert (entry.learning, entry.value) == (None, None)
    assert entry.extra == {"checklist": "overdracht", "checklist_run": run.id}
    with Session(database) as session:
        assert session.scalar(select(Dialog).where(Dialog.status == "active")) is None


def test_done_before_everything_is_ticked_and_no_learning_moment(
    engine: Coach, chat: Chat, database: Engine, settings: Settings, clock: Clock,
) -> None:
    add_checklists(database, settings, HANDOVER)
    meet(engine, chat, database, clock)
    question(chat.say("Checklist Overdracht"))  # by the start of its name, any case
    replies = chat.say("2, klaar")
    assert "Je rondt *Overdracht van een patiënt* af met 1 van de 3 punten afgevinkt." \
        in joined(replies)
    assert question(replies).text == SAYS["nl"]["offer"]
    assert "Succes met je werk" in chat.say_text("nee")
    [run] = runs(database)
    assert run.ticked == [2] and run.finished_at == clock.now
    assert diary_entries(database) == []


def test_unknown_or_no_name_asks_which_checklist(
    engine: Coach, chat: Chat, database: Engine, settings: Settings, clock: Clock,
) -> None:
    meet(engine, chat, database, clock)
    assert "Er staan er nog geen klaar" in chat.say_text("checklijst")

    add_checklists(database, settings, HANDOVER, INCIDENT)
    pick = question(chat.say("checklijst brandoefening"))
    assert pick.text == "Een checklist ‘brandoefening’ ken ik niet. Welke bedoel je?"
    assert labels(pick) == ["Overdracht van een patiënt", "Incident melden"]
    assert not pick.multiple
    assert runs(database) == []
    replies = chat.send(value="incident", reply_to=pick.ref)
    assert "Hoe ver ben je met *Incident melden*?" in question(replies).text
    [run] = runs(database)

    pick = question(chat.say("checklist"))  # without a name; the open round is set aside
    assert pick.text == "Welke checklist wil je erbij pakken?"
    tick = question(chat.say("1"))
    assert labels(tick)[0] == "Naam en geboortedatum gecontroleerd"
    incident, handover = runs(database)
    assert incident.id == run.id and incident.finished_at is None  # left halfway, kept
    assert handover.checklist_id != incident.checklist_id


def test_the_same_checklist_again_carries_on_and_an_unknown_name_can_be_an_answer(
    engine: Coach, chat: Chat, database: Engine, settings: Settings, clock: Clock,
) -> None:
    add_checklists(database, settings, HANDOVER)
    meet(engine, chat, database, clock)
    chat.say("checklijst overdracht")
    chat.say("1")
    again = question(chat.say("checklijst overdracht"))
    assert again.text == "*Overdracht van een patiënt*: 1 van de 3 afgevinkt. Wat heb je nu gedaan?"
    assert len(runs(database)) == 1

    # In the middle of the diary, "checklist …" naming no checklist is the diary's answer.
    chat.say("dagboek")
    chat.say("checklist gebruikt bij een lastige overdracht")
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).where(Dialog.status == "active"))
        assert dialog is not None and dialog.flow_id == "diary"
        assert dialog.answers == {"moments": "checklist gebruikt bij een lastige overdracht"}


def test_checklist_runs_are_in_the_persons_export(
    engine: Coach, chat: Chat, database: Engine, settings: Settings, clock: Clock,
) -> None:
    add_checklists(database, settings, HANDOVER, INCIDENT)
    meet(engine, chat, database, clock)
    chat.say("checklijst overdracht")
    chat.say("1, 2")
    Chat(engine, user="bob").say("checklijst incident")

    with Session(database) as session:
        data = export_person(session, find_person(session, "alice"))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    [run] = data["checklist_runs"]
    assert run["ticked"] == [1, 2]
    assert run["finished_at"] is None
    assert run["started_at"] == clock.now.isoformat()
    [used] = data["checklists_used"]
    assert used["id"] == run["checklist_id"]
    assert used["code"] == "overdracht"
    assert [item["text_en"] for item in used["items"]][:2] == [
        "Name and date of birth checked", "Allergies asked"]
