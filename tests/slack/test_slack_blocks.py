"""Block Kit rendering, payload parsing, the socket watchdog's decision and the Slack
configuration: pure functions, no server."""

from __future__ import annotations

import json

import pytest

from adapters.slack import inbound
from adapters.slack.blocks import (
    CHOICE,
    COMMAND,
    MAX_BLOCKS,
    MULTI,
    MULTI_DONE,
    SCALE,
    SELECT,
    Page,
    action_kind,
    action_pattern,
    answered,
    form_errors,
    form_modal,
    home_view,
    message_blocks,
    message_pages,
    picker_block,
    turn_blocks,
)
from adapters.slack.config import SlackConfig
from adapters.slack.mrkdwn import chunks, escape, fallback
from adapters.slack.socket_mode import needs_reconnect
from bot.config import ConfigError
from bot.core.messages import (
    Choice,
    File,
    Form,
    FormField,
    Home,
    HomeSection,
    Message,
    Notice,
    Question,
    Scale,
    Text,
)
from tests.contracts.block_kit import check_message, check_view, describe


def rendered(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize("typed", [
    "<!channel> kijk hier", "<!here>", "<@U123> doet mee", "<#C123|algemeen>",
    "<https://evil.example|klik hier>", "<mailto:a@b.nl|mail>", "a & b > c",
])
def test_user_content_cannot_become_a_mention_or_a_link(typed: str) -> None:
    blocks = message_blocks(Text(f"Je schreef: {typed}"))
    text = blocks[0]["text"]
    assert "<" not in text["text"] and ">" not in text["text"]
    assert text["verbatim"] is True
    assert escape(typed) in text["text"]


def test_few_short_choices_are_buttons_and_many_a_select() -> None:
    few = Question("Welke?", "d1:s1", tuple(Choice(str(n), f"Keuze {n}") for n in range(3)))
    block = message_blocks(few)[-1]
    assert block["block_id"] == "d1:s1"
    assert [e["action_id"] for e in block["elements"]] == [f"{CHOICE}:{n}" for n in range(3)]
    many = Question("Welke?", "d1:s1", tuple(Choice(str(n), f"Keuze {n}") for n in range(12)))
    select = message_blocks(many)[-1]["elements"][0]
    assert select["action_id"] == SELECT and len(select["options"]) == 12


def test_multiple_choice_keeps_what_was_selected() -> None:
    question = Question("Welke?", "r", (Choice("a", "A"), Choice("b", "B")), multiple=True,
                        selected=("b",))
    element = message_blocks(question)[-1]["elements"][0]
    assert element["action_id"] == MULTI
    assert [o["value"] for o in element["initial_options"]] == ["b"]


def test_scale_has_one_button_per_number_and_its_labels() -> None:
    blocks = message_blocks(Scale("Hoe leerzaam?", "r", low_label="weinig", high_label="veel"))
    assert [e["value"] for e in blocks[1]["elements"]] == ["1", "2", "3", "4", "5"]
    assert "1 = weinig" in rendered(blocks)


def test_long_text_is_split_into_sections_within_slacks_limit() -> None:
    long = "\n".join(f"Regel {n} " + "x" * 90 for n in range(100))
    blocks = message_blocks(Text(long))
    assert len(blocks) > 3
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert "".join(chunks("a" * 7000)) == "a" * 7000


def test_a_turns_replies_become_one_message() -> None:
    blocks = turn_blocks([Text("Hoi!"), Notice("Opgeslagen"), Scale("Hoe?", "r")])
    assert [b["type"] for b in blocks] == ["section", "context", "section", "actions"]


def test_answered_message_loses_its_buttons() -> None:
    blocks = message_blocks(Scale("Hoe leerzaam?", "r"))
    after = answered(blocks, "4")
    assert not [b for b in after if b["type"] == "actions"]
    assert after[-1]["elements"][0]["text"] == "✓ 4"


def test_form_modal_and_inline_errors() -> None:
    form = Form("Leercontract voor dit kwartaal", "d:f", (
        FormField("goal", "Wat wil je leren?", multiline=True, max_length=500),
        FormField("how", "Hoe?", multiline=True, required=False, value="Oefenen",
                  error="Vertel iets meer"),
    ), submit_label="Opslaan")
    modal = form_modal(form, {"ref": "d:f", "channel": "D1", "ts": "1.2"})
    assert len(modal["title"]["text"]) <= 24
    assert json.loads(modal["private_metadata"])["ref"] == "d:f"
    goal, how = [b for b in modal["blocks"] if b["type"] == "input"]
    assert goal["element"]["max_length"] == 500 and goal["optional"] is False
    assert how["element"]["initial_value"] == "Oefenen" and how["optional"] is True
    assert form_errors(form) == {"how": "Vertel iets meer"}


def test_home_view_has_sections_and_buttons() -> None:
    home = Home("Jouw ritme", (HomeSection("Dagboek", "3 dagen op rij <!here>"),),
                tuple(Choice(c, c.title()) for c in ("diary", "weekplan", "month", "contract",
                                                     "year", "settings")))
    view = home_view(home)
    assert view["type"] == "home"
    assert "&lt;!here&gt;" in rendered(view["blocks"])
    rows = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [len(r["elements"]) for r in rows] == [5, 1]


# -- Slack's Block Kit contract (tests/contracts/block_kit.py) ------------------------------


def conforming(message: Message | list[Message]) -> list[Page]:
    """The Slack messages a turn becomes, each checked as chat.postMessage would be."""
    pages = message_pages(message if isinstance(message, list) else [message])
    for page in pages:
        found = check_message({"channel": "D1", "text": page.text, "blocks": page.blocks})
        assert found == [], describe(found)
    return pages


def test_buttons_in_one_block_have_distinct_action_ids_that_route_by_kind() -> None:
    choices = tuple(Choice(v, v.title()) for v in ("ja", "nee", "later"))
    [page] = conforming([Question("Lukt het?", "q", choices), Scale("Hoe leerzaam?", "r")])
    rows = [b for b in page.blocks if b["type"] == "actions"]
    ids = [[e["action_id"] for e in row["elements"]] for row in rows]
    assert ids == [["lc_choice:0", "lc_choice:1", "lc_choice:2"],
                   [f"lc_scale:{n}" for n in range(5)]]
    assert {action_kind(i) for row in ids for i in row} == {CHOICE, SCALE}
    assert action_kind("lc_choice") == CHOICE  # buttons posted before the index still route
    assert action_pattern(CHOICE, SCALE).match("lc_scale:4")
    assert not action_pattern(CHOICE).match("lc_choice_other")


def test_home_buttons_have_distinct_action_ids_in_each_row() -> None:
    actions = tuple(Choice(f"cmd{n}", f"Knop {n}") for n in range(7))
    view = home_view(Home("Jouw ritme", (HomeSection("Dagboek", "3 dagen"),), actions))
    assert check_view(view) == [], describe(check_view(view))
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions"
           for e in b["elements"]]
    assert len(set(ids)) == 7 and {action_kind(i) for i in ids} == {COMMAND}


def test_a_long_multiple_choice_list_is_a_multi_select_beside_the_question() -> None:
    """Slack allows a multi_static_select in a section or input block, not in an actions
    block; the OK button stays in the actions block that carries the question's ref."""
    many = tuple(Choice(f"c{n}", f"Competentie {n}") for n in range(14))
    question = Question("Welke competenties?", "d1:s2", many, multiple=True, hint="Kies er 2",
                        selected=("c3",))
    [page] = conforming(question)
    section = next(b for b in page.blocks if "accessory" in b)
    picker = section["accessory"]
    assert picker["type"] == "multi_static_select" and picker["action_id"] == MULTI
    assert [o["value"] for o in picker["initial_options"]] == ["c3"]
    assert section["block_id"] == picker_block("d1:s2")
    [row] = [b for b in page.blocks if b["type"] == "actions"]
    assert row["block_id"] == "d1:s2"
    assert [e["action_id"] for e in row["elements"]] == [MULTI_DONE]
    # OK reads what was picked from the section's state
    chosen = [{"value": "c1", "text": {"type": "plain_text", "text": "Competentie 1"}},
              {"value": "c4", "text": {"type": "plain_text", "text": "Competentie 4"}}]
    body = {"user": {"id": "U1"}, "team": {"id": "T1"}, "trigger_id": "t1",
            "channel": {"id": "D1"},
            "state": {"values": {section["block_id"]: {MULTI: {
                "type": "multi_static_select", "selected_options": chosen}}}}}
    ok = {**row["elements"][0], "block_id": row["block_id"]}
    event = inbound.action_event(body, ok)
    assert event is not None and event.values == ("c1", "c4") and event.reply_to == "d1:s2"
    assert inbound.chosen_label(body, ok) == "Competentie 1, Competentie 4"
    after = answered(page.blocks, "Competentie 1, Competentie 4")
    assert not [b for b in after if "accessory" in b or b["type"] == "actions"]


def test_texts_are_split_within_slacks_limits_counted_after_escaping() -> None:
    """An `&` becomes `&amp;`: 2,000 of them are 10,000 characters in a section."""
    conforming(Text("&" * 2000))
    conforming(Notice("<" * 4000))
    conforming(Question("Waarom?", "q", hint="&" * 3000))
    conforming(Text(""))
    conforming(Question("", "q", (Choice("ja", "Ja"), Choice("nee", "Nee"))))


def test_a_long_export_becomes_several_messages_that_hold_all_of_it() -> None:
    """A data export longer than one message (50 blocks, and the text Slack takes in one
    message) is posted as several messages, in order, with nothing lost."""
    content = "\n".join(f'  "moment {n}": "Een klant vroeg iets & ik <dacht> na"'
                         for n in range(4000))
    pages = conforming([Text("Hier zijn je gegevens."), File("Je gegevens", "me.json", content),
                        Notice("Bewaar dit bestand goed.")])
    assert len(pages) > 1
    assert all(len(page.blocks) <= MAX_BLOCKS for page in pages)
    shown = "".join(b["text"]["text"].strip("`") for page in pages for b in page.blocks
                    if b["type"] == "section" and b["text"]["text"].startswith("```"))
    assert shown.replace("\u200b", "") == escape(content) + "\n"
    assert pages[0].text.startswith("Hier zijn je gegevens.")
    assert all(page.text and "&amp;amp;" not in page.text for page in pages)
    assert pages[-1].blocks[-1]["type"] == "context"


def test_a_question_stays_with_its_buttons_when_a_turn_needs_two_messages() -> None:
    notices: list[Message] = [Notice(f"Opgeslagen {n}") for n in range(49)]
    question = Question("Lukt het?", "q", (Choice("ja", "Ja"), Choice("nee", "Nee")))
    pages = conforming([*notices, question])
    assert [len(page.blocks) for page in pages] == [49, 2]
    assert [b["type"] for b in pages[1].blocks] == ["section", "actions"]
    assert pages[1].text == "Lukt het?"


def test_a_home_longer_than_slack_allows_keeps_its_buttons() -> None:
    sections = tuple(HomeSection(f"Deel {n}", "tekst " * 10) for n in range(120))
    view = home_view(Home("Jouw ritme", sections, (Choice("diary", "Dagboek"),)))
    assert check_view(view) == [], describe(check_view(view))
    assert view["blocks"][0]["type"] == "header"
    assert view["blocks"][-1]["type"] == "actions"


def test_the_answered_message_keeps_slacks_limits_and_escapes_the_choice() -> None:
    blocks = [section for n in range(50) for section in [{"type": "section", "text": {
        "type": "mrkdwn", "text": f"Regel {n}"}}]]
    after = answered(blocks, "<!channel> " + "x" * 4000)
    assert check_message({"channel": "D1", "text": "x", "blocks": after}) == []
    assert after[-1]["type"] == "context" and "&lt;!channel&gt;" in rendered(after)


@pytest.mark.parametrize(("typed", "sent"), [
    ("<!channel> & co", "&lt;!channel&gt; &amp; co"),
    ("&" * 3000, "&amp;" * 600),  # cut before an entity, never inside one
])
def test_a_fallback_text_is_escaped_and_never_cuts_an_entity(typed: str, sent: str) -> None:
    assert fallback(typed) == sent


# -- payloads ---------------------------------------------------------------------------


def _envelope(event: dict[str, object]) -> dict[str, object]:
    return {"team_id": "T1", "event_id": "Ev1", "event": event}


def test_messages_of_bots_and_edits_are_not_answers() -> None:
    base = {"type": "message", "user": "U1", "channel": "D1", "text": "hoi", "ts": "1.0"}
    assert inbound.message_event(_envelope(base)) is not None
    assert inbound.message_event(_envelope({**base, "bot_id": "B1"})) is None
    assert inbound.message_event(_envelope({**base, "subtype": "message_changed"})) is None
    assert inbound.message_event(_envelope({**base, "user": None})) is None
    assert inbound.message_event({"event": "nonsense"}) is None


def test_slack_entities_are_read_back_to_what_was_typed() -> None:
    event = inbound.message_event(_envelope({
        "type": "message", "user": "U1", "channel": "D1", "ts": "1.0",
        "text": "a &lt;b&gt; &amp; c"}))
    assert event is not None and event.text == "a <b> & c"
    assert event.event_id == "event:Ev1"


def test_a_mention_loses_the_bots_name_and_answers_in_the_thread() -> None:
    event = inbound.message_event(_envelope({
        "type": "app_mention", "user": "U1", "channel": "C1", "ts": "5.0",
        "text": "<@U0BOT> intervisie"}), mention=True)
    assert event is not None
    assert event.text == "intervisie" and event.address.thread == "5.0"


def test_slash_command_words_and_an_empty_command() -> None:
    body = {"team_id": "T1", "user_id": "U1", "text": "  pauze   tot 1 december ",
            "trigger_id": "t1"}
    event = inbound.command_event(body, "D1")
    assert event.command == "pauze tot 1 december" and event.address.conversation == "D1"
    assert inbound.command_event({**body, "text": ""}, "D1").command == "help"


def test_a_modal_without_our_metadata_is_ignored() -> None:
    assert inbound.view_event({"user": {"id": "U1"}, "view": {"private_metadata": "{bad"}}) \
        is None


# -- Socket Mode watchdog and configuration -------------------------------------------------


def test_watchdog_reconnects_a_silent_socket() -> None:
    ok = {"connected_at": 0.0, "interval": 10.0}
    assert not needs_reconnect(connected=True, last_pong=95.0, now=100.0, **ok)
    assert needs_reconnect(connected=False, last_pong=95.0, now=100.0, **ok)
    assert needs_reconnect(connected=True, last_pong=10.0, now=100.0, **ok)
    assert needs_reconnect(connected=True, last_pong=None, now=100.0, **ok)
    assert not needs_reconnect(connected=True, last_pong=None, now=30.0, **ok)


def test_slack_configuration() -> None:
    assert SlackConfig.from_env({}) is None
    single = SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                                   "LEERCOACH_SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert single is not None and not single.oauth and single.api_url == "http://127.0.0.1:9/api/"
    oauth = SlackConfig.from_env({"SLACK_CLIENT_ID": "1", "SLACK_CLIENT_SECRET": "2",
                                  "SLACK_SIGNING_SECRET": "s"})
    assert oauth is not None and oauth.oauth
    socket = SlackConfig.from_env({"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert socket is not None and socket.socket_mode
    for broken in ({"SLACK_BOT_TOKEN": "xoxb-1"},
                   {"SLACK_CLIENT_ID": "1", "SLACK_SIGNING_SECRET": "s"},
                   {"SLACK_APP_TOKEN": "xoxb-wrong", "SLACK_BOT_TOKEN": "xoxb-1"},
                   {"SLACK_APP_TOKEN": "xapp-1"},
                   {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s",
                    "LEERCOACH_SLACK_API_URL": "ftp://x"}):
        with pytest.raises(ConfigError):
            SlackConfig.from_env(broken)


def test_the_manifest_asks_for_what_the_adapter_uses() -> None:
    from pathlib import Path

    import yaml

    from adapters.slack.config import DEFAULT_SCOPES
    from adapters.slack.listeners import COMMAND_NAME

    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "adapters" / "slack"
                               / "manifest.yml").read_text(encoding="utf-8"))
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == DEFAULT_SCOPES
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_mention", "app_uninstalled", "member_joined_channel",
        "member_left_channel", "message.channels", "message.groups", "message.im",
        "tokens_revoked"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND_NAME]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
