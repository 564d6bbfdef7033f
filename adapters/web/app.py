"""The web adapter mounted on the one HTTP server of `leercoach serve`.

Pages: `/` the web chat (the embedded default's admin, trying the coach as someone),
`/me` a person's own history, `/dashboard` the facilitators' aggregates, `/admin/…` the
pages that run it (adapters/web/admin.py), `/login` and `/logout`; `/static` holds the CSS,
the chat's script and the vendored chart library, so
nothing is loaded from the internet. Every page but the login page needs a session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.platform import PlatformAdapter
from adapters.web import admin, chat, dashboard, login, me
from adapters.web.sender import PLATFORM, WebSender
from adapters.web.site import RUNTIME, STATIC, TEMPLATES, templates
from bot.runtime import Runtime


class WebAdapter(PlatformAdapter):
    """The web pages and the web chat's outbox sender for one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.chat = chat.WebChat(runtime.engine)

    @property
    def name(self) -> str:
        return PLATFORM

    @property
    def sender(self) -> WebSender:
        """The outbox's sender for platform `web`: nudges wait in the chat's inboxes."""
        return self.chat.sender

    def mount(self, app: web.Application) -> None:
        app[RUNTIME] = self.runtime
        app[TEMPLATES] = templates()
        app[chat.CHAT] = self.chat
        login.add_routes(app.router)
        chat.add_routes(app.router)
        me.add_routes(app.router)
        dashboard.add_routes(app.router)
        admin.add_routes(app.router)
        app.router.add_static("/static", STATIC)
        app.middlewares.append(security_headers)


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """No framing, no sniffing, no scripts or styles from anywhere but this server."""
    response: web.StreamResponse = await handler(request)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.content_type == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    return response
