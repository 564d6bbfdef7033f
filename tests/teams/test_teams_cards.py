"""Teams rendering and payload parsing: pure functions, no server."""

from __future__ import annotations

from adapters.teams import cards, inbound
from bot.core.messages import Choice, Form, FormField, Notice, Question, Scale, Text


def test_user_content_cannot_become_a_mention_a_link_or_markup() -> None:
    typed = "<at>iedereen</at> [klik](https://evil.example) & <b>vet</b>"
    [activity] = cards.activities([Text(f"Je schreef: {typed}")])
    text = activity["text"]
    assert "<at>" not in text and "<b>" not in text
    assert "\\[klik\\]" in text and "&amp;" in text
    [card] = cards.activities([Question(typed, "r", (Choice("a", "A"),))])
    block = card["attachments"][0]["content"]["body"][0]["text"]
    assert "<at>" not in block and "\\[klik\\]" in block


def test_texts_before_a_card_travel_with_it_and_notices_are_subdued() -> None:
    out = cards.activities([Text("Hoi!"), Notice("Opgeslagen"), Scale("Hoe leerzaam?", "r")])
    assert len(out) == 1
    assert out[0]["text"].startswith("Hoi!") and "_Opgeslagen_" in out[0]["text"]
    card = out[0]["attachments"][0]["content"]
    assert card["version"] == "1.5"
    assert [a["data"]["lc_value"] for a in card["actions"]] == ["1", "2", "3", "4", "5"]


def test_long_or_multiple_choices_use_a_choice_set() -> None:
    many = Question("Welke?", "r", tuple(Choice(str(n), f"Keuze {n}") for n in range(9)))
    card = cards.attachment(many)
    assert card is not None
    choice_set = card["content"]["body"][-1]
    assert choice_set["type"] == "Input.ChoiceSet" and choice_set["style"] == "compact"
    multi = Question("Welke?", "r", (Choice("a", "A"), Choice("b", "B")), multiple=True,
                     selected=("b",))
    card = cards.attachment(multi)
    assert card is not None
    assert card["content"]["body"][-1]["isMultiSelect"] is True
    assert card["content"]["body"][-1]["value"] == "b"


def test_form_fields_with_errors() -> None:
    form = Form("Leercontract", "d:f", (
        FormField("goal", "Wat wil je leren?", multiline=True, max_length=500,
                  error="Vertel iets meer"),), submit_label="Opslaan")
    card = cards.attachment(form)
    assert card is not None
    body = card["content"]["body"]
    field = next(b for b in body if b["type"] == "Input.Text")
    assert field["maxLength"] == 500 and field["errorMessage"] == "Vertel iets meer"
    assert any(b.get("color") == "Attention" for b in body)
    assert card["content"]["actions"][0]["data"]["lc_ref"] == "d:f"


def _activity(**fields: object) -> dict[str, object]:
    return {"type": "message", "id": "1", "from": {"id": "29:a", "name": "Anna"},
            "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
            "locale": "en-GB", **fields}


def test_card_submissions_become_values_choices_and_forms() -> None:
    button = inbound.event_of(_activity(value={"lc_ref": "r", "lc_value": "4"}))
    assert button is not None and button.value == "4" and button.reply_to == "r"
    single = inbound.event_of(_activity(value={"lc_ref": "r", "lc_choice": "b",
                                               "lc_labels": {"b": "B"}}))
    assert single is not None and single.value == "b"
    multiple = inbound.event_of(_activity(value={"lc_ref": "r", "lc_choice": "a,b",
                                                 "lc_multi": True, "lc_labels": {}}))
    assert multiple is not None and multiple.values == ("a", "b")
    form = inbound.event_of(_activity(value={"lc_ref": "r", "goal": "Leren", "lc_title": "x"}))
    assert form is not None and form.form == {"goal": "Leren"}
    assert form.locale == "en"


def test_execute_invokes_and_other_invokes() -> None:
    execute = inbound.event_of(_activity(type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "data": {"lc_ref": "r", "lc_value": "2"}}}))
    assert execute is not None and execute.value == "2"
    assert inbound.event_of(_activity(type="invoke", name="signin/verifyState",
                                      value={})) is None


def test_channel_threads_and_mentions() -> None:
    event = inbound.event_of(_activity(
        text="<at>Leercoach</at> intervisie &amp; meer",
        conversation={"id": "19:c@thread.tacv2;messageid=42", "conversationType": "channel",
                      "tenantId": "t"}))
    assert event is not None
    assert event.text == "intervisie & meer"
    assert event.address.conversation == "19:c@thread.tacv2" and event.address.thread == "42"
