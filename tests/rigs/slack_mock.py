"""A local stand-in for the Slack Web API, served on loopback with aiohttp.

Why: the Slack adapter's tests and `bench/slack_load.py` need to talk to "Slack" through the
real slack_sdk clients (URL building, auth header, error handling, retries) without a network
or a workspace. Point a client at it with::

    api = MockSlackApi()
    base_url = await api.start()            # "http://127.0.0.1:PORT/api/"
    client = AsyncWebClient(token="xoxb-test", base_url=base_url)
    ...
    await api.stop()

or, from sync code or another thread's event loop::

    with MockSlackApi.running() as api:
        WebClient(token="xoxb-test", base_url=api.base_url).auth_test()

slack_sdk posts to `base_url + method` (e.g. ".../api/chat.postMessage"), sends the token as
`Authorization: Bearer …`, and puts parameters in a JSON body (chat.*, views.*), a form body
(urlencoded or multipart, the sync client) or the query string (the async client's `params`).
All three are merged into `Call.params`.

Retries: slack_sdk's default retry handlers only retry connection errors, so an injected 429
surfaces as `SlackApiError` (status 429, `Retry-After` header). A client built with
`retry_handlers=[RateLimitErrorRetryHandler()]` will retry instead; pass `retry_handlers=[]`
to make sure nothing is retried at all.

Contract: every chat.postMessage, chat.update, chat.postEphemeral and views.* call is checked
against Slack's Block Kit rules (tests/contracts/block_kit.py). A call Slack would refuse is
answered as Slack answers it (`invalid_blocks` with `errors` for chat.*, `invalid_arguments`
for views.*); everything found, including what Slack only warns about (a missing `text`
fallback), is kept in `violations`. tests/conftest.py fails any test that leaves violations
behind; a test that sends broken blocks on purpose takes them with `take_violations()`.

Keep this module free of pytest: the benchmark imports it as `tests.rigs.slack_mock`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.contracts import block_kit
from tests.rigs.loopback import LoopbackServer
from tests.rigs.slack_rate_limits import PostLimits

__all__ = ["Call", "ContractViolation", "Failure", "MockSlackApi", "Responder", "Workspace",
           "watch"]

JSON_FIELDS = ("blocks", "view", "attachments", "user_auth_blocks", "metadata")
"""Fields Slack accepts as JSON text inside form bodies; decoded so tests compare objects."""

TOKENLESS_METHODS = frozenset({"api.test", "oauth.v2.access"})
"""Methods Slack answers without a bearer token (OAuth uses client credentials instead)."""

APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
"""Methods that take an app-level token (xapp-…), not a bot token
(https://api.slack.com/methods/apps.connections.open)."""

FIRST_TS_MICROS = 1_700_000_000_000_100
"""Message timestamps start at "1700000000.000100" and grow by 100 µs, like Slack's format."""

Responder = Callable[[dict[str, Any]], dict[str, Any]]
"""A test-supplied answer for one method: gets the merged params, returns the JSON body."""

_watchers: list[Callable[[MockSlackApi], None]] = []


def watch(callback: Callable[[MockSlackApi], None]) -> Callable[[], None]:
    """Call `callback` with every mock created from now on (the test suite collects them to
    fail a test whose calls broke Slack's contract); returns the function that stops it."""
    _watchers.append(callback)
    return lambda: _watchers.remove(callback)


@dataclass(frozen=True)
class ContractViolation:
    """A rule of Slack's published contract that one call to the mock broke."""

    method: str
    violation: block_kit.Violation

    def __str__(self) -> str:
        return f"{self.method}: {block_kit.describe([self.violation])}"


@dataclass(frozen=True)
class Workspace:
    """Identity of one install; auth.test, team.info and oauth.v2.access answer from it."""

    team_id: str = "T0LEERCO"
    team_name: str = "Leercoach Test"
    team_domain: str = "leercoach-test"
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    is_enterprise_install: bool = False
    bot_user_id: str = "U0LEERBOT"
    bot_id: str = "B0LEERBOT"
    app_id: str = "A0LEERAPP"
    bot_name: str = "leercoach"
    granted_teams: tuple[str, ...] = ()
    """For an org-wide install: the workspaces it was granted (auth.teams.list)."""


@dataclass(frozen=True)
class Call:
    """One request the mock answered, as the test wants to assert on it."""

    method: str
    params: dict[str, Any]
    token: str | None
    http_verb: str
    status: int
    response: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        """Whether Slack would have called this a success."""
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass(frozen=True)
class Failure:
    """One queued injected failure for a method."""

    error: str
    status: int
    retry_after: int | None


def _truthy(value: Any) -> bool:
    """Slack flags arrive as True, "1", "true" depending on client and body type."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _decode_json_fields(params: dict[str, Any]) -> None:
    """Form bodies carry blocks/view as JSON text; tests should see the objects."""
    for name in JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # Malformed JSON stays text; chat.* then answers invalid_blocks_format like Slack.
            with suppress(ValueError):
                params[name] = json.loads(value)


def _split_users(value: Any) -> list[str]:
    """conversations.open takes "U1,U2" (form/query) or a list (JSON)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(part) for part in value]
    return []


def _basic_auth(header: str) -> tuple[str, str] | None:
    """oauth.v2.access sends client_id:client_secret as HTTP Basic auth."""
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip()).decode("utf-8")
    except ValueError:
        return None
    client_id, _, secret = raw.partition(":")
    return client_id, secret


class MockSlackApi(LoopbackServer):
    """Slack Web API on 127.0.0.1 that records calls and fails on demand.

    State a test may set directly (read by the server on every call):
    - `users[user_id] = {...}`: users.info knows this user; the dict overrides the defaults
      (tz "Europe/Amsterdam", locale "nl-NL", names derived from the id; `profile` merges).
      Unknown users get `user_not_found`; the bot user is always known.
    - `valid_tokens`: a set of accepted tokens; None (default) accepts any "xoxb-" token.
    - `tokens[token] = Workspace(...)`: which install a token belongs to (default `workspace`).
    - `latency`: seconds every call sleeps before answering (load tests).
    - `oauth_workspace`, `oauth_scope`, `oauth_authed_user_id`, `client_id`, `client_secret`,
      `valid_oauth_codes`: what oauth.v2.access checks and installs.
    - `responders[method] = fn(params) -> body`: answer a method the mock does not model.
    - `post_limits = PostLimits(...)`: chat.postMessage within Slack's rate limits per
      channel and per workspace, 429 with Retry-After beyond them (None: no limits).
    Everything shared with the server thread goes through `_lock`.
    """

    def __init__(
        self,
        *,
        workspace: Workspace | None = None,
        latency: float = 0.0,
        valid_tokens: set[str] | None = None,
        users: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        self.workspace = workspace or Workspace()
        self.latency = latency
        self.valid_tokens = valid_tokens
        self.users: dict[str, dict[str, Any]] = dict(users or {})
        self.tokens: dict[str, Workspace] = {}
        self.responders: dict[str, Responder] = {}
        self.oauth_workspace: Workspace | None = None
        self.oauth_scope = "chat:write,im:write,im:history,users:read,commands"
        self.oauth_authed_user_id = "U0INSTALLER"
        self.client_id: str | None = None
        self.client_secret: str | None = None
        self.valid_oauth_codes: set[str] | None = None
        self.app_tokens: set[str] | None = None
        self.socket_url: str | None = None
        self.calls: list[Call] = []
        self.post_limits: PostLimits | None = None
        self.violations: list[ContractViolation] = []
        self._lock = threading.Condition(threading.RLock())
        self._failures: dict[str, deque[Failure]] = {}
        self._next_ts = FIRST_TS_MICROS
        self._next_view = 0
        self._next_token = 0
        self._home_views: dict[str, str] = {}
        self._external_views: dict[str, str] = {}
        super().__init__()
        self._handlers: dict[str, Callable[[dict[str, Any], Workspace], dict[str, Any]]] = {
            "api.test": lambda params, _ws: {"ok": True, "args": params},
            "auth.test": self._auth_test,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.publish": self._views_publish,
            "views.update": self._views_update,
            "users.info": self._users_info,
            "oauth.v2.access": self._oauth_v2_access,
            "team.info": self._team_info,
            "bots.info": self._bots_info,
            "auth.teams.list": self._auth_teams_list,
            "apps.connections.open": self._apps_connections_open,
        }
        for watcher in list(_watchers):
            watcher(self)

    # -- lifecycle -------------------------------------------------------------------------

    thread_name = "slack-mock"

    @property
    def base_url(self) -> str:
        """The slack_sdk `base_url` ("http://127.0.0.1:PORT/api/"); only while running."""
        return self.url

    def _routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._handle)

    def _url_for(self, port: int) -> str:
        return f"http://127.0.0.1:{port}/api/"

    # -- test controls ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Queue `count` failures for the next calls to `method`, before auth is checked.

        `status` defaults to 429 for "ratelimited" and 200 (ok:false) otherwise; a 429 always
        carries `Retry-After` (`retry_after`, default 1) as Slack does.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200
        if status == 429 and retry_after is None:
            retry_after = 1
        failure = Failure(error=error, status=status, retry_after=retry_after)
        with self._lock:
            self._failures.setdefault(method, deque()).extend([failure] * count)

    def pending_failures(self, method: str) -> int:
        """How many injected failures for `method` are still queued."""
        with self._lock:
            return len(self._failures.get(method, ()))

    def reset(self) -> None:
        """Forget recorded calls and queued failures (between bench phases)."""
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    def take_violations(self) -> list[ContractViolation]:
        """The contract violations recorded so far, forgotten here: a test that broke the
        contract on purpose takes them (and asserts on them) so the suite does not fail it."""
        with self._lock:
            taken, self.violations = self.violations, []
        return taken

    def calls_to(self, method: str) -> list[Call]:
        """A snapshot of the recorded calls to one method, oldest first."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for_sync(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls to `method` were answered; never from the server thread."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                calls = [call for call in self.calls if call.method == method]
                if len(calls) >= count:
                    return calls
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(self._timeout_message(method, count, len(calls), timeout))
                self._lock.wait(left)

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Await `count` answered calls to `method`; polls, so it works from any event loop."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(method, count, len(calls), timeout))
            await asyncio.sleep(0.005)

    def _timeout_message(self, method: str, count: int, seen: int, timeout: float) -> str:
        with self._lock:
            methods = sorted({call.method for call in self.calls})
        return (f"{seen}/{count} calls to {method} after {timeout}s; "
                f"methods called: {methods}")

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        """Parse, answer and record one Web API request."""
        method = request.match_info["method"]
        params = await self._read_params(request)
        token = self._bearer(request, params)
        status, body, headers = self._answer(method, params, token, request)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        call = Call(method=method, params=params, token=token, http_verb=request.method,
                    status=status, response=body)
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Merge query string, form (urlencoded or multipart) and JSON body, like Slack."""
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                payload = await request.json()
                if isinstance(payload, dict):
                    params.update(payload)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        params[key] = value.file.read()
                    else:
                        params[key] = value if isinstance(value, str) else bytes(value)
        _decode_json_fields(params)
        return params

    @staticmethod
    def _bearer(request: web.Request, params: dict[str, Any]) -> str | None:
        """The bearer token, or a `token` form field as older clients send it."""
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        token = params.pop("token", None)
        return str(token) if token else None

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None, request: web.Request
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Decide status, body and headers: injected failure, unknown method, auth, handler."""
        with self._lock:
            queue = self._failures.get(method)
            failure = queue.popleft() if queue else None
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            return failure.status, {"ok": False, "error": failure.error}, headers
        responder = self.responders.get(method)
        handler = self._handlers.get(method)
        if responder is None and handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if method == "oauth.v2.access":
            credentials = _basic_auth(request.headers.get("Authorization", ""))
            if credentials is not None:
                params.setdefault("client_id", credentials[0])
                params.setdefault("client_secret", credentials[1])
        elif method in APP_TOKEN_METHODS:
            error = self._app_token_error(token)
            if error is not None:
                return 200, {"ok": False, "error": error}, {}
        elif method not in TOKENLESS_METHODS:
            error = self._auth_error(token)
            if error is not None:
                return 200, {"ok": False, "error": error}, {}
        refusal = self._check_contract(method, params)
        if refusal is not None:
            return 200, refusal, {}
        if responder is not None:
            return 200, responder(params), {}
        assert handler is not None
        with self._lock:
            workspace = self.tokens.get(token or "", self.workspace)
            limits = self.post_limits
            if method == "chat.postMessage" and limits is not None:
                wait = limits.retry_after(workspace.team_id, str(params.get("channel")))
                if wait is not None:
                    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
            return 200, handler(params, workspace), {}

    def _check_contract(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Slack's Block Kit rules on the call: violations are recorded; those Slack refuses
        are answered as Slack does (chat.*: `invalid_blocks` with `errors`, as in
        https://docs.slack.dev/reference/methods/blocks.validate and chat.postMessage's
        answers; views.*: `invalid_arguments`), each message with its JSON pointer."""
        found = block_kit.check_call(method, params)
        if not found:
            return None
        with self._lock:
            self.violations.extend(ContractViolation(method, v) for v in found)
        refused = [v for v in found if v.rejected]
        if not refused:
            return None  # Slack only warns (a missing `text` fallback): the call succeeds
        messages = [f"[ERROR] {v}" for v in refused]
        if method in block_kit.VIEW_METHODS:
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": messages}}
        return {"ok": False, "error": "invalid_blocks", "errors": [str(v) for v in refused],
                "response_metadata": {"messages": messages}}

    def _auth_error(self, token: str | None) -> str | None:
        """Slack's answer to a missing or unknown token."""
        if not token:
            return "not_authed"
        with self._lock:
            valid = self.valid_tokens
            known = token in self.tokens
        if valid is None:
            return None if token.startswith("xoxb-") or known else "invalid_auth"
        return None if token in valid else "invalid_auth"

    def _app_token_error(self, token: str | None) -> str | None:
        """Slack's answer to a call that needs an app-level token."""
        if not token:
            return "not_authed"
        with self._lock:
            valid = self.app_tokens
            known = token in self.tokens
        if not token.startswith("xapp-") and not known:
            return "not_allowed_token_type" if token.startswith("xox") else "invalid_auth"
        if valid is not None and token not in valid:
            return "invalid_auth"
        return None

    # -- method handlers (called under the lock) -------------------------------------------

    def _new_ts(self) -> str:
        micros = self._next_ts
        self._next_ts += 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_view_id(self) -> str:
        self._next_view += 1
        return f"V{self._next_view:010d}"

    def _auth_test(self, _params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            # Not in Slack's own answer (there `user_id` is the bot user); kept for callers.
            "bot_user_id": ws.bot_user_id,
            "app_id": ws.app_id,
            "enterprise_id": ws.enterprise_id,
            "is_enterprise_install": ws.is_enterprise_install,
        }

    @staticmethod
    def _dm_channel(user_id: str) -> str:
        """A user's stable DM id, so posts to "U…" and conversations.open agree."""
        return f"D{user_id}"

    def _resolve_channel(self, channel: str) -> str:
        """Slack answers a post to a user id with the DM channel id."""
        if channel[:1] in ("U", "W"):
            return self._dm_channel(channel)
        return channel

    def _conversations_open(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        users = _split_users(params.get("users"))
        channel_id = params.get("channel")
        if channel_id and not users:
            return {"ok": True, "no_op": True, "already_open": True,
                    "channel": {"id": str(channel_id)}}
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 8:
            return {"ok": False, "error": "too_many_users"}
        if len(users) == 1:
            channel: dict[str, Any] = {
                "id": self._dm_channel(users[0]), "created": 1_700_000_000, "is_im": True,
                "is_mpim": False, "is_org_shared": False, "user": users[0],
                "is_open": True, "priority": 0,
            }
        else:
            members = sorted({*users, ws.bot_user_id})
            digest = hashlib.sha1(",".join(members).encode()).hexdigest()[:10].upper()
            channel = {
                "id": f"G{digest}", "name": "mpdm-" + "--".join(m.lower() for m in members) + "-1",
                "created": 1_700_000_000, "is_im": False, "is_mpim": True, "is_group": True,
                "is_private": True, "is_open": True, "members": members,
            }
        return {"ok": True, "no_op": False, "already_open": False, "channel": channel}

    def _message(self, params: dict[str, Any], ws: Workspace, ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message", "user": ws.bot_user_id, "bot_id": ws.bot_id, "app_id": ws.app_id,
            "team": ws.team_id, "text": str(params.get("text", "")), "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in params:
                message[key] = params[key]
        return message

    @staticmethod
    def _content_error(params: dict[str, Any]) -> str | None:
        if not params.get("channel"):
            return "channel_not_found"
        if isinstance(params.get("blocks"), str):
            return "invalid_blocks_format"
        if not any(params.get(key) for key in ("text", "blocks", "attachments")):
            return "no_text"
        return None

    def _chat_post_message(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        error = self._content_error(params)
        if error is not None:
            return {"ok": False, "error": error}
        ts = self._new_ts()
        return {"ok": True, "channel": self._resolve_channel(str(params["channel"])), "ts": ts,
                "message": self._message(params, ws, ts)}

    def _chat_update(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        error = self._content_error(params)
        if error is not None:
            return {"ok": False, "error": error}
        if not params.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(params["ts"])
        return {"ok": True, "channel": self._resolve_channel(str(params["channel"])), "ts": ts,
                "text": str(params.get("text", "")), "message": self._message(params, ws, ts)}

    def _chat_post_ephemeral(self, params: dict[str, Any], _ws: Workspace) -> dict[str, Any]:
        error = self._content_error(params)
        if error is not None:
            return {"ok": False, "error": error}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    def _view(self, view: Any, view_id: str, ws: Workspace) -> dict[str, Any]:
        """The posted view as Slack echoes it: with id, hash, state and app identity."""
        posted = dict(view) if isinstance(view, dict) else {}
        return {
            "callback_id": "", "private_metadata": "", "external_id": "",
            "state": {"values": {}}, "clear_on_close": False, "notify_on_close": False,
            **posted,
            "id": view_id, "team_id": ws.team_id, "app_id": ws.app_id, "bot_id": ws.bot_id,
            "root_view_id": view_id, "previous_view_id": None,
            "hash": f"{int(time.time())}.{self._next_view:08d}",
        }

    def _views_open(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = self._new_view_id()
        external_id = params["view"].get("external_id")
        if external_id:
            self._external_views[str(external_id)] = view_id
        return {"ok": True, "view": self._view(params["view"], view_id, ws)}

    def _views_publish(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id or not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = self._home_views.get(str(user_id))
        if view_id is None:
            view_id = self._home_views[str(user_id)] = self._new_view_id()
        return {"ok": True, "view": self._view(params["view"], view_id, ws)}

    def _views_update(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        if not isinstance(params.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and external_id:
            view_id = self._external_views.get(str(external_id))
            if view_id is None:
                return {"ok": False, "error": "not_found"}
        if not view_id:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(params["view"], str(view_id), ws)}

    def _user(self, user_id: str, ws: Workspace) -> dict[str, Any] | None:
        """Defaults for any user, overlaid with `users[user_id]`; None if unknown."""
        override = self.users.get(user_id)
        if override is None and user_id != ws.bot_user_id:
            return None
        override = override or {}
        is_bot = user_id == ws.bot_user_id
        name = ws.bot_name if is_bot else user_id.lower()
        user: dict[str, Any] = {
            "id": user_id, "team_id": ws.team_id, "name": name, "deleted": False,
            "real_name": "Leercoach" if is_bot else f"User {user_id}",
            "tz": "Europe/Amsterdam", "tz_label": "Central European Time", "tz_offset": 3600,
            "locale": "nl-NL", "is_admin": False, "is_owner": False, "is_bot": is_bot,
            "is_app_user": False, "updated": 1_700_000_000,
        }
        user.update({key: value for key, value in override.items() if key != "profile"})
        profile: dict[str, Any] = {
            "real_name": user["real_name"], "real_name_normalized": user["real_name"],
            "display_name": user["name"], "display_name_normalized": user["name"],
            "team": ws.team_id,
        }
        profile.update(override.get("profile") or {})
        user["profile"] = profile
        return user

    def _users_info(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        user = self._user(str(params.get("user", "")), ws)
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        if not _truthy(params.get("include_locale", False)):
            user.pop("locale", None)
        return {"ok": True, "user": user}

    def _oauth_v2_access(self, params: dict[str, Any], _ws: Workspace) -> dict[str, Any]:
        if not params.get("client_id") or (
            self.client_id is not None and params["client_id"] != self.client_id
        ):
            return {"ok": False, "error": "invalid_client_id"}
        if self.client_secret is not None and params.get("client_secret") != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        code = params.get("code")
        refresh = params.get("grant_type") == "refresh_token"
        if not refresh and (not code or (
            self.valid_oauth_codes is not None and code not in self.valid_oauth_codes
        )):
            return {"ok": False, "error": "invalid_code"}
        ws = self.oauth_workspace or self.workspace
        self._next_token += 1
        token = f"xoxb-{ws.team_id}-{self._next_token}-mock"
        self.tokens[token] = ws
        if self.valid_tokens is not None:
            self.valid_tokens.add(token)
        enterprise = (
            {"id": ws.enterprise_id, "name": ws.enterprise_name} if ws.enterprise_id else None
        )
        team = None if ws.is_enterprise_install else {"id": ws.team_id, "name": ws.team_name}
        return {
            "ok": True, "app_id": ws.app_id, "authed_user": {"id": self.oauth_authed_user_id},
            "scope": self.oauth_scope, "token_type": "bot", "access_token": token,
            "bot_user_id": ws.bot_user_id, "team": team, "enterprise": enterprise,
            "is_enterprise_install": ws.is_enterprise_install,
        }

    def _team_info(self, _params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        team: dict[str, Any] = {
            "id": ws.team_id, "name": ws.team_name, "domain": ws.team_domain,
            "email_domain": "", "icon": {"image_default": True},
        }
        if ws.enterprise_id:
            team.update(enterprise_id=ws.enterprise_id, enterprise_name=ws.enterprise_name)
        return {"ok": True, "team": team}

    def _bots_info(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        bot_id = str(params.get("bot") or ws.bot_id)
        if bot_id != ws.bot_id:
            return {"ok": False, "error": "bot_not_found"}
        return {"ok": True, "bot": {
            "id": bot_id, "deleted": False, "name": ws.bot_name, "updated": 1_700_000_000,
            "app_id": ws.app_id, "user_id": ws.bot_user_id, "icons": {},
        }}

    def _auth_teams_list(self, _params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        """https://api.slack.com/methods/auth.teams.list: the workspaces an org-wide
        install was granted (a workspace install answers its own)."""
        teams = ws.granted_teams or (ws.team_id,)
        return {"ok": True, "teams": [{"id": team, "name": f"Workspace {team}"}
                                      for team in teams],
                "response_metadata": {"next_cursor": ""}}

    def _apps_connections_open(self, _params: dict[str, Any], _ws: Workspace
                               ) -> dict[str, Any]:
        """https://api.slack.com/methods/apps.connections.open: a Socket Mode websocket URL
        (`socket_url`, a websocket server the test serves on loopback)."""
        if self.socket_url is None:
            return {"ok": False, "error": "internal_error"}
        return {"ok": True, "url": self.socket_url}
