"""The cohort, never-pair, pair and pairs commands, run as a facilitator would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rigs.cli import run


def chat(tmp_path: Path, user: str) -> None:
    assert run(tmp_path, "chat", "--user", user, stdin="hallo\nstop\n").returncode == 0


@pytest.mark.slow
def test_a_cohort_from_creation_to_its_current_pairs(tmp_path: Path) -> None:
    for user in ("anna", "bram", "cees", "dirk", "eva"):
        chat(tmp_path, user)
    added = run(tmp_path, "cohort", "add", "Servicedesk", "--weekday", "tue")
    assert added.returncode == 0, added.stderr
    assert "cohort Servicedesk: steady, every 1 week(s) on tue; first round" in added.stdout
    assert run(tmp_path, "cohort", "add", "Servicedesk").returncode == 2  # exists already
    for user in ("anna", "bram", "cees", "dirk", "eva"):
        joined = run(tmp_path, "cohort", "join", "Servicedesk", "--user", user)
        assert "joins Servicedesk (told how to leave)" in joined.stdout, joined.stderr
    assert "takes part in" in run(tmp_path, "cohort", "join", "Servicedesk",
                                  "--user", "anna").stdout
    never = run(tmp_path, "never-pair", "--user", "anna", "--user", "bram", "--reason", "baas")
    assert "anna and bram are never paired" in never.stdout
    assert "5 taking part" in run(tmp_path, "cohort", "list").stdout

    dry = run(tmp_path, "pair", "--cohort", "Servicedesk", "--dry-run")
    assert "dry run: round 1 of Servicedesk" in dry.stdout and "2 groups" in dry.stdout
    assert "no round yet" in run(tmp_path, "pairs", "--cohort", "Servicedesk").stdout

    paired = run(tmp_path, "pair", "--cohort", "Servicedesk")
    assert "round 1 of Servicedesk" in paired.stdout and "dry run" not in paired.stdout
    groups = [line for line in paired.stdout.splitlines() if line.startswith("  ")]
    assert sorted(line.count("+") for line in groups) == [1, 2]  # a pair and the one trio
    assert not any("#1)" in line and "#2)" in line for line in groups)  # never anna + bram
    current = run(tmp_path, "pairs", "--cohort", "Servicedesk")
    assert "round 1" in current.stdout and current.stdout.count("last met not yet") == 2

    # The welcome goes out first; the terminal shows it as the open question, and the
    # round's message waits until that is answered.
    ticked = run(tmp_path, "tick")
    assert "sent     enrolled:" in ticked.stdout
    assert "deferred pairing:" in ticked.stdout
    opened = run(tmp_path, "chat", "--user", "cees", stdin="ja\n")
    assert "Doe je mee?" in opened.stdout and "Leuk!" in opened.stdout
    left = run(tmp_path, "cohort", "leave", "Servicedesk", "--user", "eva")
    assert "eva left Servicedesk" in left.stdout


def test_unknown_cohorts_and_people_are_usage_errors(tmp_path: Path) -> None:
    missing = run(tmp_path, "pair", "--cohort", "Nergens")
    assert missing.returncode == 2 and "there is no cohort 'Nergens'" in missing.stderr
    run(tmp_path, "cohort", "add", "Team")
    nobody = run(tmp_path, "cohort", "join", "Team", "--user", "niemand")
    assert nobody.returncode == 2 and "no person known as 'niemand'" in nobody.stderr
    assert "Traceback" not in missing.stderr + nobody.stderr



@pytest.mark.slow
def test_cohort_add_ties_a_cohort_to_a_channel(tmp_path: Path) -> None:
    added = run(tmp_path, "cohort", "add", "Peer review", "--channel", "slack:T1:C1")
    assert added.returncode == 0, added.stderr
    assert "members of slack:T1:C1 take part" in added.stdout
    assert "channel slack:T1:C1" in run(tmp_path, "cohort", "list").stdout
    team = run(tmp_path, "cohort", "add", "Team", "--channel",
               "teams:tenant-1:19:abc@thread.tacv2")
    assert "members of teams:tenant-1:19:abc@thread.tacv2 take part" in team.stdout
    broken = run(tmp_path, "cohort", "add", "Broken", "--channel", "slack:C1")
    assert broken.returncode == 2 and "PLATFORM:WORKSPACE:CHANNEL" in broken.stderr
