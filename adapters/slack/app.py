"""The Slack adapter assembled: bolt's AsyncApp on the one aiohttp server, or Socket Mode.

Events arrive at `/slack/events` (signed: the signature and the 5-minute window are
checked here, and again by bolt; a request seen before is refused), installs at
`/slack/install` and `/slack/oauth_redirect` when OAuth is configured.
With `SLACK_APP_TOKEN` the same listeners are fed from a websocket instead, and no public
URL is needed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import build_normalized_headers, extract_content_type
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.http_server import REPORTS_KEY, SHUTDOWN_KEY
from adapters.platform import PlatformAdapter
from adapters.slack.clients import SlackClients
from adapters.slack.config import SlackConfig
from adapters.slack.conversations import PLATFORM, SlackConversations
from adapters.slack.fallbacks import register_fallbacks
from adapters.slack.inbound import typed, well_formed
from adapters.slack.installations import ThreadedInstallationStore, ThreadedStateStore
from adapters.slack.lifecycle import register_lifecycle
from adapters.slack.listeners import register
from adapters.slack.replays import SeenSignatures
from adapters.slack.sender import SlackSender
from adapters.slack.socket_mode import SocketLink
from adapters.spool import Spool, spool_directory
from bot.config import Settings
from bot.outbox.pacing import Limits
from bot.runtime import Runtime

log = logging.getLogger("leercoach.slack")
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
DISPATCH_AT_ONCE = 8
REPLAY_SECONDS = 1.0  # how often spooled messages that met an outage are tried again


@dataclass(slots=True)
class SlackAdapter(PlatformAdapter):
    config: SlackConfig
    bolt: AsyncApp
    clients: SlackClients
    conversations: SlackConversations
    sender: SlackSender = field()  # field(): not the base class property as a default
    verifier: SignatureVerifier | None  # None in Socket Mode: nothing arrives over HTTP
    pacing: Limits  # about one message a second per channel, a workspace budget on top
    replays: SeenSignatures = field(default_factory=SeenSignatures)
    pending: set[asyncio.Future[BoltResponse]] = field(default_factory=set)
    dispatching: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(DISPATCH_AT_ONCE))
    link: SocketLink | None = None  # the Socket Mode connection, while it runs
    spool_dir: Path | None = None  # where typed messages wait for their turn (HTTP only)
    replaying: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return PLATFORM

    def limits(self) -> Limits:
        return self.pacing

    def authenticates_people(self) -> bool:
        return True

    def banner(self) -> list[str]:
        how = "Socket Mode" if self.config.socket_mode else "/slack/events"
        return [f"Slack: {how}{' with OAuth installs' if self.config.oauth else ''}"]

    def mount(self, app: web.Application) -> None:
        """Add Slack's endpoints to the server (none in Socket Mode: see `start`)."""
        if not self.config.socket_mode:
            app.router.add_post(EVENTS_PATH, self._events)
            if self.bolt.oauth_flow is not None:
                app.router.add_get(INSTALL_PATH, self._install)
                app.router.add_get(REDIRECT_PATH, self._redirect)

    async def _events(self, request: web.Request) -> web.Response:
        """Events API callbacks are acknowledged at once, after our own signature check,
        and handed to bolt afterwards: their answer is always an empty 200, and under load
        waiting for bolt's middleware chain would make Slack wait too. Everything whose
        answer carries content (challenges, commands, modal errors) goes through bolt
        before the answer.

        Requests that are not signed are refused with 401, and signed ones that are not
        UTF-8, not a payload bolt can parse or not shaped like Slack's with 400, before
        bolt: its parsing and middleware would answer them with a 500."""
        raw = await request.read()
        try:
            body = raw.decode()
        except UnicodeDecodeError:
            return _refused(400, "the body is not UTF-8 text")
        if self.verifier is not None and not self._signed(body, request):
            return _refused(401, "invalid request")
        if self.verifier is not None and "X-Slack-Retry-Num" not in request.headers and \
                not self.replays.first_time(request.headers["X-Slack-Signature"]):
            return _refused(401, "this request was received before")
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): value for name, value in request.headers.items()}
        try:
            payload = _parsed(body, extract_content_type(build_normalized_headers(headers)))
        except (ValueError, RecursionError):
            return _refused(400, "the body is not a Slack payload")
        if not well_formed(payload):
            return _refused(400, "the payload is not shaped like Slack's")
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
        if bolt_request.body != payload:
            # bolt reads any form with the word "payload" in it (`/leercoach payload`) as
            # an interaction without one, i.e. as nothing: give it what was sent
            bolt_request.body = payload
            bolt_request.context = build_async_context(AsyncBoltContext({}), payload)
        if bolt_request.body.get("type") == "event_callback" and self.verifier is not None:
            await self._keep(bolt_request.body)
            self._later(self._dispatch_later(bolt_request))
            return web.Response(status=200)
        response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    async def _keep(self, payload: dict[str, Any]) -> None:
        """A typed message goes to the spool before Slack is answered (adapters/spool.py)."""
        spool = self.conversations.spool
        found = typed(payload) if spool is not None else None
        if spool is not None and found is not None and found.event_id:
            address = found.address
            await asyncio.to_thread(spool.add, found.event_id,
                                    f"{address.tenant}/{address.person}", payload)

    def _replay_soon(self) -> None:
        """A spooled message met an outage: try the spool again every REPLAY_SECONDS until
        nothing in it waits (one task, and none while nothing waits)."""
        if self.replaying is None or self.replaying.done():
            self.replaying = asyncio.ensure_future(self._replay())

    async def _replay(self) -> None:
        spool = self.conversations.spool
        while spool is not None and spool.stalled():
            await asyncio.sleep(REPLAY_SECONDS)
            try:
                await self.conversations.replay()
            except Exception:  # a bug here must not stop the replays
                log.exception("replaying spooled messages failed")

    def _signed(self, body: str, request: web.Request) -> bool:
        """Slack's signature and 5-minute window."""
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if self.verifier is None or not (stamp.isascii() and stamp.isdigit()) or not (
                signature and signature.isascii()):
            return False
        return bool(self.verifier.is_valid(body, stamp, signature))

    async def _dispatch_later(self, request: AsyncBoltRequest) -> BoltResponse:
        """Bolt's work for an acknowledged event, a few at a time: a burst queues here
        instead of filling the event loop that acknowledges the next requests."""
        async with self.dispatching:
            return await self.bolt.async_dispatch(request)

    def _later(self, work: Awaitable[BoltResponse]) -> None:
        task = asyncio.ensure_future(work)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _install(self, request: web.Request) -> web.Response:
        flow = self.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request)))

    async def _redirect(self, request: web.Request) -> web.Response:
        flow = self.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(
            await flow.handle_callback(await to_bolt_request(request)))

    async def start(self, app: web.Application) -> None:
        """Socket Mode connects in the background: the server starts whether Slack is
        reachable or not, and stops only when Slack refuses the app token. Over HTTP the
        spool opens (and runs what a stopped process left in it)."""
        if not self.config.socket_mode:
            if self.spool_dir is not None:
                self.conversations.spool = await asyncio.to_thread(Spool, self.spool_dir)
                self.conversations.on_stall = self._replay_soon
                self._replay_soon()  # what a stopped process left, if anything
            return
        link = SocketLink(self.bolt, self.config.app_token, self.clients.api_url,
                          self.config.socket_ping_seconds, app[SHUTDOWN_KEY].stop)
        self.link = link
        app[REPORTS_KEY][PLATFORM] = link.status
        link.start()

    async def stop(self) -> None:
        if self.link is not None:
            await self.link.close()
        if self.replaying is not None:
            self.replaying.cancel()
            with suppress(asyncio.CancelledError):
                await self.replaying
        # A turn still running on its thread finishes before the database may close.
        await asyncio.to_thread(self.conversations.turns.threads.shutdown, True)
        await self.clients.close()
        if self.conversations.spool is not None:
            self.conversations.spool.close()


class SingleWorkspace:
    """Authorization with one bot token: `auth.test` once, shared by every request.

    Bolt's own single-workspace check calls `auth.test` from each request until the
    first answer is in, so a burst at start-up would cost one call per request."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    async def authorize(self) -> AuthorizeResult:
        async with self._lock:
            if self._result is None:
                response = await self.client.auth_test()
                self._result = AuthorizeResult.from_auth_test_response(
                    auth_test_response=response, bot_token=self.client.token)
            return self._result


def _parsed(body: str, content_type: str | None) -> Any:
    """The payload of a request to /slack/events, read the way bolt reads it (JSON, a form,
    or a form's `payload` field as JSON), except that only a field named `payload` is one."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return json.loads(fields["payload"]) if "payload" in fields else fields


def _refused(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _no_arguments(
    authorize: Callable[[], Awaitable[AuthorizeResult]],
) -> Callable[..., Awaitable[AuthorizeResult]]:
    """Bolt passes the arguments an authorize function names; ours needs none."""

    async def bolt_authorize() -> AuthorizeResult:
        return await authorize()

    return bolt_authorize


def from_env(runtime: Runtime, host: str | None) -> SlackAdapter | None:
    """The adapter when SLACK_* variables configure it (ConfigError when they do so
    wrongly); Slack takes the same shape with or without a server (`host`)."""
    config = SlackConfig.from_env()
    return None if config is None else build_slack(runtime, config)


def slack_limits(settings: Settings) -> Limits:
    return Limits(settings.slack_channel_rate, settings.slack_workspace_rate)


def build_slack(runtime: Runtime, config: SlackConfig) -> SlackAdapter:
    """The adapter for this configuration (single workspace, OAuth, or Socket Mode)."""
    installations: ThreadedInstallationStore | None = None
    clients: SlackClients | None = None

    async def teams_of(token: str) -> list[str]:
        assert clients is not None
        return await clients.teams_of(token)

    if config.oauth:
        installations = ThreadedInstallationStore(config.client_id, runtime.database,
                                                  teams_of)
        # slack_sdk's own schema, created if missing
        installations.store.create_tables()  # type: ignore[no-untyped-call]
        state_store = ThreadedStateStore(runtime.database)
        state_store.store.create_tables()  # type: ignore[no-untyped-call]

    async def token_for(team: str) -> str | None:
        if installations is not None:
            return await installations.bot_token(team)
        return config.bot_token or None

    clients = SlackClients(token_for, config.api_url)
    conversations = SlackConversations(runtime.engine, clients)
    api_client = AsyncWebClient(base_url=clients.api_url,
                                token=None if config.oauth else config.bot_token)
    refusal = "\n".join(conversations.texts("slack.not_installed"))
    if installations is not None:
        bolt = AsyncApp(
            signing_secret=config.signing_secret,
            client=api_client,
            oauth_settings=AsyncOAuthSettings(
                client_id=config.client_id,
                client_secret=config.client_secret,
                scopes=list(config.scopes),
                installation_store=installations,
                state_store=state_store,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
            ),
            user_facing_authorize_error_message=refusal,
        )
    else:
        bolt = AsyncApp(
            signing_secret=config.signing_secret or None,
            client=api_client,
            authorize=_no_arguments(SingleWorkspace(api_client).authorize),
            request_verification_enabled=not config.socket_mode,
            user_facing_authorize_error_message=refusal,
        )
    register_lifecycle(bolt, clients, installations)
    register(bolt, conversations)
    register_fallbacks(bolt, conversations)
    return SlackAdapter(config, bolt, clients, conversations, SlackSender(clients),
                        SignatureVerifier(config.signing_secret) if config.signing_secret
                        else None, slack_limits(runtime.settings),
                        spool_dir=spool_directory(runtime.settings.database_url))
