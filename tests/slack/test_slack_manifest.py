"""The Slack app manifest (adapters/slack/manifest.yml) against Slack's published manifest
schema, and against what the adapter actually does: every event bolt listens to is
subscribed, every Web API method the adapter calls has its scope, and no scope is asked for
that nothing uses. The schema is vendored in tests/contracts/schemas (see its README)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import DEFAULT_SCOPES

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "adapters" / "slack" / "manifest.yml"
ADAPTER = ROOT / "adapters" / "slack"
SCHEMAS = Path(__file__).resolve().parents[1] / "contracts" / "schemas"

# The bot scopes each Web API method needs for what the adapter does with it, from the
# method's reference page (https://docs.slack.dev/reference/methods/<method>, "Scopes").
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    # "channels:manage, groups:write, im:write, mpim:write", by the kind of conversation: we
    # open a person's DM (im) and the group DM of a peer-review pair (mpim).
    "conversations.open": frozenset({"im:write", "mpim:write"}),
    # "channels:read, groups:read, im:read, mpim:read", by the kind of conversation: we read
    # the members of a cohort's channel, public or private.
    "conversations.members": frozenset({"channels:read", "groups:read"}),
    "users.info": frozenset({"users:read"}),
    "views.open": frozenset(),  # views.*, auth.test: "No scopes required"
    "views.publish": frozenset(),
    "views.update": frozenset(),
    "views.push": frozenset(),
    "auth.test": frozenset(),
    # https://docs.slack.dev/reference/methods/auth.teams.list: "No scope required"; an
    # org-wide install asks which workspaces it was granted
    "auth.teams.list": frozenset(),
    # Socket Mode's connection: an app-level token with connections:write, not a bot scope
    "apps.connections.open": frozenset(),
}

# The bot scopes each event subscription needs, from the event's reference page
# (https://docs.slack.dev/reference/events/<event>, "Required scopes").
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_mention": frozenset({"app_mentions:read"}),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    # "if your bot or app has the channels:read scope, it will receive events for public
    # channels. If it has groups:read, it will receive events for private channels."
    "member_joined_channel": frozenset({"channels:read", "groups:read"}),
    "member_left_channel": frozenset({"channels:read", "groups:read"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.im": frozenset({"im:history"}),
    "message.mpim": frozenset({"mpim:history"}),
}

# bolt's `app.event("message")` gets every message event the app subscribes to; ours reads
# DMs (channel_type im) and replies in the threads of public and private channels.
MESSAGE_SUBSCRIPTIONS = ("message.im", "message.channels", "message.groups")

# A slash command needs the `commands` scope (https://docs.slack.dev/reference/scopes/commands).
FEATURE_SCOPES = {"slash_commands": frozenset({"commands"})}


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def schema_for(found: dict[str, Any]) -> dict[str, Any]:
    """The published schema of the manifest's `_metadata.major_version`; 1 when it has none,
    as slackapi/manifest-schema's own manifest.schema.json chooses."""
    major = (found.get("_metadata") or {}).get("major_version", 1)
    loaded = json.loads((SCHEMAS / f"slack-app-manifest-{major}.0.0.schema.json")
                        .read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def schema_errors(found: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(schema_for(found))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(found)]


def adapter_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(ADAPTER.glob("*.py")))


def methods_called() -> set[str]:
    """Web API methods the adapter's code calls through slack_sdk (`client.chat_update(` is
    chat.update)."""
    source = adapter_source()
    names = set(re.findall(r"\.([a-z]+_[A-Za-z_]+)\(", source)) - {"api_call"}
    return {name.replace("_", ".") for name in names
            if callable(getattr(AsyncWebClient, name, None))} | set(
        re.findall(r'api_call\(\s*"([A-Za-z.]+)"', source))


def events_listened() -> set[str]:
    """The event types bolt listens to: `app.event("x")` and each alternative of an
    `app.event(re.compile("^(a|b)$"))`; the catch-all `.*` only acknowledges."""
    source = adapter_source()
    events = set(re.findall(r'@app\.event\("([a-z_.]+)"\)', source))
    for pattern in re.findall(r'@app\.event\(re\.compile\("([^"]+)"\)\)', source):
        if pattern == ".*":
            continue
        events |= {name for name in EVENT_SCOPES if re.search(pattern, name)}
    return events


def test_the_manifest_validates_against_slacks_published_schema() -> None:
    found = manifest()
    assert found["_metadata"]["major_version"] == 1
    assert schema_errors(found) == []


@pytest.mark.parametrize(("where", "value"), [
    (("settings", "event_subscriptions", "bot_events"), ["app_mention"] * 2),
    (("settings", "event_subscriptions", "request_url"), "leercoach.example.org"),
    (("features", "bot_user", "display_name"), 42),
    (("settings", "socket_mode"), True),
])
def test_the_schema_refuses_a_broken_manifest(where: tuple[str, ...], value: Any) -> None:
    broken = copy.deepcopy(manifest())
    node = broken
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    assert schema_errors(broken), f"the schema accepted {where} = {value!r}"


def test_every_event_bolt_listens_to_is_subscribed() -> None:
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    listened = events_listened()
    assert {"app_home_opened", "app_mention", "member_joined_channel", "member_left_channel",
            "message"} <= listened  # the scan finds the listeners at all
    wanted = (listened - {"message"}) | set(MESSAGE_SUBSCRIPTIONS)
    assert wanted - subscribed == set()
    # Slack tells an app it was removed, or its tokens revoked, only to a subscriber
    assert {"app_uninstalled", "tokens_revoked"} <= subscribed


def test_every_scope_is_used_and_every_use_has_its_scope() -> None:
    found = manifest()
    granted = set(found["oauth_config"]["scopes"]["bot"])
    called = methods_called()
    assert {"chat.postMessage", "chat.update", "views.publish", "users.info"} <= called
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {unknown}"
    subscribed = set(found["settings"]["event_subscriptions"]["bot_events"])
    assert subscribed <= set(EVENT_SCOPES), subscribed - set(EVENT_SCOPES)
    needed: dict[str, set[str]] = {}
    for method in called:
        for scope in METHOD_SCOPES[method]:
            needed.setdefault(scope, set()).add(method)
    for event in subscribed:
        for scope in EVENT_SCOPES[event]:
            needed.setdefault(scope, set()).add(f"event {event}")
    for feature, scopes in FEATURE_SCOPES.items():
        if found["features"].get(feature):
            for scope in scopes:
                needed.setdefault(scope, set()).add(f"feature {feature}")
    assert {s: sorted(u) for s, u in needed.items() if s not in granted} == {}
    assert granted - set(needed) == set(), "scopes that nothing uses"


def test_an_install_asks_for_the_manifests_scopes() -> None:
    assert sorted(DEFAULT_SCOPES) == sorted(manifest()["oauth_config"]["scopes"]["bot"])


def test_the_scan_sees_a_method_and_an_event_it_would_have_to_check() -> None:
    """The source scans above are what make the scope check mean something: they must find
    calls written the way the adapter writes them."""
    sample = ('await client.conversations_members(channel=c)\n'
              '@app.event(re.compile("^member_(joined|left)_channel$"))\n')
    names = set(re.findall(r"\.([a-z]+_[A-Za-z_]+)\(", sample))
    assert "conversations_members" in names
    assert [p for p in re.findall(r'@app\.event\(re\.compile\("([^"]+)"\)\)', sample)] == [
        "^member_(joined|left)_channel$"]
