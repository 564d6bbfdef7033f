"""The weekly PDCA plan: Plan with one round of SMART feedback at most, Check in the diary,
Act next week (continue / adjust / done), one plan per week (a revision keeps the earlier
row) — in Dutch (the default) and English, through the engine as an adapter would use it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Message, Question
from bot.core.prompts import PromptLibrary
from bot.core.smart import has_moment, is_observable
from bot.practices.weekly_plan.hooks import week_start
from bot.privacy.export import find_person
from bot.storage.models import Dialog, DiaryEntry, MonthlyReflection, Person, WeeklyPlan
from tests.conftest import Chat, Clock, joined

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])

# What a person types, per language: a good plan, and a vague one.
TYPES: dict[str, dict[str, str]] = {
    "nl": {
        "command": "weekplan",
        "competence": "Feedback geven en ontvangen",
        "situation": "In het wekelijkse teamoverleg.",
        "approach": "Ik vraag twee collega's om feedback op mijn inbreng.",
        "moment": "Dinsdag in het teamoverleg.",
        "vague_approach": "Beter luisteren.",
        "vague_moment": "Deze week ergens.",
        "learned": "Feedback vragen voelt minder eng dan ik dacht.",
        "continue": "doorgaan",
        "adjust": "bijstellen",
        "done": "afronden",
        "same": "zelfde",
        "yes": "ja",
        "no": "nee",
        "diary": "dagboek",
        "skip": "overslaan",
    },
    "en": {
        "command": "week plan",
        "competence": "Giving and receiving feedback",
        "situation": "In the weekly team meeting.",
        "approach": "I ask two colleagues for feedback on my input.",
        "moment": "Tuesday in the team meeting.",
        "vague_approach": "Be a better listener.",
        "vague_moment": "Sometime this week.",
        "learned": "Asking for feedback is less scary than I thought.",
        "continue": "continue",
        "adjust": "adjust",
        "done": "done",
        "same": "same",
        "yes": "yes",
        "no": "no",
        "diary": "diary",
        "skip": "skip",
    },
}

# What the coach says, per language: fragments that carry the meaning of each text.
SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "intro": "Tijd voor je weekplan",
        "competence": "Op welke competentie wil je je deze week richten?",
        "situation": "In welke situatie ga je ermee oefenen?",
        "approach": "Hoe ga je het ontwikkelen?",
        "moment": "Wanneer ga je het proberen?",
        "review_observable": "Hoe zie je straks dat het gelukt is?",
        "review_moment": "Noem een dag of een vast moment",
        "saved": "Je weekplan staat",
        "revised": "Je plan is bijgewerkt",
        "kept": "je plan blijft zoals het is",
        "last_week": "We beginnen bij je plan van vorige week",
        "weeks_ago": "We beginnen bij je plan van 2 weken geleden",
        "practised": "2 keer naar; 1 keer kwam je eraan toe",
        "learned": "Wat heb je van dit plan geleerd?",
        "follow": "Hoe ga je verder met dit plan?",
        "this_week": "Je hebt voor deze week al een plan",
        "revise": "Wil je je plan voor deze week aanpassen?",
        "diary_check": "Kwam je er vandaag aan toe om met je weekplan te oefenen?",
        "value": "Hoe leerzaam was je dag?",
        "diary_saved": "is bewaard",
        "choose_one": "Kies een van de opties",
        "cannot_skip": "Deze vraag heb ik echt nodig",
        "confirm_invalid": "Is het ja of nee?",
        "already": "We zijn al bezig met je weekplan",
        "focus": "Je focus deze maand: Samenwerken.",
    },
    "en": {
        "intro": "Time for your weekly plan",
        "competence": "Which competence do you want to focus on this week?",
        "situation": "In which situation will you practise it?",
        "approach": "How will you develop it?",
        "moment": "When will you try it?",
        "review_observable": "How will you see that it worked?",
        "review_moment": "Name a day or a fixed moment",
        "saved": "Your weekly plan is set",
        "revised": "Your plan is updated",
        "kept": "your plan stays as it is",
        "last_week": "Let's start from your plan of last week",
        "weeks_ago": "Let's start from your plan of 2 weeks ago",
        "practised": "asked about it 2 times; you got round to it 1 time",
        "learned": "What did you learn from this plan?",
        "follow": "How will you go on with this plan?",
        "this_week": "You already have a plan for this week",
        "revise": "Would you like to revise your plan for this week?",
        "diary_check": "Did you get to practise your weekly plan today?",
        "value": "How much did you learn today?",
        "diary_saved": "is saved",
        "choose_one": "Choose one of the options",
        "cannot_skip": "I really need this answer",
        "confirm_invalid": "a yes or a no",
        "already": "We're already working on your weekly plan",
        "focus": "Your focus this month: Collaboration.",
    },
}

WEDNESDAY = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # the clock fixture's start
MONDAY = date(2026, 3, 9)


pytestmark = pytest.mark.usefixtures("no_failed_turns")  # every turn must succeed


# -- helpers ---------------------------------------------------------------------------------


def use_locale(engine: Coach, chat: Chat, locale: str) -> None:
    if locale != "nl":
        engine.set_locale(chat.address, locale)


def plans(database: Engine) -> list[WeeklyPlan]:
    with Session(database) as session:
        return list(session.scalars(select(WeeklyPlan).order_by(WeeklyPlan.id)))


def entries(database: Engine) -> list[DiaryEntry]:
    with Session(database) as session:
        return list(session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)))


def active_step(database: Engine) -> str | None:
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).where(Dialog.status == "active"))
        return dialog.step_id if dialog else None


def active_context(database: Engine) -> dict[str, Any]:
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).where(Dialog.status == "active"))
        assert dialog is not None
        return dict(dialog.context)


def person(database: Engine) -> Person:
    with Session(database) as session:
        return find_person(session, "alice")


def question(messages: list[Message]) -> Question:
    found = [m for m in messages if isinstance(m, Question)]
    assert len(found) == 1, messages
    return found[0]


def make_plan(chat: Chat, locale: str, **overrides: str) -> str:
    """A whole fresh plan from the command on; returns the closing text."""
    types = {**TYPES[locale], **overrides}
    chat.say(types["command"])
    chat.say(types["competence"])
    chat.say(types["situation"])
    chat.say(types["approach"])
    return chat.say_text(types["moment"])


def write_diary(chat: Chat, locale: str) -> list[Message]:
    """The diary's four questions; returns what follows the last one."""
    chat.say(TYPES[locale]["diary"])
    chat.say("Een lastig overleg.")
    chat.say("Eerst vragen gesteld.")
    chat.say("Eerst luisteren.")
    return chat.say("4")


# -- the heuristics ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "dinsdag in het teamoverleg", "morgen na de lunch", "vrijdagochtend", "om 10 uur",
        "14:30", "op 12 maart", "in het eerstvolgende klantgesprek", "elke ochtend",
        "in mijn 1-op-1 met Sanne", "zodra een klant belt", "Tuesday in the team meeting",
        "tomorrow after lunch", "at 3pm", "in the daily stand-up", "next time a customer calls",
        "every morning", "during my one-on-one",
    ],
)
def test_a_moment_is_recognised(text: str) -> None:
    assert has_moment(text)


@pytest.mark.parametrize(
    "text", ["deze week", "ergens", "als het uitkomt", "this week", "sometime", "when I can"]
)
def test_no_moment(text: str) -> None:
    assert not has_moment(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ik stel eerst drie open vragen", "ik vraag om feedback", "Ik noteer elke avond wat "
        "lukte", "twee keer per dag samenvatten wat de klant zei", "Ask two open questions",
        "write down what I noticed", "I summarise the decision at the end",
        "share one lesson in the stand-up",
    ],
)
def test_an_observable_approach_is_recognised(text: str) -> None:
    assert is_observable(text)


@pytest.mark.parametrize(
    "text", ["beter luisteren", "bewuster zijn", "meer rust", "be a better listener",
             "be more aware", "improve"]
)
def test_a_vague_approach_is_not_observable(text: str) -> None:
    assert not is_observable(text)


def test_week_start_is_the_monday() -> None:
    assert week_start(date(2026, 3, 11)) == MONDAY
    assert week_start(MONDAY) == MONDAY
    assert week_start(date(2026, 3, 15)) == MONDAY  # Sunday


# -- the texts ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary.builtin()


A_PLAN: dict[str, Any] = {
    "id": 1, "week_start": "2026-03-02", "weeks_ago": 1, "competence": "feedback",
    "competence_name": "Feedback geven en ontvangen", "situation": "In het overleg.",
    "approach": "Ik stel drie vragen.", "moment": None, "previous_id": None, "follows": None,
    "learned": None, "practised": 1, "checked": 1,
}


@LOCALES
@pytest.mark.parametrize(
    ("key", "variables"),
    [
        ("weekplan.intro", {}),
        ("weekplan.intro", {"name": "Anouk", "focus_names": ["Samenwerken"]}),
        ("weekplan.intro", {"previous": A_PLAN, "focus_names": ["A", "B"]}),
        ("weekplan.intro", {"previous": {**A_PLAN, "weeks_ago": 3, "checked": 0}}),
        ("weekplan.intro", {"this_week": A_PLAN, "focus_names": ["A"]}),
        ("weekplan.outro", {"kept": True}),
        ("weekplan.outro", {"competence": "A", "situation": "", "approach": "", "moment": ""}),
        ("weekplan.outro", {"revised": True, "follows": "continue", "competence": "A",
                            "situation": "s", "approach": "a", "moment": "m"}),
        ("weekplan.diary_check", {}),
        ("weekplan.diary_check", {"plan_text": "Feedback: Ik stel drie vragen."}),
    ],
)
def test_the_texts_render_in_every_branch(
    library: PromptLibrary, locale: str, key: str, variables: dict[str, Any]
) -> None:
    rendered = library.render(key, locale, **variables)
    assert rendered
    for leftover in ("{{", "{%", "None", "Undefined", "[", "]"):
        assert leftover not in rendered, (key, rendered)
    if "focus_names" in variables and "this_week" not in variables:
        assert " ".join(variables["focus_names"][:1]) in rendered


# -- Plan ---------------------------------------------------------------------------------------


@LOCALES
def test_a_full_plan_without_feedback(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)

    first = chat.say(types["command"])
    assert says["intro"] in joined(first)
    competence = question(first)
    assert competence.text == says["competence"]
    assert len(competence.choices) == 20
    assert competence.choices[4].label == types["competence"]

    assert question(chat.say(types["competence"])).text == says["situation"]
    assert question(chat.say(types["situation"])).text.startswith(says["approach"])
    assert question(chat.say(types["approach"])).text == says["moment"]
    closing = chat.say_text(types["moment"])
    assert says["saved"] in closing
    assert types["competence"] in closing
    assert types["approach"] in closing
    assert says["review_observable"] not in closing

    [plan] = plans(database)
    assert plan.person_id == person(database).id
    assert plan.week_start == MONDAY
    assert plan.competence_code == "feedback"
    assert plan.situation == types["situation"]
    assert plan.approach == types["approach"]
    assert plan.moment == types["moment"]
    assert plan.feedback_given is False
    assert (plan.previous_id, plan.follows, plan.learned) == (None, None, None)
    assert (plan.checked, plan.practised) == (0, 0)
    assert plan.dialog_id is not None
    assert active_step(database) is None


@pytest.mark.parametrize("word", ["weekplan", "plan", "week plan", "Plan!", "/weekplan"])
def test_the_command_words(word: str, chat: Chat) -> None:
    assert question(chat.say(word)).text == SAYS["nl"]["competence"]


def test_a_number_chooses_the_competence(chat: Chat, database: Engine) -> None:
    chat.say("plan")
    chat.say("5")
    chat.say("situatie")
    chat.say("Ik stel drie vragen.")
    chat.say("morgen")
    assert plans(database)[0].competence_code == "feedback"


@LOCALES
def test_the_review_fires_once_for_a_vague_approach(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    chat.say(types["command"])
    chat.say(types["competence"])
    chat.say(types["situation"])

    review = chat.say(types["vague_approach"])
    assert says["review_observable"] in joined(review)
    assert not [m for m in review if isinstance(m, Question)]
    assert active_step(database) == "approach"

    # The next answer is accepted as it is, even if it is still vague: no nagging.
    assert question(chat.say("Nog steeds vaag.")).text == says["moment"]
    # One round per plan: a vague moment now gets no second question.
    closing = chat.say_text(types["vague_moment"])
    assert says["saved"] in closing
    [plan] = plans(database)
    assert plan.approach == "Nog steeds vaag."
    assert plan.moment == types["vague_moment"]
    assert plan.feedback_given is True


@LOCALES
def test_the_review_fires_once_for_a_plan_without_a_moment(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    chat.say(types["command"])
    chat.say(types["competence"])
    chat.say(types["situation"])
    chat.say(types["approach"])

    review = joined(chat.say(types["vague_moment"]))
    assert says["review_moment"] in review
    assert says["saved"] not in review
    assert active_step(database) == "moment"

    closing = chat.say_text("Ergens anders in de week.")
    assert says["saved"] in closing
    [plan] = plans(database)
    assert plan.moment == "Ergens anders in de week."
    assert plan.feedback_given is True


@LOCALES
def test_ok_keeps_the_first_answer(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    chat.say(types["command"])
    chat.say(types["competence"])
    chat.say(types["situation"])
    assert says["review_observable"] in chat.say_text(types["vague_approach"])
    assert question(chat.say("ok")).text == says["moment"]
    chat.say(types["moment"])
    [plan] = plans(database)
    assert plan.approach == types["vague_approach"]
    assert plan.feedback_given is True


def test_a_moment_in_the_approach_is_enough(chat: Chat, database: Engine) -> None:
    chat.say("plan")
    chat.say("feedback")
    chat.say("teamoverleg")
    chat.say("Dinsdag vraag ik twee collega's om feedback.")
    assert SAYS["nl"]["saved"] in chat.say_text("zie boven")
    assert plans(database)[0].feedback_given is False


# -- bad input -------------------------------------------------------------------------------


@LOCALES
def test_bad_input_keeps_the_question_open(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    chat.say(types["command"])

    for wrong in ("99", "banaan", "0"):
        rejected = chat.say(wrong)
        assert says["choose_one"] in joined(rejected)
        assert question(rejected).text == says["competence"]
        assert active_step(database) == "competence"
    assert says["cannot_skip"] in chat.say_text(types["skip"])
    assert active_step(database) == "competence"

    chat.say(types["competence"])
    assert says["cannot_skip"] in chat.say_text(types["skip"])
    chat.say("   ")
    assert active_step(database) == "situation"
    chat.say("x")  # too short
    assert active_step(database) == "situation"
    chat.say("x" * 5000)  # too long
    assert active_step(database) == "situation"
    chat.say(types["situation"])
    chat.say(types["approach"])
    chat.say("{{ 7*7 }} dinsdag")
    [plan] = plans(database)
    assert plan.moment == "{{ 7*7 }} dinsdag"


def test_weekplan_while_in_the_weekplan_repeats_the_question(chat: Chat) -> None:
    chat.say("weekplan")
    chat.say("feedback")
    again = chat.say("weekplan")
    assert SAYS["nl"]["already"] in joined(again)
    assert question(again).text == SAYS["nl"]["situation"]


def test_the_scheduler_can_start_the_plan(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    known(chat)
    sent = engine.start_flow(person(database).id, "weekplan")
    messages = [out.message for out in sent]
    assert SAYS["nl"]["intro"] in joined(messages)
    assert question(messages).text == SAYS["nl"]["competence"]


# -- Check: the diary asks about the plan ------------------------------------------------------


def test_without_a_plan_the_diary_does_not_ask(chat: Chat, database: Engine) -> None:
    closing = joined(write_diary(chat, "nl"))
    assert SAYS["nl"]["diary_saved"] in closing
    assert "plan_check" not in entries(database)[0].extra


@LOCALES
def test_the_diary_check_is_counted_on_the_plan(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    make_plan(chat, locale)

    check = question(write_diary(chat, locale))
    assert says["diary_check"] in check.text
    assert [c.value for c in check.choices] == ["yes", "no"]
    context = active_context(database)
    assert context["weekly_plan"] == plans(database)[0].id
    assert context["plan_text"] == f"{types['competence']} — {types['approach']}"
    assert says["confirm_invalid"] in chat.say_text("misschien")
    assert says["diary_saved"] in chat.say_text(types["yes"])
    [plan] = plans(database)
    assert (plan.checked, plan.practised) == (1, 1)
    assert entries(database)[0].extra == {"plan_check": True}

    # Once a day: a second diary the same day does not ask again.
    assert says["diary_saved"] in joined(write_diary(chat, locale))
    assert (plans(database)[0].checked, plans(database)[0].practised) == (1, 1)

    clock.advance(days=1)
    assert says["diary_check"] in question(write_diary(chat, locale)).text
    chat.say(types["no"])
    [plan] = plans(database)
    assert (plan.checked, plan.practised) == (2, 1)
    assert entries(database)[-1].extra == {"plan_check": False}


def test_the_diary_does_not_ask_about_last_weeks_plan(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    make_plan(chat, "nl")
    clock.advance(days=7)
    closing = joined(write_diary(chat, "nl"))
    assert SAYS["nl"]["diary_saved"] in closing
    assert plans(database)[0].checked == 0


# -- Act: next week starts from this week's plan ----------------------------------------------


def plan_with_two_checks(chat: Chat, clock: Clock, locale: str) -> None:
    """A plan this week, practised on one of the two days the diary asked."""
    make_plan(chat, locale)
    write_diary(chat, locale)
    chat.say(TYPES[locale]["yes"])
    clock.advance(days=1)
    write_diary(chat, locale)
    chat.say(TYPES[locale]["no"])


@LOCALES
def test_continue_carries_the_plan_over_and_asks_only_the_moment(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    plan_with_two_checks(chat, clock, locale)
    clock.advance(days=6)  # Tuesday of the next week

    first = chat.say(types["command"])
    intro = joined(first)
    assert says["last_week"] in intro
    assert types["approach"] in intro
    assert says["practised"] in intro
    assert question(first).text.startswith(says["learned"])

    follow = question(chat.say(types["learned"]))
    assert follow.text == says["follow"]
    assert [c.value for c in follow.choices] == ["continue", "adjust", "done"]
    assert question(chat.say(types["continue"])).text == says["moment"]
    closing = chat.say_text("Donderdag in het klantoverleg.")
    assert says["saved"] in closing
    assert types["situation"] in closing

    first_plan, second = plans(database)
    assert second.week_start == date(2026, 3, 16)
    assert second.previous_id == first_plan.id
    assert second.follows == "continue"
    assert second.learned == types["learned"]
    assert second.competence_code == first_plan.competence_code
    assert second.situation == first_plan.situation
    assert second.approach == first_plan.approach
    assert second.moment == "Donderdag in het klantoverleg."
    assert (second.checked, second.practised) == (0, 0)
    assert (first_plan.checked, first_plan.practised) == (2, 1)


@LOCALES
def test_adjust_asks_again_and_same_keeps_an_answer(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    make_plan(chat, locale)
    clock.advance(days=7)

    chat.say(types["command"])
    chat.say(types["learned"])
    competence = question(chat.say(types["adjust"]))
    assert competence.text == says["competence"]
    assert competence.choices[0].value == "feedback"  # last week's competence comes first
    assert question(chat.say("1")).text == says["situation"]
    chat.say(types["same"])
    chat.say("Ik vraag na elk klantgesprek de klant om één tip.")
    chat.say(types["same"])

    first_plan, second = plans(database)
    assert second.follows == "adjust"
    assert second.previous_id == first_plan.id
    assert second.competence_code == "feedback"
    assert second.situation == first_plan.situation
    assert second.approach == "Ik vraag na elk klantgesprek de klant om één tip."
    assert second.moment == first_plan.moment
    assert second.feedback_given is False


@LOCALES
def test_done_starts_a_fresh_plan(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    make_plan(chat, locale)
    clock.advance(days=7)

    chat.say(types["command"])
    chat.say(types["skip"])  # nothing learned to tell (yet)
    assert question(chat.say(types["done"])).text == says["competence"]
    chat.say("samenwerken")
    chat.say("In het project met team B.")
    chat.say("Ik deel elke ochtend mijn planning in de chat.")
    assert says["saved"] in chat.say_text("Maandag om 9:00.")

    first_plan, second = plans(database)
    assert second.follows == "done"
    assert second.learned is None
    assert second.previous_id == first_plan.id
    assert second.competence_code == "samenwerken"
    assert second.situation == "In het project met team B."


@LOCALES
def test_act_follows_an_earlier_unfinished_plan(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    make_plan(chat, locale)
    clock.advance(days=14)
    assert says["weeks_ago"] in chat.say_text(types["command"])
    chat.say(types["learned"])
    chat.say(types["continue"])
    chat.say(types["moment"])
    assert plans(database)[1].previous_id == plans(database)[0].id


def test_a_plan_from_long_ago_is_not_followed_up(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    make_plan(chat, "nl")
    clock.advance(weeks=10)
    first = chat.say("weekplan")
    assert SAYS["nl"]["last_week"] not in joined(first)
    assert question(first).text == SAYS["nl"]["competence"]


def test_bad_input_on_the_act_questions(chat: Chat, clock: Clock, database: Engine) -> None:
    make_plan(chat, "nl")
    clock.advance(days=7)
    chat.say("weekplan")
    chat.say("Geleerd.")
    rejected = chat.say("misschien")
    assert SAYS["nl"]["choose_one"] in joined(rejected)
    assert question(rejected).text == SAYS["nl"]["follow"]
    assert SAYS["nl"]["cannot_skip"] in chat.say_text("overslaan")
    assert active_step(database) == "follow"
    chat.say("2")
    assert active_step(database) == "competence"


# -- one plan per week: a revision ----------------------------------------------------------


@LOCALES
def test_a_second_plan_in_the_week_offers_a_revision(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says, types = SAYS[locale], TYPES[locale]
    use_locale(engine, chat, locale)
    make_plan(chat, locale)
    write_diary(chat, locale)
    chat.say(types["yes"])
    clock.advance(days=1)

    first = chat.say(types["command"])
    assert says["this_week"] in joined(first)
    assert types["approach"] in joined(first)
    assert question(first).text == says["revise"]
    assert says["kept"] in chat.say_text(types["no"])
    assert len(plans(database)) == 1

    chat.say(types["command"])
    competence = question(chat.say(types["yes"]))
    assert competence.text == says["competence"]
    assert competence.choices[0].value == "feedback"
    chat.say("1")
    chat.say(types["same"])
    chat.say(types["same"])
    closing = chat.say_text("Vrijdag in de retro.")
    assert says["revised"] in closing

    earlier, revision = plans(database)
    assert revision.week_start == earlier.week_start == MONDAY
    assert revision.situation == earlier.situation
    assert revision.approach == earlier.approach
    assert revision.moment == "Vrijdag in de retro."
    assert earlier.moment == types["moment"]
    assert (earlier.checked, earlier.practised) == (1, 1)

    # The diary now asks about the revision, and counts on it.
    clock.advance(days=1)
    write_diary(chat, locale)
    chat.say(types["yes"])
    earlier, revision = plans(database)
    assert (revision.checked, revision.practised) == (1, 1)
    assert (earlier.checked, earlier.practised) == (1, 1)


def test_a_revision_keeps_what_the_plan_followed(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    make_plan(chat, "nl")
    clock.advance(days=7)
    chat.say("weekplan")
    chat.say("Geleerd.")
    chat.say("doorgaan")
    chat.say("woensdag")
    chat.say("weekplan")
    chat.say("ja")
    chat.say("samenwerken")
    chat.say("zelfde")
    chat.say("Ik stel twee vragen.")
    chat.say("donderdag")
    first, second, revision = plans(database)
    assert revision.week_start == second.week_start
    assert (revision.previous_id, revision.follows, revision.learned) == (
        first.id, "continue", "Geleerd."
    )
    assert revision.competence_code == "samenwerken"
    assert revision.situation == first.situation

    # Next week acts on the revision (the week's latest row).
    clock.advance(days=7)
    intro = chat.say_text("weekplan")
    assert "Ik stel twee vragen." in intro


def test_a_plan_started_late_on_sunday_belongs_to_that_week(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = datetime(2026, 3, 15, 22, 30, tzinfo=UTC)  # Sunday 23:30 in Amsterdam
    make_plan(chat, "nl")
    assert plans(database)[0].week_start == MONDAY
    clock.now = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)  # Monday 00:30 in Amsterdam
    first = chat.say("weekplan")
    assert SAYS["nl"]["last_week"] in joined(first)


def test_focus_competences_come_first(
    engine: Coach, chat: Chat, database: Engine
) -> None:
    known(chat)
    add_focus(database, ["samenwerken"])
    first = chat.say("weekplan")
    assert SAYS["nl"]["focus"] in joined(first)
    assert question(first).choices[0].value == "samenwerken"
    chat.say("1")
    chat.say("x y")
    chat.say("Ik deel elke dag één update.")
    chat.say("morgen")
    assert plans(database)[0].competence_code == "samenwerken"


@LOCALES
def test_focus_is_named_in_the_persons_language(
    locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    known(chat)
    use_locale(engine, chat, locale)
    add_focus(database, ["samenwerken"])
    assert SAYS[locale]["focus"] in chat.say_text(TYPES[locale]["command"])


def add_focus(database: Engine, codes: list[str]) -> None:
    """This month's focus, as the monthly reflection stores it."""
    with Session(database) as session:
        session.add(
            MonthlyReflection(
                person_id=find_person(session, "alice").id,
                month=date(2026, 2, 1),
                focus=codes,
                focus_month=date(2026, 3, 1),
                created_at=WEDNESDAY,
            )
        )
        session.commit()


def known(chat: Chat) -> None:
    """A person the coach knows (their onboarding offered and stopped)."""
    chat.say("hallo")
    chat.say("stop")
