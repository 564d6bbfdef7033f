"""What every web page shares: the session behind a request, who may open which page,
templates with nl/en texts, and the CSRF check on every form and chat post.

A page handler declares who may open it with `@allow(...)`; an anonymous browser is sent
to the login page (a page) or gets 401 (anything a script calls), someone without the
right gets 403 with a page that says why. The session cookie is HttpOnly and SameSite=Lax,
and Secure when LEERCOACH_PUBLIC_URL is https.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import cache, wraps
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from adapters.web.markup import chat_markup
from bot.core.prompts import LOCALES
from bot.people import web_access as access
from bot.people.web_access import Role, Viewer
from bot.runtime import Runtime

COOKIE = "leercoach_session"
LANG_COOKIE = "leercoach_lang"  # the language chosen with the switch, for this browser session
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
RUNTIME = web.AppKey("web_runtime", Runtime)
TEMPLATES = web.AppKey("web_templates", jinja2.Environment)
VIEWER: web.RequestKey[Viewer | None] = web.RequestKey("leercoach_viewer")  # None: anonymous

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


STATIC = Path(__file__).parent / "static"


@cache
def static_url(name: str) -> str:
    """A static file's address with a hash of its content, so a browser never keeps an old
    script after an upgrade."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


def templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("adapters.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals["static"] = static_url
    environment.filters["chat"] = chat_markup
    return environment


def runtime_of(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


def now_of(request: web.Request) -> datetime:
    return runtime_of(request).engine.clock()


async def viewer_of(request: web.Request) -> Viewer | None:
    """The session's viewer (looked up once per request), or None for an anonymous browser."""
    if VIEWER in request:
        return request[VIEWER]
    secret = request.cookies.get(COOKIE)
    found = None
    if secret and len(secret) < 200:
        runtime = runtime_of(request)
        now = now_of(request)

        def look() -> Viewer | None:
            with runtime.database.begin() as connection:
                return access.viewer(connection, secret, now, runtime.settings.default_locale)

        found = await asyncio.to_thread(look)
    request[VIEWER] = found
    return found


def wants_page(request: web.Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "text/html")


def asked_locale(request: web.Request) -> str | None:
    """`?lang=` when it names one of our languages (the switch's links carry it)."""
    asked = request.query.get("lang")
    return str(asked) if asked in LOCALES else None


def browser_locale(request: web.Request) -> str | None:
    """The first of our languages the browser's Accept-Language names, by its weights."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("Accept-Language", "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in LOCALES and weight > 0:
            wanted.append((-weight, index, language))
    return min(wanted)[2] if wanted else None


def locale_of(request: web.Request, viewer: Viewer | None) -> str:
    """The page's language: `?lang=`, else the switch's choice this session, else the
    person's chat language, else the browser's, else the install's default."""
    if asked := asked_locale(request):
        return asked
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return str(chosen)
    if viewer is not None and viewer.locale in LOCALES:
        return viewer.locale
    return browser_locale(request) or runtime_of(request).settings.default_locale


def language_links(request: web.Request) -> list[tuple[str, str]]:
    """(language, address) of this page in each language: the same path and query with
    `lang` set, so the switch keeps the organisation and team the page shows."""
    links = []
    for code in LOCALES:
        query = [(key, value) for key, value in request.query.items() if key != "lang"]
        links.append((code, str(request.rel_url.with_query([*query, ("lang", code)]))))
    return links


def texts(request: web.Request, locale: str) -> Callable[..., str]:
    prompts = runtime_of(request).engine.prompts

    def text(key: str, **variables: Any) -> str:
        return prompts.render(f"web.{key}", locale, **variables)

    return text


def render(request: web.Request, template: str, *, status: int = 200,
           viewer: Viewer | None = None, **context: Any) -> web.Response:
    """A page from `templates/`, with the viewer, its CSRF token and the texts `t(...)`."""
    locale = locale_of(request, viewer)
    page = request.app[TEMPLATES].get_template(template).render(
        viewer=viewer, csrf=viewer.csrf if viewer else "", locale=locale,
        t=texts(request, locale), path=request.path, languages=language_links(request),
        **context)
    response = web.Response(text=page, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def keep_language(request: web.Request, response: web.StreamResponse) -> None:
    """A `?lang=` choice sticks for the browser session (a cookie without an expiry), so
    the navigation, forms and redirects keep it without carrying it in every address."""
    asked = asked_locale(request)
    if asked and request.cookies.get(LANG_COOKIE) != asked and not response.prepared:
        response.set_cookie(LANG_COOKIE, asked, httponly=True, samesite="Lax",
                            secure=secure_cookies(request), path="/")


def refuse(request: web.Request, viewer: Viewer | None, status: int) -> web.StreamResponse:
    """401/403 as a page for a browser, as JSON for a script; an anonymous page request is
    sent to the login page instead."""
    if status == 401 and wants_page(request):
        raise web.HTTPSeeOther("/login")
    if wants_page(request):
        return render(request, "refused.html", status=status, viewer=viewer)
    return web.json_response({"error": "unauthorized" if status == 401 else "forbidden"},
                             status=status)


def allow(*roles: Role) -> Callable[[Handler], Handler]:
    """Only these roles may open the page; anonymous: login, others: 403."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            viewer = await viewer_of(request)
            if viewer is None:
                return refuse(request, None, 401)
            if viewer.role not in roles:
                return refuse(request, viewer, 403)
            return await handler(request)

        return guarded

    return decorate


async def viewer_required(request: web.Request) -> Viewer:
    """The viewer of a handler behind `@allow` (always there)."""
    viewer = await viewer_of(request)
    assert viewer is not None, "use @allow on this handler"
    return viewer


async def check_csrf(request: web.Request, viewer: Viewer,
                     form: dict[str, Any] | None = None) -> None:
    """A state-changing request carries the session's CSRF token (header or form field)."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and form is not None:
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not access.same_secret(given, viewer.csrf):
        raise web.HTTPForbidden(text="CSRF token missing or wrong", content_type="text/plain")


def secure_cookies(request: web.Request) -> bool:
    return runtime_of(request).settings.public_url.startswith("https://")
