"""Logging in with a one-time link, and out.

Opening `/login/<token>` only shows a button: chat apps and mail scanners open links to
preview them, and a GET that logged in would spend the link before the person clicks it.
The button posts the token; that spends it and sets the session cookie.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import select

from adapters.web.site import (
    COOKIE,
    check_csrf,
    now_of,
    render,
    runtime_of,
    secure_cookies,
    viewer_of,
)
from bot.people import web_access as access
from bot.storage.models import Identity

CHAT_PLATFORMS = ("slack", "teams", "terminal")  # where someone can ask the coach for a link

MAX_TOKEN = 100


def landing(role: access.Role) -> str:
    """Where a fresh session starts: the admin in the web chat, a facilitator on the
    dashboard, everyone else on their own page."""
    return {"admin": "/", "facilitator": "/dashboard", "participant": "/me"}[role]


def chat_platforms(request: web.Request) -> list[str]:
    """The chat platforms people of this install talk to the coach on, in a fixed order:
    the login page names only ways to get a link that exist here."""
    runtime = runtime_of(request)
    with runtime.database.connect() as connection:
        found = set(connection.execute(select(Identity.platform).distinct()).scalars())
    return [platform for platform in CHAT_PLATFORMS if platform in found]


async def show_login(request: web.Request, *, viewer: access.Viewer | None, token: str,
                     valid: bool, status: int) -> web.Response:
    """The login page, with every way to get a link on this install."""
    platforms = await asyncio.to_thread(chat_platforms, request)
    return render(request, "login.html", viewer=viewer, token=token, valid=valid,
                  status=status, platforms=platforms)


async def login_page(request: web.Request) -> web.StreamResponse:
    """Without a token: how to get one. With one: a button to use it (if it still works)."""
    token = request.match_info.get("token", "")
    viewer = await viewer_of(request)
    if not token:
        return await show_login(request, viewer=viewer, token="", valid=False,
                                status=200 if viewer else 401)
    runtime = runtime_of(request)
    now = now_of(request)

    def check() -> bool:
        if len(token) > MAX_TOKEN:
            return False
        with runtime.database.connect() as connection:
            return access.link_is_valid(connection, token, now)

    valid = await asyncio.to_thread(check)
    return await show_login(request, viewer=viewer, token=token, valid=valid,
                            status=200 if valid else 410)


async def posted(request: web.Request) -> dict[str, object]:
    """The fields of a posted form, or 400 for a body that is no form (not UTF-8, a
    multipart body cut short)."""
    try:
        return dict(await request.post())
    except ValueError:  # UnicodeDecodeError, aiohttp's "Reading after EOF"
        raise web.HTTPBadRequest(text="the body is not a form", content_type="text/plain"
                                 ) from None


async def login(request: web.Request) -> web.StreamResponse:
    form = await posted(request)
    token = form.get("token")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return await show_login(request, token="", valid=False, status=400, viewer=None)
    runtime = runtime_of(request)
    now = now_of(request)

    def redeem() -> tuple[str, access.Role] | None:
        with runtime.database.begin() as connection:
            secret = access.redeem_link(connection, token, now)
            if secret is None:
                return None
            found = access.viewer(connection, secret, now)
            return (secret, found.role) if found else None

    opened = await asyncio.to_thread(redeem)
    if opened is None:
        return await show_login(request, token=token, valid=False, status=410, viewer=None)
    secret, role = opened
    response = web.Response(status=303, headers={"Location": landing(role)})
    response.set_cookie(COOKIE, secret, max_age=int(access.SESSION_LIFETIME.total_seconds()),
                        httponly=True, samesite="Lax", secure=secure_cookies(request),
                        path="/")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    viewer = await viewer_of(request)
    if viewer is not None:
        await check_csrf(request, viewer, await posted(request))
        runtime = runtime_of(request)

        def end() -> None:
            with runtime.database.begin() as connection:
                access.end_session(connection, viewer.session_id)

        await asyncio.to_thread(end)
    response = web.Response(status=303, headers={"Location": "/login"})
    response.del_cookie(COOKIE, path="/")
    return response


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/login", login_page)
    router.add_get("/login/{token}", login_page)
    router.add_post("/login", login)
    router.add_post("/logout", logout)
