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
from adapters.web.site import (
    RUNTIME,
    STATIC,
    TEMPLATES,
    keep_language,
    render,
    templates,
    viewer_of,
    wants_page,
)
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
        app.middlewares.append(pages_for_errors)


@web.middleware
async def pages_for_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A browser that asks for a page that is not (or no longer) there gets a page that says
    so and where to go, in its language; a script keeps the plain status. Also keeps a
    `?lang=` choice for the session."""
    try:
        response = await handler(request)
    except (web.HTTPNotFound, web.HTTPGone) as error:
        if not wants_page(request) or request.path.startswith("/static/"):
            raise
        response = render(request, "missing.html", status=error.status,
                          viewer=await viewer_of(request), gone=error.status == 410)
    keep_language(request, response)
    return response


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
