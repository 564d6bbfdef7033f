"""Block Kit rendering, payload parsing, the socket watchdog's decision and the Slack
configuration: pure functions, no server."""

from __future__ import annotations

import json

import pytest

from adapters.slack import inbound
from adapters.slack.blocks import (
    CHOICE,
    MULTI,
    SELECT,
    answered,
    form_errors,
    form_modal,
    home_view,
    message_blocks,
    turn_blocks,
)
from adapters.slack.config import SlackConfig
from adapters.slack.mrkdwn import chunks, escape
from adapters.slack.socket_mode import needs_reconnect
from bot.messages import (
    Choice,
    Form,
    FormField,
    Home,
    HomeSection,
    Notice,
    Question,
    Scale,
    Text,
)
from bot.settings import ConfigError


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
    assert [e["action_id"] for e in block["elements"]] == [CHOICE] * 3
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

    manifest = yaml.safe_load((Path(__file__).parent.parent / "adapters" / "slack"
                               / "manifest.yml").read_text(encoding="utf-8"))
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == DEFAULT_SCOPES
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_mention", "member_joined_channel", "member_left_channel",
        "message.channels", "message.groups", "message.im", "app_uninstalled",
        "tokens_revoked"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND_NAME]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
