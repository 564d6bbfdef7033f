"""One replica's share of a workspace budget, run as its own process by
tests/scheduling/test_shared_budgets.py.

    python tests/rigs/budget_worker.py --url URL --rate R --sends N --start-file PATH

It opens the database at URL, waits until START-FILE exists (so several workers begin
together), then takes N slots of the Slack workspace "T-shared" from
`bot.outbox.budgets.SharedBudgets` at R messages a second, sleeping until each, as the
dispatcher does. It prints one JSON line: the slot instants it was given and its round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.outbox.budgets import SharedBudgets
from bot.outbox.pacing import Limits
from bot.storage.database import create_db_engine

TENANT = "T-shared"


async def run(args: argparse.Namespace) -> dict[str, object]:
    database = create_db_engine(args.url)
    budgets = SharedBudgets(database, {"slack": Limits(1.0, args.rate)})
    start = Path(args.start_file)
    while not start.exists():
        await asyncio.sleep(0.01)
    slots = []
    try:
        for _ in range(args.sends):
            slot = await budgets.slot("slack", TENANT)
            assert slot is not None
            slots.append(slot)
            await asyncio.sleep(max(0.0, slot - time.time()))
    finally:
        database.dispose()
    return {"slots": slots, "round_trips": budgets.round_trips}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--sends", type=int, required=True)
    parser.add_argument("--start-file", required=True)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
