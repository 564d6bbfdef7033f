"""The process's own counters and histograms for /metrics (Prometheus' client library).

Each process counts what it did itself (turns, refusals, sends, sweeps) and is scraped on
its own; Prometheus adds the replicas up (`sum without (instance)`). What every replica
would see alike (outbox depth, tick ages, open dialogs) is not counted here but read from
the database at scrape time (bot/operations.py). Labels hold platforms, adapters, outcomes,
states and job names only: never a person, a team or any text someone wrote.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)

# The _created series would double the page, and no alert reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter("leercoach_turns", "Inbound turns handled, per platform and outcome "
                "(ok, failed, database_away).", ["platform", "outcome"],
                registry=REGISTRY)
TURN_SECONDS = Histogram(
    "leercoach_turn_seconds", "Time to handle one inbound turn, commit included.",
    ["platform", "outcome"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
REFUSED = Counter("leercoach_inbound_refused", "Inbound HTTP requests refused, per adapter "
                  "and status (400, 401).", ["adapter", "status"], registry=REGISTRY)
DELIVERIES = Counter("leercoach_deliveries", "Outbox sends by outcome (sent, retried, dead, "
                     "rate_limited), per platform.", ["platform", "outcome"], registry=REGISTRY)
SWEEP_SECONDS = Histogram("leercoach_sweep_seconds", "Duration of one due sweep.",
                          registry=REGISTRY,
                          buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))
SWEEP_DUE = Counter("leercoach_sweep_due", "People found due by the sweeps.",
                    registry=REGISTRY)
DIALOGS_EXPIRED = Counter("leercoach_dialogs_expired",
                          "Unfinished dialogs ended by the expiry tick.", registry=REGISTRY)
SPOOLED = Counter("leercoach_inbound_spooled", "Typed messages kept in the local spool "
                  "because the database was away, per platform.", ["platform"],
                  registry=REGISTRY)


def delivery(platform: str, outcome: str) -> None:
    """One send's outcome for a platform; a platform's "wait" (HTTP 429) counts twice:
    as retried and as rate_limited."""
    DELIVERIES.labels(platform or "unknown", outcome).inc()


ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of this process
