"""The one aiohttp server of `leercoach serve`: adapters mount their endpoints on it.

It serves `/healthz` (the one address open to anyone), which answers 200 only while the
database does, so a load balancer or container runtime takes a replica out when it loses
its database; its JSON also says how the parts that connect out are doing (Slack's Socket
Mode: "connected", or why not), which a restart would not mend. It serves the endpoints
of the platform adapters it is given (adapters/platform.py: Slack's and Teams' when they
are configured, the web pages always). Given the scheduler's ticks, it runs them on the
server's event loop for as long as the app runs.

`serve` runs it until SIGINT or SIGTERM, or until a part finds a configuration error while
running (Slack refusing the app token): then the server stops and `serve` raises
ConfigError with that one line.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import ConfigError
from bot.runtime import Runtime
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
# name -> how that part is doing, for /healthz (e.g. "slack" -> "connected")
REPORTS_KEY = web.AppKey("reports", dict[str, Callable[[], str]])


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME_KEY]
    healthy = await asyncio.to_thread(ping, runtime.database)
    parts = {name: report() for name, report in request.app[REPORTS_KEY].items()}
    if healthy:
        return web.json_response({"status": "ok", "database": "ok", **parts})
    return web.json_response({"status": "unavailable", "database": "unreachable", **parts},
                             status=503)


def create_app(runtime: Runtime, ticks: Ticks | None = None,
               adapters: Sequence[PlatformAdapter] = ()) -> web.Application:
    """The server with each adapter's endpoints mounted, in order; an adapter's own work
    starts once the server runs and stops before it closes (adapters/platform.py)."""
    app = web.Application(client_max_size=1024 * 1024)
    app[RUNTIME_KEY] = runtime
    app[SHUTDOWN_KEY] = Shutdown()
    app[REPORTS_KEY] = {}
    app.router.add_get("/healthz", healthz)
    for adapter in adapters:
        adapter.mount(app)
        app.cleanup_ctx.append(_adapter_context(adapter))
    if ticks is not None:
        app.cleanup_ctx.append(_scheduler_context(ticks))
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
    try:
        await web.TCPSite(runner, host, port).start()
        ready()
        return await shutdown.wait()
    finally:
        await runner.cleanup()
