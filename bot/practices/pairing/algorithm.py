"""Who meets whom: rotating pairs, steady pairs and mentor matching, as pure code.

No database and no clock: the caller passes the people, the history of who met whom and the
round number, and gets groups back. Everything random comes from `random.Random(seed)`, and
people are sorted by id before they are shuffled, so a seed gives the same groups whatever
order the caller listed them in.

The rules, strongest first:

1. Never put a "never pair" in one group. This is the only rule that can leave someone out:
   when never-pairs make it impossible to place a person, they are absent from the result
   (the caller tells them they have no partner this round).
2. Everyone else is placed exactly once: pairs, and exactly one group of three (a trio)
   when the count is odd.
3. No pair that met within the last `avoid_rounds` rounds, whenever an arrangement without
   such a repeat exists. For an even count this is exact (Edmonds' matching); for an odd
   count it is exact up to a bounded search for the trio (`TRIO_TRIES` triangles, which
   covers every triangle of a group of up to 20 people).
4. Prefer partners from another team, then partners one has never met (or met long ago).
   In a small cohort, where everyone meets everyone within the window anyway, the team
   preference is paced so it cannot steer the cohort into a dead end (`_prefers_cross`).

How: a greedy pass in which each person takes the cheapest of a bounded window of
candidates, swaps between two pairs to remove what is left of rules 3 and 4, and Edmonds'
augmenting paths (with blossoms) for whoever the greedy pass could only place with a repeat.
That costs about linear time for 10,000 people, and is exact where exactness matters. Small
cohorts whose unmet pairs are running out also look ahead, so that a cohort of 8 goes round
robin in 7 rounds instead of getting stuck in round 6 (`_Round.look_ahead`).
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, combinations, pairwise

# Costs of putting two people together. A swap between two pairs only happens when it lowers
# the total, and one repeat (at most REPEAT + RECENCY + SAME_TEAM) costs less than two
# (2 * REPEAT), so swaps never add a repeat to remove team clashes.
REPEAT = 1_000_000  # met within the window
RECENCY = REPEAT // 2  # on top of REPEAT, scaled by how recent: if repeats there must be, old ones
SAME_TEAM = 1_000
STALE = 100  # met before the window: a bit worse than strangers, the less so the longer ago
MET_BEFORE = 10_000  # mentoring: a mentor the mentee has met before, in any round

WINDOW = 64  # candidates the greedy pass weighs before it takes the best one it has seen
SWAP_SAMPLE = 96  # other pairs a costly pair tries to swap partners with (all when fewer)
SWAP_PASSES = 4
TRIO_TRIES = 2_000  # triangles tried for the trio when no pair can take the odd one cleanly
TRIO_SCAN = 400_000  # steps spent looking for those triangles
LOOKAHEAD_PEOPLE = 200  # look ahead only in groups this small (see _Round.look_ahead)
LOOKAHEAD_WORK = 4_000_000  # about the Python steps spent on that (a step costs n * n)
LOOKAHEAD_CHOICES = 8  # arrangements that pass the look-ahead, of which the cheapest is taken


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    team: str | None = None  # prefer partners from other teams (rotating mode)


@dataclass(slots=True)
class History:
    """When each pair last met: frozenset({a, b}) -> round number (higher = more recent)."""

    last_met: dict[frozenset[int], int] = field(default_factory=dict)

    def record(self, groups: Iterable[Sequence[int]], round_number: int) -> None:
        """Every pair inside each group (a trio is three pairs) met in `round_number`."""
        last_met = self.last_met
        for group in groups:
            for a, b in combinations(group, 2):
                if a == b:
                    continue
                key = frozenset((a, b))
                previous = last_met.get(key)
                if previous is None or previous < round_number:  # recording an old round
                    last_met[key] = round_number


def pair_rotating(participants: Sequence[Participant], history: History, round_number: int, *,
                  seed: int, never: Collection[frozenset[int]] = (), avoid_rounds: int = 26
                  ) -> list[tuple[int, ...]]:
    """Groups of two, and exactly one group of three when the count is odd (never drops anyone;
    fewer than 2 participants -> []; exactly 1 -> [] and the caller tells them; 3 -> one trio).

    The only exception: someone whom the never-pairs leave no place for is left out (see the
    module docstring). Groups are sorted tuples of ids, in sorted order.
    """
    if avoid_rounds < 0:
        raise ValueError("avoid_rounds must not be negative")
    people = _sorted_unique(participants)
    if len(people) < 2:
        return []
    rng = random.Random(seed)
    rng.shuffle(people)
    return _Round(people, history, round_number, avoid_rounds, never, rng).arrange()


def pair_steady(participants: Sequence[Participant], current: Mapping[int, tuple[int, ...]],
                history: History, round_number: int, *, seed: int,
                never: Collection[frozenset[int]] = (), avoid_rounds: int = 26
                ) -> list[tuple[int, ...]]:
    """Keep every existing group whose members are all still participating (current maps a person
    to their group from last round); re-pair only the orphans (people whose partner left, paused,
    opted out or asked for a new one — i.e. not in `participants`, or `current` has no group for
    them) among themselves with pair_rotating's rules; if an odd orphan remains, add them to an
    existing pair to make the single trio (or, if a trio already exists, break it so there is
    still at most one trio).

    A trio that lost one member goes on as a pair. A kept group that now holds a never-pair is
    broken up, and if never-pairs leave an orphan no place among the orphans, kept groups are
    given up one by one until they have one (placing everyone outranks continuity; someone is
    left out only when the never-pairs leave them no place at all). `avoid_rounds` is
    pair_rotating's.
    """
    people = _sorted_unique(participants)
    by_id = {p.id: p for p in people}
    never_pairs = {pair for pair in never if len(pair) == 2}

    def cost(a: int, b: int) -> int:
        if frozenset((a, b)) in never_pairs:
            return _NEVER
        team = by_id[a].team
        return _pair_cost(history.last_met.get(frozenset((a, b))),
                          team is not None and team == by_id[b].team, round_number, avoid_rounds)

    kept: list[list[int]] = []
    placed: set[int] = set()
    for person in people:
        if person.id in placed or person.id not in current:
            continue
        group = _normalised(current[person.id])
        # Members who still take part and agree on the group; the rest are gone or orphans.
        staying = [m for m in group if m in by_id and m not in placed
                   and _normalised(current.get(m, ())) == group]
        if person.id in staying and 2 <= len(staying) <= 3 and not any(
            frozenset(pair) in never_pairs for pair in combinations(staying, 2)
        ):
            kept.append(staying)
            placed.update(staying)
    orphans = [p for p in people if p.id not in placed]

    pool = orphans
    most: int | None = None  # how many can be placed at all, once someone was left out
    while True:
        _one_trio_at_most(kept, pool, by_id, cost)
        fresh = (pair_rotating(pool, history, round_number, seed=seed, never=never,
                               avoid_rounds=avoid_rounds) if len(pool) >= 2 else [])
        groups = [list(group) for group in fresh] + [group.copy() for group in kept]
        grouped = {m for group in groups for m in group}
        alone = [p.id for p in pool if p.id not in grouped]
        if alone and not any(len(group) == 3 for group in groups):
            # An odd one out joins the pair where it costs least (never-pairs excluded).
            for lone in alone:
                options = [(cost(lone, g[0]) + cost(lone, g[1]), g) for g in groups
                           if len(g) == 2 and cost(lone, g[0]) < _NEVER > cost(lone, g[1])]
                if options:
                    min(options)[1].append(lone)
                    grouped.add(lone)
                    break
        if len(grouped) == len(people) or not kept:
            break
        if most is None:
            everyone = pair_rotating(people, history, round_number, seed=seed, never=never,
                                     avoid_rounds=avoid_rounds)
            most = sum(len(group) for group in everyone)
        if len(grouped) >= most:
            break  # the never-pairs leave the others no place at all
        # Never-pairs leave someone without a place among the orphans: rather than leave them
        # out, give up keeping a group (one that fits them, if any) and re-pair its members
        # with the orphans.
        fits = [(sum(cost(lone, m) for m in g), n, g) for lone in alone
                for n, g in enumerate(kept) if all(cost(lone, m) < _NEVER for m in g)]
        dissolved = min(fits)[2] if fits else kept[-1]
        kept.remove(dissolved)
        pool = [*pool, *(by_id[m] for m in dissolved)]
    return sorted(tuple(sorted(group)) for group in groups)


def _one_trio_at_most(kept: list[list[int]], pool: list[Participant],
                      by_id: Mapping[int, Participant], cost: Callable[[int, int], int]) -> None:
    """With an odd pool a kept trio is no longer needed (pairing the pool makes its own), so
    it gives up the member whose leaving costs least, who joins the pool."""
    trios = [group for group in kept if len(group) == 3]
    while len(trios) > 1 or (trios and len(pool) % 2 == 1):
        trio = trios.pop()

        def release_cost(member: int, trio: list[int] = trio) -> tuple[int, int]:
            rest = [m for m in trio if m != member]
            extra = cost(member, pool[0].id) if len(pool) == 1 else 0
            return cost(rest[0], rest[1]) + extra, member

        leaving = min(trio, key=release_cost)
        trio.remove(leaving)
        pool.append(by_id[leaving])


def match_mentors(mentees: Sequence[Participant], mentors: Mapping[int, int], history: History, *,
                  seed: int, never: Collection[frozenset[int]] = (), cross_group: bool = True,
                  mentor_teams: Mapping[int, str | None] | None = None) -> dict[int, int]:
    """mentee id -> mentor id. `mentors` maps mentor id -> capacity (max mentees). Prefer mentors
    from another team (cross-group) and pairs that have not met before; never exceed capacity;
    never match a "never pair"; mentees left over (no capacity) are simply absent from the result.

    As many mentees as possible are matched (augmenting paths), then swaps lower the cost;
    among equals a mentor with a lighter load is preferred. A mentor's team comes from
    `mentor_teams`, else from `mentees` when the mentor is listed there too.
    """
    rng = random.Random(seed)
    people = _sorted_unique(mentees)
    rng.shuffle(people)
    capacity = {mentor: room for mentor, room in sorted(mentors.items()) if room > 0}
    if not people or not capacity:
        return {}
    team_of = {p.id: p.team for p in people}
    mentor_team = {m: (mentor_teams or {}).get(m, team_of.get(m)) for m in capacity}
    blocked: dict[int, set[int]] = {}
    for pair in never:
        if len(pair) == 2:
            a, b = pair
            blocked.setdefault(a, set()).add(b)
            blocked.setdefault(b, set()).add(a)
    met: dict[int, set[int]] = {}
    for pair in history.last_met:
        if len(pair) == 2:
            a, b = pair
            if a in team_of and b in capacity:
                met.setdefault(a, set()).add(b)
            if b in team_of and a in capacity:
                met.setdefault(b, set()).add(a)

    def cost(mentee: int, mentor: int) -> int:
        value = MET_BEFORE if mentor in met.get(mentee, ()) else 0
        team = team_of[mentee]
        if cross_group and team is not None and team == mentor_team[mentor]:
            value += SAME_TEAM
        return value

    options: dict[int, list[int]] = {}  # allowed mentors per mentee, cheapest first
    tiers: dict[int, dict[int, list[int]]] = {}  # mentee -> cost -> those mentors
    for person in people:
        no = blocked.get(person.id, set())
        choices = [m for m in capacity if m != person.id and m not in no]
        rng.shuffle(choices)
        costs = {m: cost(person.id, m) for m in choices}
        choices.sort(key=costs.__getitem__)  # stable: equal costs stay in shuffled order
        options[person.id] = choices
        by_cost: dict[int, list[int]] = {}
        for choice in choices:
            by_cost.setdefault(costs[choice], []).append(choice)
        tiers[person.id] = by_cost
    mentor_of: dict[int, int] = {}
    mentees_of: dict[int, set[int]] = {m: set() for m in capacity}

    def assign(mentee: int, mentor: int) -> None:
        old = mentor_of.get(mentee)
        if old is not None:
            mentees_of[old].discard(mentee)
        mentor_of[mentee] = mentor
        mentees_of[mentor].add(mentee)

    # Greedy, cheapest matches first: in each cost tier the mentees with the fewest options
    # choose first, each the least loaded mentor with room (so load spreads).
    order = sorted(people, key=lambda p: len(options[p.id]))
    for tier in sorted({tier for by_cost in tiers.values() for tier in by_cost}):
        for person in order:
            if person.id in mentor_of:
                continue
            free = [(len(mentees_of[m]) / capacity[m], n, m)
                    for n, m in enumerate(tiers[person.id].get(tier, ()))
                    if len(mentees_of[m]) < capacity[m]]
            if free:
                assign(person.id, min(free)[2])

    # Augmenting paths (mentee -> full mentor -> one of its mentees -> ...) until no mentor
    # with room can be reached. A failed search stays valid until the next success.
    seen: set[int] = set()
    for person in people:
        if person.id in mentor_of:
            continue
        if sum(capacity.values()) == len(mentor_of):
            break
        if _augment_mentee(person.id, options, capacity, mentor_of, mentees_of, seen, assign):
            seen = set()

    # Swaps: move a costly match to a mentor with room, or trade mentors with another mentee.
    matched = [p.id for p in people if p.id in mentor_of]  # in seeded order
    allowed = {mentee: set(mentors_of) for mentee, mentors_of in options.items()}
    for _ in range(SWAP_PASSES):
        improved = False
        for mentee in matched:
            mine = mentor_of[mentee]
            now = cost(mentee, mine)
            if now == 0:
                continue
            roomy = [m for m in options[mentee]
                     if m != mine and len(mentees_of[m]) < capacity[m] and cost(mentee, m) < now]
            if roomy:
                assign(mentee, roomy[0])
                improved = True
                continue
            others = matched if len(matched) <= SWAP_SAMPLE else rng.sample(matched, SWAP_SAMPLE)
            for other in others:
                theirs = mentor_of[other]
                if theirs == mine or theirs not in allowed[mentee] or mine not in allowed[other]:
                    continue
                if cost(mentee, theirs) + cost(other, mine) < now + cost(other, theirs):
                    assign(mentee, theirs)
                    assign(other, mine)
                    improved = True
                    break
        if not improved:
            break

    # Who is left over when places run out: a mentee who fits a mentor better takes the place
    # of the one who fits it worst (the number matched stays the same).
    def worst_of(mentor: int) -> tuple[int, int]:
        return max(((cost(e, mentor), e) for e in mentees_of[mentor]), default=(-1, -1))

    worst = {mentor: worst_of(mentor) for mentor in capacity}
    for person in people:
        if person.id in mentor_of:
            continue
        for mentor in options[person.id]:
            if cost(person.id, mentor) < worst[mentor][0]:
                del mentor_of[worst[mentor][1]]
                mentees_of[mentor].discard(worst[mentor][1])
                assign(person.id, mentor)
                worst[mentor] = worst_of(mentor)
                break
    return dict(sorted(mentor_of.items()))


def repeats(groups: Sequence[Sequence[int]], history: History, round_number: int,
            window: int = 26) -> int:
    """How many pairs inside the groups met within the last `window` rounds before round_number."""
    since = round_number - window
    count = 0
    for group in groups:
        for a, b in combinations(group, 2):
            when = history.last_met.get(frozenset((a, b)))
            if when is not None and since <= when < round_number:
                count += 1
    return count


def cross_team_share(groups: Sequence[Sequence[int]], teams: Mapping[int, str | None]) -> float:
    """Share (0..1) of pairs inside the groups whose members are in different teams.

    A pair counts as cross-team only when both teams are known; no pairs gives 0.0.
    """
    pairs = cross = 0
    for group in groups:
        for a, b in combinations(group, 2):
            pairs += 1
            team_a, team_b = teams.get(a), teams.get(b)
            if team_a is not None and team_b is not None and team_a != team_b:
                cross += 1
    return cross / pairs if pairs else 0.0


# --- internals ---------------------------------------------------------------------------

_NEVER = 10 * REPEAT  # only used to rank options in steady mode; never-pairs are filtered out
_EMPTY: frozenset[int] = frozenset()


def _sorted_unique(participants: Sequence[Participant]) -> list[Participant]:
    """Sorted by id, so the seed alone decides the order; a duplicate id is a caller's bug."""
    people = sorted(participants, key=lambda p: p.id)
    for before, after in pairwise(people):
        if before.id == after.id:
            raise ValueError(f"participant {after.id} is listed twice")
    return people


def _normalised(group: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(group)))


def _pair_cost(last: int | None, same_team: bool, round_number: int, avoid_rounds: int) -> int:
    """What putting two people together costs, from when they last met and their teams."""
    cost = SAME_TEAM if same_team else 0
    if last is None:
        return cost
    age = round_number - last  # 1: they met last round
    if age <= avoid_rounds:
        return cost + REPEAT + RECENCY * (avoid_rounds + 1 - max(age, 0)) // (avoid_rounds + 1)
    return cost + max(1, STALE - (age - avoid_rounds))


def _augment_mentee(start: int, options: Mapping[int, list[int]], capacity: Mapping[int, int],
                    mentor_of: dict[int, int], mentees_of: Mapping[int, set[int]],
                    seen: set[int], assign: Callable[[int, int], None]) -> bool:
    """Breadth-first search for a chain of moves that frees a place for `start`."""
    reached_from: dict[int, int] = {}  # mentor -> the mentee who would move to it
    queue = deque([start])
    visited = {start}
    while queue:
        mentee = queue.popleft()
        for mentor in options[mentee]:
            if mentor in seen:
                continue
            seen.add(mentor)
            reached_from[mentor] = mentee
            if len(mentees_of[mentor]) < capacity[mentor]:
                while True:  # shift everyone on the chain one place along
                    mover = reached_from[mentor]
                    old = mentor_of.get(mover)
                    assign(mover, mentor)
                    if old is None:
                        return True
                    mentor = old
            for other in sorted(mentees_of[mentor]):
                if other not in visited:
                    visited.add(other)
                    queue.append(other)
    return False


class _Round:
    """One rotating round: people as indices 0..n-1 in seeded random order, and their costs.

    `mate[i]` is i's partner or -1. Blocked sets are per index: `never` (rule 1) and `clean`
    (never-pairs plus pairs that met within the window, rule 3).
    """

    def __init__(self, people: list[Participant], history: History, round_number: int,
                 avoid_rounds: int, never: Collection[frozenset[int]], rng: random.Random) -> None:
        n = self.n = len(people)
        self.ids = [p.id for p in people]
        self.teams = [p.team for p in people]
        self.round_number = round_number
        self.avoid = avoid_rounds
        self.rng = rng
        self.last_met = history.last_met
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        never_of: dict[int, set[int]] = {}
        for pair in never:
            try:
                a, b = pair
            except ValueError:  # not a pair: nothing to honour
                continue
            i = self.index.get(a)
            j = self.index.get(b)
            if i is not None and j is not None:
                never_of.setdefault(i, set()).add(j)
                never_of.setdefault(j, set()).add(i)
        self.never: list[frozenset[int] | set[int]] = [never_of.get(i, _EMPTY) for i in range(n)]
        self._met: list[dict[int, int]] | None = None
        self._clean: list[frozenset[int] | set[int]] | None = None
        self.prefers_cross = self._prefers_cross()

    # The per-person view of the history costs a pass over all of it (0.3 s for 52 rounds of
    # 10,000 people), and the greedy pass and the swaps do not need it: they look pairs up one
    # by one. Only the exact steps (augmenting paths, trio search, look-ahead) build it.

    @property
    def met(self) -> list[dict[int, int]]:
        """met[i][j]: the round in which i and j last met."""
        if self._met is None:
            met: list[dict[int, int]] = [{} for _ in range(self.n)]
            index = self.index
            for pair, when in self.last_met.items():
                try:
                    a, b = pair
                except ValueError:
                    continue
                i = index.get(a)
                j = index.get(b)
                if i is not None and j is not None:
                    met[i][j] = when
                    met[j][i] = when
            self._met = met
        return self._met

    @property
    def clean(self) -> list[frozenset[int] | set[int]]:
        """Whom each person may not meet without breaking rule 1 or 3."""
        if self._clean is None:
            since = self.round_number - self.avoid
            self._clean = [
                self.never[i] | {j for j, when in met_i.items() if when >= since}
                if met_i else self.never[i]
                for i, met_i in enumerate(self.met)
            ]
        return self._clean

    def _prefers_cross(self) -> list[bool]:
        """Who is steered away from their own team.

        Someone with more partners in other teams than the window is long can meet only
        other teams, round after round. Someone with fewer meets everyone within the
        window anyway, so the preference only changes the order, and putting the other
        teams first can strand two odd-sized teams that cannot be paired among themselves
        (two teams of 5: after 5 rounds all 25 cross-team pairs are used). For them it is
        paced: other teams first only while more partners from other teams than from their
        own are still to be met.
        """
        sizes = Counter(team for team in self.teams if team is not None)
        known = sum(sizes.values())
        prefers = [team is not None and known - sizes[team] > self.avoid for team in self.teams]
        for i, team in enumerate(self.teams):
            if team is None or prefers[i]:
                continue
            own, other = sizes[team] - 1, known - sizes[team]  # still to be met: all but ...
            for j in self.clean[i]:  # ... those met within the window (or never to be met)
                their = self.teams[j]
                if their == team:
                    own -= 1
                elif their is not None:
                    other -= 1
            prefers[i] = other > own
        return prefers

    def cost(self, i: int, j: int) -> int:
        team = self.teams[i]
        same_team = (team is not None and team == self.teams[j]
                     and (self.prefers_cross[i] or self.prefers_cross[j]))
        return _pair_cost(self.last_met.get(frozenset((self.ids[i], self.ids[j]))), same_team,
                          self.round_number, self.avoid)

    def arrange(self) -> list[tuple[int, ...]]:
        """The whole round, as sorted groups of ids."""
        n = self.n
        mate = [-1] * n
        self.greedy(mate, list(range(n)))  # the indices are in random order already
        self.improve(mate)
        # Rule 3, exactly: drop the repeats the swaps could not remove and look for augmenting
        # paths among clean pairs; repeats come back only when there are none.
        for i in range(n):
            j = mate[i]
            if j > i and self.cost(i, j) >= REPEAT:
                mate[i] = mate[j] = -1
        free = [i for i in range(n) if mate[i] < 0]
        if len(free) >= 2 and self.augment(mate, self.clean):
            self.improve(mate)
            free = [i for i in range(n) if mate[i] < 0]
        if not free:
            if self.needs_look_ahead():
                mate = self.look_ahead(mate)
            return self.groups(mate, ())
        if len(free) == 1:
            found = self.trio(mate, free[0], repeats=False, search=True)
            if found is not None:
                return self.groups(*found)
        # No arrangement without a repeat: keep the clean pairs, pair the rest among themselves
        # (cheapest repeats first: as few as the clean matching allows, and the oldest), and
        # use augmenting paths only for whoever the never-pairs still leave over.
        self.greedy(mate, free)
        self.augment(mate, self.never)
        self.improve(mate)
        free = [i for i in range(n) if mate[i] < 0]
        for x in free:  # more than one only when never-pairs leave someone out anyway
            found = self.trio(mate, x, repeats=True, search=len(free) == 1)
            if found is not None:
                return self.groups(*found)
        return self.groups(mate, ())

    def groups(self, mate: list[int], trio: Sequence[int]) -> list[tuple[int, ...]]:
        ids = self.ids
        out: list[tuple[int, ...]] = [
            (ids[i], ids[j]) if ids[i] < ids[j] else (ids[j], ids[i])
            for i, j in enumerate(mate) if j > i
        ]
        if trio:
            out.append(tuple(sorted(ids[t] for t in trio)))
        out.sort()
        return out

    def greedy(self, mate: list[int], pool: list[int]) -> None:
        """Pair the people in `pool` among themselves: each in turn takes the cheapest of the
        next WINDOW unpaired people (a cost of 0 ends the look at once); only if none of those
        is acceptable does the look go on."""
        cost = self.cost
        while pool:
            p = pool.pop()
            blocked = self.never[p]
            best = best_at = -1
            best_cost = _NEVER
            k = len(pool) - 1
            window_end = k - WINDOW
            while k >= 0:
                if k <= window_end and best_cost < REPEAT:
                    break
                q = pool[k]
                if q not in blocked:
                    c = cost(p, q)
                    if c < best_cost:
                        best, best_at, best_cost = q, k, c
                        if c == 0:
                            break
                k -= 1
            if best < 0:
                continue  # only never-pairs left: the augmenting paths may still place p
            pool[best_at] = pool[-1]
            pool.pop()
            mate[p], mate[best] = best, p

    def improve(self, mate: list[int]) -> None:
        """2-opt: pairs (a, b) and (c, d) become (a, c) and (b, d), or (a, d) and (b, c), when
        that lowers the total cost; pairs that cost nothing are left alone."""
        pairs = [(i, j) for i, j in enumerate(mate) if j > i]
        m = len(pairs)
        if m < 2:
            return
        cost, never = self.cost, self.never
        costs = [cost(a, b) for a, b in pairs]
        everyone = range(m)
        for _ in range(SWAP_PASSES):
            improved = False
            for k in range(m):
                if costs[k] == 0:
                    continue
                a, b = pairs[k]
                others = everyone if m <= SWAP_SAMPLE else self.rng.sample(everyone, SWAP_SAMPLE)
                best_gain, best = 0, None
                for other in others:
                    if other == k:
                        continue
                    c, d = pairs[other]
                    before = costs[k] + costs[other]
                    for x, y in ((c, d), (d, c)):
                        if x in never[a] or y in never[b]:
                            continue
                        cost_ax, cost_by = cost(a, x), cost(b, y)
                        gain = before - cost_ax - cost_by
                        if gain > best_gain:
                            best_gain, best = gain, (other, x, y, cost_ax, cost_by)
                    if best is not None and best[3] + best[4] == 0:
                        break  # nothing beats two free pairs
                if best is not None:
                    other, x, y, cost_ax, cost_by = best
                    pairs[k], pairs[other] = (a, x), (b, y)
                    costs[k], costs[other] = cost_ax, cost_by
                    mate[a], mate[x], mate[b], mate[y] = x, a, y, b
                    improved = True
            if not improved:
                break

    def augment(self, mate: list[int], blocked: Sequence[Collection[int]],
                alive: list[bool] | None = None) -> bool:
        """Grow `mate` to a maximum matching of the pairs not blocked (among `alive` people):
        Edmonds' augmenting paths with blossoms. True if anything changed."""
        n = self.n
        free = {v for v in range(n) if mate[v] < 0 and (alive is None or alive[v])}
        changed = False
        for root in sorted(free):
            if root not in free:
                continue  # placed by an earlier path
            if len(free) < 2:
                break
            if alive is None and len(blocked[root]) >= n - 1:
                continue  # blocked from everyone: no path can start here
            end = self._find_path(root, mate, blocked, alive, free)
            if end >= 0:
                free.discard(root)
                free.discard(end)
                changed = True
        return changed

    def _find_path(self, root: int, mate: list[int], blocked: Sequence[Collection[int]],
                   alive: list[bool] | None, free: set[int]) -> int:
        """Search an alternating tree from `root`; on reaching a free person, flip the path and
        return them (else -1). Free people are tried first: in a dense graph a path of length
        one or three is found at once, which keeps this linear for 10,000 people."""
        n = self.n
        parent = [-1] * n
        base = list(range(n))
        in_tree = [False] * n  # the even (outer) vertices
        in_tree[root] = True
        queue = deque([root])
        free_first = sorted(free)

        def lca(a: int, b: int) -> int:
            seen: set[int] = set()
            while True:
                a = base[a]
                seen.add(a)
                if mate[a] < 0:
                    break
                a = parent[mate[a]]
            while True:
                b = base[b]
                if b in seen:
                    return b
                b = parent[mate[b]]

        def mark(v: int, stop: int, child: int, blossom: list[bool]) -> None:
            while base[v] != stop:
                blossom[base[v]] = blossom[base[mate[v]]] = True
                parent[v] = child
                child = mate[v]
                v = parent[mate[v]]

        while queue:
            v = queue.popleft()
            no = blocked[v]
            for to in chain(free_first, range(n)):
                if to == v or to in no or (alive is not None and not alive[to]):
                    continue
                if base[v] == base[to] or mate[v] == to:
                    continue
                if to == root or (mate[to] >= 0 and parent[mate[to]] >= 0):
                    top = lca(v, to)  # an odd cycle: contract it into a blossom
                    blossom = [False] * n
                    mark(v, top, to, blossom)
                    mark(to, top, v, blossom)
                    for i in range(n):
                        if blossom[base[i]]:
                            base[i] = top
                            if not in_tree[i]:
                                in_tree[i] = True
                                queue.append(i)
                elif parent[to] < 0:
                    parent[to] = v
                    if mate[to] < 0:
                        end = to
                        while to >= 0:  # flip the path back to the root
                            back = parent[to]
                            after = mate[back]
                            mate[to], mate[back] = back, to
                            to = after
                        return end
                    in_tree[mate[to]] = True
                    queue.append(mate[to])
        return -1

    def trio(self, mate: list[int], x: int, *, repeats: bool, search: bool
             ) -> tuple[list[int], tuple[int, int, int]] | None:
        """Place the odd one out, `x`: into the pair where it costs least (without a repeat
        unless `repeats`); failing that (and if `search`), try other triangles and re-pair
        the rest around them."""
        best: tuple[int, int] | None = None
        best_cost = 0
        no = self.never[x]
        for a in range(self.n):
            b = mate[a]
            if b <= a or a in no or b in no:
                continue
            cost_a, cost_b = self.cost(x, a), self.cost(x, b)
            if not repeats and (cost_a >= REPEAT or cost_b >= REPEAT):
                continue
            c = cost_a + cost_b
            if best is None or c < best_cost:
                best, best_cost = (a, b), c
                if c == 0:
                    break
        if best is not None:
            a, b = best
            placed = mate.copy()
            placed[a] = placed[b] = -1
            return placed, (x, a, b)
        if not search:
            return None
        blocked = self.never if repeats else self.clean
        for triangle in self._triangles(x, blocked):
            trial = mate.copy()
            alive = [True] * self.n
            for t in triangle:
                alive[t] = False
                if trial[t] >= 0:
                    trial[trial[t]] = -1
                    trial[t] = -1
            self.augment(trial, blocked, alive)
            if all(trial[v] >= 0 or not alive[v] for v in range(self.n)):
                self.improve(trial)
                return trial, triangle
        return None

    def _triangles(self, x: int, blocked: Sequence[Collection[int]]
                   ) -> Iterator[tuple[int, int, int]]:
        """Triangles of allowed pairs, those with `x` first; at most TRIO_TRIES of them."""
        order = [x, *(v for v in range(self.n) if v != x)]
        tries = steps = 0
        for ia, a in enumerate(order):
            for ib in range(ia + 1, len(order)):
                b = order[ib]
                if b in blocked[a]:
                    continue
                for c in order[ib + 1:]:
                    steps += 1
                    if steps > TRIO_SCAN:
                        return
                    if c in blocked[a] or c in blocked[b]:
                        continue
                    tries += 1
                    if tries > TRIO_TRIES:
                        return
                    yield a, b, c

    def needs_look_ahead(self) -> bool:
        """Only small, even groups whose clean graph is sparse can run into a dead end: by
        Dirac's theorem, while everyone may still meet at least n/2 + 1 others, whatever is
        chosen now leaves a repeat-free pairing for the next round."""
        n = self.n
        if n > LOOKAHEAD_PEOPLE or n % 2:
            return False
        return min(n - 1 - len(no) for no in self.clean) < n // 2 + 1

    def look_ahead(self, mate: list[int]) -> list[int]:
        """Choose this round's pairs so that the rounds after it can be repeat-free too.

        A cohort of 8 meeting for 7 rounds gets stuck at round 6 if round 5 leaves pairs that
        form a triangle and a pentagon; a cohort of two teams of 5 gets stuck at round 6 if the
        cross-team preference used up all 25 cross-team pairs in rounds 1-5 (two groups of 5
        cannot be paired). So: check that what is left after this round can still be split
        into repeat-free rounds, until someone has met everyone or the pairs left are dense
        enough (Dirac); if not, search other pairings of this round. The search is exact for
        small cohorts and gives up after LOOKAHEAD_WORK steps, keeping the greedy choice.
        """
        since = self.round_number + 1 - self.avoid
        upcoming = [self.never[i] | {j for j, when in self.met[i].items() if when >= since}
                    for i in range(self.n)]
        budget = _Budget(LOOKAHEAD_WORK // (self.n * self.n))

        def after(blocked: Sequence[Collection[int]], chosen: list[int]) -> list[set[int]]:
            return [{*blocked[i], chosen[i]} for i in range(self.n)]

        if self._can_go_on(after(upcoming, mate), budget) is not False:
            return mate  # fine, or the budget ran out before finding out
        options: list[tuple[int, list[int]]] = []
        for candidate in self._perfect_matchings(self.clean, budget):
            if self._can_go_on(after(upcoming, candidate), budget):
                total = sum(self.cost(i, j) for i, j in enumerate(candidate) if j > i)
                options.append((total, candidate))
                if len(options) >= LOOKAHEAD_CHOICES:
                    break
        return min(options, key=lambda option: option[0])[1] if options else mate

    def _can_go_on(self, blocked: Sequence[Collection[int]], budget: _Budget) -> bool | None:
        """Can the pairs not blocked be split into repeat-free rounds until someone has met
        everyone? None when the budget ran out first."""
        n = self.n
        fewest = min(n - 1 - len(no) for no in blocked)
        if fewest == 0 or fewest >= n // 2 + 1:
            return True
        for rest in self._perfect_matchings(blocked, budget):
            answer = self._can_go_on([{*blocked[i], rest[i]} for i in range(n)], budget)
            if answer is not False:
                return answer
        return None if budget.spent() else False

    def _perfect_matchings(self, blocked: Sequence[Collection[int]], budget: _Budget
                           ) -> Iterator[list[int]]:
        """Perfect matchings of the pairs not blocked, depth first (the person with the fewest
        options first), in seeded random order, while the budget lasts."""
        n = self.n
        mate = [-1] * n

        def search() -> Iterator[list[int]]:
            if not budget.take():
                return
            pick, options = -1, list[int]()
            for i in range(n):
                if mate[i] >= 0:
                    continue
                mine = [j for j in range(n) if j != i and mate[j] < 0 and j not in blocked[i]]
                if not mine:
                    return  # a dead end
                if pick < 0 or len(mine) < len(options):
                    pick, options = i, mine
            if pick < 0:
                yield mate.copy()
                return
            self.rng.shuffle(options)
            for j in options:
                mate[pick], mate[j] = j, pick
                yield from search()
                mate[pick] = mate[j] = -1
                if budget.spent():
                    return

        yield from search()


class _Budget:
    """Steps left for a search; shared by nested searches so the total stays bounded."""

    def __init__(self, steps: int) -> None:
        self.left = max(1, steps)

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0

    def spent(self) -> bool:
        return self.left < 0
