"""The Slack mock answers slack_sdk the way Slack does, so adapter tests built on it mean
something: URLs, auth, body encodings, error surfacing and retry headers all go through the
real clients."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.rigs.slack_mock import MockSlackApi, Workspace

T = TypeVar("T")

BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Hoi!* Wat heb je vandaag geleerd?"}},
    {"type": "actions", "elements": [
        {"type": "button", "action_id": "diary.start",
         "text": {"type": "plain_text", "text": "Start"}},
    ]},
]


def with_client(
    scenario: Callable[[MockSlackApi, AsyncWebClient], Awaitable[T]],
    *,
    token: str = "xoxb-test",
    api: MockSlackApi | None = None,
) -> T:
    """Run one async scenario against a fresh mock and a default-configured client."""

    async def main() -> T:
        async with api or MockSlackApi() as mock:
            client = AsyncWebClient(token=token, base_url=mock.base_url)
            return await scenario(mock, client)

    return asyncio.run(main())


def test_start_returns_a_loopback_api_base_url() -> None:
    async def main() -> None:
        api = MockSlackApi()
        base_url = await api.start()
        try:
            assert base_url.startswith("http://127.0.0.1:")
            assert base_url.endswith("/api/")
            assert api.base_url == base_url
        finally:
            await api.stop()
        with pytest.raises(RuntimeError):
            _ = api.base_url

    asyncio.run(main())


def test_post_message_with_blocks_round_trips_and_is_recorded_decoded() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        first = await client.chat_postMessage(channel="D123", text="Hoi", blocks=BLOCKS)
        second = await client.chat_postMessage(channel="D123", text="Nog een")
        assert first["ok"] is True
        assert first["channel"] == "D123"
        assert first["ts"] == "1700000000.000100"
        assert float(second["ts"]) > float(first["ts"])
        assert first["message"]["text"] == "Hoi"
        assert first["message"]["blocks"] == BLOCKS

        (call, _) = api.calls_to("chat.postMessage")
        assert call.token == "xoxb-test"
        assert call.http_verb == "POST"
        assert call.params["blocks"] == BLOCKS
        assert call.response["ts"] == first["ts"]

    with_client(scenario)


def test_blocks_sent_as_json_text_in_a_form_body_are_decoded() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        await client.api_call("chat.postMessage", data={
            "channel": "C1", "text": "hi", "blocks": json.dumps(BLOCKS),
        })
        await client.api_call("views.open", data={
            "trigger_id": "1.2.3", "view": json.dumps({
                "type": "modal", "title": {"type": "plain_text", "text": "Dagboek"},
                "blocks": BLOCKS}),
        })
        assert api.calls_to("chat.postMessage")[0].params["blocks"] == BLOCKS
        assert api.calls_to("views.open")[0].params["view"]["blocks"] == BLOCKS

    with_client(scenario)


def test_posting_to_a_user_id_answers_with_the_dm_channel() -> None:
    async def scenario(_api: MockSlackApi, client: AsyncWebClient) -> None:
        opened = await client.conversations_open(users="U42")
        posted = await client.chat_postMessage(channel="U42", text="Hoi")
        assert posted["channel"] == opened["channel"]["id"] == "DU42"

    with_client(scenario)


def test_conversations_open_gives_a_stable_dm_id_and_an_mpim_for_several_users() -> None:
    async def scenario(_api: MockSlackApi, client: AsyncWebClient) -> None:
        dm = await client.conversations_open(users="U42")
        again = await client.conversations_open(users=["U42"])
        group = await client.conversations_open(users=["U1", "U2"])
        same_group = await client.conversations_open(users="U2,U1")
        assert dm["channel"]["id"].startswith("D")
        assert dm["channel"]["id"] == again["channel"]["id"]
        assert dm["channel"]["is_im"] is True
        assert dm["channel"]["user"] == "U42"
        assert group["channel"]["id"].startswith("G")
        assert group["channel"]["id"] == same_group["channel"]["id"]
        assert group["channel"]["is_mpim"] is True

    with_client(scenario)


def test_users_info_gives_tz_and_locale_only_when_asked() -> None:
    api = MockSlackApi()
    api.users["U42"] = {"real_name": "Anne de Vries", "profile": {"display_name": "anne"}}
    api.users["U43"] = {"tz": "Europe/London", "locale": "en-GB"}

    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        anne = (await client.users_info(user="U42", include_locale=True))["user"]
        assert anne["id"] == "U42"
        assert anne["tz"] == "Europe/Amsterdam"
        assert anne["locale"] == "nl-NL"
        assert anne["real_name"] == anne["profile"]["real_name"] == "Anne de Vries"
        assert anne["profile"]["display_name"] == "anne"
        assert "locale" not in (await client.users_info(user="U42"))["user"]

        other = (await client.users_info(user="U43", include_locale=True))["user"]
        assert (other["tz"], other["locale"]) == ("Europe/London", "en-GB")

        with pytest.raises(SlackApiError) as missing:
            await client.users_info(user="U404")
        assert missing.value.response["error"] == "user_not_found"
        assert api.calls_to("users.info")[0].params["include_locale"] == "1"

    with_client(scenario, api=api)


def test_injected_429_surfaces_with_retry_after_under_default_retry_handlers() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        api.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=3)
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="D1", text="Hoi")
        response = raised.value.response
        assert response.status_code == 429
        assert response["error"] == "ratelimited"
        # aiohttp's headers are case-insensitive; both spellings work.
        assert response.headers["Retry-After"] == "3"
        assert response.headers["retry-after"] == "3"
        # Exactly one attempt: nothing retried, and the next call goes through.
        assert len(api.calls_to("chat.postMessage")) == 1
        assert (await client.chat_postMessage(channel="D1", text="Hoi"))["ok"] is True

    with_client(scenario)


def test_a_client_with_the_rate_limit_retry_handler_retries_through_a_429() -> None:
    async def main() -> None:
        async with MockSlackApi() as api:
            client = AsyncWebClient(token="xoxb-test", base_url=api.base_url,
                                    retry_handlers=[AsyncRateLimitErrorRetryHandler()])
            api.fail_next("chat.postMessage", retry_after=0)
            assert (await client.chat_postMessage(channel="D1", text="Hoi"))["ok"] is True
            assert [call.status for call in api.calls_to("chat.postMessage")] == [429, 200]

    asyncio.run(main())


def test_injected_error_is_an_ok_false_200_and_failures_queue_with_a_count() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        api.fail_next("chat.postMessage", error="account_inactive", count=2)
        api.fail_next("chat.postMessage", error="channel_not_found")
        errors = []
        for _ in range(3):
            with pytest.raises(SlackApiError) as raised:
                await client.chat_postMessage(channel="D1", text="Hoi")
            assert raised.value.response.status_code == 200
            errors.append(raised.value.response["error"])
        assert errors == ["account_inactive", "account_inactive", "channel_not_found"]
        assert api.pending_failures("chat.postMessage") == 0
        # Failures are per method: other methods are unaffected.
        assert (await client.auth_test())["ok"] is True

    with_client(scenario)


def test_tokens_are_checked() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="D1", text="Hoi")
        assert raised.value.response["error"] == "invalid_auth"
        assert api.calls[0].token == "xoxp-not-a-bot"
        with pytest.raises(SlackApiError) as unauthed:
            await AsyncWebClient(base_url=api.base_url).auth_test()
        assert unauthed.value.response["error"] == "not_authed"

    with_client(scenario, token="xoxp-not-a-bot")

    restricted = MockSlackApi(valid_tokens={"xoxb-good"})

    async def only_listed(_api: MockSlackApi, client: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as raised:
            await client.auth_test()
        assert raised.value.response["error"] == "invalid_auth"

    with_client(only_listed, token="xoxb-other", api=restricted)


def test_unknown_methods_are_refused() -> None:
    async def scenario(_api: MockSlackApi, client: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as raised:
            await client.api_call("nope.nothing")
        assert raised.value.response["error"] == "unknown_method"

    with_client(scenario)


def test_identity_methods_answer_from_the_workspace() -> None:
    workspace = Workspace(team_id="T9", bot_user_id="U9BOT", bot_id="B9", app_id="A9")

    async def scenario(_api: MockSlackApi, client: AsyncWebClient) -> None:
        auth = await client.auth_test()
        assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == ("T9", "U9BOT", "B9")
        assert auth["bot_user_id"] == "U9BOT"
        assert (await client.team_info())["team"]["id"] == "T9"
        assert (await client.bots_info(bot="B9"))["bot"]["user_id"] == "U9BOT"
        bot_user = (await client.users_info(user="U9BOT"))["user"]
        assert bot_user["is_bot"] is True

    with_client(scenario, api=MockSlackApi(workspace=workspace))


def test_update_and_ephemeral_answer_like_slack() -> None:
    async def scenario(_api: MockSlackApi, client: AsyncWebClient) -> None:
        posted = await client.chat_postMessage(channel="D1", text="Hoi")
        updated = await client.chat_update(channel="D1", ts=posted["ts"], text="Dag",
                                           blocks=BLOCKS)
        assert (updated["channel"], updated["ts"]) == ("D1", posted["ts"])
        assert updated["message"]["blocks"] == BLOCKS
        ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
        assert float(ephemeral["message_ts"]) > float(posted["ts"])

    with_client(scenario)


def test_views_get_ids_and_echo_the_posted_view() -> None:
    modal = {"type": "modal", "callback_id": "diary", "title": {"type": "plain_text", "text": "x"},
             "blocks": BLOCKS}
    home = {"type": "home", "blocks": BLOCKS}

    async def scenario(_api: MockSlackApi, client: AsyncWebClient) -> None:
        opened = (await client.views_open(trigger_id="1.2.3", view=modal))["view"]
        assert opened["id"].startswith("V")
        assert (opened["callback_id"], opened["blocks"]) == ("diary", BLOCKS)
        updated = (await client.views_update(view_id=opened["id"], view=modal))["view"]
        assert updated["id"] == opened["id"]
        first = (await client.views_publish(user_id="U1", view=home))["view"]
        second = (await client.views_publish(user_id="U1", view=home))["view"]
        assert first["id"] == second["id"] != opened["id"]
        assert first["type"] == "home"

    with_client(scenario)


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
def test_oauth_v2_access_installs_a_token_that_then_authenticates() -> None:
    api = MockSlackApi()
    api.oauth_workspace = Workspace(team_id="T2", team_name="Other", enterprise_id="E2",
                                    enterprise_name="Grid", bot_user_id="U2BOT", bot_id="B2")
    api.client_id, api.client_secret = "cid", "secret"

    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as raised:
            await client.oauth_v2_access(client_id="cid", client_secret="wrong", code="c")
        assert raised.value.response["error"] == "bad_client_secret"
        install = await client.oauth_v2_access(client_id="cid", client_secret="secret", code="c")
        assert install["access_token"].startswith("xoxb-")
        assert install["team"] == {"id": "T2", "name": "Other"}
        assert install["enterprise"] == {"id": "E2", "name": "Grid"}
        assert (install["bot_user_id"], install["token_type"]) == ("U2BOT", "bot")
        assert install["authed_user"]["id"]
        assert install["scope"]
        installed = AsyncWebClient(token=install["access_token"], base_url=api.base_url)
        assert (await installed.auth_test())["bot_id"] == "B2"

    with_client(scenario, token="", api=api)


def test_wait_for_and_latency() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        api.latency = 0.05
        task = asyncio.create_task(client.chat_postMessage(channel="D1", text="Hoi"))
        calls = await api.wait_for("chat.postMessage", 1, timeout=2)
        assert calls[0].ok
        await task
        with pytest.raises(TimeoutError):
            await api.wait_for("chat.postMessage", 2, timeout=0.1)

    with_client(scenario)


def test_running_in_a_background_thread_serves_the_sync_web_client() -> None:
    with MockSlackApi.running() as api:
        client = WebClient(token="xoxb-test", base_url=api.base_url)
        assert client.auth_test()["ok"] is True
        posted = client.chat_postMessage(channel="D1", text="Hoi", blocks=BLOCKS)
        assert posted["message"]["blocks"] == BLOCKS
        # The sync client sends params as a form body and ints/bools as text.
        api.users["U1"] = {}
        assert client.users_info(user="U1", include_locale=True)["user"]["locale"] == "nl-NL"

        api.fail_next("chat.postMessage", status=429, retry_after=3)
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="D1", text="Hoi")
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "3"

        api.fail_next("chat.postMessage", error="account_inactive")
        with pytest.raises(SlackApiError) as inactive:
            client.chat_postMessage(channel="D1", text="Hoi")
        assert inactive.value.response["error"] == "account_inactive"

        poster = threading.Thread(
            target=lambda: WebClient(token="xoxb-test", base_url=api.base_url)
            .chat_postMessage(channel="D2", text="uit een thread"))
        poster.start()
        calls = api.wait_for_sync("chat.postMessage", 4, timeout=5)
        poster.join()
        assert calls[-1].params["channel"] == "D2"


# -- Slack's Block Kit contract, checked on every call -------------------------------------


def _repeated_action_ids() -> list[dict[str, Any]]:
    return [{"type": "actions", "block_id": "q1", "elements": [
        {"type": "button", "action_id": "choice", "text": {"type": "plain_text", "text": t},
         "value": t} for t in ("Ja", "Nee")]}]


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.update", "chat.postEphemeral"])
def test_a_message_slack_would_refuse_is_answered_invalid_blocks_and_recorded(
        method: str) -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as raised:
            await client.api_call(method, json={"channel": "D1", "ts": "1.2", "user": "U1",
                                                "text": "Hoi", "blocks": _repeated_action_ids()})
        answer = raised.value.response
        assert answer["error"] == "invalid_blocks"
        assert answer["errors"] == [
            answer["response_metadata"]["messages"][0].removeprefix("[ERROR] ")]
        assert answer["errors"][0].endswith("[json-pointer:/blocks/0/elements/1/action_id]")
        [found] = api.take_violations()
        assert (found.method, found.violation.rule) == (method, "action_id.unique")
        assert api.violations == []  # taken: this test broke the contract on purpose

    with_client(scenario)


def test_a_view_slack_would_refuse_is_answered_invalid_arguments() -> None:
    long_title = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25},
                  "blocks": BLOCKS}

    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        with pytest.raises(SlackApiError) as raised:
            await client.views_open(trigger_id="1.2.3", view=long_title)
        assert raised.value.response["error"] == "invalid_arguments"
        assert raised.value.response["response_metadata"]["messages"] == [
            "[ERROR] has 25 characters; at most 24 are allowed [json-pointer:/view/title/text]"]
        with pytest.raises(SlackApiError):
            await client.views_publish(user_id="U1", view={
                "type": "home", "blocks": [BLOCKS[0]] * 101})
        assert [v.violation.rule for v in api.take_violations()] == [
            "modal.title.max_length", "home.blocks.max_items"]
        assert not api.calls_to("views.open")[0].ok

    with_client(scenario)


def test_a_missing_text_fallback_is_recorded_but_answered_ok_like_slack() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        posted = await client.api_call("chat.postMessage", json={"channel": "D1",
                                                                 "blocks": BLOCKS})
        assert posted["ok"] is True
        [found] = api.take_violations()
        assert (found.violation.rule, found.violation.rejected) == ("message.text.fallback",
                                                                    False)

    with_client(scenario)


def test_conforming_calls_leave_no_violations() -> None:
    async def scenario(api: MockSlackApi, client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel="D1", text="Hoi", blocks=BLOCKS)
        await client.views_publish(user_id="U1", view={"type": "home", "blocks": BLOCKS})
        assert api.violations == []

    with_client(scenario)


def test_every_mock_created_is_reported_to_its_watchers() -> None:
    from tests.rigs import slack_mock

    seen: list[MockSlackApi] = []
    stop = slack_mock.watch(seen.append)
    try:
        api = MockSlackApi()
    finally:
        stop()
    MockSlackApi()
    assert seen == [api]


pytest_plugins = ("pytester",)

_BROKEN_CALL = '''
import asyncio

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.rigs.slack_mock import MockSlackApi

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]


def post(take: bool = False) -> None:
    async def main() -> None:
        async with MockSlackApi() as api:
            client = AsyncWebClient(token="xoxb-test", base_url=api.base_url)
            try:
                await client.chat_postMessage(channel="D1", text="Hoi", blocks=BLOCKS)
            except SlackApiError:
                pass  # a product that logs and goes on: only the mock's record shows it
            if take:
                api.take_violations()

    asyncio.run(main())


def test_unnoticed() -> None:
    post()


@pytest.mark.slack_contract_violations
def test_marked() -> None:
    post()


def test_taken() -> None:
    post(take=True)
'''


@pytest.mark.slack_contract_violations  # the inner run's mocks are seen here too
def test_a_test_whose_calls_broke_the_contract_fails_unless_it_expected_that(
        pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    pytester.makepyfile(test_contract=_BROKEN_CALL)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines([
        "*test_unnoticed*",
        "*chat.postMessage: section.text.max_length at /blocks/0/text/text*"])
