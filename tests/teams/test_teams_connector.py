"""The fake Bot Framework Connector answers botframework's own client the way the service does,
so Teams adapter tests built on it mean something: URLs, id quoting, auth, bodies and error
surfacing all go through botframework-connector's real ConnectorClient, built the way
CloudAdapter builds it when no app id is configured."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector import ConnectorClient as SyncConnectorClient
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConstants,
    ClaimsIdentity,
    MicrosoftAppCredentials,
)
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import HttpOperationError

from tests.rigs.teams_connector import FakeConnector, teams_member

T = TypeVar("T")

PERSONAL = "a:1AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789;messageid=123"
CHANNEL = "19:abc123def456@thread.tacv2"
BOT = ChannelAccount(id="28:leercoach-bot", name="Leercoach")
USER = ChannelAccount(id="29:1user-ann", name="Ann Example", aad_object_id="aad-ann")


def no_app_id_config() -> SimpleNamespace:
    """A bot configuration without APP_ID/APP_PASSWORD: botbuilder then disables auth."""
    return SimpleNamespace(APP_TYPE="MultiTenant")


async def unauthenticated_client(service_url: str) -> ConnectorClient:
    """The connector client CloudAdapter would use for `service_url` without an app id.

    ConfigurationBotFrameworkAuthentication -> ConfigurationServiceClientCredentialFactory ->
    PasswordServiceClientCredentialFactory(app_id=None) -> MicrosoftAppCredentials.empty(),
    wrapped by _ConnectorFactoryImpl into botframework.connector.aio.ConnectorClient.
    """
    auth = ConfigurationBotFrameworkAuthentication(no_app_id_config())
    factory = auth.create_connector_factory(ClaimsIdentity({}, True))
    client: ConnectorClient = await factory.create(
        service_url, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    )
    return client


def with_client(
    scenario: Callable[[FakeConnector, ConnectorClient], Awaitable[T]],
    *,
    connector: FakeConnector | None = None,
) -> T:
    """Run one async scenario against a fresh fake and an unauthenticated client."""

    async def main() -> T:
        async with connector or FakeConnector() as fake:
            client = await unauthenticated_client(fake.service_url)
            async with client:
                return await scenario(fake, client)

    return asyncio.run(main())


def error_code(exc: ErrorResponseException) -> str:
    """The Bot Framework error code msrest deserialized from the body (`exc.error.error`)."""
    assert exc.error is not None
    code: str = exc.error.error.code
    return code


def message(text: str, **kwargs: Any) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, from_property=BOT, **kwargs)


def test_start_returns_a_loopback_service_url_with_trailing_slash() -> None:
    async def main() -> None:
        fake = FakeConnector()
        service_url = await fake.start()
        try:
            assert service_url.startswith("http://127.0.0.1:")
            assert service_url.endswith("/")
            assert fake.service_url == service_url
            assert await fake.start() == service_url
        finally:
            await fake.stop()
            await fake.stop()
        with pytest.raises(RuntimeError):
            _ = fake.service_url

    asyncio.run(main())


def test_no_app_id_client_uses_empty_credentials_and_sends_no_authorization() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        credentials = client.config.credentials
        assert isinstance(credentials, MicrosoftAppCredentials)
        assert credentials.microsoft_app_id == ""
        await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        (call,) = fake.requests
        assert call.authorization is None
        assert call.header("content-type") == "application/json; charset=utf-8"

    with_client(scenario)


def test_send_to_conversation_is_recorded_with_decoded_teams_ids() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        first = await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        second = await client.conversations.send_to_conversation(CHANNEL, message("Allemaal"))
        assert first.id and second.id and first.id != second.id

        (call, _) = fake.requests
        assert call.method == "POST"
        assert call.kind == "send"
        assert call.status == 201
        assert call.response == {"id": first.id}
        assert call.conversation_id == PERSONAL
        assert call.activity_id is None
        # msrest quotes path parameters with safe="": ':' ';' '=' arrive encoded.
        assert call.path.startswith("/v3/conversations/a%3A1AbC")
        assert call.path.endswith("%3Bmessageid%3D123/activities")
        assert call.body["type"] == "message"
        assert call.body["text"] == "Hoi"
        assert call.body["from"] == {"id": BOT.id, "name": BOT.name}

        assert [a["text"] for a in fake.activities()] == ["Hoi", "Allemaal"]
        assert [a["text"] for a in fake.activities(CHANNEL)] == ["Allemaal"]
        assert fake.calls("send")[1].conversation_id == CHANNEL

    with_client(scenario)


def test_reply_to_activity_posts_to_the_activity_path() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        answer = await client.conversations.reply_to_activity(
            CHANNEL, "1700000000123", message("Antwoord", reply_to_id="1700000000123")
        )
        assert answer.id

        (call,) = fake.calls("reply")
        assert call.kind == "reply"
        assert call.method == "POST"
        assert call.status == 201
        assert call.conversation_id == CHANNEL
        assert call.activity_id == "1700000000123"
        assert call.header("x-ms-conversation-id") == CHANNEL
        assert call.body["replyToId"] == "1700000000123"
        # A reply is a delivered message too: "send" selects it.
        assert fake.activities(CHANNEL) == [call.body]
        assert await fake.wait_for(1, timeout=1.0) == [call]

    with_client(scenario)


def test_update_and_delete_activity() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        sent = await client.conversations.send_to_conversation(PERSONAL, message("Kies"))
        updated = await client.conversations.update_activity(
            PERSONAL, sent.id, message("Gekozen: 3", id=sent.id)
        )
        assert updated.id == sent.id
        assert await client.conversations.delete_activity(PERSONAL, sent.id) is None

        (update,) = fake.updates()
        assert update.method == "PUT"
        assert update.status == 200
        assert update.conversation_id == PERSONAL
        assert update.activity_id == sent.id
        assert update.body["text"] == "Gekozen: 3"
        assert fake.updates(CHANNEL) == []
        (delete,) = fake.calls("delete")
        assert (delete.method, delete.status, delete.activity_id) == ("DELETE", 200, sent.id)
        assert await fake.wait_for(1, timeout=1.0, kind="update") == [update]

    with_client(scenario)


def test_create_conversation_for_a_personal_chat_and_a_channel_post() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        personal = ConversationParameters(
            is_group=False, bot=BOT, members=[USER], tenant_id="tenant-1"
        )
        first = await client.conversations.create_conversation(personal)
        again = await client.conversations.create_conversation(personal)
        assert first.id.startswith("a:")
        assert again.id == first.id  # Teams keeps one 1:1 chat per user and bot
        assert first.service_url == fake.service_url
        assert first.activity_id is None

        channel_post = ConversationParameters(
            is_group=True,
            bot=BOT,
            channel_data={"channel": {"id": CHANNEL}},
            activity=message("Nieuwe ronde!"),
        )
        post = await client.conversations.create_conversation(channel_post)
        assert post.activity_id
        assert post.id == f"{CHANNEL};messageid={post.activity_id}"

        calls = fake.calls("create")
        assert [call.status for call in calls] == [201, 201, 201]
        assert calls[0].body["members"] == [
            {"id": USER.id, "name": USER.name, "aadObjectId": "aad-ann"}
        ]
        assert calls[2].body["activity"]["text"] == "Nieuwe ronde!"
        assert fake.activities() == []  # creates are not sends

    with_client(scenario)


def test_members_roster_is_configurable_per_conversation() -> None:
    ann = teams_member(USER.id, "Ann Example", aad_object_id="aad-ann")
    bob = teams_member("29:1user-bob", "Bob Example")
    fake = FakeConnector(roster=[ann], rosters={CHANNEL: [ann, bob]})

    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        personal = await client.conversations.get_conversation_members(PERSONAL)
        assert [m.id for m in personal] == [USER.id]
        channel = await client.conversations.get_conversation_members(CHANNEL)
        assert [m.name for m in channel] == ["Ann Example", "Bob Example"]

        by_id = await client.conversations.get_conversation_member(CHANNEL, bob["id"])
        assert by_id.name == "Bob Example"
        by_aad = await client.conversations.get_conversation_member(PERSONAL, "aad-ann")
        assert by_aad.id == USER.id
        assert by_aad.additional_properties["email"] == "ann.example@example.test"

        paged = await client.conversations.get_conversation_paged_members(CHANNEL)
        assert [m.id for m in paged.members] == [USER.id, bob["id"]]
        assert paged.continuation_token is None

        with pytest.raises(ErrorResponseException) as missing:
            await client.conversations.get_conversation_member(PERSONAL, bob["id"])
        assert missing.value.response.status_code == 404
        assert error_code(missing.value) == "MemberNotFoundInConversation"

        member_calls = fake.calls("member")
        assert [c.member_id for c in member_calls] == [bob["id"], "aad-ann", bob["id"]]
        assert member_calls[0].conversation_id == CHANNEL

    with_client(scenario, connector=fake)


def test_injected_429_surfaces_with_status_and_retry_after_then_sends_resume() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        fake.fail_next(kind="send", status=429, retry_after=2)
        assert fake.pending_failures("send") == 1
        with pytest.raises(ErrorResponseException) as raised:
            await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        exc = raised.value
        assert isinstance(exc, HttpOperationError)
        assert exc.response.status_code == 429
        assert exc.response.headers["Retry-After"] == "2"
        assert exc.response.headers.get("retry-after") == "2"  # requests: case-insensitive
        assert error_code(exc) == "Throttled"
        assert str(exc) == "(Throttled) Too many requests."

        answer = await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        assert answer.id
        assert [call.status for call in fake.calls("send")] == [429, 201]
        assert fake.calls("send")[0].response == {
            "error": {"code": "Throttled", "message": "Too many requests."}
        }
        assert [a["text"] for a in fake.activities()] == ["Hoi"]  # only the delivered one
        assert len(await fake.wait_for(1, timeout=1.0)) == 1
        assert len(await fake.wait_for(2, timeout=1.0, ok_only=False)) == 2

    with_client(scenario)


def test_a_429_without_retry_after_still_carries_one_second() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        fake.fail_next()
        with pytest.raises(ErrorResponseException) as raised:
            await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "1"

    with_client(scenario)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "BotNotInConversationRoster"),
        (404, "ConversationNotFound"),
        (412, "PreconditionFailed"),
        (502, "ServiceError"),
        (504, "GatewayTimeout"),
    ],
)
def test_other_injected_statuses_surface_with_bot_framework_error_codes(
    status: int, code: str
) -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        fake.fail_next(kind="send", status=status)
        with pytest.raises(ErrorResponseException) as raised:
            await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        assert raised.value.response.status_code == status
        assert "Retry-After" not in raised.value.response.headers
        assert error_code(raised.value) == code
        assert fake.calls("send")[0].status == status

    with_client(scenario)


def test_failures_are_queued_per_kind_and_count() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        fake.fail_next(kind="update", status=403, count=2, code="ConversationBlockedByUser",
                       message="User blocked the conversation with the bot.")
        fake.fail_next(kind="reply", status=503, retry_after=5)

        # Sends are not affected by update or reply failures.
        sent = await client.conversations.send_to_conversation(PERSONAL, message("Kies"))
        for _ in range(2):
            with pytest.raises(ErrorResponseException) as blocked:
                await client.conversations.update_activity(PERSONAL, sent.id, message("x"))
            assert blocked.value.response.status_code == 403
            assert error_code(blocked.value) == "ConversationBlockedByUser"
        updated = await client.conversations.update_activity(PERSONAL, sent.id, message("y"))
        assert updated.id == sent.id

        with pytest.raises(ErrorResponseException) as unavailable:
            await client.conversations.reply_to_activity(PERSONAL, sent.id, message("z"))
        assert unavailable.value.response.status_code == 503
        assert unavailable.value.response.headers["Retry-After"] == "5"
        assert fake.pending_failures("update") == fake.pending_failures("reply") == 0

        # A "send" failure also hits a reply: both post a new message.
        fake.fail_next(kind="send", status=502)
        with pytest.raises(ErrorResponseException) as gateway:
            await client.conversations.reply_to_activity(PERSONAL, sent.id, message("z"))
        assert gateway.value.response.status_code == 502

    with_client(scenario)


def test_unknown_routes_answer_404_and_are_recorded() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        with pytest.raises(ErrorResponseException) as raised:
            await client.attachments.get_attachment_info("att-1")
        assert raised.value.response.status_code == 404
        (call,) = fake.requests
        assert call.kind == "unknown"
        assert call.path == "/v3/attachments/att-1"

    with_client(scenario)


def test_authorization_header_is_recorded_for_credentialed_clients() -> None:
    class StaticToken(MicrosoftAppCredentials):  # type: ignore[misc]
        """App credentials that never call the token endpoint."""

        def get_access_token(self, force_refresh: bool = False) -> str:
            return "test-token"

    async def main() -> None:
        async with FakeConnector() as fake:
            credentials = StaticToken("app-id", "secret")
            async with ConnectorClient(credentials, base_url=fake.service_url) as client:
                await client.conversations.send_to_conversation(CHANNEL, message("Hoi"))
            (call,) = fake.requests
            assert call.authorization == "Bearer test-token"

    asyncio.run(main())


def test_latency_delays_every_answer() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        fake.latency = 0.2
        loop = asyncio.get_running_loop()
        started = loop.time()
        await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        assert loop.time() - started >= 0.2

    with_client(scenario)


def test_wait_for_times_out_with_what_was_seen() -> None:
    async def scenario(fake: FakeConnector, client: ConnectorClient) -> None:
        await client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        with pytest.raises(TimeoutError, match="1/2 send calls"):
            await fake.wait_for(2, timeout=0.05)
        with pytest.raises(TimeoutError, match="0/1 update calls"):
            await fake.wait_for(1, timeout=0.05, kind="update")

    with_client(scenario)


def test_running_serves_sync_clients_from_a_background_thread() -> None:
    with FakeConnector.running(latency=0.0) as fake:
        credentials = MicrosoftAppCredentials.empty()
        with SyncConnectorClient(credentials, base_url=fake.service_url) as client:
            answer = client.conversations.send_to_conversation(PERSONAL, message("Hoi"))
        assert answer.id
        (call,) = fake.wait_for_sync(1, timeout=2.0)
        assert call.conversation_id == PERSONAL
        with pytest.raises(TimeoutError):
            fake.wait_for_sync(1, timeout=0.05, kind="update")
        fake.reset()
        assert fake.requests == []


def test_cloud_adapter_without_app_id_replies_and_sends_proactively_here() -> None:
    """The whole botbuilder path: a turn's reply and a proactive message both land here."""

    async def main() -> None:
        async with FakeConnector() as fake:
            adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(no_app_id_config()))
            incoming = Activity(
                type=ActivityTypes.message, id="1700000000999", text="hallo",
                channel_id="msteams", service_url=fake.service_url,
                from_property=USER, recipient=BOT,
                conversation=ConversationAccount(id=PERSONAL, conversation_type="personal"),
            )

            async def echo(turn: TurnContext) -> None:
                await turn.send_activity(f"Je zei: {turn.activity.text}")

            await adapter.process_activity("", incoming, echo)
            (reply,) = await fake.wait_for(1, timeout=2.0)
            assert reply.kind == "reply"
            assert reply.activity_id == "1700000000999"
            assert reply.body["text"] == "Je zei: hallo"

            reference = ConversationReference(
                channel_id="msteams", service_url=fake.service_url, bot=BOT, user=USER,
                conversation=ConversationAccount(id=PERSONAL),
            )

            async def nudge(turn: TurnContext) -> None:
                await turn.send_activity("Tijd voor je dagboek")

            await adapter.continue_conversation(reference, nudge, bot_app_id="")
            (_, proactive) = await fake.wait_for(2, timeout=2.0)
            # botbuilder 4.17 addresses even proactive sends as replies: continue_conversation
            # makes a continuation event with a fresh uuid1 id, and send_activity copies that
            # id into replyToId, so the call is reply_to_activity(conv, <uuid>). Teams treats
            # such a reply as a plain send; so does the fake's "send" selector.
            assert proactive.kind == "reply"
            assert proactive.activity_id and len(proactive.activity_id) == 36
            assert proactive.body["replyToId"] == proactive.activity_id
            assert proactive.conversation_id == PERSONAL
            assert proactive.authorization is None
            assert [a["text"] for a in fake.activities(PERSONAL)] == [
                "Je zei: hallo", "Tijd voor je dagboek",
            ]

    asyncio.run(main())
