"""The functions behind the admin pages and their commands: the people list and its search,
who may do what, teams, cohorts run by hand and the calendar, each with its refusals."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from bot.due.calendar import CalendarError
from bot.organisation import calendar_settings, teams
from bot.people import admin_rights, roster
from bot.people.web_access import Viewer
from bot.practices.pairing import programmes
from bot.runtime import Runtime
from bot.storage.models import Organisation, PairingRound
from tests.rigs.admin_world import AdminWorld, build_admin_world, person

NINE = time(9, 0)


@pytest.fixture
def world(clocked_runtime: Runtime) -> AdminWorld:
    return build_admin_world(clocked_runtime)


def viewer(person_id: int | None, role: str = "facilitator") -> Viewer:
    return Viewer(1, person_id, role, "csrf", None, "x", "nl")  # type: ignore[arg-type]


def test_the_search_takes_names_ids_and_teams_literally(
        clocked_runtime: Runtime, world: AdminWorld) -> None:
    now = clocked_runtime.engine.clock()
    with clocked_runtime.database.begin() as connection:
        odd = person(connection, world.organisation_id, "100% Zeker_Wel")
        team = teams.create_team(connection, world.organisation_id, "Broodjes", now)
        teams.add_member(connection, team, world.colleagues[2], now)
        every = roster.people(connection, world.organisation_id)
        assert [row.name for row in every] == sorted(row.name for row in every)
        assert len(every) == 9
        assert [row.id for row in roster.people(connection, world.organisation_id, "%")] == [odd]
        assert [row.id for row in roster.people(connection, world.organisation_id, "_")] == [odd]
        assert [row.name for row in roster.people(connection, world.organisation_id,
                                                  "brood")] == ["Cees Bos"]
        assert roster.people(connection, world.organisation_id, "UOLGA") == []  # elsewhere
        found = roster.people(connection, world.organisation_id, f"#{world.admin}")
        assert [(row.platforms, row.accounts, row.role) for row in found] == [
            (("slack",), (("slack", "UADMIN"),), "admin")]


def test_roles_pauses_and_strangers(clocked_runtime: Runtime, world: AdminWorld) -> None:
    with clocked_runtime.database.begin() as connection:
        with pytest.raises(roster.RosterError) as own:
            roster.change_role(connection, world.organisation_id, world.admin, "participant",
                               changed_by=world.admin)
        assert own.value.reason == "own_role"
        with pytest.raises(roster.RosterError) as stranger:
            roster.pause(connection, world.organisation_id, world.outsider)
        assert stranger.value.reason == "unknown"
        roster.pause(connection, world.organisation_id, world.participant)
        paused = roster.people(connection, world.organisation_id, "Piet")[0]
        assert (paused.status, paused.paused_until) == ("paused", None)
        roster.resume(connection, world.organisation_id, world.participant)
        assert roster.people(connection, world.organisation_id, "Piet")[0].status == "active"


def test_who_may_what(clocked_runtime: Runtime, world: AdminWorld) -> None:
    with clocked_runtime.database.connect() as connection:
        levels = {who: admin_rights.level_of(connection, viewer(who))
                  for who in (world.admin, world.facilitator, world.participant)}
        embedded = admin_rights.level_of(connection, viewer(None, "admin"))
    assert levels == {world.admin: "admin", world.facilitator: "facilitator",
                      world.participant: None}
    assert embedded == "admin"
    facilitating = admin_rights.rights_of("facilitator")
    assert {"cohorts", "goals", "competences", "people.view"} <= facilitating
    assert not {"calendar", "people.manage", "teams.manage"} & facilitating
    assert admin_rights.rights_of(None) == frozenset()


def test_teams_refuse_twins_and_other_organisations(
        clocked_runtime: Runtime, world: AdminWorld) -> None:
    now = clocked_runtime.engine.clock()
    with clocked_runtime.database.begin() as connection:
        oven = teams.create_team(connection, world.organisation_id, "Oven", now)
        deeg = teams.create_team(connection, world.organisation_id, "Deeg", now)
        elsewhere = teams.create_team(connection, world.other_organisation, "Oven", now)
        with pytest.raises(teams.TeamError) as twin:
            teams.rename_team(connection, world.organisation_id, deeg, " oven ".title())
        assert twin.value.reason == "exists"
        assert teams.rename_team(connection, world.organisation_id, oven, "Oven") == "Oven"
        with pytest.raises(teams.TeamError):
            teams.delete_team(connection, world.organisation_id, elsewhere)
        assert [row.name for row in teams.list_teams(connection, world.organisation_id)] == [
            "Deeg", "Oven"]


def test_a_cohort_run_by_hand(clocked_runtime: Runtime, world: AdminWorld) -> None:
    now = clocked_runtime.engine.clock()
    with clocked_runtime.database.begin() as connection:
        team = teams.create_team(connection, world.organisation_id, "Alle", now)
        for someone in world.colleagues:
            teams.add_member(connection, team, someone, now)
        cohort = programmes.create_cohort(connection, world.organisation_id, name=" Ronde ",
                                          weekday="fri", now=now, periodic_time=NINE)
        assert cohort.name == "Ronde" and cohort.weekday_name == "fri"
        assert cohort.next_round_at is not None and cohort.next_round_at > now
        with pytest.raises(programmes.CohortError):
            programmes.create_cohort(connection, world.organisation_id, name="Ronde",
                                     now=now, periodic_time=NINE)
        assert programmes.enrol_team(connection, cohort.id, team, now) == 5
        assert programmes.enrol_team(connection, cohort.id, team, now) == 0
        preview = programmes.start_round(connection, cohort.id, now, NINE, dry_run=True)
        assert sorted(len(group) for group in preview.groups) == [2, 3]
        assert connection.execute(select(func.count()).select_from(PairingRound)).scalar() == 0
        programmes.pause_cohort(connection, cohort.id)
        programmes.start_round(connection, cohort.id, now, NINE)
        assert programmes.cohort_in(connection, world.organisation_id, cohort.id).paused
        assert connection.execute(select(func.count()).select_from(PairingRound)).scalar() == 1
        assert programmes.resume_cohort(connection, world.organisation_id, cohort.id, now,
                                        NINE) > now
        with pytest.raises(programmes.CohortError):
            programmes.cohort_in(connection, world.other_organisation, cohort.id)


def test_a_calendar_change_is_checked_whole(clocked_runtime: Runtime, world: AdminWorld
                                            ) -> None:
    with clocked_runtime.database.begin() as connection:
        with pytest.raises(CalendarError):
            calendar_settings.set_calendar(connection, world.organisation_id, holidays="BE",
                                           quiet_hours="9-5")
        assert calendar_settings.calendar_of(connection, world.organisation_id
                                             ).holiday_country == "NL"  # nothing stored
        calendar_settings.set_calendar(connection, world.organisation_id, holidays="none",
                                       quiet_hours="")
        calendar_settings.add_day_off(connection, world.organisation_id, date(2026, 5, 5),
                                      " Bevrijdingsdag ")
        calendar_settings.add_day_off(connection, world.organisation_id, date(2026, 5, 5))
        found = calendar_settings.calendar_of(connection, world.organisation_id)
        assert found.holiday_country is None
        assert found.days_off == ((date(2026, 5, 5), "Bevrijdingsdag"),)
        calendar_settings.reschedule(connection, world.organisation_id,
                                     clocked_runtime.engine.calendars, NINE,
                                     clocked_runtime.engine.clock())
        assert calendar_settings.remove_day_off(connection, world.organisation_id,
                                                date(2026, 5, 5))
        assert connection.execute(select(Organisation.quiet_hours).where(
            Organisation.id == world.organisation_id)).scalar() != "21:00-07:00"
