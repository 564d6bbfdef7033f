"""Every web page, as a list the browser checks (and the README's screenshots) walk through.

`PAGES` names each page, who opens it and what it waits for; to check a new page (the admin
pages, say), add a `Page` to it and every check runs on it at both widths. `build_cast`
makes the world they are opened in: the demo organisation, a facilitator of it, and one of
its people with a chat account (so /me shows the engine's overview), a shared contract with
the colleague's response and a schedule.

The checks themselves: `horizontal_overflow` (the page must not scroll sideways) and
`serious_violations` (axe-core, vendored from the npm registry under tests/rigs/vendor, run
in the page; critical and serious findings only).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import insert, select, update

from bot import demo
from bot.due.organisation_calendar import CalendarCache
from bot.due.schedule_store import person_calendar, register
from bot.people.roles import set_role
from bot.runtime import Runtime
from bot.storage.models import (
    Cohort,
    ContractResponse,
    Identity,
    LearningContract,
    Organisation,
    Person,
    Team,
    table_of,
)
from tests.rigs.browser import login_token, wait_for

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)  # a phone and a laptop
Who = Literal["anonymous", "admin", "facilitator", "participant"]


@dataclass(frozen=True, slots=True)
class Cast:
    """Who the pages are opened as (person ids) and what they point at."""

    facilitator: int
    participant: int  # a demo person with a chat account and a shared contract
    colleague: str  # the participant's colleague who responded to the contract
    response: str  # that response's text
    small_team: int  # the demo's team of four
    cohort: int  # the demo's peer-review cohort


@dataclass(frozen=True, slots=True)
class Page:
    """A page to check: its address (may name Cast fields: `{small_team}`), who opens it,
    and a CSS selector that is there once it is ready (charts drawn, the chat answered)."""

    name: str
    path: str
    who: Who
    ready: str = "main h1"
    prepare: Callable[[Any], None] | None = None  # clicks to make first, on the open page

    def url(self, base: str, cast: Cast) -> str:
        return base + self.path.format(**asdict(cast))


def _chat_with_someone(driver: Any) -> None:
    """The web chat with a person and a question on screen (its hint and buttons are
    what axe found too faint before)."""
    from selenium.webdriver.common.by import By

    if driver.find_elements(By.CSS_SELECTOR, ".msg.msg-bot"):
        return
    driver.find_element(By.ID, "new-person-name").send_keys("Alex Browser")
    driver.find_element(By.ID, "new-person-create").click()
    wait_for(driver, ".msg.msg-bot")
    bot_messages = len(driver.find_elements(By.CSS_SELECTOR, ".msg.msg-bot"))
    driver.find_element(By.ID, "chat-input").send_keys("dagboek")
    driver.find_element(By.ID, "chat-send").click()
    wait_for(driver, ".msg.msg-bot", bot_messages + 1)


PAGES: list[Page] = [
    Page("login", "/login", "anonymous"),
    Page("login-expired", "/login/no-such-link", "anonymous"),
    Page("missing", "/no-such-page", "anonymous"),
    Page("me-admin", "/me", "admin"),  # before the chat: no person chosen yet
    Page("chat", "/", "admin", ready="#chat-input", prepare=_chat_with_someone),
    Page("me", "/me", "participant", ready="#overview"),
    Page("refused", "/dashboard", "participant"),
    Page("missing-logged-in", "/no-such-page", "participant"),
    Page("dashboard", "/dashboard", "facilitator", ready="[data-chart='streaks'][data-drawn]"),
    Page("dashboard-small-team", "/dashboard?team={small_team}", "facilitator",
         ready="#too-small"),
    Page("dashboard-admin", "/dashboard", "admin", ready="[data-chart='streaks'][data-drawn]"),
    # The admin pages, as the embedded admin (the demo organisation is the default) and,
    # where the role allows, as a facilitator
    Page("admin", "/admin", "admin"),
    Page("admin-people", "/admin/people", "admin"),
    Page("admin-people-search", "/admin/people?q=a", "admin"),
    Page("admin-teams", "/admin/teams", "admin"),
    Page("admin-team", "/admin/teams/{small_team}", "admin"),
    Page("admin-cohorts", "/admin/cohorts", "admin"),
    Page("admin-cohort", "/admin/cohorts/{cohort}", "admin"),
    Page("admin-calendar", "/admin/calendar", "admin"),
    Page("admin-goals", "/admin/goals", "admin"),
    Page("admin-competences", "/admin/competences", "admin"),
    Page("admin-checklists", "/admin/checklists", "admin"),
    Page("admin-people-facilitator", "/admin/people", "facilitator"),
    Page("admin-cohort-facilitator", "/admin/cohorts/{cohort}", "facilitator"),
]


def build_cast(runtime: Runtime) -> Cast:
    """The demo organisation, with a facilitator and a participant who can chat."""
    now = runtime.engine.clock()
    people = table_of(Person)
    with runtime.database.begin() as connection:
        demo.build_demo(connection, now=now)
        organisation_id = connection.execute(select(table_of(Organisation).c.id).where(
            table_of(Organisation).c.slug == demo.DEMO_SLUG)).scalar_one()
        everyone = list(connection.execute(select(people.c.id, people.c.display_name).where(
            people.c.organisation_id == organisation_id).order_by(people.c.id)))
        facilitator, participant, colleague = everyone[0], everyone[2], everyone[3]
        set_role(connection, facilitator.id, "facilitator")
        connection.execute(insert(table_of(Identity)).values(
            person_id=participant.id, platform="slack", tenant="T-demo",
            external_id="U-demo-participant", conversation="D-demo-participant",
            created_at=now, last_seen_at=now))
        connection.execute(update(people).where(people.c.id == participant.id)
                           .values(steady_colleague_id=colleague.id))
        response = "Mooi doel! Zullen we het elke vrijdag even bespreken?"
        _share_contract(connection, participant.id, colleague.id, response, now)
        found = person_calendar(connection, participant.id)
        assert found is not None
        register(connection, [found], CalendarCache(), runtime.settings.periodic_time, now)
        small_team = connection.execute(select(table_of(Team).c.id).where(
            table_of(Team).c.organisation_id == organisation_id,
            table_of(Team).c.name == demo.SMALL_TEAM)).scalar_one()
        cohort = connection.execute(select(table_of(Cohort).c.id).where(
            table_of(Cohort).c.organisation_id == organisation_id)
            .order_by(table_of(Cohort).c.id).limit(1)).scalar_one()
    return Cast(facilitator.id, participant.id, colleague.display_name.split(" ")[0],
                response, small_team, cohort)


def _share_contract(connection: Any, person_id: int, colleague_id: int, response: str,
                    now: datetime) -> None:
    """This quarter's contract shared with the colleague, who responded."""
    contracts = table_of(LearningContract)
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    latest = connection.execute(
        select(contracts.c.id, contracts.c.version).where(
            contracts.c.person_id == person_id, contracts.c.quarter == quarter)
        .order_by(contracts.c.version.desc()).limit(1)).first()
    if latest is None:
        contract_id = connection.execute(insert(contracts).values(
            person_id=person_id, quarter=quarter, version=1,
            goal="Elke week om feedback vragen op mijn presentaties.",
            competences=["feedback"], share_consent=True, shared_with_id=colleague_id,
            created_at=now - timedelta(days=20)).returning(contracts.c.id)).scalar_one()
    else:
        contract_id = latest.id
        connection.execute(update(contracts).where(contracts.c.id == contract_id).values(
            share_consent=True, shared_with_id=colleague_id))
    connection.execute(insert(table_of(ContractResponse)).values(
        contract_id=contract_id, responder_id=colleague_id, response=response,
        created_at=now - timedelta(days=2)))


# -- driving the browser ---------------------------------------------------------------


def set_width(driver: Any, width: int, height: int = 900) -> None:
    """A viewport exactly `width` CSS pixels wide. Not emulated as "mobile": a mobile
    viewport widens itself to fit what is too wide, which would hide the very overflow the
    checks look for."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


class Visitor:
    """One browser, logged in as whoever the next page needs."""

    def __init__(self, driver: Any, runtime: Runtime, base: str, cast: Cast) -> None:
        self.driver, self.runtime, self.base, self.cast = driver, runtime, base, cast
        self.who: Who | None = None

    def become(self, who: Who) -> None:
        from selenium.webdriver.common.by import By

        if who == self.who:
            return
        self.driver.get(f"{self.base}/login")
        self.driver.delete_all_cookies()
        if who != "anonymous":
            person = {"admin": None, "facilitator": self.cast.facilitator,
                      "participant": self.cast.participant}[who]
            self.driver.get(f"{self.base}/login/{login_token(self.runtime, person)}")
            self.driver.find_element(By.ID, "login-button").click()
            wait_for(self.driver, "form.logout")
        self.who = who

    def open(self, page: Page) -> None:
        self.become(page.who)
        self.driver.get(page.url(self.base, self.cast))
        if page.prepare is not None:
            page.prepare(self.driver)
        wait_for(self.driver, page.ready)


@contextmanager
def visiting(driver: Any, runtime: Runtime, base: str, cast: Cast) -> Iterator[Visitor]:
    driver.set_script_timeout(60)
    yield Visitor(driver, runtime, base, cast)


OVERFLOW = """
const page = document.scrollingElement;
const wide = [...document.querySelectorAll('body *')].filter(e => {
  const box = e.getBoundingClientRect();
  return box.right > window.innerWidth + 1 && !e.closest('.table-scroll, .heatmap-scroll');
}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                        (typeof e.className === 'string' && e.className ? '.' + e.className : ''));
return {scroll: page.scrollWidth, inner: window.innerWidth, wide: wide};
"""


def unfold(driver: Any) -> None:
    """Open every folded part (tables, older entries), so the checks see all of it."""
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")


def horizontal_overflow(driver: Any) -> dict[str, Any] | None:
    """None when the page fits its width; else its scroll width and what sticks out."""
    found: dict[str, Any] = driver.execute_script(OVERFLOW)
    return None if found["scroll"] <= found["inner"] else found


LOGOUT = """
const button = document.querySelector('form.logout button');
if (!button) { return null; }
const box = button.getBoundingClientRect();
return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
"""


def logout_in_view(driver: Any) -> bool | None:
    """Whether the logout button is on screen (None: no session, so no button)."""
    found: bool | None = driver.execute_script(LOGOUT)
    return found


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


def serious_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations on the open page (run as a WebDriver
    script, which the page's Content-Security-Policy does not govern)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = driver.execute_async_script(RUN_AXE)
    return [violation for violation in found if violation["impact"] in ("critical", "serious")]


def described(problems: dict[str, Any]) -> str:
    return json.dumps(problems, indent=1, ensure_ascii=False)


NOW_FOR_PICTURES = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
