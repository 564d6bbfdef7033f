"""Fuzzing the way in: Coach.handle with any event, and every HTTP endpoint with any body.

Hypothesis makes the events and requests, mixing arbitrary text (lone surrogates, control
characters and all) with the things that broke before: NUL, RTL overrides, zero-width
joiners, template syntax, mentions, SQL, dates like "31 februari", time zones like
"Mars/Olympus". Whatever comes in, the engine answers without a crash (nothing logged as an
error, no apology for a failure), an endpoint answers below 500, the server keeps serving,
and the witness (a known person nobody fuzzes) exports exactly as before.

Bounded: a fixed number of examples per test, no deadline per example, no example
database, so the file takes well under a minute and never depends on an earlier run.
"""

from __future__ import annotations

import json
import string
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.core.messages import Address, InboundEvent
from bot.runtime import Runtime, open_runtime
from tests.bad_input.test_corpus import (
    FAILURE,
    LEAKS,
    SLACK_SECRET,
    SLACK_TEAM,
    SLACK_USERS,
    TEAMS_TENANT,
    Background,
    Errors,
    Witness,
    message_texts,
    new_database,
    slack_signature,
    web_login,
)

BOUNDED = settings(deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_ENGINE = settings(BOUNDED, max_examples=200)  # a turn takes milliseconds
FUZZ = settings(BOUNDED, max_examples=80)  # a request over loopback, and its turn

NASTY = [
    "\0", "\x1b[31m", "\x7f", "\ud800", "\udfff", "\u202e", "\u2066", "\u200d", "\u200b",
    "\ufeff", "\ufffe", "😀", "👩\u200d💻", "a\u0301", "\u2028", "{{ 7*7 }}", "{%", "%}",
    "}}", "{0}", "%s", "<!channel>", "<@U123>", "@here", "<at>iedereen</at>", "*", "_",
    "```", "<script>", "&lt;", "'; DROP TABLE people; --", "\" OR 1=1 --", "31 februari",
    "29 februari 2027", "25:99", "Mars/Olympus", "../../etc/passwd", "9" * 30, "-1", "1e309",
    "dagboek", "stop", "hulp", "instellingen", "pauze tot", "vakantie", "later", "overslaan",
    "ja", "nee", "1", "5", "nl", "en", "mon", "timezone", "diary_time", "d1.value",
]
# Arbitrary text, surrogates included, with the nasty pieces mixed in.
ANY_CHARACTER = st.characters(exclude_categories=())
TEXT = st.lists(st.one_of(st.text(ANY_CHARACTER, max_size=12), st.sampled_from(NASTY)),
                max_size=6).map("".join)
SHORT = st.one_of(st.sampled_from(NASTY), st.text(ANY_CHARACTER, max_size=8))


def no_leak(texts: list[str], sent: str) -> None:
    joined = "\n".join(texts)
    for failure in FAILURE:
        assert failure not in joined, joined[:300]
    for leak in LEAKS:
        if leak not in sent:
            assert leak not in joined, (leak, joined[:300])


@pytest.fixture(scope="module")
def errors() -> Iterator[Errors]:
    import logging

    handler = Errors()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


# -- the engine ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime,
                                                                              Witness]]:
    runtime = open_runtime(Settings(database_url=new_database(
        tmp_path_factory.mktemp("fuzz-engine"))))
    witness = Witness(runtime, Address("test", "acme", "witness", "dm-witness")).seed()
    try:
        yield runtime, witness
    finally:
        runtime.close()


EVENTS = st.fixed_dictionaries(
    {"user": st.sampled_from(["f1", "f2", "f3", "f4"])},
    optional={
        "text": TEXT, "value": SHORT, "values": st.lists(SHORT, max_size=4).map(tuple),
        "form": st.dictionaries(SHORT, TEXT, max_size=4), "command": SHORT,
        "reply_to": SHORT, "display_name": TEXT, "locale": SHORT, "timezone": SHORT,
    },
)


@FUZZ_ENGINE
@given(fields=EVENTS)
def test_the_engine_answers_any_event(engine_runtime: tuple[Runtime, Witness],
                                      errors: Errors, fields: dict[str, Any]) -> None:
    runtime, _ = engine_runtime
    user = fields.pop("user")
    errors.take()
    event = InboundEvent(address=Address("test", "acme", user, f"dm-{user}"), **fields)
    replies = runtime.engine.handle(event)
    assert not errors.take()
    assert replies, fields
    texts = message_texts([o.message for o in replies])
    assert texts, replies
    no_leak(texts, json.dumps(fields, ensure_ascii=False))


@FUZZ_ENGINE
@given(steps=st.lists(st.one_of(TEXT, st.sampled_from(["dagboek", "instellingen", "pauze",
                                                       "contract", "stop", "3", "later"])),
                      min_size=1, max_size=8))
def test_a_conversation_of_nonsense_stays_readable(engine_runtime: tuple[Runtime, Witness],
                                                   errors: Errors, steps: list[str]) -> None:
    """A person who answers every question with nonsense: every turn is answered, and what
    is stored about them can still be read and exported."""
    from bot.privacy.export import export_person, find_person

    runtime, witness = engine_runtime
    user = f"talker-{uuid.uuid4().hex[:8]}"
    address = Address("test", "acme", user, f"dm-{user}")
    errors.take()
    for text in steps:
        replies = runtime.engine.handle(InboundEvent(address=address, text=text))
        assert replies
        no_leak(message_texts([o.message for o in replies]), text)
    assert not errors.take()
    with runtime.sessions() as session:
        json.dumps(export_person(session, find_person(session, user, "test", "acme")))
    witness.assert_intact("after a conversation of nonsense")


# -- the HTTP endpoints -------------------------------------------------------------------


@dataclass(repr=False)
class Served:
    runtime: Runtime
    witness: Witness
    server: Background
    service_url: str
    cookie: str
    csrf: str

    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example
        return "served"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, errors: Errors) -> Iterator[Served]:
    """Slack, Teams and the web pages on one server, as `leercoach serve` mounts them."""
    from dataclasses import replace

    from adapters.http_server import create_app
    from adapters.slack.app import build_slack
    from adapters.slack.config import SlackConfig
    from adapters.teams.app import build_teams
    from adapters.teams.config import TeamsConfig
    from adapters.web.app import WebAdapter
    from tests.rigs.slack_mock import MockSlackApi
    from tests.rigs.teams_connector import FakeConnector

    runtime = open_runtime(Settings(database_url=new_database(
        tmp_path_factory.mktemp("fuzz-http"))))
    witness = Witness(runtime, Address("slack", SLACK_TEAM, "UWITNESS", "DUWITNESS")).seed()
    server = Background()
    api = MockSlackApi(users=SLACK_USERS)
    base = server.run(api.start())
    connector = FakeConnector()
    service_url = server.run(connector.start())
    slack_config = SlackConfig(signing_secret=SLACK_SECRET, bot_token="xoxb-test-token",
                               api_url=base)

    async def build() -> Any:
        return create_app(runtime, None, [build_slack(runtime, replace(slack_config)),
                                          build_teams(runtime, TeamsConfig()),
                                          WebAdapter(runtime)])

    server.serve(server.run(build()))
    cookie, csrf = web_login(server, runtime, None)
    created = server.request("POST", "/chat/person", json.dumps({"name": "Fuzz"}).encode(),
                             {"Cookie": cookie, "X-CSRF-Token": csrf,
                              "Content-Type": "application/json"})
    assert created.status == 200, created
    errors.take()
    try:
        yield Served(runtime, witness, server, service_url, cookie, csrf)
    finally:
        server.close()
        runtime.close()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SHORT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(SHORT, children, max_size=4),
    max_leaves=12,
)
IDS = st.one_of(st.sampled_from(["U1", "UMARS", "URTL", "UWITNESS", "U\ud800", "", "T\0"]),
                SHORT, JSON)


def after_request(served: Served, errors: Errors, status: int, what: Any) -> None:
    assert status < 500, (status, what)
    served.server.settle()
    assert not errors.take(), what


SLACK_EVENTS = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(["message", "app_mention", "app_home_opened",
                                        "member_joined_channel", "member_left_channel",
                                        "reaction_added"]), SHORT)},
    optional={"user": IDS, "channel": IDS, "text": TEXT, "ts": st.one_of(SHORT, JSON),
              "thread_ts": SHORT, "channel_type": st.sampled_from(["im", "channel", "x"]),
              "subtype": st.one_of(st.none(), SHORT), "tab": SHORT, "bot_id": JSON,
              "team": IDS, "client_msg_id": SHORT},
)
SLACK_BODIES = st.one_of(
    st.fixed_dictionaries({"type": st.just("event_callback"), "team_id": IDS,
                           "event_id": SHORT, "event": st.one_of(SLACK_EVENTS, JSON)},
                          optional={"authorizations": JSON, "enterprise": JSON}),
    st.fixed_dictionaries({"type": st.sampled_from(["block_actions", "view_submission",
                                                    "shortcut", "url_verification"])},
                          optional={"user": st.one_of(st.fixed_dictionaries({"id": IDS}),
                                                      JSON),
                                    "actions": st.one_of(st.lists(st.dictionaries(
                                        st.sampled_from(["action_id", "block_id", "value",
                                                         "selected_option", "text",
                                                         "action_ts"]), JSON, max_size=5),
                                        max_size=2), JSON),
                                    "view": JSON, "state": JSON, "channel": JSON,
                                    "container": JSON, "message": JSON, "team": JSON,
                                    "trigger_id": SHORT, "challenge": JSON}),
    JSON,
)


@FUZZ
@given(payload=SLACK_BODIES, form=st.booleans(), command=st.booleans(), text=TEXT)
def test_slack_endpoint_never_fails(served: Served, errors: Errors, payload: Any,
                                    form: bool, command: bool, text: str) -> None:
    if command:
        raw = "&".join(f"{k}={v}" for k, v in {
            "command": "%2Fleercoach", "team_id": SLACK_TEAM, "user_id": "U1",
            "channel_id": "DU1", "trigger_id": uuid.uuid4().hex,
            "text": json.dumps(text)[1:-1]}.items()).encode("utf-8", "surrogatepass")
        kind = "application/x-www-form-urlencoded"
    elif form:
        from urllib.parse import urlencode

        raw = urlencode({"payload": json.dumps(payload)}).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        raw, kind = json.dumps(payload).encode(), "application/json"
    stamp = str(int(time.time()))  # Slack signs with the real time; its window is checked on it
    answer = served.server.request("POST", "/slack/events", raw, {
        "Content-Type": kind, "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(raw, stamp)})
    after_request(served, errors, answer.status, payload)


TEAMS_ACTIVITIES = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(["message", "invoke", "conversationUpdate",
                                        "installationUpdate", "typing", "event"]), SHORT)},
    optional={
        "id": SHORT, "text": st.one_of(TEXT, JSON), "value": JSON, "name": st.one_of(
            st.just("adaptiveCard/action"), SHORT),
        "from": st.one_of(st.fixed_dictionaries({"id": IDS}, optional={"name": TEXT}), JSON),
        "conversation": st.one_of(st.fixed_dictionaries(
            {"id": IDS}, optional={"conversationType": st.sampled_from(
                ["personal", "channel", "groupChat", "x"]), "tenantId": IDS}), JSON),
        "channelData": JSON, "entities": JSON, "membersAdded": JSON,
        "membersRemoved": JSON, "timestamp": st.one_of(SHORT, JSON), "locale": JSON,
        "replyToId": SHORT, "action": JSON, "recipient": JSON,
    },
)


@FUZZ
@given(activity=TEAMS_ACTIVITIES)
def test_teams_endpoint_never_fails(served: Served, errors: Errors,
                                    activity: dict[str, Any]) -> None:
    activity = {**activity, "serviceUrl": served.service_url, "channelId": "msteams"}
    if isinstance(activity.get("conversation"), dict):
        activity["conversation"].setdefault("tenantId", TEAMS_TENANT)
    answer = served.server.request("POST", "/api/messages", json.dumps(activity).encode(),
                                   {"Content-Type": "application/json"})
    after_request(served, errors, answer.status, activity)


WEB_BODIES = st.one_of(
    st.dictionaries(st.sampled_from(["text", "value", "values", "form", "reply_to"]),
                    st.one_of(TEXT, JSON), max_size=3),
    JSON,
)


@FUZZ
@given(body=WEB_BODIES, path=st.sampled_from(["/chat/send", "/chat/person", "/chat/choose"]))
def test_web_chat_never_fails(served: Served, errors: Errors, body: Any, path: str) -> None:
    answer = served.server.request("POST", path, json.dumps(body).encode(), {
        "Cookie": served.cookie, "X-CSRF-Token": served.csrf,
        "Content-Type": "application/json", "Accept": "application/json"})
    after_request(served, errors, answer.status, body)
    if path == "/chat/send" and answer.status == 200:
        texts = [str(m.get("text") or m.get("title") or "") for m in answer.json()["messages"]]
        no_leak(texts, json.dumps(body, ensure_ascii=False))


QUERY = st.text(string.printable + "\u0663\u00ff", max_size=12)


@FUZZ
@given(raw=st.binary(max_size=2000),
       path=st.sampled_from(["/slack/events", "/api/messages", "/chat/send", "/login",
                             "/logout", "/chat/person"]),
       kind=st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                             "text/plain", "multipart/form-data; boundary=x", ""]))
def test_any_bytes_to_any_endpoint(served: Served, errors: Errors, raw: bytes, path: str,
                                   kind: str) -> None:
    headers = {"Cookie": served.cookie, "X-CSRF-Token": served.csrf}
    if kind:
        headers["Content-Type"] = kind
    if path == "/slack/events":
        stamp = str(int(time.time()))  # Slack signs with the real time (see above)
        headers |= {"X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": slack_signature(raw, stamp)}
    answer = served.server.request("POST", path, raw, headers)
    after_request(served, errors, answer.status, raw)


@FUZZ
@given(team=QUERY, organisation=QUERY, table=st.sampled_from(["", "/diary_response.csv",
                                                              "/goals.csv", "/x.csv"]),
       after=QUERY)
def test_dashboard_and_inbox_queries(served: Served, errors: Errors, team: str,
                                     organisation: str, table: str, after: str) -> None:
    from urllib.parse import quote

    headers = {"Cookie": served.cookie, "X-CSRF-Token": served.csrf,
               "Accept": "application/json"}
    for path in (f"/dashboard{table}?team={quote(team)}&organisation={quote(organisation)}",
                 f"/chat/messages?after={quote(after)}"):
        answer = served.server.request("GET", path, b"", headers)
        after_request(served, errors, answer.status, path)


def test_after_the_fuzzing_everything_is_intact(served: Served) -> None:
    served.witness.assert_intact("after the fuzzing")
    served.server.healthz()
