"""The Slack adapter over real HTTP on loopback: signed requests to /slack/events, a mock
Slack Web API behind it (tests/rigs/slack_mock.py), and the engine on SQLite."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.slack.blocks import FORM_OPEN, MULTI, MULTI_DONE
from bot.runtime import Runtime
from bot.storage.models import DiaryEntry, Person
from tests.conftest import channel_cohort, cohort_members, queue_nudge
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import (
    SlackRig,
    block_action,
    command,
    dm,
    envelope,
    home_opened,
    mention,
    press,
    run,
    slack_rig,
    text_of,
    view_submission,
)

DIARY = ("Welke leermomenten waren er vandaag?", "Hoe ben je daarmee omgegaan?",
         "Wat neem je hiervan mee?", "Hoe leerzaam was je dag?")


def count(runtime: Runtime, model: type, **where: Any) -> int:
    with runtime.database.connect() as connection:
        table = model.__table__  # type: ignore[attr-defined]
        query = select(func.count()).select_from(table)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        return int(connection.execute(query).scalar_one())


# -- the endpoint itself -------------------------------------------------------------------


def test_url_verification_answers_the_challenge(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        body = {"token": "x", "challenge": "c-123", "type": "url_verification"}
        raw = json.dumps(body)
        from tests.rigs.slack_rig import sign

        async with rig.http.post(f"{rig.url}/slack/events", data=raw, headers={
            "Content-Type": "application/json", **sign(raw)}) as response:
            assert response.status == 200
            assert (await response.json())["challenge"] == "c-123"

    run(runtime, scenario)


def test_bad_signature_and_stale_timestamp_are_refused(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        raw = json.dumps(dm("dagboek"))
        async with rig.http.post(f"{rig.url}/slack/events", data=raw, headers={
            # Slack signs with the real time, and the signature window is checked on it
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64}) as response:
            assert response.status == 401
        async with rig.http.post(f"{rig.url}/slack/events", data=raw, headers={
                "Content-Type": "application/json"}) as response:
            assert response.status == 401
        stale = await rig.post_json(dm("dagboek"), timestamp=int(time.time()) - 6 * 60)
        assert stale.status == 401
        await asyncio.sleep(0.2)
        assert rig.api.calls_to("chat.postMessage") == []

    run(runtime, scenario)
    assert count(runtime, Person) == 0


# -- a diary through DMs and a button ------------------------------------------------------


def test_full_diary_dialog_through_direct_messages(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        response = await rig.post_json(dm("dagboek"))
        assert response.status == 200
        posts = await rig.posts(1)
        assert DIARY[0] in text_of(posts[0].params)
        assert posts[0].params["channel"] == "DU1"
        for number, answer in enumerate(("Een klant <!channel> vroeg iets lastigs.",
                                         "Ik vroeg door.", "Eerst vragen."), start=1):
            await rig.post_json(dm(answer))
            posts = await rig.posts(number + 1)
            assert DIARY[number] in text_of(posts[-1].params)
        scale = posts[-1]
        await rig.interact(press(scale, "4"))
        await rig.api.wait_for("chat.update", 1)
        update = rig.api.calls_to("chat.update")[0].params
        assert update["ts"] == scale.response["ts"]
        assert not [b for b in update["blocks"] if b["type"] == "actions"]
        assert "✓ 4" in text_of(update)
        posts = await rig.posts(5)
        # users.info filled the name in at first contact, once
        assert len(rig.api.calls_to("users.info")) == 1

    run(runtime, scenario)
    assert count(runtime, DiaryEntry) == 1
    with runtime.database.connect() as connection:
        row = connection.execute(select(DiaryEntry.__table__)).one()  # type: ignore[attr-defined]
        person = connection.execute(select(Person.__table__)).one()  # type: ignore[attr-defined]
    assert "<!channel>" in str(row.moments)
    assert person.display_name == "Anna"
    assert person.timezone == "Europe/Amsterdam"


def test_the_answered_message_text_is_escaped_like_every_other_text(runtime: Runtime) -> None:
    """chat.update's top-level `text` (the notification of an edit) goes through Slack's
    three entities too: a label such as "R&D <team>" or "<!channel>" stays text."""
    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("dagboek"))
        for number, answer in enumerate(("Een klant.", "Ik vroeg door.", "Eerst vragen."),
                                        start=1):
            await rig.posts(number)
            await rig.post_json(dm(answer))
        scale = (await rig.posts(4))[-1]
        pressed = press(scale, "4")
        pressed["actions"][0]["text"] = {"type": "plain_text", "text": "4 <!channel> R&D"}
        await rig.interact(pressed)
        update = (await rig.api.wait_for("chat.update", 1))[0].params
        assert update["text"] == "4 &lt;!channel&gt; R&amp;D"
        assert "✓ 4 &lt;!channel&gt; R&amp;D" in text_of(update)
        await rig.posts(5)

    run(runtime, scenario)


def test_a_retried_event_is_answered_and_stored_once(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("dagboek"))
        await rig.posts(1)
        answer = dm("Een klant vroeg iets lastigs.", event_id="EvRETRY1")
        first, again = await asyncio.gather(
            rig.post_json(answer),
            rig.post_json(answer, headers={"X-Slack-Retry-Num": "1",
                                           "X-Slack-Retry-Reason": "http_timeout"}))
        assert first.status == again.status == 200
        await rig.posts(2)
        later = await rig.post_json(answer, headers={"X-Slack-Retry-Num": "2"})
        assert later.status == 200
        await asyncio.sleep(0.3)
        assert len(rig.api.calls_to("chat.postMessage")) == 2

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        from bot.storage.models import Dialog

        answers = connection.execute(select(Dialog.__table__.c.answers)).scalar_one()
    assert list(json.loads(answers) if isinstance(answers, str) else answers) == ["moments"]


def test_a_stale_button_changes_nothing(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("dagboek"))
        for number, answer in enumerate(("Een klant vroeg iets lastigs.", "Ik vroeg door.",
                                         "Eerst vragen."), start=2):
            await rig.post_json(dm(answer))
            await rig.posts(number)
        scale = (await rig.posts(4))[-1]
        await rig.interact(press(scale, "4"))
        await rig.posts(5)
        await rig.interact(press(scale, "2"))  # the same old button, pressed again
        await rig.posts(6)
        assert len(rig.api.calls_to("chat.update")) == 1

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        value = connection.execute(select(DiaryEntry.__table__.c.value)).scalar_one()  # type: ignore[attr-defined]
    assert value == 4


# -- mentions, slash command, App Home -------------------------------------------------------


def test_a_mention_in_a_channel_is_answered_in_its_thread(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        event = mention("help")
        await rig.post_json(event)
        post = (await rig.posts(1))[0].params
        assert post["channel"] == "C1"
        assert post["thread_ts"] == event["event"]["ts"]

    run(runtime, scenario)


def test_slash_command_runs_in_the_dm_and_unknown_words_get_help(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        response = await rig.post_form(command("dagboek", channel="C42"))
        assert response.status == 200
        post = (await rig.posts(1))[0].params
        assert post["channel"] == "DU1"
        assert DIARY[0] in text_of(post)
        await rig.api.wait_for("chat.postEphemeral", 1)
        assert rig.api.calls_to("chat.postEphemeral")[0].params["channel"] == "C42"
        await rig.post_form(command("stop"))
        await rig.posts(2)
        await rig.post_form(command("toverstaf"))
        help_text = text_of((await rig.posts(3))[-1].params)
        assert "dagboek" in help_text.lower()

    run(runtime, scenario)


def test_app_home_is_published_for_known_and_new_people(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(home_opened("U1"))
        first = (await rig.api.wait_for("views.publish", 1))[0].params
        assert first["user_id"] == "U1"
        assert "Welkom" in json.dumps(first["view"], ensure_ascii=False)
        await rig.post_json(dm("dagboek"))
        await rig.posts(1)
        await rig.post_json(home_opened("U1"))
        view = (await rig.api.wait_for("views.publish", 2))[-1].params["view"]
        assert view["type"] == "home"
        buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert "diary" in [b["value"] for b in buttons]
        # a button of the App Home starts that flow in the DM
        action = {**next(b for b in buttons if b["value"] == "month"), "block_id": "home"}
        payload = {"type": "block_actions", "team": {"id": "T0LEERCO"},
                   "user": {"id": "U1", "team_id": "T0LEERCO"},
                   "trigger_id": "t-home", "view": view, "actions": [action]}
        await rig.interact(payload)
        post = (await rig.posts(2))[-1].params
        assert post["channel"] == "DU1"
        # the Home is published again after the press; wait for it, so no turn of this test
        # still runs when the database closes
        await rig.api.wait_for("views.publish", 3)

    run(runtime, scenario)


async def open_contract_modal(rig: SlackRig) -> dict[str, Any]:
    """Start the learning contract by DM and press its form button: the modal's view."""
    await rig.post_json(dm("contract"))
    post = (await rig.posts(1))[0]
    opener = next(e for b in post.params["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["action_id"] == FORM_OPEN)
    await rig.interact(block_action(post, {**opener, "block_id": opener["value"]}))
    return dict((await rig.api.wait_for("views.open", 1))[0].params["view"])


def filled(modal: dict[str, Any]) -> dict[str, str]:
    inputs = [b for b in modal["blocks"] if b["type"] == "input"]
    answers = {b["block_id"]: f"Antwoord {n} met genoeg woorden om te tellen."
               for n, b in enumerate(inputs)}
    # "how will you know" SMART enough for the one round of feedback (bot/core/smart.py)
    answers[inputs[-1]["block_id"]] = "Eind juni heb ik 3 klantgesprekken zelf geleid."
    return answers


# -- forms in a modal ------------------------------------------------------------------------


def test_the_contract_form_opens_a_modal_with_inline_errors(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        modal = await open_contract_modal(rig)
        inputs = [b for b in modal["blocks"] if b["type"] == "input"]
        assert len(inputs) == 5
        assert all(b["element"]["multiline"] for b in inputs)
        empty = await rig.interact(view_submission(modal, {b["block_id"]: "" for b in inputs}))
        assert empty.status == 200
        done = await rig.interact(view_submission(modal, filled(modal)))
        assert done.status == 200
        await rig.api.wait_for("chat.update", 1)
        await rig.posts(2)

    run(runtime, scenario)


def test_modal_validation_errors_come_back_in_the_acknowledgement(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        modal = await open_contract_modal(rig)
        names = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
        raw = json.dumps(view_submission(modal, dict.fromkeys(names, "")))
        from urllib.parse import urlencode

        from tests.rigs.slack_rig import sign

        body = urlencode({"payload": raw})
        async with rig.http.post(f"{rig.url}/slack/events", data=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", **sign(body)}) as response:
            assert response.status == 200
            answer = await response.json()
        assert answer["response_action"] == "errors"
        assert set(answer["errors"]) <= set(names) and answer["errors"]
        await asyncio.sleep(0.2)
        assert len(rig.api.calls_to("chat.postMessage")) == 1  # nothing posted for errors

    run(runtime, scenario)


def test_multiple_choice_is_read_when_ok_is_pressed(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        modal = await open_contract_modal(rig)
        await rig.interact(view_submission(modal, filled(modal)))
        question = (await rig.posts(2))[-1]
        # a long list is a multi-select beside the question (Slack allows it in a section,
        # not in an actions block), a short one checkboxes; OK sits in the actions block
        holder, ticks = next((b, e) for b in question.params["blocks"]
                             for e in [b.get("accessory"), *b.get("elements", [])]
                             if isinstance(e, dict) and e.get("action_id") == MULTI)
        block = next(b for b in question.params["blocks"] if b["type"] == "actions")
        chosen = ticks["options"][:2]
        await rig.interact(block_action(question, {**ticks, "block_id": holder["block_id"],
                                                   "selected_options": chosen}))
        await asyncio.sleep(0.2)
        assert len(rig.api.calls_to("chat.postMessage")) == 2  # ticking is not an answer
        ok = next(e for e in block["elements"] if e["action_id"] == MULTI_DONE)
        state = {holder["block_id"]: {MULTI: {"type": ticks["type"],
                                              "selected_options": chosen}}}
        await rig.interact(block_action(question, {**ok, "block_id": block["block_id"]},
                                        state=state))
        update = (await rig.api.wait_for("chat.update", 2))[-1].params
        assert chosen[0]["text"]["text"] in text_of(update)
        assert not [b for b in update["blocks"] if "accessory" in b or b["type"] == "actions"]
        await rig.posts(3)

    run(runtime, scenario)


# -- the outbox's sender -----------------------------------------------------------------------


def test_sender_maps_slack_errors_to_retry_and_dead_letter(runtime: Runtime) -> None:
    from bot.core.messages import Address, Outbound, Text
    from bot.outbox.sender import DeliveryFailed

    async def scenario(rig: SlackRig) -> None:
        sender = rig.adapter.sender
        nudge = Outbound(Address("slack", "T0LEERCO", "U7", ""), Text("Tijd voor je dagboek"))
        await sender.send(nudge)
        assert rig.api.calls_to("conversations.open")[0].params["users"] == "U7"
        assert rig.api.calls_to("chat.postMessage")[-1].params["channel"] == "DU7"

        rig.api.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=7)
        with pytest.raises(DeliveryFailed) as limited:
            await sender.send(nudge)
        assert not limited.value.permanent and limited.value.retry_after == 7

        rig.api.fail_next("chat.postMessage", error="account_inactive")
        with pytest.raises(DeliveryFailed) as gone:
            await sender.send(nudge)
        assert gone.value.permanent

        rig.api.fail_next("chat.postMessage", error="channel_not_found")
        await sender.send(nudge)  # the DM is opened afresh and the post goes through
        assert len(rig.api.calls_to("conversations.open")) == 2

        rig.api.fail_next("chat.postMessage", error="not_in_channel", count=2)
        with pytest.raises(DeliveryFailed) as stale:
            await sender.send(nudge)
        assert stale.value.permanent

        rig.api.fail_next("chat.postMessage", error="internal_error")
        with pytest.raises(DeliveryFailed) as flaky:
            await sender.send(nudge)
        assert not flaky.value.permanent

    run(runtime, scenario)


def test_an_inactive_account_is_paused_by_the_outbox_not_retried(runtime: Runtime) -> None:
    """The whole path: a due nudge, Slack says account_inactive, the person is marked
    unreachable and the delivery is a dead letter."""
    from datetime import timedelta

    from bot.outbox.deliveries import status
    from bot.outbox.dispatch import Dispatcher

    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("hallo"))
        await rig.posts(1)
        await rig.post_json(dm("stop"))
        await rig.posts(2)
        person_id = _person_id(runtime)
        queue_nudge(runtime, person_id)
        rig.api.fail_next("chat.postMessage", error="account_inactive")
        dispatcher = Dispatcher(runtime.engine, {"slack": rig.adapter.sender},
                                limits={"slack": rig.adapter.limits()}, worker="t")
        await dispatcher.dispatch(runtime.engine.clock() + timedelta(seconds=1))

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        person = connection.execute(select(Person.__table__)).one()  # type: ignore[attr-defined]
        outbox = status(connection)
    assert person.status == "unreachable"
    assert outbox.dead and outbox.dead[0].reason == "account_inactive"


def _person_id(runtime: Runtime) -> int:
    with runtime.database.connect() as connection:
        return int(connection.execute(select(Person.__table__.c.id)).scalar_one())  # type: ignore[attr-defined]



# -- installs in several workspaces (OAuth) --------------------------------------------------


def test_oauth_install_then_events_from_that_workspace(runtime: Runtime) -> None:
    import re

    from adapters.slack.config import SlackConfig
    from tests.rigs.slack_rig import SECRET

    config = SlackConfig(signing_secret=SECRET, client_id="111.222", client_secret="shh")

    async def main() -> None:
        api = MockSlackApi(users={"U1": {"real_name": "Anna"}})
        async with slack_rig(runtime, config, api=api) as rig:
            refused = await rig.post_json(dm("dagboek"))
            assert refused.status == 200
            await asyncio.sleep(0.2)
            assert rig.api.calls_to("chat.postMessage") == []

            async with rig.http.get(f"{rig.url}/slack/install") as page:
                assert page.status == 200
                html = await page.text()
                cookie = "; ".join(f"{k}={v.value}" for k, v in page.cookies.items())
            assert "client_id=111.222" in html
            state = re.search(r"state=([^&\"']+)", html)
            assert state is not None
            async with rig.http.get(f"{rig.url}/slack/oauth_redirect",
                                    params={"code": "code-1", "state": state.group(1)},
                                    headers={"Cookie": cookie}) as done:
                assert done.status == 200
            assert rig.api.calls_to("oauth.v2.access")

            await rig.post_json(dm("dagboek"))
            post = (await rig.posts(1))[0]
            assert DIARY[0] in text_of(post.params)
            assert post.token and post.token.startswith("xoxb-T0LEERCO")

    asyncio.run(main())
    assert count(runtime, Person) == 1


def test_oauth_refuses_an_unknown_workspace_clearly(runtime: Runtime) -> None:
    from adapters.slack.config import SlackConfig
    from tests.rigs.slack_rig import SECRET

    config = SlackConfig(signing_secret=SECRET, client_id="111.222", client_secret="shh")

    async def main() -> None:
        async with slack_rig(runtime, config) as rig:
            fields = {**command("dagboek"), "response_url": rig.api.base_url + "respond"}
            response = await rig.post_form(fields)
            assert response.status == 200
            said = (await rig.api.wait_for("respond", 1))[0].params["text"]
            assert "niet geïnstalleerd" in said and "not installed" in said
            event = await rig.post_json(dm("dagboek"))
            assert event.status == 200
            await asyncio.sleep(0.2)
            assert rig.api.calls_to("chat.postMessage") == []

    asyncio.run(main())
    assert count(runtime, Person) == 0


# -- peer review partners in a group DM (issue 5) ---------------------------------------------


def test_a_pairing_round_greets_both_partners_in_a_group_dm(runtime: Runtime) -> None:
    from datetime import timedelta

    from sqlalchemy import insert

    from bot.organisation import cohorts
    from bot.outbox.dispatch import Dispatcher
    from bot.practices.pairing import rounds
    from bot.storage.models import Cohort, Organisation

    now = runtime.engine.clock()

    async def scenario(rig: SlackRig) -> None:
        for user in ("U1", "U2"):
            await rig.post_json(dm("hallo", user))
            await rig.post_json(dm("stop", user))
        await rig.posts(4)
        with runtime.database.begin() as connection:
            organisation = connection.execute(select(Organisation.id)).scalar_one()
            cohort = connection.execute(insert(Cohort.__table__).values(
                organisation_id=organisation, name="Servicedesk", mode="steady",
                cadence_weeks=1, weekday=0, repair_quarterly=False, next_round_at=now,
                created_at=now).returning(Cohort.id)).scalar_one()
            for person in connection.execute(select(Person.id)).scalars():
                cohorts.join(connection, cohort, person, now)
            rounds.run_round(connection, cohort, now, runtime.settings.periodic_time)
        dispatcher = Dispatcher(runtime.engine, {"slack": rig.adapter.sender},
                                limits={"slack": rig.adapter.limits()}, worker="t")
        await dispatcher.dispatch(now)
        # The group message and U1's own are paced apart (Slack's rate per channel): a
        # later pass sends the rest.
        later = Dispatcher(runtime.engine, {"slack": rig.adapter.sender},
                                limits={"slack": rig.adapter.limits()}, worker="t2")
        await later.dispatch(now + timedelta(seconds=5))
        opened = [c.params["users"] for c in rig.api.calls_to("conversations.open")]
        assert "U1,U2" in opened or "U2,U1" in opened
        group = [c for c in rig.api.calls_to("chat.postMessage")
                 if str(c.params["channel"]).startswith("G")]
        assert len(group) == 1
        said = text_of(group[0].params)
        assert "Anna" in said and "elkaars collega" in said
        agendas = [c.params["channel"] for c in rig.api.calls_to("chat.postMessage")
                   if "Tijd voor jullie peer review" in c.params["text"]]
        assert sorted(agendas) == ["DU1", "DU2"]

    api = MockSlackApi(users={"U1": {"profile": {"display_name": "Anna"}},
                              "U2": {"profile": {"display_name": "Bram"}}})
    run(runtime, scenario, api)


def test_joining_and_leaving_a_cohorts_channel_joins_and_leaves_the_cohort(
        runtime: Runtime) -> None:
    from bot.storage.models import Delivery

    cohort = channel_cohort(runtime, "slack:T0LEERCO:CPEER", mode="rotating")

    async def scenario(rig: SlackRig) -> None:
        rig.api.responders["conversations.members"] = lambda _: {
            "ok": True, "members": ["U1", "U2", "U0LEERBOT"],
            "response_metadata": {"next_cursor": ""}}
        # the coach is invited: who is in the channel already joins (not the bot itself)
        await rig.post_json(envelope({"type": "member_joined_channel", "user": "U0LEERBOT",
                                      "channel": "CPEER", "team": "T0LEERCO"}))
        await rig.api.wait_for("conversations.members", 1)
        for _ in range(100):
            if len(cohort_members(runtime, cohort)) == 2:
                break
            await asyncio.sleep(0.02)
        # someone new joins, someone leaves; an unrelated channel changes nothing
        for kind, user, channel in (("member_joined_channel", "U3", "CPEER"),
                                    ("member_left_channel", "U1", "CPEER"),
                                    ("member_joined_channel", "U4", "COTHER")):
            await rig.post_json(envelope({"type": kind, "user": user, "channel": channel,
                                          "team": "T0LEERCO"}))
        for _ in range(100):
            if cohort_members(runtime, cohort) == {"U1": False, "U2": True, "U3": True}:
                break
            await asyncio.sleep(0.02)

    api = MockSlackApi(users={u: {"profile": {"display_name": n}} for u, n in
                              (("U1", "Anna"), ("U2", "Bram"), ("U3", "Cas"), ("U4", "Dirk"))})
    run(runtime, scenario, api)
    assert cohort_members(runtime, cohort) == {"U1": False, "U2": True, "U3": True}
    assert count(runtime, Person) == 3  # nobody is created for a channel without a cohort
    assert count(runtime, Delivery, kind="enrolled") == 3  # each is told how to leave
    with runtime.database.connect() as connection:
        names = set(connection.execute(select(Person.display_name)).scalars())
    assert names == {"Anna", "Bram", "Cas"}
