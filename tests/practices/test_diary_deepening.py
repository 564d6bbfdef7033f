"""The diary's one deepening question: chosen by rules from what the person wrote, quoting
it, asked before the closing, never by the same rule twice running, skippable, and kept with
the entry (export and personal page)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Question
from bot.core.prompts import PromptLibrary
from bot.learning_record.diary import FOLLOW_UP_QUESTION, FOLLOW_UP_RULE
from bot.practices.diary import deepening
from bot.reports.personal_page import history
from bot.storage.models import DiaryEntry
from tests.conftest import Chat, Clock
from tests.rigs.records import meet

PROMPTS = PromptLibrary.builtin()
pytestmark = pytest.mark.deepening


def lists(locale: str = "nl") -> deepening.Lists:
    return deepening.Lists.of(PROMPTS, locale)


def chosen(moments: str, approach: str = "", learning: str = "", last: str | None = None,
           locale: str = "nl") -> tuple[str, str] | None:
    answers = {"moments": moments, "approach": approach, "learning": learning}
    follow_up = deepening.choose(answers, lists(locale), last)
    return (follow_up.rule, follow_up.variables["quote"]) if follow_up else None


@pytest.mark.parametrize(("moments", "approach", "learning", "rule", "quoted"), [
    # very short moment → a concrete example, quoting it
    ("lastig gesprek", "doorgevraagd", "eerst vragen", "example", "lastig gesprek"),
    # a feeling, typed sloppily and Flemish → what they did with it, quoting the clause
    ("De klant belde voor de derde keer over dezelfde factuur en ik werd er echt "
     "geirriteerd van. Daarna ging het beter", "rustig gebleven", "Morgen eerst luisteren",
     "feeling", "ik werd er echt geirriteerd van"),
    ("ik was best zenuwachtig voor mn presentatie bij het MT vanmorgen",
     "gewoon begonnen", "morgen oefenen", "feeling", "zenuwachtig"),
    ("k was precies wel fier op da rapport dat ik heb afgewerkt voor de klant",
     "niks speciaals", "morgen doorzetten", "feeling", "fier"),
    # others named → own part
    ("In de retro hebben we besloten om de releases kleiner te maken",
     "ik heb vooral geluisterd", "Kleine stappen werken beter, morgen in de standup",
     "own_part", "hebben we besloten"),
    # a lesson without a when → when tomorrow
    ("Ik heb een offerte helemaal zelf opgesteld en verstuurd naar de opdrachtgever",
     "Ik heb het stap voor stap gedaan", "Eerst de vraag helder krijgen voor ik begin",
     "own_part", "opdrachtgever"),
    ("Ik heb een offerte helemaal zelf opgesteld en verstuurd vandaag",
     "Ik heb het stap voor stap gedaan met de checklist",
     "Eerst de vraag helder krijgen voor ik begin", "when", "Eerst de vraag helder krijgen"),
])
def test_each_rule_reads_what_was_written(moments: str, approach: str, learning: str,
                                          rule: str, quoted: str) -> None:
    found = chosen(moments, approach, learning)
    assert found is not None
    assert found[0] == rule
    assert quoted in found[1]
    assert found[1] in " ".join(f"{moments} {approach} {learning}".split()) or "…" in found[1]


def test_english_lists_are_read_too() -> None:
    assert chosen("I felt really nervous before the demo with the client", "", "",
                  locale="en") == ("feeling", "I felt really nervous before the demo with the "
                                              "client")
    found = chosen("my colleague and I fixed the build pipeline together today",
                   "pair programming", "pairing saves time", locale="en")
    assert found is not None and found[0] == "own_part"
    lesson = chosen("I wrote the release notes for the new version on my own",
                    "asked for a review first", "ask for review before sending", locale="en")
    assert lesson is not None and lesson[0] == "when"


def test_never_the_same_rule_as_last_time() -> None:
    answers = ("ik was gefrustreerd na het overleg met de manager", "weggelopen",
               "eerst ademhalen")
    first = chosen(*answers)
    assert first is not None and first[0] == "feeling"
    second = chosen(*answers, last="feeling")
    assert second is not None and second[0] != "feeling"


@pytest.mark.parametrize(("locale", "nothing"), [
    ("nl", "niks"), ("nl", "Niets."), ("nl", "nvt"), ("nl", "geen idee"), ("nl", "-"),
    ("nl", "niks bijzonders"), ("en", "nothing"), ("en", "n/a"), ("en", "not really")])
def test_nothing_written_gets_no_follow_up(locale: str, nothing: str) -> None:
    assert deepening.choose({"moments": nothing, "approach": nothing, "learning": nothing},
                            lists(locale), None) is None


def test_a_lesson_with_a_moment_needs_no_when() -> None:
    for lesson in ("morgen in de standup eerst vragen", "Om 9u15 bel ik haar terug",
                   "dinsdag probeer ik het opnieuw", "tijdens het overleg eerst luisteren"):
        assert deepening.has_when(lesson, lists()), lesson


def _diary(chat: Chat, moments: str, approach: str, learning: str, value: str = "4") -> str:
    chat.say_text("dagboek")
    chat.say_text(moments)
    chat.say_text(approach)
    chat.say_text(learning)
    return chat.say_text(value)


def _entries(database: Engine) -> list[DiaryEntry]:
    with Session(database) as session:
        return list(session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)))


def test_one_follow_up_before_the_closing_stored_with_the_entry(
    engine: Coach, chat: Chat, database: Engine, clock: Clock
) -> None:
    person = meet(engine, chat, database, clock)
    asked = _diary(chat, "Een klant belde boos op over een late levering",
                   "Ik heb eerst laten uitrazen", "Eerst luisteren werkt")
    assert "“Een klant belde boos op over een late levering”" in asked
    assert "Wat heb je met dat gevoel gedaan?" in asked
    assert "is bewaard" not in asked  # the closing comes after the follow-up
    question = chat.last[-1].message
    assert isinstance(question, Question) and [c.label for c in question.choices] == [
        "Overslaan"]
    closing = chat.say_text("Ik heb mijn ergernis benoemd en toen een oplossing voorgesteld")
    assert "Je dagboek van" in closing and "is bewaard" in closing
    [entry] = _entries(database)
    assert entry.extra["deepen"] == ("Ik heb mijn ergernis benoemd en toen een oplossing "
                                     "voorgesteld")
    assert entry.extra[FOLLOW_UP_RULE] == "feeling"
    assert "Wat heb je met dat gevoel gedaan?" in entry.extra[FOLLOW_UP_QUESTION]
    with database.connect() as connection:
        page = history(connection, person, "nl")
    assert page is not None
    assert page.diary[0].follow_up == entry.extra[FOLLOW_UP_QUESTION]
    assert page.diary[0].follow_up_answer == entry.extra["deepen"]


def test_next_day_another_rule_and_skip_by_button_or_word(
    engine: Coach, chat: Chat, database: Engine, clock: Clock
) -> None:
    meet(engine, chat, database, clock)
    same = ("Ik was zenuwachtig voor het gesprek met mijn leidinggevende",
            "Ik heb het toch gedaan", "Gewoon beginnen helpt")
    first = _diary(chat, *same)
    assert "Wat heb je met dat gevoel gedaan?" in first
    chat.send(value="skip", reply_to=chat.last[-1].message.ref)  # type: ignore[union-attr]
    clock.advance(days=1)
    second = _diary(chat, *same)
    assert "Wat heb je met dat gevoel gedaan?" not in second
    assert "Wat was jouw eigen aandeel daarin?" in second
    assert "is bewaard" in chat.say_text("overslaan")
    first_entry, second_entry = _entries(database)
    assert "deepen" not in first_entry.extra and "deepen" not in second_entry.extra
    assert (first_entry.extra[FOLLOW_UP_RULE], second_entry.extra[FOLLOW_UP_RULE]) == (
        "feeling", "own_part")


def test_nothing_to_deepen_goes_straight_to_the_closing(
    engine: Coach, chat: Chat, database: Engine, clock: Clock
) -> None:
    """'niks' at a question is no answer (it gets an easier question, which can be
    skipped); a diary left with nothing to ask about closes without a follow-up."""
    meet(engine, chat, database, clock)
    chat.say_text("dagboek")
    assert "overslaan" in chat.say_text("niks")  # the easier question, not stored
    chat.say_text("overslaan")
    chat.say_text("nvt")
    chat.say_text("niets")
    chat.say_text("overslaan")
    assert "is bewaard" in chat.say_text("4")
    [entry] = _entries(database)
    assert FOLLOW_UP_RULE not in entry.extra
    assert "niks" not in str(entry.moments or "") and "niets" not in str(entry.learning or "")


def test_english_follow_up(engine: Coach, chat: Chat, database: Engine, clock: Clock) -> None:
    meet(engine, chat, database, clock, locale="en")
    chat.say_text("diary")
    chat.say_text("standup")
    chat.say_text("asked questions")
    chat.say_text("questions first")
    asked = chat.say_text("3")
    assert "You wrote: “standup”. Could you give a concrete example?" in asked
