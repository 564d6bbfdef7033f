"""The Teams adapter over real HTTP on loopback: Teams activity payloads posted to
/api/messages, and a fake Bot Connector (tests/rigs/teams_connector.py) where the replies,
card updates and proactive messages arrive."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.teams.config import TeamsConfig
from bot.core.messages import Address, Outbound, Text
from bot.outbox.sender import DeliveryFailed
from bot.runtime import Runtime
from bot.storage.models import ConversationReference, DiaryEntry, Person
from tests.conftest import channel_cohort, cohort_members, queue_nudge
from tests.rigs.cli import NL_QUESTIONS
from tests.rigs.teams_rig import (
    APP_ID,
    PERSONAL,
    TENANT,
    TeamsRig,
    buttons,
    diary_to_the_scale,
    run,
    text_of,
)


def test_a_diary_in_personal_chat_with_a_card_answer(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        assert NL_QUESTIONS[0] in text_of(await rig.say("dagboek"))
        await rig.say("Een klant vroeg iets lastigs <at>iedereen</at>.")
        await rig.say("Ik vroeg eerst door.")
        scale = await rig.say("Eerst vragen, dan adviseren.")
        four = next(b for b in buttons(scale) if b["title"] == "4")
        card_id = rig.connector.calls("send")[-1].response["id"]
        status, _ = await rig.post(rig.activity(value=four["data"], replyToId=card_id))
        assert status in (200, 201)
        updates = rig.connector.updates()
        assert len(updates) == 1 and updates[0].activity_id == card_id
        assert "✓ 4" in json.dumps(updates[0].body, ensure_ascii=False)
        # the same card submitted again changes nothing
        await rig.post(rig.activity(value=four["data"], replyToId=card_id))
        assert len(rig.connector.updates()) == 1

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(DiaryEntry.value)).scalars().all() == [4]
        person = connection.execute(select(Person.display_name, Person.locale,
                                           Person.timezone)).one()
        stored = connection.execute(select(ConversationReference.data)).scalar_one()
    assert tuple(person) == ("Anna Jansen", "nl", "Europe/Amsterdam")
    assert stored["conversation"]["id"] == PERSONAL


def test_an_action_execute_invoke_gets_an_invoke_response(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        scale = await diary_to_the_scale(rig)
        data = next(b for b in buttons(scale) if b["title"] == "3")["data"]
        invoke = rig.activity("invoke", name="adaptiveCard/action", value={
            "action": {"type": "Action.Execute", "verb": "answer", "data": data}})
        status, body = await rig.post(invoke)
        assert status == 200
        assert body["statusCode"] == 200

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(DiaryEntry.value)).scalars().all() == [3]


def test_the_contract_form_shows_its_errors_in_place(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        form = await rig.say("contract")
        card = form[-1]["attachments"][0]["content"]
        inputs = [b for b in card["body"] if b["type"] == "Input.Text"]
        assert len(inputs) == 5 and all(b["isMultiline"] for b in inputs)
        submit = card["actions"][0]["data"]
        card_id = rig.connector.calls("send")[-1].response["id"]
        empty = {**submit, **{b["id"]: "" for b in inputs}}
        await rig.post(rig.activity(value=empty, replyToId=card_id))
        again = rig.connector.updates()[-1].body
        assert any(b.get("color") == "Attention"
                   for b in again["attachments"][0]["content"]["body"])
        filled = {**submit, **{b["id"]: f"Antwoord {n} met genoeg woorden om te tellen."
                                for n, b in enumerate(inputs)},
                  # SMART enough for the one round of feedback (bot/core/smart.py)
                  inputs[-1]["id"]: "Eind juni heb ik 3 klantgesprekken zelf geleid."}
        before = len(rig.connector.activities())
        await rig.post(rig.activity(value=filled, replyToId=card_id))
        assert "✓" in json.dumps(rig.connector.updates()[-1].body, ensure_ascii=False)
        assert len(rig.connector.activities()) > before  # the next question

    run(runtime, scenario)


def test_install_stores_the_reference_and_greets_once(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        added = rig.activity("conversationUpdate", membersAdded=[{"id": "28:bot"},
                                                                 {"id": "29:anna"}])
        status, _ = await rig.post(added)
        assert status in (200, 201)
        welcome = rig.connector.activities()
        assert welcome and "Leercoach" in text_of(welcome)
        status, _ = await rig.post(rig.activity("installationUpdate", action="add"))
        assert status in (200, 201)
        assert len(rig.connector.activities()) == len(welcome)  # no second welcome

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(ConversationReference.person)).scalars().all() == [
            "29:anna"]


def test_a_mention_in_a_channel_is_answered_in_its_thread(runtime: Runtime) -> None:
    channel = "19:abc123@thread.tacv2"

    async def scenario(rig: TeamsRig) -> None:
        status, _ = await rig.post(rig.activity(
            text="<at>Leercoach</at> help", conversation=f"{channel};messageid=1700000000001",
            conversation_type="channel"))
        assert status in (200, 201)
        reply = rig.connector.calls("send")[-1]
        assert reply.conversation_id == f"{channel};messageid=1700000000001"
        assert "dagboek" in (reply.body or {}).get("text", "").lower()

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        people = connection.execute(select(ConversationReference.person,
                                           ConversationReference.conversation)).all()
    assert [tuple(p) for p in people] == [("", channel)]  # the channel's own reference


def test_bad_requests_are_refused_before_the_sdk(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        async with rig.http.post(f"{rig.url}/api/messages", data="hallo",
                                 headers={"Content-Type": "text/plain"}) as response:
            assert response.status == 415
        for body in ("{not json", "[1, 2]", json.dumps({"text": "no type"})):
            async with rig.http.post(f"{rig.url}/api/messages", data=body,
                                     headers={"Content-Type": "application/json"}) as response:
                assert response.status == 400
        assert rig.connector.calls() == []

    run(runtime, scenario)


def test_with_an_app_id_requests_without_a_valid_token_get_401(runtime: Runtime) -> None:
    config = TeamsConfig(app_id=APP_ID, app_password="secret")

    async def scenario(rig: TeamsRig) -> None:
        status, _ = await rig.post(rig.activity(text="dagboek"))
        assert status == 401
        forged = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
        status, _ = await rig.post(rig.activity(text="dagboek"),
                                   headers={"Authorization": forged})
        assert status == 401
        assert rig.connector.calls() == []

    run(runtime, scenario, config)
    with runtime.database.connect() as connection:
        assert connection.execute(select(Person.id)).first() is None


# -- proactive messages: the outbox's sender ---------------------------------------------------


def test_a_nudge_reaches_the_connector_through_the_stored_reference(runtime: Runtime) -> None:
    from bot.outbox.deliveries import status
    from bot.outbox.dispatch import Dispatcher

    async def scenario(rig: TeamsRig) -> None:
        await rig.say("hallo")
        await rig.say("stop")
        with runtime.database.connect() as connection:
            person_id = connection.execute(select(Person.id)).scalar_one()
        queue_nudge(runtime, person_id)
        before = len(rig.connector.activities())
        dispatcher = Dispatcher(runtime.engine, {"teams": rig.teams.sender},
                                limits={"teams": rig.teams.limits()}, worker="t")
        await dispatcher.dispatch(runtime.engine.clock() + timedelta(seconds=1))
        sent = rig.connector.activities()[before:]
        assert NL_QUESTIONS[0] in text_of(sent)
        assert rig.connector.calls("send")[-1].conversation_id == PERSONAL

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert status(connection).counts.get("sent") == 1


def test_sender_maps_connector_errors(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        await rig.say("hallo")
        sender = rig.teams.sender
        nudge = Outbound(Address("teams", TENANT, "29:anna", PERSONAL), Text("Hoi!"))
        for code in (429, 412, 502, 504):
            rig.connector.fail_next("send", status=code, retry_after=7)
            with pytest.raises(DeliveryFailed) as retry:
                await sender.send(nudge)
            assert not retry.value.permanent
            assert retry.value.retry_after == 7
        for code in (403, 404):
            rig.connector.fail_next("send", status=code)
            with pytest.raises(DeliveryFailed) as gone:
                await sender.send(nudge)
            assert gone.value.permanent
        stranger = Outbound(Address("teams", TENANT, "29:nobody", ""), Text("Hoi!"))
        with pytest.raises(DeliveryFailed) as unknown:
            await sender.send(stranger)
        assert unknown.value.permanent
        await sender.send(nudge)
        assert rig.connector.activities()[-1]["text"] == "Hoi!"

    run(runtime, scenario)



def test_the_coach_posts_into_a_channel_and_greets_partners_with_a_chat_link(
        runtime: Runtime) -> None:
    channel = "19:abc123@thread.tacv2"

    async def scenario(rig: TeamsRig) -> None:
        await rig.post(rig.activity(text="<at>Leercoach</at> help",
                                    conversation=f"{channel};messageid=1",
                                    conversation_type="channel"))
        sender = rig.teams.sender
        await sender.send(Outbound(Address("teams", TENANT, "", channel),
                                   Text("Intervisie om 14:00")))
        posted = rig.connector.calls("send")[-1]
        assert posted.conversation_id == channel
        assert posted.body["text"] == "Intervisie om 14:00"
        # peer review partners: each gets a 1:1 message with a link to chat with the other
        for user, conversation in (("29:anna", "a:1anna"), ("29:bram", "a:1bram")):
            await rig.post(rig.activity(text="hallo", user=user, conversation=conversation))
        before = len(rig.connector.activities())
        await sender.send(Outbound(Address("teams", TENANT, "29:anna", "",
                                           members=("29:anna", "29:bram")),
                                   Text("Jullie zijn deze week elkaars collega.")))
        sent = rig.connector.calls("send")[-2:]
        assert len(rig.connector.activities()) == before + 2
        assert {c.conversation_id for c in sent} == {"a:1anna", "a:1bram"}
        to_anna = next(c for c in sent if c.conversation_id == "a:1anna").body["text"]
        assert "teams.microsoft.com/l/chat/0/0?users=aad-bram" in to_anna

    run(runtime, scenario)


def test_serve_refuses_unauthenticated_teams_on_a_public_interface(tmp_path: Any) -> None:
    import subprocess

    from tests.rigs.cli import clean_env, leercoach_command

    result = subprocess.run([*leercoach_command(), "serve", "--host", "0.0.0.0",
                             "--port", "0"], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "MICROSOFT_APP_ID" in result.stderr


def test_a_cohort_tied_to_a_team_follows_its_members(runtime: Runtime) -> None:
    from tests.rigs.teams_connector import teams_member

    team = "19:team-general@thread.tacv2"
    cohort = channel_cohort(runtime, f"teams:{TENANT}:{team}")

    def members() -> dict[str, bool]:
        return cohort_members(runtime, cohort)

    async def scenario(rig: TeamsRig) -> None:
        rig.connector.roster = [teams_member("29:anna", "Anna"), teams_member("29:bram", "Bram")]
        in_team = {"channelData": {"tenant": {"id": TENANT}, "team": {"id": team}}}
        await rig.post(rig.activity("conversationUpdate", conversation=team,
                                    conversation_type="channel",
                                    membersAdded=[{"id": "28:bot"}], **in_team))
        assert members() == {"29:anna": True, "29:bram": True}
        await rig.post(rig.activity("conversationUpdate", conversation=team,
                                    conversation_type="channel",
                                    membersAdded=[{"id": "29:cas"}],
                                    membersRemoved=[{"id": "29:anna"}], **in_team))
        assert members() == {"29:anna": False, "29:bram": True, "29:cas": True}

    run(runtime, scenario)
