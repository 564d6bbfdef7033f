"""The language defects of the review, each with a test: titles pasted into sentences, lists
joined by hand ("a, en b", "meer dan 2"), closings that end in a question nobody can answer,
"deze week" / "volgende week" in the weekly plan, and a language asked for twice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.core.prompts import BUILTIN_DIR, LOCALES, PromptLibrary
from bot.practices.weekly_plan.hooks import plans_ahead
from bot.storage.models import WeeklyPlan
from tests.conftest import Chat, Clock
from tests.rigs.records import meet

PROMPTS = PromptLibrary.builtin()
BROKEN_PHRASE = re.compile(r"\b(?:je|Je|your|Your) (?:je|het|de|your|the)\b")


# -- titles in sentences ---------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_every_flow_fits_in_the_sentences_that_name_it(locale: str) -> None:
    for flow_id in PROMPTS.flow_ids:
        flow = PROMPTS.flow(flow_id)
        if not flow.title:
            continue
        title = PROMPTS.render(flow.title, locale, role="mentor")
        phrase = (PROMPTS.render(flow.phrase, locale) if flow.phrase
                  else PROMPTS.render("common.flow_phrase", locale, title=title))
        for key in ("common.help_in_dialog", "common.already_in_flow", "common.interrupted",
                    "common.expired"):
            text = PROMPTS.render(key, locale, flow_title=title, flow_phrase=phrase,
                                  position=1, total=2, hint="", date=date(2026, 3, 11))
            assert not BROKEN_PHRASE.search(text), (flow_id, text)


def test_deleting_your_data_reads_as_a_sentence(chat: Chat) -> None:
    chat.say("hallo")  # a first hello starts the onboarding; stop it
    chat.say("stop")
    chat.say("verwijder mijn gegevens")
    said = chat.say_text("hulp")
    assert "We zijn bezig met het verwijderen van je gegevens" in said
    assert "je je" not in said


# -- lists and numbers -----------------------------------------------------------------------


def test_no_text_joins_a_list_by_hand() -> None:
    for path in Path(BUILTIN_DIR).rglob("*.toml"):
        assert "| join(" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(("locale", "said"), [("nl", "met Bo, Cas en Dirk."),
                                               ("en", "with Bo, Cas, and Dirk.")])
def test_lists_follow_the_language(locale: str, said: str) -> None:
    text = PROMPTS.render("peer_review.intro", locale, partners=["Bo", "Cas", "Dirk"],
                          cadence_weeks=1, ends_on_text="vrijdag")
    assert said in text
    assert "Cas, en" not in text


def test_small_numbers_are_written_out() -> None:
    assert "meer dan twee." in PROMPTS.render("month.too_many", "nl", maximum=2)
    assert "meer dan drie." in PROMPTS.render("contract.too_many", "nl", maximum=3)
    assert "more than three" in PROMPTS.render("contract.too_many", "en", maximum=3)


# -- closings --------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_closings_ask_nothing_that_cannot_be_answered(locale: str) -> None:
    for next_step in ("stay", "within_job", "elsewhere"):
        for organise_day in (True, False):
            text = PROMPTS.render("year.outro", locale, year=2026, low=1, next_step=next_step,
                                  organise_day=organise_day)
            assert "?" not in text, text
    assert "?" not in PROMPTS.render("experiment.reflect_outro", locale, ended=True,
                                     shared=True)


# -- this week or next week ------------------------------------------------------------------


def test_a_plan_made_at_the_end_of_the_week_is_for_next_week() -> None:
    workweek = "mon,tue,wed,thu,fri"
    assert not plans_ahead(date(2026, 3, 11), workweek)  # Wednesday
    assert plans_ahead(date(2026, 3, 13), workweek)  # Friday
    assert not plans_ahead(date(2026, 3, 14), workweek)  # Saturday: still its own week
    assert not plans_ahead(date(2026, 3, 13), "mon,tue,wed,thu,fri,sat")


def test_the_weekly_plan_on_friday_says_next_week_and_is_stored_for_it(
    engine: Coach, chat: Chat, database: Engine, clock: Clock
) -> None:
    meet(engine, chat, database, clock)
    clock.now = datetime(2026, 3, 13, 15, 0, tzinfo=UTC)  # Friday
    intro = chat.say_text("weekplan")
    assert "volgende week" in intro and "deze week" not in intro
    chat.say("1")
    chat.say("In het klantoverleg van dinsdag.")
    chat.say("Ik stel drie open vragen voor ik advies geef.")
    closing = chat.say_text("dinsdag om 10 uur")
    assert "volgende week in je dagboek" in closing
    with Session(database) as session:
        [plan] = session.scalars(select(WeeklyPlan))
    assert plan.week_start == date(2026, 3, 16)


# -- a language given is not asked again -----------------------------------------------------


def test_a_person_created_with_a_language_is_not_asked_for_it(engine: Coach) -> None:
    chat = Chat(engine, "eve")
    engine.set_locale(chat.address, "en")
    welcome = chat.say_text("hello")
    assert "Which language" not in welcome and "In welke taal" not in welcome
    assert "time zone" in welcome.lower()


def test_a_person_without_a_language_is_asked(engine: Coach) -> None:
    chat = Chat(engine, "finn")
    assert "In welke taal" in chat.say_text("hallo")


# -- a passive partner is not told twice that nothing happened -------------------------------


def test_unanswered_nudges_that_expired_give_no_notices_and_written_ones_one(
    engine: Coach, chat: Chat, database: Engine, clock: Clock, settings: Settings
) -> None:
    person_id = meet(engine, chat, database, clock)
    timeout = timedelta(minutes=settings.dialog_timeout_minutes + 1)
    # a passive partner: the peer review's nudge and the check days later, both unanswered
    for flow_id in ("peer_review", "peer_met"):
        assert engine.start_flow(person_id, flow_id, context={"partners": ["Bo"],
                                                              "cadence_weeks": 1,
                                                              "ends_on_text": "vrijdag"})
        clock.now += timeout
        engine.expire_dialogs(clock.now)
    reply = chat.say_text("hulp")
    assert "halverwege" not in reply
    # two diaries with something written, both expired unseen: one notice, the latest
    for moment in ("Eerste moment.", "Tweede moment."):
        assert engine.start_flow(person_id, "diary")
        chat.say(moment)
        clock.now += timeout
        engine.expire_dialogs(clock.now)
    said = chat.say_text("hulp")
    assert said.count("halverwege") == 1
