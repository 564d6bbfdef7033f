"""Onboarding (the rhythm explained, the preferences, the steady colleague), `instellingen` /
`settings` and `collega` / `colleague`, in Dutch and English, through the real engine."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Message, Question
from bot.privacy.export import find_person
from bot.storage.models import Dialog, DiaryEntry, Person
from tests.conftest import Chat, joined

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])

SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "welcome": "Welkom bij Leercoach",
        "rhythm": "Elke dag:|Elke week:|Elke maand:|Elk kwartaal:|Elk jaar:",
        "later": "later wijzigen met *instellingen*",
        "language": "In welke taal wil je dat ik met je praat?",
        "timezone": "In welke tijdzone werk je?",
        "has_colleague": "Heb je al een vaste collega",
        "who": "Wie is het?",
        "set": "Genoteerd: {} is je vaste collega.",
        "unknown": "“{}” ken ik nog niet",
        "self": "Je kunt niet je eigen vaste collega zijn",
        "several": "Er zijn meerdere mensen die “{}” heten",
        "done": "Klaar!",
        "settings": "Dit zijn je instellingen nu:",
        "what": "Wat wil je wijzigen?",
        "no_colleague": "Vaste collega: nog niet ingesteld",
        "colleague_line": "Vaste collega: {}",
        "nothing": "er is niets gewijzigd",
        "saved_time": "Opgeslagen: je dagboekvraag komt voortaan om {}.",
        "saved_days": "Opgeslagen: je werkdagen zijn nu {}.",
        "saved_zone": "Opgeslagen: je tijdzone is nu {}.",
        "cleared": "je hebt nu geen vaste collega ingesteld",
        "none_yet": "Je hebt nog geen vaste collega ingesteld.",
        "now": "Je vaste collega is nu {}.",
        "how": "Typ *collega* en de gebruikersnaam",
        "again": "Typ *instellingen*",
        "paused_line": "Je coaching staat op pauze tot en met",
        "bad_zone": "Die tijdzone ken ik niet",
        "colleague": "collega",
        "settings_word": "instellingen",
        "none": "geen",
    },
    "en": {
        "welcome": "Welcome to Leercoach",
        "rhythm": "Every day:|Every week:|Every month:|Every quarter:|Every year:",
        "later": "change everything later with *settings*",
        "language": "Which language would you like me to use?",
        "timezone": "Which time zone do you work in?",
        "has_colleague": "Do you already have a steady colleague",
        "who": "Who is it?",
        "set": "Noted: {} is your steady colleague.",
        "unknown": "I don't know “{}” yet",
        "self": "You can't be your own steady colleague",
        "several": "Several people are called “{}”",
        "done": "Done!",
        "settings": "These are your settings now:",
        "what": "What would you like to change?",
        "no_colleague": "Steady colleague: not set yet",
        "colleague_line": "Steady colleague: {}",
        "nothing": "nothing has changed",
        "saved_time": "Saved: your diary question now comes at {}.",
        "saved_days": "Saved: your workdays are now {}.",
        "saved_zone": "Saved: your time zone is now {}.",
        "cleared": "you have no steady colleague set now",
        "none_yet": "You haven't set a steady colleague yet.",
        "now": "Your steady colleague is {}.",
        "how": "Type *colleague* and their user name",
        "again": "Type *settings*",
        "paused_line": "Your coaching is paused up to and including",
        "bad_zone": "I don't know that time zone",
        "colleague": "colleague",
        "settings_word": "settings",
        "none": "none",
    },
}


pytestmark = pytest.mark.usefixtures("no_failed_turns")  # every turn must succeed


# -- helpers ---------------------------------------------------------------------------------


def person(database: Engine, user: str = "alice") -> Person:
    with Session(database) as session:
        return find_person(session, user)


def dialogs(database: Engine) -> list[Dialog]:
    with Session(database) as session:
        return list(session.scalars(select(Dialog).order_by(Dialog.id)))


def active(database: Engine) -> list[Dialog]:
    return [d for d in dialogs(database) if d.status == "active"]


def the(kind: type[Any], messages: list[Message]) -> Any:
    found = [m for m in messages if isinstance(m, kind)]
    assert len(found) == 1, messages
    return found[0]


def meet(engine: Coach, user: str, name: str, **account: str) -> Chat:
    """Someone else of the same workspace, known to the coach (onboarding stopped)."""
    other = Chat(engine, user, **account)
    other.send(text="hoi", display_name=name)
    other.say("stop")
    return other


def new_person(engine: Coach, chat: Chat, locale: str) -> list[Message]:
    """First contact in `locale` (as when the platform tells us the person's language)."""
    return chat.send(text="hallo", locale=locale)


def onboard_until_colleague(engine: Coach, chat: Chat, locale: str) -> list[Message]:
    new_person(engine, chat, locale)  # the language came with it: not asked
    for _ in range(3):
        chat.say("overslaan" if locale == "nl" else "skip")
    return chat.say("ja" if locale == "nl" else "yes")


# -- onboarding -------------------------------------------------------------------------------


@LOCALES
def test_onboarding_explains_the_rhythm_and_does_not_ask_a_language_already_given(
    locale: str, engine: Coach, chat: Chat
) -> None:
    # The platform told us the language: asking it again was a defect (issue 18), so the
    # first question is the time zone.
    first = new_person(engine, chat, locale)
    text = joined(first)
    assert SAYS[locale]["welcome"] in text
    for line in SAYS[locale]["rhythm"].split("|"):
        assert line in text, line
    assert SAYS[locale]["later"] in text
    assert SAYS[locale]["language"] not in text
    assert the(Question, first).text.startswith(SAYS[locale]["timezone"])


@LOCALES
def test_the_time_zone_is_prefilled_from_the_platform_and_skip_keeps_it(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    question = the(Question, chat.send(text="hallo", locale=locale, timezone="Europe/London"))
    assert question.text.startswith(SAYS[locale]["timezone"])
    assert "Europe/London" in question.text
    chat.say("overslaan" if locale == "nl" else "skip")
    assert person(database).timezone == "Europe/London"


def test_without_a_platform_hint_the_organisation_default_is_prefilled(
    chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    assert "Europe/Amsterdam" in the(Question, chat.say("1")).text
    assert person(database).diary_time == time(16, 30)  # late afternoon


@LOCALES
def test_onboarding_with_a_known_steady_colleague(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "bob", "Bob de Vries")
    who = onboard_until_colleague(engine, chat, locale)
    assert SAYS[locale]["who"] in the(Question, who).text
    done = joined(chat.say("@bob"))
    assert SAYS[locale]["done"] in done
    assert SAYS[locale]["set"].format("Bob de Vries") in done
    me = person(database)
    assert me.steady_colleague_id == person(database, "bob").id
    assert me.onboarded_at is not None
    onboarding = [d for d in dialogs(database) if d.flow_id == "onboarding"][-1]
    assert onboarding.status == "completed"
    assert onboarding.answers["has_colleague"] is True
    assert onboarding.answers["colleague"] == "@bob"


@LOCALES
def test_onboarding_with_an_unknown_colleague_says_so_politely(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    onboard_until_colleague(engine, chat, locale)
    done = joined(chat.say("@carol"))
    assert SAYS[locale]["done"] in done
    assert SAYS[locale]["unknown"].format("@carol") in done
    assert f"*{SAYS[locale]['colleague']} @jan*" in done  # how to set it later
    me = person(database)
    assert me.steady_colleague_id is None
    assert me.onboarded_at is not None


def test_onboarding_colleague_typed_as_a_command_or_skipped(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "bob", "Bob")
    onboard_until_colleague(engine, chat, "nl")
    done = joined(chat.say("collega bob"))  # the command word in the answer is understood
    assert SAYS["nl"]["set"].format("Bob") in done
    assert person(database).steady_colleague_id == person(database, "bob").id

    other = Chat(engine, "carol")
    onboard_until_colleague(engine, other, "nl")
    done = joined(other.say("overslaan"))
    assert SAYS["nl"]["done"] in done
    assert "vaste collega" not in done.split("\n", 1)[1]
    assert person(database, "carol").steady_colleague_id is None


def test_onboarding_no_colleague_asks_about_pairing(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("1")
    for _ in range(3):
        chat.say("overslaan")
    pairing = chat.say("nee")
    assert the(Question, pairing).text.startswith("Zal ik je helpen er een te vinden")
    assert SAYS["nl"]["done"] in joined(chat.say("ja"))
    assert person(database).steady_colleague_id is None


# -- finding the colleague ----------------------------------------------------------------------


def test_the_colleague_is_found_by_id_mention_case_or_unique_name(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "U0BOB", "Bob de Vries")
    meet(engine, "dave", "Dave")
    onboard_until_colleague(engine, chat, "nl")
    chat.say("overslaan")
    bob, dave = person(database, "U0BOB").id, person(database, "dave").id
    for typed, expected in [
        ("collega U0BOB", bob),
        ("collega <@dave>", dave),  # how Slack sends a mention
        ("collega <@U0BOB|bob>", bob),
        ("collega u0bob", bob),  # ids are matched case-insensitively
        ("collega Dave", dave),  # a display name only one person has
        ("collega @bob de vries", bob),
    ]:
        reply = joined(chat.say(typed))
        assert "Genoteerd" in reply, typed
        assert person(database).steady_colleague_id == expected, typed


def test_several_people_with_one_name_and_yourself_are_refused(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "jan1", "Jan")
    meet(engine, "jan2", "Jan")
    onboard_until_colleague(engine, chat, "nl")
    chat.say("overslaan")
    assert SAYS["nl"]["several"].format("Jan") in chat.say_text("collega Jan")
    assert SAYS["nl"]["self"] in chat.say_text("collega alice")
    assert person(database).steady_colleague_id is None
    assert "Genoteerd" in chat.say_text("collega jan2")


def test_people_of_another_workspace_are_not_found(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "erik", "Erik", platform="elsewhere")
    chat.say("hallo")
    chat.say("stop")
    assert SAYS["nl"]["unknown"].format("erik") in chat.say_text("collega erik")
    assert person(database).steady_colleague_id is None


# -- the colleague command ----------------------------------------------------------------------


@LOCALES
def test_colleague_command_shows_sets_and_clears(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "bob", "Bob")
    new_person(engine, chat, locale)
    chat.say("stop")
    word = SAYS[locale]["colleague"]
    shown = chat.say_text(word)
    assert SAYS[locale]["none_yet"] in shown
    assert SAYS[locale]["how"] in shown
    assert SAYS[locale]["set"].format("Bob") in chat.say_text(f"{word} @bob")
    assert SAYS[locale]["now"].format("Bob") in chat.say_text(word)
    assert person(database).steady_colleague_id == person(database, "bob").id
    assert SAYS[locale]["cleared"] in chat.say_text(f"{word} {SAYS[locale]['none']}")
    assert person(database).steady_colleague_id is None
    assert SAYS[locale]["unknown"].format("nobody-here") in chat.say_text(f"{word} nobody-here")


def test_colleague_words_inside_a_diary_answer_stay_an_answer(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "bob", "Bob")
    chat.say("hallo")
    chat.say("stop")
    chat.say("dagboek")
    reply = chat.say("collega hielp me met een lastige klant")
    assert the(Question, reply).text == "Hoe ben je daarmee omgegaan?"
    chat.say("Samen gebeld.")
    chat.say("Hulp vragen werkt.")
    chat.say("4")
    with Session(database) as session:
        [entry] = session.scalars(select(DiaryEntry)).all()
    assert entry.moments == "collega hielp me met een lastige klant"
    assert person(database).steady_colleague_id is None
    # a known colleague named in the middle of a diary is still set, and the diary goes on
    chat.say("dagboek")
    reply = chat.say("collega @bob")
    assert "Genoteerd" in joined(reply)
    assert person(database).steady_colleague_id == person(database, "bob").id
    assert [d.flow_id for d in active(database)] == ["diary"]


# -- settings ---------------------------------------------------------------------------------


@LOCALES
def test_settings_show_the_current_values_and_change_the_diary_time(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "bob", "Bob")
    new_person(engine, chat, locale)
    chat.say("stop")
    chat.say(f"{SAYS[locale]['colleague']} bob")
    reply = chat.say(SAYS[locale]["settings_word"])
    text = joined(reply)
    assert SAYS[locale]["settings"] in text
    assert "Europe/Amsterdam" in text
    assert "16:30" in text
    assert SAYS[locale]["colleague_line"].format("Bob") in text
    question = the(Question, reply)
    assert question.text == SAYS[locale]["what"]
    assert [c.value for c in question.choices] == [
        "language", "timezone", "workdays", "diary_time", "colleague", "nothing"
    ]
    time_question = the(Question, chat.say("4"))
    assert "16:30" in time_question.text  # the current value
    done = joined(chat.say("8.45"))
    assert SAYS[locale]["saved_time"].format("08:45") in done
    assert SAYS[locale]["again"] in done
    assert person(database).diary_time == time(8, 45)
    assert not active(database)


@LOCALES
def test_settings_change_workdays_and_time_zone(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    new_person(engine, chat, locale)
    chat.say("stop")
    chat.say(SAYS[locale]["settings_word"])
    workdays = the(Question, chat.say("3"))
    assert workdays.selected == ("mon", "tue", "wed", "thu", "fri")
    done = joined(chat.say("1, 2, 4"))
    days = "maandag, dinsdag en donderdag" if locale == "nl" else "Monday, Tuesday, and Thursday"
    assert SAYS[locale]["saved_days"].format(days) in done
    assert person(database).workdays == "mon,tue,thu"

    chat.say(SAYS[locale]["settings_word"])
    chat.say("2")
    assert SAYS[locale]["bad_zone"] in chat.say_text("Atlantis/Poseidonia")
    done = joined(chat.say("lisbon"))
    assert SAYS[locale]["saved_zone"].format("Europe/Lisbon") in done
    assert person(database).timezone == "Europe/Lisbon"


def test_settings_switch_the_language_and_answer_in_it(
    chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    chat.say("stop")
    chat.say("instellingen")
    language = the(Question, chat.say("taal"))
    assert language.selected == ("nl",)
    done = joined(chat.say("English"))
    assert "from now on I'll speak English with you" in done
    assert SAYS["en"]["again"] in done
    assert person(database).locale == "en"
    assert SAYS["en"]["settings"] in chat.say_text("settings")


@LOCALES
def test_settings_change_and_clear_the_colleague(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    meet(engine, "bob", "Bob")
    new_person(engine, chat, locale)
    chat.say("stop")
    chat.say(SAYS[locale]["settings_word"])
    chat.say("5")
    assert SAYS[locale]["set"].format("Bob") in chat.say_text("bob")
    assert person(database).steady_colleague_id == person(database, "bob").id
    chat.say(SAYS[locale]["settings_word"])
    chat.say("5")
    assert SAYS[locale]["unknown"].format("@zoe") in chat.say_text("@zoe")
    assert person(database).steady_colleague_id == person(database, "bob").id  # unchanged
    chat.say(SAYS[locale]["settings_word"])
    chat.say("5")
    assert SAYS[locale]["cleared"] in chat.say_text(SAYS[locale]["none"])
    assert person(database).steady_colleague_id is None


@LOCALES
def test_settings_nothing_or_skip_changes_nothing(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    new_person(engine, chat, locale)
    chat.say("stop")
    before = person(database)
    chat.say(SAYS[locale]["settings_word"])
    assert SAYS[locale]["nothing"] in chat.say_text("6")
    chat.say(SAYS[locale]["settings_word"])
    chat.say("4")
    assert SAYS[locale]["nothing"] in chat.say_text("overslaan" if locale == "nl" else "skip")
    after = person(database)
    assert (after.diary_time, after.timezone, after.workdays, after.locale) == (
        before.diary_time, before.timezone, before.workdays, before.locale
    )
    assert not active(database)


def test_settings_need_a_choice_and_show_a_pause(
    chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    chat.say("stop")
    chat.say("pauze tot 1 mei")
    reply = chat.say_text("instellingen")
    assert SAYS["nl"]["paused_line"] in reply
    assert "donderdag 30 april" in reply
    assert "kan ik niet" not in reply
    assert "Kies een van de opties" in chat.say_text("iets anders")
    assert "echt nodig" in chat.say_text("overslaan")
    assert [d.flow_id for d in active(database)] == ["settings"]
    assert person(database).paused_until == date(2026, 4, 30)
