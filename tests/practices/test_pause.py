"""Pause, vacation, resume and opting out, in Dutch and English, through the real engine.

The clock starts on Wednesday 11 March 2026, 16:00 in Amsterdam (15:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.core.messages import Message, Question
from bot.people.pausing import is_paused, receives_nudges
from bot.privacy.export import find_person
from bot.storage.models import Dialog, DiaryEntry, Person
from bot.storage.turn_store import PersonState
from tests.conftest import Chat, Clock, joined

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])

SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "paused": "Je pauze loopt tot en met {}",
        "back_on": "Vanaf {} gaat je ritme weer verder",
        "vacation": "Fijne vakantie",
        "vacation_intro": "Lekker, vakantie!",
        "pause_intro": "Even pauze?",
        "until": "Wanneer ben je er weer?",
        "unclear": "“{}” kan ik niet als datum lezen.",
        "impossible": "“{}” bestaat niet in de kalender.",
        "past": "is al voorbij",
        "past_no_year": "is dit jaar al voorbij. Bedoel je {}?",
        "ambiguous": "kan meerdere dagen zijn",
        "which_friday": "Bedoel je {} of {}?",
        "bare": "Bedoel je dat je er op {} weer bent?",
        "too_far": "hoogstens een jaar",
        "starts_later": "Een pauze begint bij mij meteen",
        "welcome_back": "Welkom terug",
        "pause_over": "Je pauze is voorbij.",
        "early": "Fijn dat je er weer bent.",
        "rejoined": "Fijn dat je weer meedoet.",
        "not_paused": "er valt niets te hervatten",
        "open_question": "De vraag die nog openstond",
        "no_pause": "Geen pauze dan",
        "gave_up": "Laten we het hier even bij laten",
        "confirm": "Wil je echt stoppen met coachen?",
        "stopped": "we stoppen met coachen",
        "kept": "blijft bewaard",
        "privacy": "privacy",
        "go_on": "dan gaan we gewoon door",
        "already": "Je bent al gestopt met coachen",
        "opted_out": "Je bent gestopt met coachen, dus",
        "pause": "pauze",
        "vacation_word": "vakantie",
        "resume": "hervat",
        "optout": "stop met coachen",
        "yes": "ja",
        "no": "nee",
        "stop": "stop",
    },
    "en": {
        "paused": "Your pause runs up to and including {}",
        "back_on": "From {} your rhythm carries on",
        "vacation": "Enjoy your holiday",
        "vacation_intro": "Enjoy your holiday!",
        "pause_intro": "Taking a break?",
        "until": "When will you be back?",
        "unclear": "I can't read “{}” as a date.",
        "impossible": "“{}” doesn't exist in the calendar.",
        "past": "has already passed",
        "past_no_year": "has already passed this year. Do you mean {}?",
        "ambiguous": "could be several days",
        "which_friday": "Do you mean {} or {}?",
        "bare": "Do you mean you'll be back on {}?",
        "too_far": "a year at most",
        "starts_later": "A pause starts right away with me",
        "welcome_back": "Welcome back",
        "pause_over": "Your pause is over.",
        "early": "Good to have you back.",
        "rejoined": "Great to have you with us again.",
        "not_paused": "there's nothing to resume",
        "open_question": "You can still answer the question that was open",
        "no_pause": "No pause then",
        "gave_up": "Let's leave it here for now",
        "confirm": "Do you really want to stop the coaching?",
        "stopped": "we'll stop the coaching",
        "kept": "is kept",
        "privacy": "privacy",
        "go_on": "then we'll just carry on",
        "already": "You have already stopped the coaching",
        "opted_out": "You have stopped the coaching, so",
        "pause": "pause",
        "vacation_word": "vacation",
        "resume": "resume",
        "optout": "opt out",
        "yes": "yes",
        "no": "no",
        "stop": "stop",
    },
}
DAYS: dict[str, dict[date, str]] = {
    "nl": {
        date(2026, 11, 30): "maandag 30 november", date(2026, 12, 1): "dinsdag 1 december",
        date(2026, 3, 24): "dinsdag 24 maart", date(2026, 3, 25): "woensdag 25 maart",
        date(2026, 3, 15): "zondag 15 maart", date(2026, 3, 16): "maandag 16 maart",
        date(2026, 3, 13): "vrijdag 13 maart", date(2026, 3, 20): "vrijdag 20 maart",
        date(2026, 4, 30): "donderdag 30 april", date(2026, 3, 1): "zondag 1 maart",
        date(2027, 3, 1): "maandag 1 maart 2027", date(2026, 3, 12): "donderdag 12 maart",
        date(2026, 3, 19): "donderdag 19 maart",
    },
    "en": {
        date(2026, 11, 30): "Monday 30 November", date(2026, 12, 1): "Tuesday 1 December",
        date(2026, 3, 24): "Tuesday 24 March", date(2026, 3, 25): "Wednesday 25 March",
        date(2026, 3, 15): "Sunday 15 March", date(2026, 3, 16): "Monday 16 March",
        date(2026, 3, 13): "Friday 13 March", date(2026, 3, 20): "Friday 20 March",
        date(2026, 4, 30): "Thursday 30 April", date(2026, 3, 1): "Sunday 1 March",
        date(2027, 3, 1): "Monday 1 March 2027", date(2026, 3, 12): "Thursday 12 March",
        date(2026, 3, 19): "Thursday 19 March",
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


def active(database: Engine) -> list[str]:
    return [d.flow_id for d in dialogs(database) if d.status == "active"]


def the(kind: type[Any], messages: list[Message]) -> Any:
    found = [m for m in messages if isinstance(m, kind)]
    assert len(found) == 1, messages
    return found[0]


def known(chat: Chat, locale: str = "nl", timezone: str | None = None) -> None:
    """A person the coach knows (first contact made, onboarding stopped)."""
    chat.send(text="hallo", locale=locale, timezone=timezone)
    chat.say("stop")


def paused(database: Engine) -> tuple[str, date | None]:
    me = person(database)
    return me.status, me.paused_until


def say(locale: str, key: str, *days: date) -> str:
    return SAYS[locale][key].format(*(DAYS[locale][day] for day in days))


# -- pause with a date ------------------------------------------------------------------------


@LOCALES
@pytest.mark.parametrize(
    ("typed", "last_day"),
    [
        ({"nl": "pauze tot 1 december", "en": "pause until 1 December"}, date(2026, 11, 30)),
        ({"nl": "pauze voor 2 weken", "en": "pause for 2 weeks"}, date(2026, 3, 24)),
        ({"nl": "pauze tot maandag", "en": "pause until Monday"}, date(2026, 3, 15)),
        ({"nl": "pauzeer t/m 1/12", "en": "pause through 1/12"}, date(2026, 12, 1)),
    ],
)
def test_pause_with_a_date(
    locale: str, typed: dict[str, str], last_day: date, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    reply = joined(chat.say(typed[locale]))
    assert say(locale, "paused", last_day) in reply
    assert paused(database) == ("paused", last_day)
    assert not active(database)


@LOCALES
def test_the_confirmation_names_the_last_day_and_the_day_back(
    locale: str, chat: Chat
) -> None:
    known(chat, locale)
    reply = chat.say_text(f"{SAYS[locale]['pause']} tot 1 december")
    assert say(locale, "paused", date(2026, 11, 30)) in reply
    assert say(locale, "back_on", date(2026, 12, 1)) in reply
    assert f"*{SAYS[locale]['resume']}*" in reply


def test_dates_are_read_in_the_persons_own_time_zone(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    # 15:00 UTC on Wednesday is already 04:00 on Thursday in Auckland
    known(chat, timezone="Pacific/Auckland")
    chat.say("pauze tot morgen")
    assert paused(database) == ("paused", date(2026, 3, 12))


# -- vacation and "when are you back?" -----------------------------------------------------------


@LOCALES
def test_vacation_asks_until_when(locale: str, chat: Chat, database: Engine) -> None:
    known(chat, locale)
    reply = chat.say(SAYS[locale]["vacation_word"])
    assert SAYS[locale]["vacation_intro"] in joined(reply)
    assert the(Question, reply).text == SAYS[locale]["until"]
    assert active(database) == ["pause"]
    done = joined(chat.say("1 mei" if locale == "nl" else "1 May"))  # the day back
    assert SAYS[locale]["vacation"] in done
    assert say(locale, "paused", date(2026, 4, 30)) in done
    assert paused(database) == ("paused", date(2026, 4, 30))
    assert not active(database)
    [dialog] = dialogs(database)[-1:]
    assert (dialog.flow_id, dialog.status) == ("pause", "completed")


@LOCALES
def test_pause_without_a_date_asks_until_when(
    locale: str, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    reply = chat.say(SAYS[locale]["pause"])
    assert SAYS[locale]["pause_intro"] in joined(reply)
    assert the(Question, reply).text == SAYS[locale]["until"]
    done = joined(chat.say("tot en met vrijdag" if locale == "nl" else "through Friday"))
    assert say(locale, "paused", date(2026, 3, 13)) in done
    assert paused(database) == ("paused", date(2026, 3, 13))


@LOCALES
def test_an_unclear_answer_gets_the_question_again(
    locale: str, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    chat.say(SAYS[locale]["vacation_word"])
    again = joined(chat.say("na het congres" if locale == "nl" else "after the congress"))
    assert SAYS[locale]["until"] in again
    assert paused(database) == ("active", None)
    assert active(database) == ["pause"]
    friday = joined(chat.say("volgende vrijdag" if locale == "nl" else "next Friday"))
    assert say(locale, "which_friday", date(2026, 3, 13), date(2026, 3, 20)) in friday
    assert SAYS[locale]["until"] in friday
    done = joined(chat.say("2026-03-20"))
    assert say(locale, "paused", date(2026, 3, 19)) in done
    assert paused(database) == ("paused", date(2026, 3, 19))
    assert not active(database)
    # what was typed is kept with each dialog
    answers = [d.answers.get("until") for d in dialogs(database) if d.flow_id == "pause"]
    assert answers[-1] == "2026-03-20"


def test_the_answer_may_repeat_the_command(chat: Chat, database: Engine) -> None:
    known(chat)
    chat.say("vakantie")
    chat.say("vakantie tot 1 mei")
    assert paused(database) == ("paused", date(2026, 4, 30))
    assert not active(database)


def test_after_three_unreadable_answers_the_coach_lets_it_rest(
    chat: Chat, database: Engine
) -> None:
    known(chat)
    chat.say("vakantie")
    chat.say("zo lang als nodig")
    chat.say("weet ik nog niet")
    last = chat.say_text("geen idee")
    assert SAYS["nl"]["gave_up"] in last
    assert not active(database)
    assert paused(database) == ("active", None)


@LOCALES
def test_stop_or_skip_the_question_means_no_pause(
    locale: str, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    chat.say(SAYS[locale]["vacation_word"])
    chat.say(SAYS[locale]["stop"])
    chat.say(SAYS[locale]["pause"])
    assert SAYS[locale]["no_pause"] in chat.say_text("overslaan" if locale == "nl" else "skip")
    assert paused(database) == ("active", None)
    assert not active(database)


# -- dates that get a question back ---------------------------------------------------------------


@LOCALES
@pytest.mark.parametrize(
    ("typed", "key", "days"),
    [
        ({"nl": "tot 31 februari", "en": "until 31 February"}, "impossible", ()),
        ({"nl": "tot 1 maart", "en": "until 1 March"}, "past_no_year", (date(2027, 3, 1),)),
        ({"nl": "tot 1 december 2025", "en": "until 1 December 2025"}, "past", ()),
        ({"nl": "tot volgende week", "en": "until next week"}, "ambiguous", ()),
        ({"nl": "tot 1 december 2027", "en": "until 1 December 2027"}, "too_far", ()),
        ({"nl": "vanaf 1 mei", "en": "from 1 May"}, "starts_later", ()),
        ({"nl": "maandag", "en": "Monday"}, "bare", (date(2026, 3, 16),)),
        ({"nl": "tot het congres", "en": "until the congress"}, "unclear", ()),
    ],
)
def test_a_date_that_cannot_be_used_gets_a_question_not_a_guess(
    locale: str, typed: dict[str, str], key: str, days: tuple[date, ...], chat: Chat,
    database: Engine,
) -> None:
    known(chat, locale)
    reply = chat.say(f"{SAYS[locale]['pause']} {typed[locale]}")
    text = joined(reply)
    if key in ("impossible", "unclear"):  # the date is quoted as typed, without 'tot'
        expected = SAYS[locale][key].format(typed[locale].split(" ", 1)[1])
    else:
        expected = say(locale, key, *days)
    assert expected in text, text
    assert the(Question, reply).text == SAYS[locale]["until"]
    assert paused(database) == ("active", None)
    assert active(database) == ["pause"]
    # the person answers the question with a date
    done = joined(chat.say("15-4-2026"))
    assert paused(database) == ("paused", date(2026, 4, 14))
    assert SAYS[locale]["welcome_back"] not in done


# -- pause words inside another dialog -----------------------------------------------------------


def test_pause_words_in_a_diary_answer_stay_an_answer(
    chat: Chat, database: Engine
) -> None:
    known(chat)
    chat.say("dagboek")
    reply = chat.say("pauze nemen hielp")
    assert the(Question, reply).text == "Hoe ben je daarmee omgegaan?"
    chat.say("vakantie plannen")  # also an answer
    chat.say("Pauzes inplannen.")
    chat.say("5")
    with Session(database) as session:
        [entry] = session.scalars(select(DiaryEntry)).all()
    assert (entry.moments, entry.approach) == ("pauze nemen hielp", "vakantie plannen")
    assert paused(database) == ("active", None)


@LOCALES
def test_a_pause_with_a_date_inside_a_diary_pauses_and_keeps_the_question(
    locale: str, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    chat.say("dagboek" if locale == "nl" else "diary")
    reply = joined(chat.say(f"{SAYS[locale]['pause']} tot 1 december"))
    assert say(locale, "paused", date(2026, 11, 30)) in reply
    assert SAYS[locale]["open_question"] in reply
    assert paused(database) == ("paused", date(2026, 11, 30))
    assert active(database) == ["diary"]


def test_an_impossible_pause_date_inside_a_diary_asks_about_the_date(
    chat: Chat, database: Engine
) -> None:
    known(chat)
    chat.say("dagboek")
    reply = joined(chat.say("pauze tot 31 februari"))
    assert SAYS["nl"]["impossible"].format("31 februari") in reply
    assert active(database) == ["pause"]


# -- welcome back ------------------------------------------------------------------------------


@LOCALES
def test_welcome_back_after_the_pause(
    locale: str, chat: Chat, clock: Clock, database: Engine
) -> None:
    known(chat, locale)
    chat.say(f"{SAYS[locale]['pause']} tot maandag")  # last day: Sunday 15 March
    clock.now = datetime(2026, 3, 15, 22, 30, tzinfo=UTC)  # 23:30 on Sunday in Amsterdam
    assert SAYS[locale]["welcome_back"] not in chat.say_text("hallo")
    assert paused(database) == ("paused", date(2026, 3, 15))
    clock.now = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)  # 00:30 on Monday in Amsterdam
    reply = chat.say("hallo")
    text = joined(reply)
    assert text.startswith(SAYS[locale]["welcome_back"])
    assert SAYS[locale]["pause_over"] in text
    assert "16:30" in text
    assert paused(database) == ("active", None)
    assert SAYS[locale]["welcome_back"] not in chat.say_text("hallo")


def test_welcome_back_comes_before_the_command_of_that_message(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    known(chat)
    chat.say("pauze voor 3 dagen")
    clock.advance(days=3)
    reply = chat.say("dagboek")
    assert joined(reply).startswith(SAYS["nl"]["welcome_back"])
    assert the(Question, reply).text == "Welke leermomenten waren er vandaag?"
    clock.advance(days=1)
    chat.say("stop")
    # and 'hervat' right after a pause that just ended adds nothing to the welcome back
    chat.say("pauze tot morgen")
    clock.advance(days=1)
    text = chat.say_text("hervat")
    assert text.count(SAYS["nl"]["welcome_back"]) == 1
    assert SAYS["nl"]["not_paused"] not in text


@LOCALES
def test_resume_ends_a_pause_early(locale: str, chat: Chat, database: Engine) -> None:
    known(chat, locale)
    assert SAYS[locale]["not_paused"] in chat.say_text(SAYS[locale]["resume"])
    chat.say(f"{SAYS[locale]['pause']} tot 1 december")
    reply = chat.say_text(SAYS[locale]["resume"])
    assert SAYS[locale]["welcome_back"] in reply
    assert SAYS[locale]["early"] in reply
    assert paused(database) == ("active", None)


def test_who_receives_nudges_for_the_scheduler() -> None:
    def someone(status: str, until: date | None) -> PersonState:
        return PersonState(
            id=1, organisation_id=1, display_name="", locale="nl", timezone="Europe/Amsterdam",
            workdays="mon", diary_time=datetime(2026, 1, 1, 16, 30).time(), status=status,
            onboarded_at=None, onboarding_offered_at=None, paused_until=until,
            steady_colleague_id=None, identity_id=1, platform="test", tenant="acme",
            external_id="x", conversation="dm", last_seen_at=datetime(2026, 1, 1, tzinfo=UTC),
        )

    today = date(2026, 3, 11)
    assert is_paused(someone("paused", today), today)
    assert not receives_nudges(someone("paused", today), today)
    over = someone("paused", date(2026, 3, 10))  # ended yesterday, not written since
    assert not is_paused(over, today)
    assert receives_nudges(over, today)
    assert not receives_nudges(someone("opted_out", None), today)
    assert receives_nudges(someone("active", None), today)


# -- opting out --------------------------------------------------------------------------------


@LOCALES
def test_opt_out_asks_for_confirmation_and_keeps_the_data(
    locale: str, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    chat.say("dagboek" if locale == "nl" else "diary")
    chat.say("Een leermoment.")
    question = the(Question, chat.say(SAYS[locale]["optout"]))
    assert question.text.startswith(SAYS[locale]["confirm"])
    assert [c.value for c in question.choices] == ["yes", "no"]
    assert person(database).status == "active"
    done = chat.say_text(SAYS[locale]["yes"])
    assert SAYS[locale]["stopped"] in done
    assert SAYS[locale]["kept"] in done
    assert SAYS[locale]["privacy"] in done
    assert f"*{SAYS[locale]['resume']}*" in done
    assert paused(database) == ("opted_out", None)
    with Session(database) as session:
        [entry] = session.scalars(select(DiaryEntry)).all()  # the half diary is kept
    assert entry.moments == "Een leermoment."

    assert SAYS[locale]["already"] in chat.say_text(SAYS[locale]["optout"])
    assert SAYS[locale]["opted_out"] in chat.say_text(f"{SAYS[locale]['pause']} tot maandag")
    assert person(database).status == "opted_out"

    back = chat.say_text(SAYS[locale]["resume"])
    assert SAYS[locale]["welcome_back"] in back
    assert SAYS[locale]["rejoined"] in back
    assert paused(database) == ("active", None)


@LOCALES
def test_opt_out_answered_no_changes_nothing(
    locale: str, chat: Chat, database: Engine
) -> None:
    known(chat, locale)
    chat.say(f"{SAYS[locale]['pause']} tot 1 december")
    chat.say(SAYS[locale]["optout"])
    assert SAYS[locale]["go_on"] in chat.say_text(SAYS[locale]["no"])
    assert paused(database) == ("paused", date(2026, 11, 30))


def test_opt_out_words(chat: Chat, database: Engine) -> None:
    known(chat)
    for words in ("stoppen met coachen", "opt-out", "afmelden", "Unsubscribe"):
        assert SAYS["nl"]["confirm"] in chat.say_text(words)
        chat.say("nee")
    assert person(database).status == "active"
