"""Benchmark: turns per second of our engine against botbuilder-dialogs, in one run.

N people each start the daily diary and answer its four questions (5 turns each) through
`Engine.handle`, with every turn committed to a SQLite file on disk. In the same run the same
4-question dialog goes through botbuilder-dialogs (WaterfallDialog + TextPrompt over
MemoryStorage, driven by TestAdapter; see botbuilder_peer.py), which keeps its state in memory.

Prints one JSON line last:
{"bench": "engine", "ours_turns_per_s": …, "peer_turns_per_s": …, "ratio": …, "ours_p99_ms": …}
Targets: ratio >= 3, ours p99 <= 5 ms. CI runs it as a smoke run: `--people 10`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botbuilder_peer import run_peer
from sqlalchemy import func, select

from bot.messages import Address, InboundEvent
from bot.runtime import open_runtime
from bot.settings import Settings
from bot.storage.models import DiaryEntry

ANSWERS = [
    "Een klant stelde een vraag die ik niet kon beantwoorden.",
    "Ik zei eerlijk dat ik het zou uitzoeken en belde hem later terug.",
    "Eerlijk zeggen wat je niet weet werkt beter dan gokken.",
    "4",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_ours(people: int, folder: Path) -> dict[str, float | int | list[float]]:
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.db'}")
    runtime = open_runtime(settings)
    engine = runtime.engine
    latencies: list[float] = []
    try:
        for number in range(people):
            address = Address("bench", "local", f"person{number}", f"dm{number}")
            for text in ["dagboek", *ANSWERS]:
                event = InboundEvent(address=address, text=text)
                start = time.perf_counter()
                replies = engine.handle(event)
                latencies.append((time.perf_counter() - start) * 1000.0)
                if not replies:
                    raise AssertionError(f"no reply to {text!r} for person{number}")
        with runtime.sessions() as session:
            stored = session.scalar(
                select(func.count()).select_from(DiaryEntry).where(DiaryEntry.complete)
            )
        if stored != people:
            raise AssertionError(f"expected {people} complete diary entries, found {stored}")
    finally:
        runtime.close()
    return {"turns": len(latencies), "seconds": sum(latencies) / 1000.0, "latencies_ms": latencies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people per side (1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_ours(args.people, Path(tmp))
    peer = run_peer(args.people, ANSWERS)
    ours_lat = ours["latencies_ms"]
    assert isinstance(ours_lat, list)
    ours_tps = float(ours["turns"]) / float(ours["seconds"])  # type: ignore[arg-type]
    peer_tps = float(peer["turns"]) / float(peer["seconds"])
    print(
        f"ours: {ours['turns']} turns, p50 {statistics.median(ours_lat):.3f} ms; "
        f"peer: {peer['turns']} turns, p50 {statistics.median(peer['latencies_ms']):.3f} ms",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "engine",
                "people": args.people,
                "ours_turns_per_s": round(ours_tps, 1),
                "peer_turns_per_s": round(peer_tps, 1),
                "ratio": round(ours_tps / peer_tps, 2),
                "ours_p99_ms": round(percentile(ours_lat, 0.99), 3),
                "peer_p99_ms": round(percentile(peer["latencies_ms"], 0.99), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
