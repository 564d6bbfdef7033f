"""The pairing algorithm: everyone placed once, never-pairs honoured, no avoidable repeats.

Pure code, so the rules are checked as properties over many seeds and histories, and the
claim "no repeats whenever a repeat-free arrangement exists" against brute force on small
groups.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.practices.pairing.algorithm import (
    History,
    Participant,
    cross_team_share,
    match_mentors,
    pair_rotating,
    pair_steady,
    repeats,
)

Groups = list[tuple[int, ...]]


def people(count: int, teams: int = 0, first: int = 1) -> list[Participant]:
    return [Participant(first + n, f"t{n % teams}" if teams else None) for n in range(count)]


def placed(groups: Sequence[Sequence[int]]) -> list[int]:
    return sorted(person for group in groups for person in group)


def pairs_in(groups: Sequence[Sequence[int]]) -> set[frozenset[int]]:
    return {frozenset(pair) for group in groups for pair in combinations(group, 2)}


def sizes(groups: Sequence[Sequence[int]]) -> Counter[int]:
    return Counter(len(group) for group in groups)


def arrangements(items: list[int]) -> Iterator[list[tuple[int, ...]]]:
    """Every way to split `items` into pairs plus, for an odd count, one trio."""
    if not items:
        yield []
        return
    if len(items) == 3:
        yield [tuple(items)]
    first, rest = items[0], items[1:]
    if len(items) % 2 == 0 or len(items) > 3:
        for k, partner in enumerate(rest):
            others = rest[:k] + rest[k + 1:]
            if len(others) != 1:
                for tail in arrangements(others):
                    yield [(first, partner), *tail]
    if len(items) % 2 == 1 and len(items) > 3:
        for b, c in combinations(rest, 2):
            others = [x for x in rest if x not in (b, c)]
            for tail in arrangements(others):
                if all(len(group) == 2 for group in tail):
                    yield [(first, b, c), *tail]


def test_brute_force_helper_counts_every_arrangement() -> None:
    assert [sum(1 for _ in arrangements(list(range(n)))) for n in range(2, 10)] == [
        1, 1, 3, 10, 15, 105, 105, 1260,
    ]


# --- rotating: shape --------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_people_give_no_groups(count: int) -> None:
    assert pair_rotating(people(count), History(), 1, seed=1) == []


def test_two_people_are_a_pair_and_three_a_trio() -> None:
    assert pair_rotating(people(2), History(), 1, seed=1) == [(1, 2)]
    assert pair_rotating(people(3), History(), 1, seed=1) == [(1, 2, 3)]


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 61), seed=st.integers(0, 2**32), teams=st.integers(0, 5))
def test_everyone_is_placed_once_with_one_trio_exactly_when_odd(count: int, seed: int,
                                                                teams: int) -> None:
    group = people(count, teams)
    groups = pair_rotating(group, History(), 1, seed=seed)
    if count < 2:
        assert groups == []
        return
    assert placed(groups) == [p.id for p in group]
    assert sizes(groups) == Counter({2: count // 2 - (count % 2), 3: 1} if count % 2
                                    else {2: count // 2})


def test_a_duplicate_participant_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        pair_rotating([Participant(1), Participant(2), Participant(1)], History(), 1, seed=1)


# --- rotating: never-pairs and repeats ----------------------------------------------------


@st.composite
def small_rounds(draw: st.DrawFn) -> tuple[int, History, set[frozenset[int]], int, int]:
    """A small group with a random history (rounds 1-9) and random never-pairs."""
    count = draw(st.integers(2, 9))
    met = draw(st.lists(st.tuples(st.integers(1, count), st.integers(1, count),
                                  st.integers(1, 9)), max_size=30))
    history = History()
    for a, b, when in met:
        if a != b:
            history.record([(a, b)], when)
    never = {frozenset(pair) for pair in draw(st.lists(
        st.tuples(st.integers(1, count), st.integers(1, count)), max_size=4)) if pair[0] != pair[1]}
    return count, history, never, draw(st.sampled_from([2, 5, 26])), draw(st.integers(0, 10**6))


@settings(max_examples=300, deadline=None)
@given(case=small_rounds())
def test_never_pairs_and_avoidable_repeats_against_brute_force(
    case: tuple[int, History, set[frozenset[int]], int, int],
) -> None:
    count, history, never, window, seed = case
    groups = pair_rotating(people(count), history, 10, seed=seed, never=never,
                           avoid_rounds=window)
    assert not pairs_in(groups) & never
    assert len(placed(groups)) == len(set(placed(groups)))
    assert sizes(groups)[3] <= 1
    allowed = [a for a in arrangements(list(range(1, count + 1))) if not pairs_in(a) & never]
    if allowed:  # someone may be left out only when the never-pairs force it
        assert placed(groups) == list(range(1, count + 1))
        if min(repeats(a, history, 10, window) for a in allowed) == 0:
            assert repeats(groups, history, 10, window) == 0


@settings(max_examples=40, deadline=None)
@given(count=st.integers(2, 80), seed=st.integers(0, 2**32), data=st.data())
def test_never_pairs_are_never_grouped(count: int, seed: int, data: st.DataObject) -> None:
    ids = list(range(1, count + 1))
    never = {frozenset(pair) for pair in data.draw(st.lists(
        st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=3 * count))
        if pair[0] != pair[1]}
    groups = pair_rotating(people(count, 3), History(), 1, seed=seed, never=never)
    assert not pairs_in(groups) & never
    assert len(placed(groups)) == len(set(placed(groups)))


def test_someone_the_never_pairs_rule_out_is_left_out_not_forced_in() -> None:
    never = {frozenset((1, 2)), frozenset((1, 3))}
    assert pair_rotating(people(3), History(), 1, seed=4, never=never) == [(2, 3)]


def run_rounds(group: list[Participant], rounds: int, seed: int, window: int = 26
               ) -> tuple[History, list[Groups]]:
    history, played = History(), []
    for number in range(1, rounds + 1):
        groups = pair_rotating(group, history, number, seed=seed * 1000 + number,
                               avoid_rounds=window)
        assert placed(groups) == [p.id for p in group]
        assert repeats(groups, history, number, window) == 0, (number, groups)
        history.record(groups, number)
        played.append(groups)
    return history, played


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("teams", [0, 2])
def test_a_cohort_of_8_goes_round_robin_in_7_rounds(seed: int, teams: int) -> None:
    _, played = run_rounds(people(8, teams), 7, seed)
    met = [pair for groups in played for pair in pairs_in(groups)]
    assert len(met) == len(set(met)) == 28  # every pair of 8, once


@pytest.mark.parametrize("count", [10, 12, 14])
def test_cohorts_of_two_odd_or_even_teams_go_round_robin(count: int) -> None:
    for seed in range(6):
        _, played = run_rounds(people(count, 2), count - 1, seed)
        assert len({pair for groups in played for pair in pairs_in(groups)}) == \
            count * (count - 1) // 2


def test_20_people_over_10_rounds_repeat_nobody() -> None:
    history, _ = run_rounds(people(20, 2), 10, seed=3)
    assert len(history.last_met) == 100


def test_after_the_window_old_partners_come_back_oldest_first() -> None:
    history, _ = run_rounds(people(6), 5, seed=1, window=26)  # everyone met everyone
    groups = pair_rotating(people(6), history, 6, seed=1)
    assert repeats(groups, history, 6) == 3  # unavoidable now ...
    assert all(history.last_met[pair] <= 2 for pair in pairs_in(groups))  # ... the oldest


def test_an_odd_group_gets_a_trio_without_repeats_when_one_exists() -> None:
    _, played = run_rounds(people(9, 3), 3, seed=5)
    assert all(sizes(groups)[3] == 1 for groups in played)


def test_a_large_group_with_a_year_of_history_has_no_repeats() -> None:
    group = people(1000, 40)
    history, _ = run_rounds(group, 30, seed=2)
    groups = pair_rotating(group, history, 31, seed=7)
    assert repeats(groups, history, 31) == 0
    assert cross_team_share(groups, {p.id: p.team for p in group}) == 1.0


# --- rotating: teams and seeds ------------------------------------------------------------


def test_two_teams_of_ten_are_paired_across_teams() -> None:
    group = people(20, 2)
    for seed in range(5):
        groups = pair_rotating(group, History(), 1, seed=seed)
        assert len(groups) == 10
        assert cross_team_share(groups, {p.id: p.team for p in group}) == 1.0


def test_the_same_seed_gives_the_same_groups_whatever_the_input_order() -> None:
    group = people(31, 4)
    history, _ = run_rounds(group, 3, seed=9)
    first = pair_rotating(group, history, 4, seed=42)
    shuffled = group.copy()
    random.Random(1).shuffle(shuffled)
    assert pair_rotating(shuffled, history, 4, seed=42) == first
    assert pair_rotating(group, history, 4, seed=42) == first


def test_different_seeds_give_different_groups() -> None:
    group = people(30, 3)
    results = {tuple(pair_rotating(group, History(), 1, seed=seed)) for seed in range(10)}
    assert len(results) == 10


# --- history and measures -----------------------------------------------------------------


def test_history_records_every_pair_of_a_trio_and_keeps_the_latest_round() -> None:
    history = History()
    history.record([(1, 2, 3), (4, 5)], 7)
    history.record([(1, 2)], 3)  # an older round recorded late
    assert history.last_met == {frozenset((1, 2)): 7, frozenset((1, 3)): 7,
                                frozenset((2, 3)): 7, frozenset((4, 5)): 7}


def test_repeats_count_pairs_in_the_window_before_the_round() -> None:
    history = History({frozenset((1, 2)): 10, frozenset((3, 4)): 3, frozenset((5, 6)): 20})
    assert repeats([(1, 2), (3, 4), (5, 6)], history, 20, window=10) == 1  # only 1-2
    assert repeats([(1, 2, 3)], history, 11, window=1) == 1


def test_cross_team_share_counts_pairs_with_two_known_different_teams() -> None:
    teams = {1: "a", 2: "b", 3: "a", 4: None}
    assert cross_team_share([(1, 2), (3, 4)], teams) == 0.5
    assert cross_team_share([(1, 2, 3)], teams) == pytest.approx(2 / 3)
    assert cross_team_share([], teams) == 0.0


# --- steady ---------------------------------------------------------------------------------


def steady_round(groups: Groups) -> tuple[History, dict[int, tuple[int, ...]]]:
    history = History()
    history.record(groups, 1)
    return history, {person: group for group in groups for person in group}


def test_steady_keeps_every_intact_pair() -> None:
    history, current = steady_round([(1, 2), (3, 4), (5, 6), (7, 8)])
    assert pair_steady(people(8, 2), current, history, 2, seed=1) == \
        [(1, 2), (3, 4), (5, 6), (7, 8)]


def test_steady_re_pairs_the_partners_left_behind_among_themselves() -> None:
    history, current = steady_round([(1, 2), (3, 4), (5, 6), (7, 8)])
    staying = [p for p in people(8) if p.id not in (2, 7)]
    groups = pair_steady(staying, current, history, 2, seed=1)
    assert groups == [(1, 8), (3, 4), (5, 6)]


def test_steady_someone_leaving_mid_cycle_gets_their_partner_a_trio() -> None:
    history, current = steady_round([(1, 2), (3, 4), (5, 6)])
    groups = pair_steady([p for p in people(6) if p.id != 6], current, history, 2, seed=3)
    assert placed(groups) == [1, 2, 3, 4, 5]
    assert sizes(groups) == Counter({2: 1, 3: 1})
    assert (1, 2) in groups or (3, 4) in groups  # one pair untouched, 5 joined the other


def test_steady_asking_for_a_new_partner_avoids_the_old_one() -> None:
    history, current = steady_round([(1, 2), (3, 4), (5, 6), (7, 8)])
    for person in (1, 2, 3, 4):  # both groups asked for someone new
        del current[person]
    groups = pair_steady(people(8), current, history, 2, seed=5)
    assert (5, 6) in groups and (7, 8) in groups
    assert (1, 2) not in groups and (3, 4) not in groups
    assert placed(groups) == list(range(1, 9))


def test_steady_newcomers_are_paired_and_an_odd_one_joins_a_pair() -> None:
    history, current = steady_round([(1, 2), (3, 4)])
    groups = pair_steady(people(7), current, history, 2, seed=2)
    assert placed(groups) == list(range(1, 8))
    assert sizes(groups)[3] == 1
    assert (1, 2) in groups or (3, 4) in groups


def test_steady_breaks_a_trio_rather_than_have_two() -> None:
    history, current = steady_round([(1, 2, 3), (4, 5), (6, 7)])
    # 7 leaves: 6 is orphaned, and the total (6) is even, so no trio is needed any more.
    groups = pair_steady([p for p in people(7) if p.id != 7], current, history, 2, seed=1)
    assert placed(groups) == [1, 2, 3, 4, 5, 6]
    assert sizes(groups) == Counter({2: 3})
    assert (4, 5) in groups


def test_steady_breaks_a_kept_group_that_became_a_never_pair() -> None:
    history, current = steady_round([(1, 2), (3, 4)])
    groups = pair_steady(people(4), current, history, 2, seed=1, never={frozenset((1, 2))})
    assert (1, 2) not in groups and placed(groups) == [1, 2, 3, 4]  # 3-4 gave way: nobody out


def test_steady_leaves_out_only_whom_the_never_pairs_leave_no_place() -> None:
    history, current = steady_round([(1, 2), (3, 4)])
    never = {frozenset((1, other)) for other in (2, 3, 4)}
    assert pair_steady(people(4), current, history, 2, seed=1, never=never) == [(2, 3, 4)]


@settings(max_examples=60, deadline=None)
@given(count=st.integers(2, 40), seed=st.integers(0, 2**32), data=st.data())
def test_steady_always_has_at_most_one_trio_and_keeps_intact_groups(
    count: int, seed: int, data: st.DataObject,
) -> None:
    everyone = people(count, 3)
    history = History()
    last = pair_rotating(everyone, history, 1, seed=seed)
    history.record(last, 1)
    current = {person: group for group in last for person in group}
    gone = set(data.draw(st.lists(st.sampled_from([p.id for p in everyone]), max_size=count)))
    staying = [p for p in everyone if p.id not in gone]
    groups = pair_steady(staying, current, history, 2, seed=seed)
    if len(staying) >= 2:
        assert placed(groups) == [p.id for p in staying]
    assert sizes(groups)[3] <= 1
    for group in last:  # an intact pair stays together (maybe joined by an odd one out)
        if len(group) == 2 and not set(group) & gone:
            assert any(set(group) <= set(g) for g in groups)


# --- mentoring --------------------------------------------------------------------------------


def test_mentors_never_take_more_than_their_capacity() -> None:
    matched = match_mentors(people(10, 2), {100: 3, 101: 2}, History(), seed=1)
    assert len(matched) == 5
    assert Counter(matched.values()) == Counter({100: 3, 101: 2})


@settings(max_examples=80, deadline=None)
@given(mentees=st.integers(0, 30), capacities=st.lists(st.integers(0, 4), max_size=6),
       seed=st.integers(0, 2**32), data=st.data())
def test_mentoring_respects_capacity_and_never_pairs_and_fills_what_it_can(
    mentees: int, capacities: list[int], seed: int, data: st.DataObject,
) -> None:
    mentors = {100 + k: room for k, room in enumerate(capacities)}
    ids = list(range(1, mentees + 1))
    never = set()
    if ids and mentors:
        never = {frozenset(pair) for pair in data.draw(st.lists(
            st.tuples(st.sampled_from(ids), st.sampled_from(sorted(mentors))), max_size=20))}
    matched = match_mentors(people(mentees, 3), mentors, History(), seed=seed, never=never,
                            mentor_teams={m: f"t{m % 3}" for m in mentors})
    load = Counter(matched.values())
    assert all(load[m] <= room for m, room in mentors.items())
    assert not {frozenset(pair) for pair in matched.items()} & never
    if not never:
        assert len(matched) == min(mentees, sum(capacities))


def test_mentoring_finds_the_matching_that_fits_everyone() -> None:
    # Mentee 1 could take either mentor, mentee 2 only mentor 100: both must be matched.
    never = {frozenset((2, 101))}
    for seed in range(10):
        assert match_mentors(people(2), {100: 1, 101: 1}, History(), seed=seed,
                             never=never) == {1: 101, 2: 100}


def test_mentoring_prefers_mentors_from_another_team() -> None:
    mentees = people(10, 2)  # teams t0 and t1, five each
    matched = match_mentors(mentees, {100: 5, 101: 5}, History(), seed=3,
                            mentor_teams={100: "t0", 101: "t1"})
    teams = {p.id: p.team for p in mentees} | {100: "t0", 101: "t1"}
    assert all(teams[mentee] != teams[mentor] for mentee, mentor in matched.items())


def test_mentoring_leaves_out_those_who_fit_worst_when_places_run_out() -> None:
    mentees = people(10, 2)
    matched = match_mentors(mentees, {100: 3}, History(), seed=3, mentor_teams={100: "t0"})
    assert len(matched) == 3
    assert all(mentee % 2 == 0 for mentee in matched)  # the t1 mentees: ids 2, 4, ...


def test_mentoring_prefers_someone_not_met_before() -> None:
    history = History()
    history.record([(1, 100)], 5)
    for seed in range(5):
        assert match_mentors(people(1), {100: 1, 101: 1}, history, seed=seed) == {1: 101}


def test_mentoring_without_mentors_or_mentees_matches_nobody() -> None:
    assert match_mentors([], {100: 2}, History(), seed=1) == {}
    assert match_mentors(people(3), {100: 0}, History(), seed=1) == {}
