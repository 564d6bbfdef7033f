"""A local stand-in for a platform's HTTP API: an aiohttp app on a free loopback port.

The Slack Web API mock and the fake Bot Connector share this life cycle: started on the
caller's event loop (`start` / `async with`), or on a private loop in a daemon thread
(`running()`) for sync code and benchmarks. Free of pytest: benches import it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

from aiohttp import web

S = TypeVar("S", bound="LoopbackServer")


class LoopbackServer:
    """Subclasses add their routes (`_routes`) and say what URL callers use (`_url_for`)."""

    thread_name = "loopback-server"

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    def _routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _url_for(self, port: int) -> str:
        return f"http://127.0.0.1:{port}/"

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        return self._url

    async def start(self) -> str:
        """Bind a free loopback port on the current loop; returns the URL."""
        if self._runner is not None:
            return self.url
        app = web.Application()
        self._routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._url = self._url_for(runner.addresses[0][1])
        return self._url

    async def stop(self) -> None:
        """Close the server; safe to call twice."""
        runner, self._runner = self._runner, None
        self._url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self: S) -> S:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @classmethod
    @contextmanager
    def running(cls: type[S], **kwargs: Any) -> Iterator[S]:
        """Serve from a private event loop in a daemon thread; kwargs go to the
        constructor."""
        server = cls(**kwargs)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=cls.thread_name, daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=10)
            yield server
        finally:
            try:
                asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=10)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
                loop.close()


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Our own server (`create_app`) on a free loopback port: its base URL, no trailing /."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait on the running loop until `condition()` holds (something a server does in the
    background); fail after `timeout` seconds rather than hang."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
