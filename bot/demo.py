"""`leercoach demo`: a made-up organisation, so the dashboard shows something real at once.

Forty people in four teams, and a management team of four (the teams' leads, each in
their own team too) whose numbers the dashboard suppresses, so that rule shows; eight
weeks of diary entries and weekly plans, a steady peer-review cohort with eight rounds,
this month's focus competences, learning contracts for this quarter and the last, two
closed intervision cases in the library, work sessions of two teams, and team KPIs. Dates
are relative to today, so the dashboard's last eight weeks are always full.

It is clearly demo data: the organisation is "Demo — voorbeeldorganisatie" and owns a
workspace on the platform `demo` (that is how a demo organisation is recognised), every
name ends in " (demo)". Nobody in it is ever messaged: people are marked as scheduled
without a schedule row, the cohort has no next round and the work-session series are not
active. Running it again rebuilds the organisation in place from the same seed (the same
counts, dates moved to today); it refuses an organisation with that slug that is not a
demo, and never reads or writes any other organisation.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, insert, select

from bot.due.weekdays import WEEKDAYS
from bot.learning_record.periods import quarter_of
from bot.organisation.catalog import load_catalog
from bot.storage.models import (
    AgendaItem,
    CaseContribution,
    Cohort,
    CohortMember,
    CommunitySession,
    Competence,
    DiaryEntry,
    Goal,
    IntervisionCase,
    LearningContract,
    MonthlyReflection,
    Organisation,
    PairingRound,
    PairMember,
    Person,
    Team,
    TeamMember,
    WeeklyPlan,
    WorkOutcome,
    WorkSession,
    WorkSessionSeries,
    Workspace,
    table_of,
)

DEMO_SLUG = "demo"
DEMO_NAME = "Demo — voorbeeldorganisatie"
DEMO_PLATFORM = "demo"  # a workspace on this platform marks an organisation as a demo
SUFFIX = " (demo)"
WEEKS = 8
TIMEZONE = "Europe/Amsterdam"
FULL_TIME = "mon,tue,wed,thu,fri"

# team, size, how often its people write in the diary (on average), how often pairs meet
TEAMS: tuple[tuple[str, int, float, float], ...] = (
    ("Servicedesk", 10, 0.85, 0.85),
    ("Verpleegafdeling", 10, 0.60, 0.70),
    ("Sales", 10, 0.50, 0.55),
    ("Financiën", 10, 0.70, 0.75),
)
# The leads of the four teams: fewer than five, so the dashboard suppresses this team.
# Being in their own team as well, nobody is left over when the teams are added up.
SMALL_TEAM = "Directie"
FIRST_NAMES = (
    "Anouk", "Bram", "Chantal", "Daan", "Esra", "Femke", "Gijs", "Hanna", "Ilse", "Jeroen",
    "Kim", "Lars", "Mila", "Noah", "Olga", "Pieter", "Quinten", "Roos", "Sanne", "Tim",
    "Umut", "Vera", "Wouter", "Xandra", "Yusuf", "Zoë", "Annelies", "Bas", "Carmen", "Dirk",
    "Elif", "Floor", "Guus", "Hatice", "Iris", "Joost", "Karin", "Luuk", "Merel", "Nadia",
)
LAST_NAMES = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Yılmaz", "El Amrani", "Kaya", "van Dijk", "Koster", "Prins",
)
# The competences chosen most (a focus distribution has a few favourites and a long tail).
FAVOURITES = ("feedback", "communiceren", "klantgerichtheid", "samenwerken", "reflecteren")

# What demo people "wrote": never shown on the dashboard (tests look for them there).
DIARY_MOMENTS = (
    "Een klant was boos over een late levering.",
    "Ik moest een overdracht doen aan een nieuwe collega.",
    "In het teamoverleg liep de discussie vast.",
    "Een collega vroeg om feedback op een voorstel.",
    "Ik kreeg een vraag waar ik het antwoord niet op wist.",
)
DIARY_APPROACHES = (
    "Eerst doorgevraagd en samengevat wat ik hoorde.",
    "Hulp gevraagd aan een ervaren collega.",
    "Een checklist gebruikt en stap voor stap gewerkt.",
    "Even pauze genomen en het later opnieuw geprobeerd.",
)
DIARY_LEARNINGS = (
    "Eerst vragen, dan pas advies geven.",
    "Samenvatten voorkomt misverstanden.",
    "Ik mag vaker om hulp vragen.",
    "Een vaste volgorde geeft rust.",
    "Feedback vragen levert meer op dan ik dacht.",
)
PLAN_SITUATIONS = (
    "Het wekelijkse teamoverleg.",
    "Telefoongesprekken met klanten.",
    "De overdracht aan het eind van de dienst.",
    "Het gesprek met mijn leidinggevende.",
)
PLAN_APPROACHES = (
    "Ik stel eerst twee open vragen voordat ik iets voorstel.",
    "Ik vat aan het eind samen wat we hebben afgesproken.",
    "Ik vraag na afloop één collega om feedback.",
)
PLAN_MOMENTS = ("Dinsdagochtend.", "Donderdag na de lunch.", "Elke dag bij de overdracht.")
REFLECTION_TEXTS = (
    "Ik heb vaker doorgevraagd en dat werkte goed.",
    "Ik schiet nog te snel in de oplossing.",
    "Volgende maand wil ik elke week om feedback vragen.",
)
CONTRACT_GOALS = (
    "Beter omgaan met lastige klantgesprekken.",
    "Zelfstandig een werksessie leiden.",
    "Sneller en duidelijker adviseren.",
    "Mijn planning beter op orde hebben.",
)
EVIDENCE_MEASURABLE = (
    "Eind van het kwartaal heb ik minstens vijf keer feedback gevraagd en genoteerd.",
    "In december leid ik twee werksessies en mijn collega's geven me een 8.",
    "Binnen drie maanden los ik 80% van de meldingen in één keer op.",
)
EVIDENCE_VAGUE = (
    "Ik voel me zekerer in gesprekken.",
    "Als het goed voelt.",
    "Mijn collega merkt het vast.",
)
CASES = (
    {
        "story": "Een klant belt voor de derde keer over dezelfde storing en dreigt op te "
                 "zeggen.",
        "stuck": "Ik weet niet of ik de klant iets mag beloven.",
        "unsure": "Of ik mijn leidinggevende erbij moet halen.",
        "question": "Hoe houd ik het gesprek goed als ik de oplossing nog niet heb?",
        "core_problem": "Ik wil de klant helpen maar heb geen mandaat.",
        "commitment": "Ik spreek met mijn teamleider af wat ik mag toezeggen.",
    },
    {
        "story": "Bij de overdracht van de avonddienst ging informatie over medicatie "
                 "verloren.",
        "stuck": "Iedereen gebruikt een andere volgorde bij de overdracht.",
        "unsure": "Of een checklist niet te star is.",
        "question": "Hoe maken we de overdracht betrouwbaar zonder dat het langer duurt?",
        "core_problem": "We hebben geen gedeelde volgorde.",
        "commitment": "Ik stel met twee collega's een korte checklist op en test die.",
    },
)
CASE_QUESTIONS = (
    "Wat heb je de klant de vorige keer gezegd?",
    "Wie bepaalt wat je mag toezeggen?",
    "Hoe reageerde je collega toen?",
    "Wat zou je willen dat er anders ging?",
)
CASE_ADVICE = (
    "Vraag je leidinggevende om een duidelijk mandaat.",
    "Vat samen wat de klant nodig heeft voordat je iets belooft.",
)
CASE_LESSONS = (
    "Goed vakmanschap is ook weten wat je mag beloven.",
    "Een gedeelde werkwijze maakt het team sterker.",
)
WORK_ITEMS = ("Hoe verdelen we de piekdrukte?", "Proef met een vaste overdrachtstijd.")
WORK_OUTCOMES = (("decision", "We proberen vier weken een vaste overdrachtstijd."),
                 ("learning", "Korte afspraken werken beter dan lange notulen."))

_organisations = table_of(Organisation)
_workspaces = table_of(Workspace)
_people = table_of(Person)
_teams = table_of(Team)
_team_members = table_of(TeamMember)
_competences = table_of(Competence)


class DemoError(ValueError):
    """An organisation with the demo's slug that is not a demo: it is left alone."""


@dataclass(frozen=True, slots=True)
class DemoReport:
    """What `build_demo` made, for the command to print."""

    organisation_id: int
    slug: str
    rebuilt: bool
    people: int
    teams: int
    diary_entries: int
    weekly_plans: int
    rounds: int
    reflections: int
    contracts: int
    cases: int
    work_sessions: int
    goals: int


def is_demo(connection: Connection, organisation_id: int) -> bool:
    return connection.execute(
        select(_workspaces.c.id).where(_workspaces.c.organisation_id == organisation_id,
                                       _workspaces.c.platform == DEMO_PLATFORM)
    ).first() is not None


def _insert(connection: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table_of(model)), list(rows))


def _insert_one(connection: Connection, model: Any, **values: Any) -> int:
    table = table_of(model)
    return int(connection.execute(insert(table).values(**values).returning(table.c.id))
               .scalar_one())


def _organisation(connection: Connection, slug: str, now: datetime) -> tuple[int, bool]:
    """The demo organisation's id, made when new (with the starter catalog); emptied of
    everything the demo puts in it when it is there already."""
    found = connection.execute(
        select(_organisations.c.id).where(_organisations.c.slug == slug)
    ).scalar()
    if found is not None:
        if not is_demo(connection, found):
            raise DemoError(f"organisation {slug!r} exists and is not a demo organisation; "
                            "choose another slug with --organisation")
        _clear(connection, found)
        organisation_id, rebuilt = int(found), True
    else:
        organisation_id = _insert_one(
            connection, Organisation, slug=slug, name=DEMO_NAME, default_locale="nl",
            default_timezone=TIMEZONE, default_workdays=FULL_TIME,
            default_diary_time=time(16, 30), holiday_country="NL", quiet_hours="21:00-07:00",
            created_at=now)
        _insert(connection, Workspace, [{"organisation_id": organisation_id,
                                         "platform": DEMO_PLATFORM, "tenant": slug,
                                         "created_at": now}])
        rebuilt = False
    have = set(connection.execute(select(_competences.c.code).where(
        _competences.c.organisation_id == organisation_id)).scalars())
    _insert(connection, Competence, [
        {"organisation_id": organisation_id, **{key: entry.get(key, "") for key in (
            "code", "discipline_nl", "discipline_en", "name_nl", "name_en", "description_nl",
            "description_en")}}
        for entry in load_catalog() if entry["code"] not in have
    ])
    return organisation_id, rebuilt


def _clear(connection: Connection, organisation_id: int) -> None:
    """Everything the demo made; people take their diaries, plans and the rest along."""
    for model in (IntervisionCase, WorkSessionSeries, Cohort, Goal, CommunitySession, Person,
                  Team):
        table = table_of(model)
        connection.execute(delete(table).where(table.c.organisation_id == organisation_id))


def _workdays(day: date, workdays: str) -> bool:
    return WEEKDAYS[day.weekday()] in workdays


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


@dataclass(slots=True)
class _Someone:
    id: int
    team: int  # index into TEAMS
    workdays: str
    diligence: float  # chance of writing on a workday
    active: bool


def build_demo(
    connection: Connection, *, now: datetime, slug: str = DEMO_SLUG, seed: int = 1
) -> DemoReport:
    """Make (or remake) the demo organisation in the caller's transaction."""
    rng = random.Random(seed)
    zone = ZoneInfo(TIMEZONE)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first_monday = monday - timedelta(weeks=WEEKS - 1)
    joined = _at(first_monday - timedelta(weeks=2), time(9), zone)
    organisation_id, rebuilt = _organisation(connection, slug, now)
    codes = [entry["code"] for entry in load_catalog()]

    # -- teams and people -----------------------------------------------------------------
    team_ids = [
        _insert_one(connection, Team, organisation_id=organisation_id, name=name, kind="team",
                    created_at=joined)
        for name in (*(name for name, *_ in TEAMS), SMALL_TEAM)
    ]
    names = rng.sample([f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES],
                       sum(size for _, size, _, _ in TEAMS))
    people: list[_Someone] = []
    for index, (_, size, diligence, _) in enumerate(TEAMS):
        for _ in range(size):
            number = len(people)
            workdays = FULL_TIME if rng.random() < 0.75 else rng.choice(
                ("mon,tue,wed,thu", "mon,tue,thu", "tue,wed,thu,fri"))
            status = "active"
            if number == 7:
                status = "opted_out"
            elif number == 23:
                status = "paused"
            role = "facilitator" if number == 0 else "participant"
            person_id = _insert_one(
                connection, Person, organisation_id=organisation_id,
                display_name=names[number] + SUFFIX, locale="en" if number % 13 == 5 else "nl",
                timezone=TIMEZONE, workdays=workdays, diary_time=time(16, 30), status=status,
                paused_until=today + timedelta(days=10) if status == "paused" else None,
                role=role, onboarded_at=joined, schedule_registered=True, created_at=joined)
            spread = min(0.98, max(0.05, rng.gauss(diligence, 0.18)))
            people.append(_Someone(person_id, index, workdays, spread, status == "active"))
    leads = [next(p for p in people if p.team == index and p.active)
             for index in range(len(TEAMS))]
    _insert(connection, TeamMember, [
        {"team_id": team_ids[someone.team], "person_id": someone.id, "joined_at": joined}
        for someone in people
    ] + [{"team_id": team_ids[-1], "person_id": lead.id, "joined_at": joined} for lead in leads])
    for someone in rng.sample(people, 6):  # the keen ones: every workday, for weeks now
        someone.diligence = 1.0

    # -- eight weeks of diary and weekly plans ------------------------------------------------
    entries: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for someone in people:
        writes = someone.active or someone.id == people[23].id  # paused only lately
        keen = someone.diligence == 1.0
        engaged = False
        for offset in range((today - first_monday).days):
            day = first_monday + timedelta(days=offset)
            if day.weekday() == 0:  # some weeks one writes, some weeks not; a slow rise
                engaged = keen or rng.random() < someone.diligence + (offset // 7 - 4) * 0.02
            if not writes or not engaged or not _workdays(day, someone.workdays):
                continue
            if someone.id == people[23].id and day > today - timedelta(days=12):
                continue
            if keen or rng.random() < 0.8:
                entries.append({
                    "person_id": someone.id, "local_date": day,
                    "moments": rng.choice(DIARY_MOMENTS),
                    "approach": rng.choice(DIARY_APPROACHES),
                    "learning": rng.choice(DIARY_LEARNINGS), "value": rng.randint(2, 5),
                    "extra": {}, "complete": True, "created_at": _at(day, time(16, 45), zone),
                })
        if not someone.active:
            continue
        for week in range(WEEKS):
            start = first_monday + timedelta(weeks=week)
            if rng.random() < min(1.0, someone.diligence + 0.1):
                plans.append({
                    "person_id": someone.id, "week_start": start,
                    "competence_code": rng.choice(FAVOURITES + tuple(codes[:8])),
                    "situation": rng.choice(PLAN_SITUATIONS),
                    "approach": rng.choice(PLAN_APPROACHES), "moment": rng.choice(PLAN_MOMENTS),
                    "follows": None if week == 0 else rng.choice(("continue", "adjust", "done")),
                    "feedback_given": rng.random() < 0.5, "practised": rng.randint(0, 3),
                    "checked": rng.randint(0, 4), "created_at": _at(start, time(9, 30), zone),
                })
    _insert(connection, DiaryEntry, entries)
    _insert(connection, WeeklyPlan, plans)

    # -- a steady peer-review cohort: eight weekly rounds ----------------------------------------
    cohort_id = _insert_one(
        connection, Cohort, organisation_id=organisation_id, name="Collegagesprek" + SUFFIX,
        mode="steady", cadence_weeks=1, weekday=0, repair_quarterly=False, next_round_at=None,
        channel=None, created_at=joined)
    paired = [someone for someone in people if someone.active]
    _insert(connection, CohortMember, [
        {"cohort_id": cohort_id, "person_id": someone.id, "role": "participant",
         "capacity": 1, "wants_new_partner": False, "joined_at": joined}
        for someone in paired
    ])
    order = paired[:]
    rng.shuffle(order)
    groups = [order[i:i + 2] for i in range(0, len(order) - len(order) % 2, 2)]
    if len(order) % 2:
        groups[-1].append(order[-1])
    for group in groups:
        for someone in group:
            partner = group[1] if someone is group[0] else group[0]
            connection.execute(_people.update().where(_people.c.id == someone.id)
                               .values(steady_colleague_id=partner.id))
    meets = {index: chance for index, (_, _, _, chance) in enumerate(TEAMS)}
    for number in range(1, WEEKS + 1):
        starts = first_monday + timedelta(weeks=number - 1)
        round_id = _insert_one(connection, PairingRound, cohort_id=cohort_id, number=number,
                               starts_on=starts, ends_on=starts + timedelta(days=6),
                               created_at=_at(starts, time(9, 30), zone))
        current = starts + timedelta(days=6) >= today
        members = []
        for group_number, group in enumerate(groups, start=1):
            chance = sum(meets[someone.team] for someone in group) / len(group)
            met = rng.random() < chance
            silent = rng.random() < (0.7 if current else 0.12)  # not answered (yet)
            for someone in group:
                answer: bool | None = None if silent else met
                members.append({"round_id": round_id, "group_number": group_number,
                                "person_id": someone.id, "met": answer})
        _insert(connection, PairMember, members)

    # -- this month's reflection round --------------------------------------------------------
    month = today.replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    weights = [10 if code in FAVOURITES else 1 if code in codes[:6] else 0 for code in codes]
    reflections = []
    for someone in paired:
        if rng.random() > 0.8:
            continue
        focus = list(dict.fromkeys(rng.choices(codes, weights, k=1 if rng.random() < 0.7
                                               else 2)))
        reflections.append({
            "person_id": someone.id, "month": previous,
            "went_well": rng.choice(REFLECTION_TEXTS),
            "could_be_better": rng.choice(REFLECTION_TEXTS),
            "concrete_next": rng.choice(REFLECTION_TEXTS), "contract_progress": None,
            "focus": focus, "focus_month": month,
            "created_at": _at(month - timedelta(days=1), time(10), zone),
        })
    _insert(connection, MonthlyReflection, reflections)

    # -- goals and KPIs, then learning contracts (some linked to a goal) ------------------------
    quarter = quarter_of(today)
    goal_ids: dict[int | None, int] = {}
    goal_ids[None] = _insert_one(
        connection, Goal, organisation_id=organisation_id, team_id=None, level="business",
        title="Klanttevredenheid naar een 8", description="", period=str(today.year),
        active=True, target=8.0, value=7.4, created_at=joined)
    kpis = (("Meldingen in één keer opgelost (%)", 80.0, 71.0),
            ("Overdrachten volgens de checklist (%)", 95.0, 86.0),
            ("Offertes binnen twee werkdagen (%)", 90.0, 64.0),
            ("Facturen op tijd verstuurd (%)", 98.0, 93.5),
            ("Strategie besproken in elk team", 4.0, 3.0))  # the management team's
    for index, (title, target, value) in enumerate(kpis):
        goal_ids[index] = _insert_one(
            connection, Goal, organisation_id=organisation_id, team_id=team_ids[index],
            level="team", title=title, description="", period=quarter, active=True,
            target=target, value=value, created_at=joined)
    contracts = []
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    earlier = quarter_of(quarter_start - timedelta(days=1))
    for someone in paired:
        for which, chance in ((quarter, 0.7), (earlier, 0.45)):
            if rng.random() > chance:
                continue
            measurable = rng.random() < 0.6
            for version in range(1, 3 if rng.random() < 0.15 else 2):
                contracts.append({
                    "person_id": someone.id, "quarter": which, "version": version,
                    "came_from": None, "now": None, "goal": rng.choice(CONTRACT_GOALS),
                    "approach": rng.choice(PLAN_APPROACHES),
                    "evidence": rng.choice(EVIDENCE_MEASURABLE if measurable or version == 2
                                           else EVIDENCE_VAGUE),
                    "why_business": None, "why_team": None, "why_personal": None,
                    "competences": rng.sample(FAVOURITES, 1),
                    "goal_id": rng.choice((goal_ids[None], goal_ids[someone.team], None)),
                    "share_consent": False, "shared_with_id": None, "created_at": joined,
                })
    _insert(connection, LearningContract, contracts)

    # -- two closed intervision cases in the library ------------------------------------------
    for number, case in enumerate(CASES):
        owner = people[1 + number * 9]
        opened = _at(today - timedelta(days=24 - number * 12), time(14), zone)
        case_id = _insert_one(
            connection, IntervisionCase, organisation_id=organisation_id, owner_id=owner.id,
            platform=DEMO_PLATFORM, tenant=slug, conversation="demo-intervisie",
            thread=f"demo-case-{number + 1}", phase="closed", in_library=True,
            anonymised=False, created_at=opened, closed_at=opened + timedelta(hours=1),
            **case)
        others = rng.sample([p for p in paired if p.id != owner.id], 6)
        said = [("questions", "question", text) for text in CASE_QUESTIONS]
        said += [("advice", "advice", text) for text in CASE_ADVICE]
        said += [("closing", "lesson", text) for text in CASE_LESSONS]
        _insert(connection, CaseContribution, [
            {"case_id": case_id, "person_id": others[i % len(others)].id, "phase": phase,
             "kind": kind, "text": text, "created_at": opened + timedelta(minutes=5 + i)}
            for i, (phase, kind, text) in enumerate(said)
        ])

    # -- work sessions of two teams -----------------------------------------------------------
    sessions = 0
    for team, cadence in ((0, 2), (1, 4)):
        facilitator = leads[team]
        series_id = _insert_one(
            connection, WorkSessionSeries, organisation_id=organisation_id,
            team_id=team_ids[team], platform=DEMO_PLATFORM, tenant=slug,
            conversation=f"demo-{TEAMS[team][0].lower()}", cadence_weeks=cadence, weekday=3,
            local_time=time(14), facilitator_id=facilitator.id, next_starts_at=None,
            active=False, created_at=joined)
        for week in range(0, WEEKS, cadence):
            day = first_monday + timedelta(weeks=week, days=3)
            if day >= today:
                break
            starts = _at(day, time(14), zone)
            session_id = _insert_one(connection, WorkSession, series_id=series_id,
                                     starts_at=starts, agenda_posted_at=starts - timedelta(
                                         days=1), created_at=starts - timedelta(days=3))
            _insert(connection, AgendaItem, [
                {"session_id": session_id, "proposer_id": facilitator.id, "kind": "topic",
                 "text": text, "created_at": starts - timedelta(days=2)} for text in WORK_ITEMS
            ])
            _insert(connection, WorkOutcome, [
                {"session_id": session_id, "kind": kind, "text": text,
                 "owner_id": facilitator.id if kind == "decision" else None,
                 "status": "done" if kind == "decision" else "open", "note": None,
                 "recorded_by": facilitator.id, "created_at": starts + timedelta(hours=2),
                 "updated_at": None}
                for kind, text in WORK_OUTCOMES
            ])
            sessions += 1

    return DemoReport(
        organisation_id=organisation_id, slug=slug, rebuilt=rebuilt, people=len(people),
        teams=len(team_ids), diary_entries=len(entries), weekly_plans=len(plans),
        rounds=WEEKS, reflections=len(reflections), contracts=len(contracts),
        cases=len(CASES), work_sessions=sessions, goals=len(goal_ids),
    )
