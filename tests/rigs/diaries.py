"""A person met by the coach and a diary written through the chat, as the persistence and
encryption tests need them."""

from __future__ import annotations

from tests.conftest import Chat
from tests.rigs.cli import NL_QUESTIONS


def onboard(chat: Chat) -> None:
    """Go through the onboarding flow the way a new person would."""
    assert "Welkom bij Leercoach" in chat.say_text("start")
    for answer in ("1", "Europe/Amsterdam", "1, 2, 3, 4, 5", "16:30", "ja", "overslaan"):
        reply = chat.say_text(answer)
    assert "Klaar!" in reply


def write_diary(chat: Chat, answers: tuple[str, str, str], value: str = "4") -> str:
    assert NL_QUESTIONS[0] in chat.say_text("dagboek")
    for index, answer in enumerate(answers):
        assert NL_QUESTIONS[index + 1] in chat.say_text(answer)
    return chat.say_text(value)
