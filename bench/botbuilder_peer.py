"""Peer half of the turns/s benchmark: the same 4-question dialog on Microsoft's botbuilder.

Our own engine's turns/s is compared against this. The peer is a botbuilder-dialogs
``WaterfallDialog`` of four ``TextPrompt`` steps, with ``ConversationState`` over
``MemoryStorage`` (the peer keeps its state in memory), driven through botbuilder-core's
``TestAdapter`` with one adapter and one conversation per simulated user.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import ConversationState, MemoryStorage, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    PromptOptions,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

QUESTIONS = (
    "What do you want to learn?",
    "Why does it matter to you?",
    "What is in your way?",
    "What is your first step?",
)
THANKS = "Thanks, that is all for now."
PROMPT_ID = "text"
DIALOG_ID = "coach"


Step = Callable[[WaterfallStepContext], Awaitable[DialogTurnResult]]


def _ask(index: int) -> Step:
    """Waterfall step that stores the previous answer (if any) and asks question ``index``."""

    async def step(step_context: WaterfallStepContext) -> DialogTurnResult:
        if index > 0:
            step_context.values[f"a{index - 1}"] = step_context.result
        prompt = MessageFactory.text(QUESTIONS[index])
        return await step_context.prompt(PROMPT_ID, PromptOptions(prompt=prompt))

    return step


async def _finish(step_context: WaterfallStepContext) -> DialogTurnResult:
    step_context.values[f"a{len(QUESTIONS) - 1}"] = step_context.result
    if len(step_context.values) != len(QUESTIONS):
        raise AssertionError(f"expected {len(QUESTIONS)} stored answers: {step_context.values}")
    await step_context.context.send_activity(THANKS)
    return await step_context.end_dialog(dict(step_context.values))


class _CoachBot:
    """Turn handler: continue the active dialog, or start it; then persist state."""

    def __init__(self) -> None:
        self.storage = MemoryStorage()
        self.conversation_state = ConversationState(self.storage)
        self.dialogs = DialogSet(self.conversation_state.create_property("DialogState"))
        self.dialogs.add(TextPrompt(PROMPT_ID))
        steps = [_ask(i) for i in range(len(QUESTIONS))] + [_finish]
        self.dialogs.add(WaterfallDialog(DIALOG_ID, steps))

    async def on_turn(self, turn_context: TurnContext) -> None:
        dialog_context = await self.dialogs.create_context(turn_context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dialog_context.begin_dialog(DIALOG_ID)
        await self.conversation_state.save_changes(turn_context)


def _adapter_for(bot: _CoachBot, user: int) -> TestAdapter:
    """A TestAdapter whose template carries this user's own conversation and user ids."""
    template = Activity(
        channel_id="test",
        service_url="https://test.com",
        from_property=ChannelAccount(id=f"user{user}", name=f"user{user}"),
        recipient=ChannelAccount(id="bot", name="Bot"),
        conversation=ConversationAccount(id=f"conv{user}"),
    )
    return TestAdapter(bot.on_turn, template)


async def _main(people: int, answers: list[str]) -> dict[str, Any]:
    if len(answers) != len(QUESTIONS):
        raise ValueError(f"need {len(QUESTIONS)} answers, got {len(answers)}")
    bot = _CoachBot()
    latencies_ms: list[float] = []
    for user in range(people):
        adapter = _adapter_for(bot, user)
        for text in ["hi", *answers]:
            activity = Activity(type=ActivityTypes.message, text=text)
            start = time.perf_counter()
            await adapter.receive_activity(activity)
            latencies_ms.append((time.perf_counter() - start) * 1000.0)
        replies = [a.text for a in adapter.activity_buffer if a.type == ActivityTypes.message]
        if len(replies) != len(QUESTIONS) + 1 or replies[-1] != THANKS:
            raise AssertionError(f"user{user}: unexpected replies {replies}")
    if len(bot.storage.memory) != people:
        raise AssertionError(f"expected {people} conversation states: {len(bot.storage.memory)}")
    return {
        "turns": len(latencies_ms),
        "seconds": sum(latencies_ms) / 1000.0,
        "latencies_ms": latencies_ms,
    }


def run_peer(people: int, answers: list[str]) -> dict[str, Any]:
    """Run ``people`` users through the 4-question dialog; time every turn."""
    return asyncio.run(_main(people, answers))


if __name__ == "__main__":
    result = run_peer(200, ["Python", "For work", "Time", "Read the docs"])
    print(
        json.dumps(
            {
                "peer": "botbuilder",
                "people": 200,
                "turns": result["turns"],
                "turns_per_s": round(result["turns"] / result["seconds"], 1),
            }
        )
    )
