"""The web chat over real HTTP on loopback: the admin logs in, creates or chooses a web
person and talks to the coach through the JSON API that static/chat.js uses."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from adapters.http_server import create_app
from adapters.web import chat, sender
from adapters.web.app import WebAdapter
from bot.core.messages import Address, InboundEvent, Outbound, Question, Text
from bot.outbox.sender import DeliveryFailed
from bot.people import web_access as access
from bot.people.roles import set_role
from bot.runtime import Runtime
from bot.storage.models import DiaryEntry, Identity, Person
from tests.rigs.cli import NL_QUESTIONS
from tests.rigs.loopback import serving

STATIC = Path(chat.__file__).parent / "static"
TEMPLATES = Path(chat.__file__).parent / "templates"
JSON_ACCEPT = {"Accept": "application/json"}


@dataclass
class Browser:
    """One logged-in (or anonymous) browser: its cookie jar and the page's CSRF token."""

    http: aiohttp.ClientSession
    url: str
    csrf: str = ""

    async def post(self, path: str, body: Any = None, *, raw: bytes | None = None,
                   csrf: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", **JSON_ACCEPT}
        token = self.csrf if csrf is None else csrf
        if token:
            headers["X-CSRF-Token"] = token
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(f"{self.url}{path}", data=data, headers=headers,
                                  allow_redirects=False) as response:
            return response.status, await _decoded(response)

    async def get(self, path: str) -> tuple[int, Any]:
        headers = {**JSON_ACCEPT, "X-CSRF-Token": self.csrf}
        async with self.http.get(f"{self.url}{path}", headers=headers,
                                 allow_redirects=False) as response:
            return response.status, await _decoded(response)

    async def page(self) -> tuple[int, str, dict[str, str]]:
        async with self.http.get(f"{self.url}/", headers={"Accept": "text/html"},
                                 allow_redirects=False) as response:
            return response.status, await response.text(), dict(response.headers)

    async def say(self, **body: Any) -> dict[str, Any]:
        status, answer = await self.post("/chat/send", body)
        assert status == 200, answer
        assert isinstance(answer, dict)
        return answer


async def _decoded(response: aiohttp.ClientResponse) -> Any:
    text = await response.text()
    if response.content_type == "application/json":
        return json.loads(text)
    return text


@dataclass
class Rig:
    runtime: Runtime
    adapter: WebAdapter
    url: str
    sessions: list[aiohttp.ClientSession]

    async def browser(self, person_id: int | None = None, *, anonymous: bool = False
                      ) -> Browser:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sessions.append(http)
        browser = Browser(http, self.url)
        if anonymous:
            return browser
        with self.runtime.database.begin() as connection:
            token = access.issue_link(connection, person_id, self.runtime.engine.clock())
        async with http.post(f"{self.url}/login", data={"token": token},
                             allow_redirects=False) as response:
            assert response.status == 303
        async with http.get(f"{self.url}/me", headers={"Accept": "text/html"}) as response:
            found = re.search(r'<meta name="csrf-token" content="([^"]+)">',
                              await response.text())
        assert found
        browser.csrf = found.group(1)
        return browser


@asynccontextmanager
async def web_rig(runtime: Runtime) -> AsyncIterator[Rig]:
    adapter = WebAdapter(runtime)
    async with serving(create_app(runtime, adapters=[adapter])) as url:
        rig = Rig(runtime, adapter, url, [])
        try:
            yield rig
        finally:
            for session in rig.sessions:
                await session.close()


def run(runtime: Runtime, scenario: Callable[[Rig], Awaitable[None]]) -> None:
    async def main() -> None:
        async with web_rig(runtime) as rig:
            await scenario(rig)

    asyncio.run(main())


def slack_person(runtime: Runtime, user: str, role: str) -> int:
    address = Address("slack", "T1", user, f"D-{user}")
    runtime.engine.handle(InboundEvent(address=address, text="help", display_name=user))
    with runtime.database.begin() as connection:
        person_id = int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())
        set_role(connection, person_id, role)
    return person_id


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or m.get("title") or "") for m in messages)


async def new_person(admin: Browser, name: str = "Anna", locale: str = "nl"
                     ) -> dict[str, Any]:
    status, created = await admin.post("/chat/person", {"name": name, "locale": locale,
                                                        "timezone": "Europe/Amsterdam"})
    assert status == 200, created
    assert isinstance(created, dict)
    return created


# -- a whole dialog ------------------------------------------------------------------------


def test_a_daily_diary_through_the_web_chat(runtime: Runtime, no_failed_turns: None) -> None:
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        created = await new_person(admin)
        person = created["person"]
        assert person["name"] == "Anna" and person["id"].startswith("web-anna-")
        # the engine met her: the language came with her, so the onboarding does not ask it
        # again (issue 18) and starts with her time zone
        first = created["messages"][-1]
        assert first["kind"] == "question" and "tijdzone" in first["text"]
        assert not first.get("choices")

        started = await admin.say(text="dagboek")
        assert NL_QUESTIONS[0] in texts(started["messages"])
        await admin.say(text="Een klant vroeg iets lastigs.")
        await admin.say(text="Ik vroeg eerst door.")
        asked = await admin.say(text="Eerst vragen, dan adviseren.")
        scale = asked["messages"][-1]
        assert scale == {"kind": "scale", "text": NL_QUESTIONS[3], "ref": scale["ref"],
                         "minimum": 1, "maximum": 5, "low_label": "weinig geleerd",
                         "high_label": "veel geleerd"}
        done = await admin.say(value="4", reply_to=scale["ref"])
        assert done["answered"] == [scale["ref"]]
        assert "Eerst vragen, dan adviseren." in texts(done["messages"])
        # the same button pressed again is stale: nothing is taken twice
        again = await admin.say(value="4", reply_to=scale["ref"])
        assert again["answered"] == []

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        entry = connection.execute(select(DiaryEntry.moments, DiaryEntry.value)).one()
        anna = connection.execute(select(Person.display_name, Person.locale, Person.timezone)
                                  ).one()
    assert tuple(entry) == ("Een klant vroeg iets lastigs.", 4)
    assert tuple(anna) == ("Anna", "nl", "Europe/Amsterdam")


def test_choosing_a_person_and_opening_the_page_where_they_were(runtime: Runtime) -> None:
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        anna = (await new_person(admin, "Anna"))["person"]
        bob = (await new_person(admin, "Bob <b>de Bouwer</b>", "en"))["person"]
        await admin.say(text="diary")  # Bob is in the middle of his diary
        status, chosen = await admin.post("/chat/choose", {"person": anna["id"]})
        assert status == 200 and chosen["person"] == anna
        status, opened = await admin.get("/chat/start")
        assert status == 200 and opened["person"] == anna
        status, chosen = await admin.post("/chat/choose", {"person": bob["id"]})
        status, opened = await admin.get("/chat/start")
        assert opened["messages"][-1]["kind"] == "question"
        assert "Which learning moments" in opened["messages"][-1]["text"]

        status, html, headers = await admin.page()
        assert status == 200
        assert "script-src 'self'" in str(headers["Content-Security-Policy"])
        for needed in ('id="messages"', 'id="person-select"', 'id="chat-input"',
                       'id="chat-send"', 'id="new-person-name"', 'id="new-person-create"'):
            assert needed in html
        assert "Bob &lt;b&gt;de Bouwer&lt;/b&gt;" in html and "<b>de" not in html
        assert f'value="{bob["id"]}" selected' in html  # the session remembers the choice
        assert "<script>" not in html and "style=" not in html  # nothing inline (CSP)
        status, unknown = await admin.post("/chat/choose", {"person": "web-nobody"})
        assert status == 404 and unknown["error"] == "not_found"

    run(runtime, scenario)


# -- who may use it ------------------------------------------------------------------------


def test_only_the_admin_chats_and_others_land_on_their_own_page(runtime: Runtime) -> None:
    facilitator = slack_person(runtime, "U-faci", "facilitator")
    participant = slack_person(runtime, "U-part", "participant")

    async def scenario(rig: Rig) -> None:
        anonymous = await rig.browser(anonymous=True)
        status, _, headers = await anonymous.page()
        assert status == 303 and headers["Location"] == "/login"
        assert (await anonymous.get("/chat/messages"))[0] == 401
        assert (await anonymous.get("/chat/start"))[0] == 401
        for path in ("/chat/send", "/chat/person", "/chat/choose"):
            status, answer = await anonymous.post(path, {"text": "hoi"})
            assert status == 401 and answer == {"error": "unauthorized"}

        for person_id, landing in ((facilitator, "/dashboard"), (participant, "/me")):
            browser = await rig.browser(person_id)
            status, _, headers = await browser.page()
            assert status == 303 and headers["Location"] == landing
            assert (await browser.post("/chat/send", {"text": "hoi"}))[0] == 403
            assert (await browser.get("/chat/messages"))[0] == 403

    run(runtime, scenario)


def test_every_post_needs_the_csrf_token(runtime: Runtime) -> None:
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        await new_person(admin)
        for path, body in (("/chat/send", {"text": "dagboek"}),
                           ("/chat/person", {"name": "Eve"}),
                           ("/chat/choose", {"person": "web-x"})):
            for token in ("", "wrong-token"):
                status, _ = await admin.post(path, body, csrf=token)
                assert status == 403, (path, token)
        async with admin.http.get(f"{admin.url}/chat/start", headers=JSON_ACCEPT) as response:
            assert response.status == 403  # it runs a turn, so it carries the token too

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(DiaryEntry.id)).first() is None
        names = connection.execute(select(Person.display_name)).scalars().all()
    assert names == ["Anna"]


# -- bad input -----------------------------------------------------------------------------


BAD_POSTS = [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (b"[" * 10_000 + b"]" * 10_000, "not valid JSON"),
    (json.dumps({"text": 12}).encode(), "text must be a string"),
    (json.dumps({"text": "a", "value": "b"}).encode(), "exactly one"),
    (json.dumps({}).encode(), "exactly one"),
    (json.dumps({"values": "nl"}).encode(), "values must be"),
    (json.dumps({"values": [1]}).encode(), "values must be"),
    (json.dumps({"form": {"a": 1}}).encode(), "form must be"),
    (json.dumps({"form": ["a"]}).encode(), "form must be"),
    (json.dumps({"value": "4", "reply_to": 7}).encode(), "reply_to must be"),
    (b'{"text": "' + b"x" * (chat.MAX_BODY + 1) + b'"}', "larger than"),
]


def test_bad_posts_get_a_clear_400(runtime: Runtime, no_failed_turns: None) -> None:
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        await new_person(admin)
        for raw, detail in BAD_POSTS:
            status, answer = await admin.post("/chat/send", raw=raw)
            assert status == 400, (raw[:40], answer)
            assert answer["error"] == "bad_request" and detail in answer["detail"], raw[:40]

    run(runtime, scenario)


def test_a_100_kb_answer_gets_the_polite_refusal_and_the_question_stays_open(
        runtime: Runtime, no_failed_turns: None) -> None:
    """As in the terminal and on Slack: the engine says how long it may be, not a bare 400."""
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        await new_person(admin)
        assert NL_QUESTIONS[0] in texts((await admin.say(text="dagboek"))["messages"])
        refused = texts((await admin.say(text="Een lang verhaal. " * 5_700))["messages"])
        assert len("Een lang verhaal. " * 5_700) > 100_000
        assert "Ik kan per antwoord alleen 4000 tekens bewaren" in refused
        assert "De vraag staat nog open" in refused
        taken = texts((await admin.say(text="Een klant vroeg iets lastigs."))["messages"])
        assert NL_QUESTIONS[1] in taken

    run(runtime, scenario)


def test_other_bad_requests_are_4xx_too(runtime: Runtime) -> None:
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        status, answer = await admin.post("/chat/send", {"text": "hoi"})
        assert status == 409 and answer["error"] == "no_person"  # nobody chosen yet
        assert (await admin.get("/chat/messages"))[0] == 409
        assert (await admin.get("/chat/start"))[0] == 409
        for body in ({"name": ""}, {"name": "  "}, {"name": 3}, {"locale": "nl"},
                     {"name": "Eve", "locale": "fr"}, {"name": "x" * 101},
                     {"name": "Eve", "timezone": ["UTC"]}):
            status, answer = await admin.post("/chat/person", body)
            assert status == 400, body
        assert (await admin.post("/chat/choose", {"person": 5}))[0] == 400
        await new_person(admin)
        for after in ("-1", "abc", "1e3", "٣", "9" * 13):
            status, answer = await admin.get(f"/chat/messages?after={after}")
            assert status == 400 and "whole number" in answer["detail"]

    run(runtime, scenario)


# -- what arrives outside a turn -----------------------------------------------------------


def test_a_nudge_waits_in_the_inbox_until_the_page_polls(runtime: Runtime) -> None:
    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        person = (await new_person(admin))["person"]
        status, first = await admin.get("/chat/messages?after=0")
        assert status == 200 and first == {"messages": [], "cursor": 0}

        with runtime.database.connect() as connection:
            person_id = connection.execute(select(Identity.person_id).where(
                Identity.external_id == person["id"])).scalar_one()
        nudge = await asyncio.to_thread(runtime.engine.start_flow, person_id, "diary",
                                        interrupt=True)
        for outbound in nudge:
            await rig.adapter.sender.send(outbound)
        # the page opens after the nudge came: it shows the nudge, and its question once
        status, opened = await admin.get("/chat/start")
        assert status == 200 and opened["cursor"] == len(nudge)
        shown = [m["text"] for m in opened["messages"]]
        assert shown.count(NL_QUESTIONS[0]) == 1 and shown[-1] == NL_QUESTIONS[0]

        status, polled = await admin.get("/chat/messages?after=0")
        assert status == 200 and polled["cursor"] == len(nudge)
        assert polled["messages"][-1]["kind"] == "question"
        assert NL_QUESTIONS[0] == polled["messages"][-1]["text"]
        status, later = await admin.get(f"/chat/messages?after={polled['cursor']}")
        assert later == {"messages": [], "cursor": polled["cursor"]}
        # a cursor from before a restart (beyond the last number) gets what there is
        status, restarted = await admin.get("/chat/messages?after=999")
        assert len(restarted["messages"]) == len(nudge)

        # what came while the page was closed shows once, then where she was
        await rig.adapter.sender.send(Outbound(chat.web_address(person["id"]),
                                               Text("Vergeet je dagboek niet.")))
        status, opened = await admin.get("/chat/start")
        shown = [m["text"] for m in opened["messages"]]
        assert shown[0] == "Vergeet je dagboek niet." and shown[-1] == NL_QUESTIONS[0]
        status, opened = await admin.get("/chat/start")
        assert "Vergeet je dagboek niet." not in [m["text"] for m in opened["messages"]]

        answered = await admin.say(text="Een lastig gesprek.")
        assert answered["answered"] == [polled["messages"][-1]["ref"]]

        with pytest.raises(DeliveryFailed) as refused:
            await rig.adapter.sender.send(Outbound(Address("slack", "T1", "U1", "D1"),
                                                   Text("hoi")))
        assert refused.value.permanent

    run(runtime, scenario)


def test_replies_for_another_web_person_wait_in_their_inbox(runtime: Runtime) -> None:
    web_chat = chat.WebChat(runtime.engine)
    anna, bob = chat.web_address("web-anna-1"), chat.web_address("web-bob-2")
    mine, answered = web_chat.split(anna, [
        Outbound(anna, Text("Bewaard."), answers="d1.x"),
        Outbound(bob, Question("Wil je reageren?", "d2.y")),
        Outbound(Address("slack", "T1", "U1", "D1"), Text("elders")),
    ])
    assert mine == [{"kind": "text", "text": "Bewaard.", "ref": None}]
    assert answered == ["d1.x"]
    waiting, cursor = web_chat.waiting("web-bob-2", 0)
    assert cursor == 1 and waiting[0]["kind"] == "question" and waiting[0]["ref"] == "d2.y"


def test_the_inbox_is_bounded(runtime: Runtime) -> None:
    web_chat = chat.WebChat(runtime.engine)
    address = chat.web_address("web-many-1")

    async def fill() -> None:
        for number in range(sender.INBOX_SIZE + 10):
            await web_chat.sender.send(Outbound(address, Text(f"#{number}")))

    asyncio.run(fill())
    waiting, cursor = web_chat.waiting("web-many-1", 0)
    assert cursor == sender.INBOX_SIZE + 10 and len(waiting) == sender.INBOX_SIZE
    assert waiting[0]["text"] == "#10"


# -- nothing typed becomes markup ----------------------------------------------------------


def test_markup_comes_back_as_plain_json_text(runtime: Runtime) -> None:
    attack = "<img src=x onerror=alert(1)>"

    async def scenario(rig: Rig) -> None:
        admin = await rig.browser()
        await new_person(admin)
        await admin.say(text="dagboek")
        await admin.say(text="Een klant.")
        await admin.say(text="Doorvragen.")
        scale = (await admin.say(text=attack))["messages"][-1]
        async with admin.http.post(f"{admin.url}/chat/send",
                                   data=json.dumps({"value": "3", "reply_to": scale["ref"]}),
                                   headers={"X-CSRF-Token": admin.csrf,
                                            "Content-Type": "application/json"}) as response:
            assert response.content_type == "application/json"
            done = json.loads(await response.text())
        assert any(attack in m["text"] for m in done["messages"])

    run(runtime, scenario)


def test_the_script_and_page_build_messages_as_text_only() -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    template = (TEMPLATES / "chat.html").read_text(encoding="utf-8")
    assert "<script>" not in template and "style=" not in template and "|safe" not in template
