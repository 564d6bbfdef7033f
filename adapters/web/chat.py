"""The web chat at `/`: the embedded default's admin talks to the coach as a web person.

One more thin adapter of the message model, like Slack and Teams: a JSON post becomes an
InboundEvent, the replies come back as JSON, and static/chat.js renders them with DOM text
only (buttons, scales, forms), so nothing a person typed can become markup. Web people are
platform `web`, tenant `local`, with an id the page makes; the engine creates them at
their first turn, as it does on any platform.

What arrives outside a person's own turn (a nudge from the outbox, a reply from someone
else's turn) waits in an in-memory inbox per web person (adapters/web/sender.py), which the
page polls; `GET /chat/start` shows where the person was.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import Connection, select

from adapters.turn_runner import TurnRunner
from adapters.web.sender import (
    PLATFORM,
    TENANT,
    Inbox,
    Json,
    WebSender,
    to_json,
)
from adapters.web.site import (
    allow,
    check_csrf,
    refuse,
    render,
    runtime_of,
    viewer_of,
    viewer_required,
)
from bot.conversation.coach import Coach
from bot.core.messages import (
    Address,
    InboundEvent,
    Outbound,
)
from bot.core.prompts import LOCALES
from bot.core.text_input import clean_text
from bot.people import web_access as access
from bot.runtime import Runtime
from bot.storage.models import Identity, Person, table_of

log = logging.getLogger("leercoach.web.chat")

# A long answer is the engine's to refuse politely (max_answer_chars, as in the terminal and
# on Slack): the body may hold far more than any flow takes, and only beyond this is a 400.
MAX_BODY = 1024 * 1024
MAX_TOKEN = 200  # a button value, a ref, a field name or a person's id
MAX_ITEMS = 50  # choices ticked or fields in one form
MAX_NAME = 100
MAX_ZONE = 64

_identities = table_of(Identity)
_people = table_of(Person)


def web_address(person: str) -> Address:
    """A web person's DM: the chat page itself."""
    return Address(platform=PLATFORM, tenant=TENANT, person=person,
                   conversation=f"{PLATFORM}:{person}")


class WebChat:
    """The web chat's turns; what arrives outside them waits in `sender`'s inboxes."""

    def __init__(self, engine: Coach) -> None:
        self.engine = engine
        self.turns = TurnRunner(engine)
        self.sender = WebSender()

    def inbox(self, person: str) -> Inbox:
        return self.sender.inbox(person)

    async def turn(self, event: InboundEvent) -> tuple[list[Json], list[str]]:
        """Run one turn: this person's replies, and the refs of the questions it answered.
        Replies for other web people wait in their inboxes."""
        async with self.turns.person(event.address):
            replies = await self.turns.call(self.engine.handle, event)
        return self.split(event.address, replies)

    async def start(self, address: Address) -> tuple[list[Json], int]:
        """What the page shows when it opens: what arrived while nobody looked, then where
        the person is (unless that question is among what arrived), and the inbox cursor."""
        async with self.turns.person(address):
            resumed = await self.turns.call(self.engine.resume, address)
        box = self.inbox(address.person)
        waiting = [message for number, message in box.items if number > box.fetched]
        box.fetched = box.last
        mine, _ = self.split(address, resumed)
        asked = {message["ref"] for message in waiting if message["ref"]}
        if any(message["ref"] in asked for message in mine):
            mine = []
        return waiting + mine, box.last

    def waiting(self, person: str, cursor: int) -> tuple[list[Json], int]:
        return self.sender.waiting(person, cursor)

    def split(self, address: Address, replies: list[Outbound]) -> tuple[list[Json], list[str]]:
        """This person's replies (and the refs they answered); replies for other web people
        go to their inboxes, and nobody on another platform can be reached from here."""
        mine: list[Json] = []
        answered: list[str] = []
        for outbound in replies:
            to = outbound.address
            if (to.platform, to.tenant, to.person) == (PLATFORM, TENANT, address.person):
                mine.append(to_json(outbound.message))
                if outbound.answers and outbound.answers not in answered:
                    answered.append(outbound.answers)
            elif (to.platform, to.tenant) == (PLATFORM, TENANT):
                self.inbox(to.person).put(to_json(outbound.message))
            else:
                log.warning("a reply for %s cannot go out through the web chat", to.platform)
        return mine, answered


CHAT = web.AppKey("web_chat", WebChat)


# -- web people in the database --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebPerson:
    """A person with a web identity: `person_id` is people.id, `external` the page's id."""

    person_id: int
    external: str
    name: str
    locale: str

    @property
    def address(self) -> Address:
        return web_address(self.external)

    def to_json(self) -> Json:
        return {"id": self.external, "name": self.name, "locale": self.locale}


def _web_people_query() -> Any:
    return (select(_people.c.id, _identities.c.external_id, _people.c.display_name,
                   _people.c.locale)
            .join(_identities, _identities.c.person_id == _people.c.id)
            .where(_identities.c.platform == PLATFORM, _identities.c.tenant == TENANT,
                   _people.c.status != "deleted"))


def web_people(connection: Connection) -> list[WebPerson]:
    rows = connection.execute(_web_people_query().order_by(_people.c.display_name,
                                                           _people.c.id)).all()
    return [WebPerson(row[0], row[1], row[2], row[3]) for row in rows]


def web_person(connection: Connection, *, person_id: int | None = None,
               external: str | None = None) -> WebPerson | None:
    query = _web_people_query()
    if person_id is not None:
        query = query.where(_people.c.id == person_id)
    if external is not None:
        query = query.where(_identities.c.external_id == external)
    row = connection.execute(query.limit(1)).first()
    return WebPerson(row[0], row[1], row[2], row[3]) if row else None


def new_person_id(name: str) -> str:
    """A short id that shows whom it belongs to, unique by its random tail."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:20].strip("-")
    return f"web-{slug or 'person'}-{secrets.token_hex(3)}"


# -- reading what the page sends -------------------------------------------------------------


_REFUSALS: dict[int, tuple[type[web.HTTPException], str]] = {
    400: (web.HTTPBadRequest, "bad_request"),
    404: (web.HTTPNotFound, "not_found"),
    409: (web.HTTPConflict, "no_person"),
}


def bad(detail: str, status: int = 400) -> web.HTTPException:
    """A refusal the script can show; `detail` says what was wrong (for developers)."""
    kind, code = _REFUSALS[status]
    return kind(text=json.dumps({"error": code, "detail": detail}),
                content_type="application/json")


async def json_body(request: web.Request) -> Json:
    """The request's JSON object, or 400: too large, not JSON, or not an object."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise bad(f"the body is larger than {MAX_BODY} bytes")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise bad(f"the body is larger than {MAX_BODY} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise bad("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad("the body must be a JSON object")
    return body


def _string(body: Json, key: str, limit: int, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise bad(f"{key} must be a string")
    if len(value) > limit:
        raise bad(f"{key} is longer than {limit} characters")
    return value


def event_of(address: Address, body: Json) -> InboundEvent:
    """The event a chat post stands for: exactly one of text, value, values or form."""
    given = [key for key in ("text", "value", "values", "form") if body.get(key) is not None]
    if len(given) != 1:
        raise bad("send exactly one of text, value, values or form")
    reply_to = _string(body, "reply_to", MAX_TOKEN)
    key = given[0]
    if key == "text":
        return InboundEvent(address=address, text=_string(body, "text", MAX_BODY),
                            reply_to=reply_to)
    if key == "value":
        return InboundEvent(address=address, value=_string(body, "value", MAX_TOKEN),
                            reply_to=reply_to)
    if key == "values":
        values = body["values"]
        if (not isinstance(values, list) or len(values) > MAX_ITEMS
                or not all(isinstance(v, str) and len(v) <= MAX_TOKEN for v in values)):
            raise bad(f"values must be a list of at most {MAX_ITEMS} short strings")
        return InboundEvent(address=address, values=tuple(values), reply_to=reply_to)
    form = body["form"]
    if (not isinstance(form, dict) or len(form) > MAX_ITEMS
            or not all(isinstance(k, str) and len(k) <= MAX_TOKEN and isinstance(v, str)
                       for k, v in form.items())):
        raise bad(f"form must be an object of at most {MAX_ITEMS} fields with string values")
    return InboundEvent(address=address, form=dict(form), reply_to=reply_to)


def _json(payload: Json) -> web.Response:
    response = web.json_response(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- handlers --------------------------------------------------------------------------------


async def _chosen(request: web.Request, viewer: access.Viewer) -> WebPerson:
    """The web person the admin chats as, or 409 when none is chosen (or it is gone)."""
    runtime = runtime_of(request)
    chosen_id = viewer.chat_person_id
    if chosen_id is not None:

        def look() -> WebPerson | None:
            with runtime.database.connect() as connection:
                return web_person(connection, person_id=chosen_id)

        found = await asyncio.to_thread(look)
        if found is not None:
            return found
    raise bad("choose a web person first (POST /chat/choose or /chat/person)", 409)


async def page(request: web.Request) -> web.StreamResponse:
    """The chat for the admin; facilitators and participants land on their own pages."""
    viewer = await viewer_of(request)
    if viewer is None:
        return refuse(request, None, 401)
    if viewer.role == "facilitator":
        raise web.HTTPSeeOther("/dashboard")
    if viewer.role != "admin":
        raise web.HTTPSeeOther("/me")
    runtime = runtime_of(request)

    def look() -> tuple[list[WebPerson], WebPerson | None]:
        with runtime.database.connect() as connection:
            chosen = (web_person(connection, person_id=viewer.chat_person_id)
                      if viewer.chat_person_id is not None else None)
            return web_people(connection), chosen

    people, chosen = await asyncio.to_thread(look)
    return render(request, "chat.html", viewer=viewer, people=people, chosen=chosen,
                  locales=LOCALES, default_locale=runtime.settings.default_locale)


@allow("admin")
async def create_person(request: web.Request) -> web.StreamResponse:
    """A new web person: the engine meets them (and greets them) at this first turn."""
    viewer = await viewer_required(request)
    await check_csrf(request, viewer)
    body = await json_body(request)
    runtime = runtime_of(request)
    name = clean_text(_string(body, "name", MAX_NAME, required=True) or "")
    if not name:
        raise bad("name must not be empty")
    locale = _string(body, "locale", 8) or runtime.settings.default_locale
    if locale not in LOCALES:
        raise bad(f"locale must be one of {', '.join(LOCALES)}")
    zone = _string(body, "timezone", MAX_ZONE)
    external = new_person_id(name)
    address = web_address(external)
    messages, _ = await request.app[CHAT].turn(InboundEvent(
        address=address, text="", display_name=name, locale=locale, timezone=zone))

    person = await _choose(runtime, viewer.session_id, external)
    if person is None:
        raise bad("the coach could not create this person", 409)
    _, cursor = request.app[CHAT].waiting(external, 0)
    return _json({"person": person.to_json(), "messages": messages, "cursor": cursor})


async def _choose(runtime: Runtime, session_id: int, external: str) -> WebPerson | None:
    """Keep the web person (if there is one) as whom the admin's session chats."""

    def choose() -> WebPerson | None:
        with runtime.database.begin() as connection:
            found = web_person(connection, external=external)
            if found is not None:
                access.choose_chat_person(connection, session_id, found.person_id)
            return found

    return await asyncio.to_thread(choose)


@allow("admin")
async def choose_person(request: web.Request) -> web.StreamResponse:
    viewer = await viewer_required(request)
    await check_csrf(request, viewer)
    body = await json_body(request)
    external = _string(body, "person", MAX_TOKEN, required=True) or ""
    if not external.isprintable():  # a NUL or a lone surrogate is in no id we made
        raise bad("no web person with this id", 404)
    person = await _choose(runtime_of(request), viewer.session_id, external)
    if person is None:
        raise bad("no web person with this id", 404)
    return _json({"person": person.to_json()})


@allow("admin")
async def send(request: web.Request) -> web.StreamResponse:
    """One turn: the replies for this person, and the refs of the questions it answered
    (the page disables their buttons)."""
    viewer = await viewer_required(request)
    await check_csrf(request, viewer)
    body = await json_body(request)
    person = await _chosen(request, viewer)
    messages, answered = await request.app[CHAT].turn(event_of(person.address, body))
    return _json({"messages": messages, "answered": answered})


@allow("admin")
async def start(request: web.Request) -> web.StreamResponse:
    """Where the chosen person is, for a page that just opened (it runs a turn, so it
    carries the CSRF token like a post)."""
    viewer = await viewer_required(request)
    await check_csrf(request, viewer)
    person = await _chosen(request, viewer)
    messages, cursor = await request.app[CHAT].start(person.address)
    return _json({"person": person.to_json(), "messages": messages, "cursor": cursor})


@allow("admin")
async def messages(request: web.Request) -> web.StreamResponse:
    """What arrived for the chosen person after the page's cursor."""
    viewer = await viewer_required(request)
    raw = request.query.get("after", "0")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise bad("after must be a whole number")
    person = await _chosen(request, viewer)
    found, cursor = request.app[CHAT].waiting(person.external, int(raw))
    return _json({"messages": found, "cursor": cursor})


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", page)
    router.add_post("/chat/person", create_person)
    router.add_post("/chat/choose", choose_person)
    router.add_post("/chat/send", send)
    router.add_get("/chat/start", start)
    router.add_get("/chat/messages", messages)
