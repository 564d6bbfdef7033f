"""Slack's inbound payloads in the shapes Slack documents, one function per shape, each
citing the page it follows (`SOURCE`). Ids are ours (workspace T0LEERCO, person U1, our bot
U0LEERBOT / B0LEERBOT), so the running app takes them as a workspace would send them.

Events API callbacks are JSON (`envelope`); interactions are a form with one `payload`
field; slash commands are a plain form. `tests/rigs/slack_rig.py` signs and sends them.
Free of pytest.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from adapters.slack.blocks import COMMAND, FORM_SUBMIT
from bot import clock

TEAM = "T0LEERCO"
ENTERPRISE = "E0LEERORG"
APP = "A0LEERAPP"
BOT_USER = "U0LEERBOT"
BOT_ID = "B0LEERBOT"
EVENTS = "https://api.slack.com/apis/events-api#callback-field"


@dataclass(frozen=True)
class Fixture:
    """One inbound request: how it travels, what it carries, where its shape comes from."""

    name: str
    source: str
    body: dict[str, Any]
    kind: str = "event"  # event (JSON) | interaction (form payload) | command (form)
    expects: dict[str, Any] = field(default_factory=dict)


def _stamp() -> float:
    """Slack's time stamps in a payload, on the product's clock (the test's moment)."""
    return clock.now().timestamp()


def _ts() -> str:
    return f"{_stamp():.6f}"


def _id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def envelope(event: dict[str, Any], *, team: str = TEAM, **extra: Any) -> dict[str, Any]:
    """The outer payload every Events API callback shares (https://api.slack.com/apis/
    events-api#callback-field), with `authorizations` as Slack now sends them
    (https://api.slack.com/changelog/2020-09-15-events-api-truncate-authed-users)."""
    return {
        "token": "XXYYZZ", "team_id": team, "api_app_id": APP, "event": event,
        "type": "event_callback", "event_id": _id("Ev"), "event_time": int(_stamp()),
        "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": BOT_USER,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": _id("4-"), **extra,
    }


# -- message events and their subtypes -----------------------------------------------------


def dm(text: str, user: str = "U1") -> Fixture:
    return Fixture("message.im", "https://api.slack.com/events/message.im", envelope({
        "type": "message", "channel": f"D{user}", "user": user, "text": text, "ts": _ts(),
        "event_ts": _ts(), "channel_type": "im", "team": TEAM,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
    }))


def message_changed(previous_text: str, text: str, user: str = "U1") -> Fixture:
    ts = _ts()
    return Fixture("message_changed",
                   "https://api.slack.com/events/message/message_changed", envelope({
                       "type": "message", "subtype": "message_changed", "hidden": True,
                       "channel": f"D{user}", "channel_type": "im", "ts": _ts(),
                       "event_ts": _ts(),
                       "message": {"type": "message", "user": user, "text": text, "ts": ts,
                                   "edited": {"user": user, "ts": _ts()},
                                   "client_msg_id": str(uuid.uuid4())},
                       "previous_message": {"type": "message", "user": user,
                                            "text": previous_text, "ts": ts},
                   }))


def message_deleted(user: str = "U1") -> Fixture:
    ts = _ts()
    return Fixture("message_deleted",
                   "https://api.slack.com/events/message/message_deleted", envelope({
                       "type": "message", "subtype": "message_deleted", "hidden": True,
                       "channel": f"D{user}", "channel_type": "im", "ts": _ts(),
                       "deleted_ts": ts, "event_ts": _ts(),
                       "previous_message": {"type": "message", "user": user,
                                            "text": "Een klant vroeg iets lastigs.", "ts": ts},
                   }))


def bot_message(user: str = "U1") -> Fixture:
    """Another app's bot posting in the DM channel."""
    return Fixture("bot_message", "https://api.slack.com/events/message/bot_message",
                   envelope({
                       "type": "message", "subtype": "bot_message", "ts": _ts(),
                       "text": "Reminder: standup in 5 minutes", "bot_id": "B0OTHERBOT",
                       "username": "standup-bot", "icons": {}, "channel": f"D{user}",
                       "channel_type": "im", "event_ts": _ts(),
                   }))


def own_post(user: str = "U1") -> Fixture:
    """Our own chat.postMessage, echoed back by `message.im`: a message with our bot's
    user and bot id (https://api.slack.com/events/message#bot_messages)."""
    return Fixture("our own post", "https://api.slack.com/events/message", envelope({
        "type": "message", "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP,
        "text": "Welke leermomenten waren er vandaag?", "ts": _ts(), "team": TEAM,
        "bot_profile": {"id": BOT_ID, "app_id": APP, "name": "Leercoach", "deleted": False,
                        "team_id": TEAM},
        "channel": f"D{user}", "channel_type": "im", "event_ts": _ts(),
    }))


def file_share(text: str, user: str = "U1") -> Fixture:
    return Fixture("file_share", "https://api.slack.com/events/message/file_share", envelope({
        "type": "message", "subtype": "file_share", "text": text, "user": user,
        "upload": False, "display_as_bot": False, "ts": _ts(), "event_ts": _ts(),
        "channel": f"D{user}", "channel_type": "im", "team": TEAM,
        "client_msg_id": str(uuid.uuid4()),
        "files": [{"id": "F0FILE1", "created": 1700000000, "timestamp": 1700000000,
                   "name": "notities.txt", "title": "notities.txt", "mimetype": "text/plain",
                   "filetype": "text", "user": user, "size": 12, "mode": "hosted",
                   "is_external": False, "is_public": False}],
    }))


def thread_broadcast(user: str = "U1", channel: str = "C0TEAM") -> Fixture:
    """A thread reply also sent to the channel, in a thread that is no practice of ours."""
    parent = _ts()
    return Fixture("thread_broadcast",
                   "https://api.slack.com/events/message/thread_broadcast", envelope({
                       "type": "message", "subtype": "thread_broadcast",
                       "text": "Goed punt, dat nemen we mee.", "user": user, "ts": _ts(),
                       "thread_ts": parent, "root": {"text": "Wie neemt dit op?",
                                                     "user": "U2", "ts": parent,
                                                     "type": "message"},
                       "client_msg_id": str(uuid.uuid4()), "channel": channel,
                       "channel_type": "channel", "event_ts": _ts(), "team": TEAM,
                   }))


# -- other events ------------------------------------------------------------------------


def app_home_opened(user: str = "U1") -> Fixture:
    return Fixture("app_home_opened", "https://api.slack.com/events/app_home_opened",
                   envelope({"type": "app_home_opened", "user": user, "channel": f"D{user}",
                             "tab": "home", "event_ts": _ts()}))


def member_joined(user: str, channel: str = "C0COHORT") -> Fixture:
    return Fixture("member_joined_channel",
                   "https://api.slack.com/events/member_joined_channel", envelope({
                       "type": "member_joined_channel", "user": user, "channel": channel,
                       "channel_type": "C", "team": TEAM, "inviter": "U2",
                       "event_ts": _ts()}))


def member_left(user: str, channel: str = "C0COHORT") -> Fixture:
    return Fixture("member_left_channel",
                   "https://api.slack.com/events/member_left_channel", envelope({
                       "type": "member_left_channel", "user": user, "channel": channel,
                       "channel_type": "C", "team": TEAM, "event_ts": _ts()}))


def app_uninstalled(team: str = TEAM) -> Fixture:
    return Fixture("app_uninstalled", "https://api.slack.com/events/app_uninstalled",
                   envelope({"type": "app_uninstalled"}, team=team))


def tokens_revoked(bots: list[str], users: list[str], team: str = TEAM) -> Fixture:
    return Fixture("tokens_revoked", "https://api.slack.com/events/tokens_revoked",
                   envelope({"type": "tokens_revoked",
                             "tokens": {"oauth": users, "bot": bots}}, team=team))


def grid_dm(text: str, *, org_wide: bool, user: str = "W1", team: str = "T0GRIDWS",
            enterprise: str = ENTERPRISE) -> Fixture:
    """A DM in a workspace of an Enterprise Grid organisation; with `org_wide` the app is
    installed for the whole organisation (https://api.slack.com/enterprise/apps/reference,
    https://api.slack.com/enterprise/grid)."""
    body = dm(text, user).body
    body.update(team_id=team, enterprise_id=enterprise, authorizations=[{
        "enterprise_id": enterprise, "team_id": None if org_wide else team,
        "user_id": "W0LEERBOT" if org_wide else BOT_USER, "is_bot": True,
        "is_enterprise_install": org_wide}])
    body["event"].update(team=team, user_team=team, source_team=team)
    return Fixture("Enterprise Grid org-wide DM" if org_wide else "Enterprise Grid DM",
                   "https://api.slack.com/enterprise/apps/reference", body)


# -- interactions ------------------------------------------------------------------------


def _user(user: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}


def _interaction(kind: str, user: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "team": {"id": TEAM, "domain": "leercoach-test"},
            "user": _user(user), "api_app_id": APP, "token": "XXYYZZ",
            "trigger_id": f"{int(_stamp())}.{uuid.uuid4().hex[:12]}",
            "is_enterprise_install": False, "enterprise": None, **fields}


def button_in_message(action_id: str, value: str, block_id: str, user: str = "U1",
                      ts: str = "1700000000.000100") -> Fixture:
    """A button in a message of ours in the person's DM
    (https://api.slack.com/reference/interaction-payloads/block-actions-payload)."""
    channel = f"D{user}"
    button = {"type": "button", "action_id": action_id, "block_id": block_id,
              "text": {"type": "plain_text", "text": "Ja", "emoji": True}, "value": value,
              "action_ts": _ts()}
    return Fixture(f"block_actions in a message ({action_id})",
                   "https://api.slack.com/reference/interaction-payloads/block-actions-payload",
                   _interaction(
                       "block_actions", user,
                       container={"type": "message", "message_ts": ts, "channel_id": channel,
                                  "is_ephemeral": False},
                       channel={"id": channel, "name": "directmessage"},
                       message={"type": "message", "user": BOT_USER, "bot_id": BOT_ID,
                                "ts": ts, "text": "Een vraag van vroeger",
                                "blocks": [{"type": "actions", "block_id": block_id,
                                            "elements": [{k: v for k, v in button.items()
                                                          if k not in ("block_id",
                                                                       "action_ts")}]}]},
                       state={"values": {}},
                       response_url="https://hooks.slack.com/actions/T0LEERCO/1/abc",
                       actions=[button]), kind="interaction")


def radio_in_modal(user: str = "U1") -> Fixture:
    """A radio button in a modal of another view (or an older version of the app)."""
    view = _view("V0OLDMODAL", "old_survey", "modal", {"q1": {"pick": {
        "type": "radio_buttons", "selected_option": {
            "text": {"type": "plain_text", "text": "Vaak"}, "value": "often"}}}})
    return Fixture("block_actions in a modal (radio_buttons)",
                   "https://api.slack.com/reference/interaction-payloads/block-actions-payload",
                   _interaction(
                       "block_actions", user,
                       container={"type": "view", "view_id": "V0OLDMODAL"}, view=view,
                       actions=[{"type": "radio_buttons", "action_id": "pick",
                                 "block_id": "q1", "action_ts": _ts(),
                                 "selected_option": {
                                     "text": {"type": "plain_text", "text": "Vaak"},
                                     "value": "often"}}]), kind="interaction")


def home_button(value: str, action_id: str = COMMAND, user: str = "U1") -> Fixture:
    """A button on the App Home tab (container `view`, view type `home`)."""
    view = _view("V0HOME", "", "home", {})
    return Fixture(f"block_actions on the App Home ({action_id})",
                   "https://api.slack.com/reference/interaction-payloads/block-actions-payload",
                   _interaction(
                       "block_actions", user,
                       container={"type": "view", "view_id": "V0HOME"}, view=view,
                       actions=[{"type": "button", "action_id": action_id,
                                 "block_id": "home-actions", "value": value,
                                 "text": {"type": "plain_text", "text": value},
                                 "action_ts": _ts()}]), kind="interaction")


def _view(view_id: str, callback_id: str, kind: str, values: dict[str, Any],
          metadata: str = "") -> dict[str, Any]:
    """A view as interaction payloads carry it
    (https://api.slack.com/reference/interaction-payloads/views-payload)."""
    return {"id": view_id, "team_id": TEAM, "type": kind, "blocks": [],
            "private_metadata": metadata, "callback_id": callback_id,
            "state": {"values": values}, "hash": f"{int(_stamp())}.{uuid.uuid4().hex[:8]}",
            "title": {"type": "plain_text", "text": "Leercoach"},
            "clear_on_close": False, "notify_on_close": True, "close": None, "submit": None,
            "previous_view_id": None, "root_view_id": view_id, "app_id": APP,
            "external_id": "", "app_installed_team_id": TEAM, "bot_id": BOT_ID}


# Every input element's value as view_submission's state carries it
# (https://api.slack.com/reference/interaction-payloads/views-payload#view_submission,
# https://api.slack.com/reference/block-kit/block-elements).
EVERY_INPUT = {
    "note": {"value": {"type": "plain_text_input", "value": "Ik vroeg eerst door."}},
    "pick": {"value": {"type": "static_select", "selected_option": {
        "text": {"type": "plain_text", "text": "Samenwerken"}, "value": "samenwerken"}}},
    "picks": {"value": {"type": "multi_static_select", "selected_options": [
        {"text": {"type": "plain_text", "text": "Plannen"}, "value": "plannen"},
        {"text": {"type": "plain_text", "text": "Feedback"}, "value": "feedback"}]}},
    "ticks": {"value": {"type": "checkboxes", "selected_options": [
        {"text": {"type": "plain_text", "text": "Ja"}, "value": "ja"}]}},
    "radio": {"value": {"type": "radio_buttons", "selected_option": {
        "text": {"type": "plain_text", "text": "Soms"}, "value": "soms"}}},
    "day": {"value": {"type": "datepicker", "selected_date": "2026-03-11"}},
    "hour": {"value": {"type": "timepicker", "selected_time": "09:30"}},
}


def form_submission(ref: str, values: dict[str, str], user: str = "U1") -> Fixture:
    """Our form modal submitted: plain_text_input per field, the form's ref in
    private_metadata."""
    state = {name: {"value": {"type": "plain_text_input", "value": value}}
             for name, value in values.items()}
    metadata = json.dumps({"ref": ref, "channel": f"D{user}", "ts": ""})
    return Fixture("view_submission of our form",
                   "https://api.slack.com/reference/interaction-payloads/views-payload",
                   _interaction("view_submission", user,
                                view=_view("V0FORM", FORM_SUBMIT, "modal", state, metadata),
                                response_urls=[]), kind="interaction")


def unknown_submission(user: str = "U1") -> Fixture:
    """A modal we did not open (another version), with every input type."""
    return Fixture("view_submission of an unknown modal (every input type)",
                   "https://api.slack.com/reference/interaction-payloads/views-payload",
                   _interaction("view_submission", user,
                                view=_view("V0OTHER", "old_modal", "modal", EVERY_INPUT),
                                response_urls=[]), kind="interaction")


def view_closed(callback_id: str = FORM_SUBMIT, user: str = "U1") -> Fixture:
    return Fixture("view_closed",
                   "https://api.slack.com/reference/interaction-payloads/views-payload#view_closed",
                   _interaction("view_closed", user,
                                view=_view("V0FORM", callback_id, "modal", {}),
                                is_cleared=False), kind="interaction")


def global_shortcut(user: str = "U1") -> Fixture:
    return Fixture("global shortcut",
                   "https://api.slack.com/reference/interaction-payloads/shortcuts",
                   _interaction("shortcut", user, callback_id="leercoach_quick_note",
                                action_ts=_ts()), kind="interaction")


def message_shortcut(user: str = "U1", channel: str = "C0TEAM") -> Fixture:
    ts = _ts()
    return Fixture("message shortcut",
                   "https://api.slack.com/reference/interaction-payloads/shortcuts",
                   _interaction("message_action", user, callback_id="leercoach_save_message",
                                action_ts=_ts(), message_ts=ts,
                                channel={"id": channel, "name": "team"},
                                message={"type": "message", "user": "U2", "ts": ts,
                                         "text": "Mooi voorbeeld voor intervisie"},
                                response_url="https://hooks.slack.com/app/T0LEERCO/1/abc"),
                   kind="interaction")


def slash_command(text: str, command: str = "/leercoach", user: str = "U1",
                  channel: str | None = None) -> Fixture:
    """https://api.slack.com/interactivity/slash-commands#app_command_handling"""
    return Fixture(f"slash command {command} {text}".strip(),
                   "https://api.slack.com/interactivity/slash-commands", {
                       "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": TEAM,
                       "team_domain": "leercoach-test", "enterprise_id": "",
                       "enterprise_name": "", "channel_id": channel or f"D{user}",
                       "channel_name": "directmessage", "user_id": user,
                       "user_name": user.lower(), "command": command, "text": text,
                       "api_app_id": APP, "is_enterprise_install": "false",
                       "response_url": "https://hooks.slack.com/commands/1234/5678",
                       "trigger_id": f"{int(_stamp())}.{uuid.uuid4().hex[:12]}",
                   }, kind="command")
