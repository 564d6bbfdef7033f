"""SMART read over a whole plan, each criterion on its own, seeing through vague words in
Dutch, Flemish and English ("als het lukt", "ooit", "binnenkort", "meer", "beter")."""

from __future__ import annotations

import pytest

from bot.core import smart

LISTS = smart.any_locale()


@pytest.mark.parametrize(("text", "vague"), [
    ("Morgen in het teamoverleg, als het lukt", "als het lukt"),
    ("ooit een keer in de standup", "ooit"),
    ("binnenkort, dinsdag misschien", "binnenkort"),
    ("zsm in de 1-op-1", "zsm"),
    ("tegen de zomer, als ik tijd heb", "als ik tijd heb"),
    ("Tuesday in the team meeting if possible", "if possible"),
    ("someday in a one-on-one", "someday"),
    ("soon, at the daily stand-up", "soon"),
])
def test_a_hedge_leaves_the_moment_open(text: str, vague: str) -> None:
    found = smart.timed([text], LISTS)
    assert not found.met
    assert found.vague.lower() == vague


@pytest.mark.parametrize("text", ["dinsdag in het teamoverleg", "morgen om 9u15",
                                  "Eind juni kijk ik terug", "Tuesday at 3pm"])
def test_a_moment_is_time_bound(text: str) -> None:
    assert smart.timed([text], LISTS).met


@pytest.mark.parametrize(("text", "vague"), [
    ("meer vragen stellen", "meer"), ("beter luisteren", "beter"),
    ("vaker feedback vragen", "vaker"), ("ask more questions", "more"),
    ("be a better listener", "better"),
])
def test_more_or_better_without_a_count_is_not_measurable(text: str, vague: str) -> None:
    found = smart.measurable([text], LISTS)
    assert (found.met, found.vague.lower()) == (False, vague)


@pytest.mark.parametrize("text", ["drie keer per dag meer vragen stellen",
                                  "In elk klantgesprek stel ik eerst drie open vragen",
                                  "Ask two open questions in every call"])
def test_a_count_makes_it_measurable(text: str) -> None:
    assert smart.measurable([text], LISTS).met


def test_specific_reads_the_plan_as_a_whole() -> None:
    assert not smart.specific(["op het werk"], LISTS).met
    assert smart.specific(["op het werk", "in het klantoverleg van dinsdag met Sanne"],
                          LISTS).met
    assert not smart.specific(["ergens"], LISTS).met


def test_each_criterion_on_its_own() -> None:
    found = smart.Smart(
        specific=smart.specific(["In het weekoverleg met mijn team"], LISTS),
        measurable=smart.measurable(["meer samenvatten"], LISTS),
        timed=smart.timed(["binnenkort"], LISTS),
    )
    assert not found.complete
    assert found.variables() == {
        "specific": True, "specific_vague": "", "measurable": False,
        "measurable_vague": "meer", "timed": False, "timed_vague": "binnenkort"}
