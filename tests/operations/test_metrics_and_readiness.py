"""/metrics, /healthz and /readyz over real HTTP.

/metrics moves when a Slack DM is handled (turns, their latency, open dialogs) and when a
nudge is sent (deliveries, outbox depth, the dispatch job's heartbeat); it refuses anyone
without the token, and its labels name no person. /readyz goes 503 when the scheduler's
jobs stop running and back to 200 when they run again.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from adapters.http_server import SCHEDULER_KEY, MetricsAccess, create_app
from adapters.slack.app import slack_limits
from bot.runtime import Runtime
from bot.storage.models import Identity
from scheduler.ticks import DISPATCH_JOB, Ticks
from tests.conftest import queue_nudge
from tests.rigs.loopback import serving
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import ANNA, dm, slack_rig

TOKEN = "metrics-token-of-the-test-0123456789"


def samples(page: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics page, by name and labels."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(page) for sample in family.samples}


def value(page: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return page.get((name, frozenset(labels.items())), 0.0)


async def scrape(http: aiohttp.ClientSession, url: str,
                 token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(f"{url}/metrics", headers=headers) as response:
        return response.status, await response.text()


def test_metrics_move_with_a_turn_and_a_nudge_and_need_the_token(runtime: Runtime) -> None:
    async def scenario() -> None:
        api = MockSlackApi(users=dict(ANNA))
        async with slack_rig(runtime, api=api,
                             metrics_access=MetricsAccess(token=TOKEN)) as rig:
            for anonymous in (None, "not-the-token-at-all-0000"):
                status, _ = await scrape(rig.http, rig.url, anonymous)
                assert status == 401
            status, page = await scrape(rig.http, rig.url)
            assert status == 200
            before = samples(page)

            assert (await rig.post_json(dm("dagboek"))).status == 200
            await rig.posts(1)
            forged = await rig.post_json(dm("hallo"), headers={"X-Slack-Signature": "v0=00"})
            assert forged.status == 401
            with runtime.database.connect() as connection:
                person = connection.execute(select(Identity.person_id)).scalar_one()
            with runtime.database.begin() as connection:  # the diary ends: free for a nudge
                connection.exec_driver_sql("UPDATE dialogs SET status = 'completed'")
            queue_nudge(runtime, person)
            middle = samples((await scrape(rig.http, rig.url))[1])

            ticks = Ticks(runtime, {"slack": rig.adapter.sender},
                          limits={"slack": slack_limits(runtime.settings)})
            report = await ticks.dispatch_tick()
            assert report.count("sent") == 1
            await rig.posts(2)
            after = samples((await scrape(rig.http, rig.url))[1])
            raw = (await scrape(rig.http, rig.url))[1]

        def grew(name: str, page_before: dict, page_after: dict, **labels: str) -> float:
            return value(page_after, name, **labels) - value(page_before, name, **labels)

        assert grew("leercoach_turns_total", before, middle, platform="slack",
                    outcome="ok") == 1
        assert grew("leercoach_turn_seconds_count", before, middle, platform="slack",
                    outcome="ok") == 1
        assert grew("leercoach_inbound_refused_total", before, middle, adapter="slack",
                    status="401") == 1
        assert value(middle, "leercoach_outbox_depth", state="pending") == 1
        assert grew("leercoach_deliveries_total", middle, after, platform="slack",
                    outcome="sent") == 1
        assert value(after, "leercoach_dialogs_open") == 1  # the nudge's diary
        assert ("leercoach_tick_age_seconds", frozenset({("job", DISPATCH_JOB)})) in after
        assert value(after, "leercoach_database_up") == 1
        for private in ("Anna", "U1", "TEST", "dagboek"):
            assert private not in raw, f"{private!r} in a label"

    asyncio.run(scenario())


@dataclass
class FakeMonotonic:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def test_readyz_goes_503_when_the_ticks_stop_and_back_to_200(runtime: Runtime) -> None:
    monotonic = FakeMonotonic()
    ticks = Ticks(runtime, {}, monotonic=monotonic)

    async def scenario() -> None:
        app = create_app(runtime, ticks)
        async with serving(app) as url, aiohttp.ClientSession() as http:
            app[SCHEDULER_KEY].pause()  # the scheduler's jobs stop running

            async def ready() -> tuple[int, dict[str, str]]:
                async with http.get(f"{url}/readyz") as response:
                    return response.status, json.loads(await response.text())

            assert (await ready())[0] == 200
            monotonic.now += 120  # two minutes without a dispatch
            status, body = await ready()
            assert status == 503 and DISPATCH_JOB in body["reason"], body
            async with http.get(f"{url}/healthz") as alive:
                assert alive.status == 200  # alive all the same: no restart needed

            await ticks.dispatch_tick()  # the job runs again
            assert await ready() == (200, {"status": "ready"})

    asyncio.run(scenario())


def test_readyz_says_when_the_schema_is_behind(runtime: Runtime) -> None:
    async def scenario() -> None:
        with runtime.database.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0015'")
        async with serving(create_app(runtime)) as url, aiohttp.ClientSession() as http, \
                http.get(f"{url}/readyz") as response:
            body = json.loads(await response.text())
            assert response.status == 503 and "db upgrade" in body["reason"], body

    asyncio.run(scenario())
