"""Benchmark: rotating peer pairing, ours against networkx's max_weight_matching, in one run.

Participants are spread over 40 teams of uneven size (a few large teams, many small ones).
History is built by running our own rotating pairing for 52 weekly rounds (untimed), and
round 53 is the one measured. A repeat is a pair inside a group that met within the last
26 rounds. That a repeat-free pairing exists is shown with Dirac's theorem (it does when
everyone may still meet at least half the others; "repeat_free_exists_*" in the JSON), and
where it exists ours must have zero repeats, else the run fails.

(a) large: ours on `--large` participants (10,000): seconds for round 53 (the median of
    `--repeat` runs; the result is the same each time) and its repeats.
(b) small: `--small` participants (300), the same kind of history, round 53 by ours (median
    of `--repeat` runs) and by the peer, once: `networkx.max_weight_matching(G,
    maxcardinality=True)` on the complete graph, weight = 10,000 - 5,000 if the pair met
    within the window - 100 if both are in the same team (with `--peer-jitter`, plus a seeded
    random 0..1 to break ties, so that its rounds vary with a seed as ours do: that makes the
    peer far slower, about 4 s instead of 0.1 s for 200 people); its time includes building
    that graph. Both: seconds, repeats, and the cross-team share: the fraction (0..1, rounded to
    3 decimals) of pairs inside the groups whose members are in different teams. With an
    odd count the peer leaves one person out ("peer_dropped"); ours never does (a trio).

Prints progress to stderr and one JSON line last:
{"bench": "pairing", "n_large": …, "ours_large_s": …, "ours_large_repeats": …,
 "n_small": …, "ours_small_s": …, "peer_small_s": …, "speed_ratio": …,
 "ours_small_repeats": …, "peer_small_repeats": …, "ours_cross_team": …,
 "peer_cross_team": …, "peer_dropped": …, …}
Targets: ours_large_s <= 1, zero avoidable repeats, speed_ratio >= 100 with the peer's
quality (repeats no higher, cross-team share within 2 percentage points, i.e. 0.02).
The peer took about 5 s for 200 people and 48 s for 400 on the reference machine.
CI runs it as a smoke run: `--large 200 --small 40` (or `--people N`: both sizes N).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx

from bot.practices.pairing.algorithm import (
    History,
    Participant,
    cross_team_share,
    pair_rotating,
    repeats,
)

TEAMS = 40
HISTORY_ROUNDS = 52
WINDOW = 26
ROUND = HISTORY_ROUNDS + 1
PEER_BASE, PEER_REPEAT, PEER_SAME_TEAM = 10_000, 5_000, 100

Groups = list[tuple[int, ...]]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def make_people(count: int, seed: int) -> list[Participant]:
    """`count` people over TEAMS teams; team k weighs 1/sqrt(k+1), so sizes are uneven."""
    rng = random.Random(seed)
    names = [f"team{k:02d}" for k in range(TEAMS)]
    teams = rng.choices(names, [1 / (k + 1) ** 0.5 for k in range(TEAMS)], k=count)
    return [Participant(n + 1, teams[n]) for n in range(count)]


def build_history(people: list[Participant], seed: int) -> History:
    """HISTORY_ROUNDS rounds of our own rotating pairing (untimed setup)."""
    history = History()
    for number in range(1, HISTORY_ROUNDS + 1):
        history.record(pair_rotating(people, history, number, seed=seed * 1_000 + number,
                                     avoid_rounds=WINDOW), number)
    return history


def repeat_free_exists(people: list[Participant], history: History) -> bool:
    """A sufficient condition, from Dirac's theorem: with everyone free to meet at least n/2
    of the others (a Hamiltonian cycle, so a perfect matching), or for odd n at least
    (n + 3)/2 (a fresh trio, then Dirac on the rest), a repeat-free grouping exists."""
    blocked = dict.fromkeys((p.id for p in people), 0)
    for pair, when in history.last_met.items():
        if when >= ROUND - WINDOW:
            for person in pair:
                blocked[person] += 1
    n = len(people)
    fewest = min(n - 1 - b for b in blocked.values())
    return fewest >= (n / 2 if n % 2 == 0 else (n + 3) / 2) and n != 3


def time_ours(people: list[Participant], history: History, runs: int) -> tuple[Groups, float]:
    times = []
    groups: Groups = []
    for _ in range(runs):
        start = time.perf_counter()
        groups = pair_rotating(people, history, ROUND, seed=ROUND, avoid_rounds=WINDOW)
        times.append(time.perf_counter() - start)
    return groups, statistics.median(times)


def run_peer(people: list[Participant], history: History, jitter: random.Random | None
             ) -> tuple[Groups, float]:
    """The peer, end to end: the weighted complete graph, then max_weight_matching."""
    start = time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from(p.id for p in people)
    since = ROUND - WINDOW
    for a, b in combinations(people, 2):
        when = history.last_met.get(frozenset((a.id, b.id)))
        weight: float = PEER_BASE
        if when is not None and when >= since:
            weight -= PEER_REPEAT
        if a.team is not None and a.team == b.team:
            weight -= PEER_SAME_TEAM
        if jitter is not None:
            weight += jitter.random()
        graph.add_edge(a.id, b.id, weight=weight)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    seconds = time.perf_counter() - start
    return sorted(tuple(sorted(pair)) for pair in matching), seconds


def check_placed(groups: Groups, people: list[Participant], who: str) -> int:
    """Everyone at most once; returns how many were left out."""
    placed = [person for group in groups for person in group]
    if len(placed) != len(set(placed)) or not set(placed) <= {p.id for p in people}:
        raise AssertionError(f"{who}: someone placed twice or unknown")
    return len(people) - len(placed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=10_000, help="people, ours only (10000)")
    parser.add_argument("--small", type=int, default=300, help="people, ours and peer (300)")
    parser.add_argument("--people", type=int, help="smoke run: both sizes at once")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of ours, median (5)")
    parser.add_argument("--seed", type=int, default=7, help="seed of population and history")
    parser.add_argument("--peer-jitter", action="store_true",
                        help="seeded random tie-breaks in the peer's weights (slower peer)")
    args = parser.parse_args()
    if args.people is not None:
        args.large = args.small = args.people
    if args.large < 2 or args.small < 2 or args.repeat < 1:
        parser.error("--large and --small must be at least 2, --repeat at least 1")

    large = make_people(args.large, args.seed)
    start = time.perf_counter()
    large_history = build_history(large, args.seed)
    log(f"setup: {args.large} people in {len({p.team for p in large})} teams, "
        f"{HISTORY_ROUNDS} rounds of history in {time.perf_counter() - start:.1f} s (untimed)")
    large_groups, ours_large_s = time_ours(large, large_history, args.repeat)
    large_free = repeat_free_exists(large, large_history)
    ours_large_repeats = repeats(large_groups, large_history, ROUND, WINDOW)
    if check_placed(large_groups, large, "ours (large)"):
        raise AssertionError("ours left someone out without never-pairs")
    if large_free and ours_large_repeats:
        raise AssertionError(f"ours: {ours_large_repeats} repeats, a repeat-free pairing exists")
    log(f"ours: round {ROUND} of {args.large} people in {ours_large_s:.4f} s, "
        f"{ours_large_repeats} repeats (repeat-free possible: {large_free})")

    small = make_people(args.small, args.seed + 1)
    small_history = build_history(small, args.seed + 1)
    small_free = repeat_free_exists(small, small_history)
    teams = {p.id: p.team for p in small}
    ours_groups, ours_small_s = time_ours(small, small_history, args.repeat)
    if check_placed(ours_groups, small, "ours (small)"):
        raise AssertionError("ours left someone out without never-pairs")
    ours_small_repeats = repeats(ours_groups, small_history, ROUND, WINDOW)
    if small_free and ours_small_repeats:
        raise AssertionError(f"ours: {ours_small_repeats} repeats, a repeat-free pairing exists")
    ours_cross = cross_team_share(ours_groups, teams)
    log(f"ours: round {ROUND} of {args.small} people in {ours_small_s * 1000:.2f} ms, "
        f"{ours_small_repeats} repeats, cross-team {ours_cross:.3f}")
    log(f"peer: networkx {nx.__version__} max_weight_matching on {args.small} people ...")
    jitter = random.Random(args.seed) if args.peer_jitter else None
    peer_groups, peer_small_s = run_peer(small, small_history, jitter)
    peer_dropped = check_placed(peer_groups, small, "peer")
    peer_small_repeats = repeats(peer_groups, small_history, ROUND, WINDOW)
    peer_cross = cross_team_share(peer_groups, teams)
    log(f"peer: {peer_small_s:.2f} s, {peer_small_repeats} repeats, cross-team "
        f"{peer_cross:.3f}, left out {peer_dropped}")
    print(
        json.dumps(
            {
                "bench": "pairing",
                "n_large": args.large,
                "ours_large_s": round(ours_large_s, 4),
                "ours_large_repeats": ours_large_repeats,
                "n_small": args.small,
                "ours_small_s": round(ours_small_s, 5),
                "peer_small_s": round(peer_small_s, 3),
                "speed_ratio": round(peer_small_s / ours_small_s, 1),
                "ours_small_repeats": ours_small_repeats,
                "peer_small_repeats": peer_small_repeats,
                "ours_cross_team": round(ours_cross, 3),
                "peer_cross_team": round(peer_cross, 3),
                "peer_dropped": peer_dropped,
                "peer_jitter": args.peer_jitter,
                "ours_dropped": 0,
                "repeat_free_exists_large": large_free,
                "repeat_free_exists_small": small_free,
                "teams": TEAMS,
                "history_rounds": HISTORY_ROUNDS,
                "window": WINDOW,
                "ours_runs": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
