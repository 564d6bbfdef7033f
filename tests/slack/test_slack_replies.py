"""A reply is never lost to Slack's rate limits: several 429s in a row are waited out by
their Retry-After, and a longer wait hands the reply to the outbox, whose dispatcher posts
it once Slack allows. Over real HTTP on loopback against the mock Web API."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from functools import partial
from itertools import pairwise
from typing import Any

from sqlalchemy import select

from bot.outbox.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.storage.models import Delivery, table_of
from tests.rigs.loopback import until
from tests.rigs.slack_rig import SlackRig, dm
from tests.rigs.slack_rig import run as play

FIRST_QUESTION = "Welke leermomenten"
_deliveries = table_of(Delivery)


run = partial(play, users={"U1": {"real_name": "Anna"}})


def said(rig: SlackRig) -> list[str]:
    return [json.dumps(call.params, ensure_ascii=False)
            for call in rig.api.calls_to("chat.postMessage") if call.ok]


def test_a_reply_waits_out_several_429s_in_a_row(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        rig.api.fail_next("chat.postMessage", "ratelimited", retry_after=1, count=3)
        await rig.post_json(dm("dagboek"))
        await until(lambda: any(FIRST_QUESTION in text for text in said(rig)), 20)
        attempts = rig.api.calls_to("chat.postMessage")
        assert [call.status for call in attempts] == [429, 429, 429, 200]
        # each try came after the Retry-After Slack gave (1 s)
        assert all(later.at - earlier.at >= 1.0
                   for earlier, later in pairwise(attempts))

    run(runtime, scenario)


def test_a_reply_slack_holds_back_longer_is_delivered_by_the_outbox(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        rig.api.fail_next("chat.postMessage", "ratelimited", retry_after=120, count=1)
        await rig.post_json(dm("dagboek"))
        row = await _row(runtime)
        assert row.kind == "reply" and row.state == "pending"
        assert row.next_attempt_at - row.created_at >= timedelta(seconds=120)
        assert said(rig) == []

        dispatcher = Dispatcher(runtime.engine, {"slack": rig.adapter.sender},
                                limits={"slack": rig.adapter.limits()}, worker="t")
        early = await dispatcher.dispatch(row.next_attempt_at - timedelta(seconds=1))
        assert early.outcomes == []  # not before Slack's Retry-After
        report = await dispatcher.dispatch(row.next_attempt_at + timedelta(seconds=1))
        assert report.count("sent") == 1
        assert any(FIRST_QUESTION in text for text in said(rig))
        assert (await _row(runtime)).state == "sent"

    run(runtime, scenario)


async def _row(runtime: Runtime) -> Any:
    def read() -> Any:
        with runtime.database.connect() as connection:
            return connection.execute(select(_deliveries)).first()

    for _ in range(250):
        row = await asyncio.to_thread(read)
        if row is not None:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError("no delivery row")





def test_every_kind_of_message_comes_back_from_the_outbox_as_it_went_in(
        runtime: Runtime) -> None:
    """The rows hold rendered messages: each kind survives the round trip intact."""
    from datetime import UTC, datetime

    from bot.core.messages import (
        Address,
        Choice,
        File,
        Form,
        FormField,
        InboundEvent,
        Notice,
        Outbound,
        Question,
        Scale,
        Text,
    )
    from bot.outbox import replies

    address = Address("slack", "T0LEERCO", "U1", "DU1")
    runtime.engine.handle(InboundEvent(address=address, text="hallo"))  # stores U1
    messages = [
        Text("Dank je!"), Notice("Opgeslagen", "warning"),
        Question("Hoe ging het?", "q1", (Choice("a", "Goed"), Choice("b", "Matig")),
                 multiple=True, hint="kies", max_length=10, selected=("a",)),
        Scale("Hoe leerzaam?", "s1", 1, 5, "weinig", "veel"),
        Form("Contract", "f1", (FormField("goal", "Doel", multiline=True, value="x",
                                          error="te kort"),), "Opslaan", intro="Vul in"),
        File("Je gegevens", "export.json", "{}"),
    ]
    outbounds = [Outbound(address, message, answers="q0") for message in messages]
    with runtime.database.begin() as connection:
        key = replies.hold(connection, outbounds, datetime(2026, 3, 11, 15, tzinfo=UTC), 5,
                           "ratelimited")
    assert key is not None
    with runtime.database.connect() as connection:
        context = connection.execute(
            select(_deliveries.c.context).where(_deliveries.c.key == key)).scalar_one()
    assert replies.held(context) == outbounds
