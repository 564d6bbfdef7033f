"""The Adaptive Card checker (tests/contracts/adaptive_cards.py): each rule refuses what
breaks it and passes what keeps it, and the fake Bot Connector applies it to every call."""

from __future__ import annotations

import asyncio
import copy
import hashlib
from typing import Any

import pytest
from jsonschema import Draft6Validator

from adapters.teams import cards
from bot.core.messages import Choice, Form, FormField, Question, Scale, Text
from tests.contracts import adaptive_cards as contract
from tests.contracts.adaptive_cards import check_activity, check_card
from tests.rigs.teams_connector import FakeConnector, unclaimed_violations

# The file as microsoft/AdaptiveCards publishes it (schemas/1.5.0/adaptive-card.json).
SCHEMA_SHA256 = "32c91fb285180a266a55b3475dd0396e63fe079311714d3a14963b41f5e17920"


def card(**fields: Any) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": "1.5",
            "body": [{"type": "TextBlock", "text": "Hoe leerzaam was vandaag?", "wrap": True}],
            **fields}


def message(content: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "message", "summary": "Hoe leerzaam was vandaag?",
            "attachments": [{"contentType": contract.ADAPTIVE_CARD, "content": content}],
            **fields}


def submit(n: int) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": str(n), "data": {"lc_value": str(n)}}


def rules(found: list[contract.Violation]) -> set[str]:
    return {violation.rule for violation in found}


def test_the_vendored_schema_is_microsofts_draft_06_file_unchanged() -> None:
    raw = contract.SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    assert isinstance(contract._validator(), Draft6Validator)
    assert contract.SCHEMA_PATH.with_name("adaptive-card-1.5.0.LICENSE").read_text().count(
        "MIT License") == 1


def test_schema_refuses_an_unknown_element_and_a_wrong_type_and_passes_a_real_card() -> None:
    assert check_card(card(actions=[submit(1)])) == []
    unknown = check_card(card(body=[{"type": "Marquee", "text": "hoi"}]))
    assert rules(unknown) == {"schema"}
    wrong = check_card(card(body=[{"type": "TextBlock", "text": "x", "wrap": "yes"}]))
    assert rules(wrong) == {"schema"} and wrong[0].path.startswith("$.body[0]")
    extra = check_card(card(colour="red"))
    assert rules(extra) == {"schema"}


def test_msteams_on_the_root_is_allowed_as_documented_and_nothing_else() -> None:
    assert check_card(card(msteams={"width": "Full"})) == []
    assert check_card(card(msteams={"entities": []})) == []
    found = check_card(card(msteams={"width": "Huge", "theme": "dark"}))
    assert rules(found) == {"msteams"}
    assert {v.path for v in found} == {"$.msteams.width", "$.msteams.theme"}
    assert rules(check_card(card(msteams="Full"))) == {"msteams"}
    # only on the root: inside an element the schema itself refuses it
    nested = card(body=[{"type": "TextBlock", "text": "x", "msteams": {"width": "Full"}}])
    assert rules(check_card(nested)) == {"schema"}


def test_a_message_over_28_kb_is_refused_and_one_under_it_passes() -> None:
    under = message(card(), text="x" * 20_000)
    assert contract.message_size(under) < contract.MAX_MESSAGE_BYTES
    assert check_activity(under) == []
    over = message(card(), text="é" * 15_000)  # 30,000 bytes in UTF-8
    found = check_activity(over)
    assert rules(found) == {"message-size"} and found[0].path == "$"


def test_at_most_six_actions_a_card_or_action_set() -> None:
    assert check_card(card(actions=[submit(n) for n in range(6)])) == []
    seven = check_card(card(actions=[submit(n) for n in range(7)]))
    assert rules(seven) == {"actions-per-card"} and seven[0].path == "$.actions"
    in_set = card(body=[{"type": "ActionSet", "actions": [submit(n) for n in range(7)]}])
    assert [v.path for v in check_card(in_set)] == ["$.body[0].actions"]


def test_input_text_needs_a_max_length_its_value_fits_in() -> None:
    def field(**fields: Any) -> dict[str, Any]:
        return card(body=[{"type": "Input.Text", "id": "goal", **fields}])

    assert check_card(field(maxLength=500, value="Leren")) == []
    missing = check_card(field())
    assert rules(missing) == {"input-text-max-length"}
    assert missing[0].path == "$.body[0].maxLength"
    assert rules(check_card(field(maxLength=0))) == {"input-text-max-length"}
    assert rules(check_card(field(maxLength=2.5))) == {"input-text-max-length"}
    assert rules(check_card(field(maxLength=10**6))) == {"input-text-max-length"}
    long_value = check_card(field(maxLength=5, value="zes tekens"))
    assert [v.path for v in long_value] == ["$.body[0].value"]


def test_a_card_only_message_needs_a_summary_or_text() -> None:
    assert check_activity(message(card())) == []
    bare = message(card())
    del bare["summary"]
    assert rules(check_activity(bare)) == {"card-summary"}
    assert check_activity({**bare, "text": "Hoe leerzaam?"}) == []
    assert check_activity({"type": "message", "text": "Hoi"}) == []


def test_every_card_the_adapter_renders_keeps_the_contract() -> None:
    question = Question("Welke competentie?", "d:1", tuple(
        Choice(str(n), f"Keuze {n}") for n in range(12)))
    buttons = Question("Ja of nee?", "d:2", (Choice("y", "Ja"), Choice("n", "Nee")))
    scale = Scale("Hoe leerzaam?", "d:3", low_label="niet", high_label="heel")
    ten = Scale("Hoe zeker?", "d:5", minimum=1, maximum=10)
    form = Form("Leercontract", "d:4", (
        FormField("goal", "Wat wil je leren?", multiline=True, value="x" * 50,
                  error="Vertel iets meer"),
        FormField("how", "Hoe?", max_length=300)), submit_label="Opslaan")
    for activity in cards.activities([Text("Hoi!"), question, buttons, scale, ten, form]):
        assert check_activity(activity) == [], activity
    assert check_activity(cards.answered("Ja of nee?", "Ja")) == []


def test_the_connector_records_violations_answers_413_and_lets_a_test_take_them() -> None:
    bare = message(card(actions=[submit(n) for n in range(7)]))
    huge = message(card(), text="é" * 15_000)

    async def main() -> None:
        import aiohttp

        async with FakeConnector() as fake, aiohttp.ClientSession() as http:
            url = f"{fake.service_url}v3/conversations/a%3A1anna/activities"
            async with http.post(url, json=bare) as answer:
                assert answer.status == 201
            async with http.post(url, json=huge) as answer:
                assert answer.status == 413
                assert (await answer.json())["error"]["code"] == "MessageSizeTooBig"
            assert fake.activities() == [bare]  # the refused one was not delivered
            assert [v.rule for v in unclaimed_violations(clear=False)] == [
                "actions-per-card", "message-size"]
            assert [v.rule for v in fake.take_violations("message-size")] == ["message-size"]
            assert [str(v) for v in fake.take_violations()] == [
                "send to a:1anna: actions-per-card at $.attachments[0].content.actions: "
                "7 actions; Teams shows at most 6"]
            assert unclaimed_violations() == []

    asyncio.run(main())


@pytest.mark.parametrize("rule", ["schema", "card-summary"])
def test_an_untaken_violation_is_left_for_the_suites_fixture(rule: str) -> None:
    broken = copy.deepcopy(message(card()))
    if rule == "schema":
        broken["attachments"][0]["content"]["body"][0]["wrap"] = "yes"
    else:
        del broken["summary"]

    async def main() -> None:
        import aiohttp

        async with FakeConnector() as fake, aiohttp.ClientSession() as http:
            url = f"{fake.service_url}v3/conversations/a%3A1anna/activities/1/"
            async with http.put(url.rstrip("/"), json=broken) as answer:
                assert answer.status == 200
            assert [v.rule for v in unclaimed_violations()] == [rule]  # what would fail

    asyncio.run(main())
