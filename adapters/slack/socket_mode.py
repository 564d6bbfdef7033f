"""Socket Mode: one websocket to Slack, kept open by us, never in the way of the server.

Slack's side (https://api.slack.com/apis/connections/socket): `apps.connections.open`
with the app-level token gives a websocket URL; the socket says `hello`, then carries
envelopes to acknowledge; a `disconnect` message asks for a new socket (`warning`,
`refresh_requested`), or says Socket Mode was turned off for the app (`link_disabled`),
which no new socket can change.

What this module adds to slack_sdk's aiohttp client, whose own loops retry every failure
forever with a traceback each time:
- connecting runs in the background: the HTTP port, /healthz and the web chat are up
  while Slack is not;
- a token Slack refuses (`invalid_auth`, `not_authed`, `account_inactive`,
  `token_revoked`…) is a configuration error: the server stops with one clear line;
- a network failure or a server error is retried with exponential backoff; a 429 waits
  its Retry-After, and nothing else opens a socket meanwhile (this loop is the only
  place that connects: the SDK's own reconnects are turned off);
- `link_disabled` is logged as an error and not retried;
- one log line per change of state (connected, disconnected, retrying, refused,
  disabled), and the state for /healthz;
- the watchdog: Slack's websocket can die silently after a quiet spell (a known
  bolt-python problem); every `interval` seconds the socket must be open, not stale, and
  have heard a pong within four intervals, or a new one is opened.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_internals import (
    run_async_bolt_app,
    send_async_response,
)
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.clients import retry_after_seconds

log = logging.getLogger("leercoach.slack")
MISSED_PONGS = 4
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0
# apps.connections.open's answers that no retry can change: the app token is wrong, revoked
# or not allowed (https://api.slack.com/methods/apps.connections.open#errors).
REFUSED = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type", "missing_scope", "no_permission", "access_denied",
    "forbidden_team", "team_access_not_granted", "ekm_access_denied",
    "enterprise_is_restricted", "two_factor_setup_required", "org_login_required",
})
LINK_DISABLED = "link_disabled"

STARTING, CONNECTED, DISCONNECTED, RETRYING = "starting", "connected", "disconnected", "retrying"
REFUSED_STATE, DISABLED, CLOSED = "refused", "disabled", "closed"


def needs_reconnect(*, connected: bool, last_pong: float | None, connected_at: float,
                    now: float, interval: float) -> bool:
    """Whether the socket must be replaced (pure, for tests)."""
    if not connected:
        return True
    heard = last_pong if last_pong is not None else connected_at
    return now - heard > MISSED_PONGS * interval


class Backoff:
    """Waits between attempts: doubling from `first` to `longest`, with a little jitter so
    replicas do not retry in step; `reset` after a success."""

    def __init__(self, first: float = FIRST_RETRY_SECONDS,
                 longest: float = LONGEST_RETRY_SECONDS,
                 rng: random.Random | None = None) -> None:
        self.first = first
        self.longest = longest
        self.rng = rng or random.Random()
        self._next = first

    def next(self) -> float:
        wait = self._next
        self._next = min(self._next * 2, self.longest)
        return wait * (1 + 0.2 * self.rng.random())

    def reset(self) -> None:
        self._next = self.first


class Refused(Exception):
    """Slack refused the app-level token: a configuration error."""


class LinkClient(SocketModeClient):
    """slack_sdk's aiohttp client with its own reconnects turned off: it opens a socket
    when told to (`open`), once, and reports `disconnect` messages to the link instead of
    reconnecting by itself."""

    def __init__(self, link: SocketLink, app_token: str, web_client: AsyncWebClient,
                 ping_interval: float) -> None:
        super().__init__(app_token=app_token, web_client=web_client,
                         auto_reconnect_enabled=False, ping_interval=ping_interval,
                         logger=logging.getLogger("leercoach.slack.socket"))
        self.link = link

    async def open(self, url: str) -> None:
        """One attempt at a new socket; raises what aiohttp raises."""
        old, self.current_session = self.current_session, None
        if old is not None and not old.closed:
            await old.close()
        if self.aiohttp_client_session.closed:
            self.aiohttp_client_session = aiohttp.ClientSession()
        self.wss_uri = url
        session = await self.aiohttp_client_session.ws_connect(
            url, autoping=False, heartbeat=self.ping_interval, proxy=self.proxy)
        self.current_session = session
        self.stale = False
        self.last_ping_pong_time = time.time()
        await session.ping(f"sdk-ping-pong:{time.time()}".encode())
        for task in (self.current_session_monitor, self.message_receiver):
            if task is not None:
                task.cancel()
        self.current_session_monitor = asyncio.ensure_future(self.monitor_current_session())
        self.message_receiver = asyncio.ensure_future(self.receive_messages())

    async def connect(self) -> None:
        """The SDK asks for a connection: only the link opens sockets."""
        self.link.reconnect_now("the SDK asked for a new socket")

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        self.link.reconnect_now("the SDK asked for a new socket")

    async def run_message_listeners(self, message: dict[str, Any], raw_message: str) -> None:
        if message.get("type") == "disconnect":
            self.link.disconnect_message(str(message.get("reason") or ""))
            return
        await super().run_message_listeners(message, raw_message)


class SocketLink:
    """The one Socket Mode connection of this process, kept up in the background."""

    def __init__(self, bolt: AsyncApp, app_token: str, api_url: str, interval: float,
                 on_refused: Callable[[str], None],
                 backoff: Backoff | None = None) -> None:
        self.bolt = bolt
        self.app_token = app_token
        self.interval = interval
        self.on_refused = on_refused
        self.backoff = backoff or Backoff()
        self.state = STARTING
        self.detail = ""
        self.connected_at = 0.0
        self.reconnects = 0
        self._wake = asyncio.Event()
        self._fresh = False  # a `disconnect` asked for a new socket
        self._task: asyncio.Task[None] | None = None
        self.api = AsyncWebClient(base_url=api_url, retry_handlers=[])
        self.client = LinkClient(self, app_token, self.api, ping_interval=interval / 3)
        self.client.socket_mode_request_listeners.append(self._handle)  # type: ignore[arg-type]

    # -- what others see -----------------------------------------------------------------

    def status(self) -> str:
        """For /healthz: connected, or why not."""
        return self.state if not self.detail else f"{self.state}: {self.detail}"

    def _become(self, state: str, detail: str = "") -> None:
        """One log line per change of state."""
        if state == self.state:
            self.detail = detail or self.detail
            return
        before, self.state, self.detail = self.state, state, detail
        if state == CONNECTED:
            level = logging.INFO if before == STARTING else logging.WARNING
            log.log(level, "Slack Socket Mode: connected")
        elif state == REFUSED_STATE:  # the server stops and `serve` prints why, once
            log.debug("Slack Socket Mode: %s", detail)
        elif state == DISABLED:
            log.error("Slack Socket Mode: %s", detail)
        elif state in (DISCONNECTED, RETRYING):
            log.warning("Slack Socket Mode: %s (%s)", state, detail)

    # -- the loop ------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.ensure_future(self.run())

    async def close(self) -> None:
        self.state = CLOSED
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError, Exception):  # closing anyway
                await self._task
        await self.client.close()  # type: ignore[no-untyped-call]
        session = getattr(self.api, "session", None)
        if session is not None and not session.closed:
            await session.close()

    def reconnect_now(self, why: str) -> None:
        self._fresh = True
        self._wake.set()

    def disconnect_message(self, reason: str) -> None:
        """https://api.slack.com/apis/connections/socket#disconnect: `link_disabled` means
        Socket Mode was turned off for the app; the others ask for a new socket."""
        if reason == LINK_DISABLED:
            self._become(DISABLED, "Socket Mode was turned off for this app (link_disabled);"
                                   " not reconnecting. Turn it on in the app's settings, or "
                                   "unset SLACK_APP_TOKEN to take events over HTTP")
            self._wake.set()
            return
        log.info("Slack Socket Mode: Slack asked for a new socket (%s)", reason or "refresh")
        self.reconnect_now(reason)

    async def run(self) -> None:
        while self.state not in (REFUSED_STATE, DISABLED, CLOSED):
            if self.state == CONNECTED and not self._fresh and not await self._dead():
                await self._sleep(self.interval)
                continue
            if self.state == CONNECTED:
                if not self._fresh:
                    self._become(DISCONNECTED, "the socket went quiet or closed")
                self.reconnects += 1
            self._fresh = False
            try:
                await self.client.open(await self._url())
            except Refused as exc:
                self._become(REFUSED_STATE, str(exc))
                await self.client.close()  # type: ignore[no-untyped-call]
                self.on_refused(str(exc))
                return
            except _RateLimited as exc:
                self._become(RETRYING, f"rate limited; trying again in {exc.wait:.0f} s")
                await asyncio.sleep(exc.wait)  # nothing else opens a socket meanwhile
                continue
            except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError,
                    ValueError) as exc:
                wait = self.backoff.next()
                self._become(RETRYING, f"{_why(exc)}; trying again with backoff")
                await self._sleep(wait)
                continue
            if self.state == DISABLED:  # a link_disabled arrived while opening
                break
            self.connected_at = time.time()
            self.backoff.reset()
            self._become(CONNECTED)
        if self.state == DISABLED:
            await self.client.close()  # type: ignore[no-untyped-call]

    async def _dead(self) -> bool:
        client = self.client
        session = client.current_session
        return needs_reconnect(
            connected=session is not None and not session.closed and not client.stale,
            last_pong=client.last_ping_pong_time, connected_at=self.connected_at,
            now=time.time(), interval=self.interval)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up for a `disconnect` message."""
        self._wake.clear()
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _url(self) -> str:
        """A websocket URL from apps.connections.open; Refused, _RateLimited or the
        network's error otherwise."""
        try:
            response = await self.api.apps_connections_open(app_token=self.app_token)
        except SlackApiError as exc:
            code = _error(exc)
            if code in REFUSED:
                raise Refused(
                    f"Slack refused SLACK_APP_TOKEN ({code}): set an app-level token "
                    "(xapp-…) with the connections:write scope, from the app's Basic "
                    "Information page") from exc
            status = getattr(exc.response, "status_code", None)
            if status == 429 or code == "ratelimited":
                wait = retry_after_seconds(getattr(exc.response, "headers", None))
                raise _RateLimited(wait if wait is not None else 30.0) from exc
            raise
        url = response.get("url")
        if not isinstance(url, str) or not url:
            raise ValueError("apps.connections.open gave no url")
        return url

    async def _handle(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        """An envelope: through bolt, then its acknowledgement (with bolt's answer)."""
        start = time.time()
        response = await run_async_bolt_app(self.bolt, request)
        await send_async_response(client, request, response, start)


class _RateLimited(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limited for {wait} s")
        self.wait = wait


def _error(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "")
    except (AttributeError, TypeError):
        return ""


def _why(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return f"Slack answered {_error(exc) or getattr(exc.response, 'status_code', '?')}"
    return f"cannot reach Slack ({type(exc).__name__})"
