"""The engine's flows and the ways people interrupt them, in Dutch (the default) and English.

Every test talks to the engine the way an adapter would (through the `chat` helper) and then
looks in the database for what was kept.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.core.messages import InboundEvent, Message, Notice, Question, Scale, Text
from bot.privacy.export import find_person
from bot.runtime import build_coach
from bot.storage.models import Dialog, DiaryEntry, Person
from tests.conftest import Chat, Clock, joined

# The words a person types, per language (the engine understands all of them in any locale).
WORDS: dict[str, dict[str, str]] = {
    "nl": {"diary": "dagboek", "help": "hulp", "stop": "stoppen", "skip": "overslaan",
           "later": "later", "start": "start"},
    "en": {"diary": "diary", "help": "help", "stop": "stop", "skip": "skip",
           "later": "snooze", "start": "start"},
}

# What the coach says, per language: fragments that carry the meaning of each text.
SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "intro": "Tijd om even terug te kijken op je dag",
        "moments": "Welke leermomenten waren er vandaag?",
        "approach": "Hoe ben je daarmee omgegaan?",
        "learning": "Wat neem je hiervan mee?",
        "value": "Hoe leerzaam was je dag?",
        "saved": "is bewaard",
        "lesson": "Je les van vandaag: “{}”",
        "streak": "{} dagen op rij",
        "streak_word": "op rij",
        "already_today": "Je schreef vandaag al in je dagboek",
        "offer": "Zullen we samen je voorkeuren instellen",
        "help": "Ik ben je leercoach",
        "position": "vraag {} van {}",
        "stopped": "we stoppen hier",
        "kept": "bewaard",
        "nothing_to_stop": "Er loopt nu geen gesprek dat ik kan stoppen",
        "snoozed": "over {} minuten",
        "busy": "We zijn al bezig met je leerdagboek",
        "aside": "opzij",
        "stale": "Die vraag is al afgerond",
        "not_understood": "Wat wil je doen?",
        "expired": "bleef halverwege liggen",
        "resume": "We waren bij deze vraag",
        "welcome": "Welkom bij Leercoach",
        "language": "In welke taal wil je dat ik met je praat?",
        "timezone": "In welke tijdzone werk je?",
        "bad_timezone": "Die tijdzone ken ik niet",
        "workdays": "Op welke dagen werk je?",
        "diary_time": "Hoe laat wil je je dagboekvraag krijgen?",
        "has_colleague": "Heb je al een vaste collega",
        "want_pairing": "Zal ik je helpen er een te vinden",
        "done": "Klaar!",
    },
    "en": {
        "intro": "Time to look back on your day",
        "moments": "Which learning moments were there today?",
        "approach": "How did you deal with them?",
        "learning": "What will you take away from this?",
        "value": "How much did you learn today?",
        "saved": "is saved",
        "lesson": "Today's lesson: “{}”",
        "streak": "{} days in a row",
        "streak_word": "in a row",
        "already_today": "You already wrote in your diary today",
        "offer": "Shall we set your preferences together",
        "help": "I'm your learning coach",
        "position": "question {} of {}",
        "stopped": "let's stop here",
        "kept": "kept",
        "nothing_to_stop": "There's no conversation going on that I could stop",
        "snoozed": "in {} minutes",
        "busy": "We're already working on your learning diary",
        "aside": "aside",
        "stale": "That question has already been answered",
        "not_understood": "What would you like to do?",
        "expired": "was left halfway",
        "resume": "We were at this question",
        "welcome": "Welcome to Leercoach",
        "language": "Which language would you like me to use?",
        "timezone": "Which time zone do you work in?",
        "bad_timezone": "I don't know that time zone",
        "workdays": "Which days do you work?",
        "diary_time": "What time would you like your diary question?",
        "has_colleague": "Do you already have a steady colleague",
        "want_pairing": "Shall I help you find one",
        "done": "Done!",
    },
}

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])


pytestmark = pytest.mark.usefixtures("no_failed_turns")  # every turn must succeed


# -- helpers ---------------------------------------------------------------------------------


def use_locale(engine: Coach, chat: Chat, locale: str) -> None:
    if locale != "nl":
        engine.set_locale(chat.address, locale)


def diary_entries(database: Engine) -> list[DiaryEntry]:
    with Session(database) as session:
        return list(session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)))


def dialogs(database: Engine) -> list[Dialog]:
    with Session(database) as session:
        return list(session.scalars(select(Dialog).order_by(Dialog.id)))


def active_dialog(database: Engine) -> Dialog:
    active = [d for d in dialogs(database) if d.status == "active"]
    assert len(active) == 1, [(d.flow_id, d.status) for d in dialogs(database)]
    return active[0]


def person(database: Engine, user: str = "alice") -> Person:
    with Session(database) as session:
        return find_person(session, user)


def the(kind: type[Any], messages: list[Message]) -> Any:
    found = [m for m in messages if isinstance(m, kind)]
    assert len(found) == 1, messages
    return found[0]


def write_diary(
    chat: Chat,
    locale: str = "nl",
    *,
    moments: str = "Een lastig overleg met de klant.",
    approach: str = "Ik heb eerst vragen gesteld.",
    learning: str = "Eerst luisteren, dan pas antwoorden.",
    value: str = "4",
) -> list[Message]:
    """A whole diary, from the command to the closing text; returns the closing messages."""
    chat.say(WORDS[locale]["diary"])
    chat.say(moments)
    chat.say(approach)
    chat.say(learning)
    return chat.say(value)


def onboard(chat: Chat) -> None:
    """Get to know the coach by skipping every question (a known, onboarded person)."""
    chat.say("hallo")
    for _ in range(5):
        chat.say("overslaan")
    assert not [d for d in dialogs(chat.engine.database) if d.status == "active"]


# -- the full diary ----------------------------------------------------------------------------


@LOCALES
def test_full_diary_asks_four_questions_and_keeps_the_answers(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    use_locale(engine, chat, locale)
    clock.now = datetime(2026, 3, 11, 23, 30, tzinfo=UTC)  # already 12 March in Amsterdam

    first = chat.say(WORDS[locale]["diary"])
    assert says["intro"] in joined(first)
    assert the(Question, first).text == says["moments"]
    assert the(Question, first).choices == ()

    moments = "Het overleg met de klant liep anders dan gepland."
    second = chat.say(moments)
    assert the(Question, second).text == says["approach"]

    approach = "Ik heb eerst\nvragen gesteld – en toen pas advies gegeven."
    third = chat.say(approach)
    assert the(Question, third).text.startswith(says["learning"])

    learning = "Vragen stellen werkt beter dan meteen oplossen."
    fourth = chat.say(learning)
    scale = the(Scale, fourth)
    assert scale.text == says["value"]
    assert (scale.minimum, scale.maximum) == (1, 5)
    assert scale.low_label and scale.high_label

    closing = joined(chat.say("4"))
    assert says["saved"] in closing
    assert says["lesson"].format(learning) in closing

    [entry] = diary_entries(database)
    assert entry.moments == moments
    assert entry.approach == approach
    assert entry.learning == learning
    assert entry.value == 4
    assert isinstance(entry.value, int)
    assert entry.complete is True
    assert entry.local_date == date(2026, 3, 12)
    assert entry.person_id == person(database).id
    [dialog] = dialogs(database)
    assert dialog.status == "completed"
    assert dialog.local_date == date(2026, 3, 12)


def test_a_person_created_with_english_hears_english(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    first = chat.send(text="diary", locale="en")
    assert the(Question, first).text == SAYS["en"]["moments"]
    assert person(database).locale == "en"


@LOCALES
def test_the_closing_text_names_the_local_date(
    locale: str, engine: Coach, chat: Chat, clock: Clock
) -> None:
    use_locale(engine, chat, locale)
    clock.now = datetime(2026, 3, 11, 23, 30, tzinfo=UTC)
    closing = joined(write_diary(chat, locale))
    expected = {"nl": "donderdag 12 maart", "en": "Thursday 12 March"}[locale]
    assert expected in closing


# -- streaks -----------------------------------------------------------------------------------


def diary_on(chat: Chat, clock: Clock, day: date, locale: str = "nl") -> str:
    clock.now = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)
    return joined(write_diary(chat, locale))


@LOCALES
def test_streak_counts_consecutive_workdays(locale: str, engine: Coach, chat: Chat,
                                           clock: Clock) -> None:
    use_locale(engine, chat, locale)
    says = SAYS[locale]
    wednesday = date(2026, 3, 11)
    first = diary_on(chat, clock, wednesday, locale)
    assert says["streak_word"] not in first
    assert says["streak"].format(2) in diary_on(chat, clock, wednesday + timedelta(1), locale)
    assert says["streak"].format(3) in diary_on(chat, clock, wednesday + timedelta(2), locale)


def test_a_weekend_does_not_break_the_streak(chat: Chat, clock: Clock) -> None:
    thursday, friday, monday = date(2026, 3, 12), date(2026, 3, 13), date(2026, 3, 16)
    assert monday.weekday() == 0
    diary_on(chat, clock, thursday)
    diary_on(chat, clock, friday)
    assert "3 dagen op rij" in diary_on(chat, clock, monday)


def test_a_missed_workday_breaks_the_streak(chat: Chat, clock: Clock) -> None:
    diary_on(chat, clock, date(2026, 3, 10))  # Tuesday
    diary_on(chat, clock, date(2026, 3, 11))  # Wednesday
    # Thursday missed
    closing = diary_on(chat, clock, date(2026, 3, 13))  # Friday
    assert "op rij" not in closing
    assert "dagen op rij" in diary_on(chat, clock, date(2026, 3, 16))  # Monday: 2 again


def test_the_streak_follows_the_persons_own_workdays(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    """Someone who does not work on Wednesday keeps the streak from Tuesday to Thursday."""
    chat.say("hallo")
    chat.say("1")
    chat.say("overslaan")
    chat.say("maandag, dinsdag, donderdag, vrijdag")
    assert person(database).workdays == "mon,tue,thu,fri"
    chat.say("stop")
    diary_on(chat, clock, date(2026, 3, 10))  # Tuesday
    assert "2 dagen op rij" in diary_on(chat, clock, date(2026, 3, 12))  # Thursday


# -- a second diary on one day -------------------------------------------------------------


@LOCALES
def test_a_second_diary_on_the_same_day(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    write_diary(chat, locale, learning="Eerste les.")
    again = chat.say(WORDS[locale]["diary"])
    assert SAYS[locale]["already_today"] in joined(again)
    assert the(Question, again).text == SAYS[locale]["moments"]
    chat.say("Nog een moment.")
    chat.say("Weer anders aangepakt.")
    chat.say("Tweede les.")
    chat.say("5")
    entries = diary_entries(database)
    assert [e.learning for e in entries] == ["Eerste les.", "Tweede les."]
    assert [e.value for e in entries] == [4, 5]
    assert entries[0].local_date == entries[1].local_date


# -- onboarding -------------------------------------------------------------------------------


def test_first_contact_starts_onboarding_and_english_applies_at_once(
    chat: Chat, database: Engine
) -> None:
    first = chat.say("hallo")
    assert SAYS["nl"]["welcome"] in joined(first)
    language = the(Question, first)
    assert language.text == SAYS["nl"]["language"]
    assert [c.value for c in language.choices] == ["nl", "en"]

    timezone = chat.say("2")
    assert the(Question, timezone).text.startswith(SAYS["en"]["timezone"])
    assert "Europe/Amsterdam" in the(Question, timezone).text
    assert person(database).locale == "en"

    rejected = chat.say("Mars/Olympus_Mons")
    assert SAYS["en"]["bad_timezone"] in joined(rejected)
    assert "Europe/Amsterdam" in joined(rejected)
    assert active_dialog(database).step_id == "timezone"

    workdays = chat.say("skip")
    question = the(Question, workdays)
    assert question.text == SAYS["en"]["workdays"]
    assert question.multiple
    assert question.selected == ("mon", "tue", "wed", "thu", "fri")
    assert person(database).timezone == "Europe/Amsterdam"
    assert "timezone" not in active_dialog(database).answers

    diary_time = chat.say("1, 3, 5")
    assert the(Question, diary_time).text.startswith(SAYS["en"]["diary_time"])
    assert person(database).workdays == "mon,wed,fri"

    colleague = chat.say("9:15")
    assert the(Question, colleague).text.startswith(SAYS["en"]["has_colleague"])
    assert person(database).diary_time == time(9, 15)
    assert person(database).onboarded_at is None

    pairing = chat.say("nee")
    assert the(Question, pairing).text.startswith(SAYS["en"]["want_pairing"])

    done = joined(chat.say("ja"))
    assert SAYS["en"]["done"] in done
    assert "09:15" in done
    assert "Monday, Wednesday, and Friday" in done  # Babel's list, not joined by hand
    me = person(database)
    assert me.onboarded_at is not None
    [dialog] = dialogs(database)
    assert dialog.status == "completed"
    assert dialog.answers == {
        "language": "en", "workdays": ["mon", "wed", "fri"], "diary_time": "09:15",
        "has_colleague": False, "colleague_hint": True,
    }


def test_onboarding_in_dutch_with_a_valid_zone_and_a_colleague(
    chat: Chat, database: Engine
) -> None:
    chat.say("goedemorgen")
    assert the(Question, chat.say("1")).text.startswith(SAYS["nl"]["timezone"])
    assert person(database).locale == "nl"

    rejected = chat.say("Nergens/Niemand")
    assert SAYS["nl"]["bad_timezone"] in joined(rejected)
    assert active_dialog(database).step_id == "timezone"

    assert the(Question, chat.say("europe/brussels")).text == SAYS["nl"]["workdays"]
    assert person(database).timezone == "Europe/Brussels"
    chat.say("overslaan")
    assert person(database).workdays == "mon,tue,wed,thu,fri"
    chat.say("overslaan")
    assert person(database).diary_time == time(16, 30)

    colleague = chat.say("?")
    assert SAYS["nl"]["position"].format(5, 6) in joined(colleague)
    assert the(Question, colleague).text.startswith(SAYS["nl"]["has_colleague"])

    who = joined(chat.say("ja"))  # a colleague: asked who, not about pairing
    assert SAYS["nl"]["want_pairing"] not in who
    done = joined(chat.say("overslaan"))  # who it is can be set later
    assert SAYS["nl"]["done"] in done
    assert "Europe/Brussels" in done
    assert person(database).onboarded_at is not None
    [dialog] = dialogs(database)
    assert dialog.status == "completed"
    assert "colleague_hint" not in dialog.answers
    assert "colleague" not in dialog.answers


def test_the_diary_time_is_validated(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("1")
    chat.say("overslaan")
    chat.say("overslaan")
    rejected = joined(chat.say("zodra het kan"))
    assert "uu:mm" in rejected
    assert active_dialog(database).step_id == "diary_time"
    chat.say("25:00")
    assert active_dialog(database).step_id == "diary_time"
    chat.say("9.15")
    assert person(database).diary_time == time(9, 15)
    assert active_dialog(database).step_id == "has_colleague"


def test_a_first_diary_is_followed_by_one_offer_to_get_to_know_each_other(
    chat: Chat, database: Engine
) -> None:
    first = write_diary(chat)
    assert SAYS["nl"]["offer"] in joined(first)
    assert person(database).onboarding_offered_at is not None
    second = write_diary(chat)
    assert SAYS["nl"]["saved"] in joined(second)
    assert SAYS["nl"]["offer"] not in joined(second)
    # and a plain text afterwards is not taken for a first contact, but greeted
    assert "Fijn dat je er bent" in chat.say_text("hallo")


def test_an_onboarded_person_is_not_offered_onboarding_after_a_diary(chat: Chat) -> None:
    onboard(chat)
    assert SAYS["nl"]["offer"] not in joined(write_diary(chat))


# -- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["help", "hulp", "?", "/help", "Hulp!"])
def test_help_outside_a_dialog(word: str, chat: Chat) -> None:
    reply = chat.say(word)
    assert [type(m) for m in reply] == [Text]
    assert SAYS["nl"]["help"] in joined(reply)
    assert "dagboek" in joined(reply)


@LOCALES
def test_help_inside_a_dialog_shows_the_position_and_the_question_again(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment.")
    reply = chat.say(WORDS[locale]["help"])
    assert SAYS[locale]["position"].format(2, 4) in joined(reply)
    assert the(Question, reply).text == SAYS[locale]["approach"]
    dialog = active_dialog(database)
    assert dialog.step_id == "approach"
    assert dialog.answers == {"moments": "Een moment."}
    # the help word was not taken as an answer; the next text is
    assert the(Question, chat.say("Zo dus.")).text.startswith(SAYS[locale]["learning"])
    assert active_dialog(database).answers["approach"] == "Zo dus."


def test_help_on_the_scale_question_repeats_the_scale(chat: Chat) -> None:
    chat.say("dagboek")
    for answer in ("a1", "b2", "c3"):
        chat.say(answer)
    reply = chat.say("?")
    assert "vraag 4 van 4" in joined(reply)
    assert "1 tot 5" in joined(reply)
    assert the(Scale, reply).ref.endswith(".value")


# -- stop -------------------------------------------------------------------------------------


@LOCALES
def test_stop_mid_diary_keeps_the_answers(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een eerste moment.")
    chat.say("Rustig gebleven.")
    reply = joined(chat.say(WORDS[locale]["stop"]))
    assert SAYS[locale]["stopped"] in reply
    assert SAYS[locale]["kept"] in reply

    [entry] = diary_entries(database)
    assert entry.complete is False
    assert (entry.moments, entry.approach, entry.learning, entry.value) == (
        "Een eerste moment.", "Rustig gebleven.", None, None,
    )
    [dialog] = dialogs(database)
    assert dialog.status == "stopped"
    assert dialog.ended_at is not None
    assert dialog.answers == {"moments": "Een eerste moment.", "approach": "Rustig gebleven."}


def test_stop_before_any_answer_stores_no_empty_entry(
    chat: Chat, database: Engine
) -> None:
    chat.say("dagboek")
    chat.say("stop")
    assert diary_entries(database) == []
    assert dialogs(database)[0].status == "stopped"


@LOCALES
def test_stop_outside_a_dialog(locale: str, engine: Coach, chat: Chat,
                               database: Engine) -> None:
    use_locale(engine, chat, locale)
    reply = chat.say(WORDS[locale]["stop"])
    assert SAYS[locale]["nothing_to_stop"] in joined(reply)
    assert dialogs(database) == []


# -- skip -------------------------------------------------------------------------------------


@LOCALES
def test_skip_moves_on_without_an_answer(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    reply = chat.say(WORDS[locale]["skip"])
    assert the(Question, reply).text == SAYS[locale]["approach"]
    dialog = active_dialog(database)
    assert dialog.step_id == "approach"
    assert dialog.answers == {}


def test_skipping_the_last_question_completes_the_diary(
    chat: Chat, database: Engine
) -> None:
    chat.say("dagboek")
    chat.say("Moment.")
    chat.say("Aanpak.")
    chat.say("De les.")
    closing = joined(chat.say("overslaan"))
    assert "is bewaard" in closing
    assert "“De les.”" in closing
    [entry] = diary_entries(database)
    assert entry.complete is True
    assert entry.value is None
    assert entry.learning == "De les."
    assert dialogs(database)[0].status == "completed"


def test_skipping_every_question_completes_without_a_lesson(
    chat: Chat, database: Engine
) -> None:
    chat.say("dagboek")
    for _ in range(3):
        chat.say("overslaan")
    closing = joined(chat.say("overslaan"))
    assert "is bewaard" in closing
    assert "Je les van vandaag" not in closing
    assert dialogs(database)[0].status == "completed"


# -- later / snooze -------------------------------------------------------------------------


@LOCALES
def test_later_keeps_the_question_open(
    locale: str, engine: Coach, chat: Chat, settings: Settings, database: Engine,
    clock: Clock,
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment.")
    reply = chat.say(WORDS[locale]["later"])
    assert SAYS[locale]["snoozed"].format(settings.snooze_minutes) in joined(reply)
    dialog = active_dialog(database)
    assert dialog.step_id == "approach"
    assert dialog.snoozed_until == clock.now + timedelta(minutes=settings.snooze_minutes)

    clock.advance(minutes=5)
    nxt = chat.say("Toch maar meteen.")
    assert the(Question, nxt).text.startswith(SAYS[locale]["learning"])
    dialog = active_dialog(database)
    assert dialog.answers["approach"] == "Toch maar meteen."
    assert dialog.snoozed_until is None


def test_later_outside_a_dialog(chat: Chat) -> None:
    onboard(chat)
    assert "uitstellen hoeft niet" in chat.say_text("later")


# -- starting a flow while in one -----------------------------------------------------------


@LOCALES
def test_diary_while_in_the_diary_repeats_the_open_question(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment.")
    reply = chat.say(WORDS[locale]["diary"])
    assert SAYS[locale]["busy"] in joined(reply)
    assert the(Question, reply).text == SAYS[locale]["approach"]
    assert len(dialogs(database)) == 1
    assert active_dialog(database).answers == {"moments": "Een moment."}


@LOCALES
def test_start_during_the_diary_interrupts_it_and_starts_onboarding(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment.")
    reply = chat.say(WORDS[locale]["start"])
    text = joined(reply)
    assert SAYS[locale]["aside"] in text
    assert SAYS[locale]["kept"] in text
    assert SAYS[locale]["welcome"] in text
    if locale == "nl":
        assert the(Question, reply).text == SAYS[locale]["language"]
    else:  # the language was given (`chat --locale en`): not asked again
        assert SAYS[locale]["language"] not in text

    diary, onboarding = dialogs(database)
    assert (diary.flow_id, diary.status) == ("diary", "interrupted")
    assert (onboarding.flow_id, onboarding.status) == ("onboarding", "active")
    [entry] = diary_entries(database)
    assert entry.complete is False
    assert entry.moments == "Een moment."


@LOCALES
def test_interrupted_text_does_not_double_the_possessive(
    locale: str, engine: Coach, chat: Chat
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment.")
    text = joined(chat.say("start")).lower()
    assert "je je " not in text
    assert "your your " not in text


# -- buttons and stale references --------------------------------------------------------


def reach_scale(chat: Chat) -> Scale:
    chat.say("dagboek")
    chat.say("Moment.")
    chat.say("Aanpak.")
    scale: Scale = the(Scale, chat.say("Les."))
    return scale


@LOCALES
def test_a_stale_button_is_not_taken_as_an_answer(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    use_locale(engine, chat, locale)
    scale = reach_scale(chat)
    reply = chat.send(value="4", reply_to="d999.value")
    notice = the(Notice, reply)
    assert SAYS[locale]["stale"] in notice.text
    assert the(Scale, reply).ref == scale.ref
    dialog = active_dialog(database)
    assert dialog.step_id == "value"
    assert "value" not in dialog.answers
    assert diary_entries(database) == []


def test_a_button_of_an_earlier_question_is_stale(
    chat: Chat, database: Engine
) -> None:
    first = the(Question, chat.say("dagboek"))
    chat.say("Moment.")
    reply = chat.send(value="Nog een moment", reply_to=first.ref)
    assert isinstance(reply[0], Notice)
    assert the(Question, reply).text == SAYS["nl"]["approach"]
    assert active_dialog(database).answers == {"moments": "Moment."}


def test_a_button_with_the_right_ref_answers(chat: Chat, database: Engine) -> None:
    scale = reach_scale(chat)
    closing = joined(chat.send(value="2", reply_to=scale.ref))
    assert "is bewaard" in closing
    [entry] = diary_entries(database)
    assert entry.value == 2
    assert entry.complete is True


def test_a_choice_button_with_the_right_ref_answers(
    chat: Chat, database: Engine
) -> None:
    question = the(Question, chat.say("hallo"))
    reply = chat.send(value="en", reply_to=question.ref)
    assert the(Question, reply).text.startswith(SAYS["en"]["timezone"])
    workdays = the(Question, chat.say("skip"))
    chat.send(values=("tue", "thu"), reply_to=workdays.ref)
    assert person(database).workdays == "tue,thu"


# -- commands and text the coach does not understand -------------------------------------


@pytest.mark.parametrize("command", ["foobar", "dagboekje", ""])
def test_an_unknown_explicit_command_gets_the_help_text(command: str, chat: Chat) -> None:
    reply = chat.send(command=command)
    assert SAYS["nl"]["help"] in joined(reply)


def test_an_explicit_known_command_runs(chat: Chat) -> None:
    reply = chat.send(command="diary")
    assert the(Question, reply).text == SAYS["nl"]["moments"]


@LOCALES
def test_plain_text_from_a_known_person_gets_the_likeliest_next_steps(
    locale: str, engine: Coach, chat: Chat
) -> None:
    use_locale(engine, chat, locale)
    onboard(chat)
    messages = chat.say("Wat is het weer morgen?")
    assert SAYS[locale]["not_understood"] in joined(messages)
    offer = the(Question, messages)
    assert [c.value for c in offer.choices] == ["diary", "weekplan", "help"]


# -- expiry -----------------------------------------------------------------------------------


@LOCALES
def test_an_expired_diary_is_announced_at_the_next_message(
    locale: str, engine: Coach, chat: Chat, clock: Clock, settings: Settings,
    database: Engine,
) -> None:
    use_locale(engine, chat, locale)
    onboard(chat)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment dat bleef hangen.")
    clock.advance(minutes=settings.dialog_timeout_minutes + 1)
    reply = chat.say("Wat is het weer?")
    notice = reply[0]
    assert isinstance(notice, Notice)
    assert notice.level == "warning"
    assert SAYS[locale]["expired"] in notice.text
    assert SAYS[locale]["kept"] in notice.text
    # the message itself is then handled as outside a dialog
    assert SAYS[locale]["not_understood"] in joined(reply[1:])

    diary = [d for d in dialogs(database) if d.flow_id == "diary"]
    assert [d.status for d in diary] == ["expired"]
    [entry] = diary_entries(database)
    assert entry.complete is False
    assert entry.moments == "Een moment dat bleef hangen."
    assert entry.local_date == date(2026, 3, 11)

    again = chat.say("Wat is het weer?")
    assert not any(isinstance(m, Notice) for m in again)


def test_a_dialog_just_before_its_timeout_is_still_open(
    chat: Chat, clock: Clock, settings: Settings, database: Engine
) -> None:
    chat.say("dagboek")
    chat.say("Moment.")
    clock.advance(minutes=settings.dialog_timeout_minutes - 1)
    reply = chat.say("Aanpak.")
    assert the(Question, reply).text.startswith(SAYS["nl"]["learning"])
    assert active_dialog(database).answers == {"moments": "Moment.", "approach": "Aanpak."}


def test_each_answer_restarts_the_timeout(
    chat: Chat, clock: Clock, settings: Settings, database: Engine
) -> None:
    chat.say("dagboek")
    half = settings.dialog_timeout_minutes // 2 + 1
    for answer in ("Moment.", "Aanpak.", "Les."):
        clock.advance(minutes=half)
        chat.say(answer)
    assert active_dialog(database).step_id == "value"


@LOCALES
def test_expiry_notice_does_not_double_the_possessive(
    locale: str, engine: Coach, chat: Chat, clock: Clock, settings: Settings
) -> None:
    use_locale(engine, chat, locale)
    chat.say(WORDS[locale]["diary"])
    chat.say("Een moment.")
    clock.advance(minutes=settings.dialog_timeout_minutes + 1)
    text = joined(chat.say(WORDS[locale]["help"])).lower()
    assert "je je " not in text
    assert "your your " not in text


def test_expire_dialogs_ends_due_dialogs_silently_and_tells_once(
    engine: Coach, chat: Chat, clock: Clock, settings: Settings, database: Engine
) -> None:
    other = Chat(engine, user="bob")
    chat.say("dagboek")
    chat.say("Alice haar moment.")
    other.say("dagboek")  # bob has not answered anything yet

    assert engine.expire_dialogs(clock.now) == 0
    later = clock.now + timedelta(minutes=settings.dialog_timeout_minutes + 1)
    assert engine.expire_dialogs(later) == 2
    assert [d.status for d in dialogs(database)] == ["expired", "expired"]
    [entry] = diary_entries(database)  # bob's empty diary leaves no entry
    assert entry.moments == "Alice haar moment."
    assert entry.complete is False
    assert engine.expire_dialogs(later) == 0

    clock.now = later + timedelta(minutes=1)
    reply = chat.say("hulp")
    assert isinstance(reply[0], Notice)
    assert SAYS["nl"]["expired"] in reply[0].text
    assert SAYS["nl"]["help"] in joined(reply[1:])
    second = chat.say("hulp")
    assert not any(isinstance(m, Notice) for m in second)
    assert SAYS["nl"]["help"] in joined(second)


# -- start_flow (the scheduler's nudge) ------------------------------------------------------


def test_start_flow_for_a_known_person(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    onboard(chat)
    out = engine.start_flow(person(database).id, "diary")
    assert [o.address for o in out] == [chat.address] * len(out)
    messages = [o.message for o in out]
    assert SAYS["nl"]["intro"] in joined(messages)
    assert the(Question, messages).text == SAYS["nl"]["moments"]
    assert active_dialog(database).flow_id == "diary"
    # the person's answer continues the started diary
    assert the(Question, chat.say("Een moment.")).text == SAYS["nl"]["approach"]


def test_start_flow_uses_the_persons_language(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    engine.set_locale(chat.address, "en")
    out = engine.start_flow(person(database).id, "diary")
    assert the(Question, [o.message for o in out]).text == SAYS["en"]["moments"]


def test_start_flow_waits_while_the_person_is_busy(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    chat.say("hallo")  # onboarding is open
    me = person(database).id
    assert engine.start_flow(me, "diary") == []
    assert active_dialog(database).flow_id == "onboarding"

    out = engine.start_flow(me, "diary", interrupt=True)
    text = joined([o.message for o in out])
    assert SAYS["nl"]["aside"] in text
    assert the(Question, [o.message for o in out]).text == SAYS["nl"]["moments"]
    onboarding, diary = dialogs(database)
    assert onboarding.status == "interrupted"
    assert diary.status == "active"
    # the same flow is never started twice, even with interrupt
    assert engine.start_flow(me, "diary", interrupt=True) == []
    assert len(dialogs(database)) == 2


def test_start_flow_for_an_unknown_person(engine: Coach, database: Engine) -> None:
    assert engine.start_flow(999, "diary") == []
    assert dialogs(database) == []


# -- duplicate delivery and restarts ---------------------------------------------------------


def test_a_retried_event_is_handled_once(chat: Chat, database: Engine) -> None:
    chat.say("dagboek")
    first = chat.send(text="Het eerste moment.", event_id="Ev01")
    assert the(Question, first).text == SAYS["nl"]["approach"]
    assert chat.send(text="Het eerste moment.", event_id="Ev01") == []
    dialog = active_dialog(database)
    assert dialog.step_id == "approach"
    assert dialog.answers == {"moments": "Het eerste moment."}
    # a different event with the same text is a real new message
    chat.send(text="Het eerste moment.", event_id="Ev02")
    assert active_dialog(database).answers["approach"] == "Het eerste moment."


def test_a_retried_first_message_creates_one_person_and_one_dialog(
    chat: Chat, database: Engine
) -> None:
    assert chat.send(text="dagboek", event_id="E1")
    assert chat.send(text="dagboek", event_id="E1") == []
    with Session(database) as session:
        assert len(session.scalars(select(Person)).all()) == 1
    assert len(dialogs(database)) == 1


def test_resume_after_a_restart(
    database: Engine, settings: Settings, clock: Clock, chat: Chat
) -> None:
    chat.say("dagboek")
    chat.say("Moment voor de herstart.")

    restarted = build_coach(database, settings, clock=clock, registry=chat.engine.registry)
    out = restarted.resume(chat.address)
    assert [o.address for o in out] == [chat.address] * len(out)
    messages = [o.message for o in out]
    assert SAYS["nl"]["resume"] in joined(messages)
    assert the(Question, messages).text == SAYS["nl"]["approach"]

    again = Chat(restarted)
    assert the(Question, again.say("Aanpak na de herstart.")).text.startswith(
        SAYS["nl"]["learning"]
    )
    again.say("Les na de herstart.")
    again.say("3")
    [entry] = diary_entries(database)
    assert (entry.moments, entry.approach, entry.learning, entry.value) == (
        "Moment voor de herstart.", "Aanpak na de herstart.", "Les na de herstart.", 3,
    )


def test_resume_in_english_on_the_scale(
    database: Engine, settings: Settings, clock: Clock, engine: Coach, chat: Chat
) -> None:
    engine.set_locale(chat.address, "en")
    scale = reach_scale(chat)
    restarted = build_coach(database, settings, clock=clock, registry=engine.registry)
    out = restarted.resume(chat.address)
    messages = [o.message for o in out]
    assert SAYS["en"]["resume"] in joined(messages)
    assert the(Scale, messages).ref == scale.ref


def test_resume_without_an_open_dialog_says_nothing(
    engine: Coach, chat: Chat
) -> None:
    write_diary(chat)
    assert engine.resume(chat.address) == []


def test_resume_of_an_expired_dialog_tells_it_expired(
    engine: Coach, chat: Chat, clock: Clock, settings: Settings, database: Engine
) -> None:
    chat.say("dagboek")
    chat.say("Moment.")
    clock.advance(minutes=settings.dialog_timeout_minutes + 1)
    out = engine.resume(chat.address)
    assert [type(o.message) for o in out] == [Notice]
    assert dialogs(database)[0].status == "expired"


def test_an_event_with_its_own_time_is_judged_at_that_time(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    """A platform's timestamp, not the clock, decides the local date of the diary."""
    received = datetime(2026, 3, 11, 23, 30, tzinfo=UTC)
    engine.handle(InboundEvent(chat.address, text="dagboek", received_at=received))
    assert dialogs(database)[0].local_date == date(2026, 3, 12)


def test_later_also_postpones_the_expiry(
    chat: Chat, clock: Clock, settings: Settings, database: Engine
) -> None:
    chat.say("dagboek")
    chat.say("Moment.")
    chat.say("later")
    clock.advance(minutes=settings.dialog_timeout_minutes + 5)
    assert settings.snooze_minutes > 5
    reply = chat.say("Aanpak na het uitstel.")
    assert not any(isinstance(m, Notice) for m in reply)
    assert active_dialog(database).answers["approach"] == "Aanpak na het uitstel."


def test_the_diary_date_follows_the_chosen_time_zone(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    chat.say("hallo")
    chat.say("1")
    chat.say("Pacific/Auckland")
    chat.say("stop")
    assert person(database).timezone == "Pacific/Auckland"
    clock.now = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # 12 March, 01:00 in Auckland
    write_diary(chat)
    assert diary_entries(database)[0].local_date == date(2026, 3, 12)


def test_start_during_onboarding_repeats_the_open_question(
    chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    chat.say("1")
    reply = chat.say("start")
    assert "We zijn al bezig met je kennismaking" in joined(reply)
    assert the(Question, reply).text.startswith(SAYS["nl"]["timezone"])
    assert len(dialogs(database)) == 1


def test_diary_during_onboarding_keeps_the_settings_already_chosen(
    chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    chat.say("2")
    reply = chat.say("diary")
    assert the(Question, reply).text == SAYS["en"]["moments"]
    onboarding, diary = dialogs(database)
    assert (onboarding.status, diary.status) == ("interrupted", "active")
    me = person(database)
    assert me.locale == "en"
    assert me.onboarded_at is None
    # onboarding was offered already, so the diary ends without a second offer
    for answer in ("Moment.", "Approach.", "Lesson."):
        chat.say(answer)
    closing = joined(chat.say("5"))
    assert SAYS["en"]["saved"] in closing
    assert SAYS["en"]["offer"] not in closing


def test_a_button_of_a_finished_diary_is_called_stale(chat: Chat) -> None:
    scale = reach_scale(chat)
    chat.send(value="4", reply_to=scale.ref)
    again = chat.send(value="4", reply_to=scale.ref)
    assert isinstance(again[0], Notice)
    assert SAYS["nl"]["stale"] in again[0].text
