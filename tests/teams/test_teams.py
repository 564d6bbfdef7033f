"""The Teams adapter through botbuilder's own TestAdapter: the diary in both languages,
card answers, identity from the activity. (Real HTTP is in test_teams_http.py.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    Entity,
)

from adapters.teams.app import build_teams
from adapters.teams.config import TeamsConfig
from bot.runtime import Runtime
from tests.rigs.cli import EN_QUESTIONS, NL_QUESTIONS

NL, EN = NL_QUESTIONS, EN_QUESTIONS


class Chat:
    """One person in a Teams personal chat, through TestAdapter."""

    def __init__(self, runtime: Runtime, locale: str = "nl-NL",
                 timezone: str = "Europe/Amsterdam") -> None:
        teams = build_teams(runtime, TeamsConfig())
        self.adapter = TestAdapter(teams.bot_framework.bot.on_turn)
        self.locale = locale
        self.timezone = timezone
        self.count = 0

    def activity(self, **fields: Any) -> Activity:
        self.count += 1
        return Activity(
            type=ActivityTypes.message, id=f"act-{self.count}", channel_id="msteams",
            locale=self.locale, from_property=ChannelAccount(id="29:anna", name="Anna Jansen",
                                                             aad_object_id="aad-anna"),
            recipient=ChannelAccount(id="28:bot", name="Leercoach"),
            conversation=ConversationAccount(id="a:personal-anna", conversation_type="personal",
                                             tenant_id="tenant-1"),
            entities=[Entity().deserialize({"type": "clientInfo", "locale": self.locale,
                                            "timezone": self.timezone})],
            channel_data={"tenant": {"id": "tenant-1"}},
            **fields)

    def send(self, **fields: Any) -> list[Activity]:
        async def go() -> list[Activity]:
            await self.adapter.process_activity(self.activity(**fields),
                                                self.adapter.logic)
            replies = []
            while self.adapter.activity_buffer:
                replies.append(self.adapter.activity_buffer.pop(0))
            return replies

        return asyncio.run(go())


def said(replies: list[Activity]) -> str:
    parts = []
    for reply in replies:
        parts.append(reply.text or "")
        for attachment in reply.attachments or ():
            parts += [b.get("text", "") for b in attachment.content.get("body", [])]
    return "\n".join(parts)


def card_actions(replies: list[Activity]) -> list[dict[str, Any]]:
    return [action for reply in replies for attachment in reply.attachments or ()
            for action in attachment.content.get("actions", [])]


@pytest.mark.parametrize(("locale", "questions", "word"),
                         [("nl-NL", NL, "dagboek"), ("en-US", EN, "diary")])
def test_the_diary_in_teams_in_both_languages(runtime: Runtime, locale: str,
                                              questions: tuple[str, ...], word: str) -> None:
    chat = Chat(runtime, locale=locale)
    assert questions[0] in said(chat.send(text=word))
    assert questions[1] in said(chat.send(text="Een klant vroeg iets lastigs."))
    assert questions[2] in said(chat.send(text="Ik vroeg eerst door."))
    scale = chat.send(text="Eerst vragen, dan adviseren.")
    assert questions[3] in said(scale)
    buttons = card_actions(scale)
    assert [b["title"] for b in buttons] == ["1", "2", "3", "4", "5"]
    closing = chat.send(value=buttons[3]["data"], reply_to_id="act-4")
    assert "Eerst vragen, dan adviseren." in said(closing)  # the lesson, echoed back
    updated = chat.adapter.updated_activities
    assert len(updated) == 1 and updated[0].id == "act-4"
    card = updated[0].attachments[0].content
    assert card["actions"] == [] and "✓ 4" in str(card["body"])
    with runtime.database.connect() as connection:
        from sqlalchemy import select

        from bot.storage.models import DiaryEntry, Person

        entry = connection.execute(select(DiaryEntry.value)).scalar_one()
        person = connection.execute(select(Person.locale, Person.timezone)).one()
    assert entry == 4
    assert person == (locale[:2], "Europe/Amsterdam")  # from activity.locale and clientInfo


def test_a_mention_is_read_without_the_bots_name(runtime: Runtime) -> None:
    chat = Chat(runtime)
    assert NL[0] in said(chat.send(text="<at>Leercoach</at> dagboek"))
