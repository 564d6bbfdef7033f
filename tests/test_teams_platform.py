"""Teams as Microsoft documents it, over real HTTP on loopback against the fake Bot Connector
(tests/teams_connector.py): activity ids per conversation, what a channel mention may show,
Teams' message size, invoke deadlines, notifications of cards, uninstalls and team rosters."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.storage.models import Dialog, DiaryEntry, Person
from tests.test_cli import NL_QUESTIONS
from tests.test_teams_http import TeamsRig, buttons, run, text_of

pytestmark = pytest.mark.usefixtures("no_failed_turns")


def in_chat(user: str, chat: str, name: str) -> dict[str, Any]:
    return {"user": user, "conversation": chat,
            "from": {"id": user, "name": name, "aadObjectId": f"aad-{user[3:]}"}}


# -- 2. retried-event dedupe is per conversation -------------------------------------------


def test_the_same_activity_id_in_two_chats_is_two_messages(runtime: Runtime) -> None:
    """Teams activity ids are millisecond timestamps of one conversation: Bram, in his own
    chat, can send a message with the id Anna's message had in hers."""
    anna = in_chat("29:anna", "a:1anna", "Anna Jansen")
    bram = in_chat("29:bram", "a:1bram", "Bram de Vries")

    async def scenario(rig: TeamsRig) -> None:
        for who in (anna, bram):
            await rig.say("stop", **who)  # known to the coach, no onboarding
            assert NL_QUESTIONS[0] in text_of(await rig.say("dagboek", **who))
        same = "1700000000123"
        first = await rig.say("Anna's moment van vandaag.", id=same, **anna)
        assert NL_QUESTIONS[1] in text_of(first)
        second = await rig.say("Bram's moment van vandaag.", id=same, **bram)
        assert NL_QUESTIONS[1] in text_of(second)
        assert rig.connector.calls("send")[-1].conversation_id == "a:1bram"
        # a real retry (same chat, same id) is still answered once
        assert await rig.say("Anna's moment van vandaag.", id=same, **anna) == []

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        answers = connection.execute(select(Person.display_name, Dialog.answers).join(
            Dialog, Dialog.person_id == Person.id).where(Dialog.flow_id == "diary")).all()
    assert sorted((name, dict(answers).get("moments")) for name, answers in answers) == [
        ("Anna Jansen", "Anna's moment van vandaag."),
        ("Bram de Vries", "Bram's moment van vandaag.")]


# -- 6. card-only messages carry a summary -----------------------------------------------


def test_a_card_only_question_has_its_words_as_summary(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.say("dagboek")
        for answer in ("Een klant vroeg iets lastigs.", "Ik vroeg eerst door."):
            await rig.say(answer)
        [scale] = await rig.say("Eerst vragen, dan adviseren.")
        assert scale["attachments"] and NL_QUESTIONS[3] in scale["summary"]
        four = next(b for b in buttons([scale]) if b["title"] == "4")
        card_id = rig.connector.calls("send")[-1].response["id"]
        await rig.post(rig.activity(value=four["data"], replyToId=card_id))
        [update] = rig.connector.updates()
        assert "text" not in update.body
        assert update.body["summary"].startswith(NL_QUESTIONS[3][:40])
        assert update.body["summary"].endswith("✓ 4")

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(DiaryEntry.value)).scalars().all() == [4]
