"""Web API clients per workspace, and what the adapter reads through them once and keeps.

One aiohttp session is shared by every client of the process (a new session per call, the
SDK's default, costs a TCP and TLS handshake each time). A workspace's bot token comes from
`SLACK_BOT_TOKEN` or, with OAuth, from the installation store. A person's name, time zone
and language (`users.info`) and their DM channel (`conversations.open`) are cached: the
first contact reads them, later messages do not.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("leercoach.slack")
DEFAULT_API_URL = "https://slack.com/api/"
IDENTITY_SECONDS = 12 * 3600
UNKNOWN_IDENTITY_SECONDS = 600  # after a failed users.info: ask again, but not every message
CACHE_SIZE = 50_000
K = TypeVar("K")
V = TypeVar("V")

TokenLookup = Callable[[str], Awaitable[str | None]]


class TtlCache(Generic[K, V]):
    """A bounded least-recently-used cache whose entries expire."""

    def __init__(self, seconds: float, size: int = CACHE_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None or time.monotonic() > found[0]:
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: K, value: V, seconds: float | None = None) -> None:
        expires = time.monotonic() + (self.seconds if seconds is None else seconds)
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)


@dataclass(frozen=True, slots=True)
class Identity:
    display_name: str | None
    timezone: str | None
    locale: str | None
    is_bot: bool = False  # bots and deactivated accounts are never paired

REPLY_RATE_LIMIT_RETRIES = 3
REPLY_WAIT_SECONDS = 10.0


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float | None:
    """Slack's Retry-After header in seconds (None when absent or unreadable)."""
    for name, raw in (headers or {}).items():
        if str(name).lower() != "retry-after":
            continue
        value = raw[0] if isinstance(raw, list | tuple) and raw else raw
        try:
            return max(float(value), 0.0)
        except (TypeError, ValueError):
            return None
    return None


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After, but only while that wait is short: someone is
    waiting for this reply, and a longer wait belongs to the outbox."""

    def __init__(self, max_retry_count: int, longest_wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.longest_wait = longest_wait

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after_seconds(response.headers)
        return wait is not None and wait <= self.longest_wait


class NotInstalled(LookupError):
    """No bot token for this workspace (not installed, or uninstalled)."""


class SlackClients:
    """Clients by workspace, the identity cache and the DM cache."""

    def __init__(self, tokens: TokenLookup, api_url: str | None = None) -> None:
        self._tokens = tokens
        self.api_url = api_url or DEFAULT_API_URL
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[str, AsyncWebClient] = {}
        self.identities: TtlCache[tuple[str, str], Identity] = TtlCache(IDENTITY_SECONDS)
        self.dms: TtlCache[tuple[str, str], str] = TtlCache(IDENTITY_SECONDS)

    def _shared_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30),
                connector=aiohttp.TCPConnector(limit=100),
            )
        return self._session

    async def for_team(self, team: str) -> AsyncWebClient:
        client = self._clients.get(team)
        if client is not None:
            return client
        token = await self._tokens(team)
        if not token:
            raise NotInstalled(team)
        client = AsyncWebClient(
            token=token,
            base_url=self.api_url,
            session=self._shared_session(),
            retry_handlers=[AsyncConnectionErrorRetryHandler()],
        )
        self._clients[team] = client
        return client

    def forget_team(self, team: str) -> None:
        """After `invalid_auth` / `token_revoked`: look the token up again next time."""
        self._clients.pop(team, None)

    def forget_all(self) -> None:
        """After an uninstall or a revocation: an org-wide token serves many workspaces,
        so every client looks its token up again."""
        self._clients.clear()

    async def teams_of(self, token: str) -> list[str]:
        """The workspaces an org-wide token was granted, page by page
        (https://api.slack.com/methods/auth.teams.list)."""
        client = AsyncWebClient(token=token, base_url=self.api_url,
                                session=self._shared_session(),
                                retry_handlers=[AsyncConnectionErrorRetryHandler()])
        teams: list[str] = []
        cursor: str | None = None
        while True:
            response = await client.auth_teams_list(limit=200, cursor=cursor)
            teams += [str(team.get("id")) for team in response.get("teams") or ()
                      if isinstance(team, dict) and team.get("id")]
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return teams

    def replying(self, client: AsyncWebClient) -> AsyncWebClient:
        """A client for replies to a person who is waiting: it waits out short 429s by
        their Retry-After (https://api.slack.com/docs/rate-limits), a few times; a longer
        wait is the outbox's (SlackConversations.deliver hands the reply over)."""
        return AsyncWebClient(
            token=client.token,
            base_url=client.base_url,
            session=self._shared_session(),
            retry_handlers=[AsyncConnectionErrorRetryHandler(),
                            ShortRateLimitRetry(REPLY_RATE_LIMIT_RETRIES, REPLY_WAIT_SECONDS)],
        )

    async def identity(self, client: AsyncWebClient, team: str, user: str) -> Identity:
        """Name, zone and language of a person from `users.info`; empty when unreadable
        (onboarding then asks)."""
        cached = self.identities.get((team, user))
        if cached is not None:
            return cached
        try:
            response = await client.users_info(user=user, include_locale=True)
            found = response.get("user") or {}
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.info("users.info for %s failed: %s", user, type(exc).__name__)
            return Identity(None, None, None)
        profile = found.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name")
                or found.get("real_name") or found.get("name") or None)
        locale = found.get("locale")
        identity = Identity(
            display_name=str(name) if name else None,
            timezone=str(found["tz"]) if found.get("tz") else None,
            locale=str(locale).split("-")[0].lower() if locale else None,
            is_bot=bool(found.get("is_bot") or found.get("deleted")
                        or found.get("id") == "USLACKBOT"),
        )
        self.identities.put((team, user), identity)
        return identity

    async def dm_channel(self, client: AsyncWebClient, team: str, user: str) -> str:
        """The id of the person's DM with the coach (opened if needed)."""
        cached = self.dms.get((team, user))
        if cached is None:
            cached = await _opened(client, user)
            self.dms.put((team, user), cached)
        return cached

    async def group_channel(self, client: AsyncWebClient, members: tuple[str, ...]) -> str:
        """The group DM of these people and the coach; Slack answers the same id for the
        same people, so it is not kept."""
        return await _opened(client, ",".join(members))

    async def channel_members(self, client: AsyncWebClient, channel: str) -> list[str]:
        """Everyone in a channel, page by page."""
        members: list[str] = []
        cursor: str | None = None
        while True:
            response = await client.conversations_members(channel=channel, limit=200,
                                                          cursor=cursor)
            members += [str(member) for member in response.get("members") or ()]
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return members

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


async def _opened(client: AsyncWebClient, users: str) -> str:
    response = await client.conversations_open(users=users)
    channel = str((response.get("channel") or {}).get("id") or "")
    if not channel:
        raise SlackApiError(  # type: ignore[no-untyped-call]
            "conversations.open returned no channel", response)
    return channel
