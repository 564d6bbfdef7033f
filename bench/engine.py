"""Benchmark: turns per second of our engine against botbuilder-dialogs, in one run.

N people each start the daily diary and answer its four questions (5 turns each) through
`Coach.handle`, with every turn committed to a SQLite file on disk. In the same run the same
4-question dialog goes through botbuilder-dialogs (WaterfallDialog + TextPrompt over
MemoryStorage, driven by TestAdapter; see botbuilder_peer.py), which keeps its state in memory.
The sides alternate in chunks; each side's turns/s is its turns over the sum of their times.

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

from bot.config import Settings
from bot.core.messages import Address, InboundEvent
from bot.runtime import open_runtime
from bot.storage.models import DiaryEntry

ANSWERS = [
    "Een klant stelde een vraag die ik niet kon beantwoorden.",
    "Ik zei eerlijk dat ik het zou uitzoeken en belde hem later terug.",
    "Eerlijk zeggen wat je niet weet werkt beter dan gokken.",
    "4",
]
# Our diary asks one deepening question about what was written, before the closing.
FOLLOW_UP_ANSWER = "Ik heb opgeschreven wat hij vroeg en hem dezelfde middag teruggebeld."


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class OurSide:
    """Our engine on a SQLite file; people are numbered on across chunks."""

    def __init__(self, folder: Path) -> None:
        self.runtime = open_runtime(Settings(database_url=f"sqlite:///{folder / 'bench.db'}"))
        self.next_person = 0

    def run(self, people: int) -> list[float]:
        latencies: list[float] = []
        for _ in range(people):
            number = self.next_person
            self.next_person += 1
            address = Address("bench", "local", f"person{number}", f"dm{number}")
            for text in ["dagboek", *ANSWERS, FOLLOW_UP_ANSWER]:
                event = InboundEvent(address=address, text=text)
                start = time.perf_counter()
                replies = self.runtime.engine.handle(event)
                latencies.append((time.perf_counter() - start) * 1000.0)
                if not replies:
                    raise AssertionError(f"no reply to {text!r} for person{number}")
        return latencies

    def finish(self) -> None:
        """Check that every diary really was stored, then close."""
        try:
            with self.runtime.sessions() as session:
                stored = session.scalar(
                    select(func.count()).select_from(DiaryEntry).where(DiaryEntry.complete)
                )
            if stored != self.next_person:
                raise AssertionError(
                    f"expected {self.next_person} complete diary entries, found {stored}"
                )
        finally:
            self.runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people per side (1000)")
    parser.add_argument("--chunks", type=int, default=10, help="alternations of the sides (10)")
    args = parser.parse_args()
    # Both sides run in alternating chunks, so a change in the machine's load during the
    # run weighs on both alike instead of on whichever side happened to run then.
    chunks = max(1, min(args.chunks, args.people))
    sizes = [args.people // chunks + (1 if i < args.people % chunks else 0) for i in range(chunks)]
    ours_lat: list[float] = []
    peer_lat: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        ours = OurSide(Path(tmp))
        try:
            for size in sizes:
                ours_lat += ours.run(size)
                peer_lat += run_peer(size, ANSWERS)["latencies_ms"]
        finally:
            ours.finish()
    ours_tps = len(ours_lat) / (sum(ours_lat) / 1000.0)
    peer_tps = len(peer_lat) / (sum(peer_lat) / 1000.0)
    print(
        f"ours: {len(ours_lat)} turns, p50 {statistics.median(ours_lat):.3f} ms; "
        f"peer: {len(peer_lat)} turns, p50 {statistics.median(peer_lat):.3f} ms",
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
                "peer_p99_ms": round(percentile(peer_lat, 0.99), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
