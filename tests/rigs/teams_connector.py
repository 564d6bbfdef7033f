"""A local stand-in for the Bot Framework Connector service, served on loopback with aiohttp.

Why: the Teams adapter's tests and load benches need to talk to "Teams" through botbuilder's
real connector client (URL building, quoting of conversation ids, the auth policy, error
surfacing) without a network, a tenant or an app registration. Every activity carries the
`serviceUrl` the bot must answer at; give it this fake's URL and every call lands here::

    connector = FakeConnector()
    service_url = await connector.start()        # "http://127.0.0.1:PORT/"
    ...                                          # activities with serviceUrl=service_url
    await connector.stop()

or, from sync code or another thread's event loop::

    with FakeConnector.running() as connector:
        ...
        connector.wait_for_sync(1)

Routes, as botframework-connector 4.17.1 (`botframework.connector.aio.ConnectorClient`,
`conversations.*`) calls them; path parameters are `quote(value, safe="")`-encoded by msrest,
so Teams ids such as "a:1AbC;messageid=123" or "19:abc@thread.tacv2" arrive as "a%3A1AbC%3B…"
and are decoded here before they are recorded:

    kind       verb    path                                            answer
    send       POST    /v3/conversations/{conv}/activities             201 {"id": new}
    reply      POST    /v3/conversations/{conv}/activities/{act}       201 {"id": new}
    history    POST    /v3/conversations/{conv}/activities/history     201 {"id": ""}
    update     PUT     /v3/conversations/{conv}/activities/{act}       200 {"id": act}
    delete     DELETE  /v3/conversations/{conv}/activities/{act}       200 (empty)
    create     POST    /v3/conversations                               201 {"id", "serviceUrl",
                                                                           "activityId"}
    members    GET     /v3/conversations/{conv}/members                200 [ChannelAccount…]
    paged      GET     /v3/conversations/{team}/pagedmembers           200 {"members": […],
                                                                           "continuationToken"}
    member     GET     /v3/conversations/{conv}/members/{member}       200 ChannelAccount / 404
    list       GET     /v3/conversations                               200 {"conversations": []}
    unknown    any     anything else                                   404 error body

The kind "send" also selects replies in `fail_next`, `wait_for`, `calls` and `activities`:
both post a new message, and botbuilder picks reply_to_activity whenever the outgoing activity
has a `replyToId` (every reply inside a turn). Use kind "reply" to select replies only.
Note that botbuilder 4.17's `CloudAdapter.continue_conversation` sends proactive messages as
replies too: its continuation event gets a fresh uuid1 id, which `TurnContext.send_activity`
copies into `replyToId`, so they arrive as POST .../activities/<uuid>.

Auth: without an app id, botbuilder's `PasswordServiceClientCredentialFactory` (what
`ConfigurationBotFrameworkAuthentication` builds from a config without APP_ID) hands out
`MicrosoftAppCredentials.empty()`, which sends no Authorization header at all; no token
endpoint is needed. Headers are recorded, so a test with real-looking credentials can assert
on `ConnectorCall.authorization`.

Errors: for every status outside the operation's success list the client raises
`botbuilder.schema.ErrorResponseException` (re-exported as
`botframework.connector.models.ErrorResponseException`, a `msrest.exceptions.HttpOperationError`
subclass). A sender should inspect:

- `exc.response.status_code` (int) — `exc.response` is the underlying `requests.Response`,
  since msrest's default async pipeline sends with `requests` on an executor thread;
- `exc.response.headers.get("Retry-After")` (str, case-insensitive lookup) for 429 / 503;
- `exc.error.error.code` / `exc.error.error.message` — the Bot Framework error body
  (`{"error": {"code", "message"}}`) deserialized as `ErrorResponse`; `str(exc)` is
  "(code) message".

Connection failures (nothing listening) surface as `msrest.exceptions.ClientRequestError`
instead, which has no `.response`.

Contracts: every activity sent, replied, updated or posted with a new conversation is checked
with tests.contracts.adaptive_cards (the Adaptive Cards 1.5 schema and Teams' documented
limits). Each broken rule is recorded as a `ContractViolation` on the connector and in a log
shared by all connectors, which the suite's `teams_contracts` fixture (tests/conftest.py)
turns into a failure of the test that caused it; a test that means to break a rule takes its
violations with `take_violations()`. An activity over Teams' size limit is also answered as
the service answers it: 413 with the error code `MessageSizeTooBig`.

Team rosters: `GET …/pagedmembers` answers `page_size` members a page (the `pageSize` query
asks for fewer) with a `continuationToken` for the next page, as Teams does. Teams serves it
for a team id only (the General channel's id, which is `channelData.team.id`); a conversation
id registered in `channels` (another channel of a team) is refused with 400 the way the
service refuses it. https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/get-teams-context

`hold()` / `release()`: while held, every call is received and recorded as waiting
(`waiting()`), but not answered, so a test can see what the bot answered before any of its
outgoing calls completed, without looking at a clock.

Keep this module free of pytest: benchmarks import it as `tests.rigs.teams_connector`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from aiohttp import web

from tests.contracts.adaptive_cards import Violation, check_activity
from tests.rigs.loopback import LoopbackServer

__all__ = [
    "ERROR_CODES",
    "ConnectorCall",
    "ContractViolation",
    "Failure",
    "FakeConnector",
    "Kind",
    "teams_member",
    "unclaimed_violations",
]

Kind = Literal[
    "send", "reply", "history", "update", "delete", "create", "members", "paged", "member",
    "list", "unknown",
]
"""What a request did, decided from verb and path (see the module docstring's table)."""

SEND_KINDS: frozenset[str] = frozenset({"send", "reply"})
"""Kinds the selector "send" matches: both post a new message into a conversation."""

ERROR_CODES: dict[int, tuple[str, str]] = {
    400: ("BadArgument", "The request was malformed."),
    401: ("Unauthorized", "Authorization has been denied for this request."),
    403: ("BotNotInConversationRoster", "The bot is not part of the conversation roster."),
    404: ("ConversationNotFound", "Conversation not found."),
    412: ("PreconditionFailed", "Precondition failed, please try again."),
    413: ("MessageSizeTooBig", "Message size too large."),
    429: ("Throttled", "Too many requests."),
    500: ("InternalServerError", "An internal error occurred."),
    502: ("ServiceError", "Bad gateway."),
    503: ("ServiceUnavailable", "Service unavailable."),
    504: ("GatewayTimeout", "The operation timed out."),
}
"""Default Bot Framework error codes per status, as Teams documents them for bot APIs."""

FIRST_ACTIVITY_ID = 1_700_000_000_000
"""Teams message ids are epoch milliseconds as text; new ids count up from here."""

PAGE_SIZE = 50
"""Members a `pagedmembers` page holds when the caller asks for no `pageSize`."""

CHECKED_KINDS: frozenset[str] = frozenset({"send", "reply", "update", "create"})
"""Calls that carry an activity the bot wants shown (create: its optional `activity`)."""


@dataclass(frozen=True)
class ContractViolation:
    """A rule of Teams' contract one call broke: the call's kind and conversation, and the
    rule, path and message from tests.contracts.adaptive_cards."""

    kind: str
    conversation_id: str | None
    violation: Violation

    @property
    def rule(self) -> str:
        return self.violation.rule

    def __str__(self) -> str:
        return f"{self.kind} to {self.conversation_id}: {self.violation}"


_LOG_LOCK = threading.Lock()
_UNCLAIMED: list[ContractViolation] = []


def unclaimed_violations(*, clear: bool = True) -> list[ContractViolation]:
    """Violations of every connector not taken by a test (`take_violations`); cleared by
    default, so each test starts with an empty log."""
    with _LOG_LOCK:
        found = list(_UNCLAIMED)
        if clear:
            _UNCLAIMED.clear()
    return found


def teams_member(
    user_id: str,
    name: str = "Test User",
    *,
    aad_object_id: str | None = None,
    email: str | None = None,
    tenant_id: str = "tenant-leercoach",
    **extra: Any,
) -> dict[str, Any]:
    """A TeamsChannelAccount as the members routes return it, so rosters read like Teams."""
    local = name.lower().replace(" ", ".")
    member: dict[str, Any] = {
        "id": user_id,
        "name": name,
        "aadObjectId": aad_object_id or f"aad-{hashlib.sha1(user_id.encode()).hexdigest()[:12]}",
        "email": email or f"{local}@example.test",
        "userPrincipalName": email or f"{local}@example.test",
        "tenantId": tenant_id,
        "userRole": "user",
    }
    member.update(extra)
    return member


@dataclass(frozen=True)
class ConnectorCall:
    """One request the fake answered, as a test wants to assert on it.

    `path` is the raw, still percent-encoded path; `conversation_id`, `activity_id` and
    `member_id` are decoded. `body` is the parsed JSON (None without a body) and `response`
    what the fake answered.
    """

    method: str
    path: str
    kind: Kind
    conversation_id: str | None
    activity_id: str | None
    member_id: str | None
    body: Any
    headers: dict[str, str]
    query: dict[str, str]
    status: int
    response: Any
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        """Whether the connector accepted the call (2xx)."""
        return 200 <= self.status < 300

    @property
    def authorization(self) -> str | None:
        """The Authorization header; None for unauthenticated (no app id) clients."""
        return self.header("Authorization")

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class Failure:
    """One queued injected failure for a route kind."""

    status: int
    code: str
    message: str
    retry_after: int | None


def _matches(kind: str, selector: str | None) -> bool:
    """None selects everything; "send" also selects replies (see module docstring)."""
    if selector is None or selector == kind:
        return True
    return selector == "send" and kind in SEND_KINDS


def _error_body(code: str, message: str) -> dict[str, Any]:
    """The Bot Framework ErrorResponse shape msrest deserializes into `exc.error`."""
    return {"error": {"code": code, "message": message}}


def _route(method: str, segments: list[str]) -> tuple[Kind, dict[str, str]]:
    """Map verb + decoded path segments to a kind and its path parameters."""
    if len(segments) < 2 or segments[0] != "v3" or segments[1] != "conversations":
        return "unknown", {}
    rest = segments[2:]
    if not rest:
        if method == "POST":
            return "create", {}
        if method == "GET":
            return "list", {}
        return "unknown", {}
    params = {"conversation_id": rest[0]}
    tail = rest[1:]
    if tail == ["activities"] and method == "POST":
        return "send", params
    if tail == ["activities", "history"] and method == "POST":
        return "history", params
    if len(tail) == 2 and tail[0] == "activities":
        params["activity_id"] = tail[1]
        verbs: dict[str, Kind] = {"POST": "reply", "PUT": "update", "DELETE": "delete"}
        if method in verbs:
            return verbs[method], params
    if method == "GET" and tail == ["members"]:
        return "members", params
    if method == "GET" and tail == ["pagedmembers"]:
        return "paged", params
    if method == "GET" and len(tail) == 2 and tail[0] == "members":
        params["member_id"] = tail[1]
        return "member", params
    return "unknown", params


class FakeConnector(LoopbackServer):
    """Bot Framework Connector on 127.0.0.1 that records calls and fails on demand.

    State a test may set directly (read by the server on every call):
    - `latency`: seconds every call sleeps before answering (load tests).
    - `roster`: members every conversation has (dicts as `teams_member` builds them);
      `rosters[conversation_id]` overrides it for one conversation.
    - `tenant_id`: what created conversations report as their tenant.
    - `channels`: conversation ids that are channels but not a team's id (refused by
      `pagedmembers`); `page_size`: members per `pagedmembers` page.
    Everything shared with the server thread goes through `_lock`.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        roster: Iterable[Mapping[str, Any]] = (),
        rosters: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        channels: Iterable[str] = (),
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.latency = latency
        self.channels: set[str] = set(channels)
        self.page_size = page_size
        self.violations: list[ContractViolation] = []
        self._held = False
        self._waiting = 0
        self._released: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.roster: list[dict[str, Any]] = [dict(member) for member in roster]
        self.rosters: dict[str, list[dict[str, Any]]] = {
            conversation_id: [dict(member) for member in members]
            for conversation_id, members in (rosters or {}).items()
        }
        self.requests: list[ConnectorCall] = []
        self._lock = threading.Condition(threading.RLock())
        self._failures: dict[str, deque[Failure]] = {}
        self._next_activity = FIRST_ACTIVITY_ID
        super().__init__()

    # -- lifecycle -------------------------------------------------------------------------

    thread_name = "teams-connector"

    @property
    def service_url(self) -> str:
        """The activities' `serviceUrl` ("http://127.0.0.1:PORT/"); only while running."""
        return self.url

    def _routes(self, app: web.Application) -> None:
        # One catch-all route: ids are decoded from the raw path here, independent of how
        # aiohttp's router treats %2F, and unknown routes are still recorded.
        app.router.add_route("*", "/{tail:.*}", self._handle)

    # -- test controls ---------------------------------------------------------------------

    def fail_next(
        self,
        kind: str = "send",
        status: int = 429,
        retry_after: int | None = None,
        count: int = 1,
        *,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Queue `count` failures for the next calls of `kind`; then 2xx answers resume.

        A 429 always carries `Retry-After` (`retry_after`, default 1) as the connector does;
        other statuses carry it only when `retry_after` is given. `code`/`message` default
        to the Bot Framework code for the status (`ERROR_CODES`), e.g. 403
        "BotNotInConversationRoster", 404 "ConversationNotFound", 412 "PreconditionFailed".
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        default_code, default_message = ERROR_CODES.get(status, ("ServiceError", "Error."))
        failure = Failure(status=status, code=code or default_code,
                          message=message or default_message, retry_after=retry_after)
        with self._lock:
            self._failures.setdefault(kind, deque()).extend([failure] * count)

    def take_violations(self, rule: str | None = None) -> list[ContractViolation]:
        """The contract violations this connector recorded (of `rule`, or all), which the
        test thereby expects: they are no longer reported as failures."""
        with self._lock:
            taken = [v for v in self.violations if rule is None or v.rule == rule]
            self.violations = [v for v in self.violations if v not in taken]
        with _LOG_LOCK:
            for violation in taken:
                if violation in _UNCLAIMED:
                    _UNCLAIMED.remove(violation)
        return taken

    def hold(self) -> None:
        """Receive and record calls but answer none of them until `release()`."""
        with self._lock:
            self._held = True

    def release(self) -> None:
        """Answer the held calls (and every later one) again."""
        with self._lock:
            self._held = False
            released = self._released
        if released is not None:
            loop = self._loop
            if loop is not None:
                loop.call_soon_threadsafe(released.set)

    def waiting(self) -> int:
        """How many calls arrived and wait, unanswered, for `release()`."""
        with self._lock:
            return self._waiting

    def pending_failures(self, kind: str = "send") -> int:
        """How many injected failures queued under `kind` are still unused."""
        with self._lock:
            return len(self._failures.get(kind, ()))

    def reset(self) -> None:
        """Forget recorded requests and queued failures (between bench phases)."""
        with self._lock:
            self.requests.clear()
            self._failures.clear()

    def calls(self, kind: str | None = None, *, ok_only: bool = False) -> list[ConnectorCall]:
        """A snapshot of recorded requests of `kind` (None: all), oldest first."""
        with self._lock:
            return [call for call in self.requests
                    if _matches(call.kind, kind) and (call.ok or not ok_only)]

    def activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """Bodies of accepted sends and replies, in arrival order; optionally one conversation."""
        return [call.body for call in self.calls("send", ok_only=True)
                if conversation_id is None or call.conversation_id == conversation_id]

    def updates(self, conversation_id: str | None = None) -> list[ConnectorCall]:
        """Accepted updates (`activity_id` and new `body`), in arrival order."""
        return [call for call in self.calls("update", ok_only=True)
                if conversation_id is None or call.conversation_id == conversation_id]

    def wait_for_sync(
        self, count: int = 1, timeout: float = 5.0, kind: str = "send", *, ok_only: bool = True
    ) -> list[ConnectorCall]:
        """Block until `count` calls of `kind` were answered; never from the server thread.

        Counts only accepted (2xx) calls unless `ok_only=False`, so a retried 429 is not a
        delivery.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                calls = self.calls(kind, ok_only=ok_only)
                if len(calls) >= count:
                    return calls
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(self._timeout_message(kind, count, len(calls), timeout))
                self._lock.wait(left)

    async def wait_for(
        self, count: int = 1, timeout: float = 5.0, kind: str = "send", *, ok_only: bool = True
    ) -> list[ConnectorCall]:
        """Await `count` answered calls of `kind`; polls, so it works from any event loop."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls(kind, ok_only=ok_only)
            if len(calls) >= count:
                return calls
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(kind, count, len(calls), timeout))
            await asyncio.sleep(0.005)

    def _timeout_message(self, kind: str, count: int, seen: int, timeout: float) -> str:
        with self._lock:
            seen_kinds = [f"{call.method} {call.path} -> {call.status}" for call in self.requests]
        return f"{seen}/{count} {kind} calls after {timeout}s; requests: {seen_kinds}"

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        """Parse, answer and record one connector request."""
        raw_path = request.raw_path.split("?", 1)[0]
        segments = [unquote(part) for part in raw_path.strip("/").split("/") if part]
        kind, params = _route(request.method, segments)
        body = await self._read_body(request)
        await self._wait_if_held()
        oversized = self._check_contract(kind, params.get("conversation_id"), body)
        status, response, headers = self._answer(kind, params, body, dict(request.query))
        if oversized and 200 <= status < 300:
            # What Teams answers: 413 RequestEntityTooLarge, code MessageSizeTooBig.
            status, headers = 413, {}
            response = _error_body(*ERROR_CODES[413])
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        call = ConnectorCall(
            method=request.method, path=raw_path, kind=kind,
            conversation_id=params.get("conversation_id"),
            activity_id=params.get("activity_id"), member_id=params.get("member_id"),
            body=body, headers=dict(request.headers), query=dict(request.query),
            status=status, response=response,
        )
        with self._lock:
            self.requests.append(call)
            self._lock.notify_all()
        if response is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(response, status=status, headers=headers)

    async def _wait_if_held(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._loop = asyncio.get_running_loop()
            if self._released is None or self._released.is_set():
                self._released = asyncio.Event()
            released = self._released
            self._waiting += 1
            self._lock.notify_all()
        try:
            await released.wait()
        finally:
            with self._lock:
                self._waiting -= 1

    def _check_contract(self, kind: str, conversation_id: str | None, body: Any) -> bool:
        """Record the violations of the activity in this call; True when it is over Teams'
        size limit (the call is then refused as the service refuses it)."""
        if kind not in CHECKED_KINDS or not isinstance(body, dict):
            return False
        activity = body.get("activity") if kind == "create" else body
        found = [ContractViolation(kind, conversation_id, violation)
                 for violation in check_activity(activity)]
        if not found:
            return False
        with self._lock:
            self.violations.extend(found)
        with _LOG_LOCK:
            _UNCLAIMED.extend(found)
        return any(v.rule == "message-size" for v in found)

    @staticmethod
    async def _read_body(request: web.Request) -> Any:
        """The JSON body, or the text if it is not JSON, or None without a body."""
        if not request.can_read_body:
            return None
        text = await request.text()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _pop_failure(self, kind: str) -> Failure | None:
        """The next injected failure for this call: its own kind first, then "send"."""
        with self._lock:
            for selector in (kind, "send") if kind in SEND_KINDS else (kind,):
                queue = self._failures.get(selector)
                if queue:
                    return queue.popleft()
        return None

    def _answer(
        self, kind: Kind, params: dict[str, str], body: Any, query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """Decide status, body and headers: injected failure, then the route's answer."""
        failure = self._pop_failure(kind)
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            return failure.status, _error_body(failure.code, failure.message), headers
        with self._lock:
            if kind in ("send", "reply"):
                return 201, {"id": self._new_activity_id()}, {}
            if kind == "history":
                return 201, {"id": ""}, {}
            if kind == "update":
                return 200, {"id": params["activity_id"]}, {}
            if kind == "delete":
                return 200, None, {}
            if kind == "create":
                return self._create_conversation(body)
            if kind == "list":
                return 200, {"conversations": [], "continuationToken": None}, {}
            if kind == "members":
                return 200, self._members(params["conversation_id"]), {}
            if kind == "paged":
                return self._paged_members(params["conversation_id"], query)
            if kind == "member":
                return self._member(params["conversation_id"], params["member_id"])
        return 404, _error_body("NotFound", "No such connector route."), {}

    # -- route answers (called under the lock) ---------------------------------------------

    def _new_activity_id(self) -> str:
        self._next_activity += 1
        return str(self._next_activity)

    def _members(self, conversation_id: str) -> list[dict[str, Any]]:
        return [dict(member) for member in self.rosters.get(conversation_id, self.roster)]

    def _paged_members(self, team_id: str, query: dict[str, str]
                       ) -> tuple[int, Any, dict[str, str]]:
        """One page of a team's roster and the token of the next (None on the last page).

        A channel's own id is not a team id: Teams refuses it (the roster is the team's,
        asked by `channelData.team.id`), as a malformed token is refused."""
        if team_id in self.channels or ";messageid=" in team_id:
            return 400, _error_body("BadArgument",
                                    "The conversation is not a team; ask with the team id."), {}
        members = self._members(team_id)
        try:
            size = max(1, min(int(query.get("pageSize") or self.page_size), self.page_size))
            start = int((query.get("continuationToken") or "page-0").removeprefix("page-"))
        except ValueError:
            return 400, _error_body("BadArgument", "Invalid continuation token."), {}
        if not 0 <= start <= len(members):
            return 400, _error_body("BadArgument", "Invalid continuation token."), {}
        end = start + size
        token = f"page-{end}" if end < len(members) else None
        return 200, {"members": members[start:end], "continuationToken": token}, {}

    def _member(self, conversation_id: str, member_id: str) -> tuple[int, Any, dict[str, str]]:
        """Teams finds a member by channel id or by AAD object id."""
        for member in self._members(conversation_id):
            if member_id in (member.get("id"), member.get("aadObjectId")):
                return 200, member, {}
        return 404, _error_body("MemberNotFoundInConversation",
                                "The member was not found in the conversation."), {}

    def _create_conversation(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        """Channel posts get "<channel>;messageid=<id>"; 1:1 chats a stable "a:" id per user."""
        params = body if isinstance(body, dict) else {}
        activity = params.get("activity")
        activity_id = self._new_activity_id() if activity else None
        channel = (params.get("channelData") or {}).get("channel") or {}
        members = params.get("members") or []
        if channel.get("id"):
            base = str(channel["id"])
            conversation_id = f"{base};messageid={activity_id}" if activity_id else base
        elif members:
            key = ",".join(sorted(str(member.get("id", "")) for member in members))
            digest = hashlib.sha1(key.encode()).hexdigest()[:24]
            conversation_id = f"a:1{digest}"
        else:
            return 400, _error_body("BadArgument", "Conversation members are missing."), {}
        answer: dict[str, Any] = {"id": conversation_id, "serviceUrl": self._url}
        if activity_id is not None:
            answer["activityId"] = activity_id
        return 201, answer, {}
