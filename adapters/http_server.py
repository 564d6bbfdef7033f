"""The one aiohttp server of `leercoach serve`: adapters mount their endpoints on it.

It serves `/healthz` and `/readyz` (open to anyone, nothing personal in them). `/healthz`
says the process is alive and how the parts that connect out are doing (Slack's Socket
Mode: "connected", or why not), which a restart would not mend. `/readyz` answers 200 only
while the database answers, its schema is at the newest migration and, where this process
runs the scheduler, its jobs ran recently; otherwise 503 with the reason, so a load
balancer or container runtime takes the replica out. `/metrics` (Prometheus' text format,
bot/metrics.py and bot/operations.py) is served on this router only behind a bearer token
(LEERCOACH_METRICS_TOKEN), or on a listener of its own (LEERCOACH_METRICS_PORT), as the
operator chooses; without either it is not served. It serves the endpoints
of the platform adapters it is given (adapters/platform.py: Slack's and Teams' when they
are configured, the web pages always). Given the scheduler's ticks, it runs them on the
server's event loop for as long as the app runs.

`serve` runs it until SIGINT or SIGTERM, or until a part finds a configuration error while
running (Slack refusing the app token): then the server stops and `serve` raises
ConfigError with that one line.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractResource
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import log_context, metrics
from bot.config import ConfigError
from bot.operations import exposition
from bot.runtime import Runtime
from bot.storage import migrate
from bot.storage.database import ping
from scheduler.runner import build_scheduler
from scheduler.ticks import Ticks

if TYPE_CHECKING:
    from adapters.platform import PlatformAdapter


class Shutdown:
    """A part's reason to stop the whole server (a configuration error found while
    running); `stop()` without a reason is a signal's ordinary stop."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self._stopped = asyncio.Event()

    def stop(self, reason: str | None = None) -> None:
        if not self._stopped.is_set():
            self.reason = reason
            self._stopped.set()

    async def wait(self) -> str | None:
        await self._stopped.wait()
        return self.reason


RUNTIME_KEY = web.AppKey("runtime", Runtime)
SCHEDULER_KEY = web.AppKey("scheduler", AsyncIOScheduler)
SHUTDOWN_KEY = web.AppKey("shutdown", Shutdown)


@dataclass(frozen=True, slots=True)
class MetricsAccess:
    """How /metrics is reached: behind `token` on the public router, and/or open on a
    listener of its own at `host`:`port` (meant for a private network)."""

    token: str = ""
    host: str = "127.0.0.1"
    port: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MetricsAccess:
        """LEERCOACH_METRICS_TOKEN, LEERCOACH_METRICS_PORT and LEERCOACH_METRICS_HOST
        (ConfigError naming the variable when one cannot be used)."""
        token = env.get("LEERCOACH_METRICS_TOKEN", "").strip()
        if token and len(token) < 16:
            raise ConfigError("LEERCOACH_METRICS_TOKEN must be at least 16 characters")
        port_text = env.get("LEERCOACH_METRICS_PORT", "").strip()
        port: int | None = None
        if port_text:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise ConfigError("LEERCOACH_METRICS_PORT must be a port number (1-65535), "
                                  f"not {port_text!r}")
            port = int(port_text)
        host = env.get("LEERCOACH_METRICS_HOST", "").strip() or "127.0.0.1"
        return cls(token, host, port)

    def describe(self) -> str:
        """Where /metrics is, for the banner."""
        where = [f"http://{self.host}:{self.port}/metrics"] if self.port else []
        where += ["/metrics with the bearer token"] if self.token else []
        return ("Metrics: " + " and ".join(where)) if where else \
            "Metrics: off (set LEERCOACH_METRICS_PORT or LEERCOACH_METRICS_TOKEN)"


# name -> how that part is doing, for /healthz (e.g. "slack" -> "connected")
REPORTS_KEY = web.AppKey("reports", dict[str, Callable[[], str]])
TICKS_KEY = web.AppKey("ticks", Ticks)
# the endpoints each adapter mounted, to count its refusals under its name
OWNERS_KEY = web.AppKey("owners", dict[AbstractResource, str])
METRICS_KEY = web.AppKey("metrics", MetricsAccess)
HEAD_KEY = web.AppKey("head", str)
REFUSALS = (400, 401)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


async def healthz(request: web.Request) -> web.Response:
    """Alive: the process answers. The parts that connect out say how they are doing."""
    parts = {name: report() for name, report in request.app[REPORTS_KEY].items()}
    return web.json_response({"status": "ok", **parts})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the database answers at the newest schema, and the scheduler's
    jobs (where this process runs them) are not late."""
    runtime = request.app[RUNTIME_KEY]
    if not await asyncio.to_thread(ping, runtime.database):
        return _not_ready("database unreachable")
    current = await asyncio.to_thread(migrate.current_revision, runtime.database)
    if current != request.app[HEAD_KEY]:
        return _not_ready(f"database schema at {current}, not {request.app[HEAD_KEY]}: "
                          "run leercoach db upgrade")
    ticks = request.app.get(TICKS_KEY)
    late = ticks.late() if ticks is not None else []
    if late:
        return _not_ready(f"scheduler jobs late: {', '.join(late)}")
    return web.json_response({"status": "ready"})


def _not_ready(reason: str) -> web.Response:
    return web.json_response({"status": "unavailable", "reason": reason}, status=503)


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus' text format; behind the bearer token on the public router."""
    access = request.app[METRICS_KEY]
    if access.token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {access.token}".encode()):
            return web.json_response({"error": "unauthorized"}, status=401)
    runtime = request.app[RUNTIME_KEY]
    body = await asyncio.to_thread(exposition, runtime.database, runtime.engine.clock)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@web.middleware
async def observe(request: web.Request,
                  handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                  ) -> web.StreamResponse:
    """Every request gets an id for its log lines (the caller's X-Request-Id when it is a
    plain token), and the refusals (400, 401) are counted per adapter."""
    given = request.headers.get("X-Request-Id", "")
    log_context.REQUEST_ID.set(given if _REQUEST_ID.fullmatch(given) else log_context.new_id())
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        if status in REFUSALS:
            resource = request.match_info.route.resource
            owner = request.app[OWNERS_KEY].get(resource) if resource is not None else None
            metrics.REFUSED.labels(owner or "server", str(status)).inc()


def create_app(runtime: Runtime, ticks: Ticks | None = None,
               adapters: Sequence[PlatformAdapter] = (),
               metrics_access: MetricsAccess | None = None) -> web.Application:
    """The server with each adapter's endpoints mounted, in order; an adapter's own work
    starts once the server runs and stops before it closes (adapters/platform.py)."""
    app = web.Application(client_max_size=1024 * 1024, middlewares=[observe])
    app[RUNTIME_KEY] = runtime
    app[SHUTDOWN_KEY] = Shutdown()
    app[REPORTS_KEY] = {}
    app[OWNERS_KEY] = {}
    app[METRICS_KEY] = metrics_access or MetricsAccess()
    app[HEAD_KEY] = migrate.head_revision() or ""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if app[METRICS_KEY].token:
        app.router.add_get("/metrics", metrics_page)
    for adapter in adapters:
        before = len(app.router.resources())
        adapter.mount(app)
        for resource in list(app.router.resources())[before:]:
            app[OWNERS_KEY][resource] = adapter.name
        app.cleanup_ctx.append(_adapter_context(adapter))
    if ticks is not None:
        app[TICKS_KEY] = ticks
        app.cleanup_ctx.append(_scheduler_context(ticks))
    return app


def metrics_app(runtime: Runtime) -> web.Application:
    """/metrics alone, open, for a listener of its own (LEERCOACH_METRICS_PORT)."""
    app = web.Application()
    app[RUNTIME_KEY] = runtime
    app[METRICS_KEY] = MetricsAccess()  # no token: the listener itself is private
    app.router.add_get("/metrics", metrics_page)
    return app


def _adapter_context(
    adapter: PlatformAdapter,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Start an adapter's own work with the server, and stop it when the server stops."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        await adapter.start(app)
        yield
        await adapter.stop()

    return run


def _scheduler_context(
    ticks: Ticks,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Start the ticks with the server's event loop and stop them when it stops."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        scheduler = build_scheduler(ticks)
        scheduler.start()
        app[SCHEDULER_KEY] = scheduler
        yield
        scheduler.shutdown(wait=False)

    return run


async def with_metrics_listener(runtime: Runtime, access: MetricsAccess,
                                work: Awaitable[None]) -> None:
    """Run `work` (the standalone scheduler) with /metrics on its own listener when
    LEERCOACH_METRICS_PORT is set: its sends and sweeps are counted in that process."""
    if not access.port:
        await work
        return
    runner = web.AppRunner(metrics_app(runtime))
    await runner.setup()
    try:
        await web.TCPSite(runner, access.host, access.port).start()
        await work
    finally:
        await runner.cleanup()


def serve(app: web.Application, host: str, port: int, ready: Callable[[], None]) -> None:
    """Serve until SIGINT/SIGTERM; `ready` runs once the port is open. A configuration
    error a part found while running stops the server and is raised as ConfigError."""
    reason = asyncio.run(_serve(app, host, port, ready))
    if reason:
        raise ConfigError(reason)


async def _serve(app: web.Application, host: str, port: int,
                 ready: Callable[[], None]) -> str | None:
    shutdown = app[SHUTDOWN_KEY]
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(number, shutdown.stop)
    runner = web.AppRunner(app)
    await runner.setup()
    access = app[METRICS_KEY]
    apart = web.AppRunner(metrics_app(app[RUNTIME_KEY])) if access.port else None
    try:
        await web.TCPSite(runner, host, port).start()
        if apart is not None and access.port:
            await apart.setup()
            await web.TCPSite(apart, access.host, access.port).start()
        ready()
        return await shutdown.wait()
    finally:
        if apart is not None:
            await apart.cleanup()
        await runner.cleanup()
