"""Teams as Microsoft documents it, over real HTTP on loopback against the fake Bot Connector
(tests/rigs/teams_connector.py): activity ids per conversation, what a channel mention may show,
Teams' message size, invoke deadlines, notifications of cards, uninstalls and team rosters."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.outbox.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.storage.models import ConversationReference, Delivery, Dialog, DiaryEntry, Person
from tests.contracts.adaptive_cards import check_card
from tests.rigs.cli import NL_QUESTIONS
from tests.rigs.teams_rig import (
    TENANT,
    TeamsRig,
    buttons,
    diary_to_the_scale,
    run,
    text_of,
)

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
        [scale] = await diary_to_the_scale(rig)
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


# -- 3. a channel mention never shows a personal dialog ------------------------------------

CHANNEL = "19:team-service@thread.tacv2"


def channel_mention(rig: TeamsRig, text: str, thread: str = "1700000000777",
                    **fields: Any) -> dict[str, Any]:
    """`@Leercoach <text>` in a thread of the team's channel, as Teams sends it."""
    return rig.activity(text=f"<at>Leercoach</at> {text}",
                        conversation=f"{CHANNEL};messageid={thread}",
                        conversation_type="channel",
                        entities=[{"type": "mention", "text": "<at>Leercoach</at>",
                                   "mentioned": {"id": "28:bot", "name": "Leercoach"}}],
                        channelData={"tenant": {"id": TENANT},
                                     "team": {"id": "19:general@thread.tacv2"},
                                     "channel": {"id": CHANNEL}}, **fields)


def test_help_in_a_channel_never_shows_the_personal_dialog(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        # onboarding in the personal chat; Teams told the language, so it starts with the time
        # zone (a free-text question) rather than a language card
        first = await rig.say("hallo")
        assert first
        asked = json.dumps(first, ensure_ascii=False)
        before = len(rig.connector.activities())
        status, _ = await rig.post(channel_mention(rig, "help"))
        assert status in (200, 201)
        replies = rig.connector.calls("send")[before:]
        assert replies and {c.conversation_id for c in replies} == {
            f"{CHANNEL};messageid=1700000000777"}
        said = json.dumps([c.body for c in replies], ensure_ascii=False)
        assert "attachments" not in said  # no card of the personal dialog
        last = first[-1]
        question = (last["attachments"][0]["content"]["body"][0]["text"]
                    if last.get("attachments") else last["text"])
        assert question[:30] not in said and question[:30] in asked
        assert "dagboek" in said  # the help itself
        # a personal command is pointed to the personal chat, and starts nothing there
        before = len(rig.connector.activities())
        await rig.post(channel_mention(rig, "dagboek"))
        [pointer] = rig.connector.activities()[before:]
        assert "persoonlijk bericht" in pointer["text"] and "attachments" not in pointer
        # so is a first hello in the channel: no onboarding for everyone to see
        before = len(rig.connector.activities())
        await rig.post(channel_mention(rig, "hoi allemaal", user="29:cas"))
        [hello] = rig.connector.activities()[before:]
        assert "attachments" not in hello and "persoonlijk bericht" in hello["text"]
        # the personal dialog is untouched: the next answer in the chat goes on with it
        nxt = await rig.say("Europe/Amsterdam")  # the time zone question's answer
        assert nxt and "tijdzone" not in json.dumps(nxt[-1], ensure_ascii=False)

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        flows = connection.execute(select(Dialog.flow_id, Dialog.status)).all()
    assert [tuple(f) for f in flows] == [("onboarding", "active")]


# -- 7. uninstalling forgets the conversation ------------------------------------------------


def test_removing_the_app_forgets_its_references_and_stops_proactive_sends(
        runtime: Runtime) -> None:
    from bot.core.messages import Address, Outbound, Text
    from bot.outbox.sender import DeliveryFailed

    team = "19:general@thread.tacv2"
    in_team = {"conversation": team, "conversation_type": "channel",
               "channelData": {"tenant": {"id": TENANT}, "team": {"id": team}}}

    def stored() -> list[tuple[str, str]]:
        with runtime.database.connect() as connection:
            return sorted(tuple(row) for row in connection.execute(select(
                ConversationReference.person, ConversationReference.conversation)).all())

    async def scenario(rig: TeamsRig) -> None:
        for action in ("add", "remove", "add", "remove-upgrade"):
            status, _ = await rig.post(rig.activity("installationUpdate", action=action))
            assert status in (200, 201)
            assert stored() == ([("29:anna", "a:1personal-anna")] if action == "add" else [])
        await rig.say("hallo")
        nudge = Outbound(Address("teams", TENANT, "29:anna", ""), Text("Hoi!"))
        await rig.teams.sender.send(nudge)  # installed: it goes out
        status, _ = await rig.post(rig.activity("installationUpdate", action="remove"))
        assert status in (200, 201)
        with pytest.raises(DeliveryFailed) as gone:
            await rig.teams.sender.send(nudge)
        assert gone.value.permanent
        # a team: its General channel and the other channels it was used in
        await rig.post(rig.activity("installationUpdate", action="add", **in_team))
        await rig.post(channel_mention(rig, "help"))
        assert stored() == [("", team), ("", CHANNEL)]
        status, _ = await rig.post(rig.activity("installationUpdate", action="remove",
                                                **in_team))
        assert status in (200, 201)
        assert stored() == []
        with pytest.raises(DeliveryFailed):
            await rig.teams.sender.send(Outbound(Address("teams", TENANT, "", team),
                                                 Text("Intervisie om 14:00")))

    run(runtime, scenario)


# -- 8. the team roster: paged, by the team's id ------------------------------------------


def test_the_team_roster_is_read_page_by_page_with_the_team_id(runtime: Runtime) -> None:
    from tests.conftest import channel_cohort, cohort_members
    from tests.rigs.teams_connector import teams_member

    team = "19:general@thread.tacv2"
    cohort = channel_cohort(runtime, f"teams:{TENANT}:{team}")
    people = [teams_member(f"29:p{n}", f"Persoon {n}") for n in range(5)]

    async def scenario(rig: TeamsRig) -> None:
        rig.connector.rosters = {team: people, CHANNEL: people}
        rig.connector.channels = {CHANNEL}  # not a team: pagedmembers refuses it
        rig.connector.page_size = 2
        status, _ = await rig.post(rig.activity(
            "installationUpdate", action="add", conversation=CHANNEL,
            conversation_type="channel",
            channelData={"tenant": {"id": TENANT}, "team": {"id": team},
                         "channel": {"id": CHANNEL}}))
        assert status in (200, 201)
        pages = rig.connector.calls("paged")
        assert [c.conversation_id for c in pages] == [team] * 3
        assert [c.query.get("continuationToken") for c in pages] == [None, "page-2", "page-4"]
        assert all(c.ok for c in pages)
        assert rig.connector.calls("members") == []  # the deprecated non-paged call

    run(runtime, scenario)
    assert cohort_members(runtime, cohort) == {f"29:p{n}": True for n in range(5)}


def test_the_fake_connector_refuses_a_channel_id_as_a_team_id() -> None:
    import asyncio

    import aiohttp

    from tests.rigs.teams_connector import FakeConnector

    async def main() -> None:
        async with FakeConnector(channels={CHANNEL}) as fake, aiohttp.ClientSession() as http:
            url = f"{fake.service_url}v3/conversations/19%3Ateam-service%40thread.tacv2"
            async with http.get(f"{url}/pagedmembers") as answer:
                assert answer.status == 400
                assert (await answer.json())["error"]["code"] == "BadArgument"

    asyncio.run(main())


# -- 4. the data export fits Teams' message size ---------------------------------------------


def test_a_large_export_comes_as_its_explanation_and_parts_within_28_kb(
        runtime: Runtime) -> None:
    from datetime import UTC, date, datetime, timedelta

    from tests.contracts.adaptive_cards import MAX_MESSAGE_BYTES, message_size

    def unescaped(part: str) -> str:
        assert part.startswith("```\n") and part.endswith("\n```")
        return (part[4:-4].replace("`\u200b``", "```").replace("&gt;", ">")
                .replace("&lt;", "<").replace("&amp;", "&"))

    async def scenario(rig: TeamsRig) -> None:
        await rig.say("stop")
        with runtime.database.begin() as connection:
            person = connection.execute(select(Person.id)).scalar_one()
            for day in range(12):  # a season of diaries, long ones, with markup in them
                connection.execute(DiaryEntry.__table__.insert().values(  # type: ignore[attr-defined]
                    person_id=person, local_date=date(2026, 1, 1) + timedelta(days=day),
                    moments=f"Dag {day}: <b>klant</b> & ```code``` " + "é" * 1200,
                    approach="Eerst vragen. " * 80, learning="Rust houden.", value=4,
                    extra={}, complete=True, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
        replies = await rig.say("mijn gegevens")
        explanation, *parts = replies
        assert "```" not in explanation["text"] and "gegevens" in explanation["text"]
        assert len(parts) >= 2
        sizes = [message_size(call.body) for call in rig.connector.calls("send")[-len(replies):]]
        assert max(sizes) <= MAX_MESSAGE_BYTES and sum(sizes) > MAX_MESSAGE_BYTES
        export = json.loads("".join(unescaped(part["text"]) for part in parts))
        assert len(export["diary_entries"]) == 12
        assert export["diary_entries"][0]["moments"].startswith("Dag 0: <b>klant</b> & ```code```")

    run(runtime, scenario)


# -- 5. an Action.Execute invoke is answered before the replies are sent ---------------------


def test_an_invoke_is_answered_before_any_outgoing_call_completes(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        scale = await diary_to_the_scale(rig)
        data = next(b for b in buttons(scale) if b["title"] == "3")["data"]
        sent_before = len(rig.connector.calls())
        rig.connector.hold()  # every connector call now waits until released
        invoke = rig.activity("invoke", name="adaptiveCard/action", value={
            "action": {"type": "Action.Execute", "verb": "answer", "data": data}})
        # Teams' own deadline is a few seconds; the guard only keeps a broken build from
        # hanging: the order is what is asserted, not the time.
        status, body = await asyncio.wait_for(rig.post(invoke), timeout=20)
        assert rig.connector.calls()[sent_before:] == []  # nothing was answered yet
        assert status == 200
        assert body["statusCode"] == 200
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        assert "✓ 3" in json.dumps(body["value"], ensure_ascii=False)
        assert check_card(body["value"]) == []
        rig.connector.release()
        sent = await rig.connector.wait_for(len(rig.connector.activities()) + 1)
        assert "Eerst vragen, dan adviseren." in text_of([sent[-1].body])  # the lesson echoed

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(DiaryEntry.value)).scalars().all() == [3]


def test_replies_after_an_invoke_are_retried_when_the_connector_throttles(
        runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.say("dagboek")
        question = rig.connector.activities()[-1]
        assert question
        rig.connector.fail_next("send", status=429, retry_after=0, count=2)
        invoke = rig.activity("invoke", name="adaptiveCard/action", value={
            "action": {"type": "Action.Execute", "verb": "answer",
                       "data": {"lc_ref": "nope.1.x", "lc_value": "1"}}})
        status, body = await rig.post(invoke)
        assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
        await rig.teams.conversations.drain()
        statuses = [c.status for c in rig.connector.calls("send")][-3:]
        assert statuses == [429, 429, 201]  # the reply got through on the third try

    run(runtime, scenario)


def test_replies_after_an_invoke_the_connector_holds_back_longer_go_to_the_outbox(
        runtime: Runtime) -> None:
    """A Retry-After longer than is worth waiting in place: the replies are kept in the
    outbox, and the dispatcher sends them when the connector allows, so nothing is lost."""
    async def scenario(rig: TeamsRig) -> None:
        await rig.say("dagboek")
        rig.connector.fail_next("send", status=429, retry_after=120, count=1)
        invoke = rig.activity("invoke", name="adaptiveCard/action", value={
            "action": {"type": "Action.Execute", "verb": "answer",
                       "data": {"lc_ref": "nope.1.x", "lc_value": "1"}}})
        status, _ = await rig.post(invoke)
        assert status == 200
        await rig.teams.conversations.drain()
        sent = len(rig.connector.calls("send", ok_only=True))

        def row() -> Any:
            with runtime.database.connect() as connection:
                return connection.execute(select(Delivery)).first()

        held = await asyncio.to_thread(row)
        assert held is not None and held.kind == "reply" and held.state == "pending"
        assert held.next_attempt_at - held.created_at >= timedelta(seconds=120)

        dispatcher = Dispatcher(runtime.engine, {"teams": rig.teams.sender},
                                limits={"teams": rig.teams.limits()}, worker="t")
        early = await dispatcher.dispatch(held.next_attempt_at - timedelta(seconds=1))
        assert early.outcomes == []  # not before the connector's Retry-After
        report = await dispatcher.dispatch(held.next_attempt_at + timedelta(seconds=1))
        assert report.count("sent") == 1
        assert len(rig.connector.calls("send", ok_only=True)) > sent

    run(runtime, scenario)
