"""End to end through the Coach: replies typed the way people type are understood, intents
are never stored as answers, and a message outside a conversation gets a sensible reply."""

from __future__ import annotations

import io

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from adapters.terminal import TerminalChat
from bot.conversation.coach import Coach
from bot.core.messages import Question
from bot.privacy.export import find_person
from bot.storage.models import WeeklyPlan
from tests.conftest import Chat, Clock, joined
from tests.core.test_dialogs import active_dialog, dialogs, person


def to_step(chat: Chat, database: Engine, step: str) -> None:
    chat.say("hallo")
    for _ in range(6):
        if active_dialog(database).step_id == step:
            return
        chat.say("1" if active_dialog(database).step_id == "language" else "overslaan")
    raise AssertionError(f"onboarding never reached {step}")


def test_onboarding_answered_the_way_people_type(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("1")
    chat.say("ik woon in belgië")
    chat.say("wo en vr")
    chat.say("rond drieën")
    chat.say("jawel")
    assert active_dialog(database).step_id == "colleague"
    me = person(database)
    assert me.timezone == "Europe/Brussels"
    assert me.diary_time.strftime("%H:%M") == "15:00"
    assert "wed" in str(me.workdays) and "fri" in str(me.workdays)
    assert "mon" not in str(me.workdays)


def test_a_numbered_yes_no_accepts_its_number(chat: Chat, database: Engine) -> None:
    to_step(chat, database, "has_colleague")
    chat.say("1")
    assert active_dialog(database).step_id == "colleague"


def test_a_vague_time_is_proposed_and_taken_on_yes(chat: Chat, database: Engine) -> None:
    to_step(chat, database, "diary_time")
    proposal = chat.say("na de lunch")
    question = next(m for m in proposal if isinstance(m, Question))
    assert "13:30" in question.text and len(question.choices) == 2
    assert active_dialog(database).step_id == "diary_time"
    chat.send(value="yes", reply_to=question.ref)
    assert person(database).diary_time.strftime("%H:%M") == "13:30"


def test_a_long_time_phrase_is_not_called_too_long(chat: Chat, database: Engine) -> None:
    to_step(chat, database, "diary_time")
    reply = joined(chat.say("meestal rond half 5 denk ik, dan ben ik klaar met werken"))
    assert "zoveel kwijt" not in reply
    assert "16:30" in reply


def test_non_answers_are_never_stored_in_the_diary(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("stop")
    chat.say("dagboek")
    assert "geen haast" in joined(chat.say("geen zin"))
    assert "Bijvoorbeeld" in joined(chat.say("huh?"))
    assert "drukste moment" in joined(chat.say("weet ik niet"))
    chat.say("later vandaag")
    chat.say("In het overleg vroeg ik door.")
    assert active_dialog(database).answers == {"moments": "In het overleg vroeg ik door."}


def test_a_command_at_a_question_runs_and_is_never_stored(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("stop")
    chat.say("dagboek")
    chat.say("contract colleague")
    for dialog in dialogs(database):
        assert "contract colleague" not in str(dialog.answers)
    diary = next(d for d in dialogs(database) if d.flow_id == "diary")
    assert diary.status != "active"


def test_outside_a_conversation_the_coach_answers_warmly(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("stop")
    assert "Graag gedaan" in joined(chat.say("bedankt!"))
    day_off = next(m for m in chat.say("ik ben op cursus vandaag") if isinstance(m, Question))
    assert [c.value for c in day_off.choices] == ["pauze tot morgen", "pauze"]
    chat.say("ik wil mijn weekplan zien")
    assert active_dialog(database).flow_id == "weekplan"
    chat.say("stop")
    offer = next(m for m in chat.say("blablabla") if isinstance(m, Question))
    assert len(offer.choices) == 3
    chat.send(value=offer.choices[0].value, reply_to=offer.ref)
    assert active_dialog(database).flow_id == offer.choices[0].value


def test_same_at_a_choice_keeps_last_weeks_answer(
    chat: Chat, clock: Clock, database: Engine
) -> None:
    """The plan's hint says 'typ *zelfde*'; at the competence question that was refused."""
    chat.say("hallo")
    chat.say("stop")
    chat.say("weekplan")
    chat.say("2")
    chat.say("teamoverleg")
    chat.say("Ik stel drie vragen.")
    chat.say("morgen")
    clock.advance(days=7)
    chat.say("weekplan")
    chat.say("Geleerd.")
    chat.say("2")  # adjust: the whole plan again
    assert active_dialog(database).step_id == "competence"
    chat.say("zelfde als vorige keer")
    assert active_dialog(database).step_id == "situation"
    chat.say("zelfde")
    chat.say("Ik vat het overleg samen.")
    chat.say("idem")
    with Session(database) as session:
        first, second = session.scalars(select(WeeklyPlan).order_by(WeeklyPlan.id)).all()
    assert second.competence_code == first.competence_code
    assert second.situation == first.situation == "teamoverleg"
    assert second.moment == first.moment


def test_in_the_terminal_a_proposal_is_answered_by_its_number(
    engine: Coach, database: Engine
) -> None:
    """The terminal shows the one-tap confirmation as numbered options; '1' takes it."""
    output = io.StringIO()
    lines = iter(["hallo", "1", "Amsterdam", "wo en vr", "na de lunch", "1", "jawel"])
    TerminalChat(engine, "tess", output).run(lines)
    shown = output.getvalue()
    assert "13:30" in shown
    assert "  1) Ja, klopt" in shown
    with Session(database) as session:
        me = find_person(session, "tess")
        assert me.diary_time.strftime("%H:%M") == "13:30"
        assert me.timezone == "Europe/Amsterdam"
