"""What /metrics reads from the database at scrape time: the same answer from every replica,
so it works however many there are (the process's own counters are in bot/metrics.py).

Outbox depth and the age of the oldest delivery per waiting state, how long ago each
scheduler job last ran in any replica (bot/storage/heartbeats.py), and the dialogs open.
Only counts and ages: no person, team or text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.outbox.deliveries import DEAD, PENDING, SENDING
from bot.storage import heartbeats
from bot.storage.models import Delivery, Dialog, table_of

log = logging.getLogger("leercoach.metrics")
WAITING_STATES = (PENDING, SENDING, DEAD)  # sent, skipped and expired rows are history
_deliveries, _dialogs = table_of(Delivery), table_of(Dialog)


class DatabaseCollector(Collector):
    """Gauges computed by a few indexed queries when Prometheus scrapes."""

    def __init__(self, database: Engine, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("leercoach_database_up",
                               "1 when the database answered this scrape's queries.")
        try:
            found = list(self._read())
        except SQLAlchemyError as exc:
            log.debug("metrics: the database did not answer (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found

    def _read(self) -> Iterator[Metric]:
        now = self.clock()
        depth = GaugeMetricFamily("leercoach_outbox_depth",
                                  "Deliveries in the outbox per waiting state.", labels=["state"])
        oldest = GaugeMetricFamily(
            "leercoach_outbox_oldest_age_seconds",
            "Age of the oldest delivery per waiting state (0 when there is none).",
            labels=["state"])
        ticks = GaugeMetricFamily(
            "leercoach_tick_age_seconds",
            "Seconds since a scheduler job last ran in any replica.", labels=["job"])
        dialogs = GaugeMetricFamily("leercoach_dialogs_open", "Dialogs open (active).")
        with self.database.connect() as connection:
            rows = connection.execute(
                select(_deliveries.c.state, func.count(), func.min(_deliveries.c.created_at))
                .where(_deliveries.c.state.in_(WAITING_STATES))
                .group_by(_deliveries.c.state)).all()
            seen = {state: (count, first) for state, count, first in rows}
            for state in WAITING_STATES:
                count, first = seen.get(state, (0, None))
                depth.add_metric([state], count)
                oldest.add_metric([state], _age(now, first))
            for job, ran_at in sorted(heartbeats.last_runs(connection).items()):
                ticks.add_metric([job], _age(now, ran_at))
            dialogs.add_metric([], connection.execute(
                select(func.count()).select_from(_dialogs)
                .where(_dialogs.c.status == "active")).scalar_one())
        yield from (depth, oldest, ticks, dialogs)


def _age(now: datetime, then: datetime | None) -> float:
    return 0.0 if then is None else max(0.0, (now - then).total_seconds())


def exposition(database: Engine, clock: Callable[[], datetime]) -> bytes:
    """The whole /metrics page in Prometheus' text format: this process's counters, then
    what the database says now."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(DatabaseCollector(database, clock))
    return generate_latest(metrics.REGISTRY) + generate_latest(scraped)
