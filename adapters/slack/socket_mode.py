"""Socket Mode with a watchdog: Slack's websocket can die silently after a quiet spell
(a known bolt-python problem), and then no event arrives and nothing says so.

Every `interval` seconds the watchdog asks whether the connection still counts as alive —
open, not marked stale, and a pong heard within four intervals — and opens a new one when
it does not.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

log = logging.getLogger("leercoach.slack")
MISSED_PONGS = 4


def needs_reconnect(*, connected: bool, last_pong: float | None, connected_at: float,
                    now: float, interval: float) -> bool:
    """Whether the socket must be replaced (pure, for tests)."""
    if not connected:
        return True
    heard = last_pong if last_pong is not None else connected_at
    return now - heard > MISSED_PONGS * interval


class SocketWatchdog:
    def __init__(self, handler: AsyncSocketModeHandler, interval: float) -> None:
        self.handler = handler
        self.interval = interval
        self.connected_at = time.time()
        self.reconnects = 0

    async def run(self) -> None:
        client = self.handler.client
        while True:
            await asyncio.sleep(self.interval)
            try:
                if needs_reconnect(connected=await client.is_connected(),
                                   last_pong=client.last_ping_pong_time,
                                   connected_at=self.connected_at, now=time.time(),
                                   interval=self.interval):
                    log.warning("Slack socket looks dead; reconnecting")
                    await client.connect_to_new_endpoint(force=True)
                    self.connected_at = time.time()
                    self.reconnects += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # keep watching; the next round tries again
                log.exception("Slack socket reconnect failed")
