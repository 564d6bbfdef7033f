"""The one aiohttp server of `leercoach serve`: adapters mount their endpoints on it.

It serves `/healthz` (the one address open to anyone), which answers 200 only while the
database does, so a load balancer or container runtime takes a replica out when it loses
its database; Slack's and Teams' endpoints when they are configured; and the web pages (the
web chat, /me, the dashboard). Given the scheduler's ticks, it runs them on the server's
event loop for as long as the app runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime
from bot.storage.database import ping
from scheduler.runner import build_scheduler
from scheduler.ticks import Ticks

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter
    from adapters.teams.app import TeamsAdapter
    from adapters.web.app import WebAdapter

RUNTIME_KEY = web.AppKey("runtime", Runtime)
SCHEDULER_KEY = web.AppKey("scheduler", AsyncIOScheduler)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME_KEY]
    healthy = await asyncio.to_thread(ping, runtime.database)
    if healthy:
        return web.json_response({"status": "ok", "database": "ok"})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def create_app(runtime: Runtime, ticks: Ticks | None = None, *,
               slack: SlackAdapter | None = None,
               teams: TeamsAdapter | None = None,
               web_pages: WebAdapter | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[RUNTIME_KEY] = runtime
    app.router.add_get("/healthz", healthz)
    if slack is not None:
        slack.mount(app)
    if teams is not None:
        teams.mount(app)
    if web_pages is not None:
        web_pages.mount(app)
    if ticks is not None:
        app.cleanup_ctx.append(_scheduler_context(ticks))
    return app


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
