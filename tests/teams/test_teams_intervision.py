"""An intervision case through Teams' HTTP endpoint: a facilitator's @mention `intervisie`
in a channel thread answers there with the intake card; the submitted card and the library
question's button complete the intake; the case is posted into the channel through its
stored reference (a new post, whose id becomes the case's thread); the thread's @mentions
are the contributions (Teams passes a bot only the messages that mention it), a statement
in the question round gets the reminder, and the phase button starts phase 2 in the
thread."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.people import roles
from bot.runtime import Runtime
from bot.storage.models import CaseContribution, Identity, IntervisionCase
from tests.rigs.teams_rig import TeamsRig, buttons, run, text_of

pytestmark = pytest.mark.usefixtures("no_failed_turns")
CHANNEL = "19:team-service@thread.tacv2"
STARTED_IN = f"{CHANNEL};messageid=1699999999000"  # the thread where Anna asks for it
PEOPLE = {"29:anna": ("Anna Jansen", "a:1anna"), "29:bram": ("Bram de Vries", "a:1bram")}
CASE = {"story": "Een klant belde boos over een factuur die ik niet kende.",
        "stuck": "Ik wist niet wie het moest oplossen.",
        "unsure": "Of ik de klant had moeten doorverbinden.",
        "question": "Hoe houd ik regie als het niet mijn werk is?"}


def by(user: str) -> dict[str, Any]:
    """The activity's sender, with their own name."""
    return {"from": {"id": user, "name": PEOPLE[user][0], "aadObjectId": f"aad-{user[3:]}"}}


def in_thread(rig: TeamsRig, user: str, thread: str, **fields: Any) -> dict[str, Any]:
    """An activity of `user` in a thread of the team's channel."""
    return rig.activity(user=user, conversation=thread, conversation_type="channel",
                        **by(user), **fields)


def mention(rig: TeamsRig, user: str, thread: str, text: str) -> dict[str, Any]:
    return in_thread(rig, user, thread, text=f"<at>Leercoach</at> {text}",
                     entities=[{"type": "mention", "text": "<at>Leercoach</at>",
                                "mentioned": {"id": "28:bot", "name": "Leercoach"}}])


def press(rig: TeamsRig, user: str, thread: str, card: dict[str, Any], card_id: str,
          value: str) -> dict[str, Any]:
    """A button of a card: its Action.Submit data as the message's value."""
    [data] = [b["data"] for b in buttons([card]) if b["data"].get("lc_value") == value]
    return in_thread(rig, user, thread, value=data, replyToId=card_id)


def test_an_intervision_case_runs_in_a_teams_channel_thread(runtime: Runtime) -> None:
    async def scenario(rig: TeamsRig) -> None:
        for user, (_, chat) in PEOPLE.items():
            for text in ("hallo", "stop"):
                await rig.say(text, user=user, conversation=chat, **by(user))
        with runtime.database.connect() as connection:
            anna = connection.execute(select(Identity.person_id).where(
                Identity.external_id == "29:anna")).scalar_one()
        with runtime.database.begin() as connection:
            roles.set_role(connection, anna, "facilitator")

        # Only a facilitator starts a case.
        before = len(rig.connector.activities())
        await rig.post(mention(rig, "29:bram", STARTED_IN, "intervisie"))
        assert "alleen een facilitator" in text_of(rig.connector.activities()[before:])

        # Anna's mention: the intake card, as a reply in that thread.
        before = len(rig.connector.calls("send"))
        status, _ = await rig.post(mention(rig, "29:anna", STARTED_IN, "intervisie"))
        assert status in (200, 201)
        [intake] = [c for c in rig.connector.calls("send")[before:]
                    if c.body.get("attachments")]
        assert intake.kind == "reply" and intake.conversation_id == STARTED_IN
        card = intake.body["attachments"][0]["content"]
        assert [b["id"] for b in card["body"] if b["type"] == "Input.Text"] == list(CASE)
        submit = card["actions"][0]["data"]

        # The card submitted; the library question's button.
        before = len(rig.connector.calls("send"))
        await rig.post(in_thread(rig, "29:anna", STARTED_IN, value={**submit, **CASE},
                                 replyToId=intake.response["id"]))
        [asked] = [c for c in rig.connector.calls("send")[before:]
                   if "casusbibliotheek" in text_of([c.body])]
        assert asked.conversation_id == STARTED_IN
        assert rig.connector.updates()[-1].activity_id == intake.response["id"]
        before = len(rig.connector.calls("send"))
        await rig.post(press(rig, "29:anna", STARTED_IN, asked.body, asked.response["id"],
                             "yes"))

        # The case is a new post in the channel, sent through the channel's reference.
        sent = rig.connector.calls("send")[before:]
        [post] = [c for c in sent if c.conversation_id == CHANNEL]
        shown = text_of([post.body])
        assert "Intervisie: een casus van Anna Jansen" in shown
        assert CASE["question"] in shown and "Fase 1" in shown
        assert [b["title"] for b in buttons([post.body])] == [
            "Volgende fase", "Sluiten", "Annuleren"]
        assert any(c.conversation_id == STARTED_IN and "De vragenronde is begonnen"
                   in text_of([c.body]) for c in sent)
        case_thread = str(post.response["id"])
        with runtime.database.connect() as connection:
            assert connection.execute(select(IntervisionCase.thread)).scalar_one() == case_thread
        thread = f"{CHANNEL};messageid={case_thread}"

        # The thread's mentions are contributions; a question gets no answer, a statement
        # the reminder, in the thread.
        before = len(rig.connector.calls("send"))
        await rig.post(mention(rig, "29:bram", thread, "Wat heb je al geprobeerd?"))
        assert len(rig.connector.calls("send")) == before
        await rig.post(mention(rig, "29:bram", thread, "Je moet het gewoon doorsturen."))
        [reminder] = rig.connector.calls("send")[before:]
        assert reminder.conversation_id == thread
        assert "Eerst vragen, dan adviseren" in text_of([reminder.body])

        # Bram cannot move the phases on; Anna's button starts phase 2 in the thread.
        before = len(rig.connector.calls("send"))
        await rig.post(press(rig, "29:bram", thread, post.body, case_thread, "next"))
        assert "Alleen de facilitator" in text_of([c.body for c in
                                                   rig.connector.calls("send")[before:]])
        before = len(rig.connector.calls("send"))
        await rig.post(press(rig, "29:anna", thread, post.body, case_thread, "next"))
        [phase] = rig.connector.calls("send")[before:]
        assert phase.conversation_id == thread
        assert "Fase 2" in text_of([phase.body]) and "Anna, wat is nu de kern" in text_of(
            [phase.body])
        assert [b["title"] for b in buttons([phase.body])] == [
            "Volgende fase", "Sluiten", "Annuleren"]

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        said = connection.execute(select(CaseContribution.kind, CaseContribution.text)
                                  .order_by(CaseContribution.id)).all()
        case = connection.execute(select(IntervisionCase.phase, IntervisionCase.in_library,
                                         IntervisionCase.conversation)).one()
    assert [tuple(row) for row in said] == [
        ("question", "Wat heb je al geprobeerd?"),
        ("statement", "Je moet het gewoon doorsturen.")]
    assert tuple(case) == ("restate", True, CHANNEL)
