"""What a chat platform plugs into: the one HTTP server of `leercoach serve`, and the outbox.

A platform's adapter has a name (the `Address.platform` of the people it reaches), the
outbox's sender for them and the pace its API allows; it mounts its endpoints on the shared
aiohttp server (adapters/http_server.py) and may start and stop work of its own with that
server (Slack's Socket Mode connection). `serve` composes a list of adapters, and the outbox
dispatcher takes its senders and limits from that list (`senders`, `limits`); `tick` and
`scheduler` use the same list without a server. Which adapters a process runs is decided
in one place, adapters/platforms.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from aiohttp import web

from bot.outbox.pacing import Limits
from bot.outbox.sender import Sender


class PlatformAdapter(ABC):
    """One platform, as `serve`, `tick` and the outbox see it. Only `name` and `sender`
    must be given; the rest has a default for a platform without them."""

    __slots__ = ()

    @property
    @abstractmethod
    def name(self) -> str:
        """The platform of the addresses it reaches ("slack", "teams", "web", ...)."""

    @property
    @abstractmethod
    def sender(self) -> Sender:
        """The outbox's sender for people on this platform."""

    def limits(self) -> Limits | None:
        """Messages per second per conversation and per tenant; None: no pacing."""
        return None

    def authenticates_people(self) -> bool:
        """Whether people reach the coach here as themselves, signed in by the platform.
        When no adapter does, `serve` prints the admin's login link so that the web chat
        can stand in for a platform."""
        return False

    def mount(self, app: web.Application) -> None:
        """Add its endpoints (and what its pages need) to the server; nothing by default."""
        return None

    async def start(self, app: web.Application) -> None:
        """Start work of its own once the server runs (e.g. connect out)."""
        return None

    async def stop(self) -> None:
        """Stop that work and close its connections before the server stops."""
        return None

    def banner(self) -> list[str]:
        """The lines `serve` prints about it once the port is open."""
        return []


class PlatformOff(Exception):
    """A configured platform that may not run in this process: `banner` is the line
    `serve` prints about it, `refusal` why `serve` will not start when no other chat
    platform would run either."""

    def __init__(self, banner: str, refusal: str) -> None:
        super().__init__(refusal)
        self.banner = banner
        self.refusal = refusal


def senders(adapters: Iterable[PlatformAdapter]) -> dict[str, Sender]:
    """The outbox's sender per platform."""
    return {adapter.name: adapter.sender for adapter in adapters}


def limits(adapters: Iterable[PlatformAdapter]) -> dict[str, Limits]:
    """The outbox's pacing per platform that has any."""
    return {adapter.name: found for adapter in adapters
            if (found := adapter.limits()) is not None}
