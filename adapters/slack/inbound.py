"""Slack payloads as the engine's InboundEvent: messages, mentions, buttons, modals, commands.

Pure functions of the payload, so every shape Slack sends is tested without a server. Each
event gets a stable id Slack repeats on a retry (the Events API envelope's `event_id`, a
message's `client_msg_id`, an interaction's `trigger_id`); the engine stores those ids and
handles each only once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.slack.blocks import (
    CHOICE,
    MULTI,
    MULTI_DONE,
    SCALE,
    SELECT,
    action_kind,
    picker_block,
)
from bot.core.messages import Address, InboundEvent

PLATFORM = "slack"
_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")
# Message subtypes a person writes; the rest (edits, joins, bot posts) are not answers.
_PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}


# Where Slack puts an id or an object with one, and the objects bolt and the listeners
# look inside; interactive payloads (buttons, modals) always carry these as objects.
_ID_OR_OBJECT = ("enterprise", "team", "user", "channel")
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "view",
           "container", "state", "function_data")
_INTERACTIVE = {"block_actions", "block_suggestion", "view_submission", "view_closed",
                "shortcut", "message_action"}


def well_formed(payload: Any) -> bool:
    """Whether a parsed request has the shape Slack gives its payloads: an object, with an
    event (that has a type) in an Events API callback, objects where Slack puts objects and
    a list of actions in a button's payload. Anything else is not from Slack, and bolt's
    parsing and our listeners need not guard every field against it."""
    if not isinstance(payload, Mapping) or not _shaped(payload, 0):
        return False
    kind = payload.get("type")
    if kind == "event_callback":
        event = payload.get("event")
        return isinstance(event, Mapping) and isinstance(event.get("type"), str)
    if kind not in _INTERACTIVE:
        return True
    if not isinstance(payload.get("user"), Mapping) or not all(
            isinstance(payload.get(key) or {}, Mapping) for key in ("channel", "team")):
        return False
    if kind == "block_actions":
        actions = payload.get("actions")
        return (isinstance(actions, list) and bool(actions)
                and all(_action_shaped(action) for action in actions))
    if kind.startswith("view_"):
        return isinstance(payload.get("view"), Mapping)
    return True


def _shaped(node: Mapping[str, Any], depth: int) -> bool:
    for key in _ID_OR_OBJECT:
        if not isinstance(node.get(key), str | Mapping | None):
            return False
    authorizations = node.get("authorizations")
    if authorizations is not None and not (
            isinstance(authorizations, list)
            and all(isinstance(a, Mapping) and _shaped(a, depth + 1) for a in authorizations)):
        return False
    for key in _NESTED:
        nested = node.get(key)
        if nested is not None and not (isinstance(nested, Mapping)
                                       and (depth > 4 or _shaped(nested, depth + 1))):
            return False
    state = node.get("state")
    values = state.get("values") or {} if isinstance(state, Mapping) else {}
    return isinstance(values, Mapping) and all(  # block id -> action id -> element
        isinstance(block, Mapping) and all(isinstance(e, Mapping) for e in block.values())
        for block in values.values())


def _action_shaped(action: Any) -> bool:
    if not isinstance(action, Mapping):
        return False
    options = action.get("selected_options")
    return (isinstance(action.get("selected_option") or {}, Mapping)
            and isinstance(action.get("text") or {}, Mapping)
            and (options is None or (isinstance(options, list)
                                     and all(isinstance(o, Mapping) for o in options))))


def unescape(text: str) -> str:
    """Slack sends `&`, `<` and `>` as entities; the engine stores what the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def team_of(body: Mapping[str, Any]) -> str:
    team = body.get("team_id") or body.get("team")
    if isinstance(team, Mapping):
        team = team.get("id")
    user = body.get("user")
    if not team and isinstance(user, Mapping):
        team = user.get("team_id")
    return str(team or "")


def _received(seconds: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def message_event(body: Mapping[str, Any], *, mention: bool = False,
                  ambient: bool = False) -> InboundEvent | None:
    """A DM (`message.im`), an @mention in a channel, or (`ambient`) a reply in a channel
    thread, which the engine takes only when the thread is one of its practices (an
    intervision case); None for what is not a person's message (bots, edits, deletions,
    joins) or has no sender."""
    event = body.get("event")
    if not isinstance(event, Mapping):
        return None
    if event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    user, channel = event.get("user"), event.get("channel")
    if not isinstance(user, str) or not isinstance(channel, str) or not user or not channel:
        return None
    text = unescape(str(event.get("text") or ""))
    thread: str | None = None
    if mention:
        text = _MENTION.sub("", text, count=1)
        thread = str(event.get("thread_ts") or event.get("ts") or "") or None
    elif ambient:
        thread = str(event.get("thread_ts") or "") or None
        if thread is None:
            return None  # only replies in threads can belong to a case
    event_id = body.get("event_id") or event.get("client_msg_id")
    return InboundEvent(
        address=Address(PLATFORM, str(event.get("team") or team_of(body)), user, channel,
                         thread),
        text=text,
        event_id=f"event:{event_id}" if event_id else None,
        received_at=_received(event.get("ts")),
        ambient=ambient,
    )


def typed(body: Mapping[str, Any]) -> InboundEvent | None:
    """A message a person typed to the coach itself (a DM or an @mention), from an Events
    API callback: what the spool keeps before the callback is acknowledged."""
    event = body.get("event")
    if body.get("type") != "event_callback" or not isinstance(event, Mapping):
        return None
    if event.get("type") == "message" and event.get("channel_type") == "im":
        return message_event(body)
    if event.get("type") == "app_mention":
        return message_event(body, mention=True)
    return None


def _container_channel(body: Mapping[str, Any]) -> str:
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return str((channel.get("id") if isinstance(channel, Mapping) else None)
               or container.get("channel_id") or "")


def action_event(body: Mapping[str, Any], action: Mapping[str, Any]) -> InboundEvent | None:
    """A button, select or checkbox-with-OK answer; None for elements that only change
    state on the client (ticking a checkbox is only read when OK is pressed)."""
    user = (body.get("user") or {}).get("id")
    ref = action.get("block_id")
    kind = action_kind(action.get("action_id"))
    if not user or not ref:
        return None
    value: str | None = None
    values: tuple[str, ...] | None = None
    if kind in (CHOICE, SCALE):
        value = str(action.get("value") or "")
    elif kind == SELECT:
        value = str(((action.get("selected_option") or {}).get("value")) or "")
    elif kind == MULTI_DONE:
        state = _ticked(body, str(ref))
        values = tuple(str(o.get("value")) for o in state.get("selected_options") or ())
    else:
        return None
    channel = _container_channel(body)
    stamp = action.get("action_ts") or ""
    thread: str | None = None
    if channel and not channel.startswith("D"):
        # A button in a channel (an intervision case, a poll): the thread it belongs to,
        # so the press is a channel event and never becomes the person's DM.
        container = body.get("container") or {}
        thread = str(container.get("thread_ts") or container.get("message_ts") or "") or None
    return InboundEvent(
        address=Address(PLATFORM, team_of(body), str(user), channel, thread),
        value=value,
        values=values,
        reply_to=str(ref),
        event_id=f"action:{body.get('trigger_id') or stamp}",
        received_at=_received(stamp),
    )


def _ticked(body: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    """The state of a question's checkboxes (in its actions block) or multi-select (in the
    section beside its text, blocks.picker_block)."""
    values = (body.get("state") or {}).get("values") or {}
    for block_id in (ref, picker_block(ref)):
        state = (values.get(block_id) or {}).get(MULTI)
        if isinstance(state, Mapping) and state:
            return state
    return {}


def chosen_label(body: Mapping[str, Any], action: Mapping[str, Any]) -> str:
    """What the person chose, in the words they saw, to show on the answered message."""
    kind = action_kind(action.get("action_id"))
    if kind in (CHOICE, SCALE):
        return str((action.get("text") or {}).get("text") or action.get("value") or "")
    if kind == SELECT:
        return str(((action.get("selected_option") or {}).get("text") or {}).get("text") or "")
    state = _ticked(body, str(action.get("block_id") or ""))
    return ", ".join(str((o.get("text") or {}).get("text") or "")
                     for o in state.get("selected_options") or ()) or "–"


def form_metadata(view: Mapping[str, Any]) -> dict[str, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def view_event(body: Mapping[str, Any]) -> InboundEvent | None:
    """A submitted form modal: every input's value, keyed by the form field's name."""
    view = body.get("view") or {}
    user = (body.get("user") or {}).get("id")
    meta = form_metadata(view)
    if not user or not meta.get("ref"):
        return None
    form: dict[str, str] = {}
    for name, inputs in ((view.get("state") or {}).get("values") or {}).items():
        for element in inputs.values():
            form[str(name)] = input_value(element)
    return InboundEvent(
        address=Address(PLATFORM, team_of(body), str(user), meta.get("channel", "")),
        form=form,
        reply_to=meta["ref"],
        event_id=f"view:{view.get('id')}:{view.get('hash')}",
    )


def input_value(element: Mapping[str, Any]) -> str:
    """An input's value as view_submission's state carries it, whichever element it is
    (https://api.slack.com/reference/interaction-payloads/views-payload#view_submission):
    text, one option, several options (comma separated), a date or a time."""
    if element.get("value") is not None:
        return str(element.get("value") or "")
    option = element.get("selected_option")
    if isinstance(option, Mapping):
        return str(option.get("value") or "")
    options = element.get("selected_options")
    if isinstance(options, list):
        return ",".join(str(o.get("value") or "") for o in options if isinstance(o, Mapping))
    for key in ("selected_date", "selected_time", "selected_date_time", "selected_user",
                "selected_channel", "selected_conversation"):
        if element.get(key) is not None:
            return str(element[key])
    return ""


def command_event(body: Mapping[str, Any], channel: str) -> InboundEvent:
    """`/leercoach WORDS`: the words are the command (unknown or empty words get help).

    `channel` is the person's DM with the coach: the replies of a dialog belong there,
    wherever the command was typed."""
    words = " ".join(str(body.get("text") or "").split())
    typed_in = str(body.get("channel_id") or "")
    return InboundEvent(
        address=Address(PLATFORM, team_of(body), str(body.get("user_id") or ""), channel),
        command=unescape(words) or "help",
        event_id=f"command:{body.get('trigger_id')}" if body.get("trigger_id") else None,
        origin=typed_in if typed_in and typed_in != channel else None,
    )


def button_command(body: Mapping[str, Any], value: str, channel: str) -> InboundEvent:
    """An App Home button: starts the flow it names, replies in the DM."""
    user = (body.get("user") or {}).get("id") or ""
    return InboundEvent(
        address=Address(PLATFORM, team_of(body), str(user), channel),
        command=value,
        event_id=f"home:{body.get('trigger_id')}" if body.get("trigger_id") else None,
    )
