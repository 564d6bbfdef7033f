"""The quarterly learning contract (seed 004) with seed 000's why, versioned and shared.

Four times a year a person writes a learning contract around five questions: where do you
come from (the previous contract is shown first, to evaluate it), where are you now, what do
you want to have achieved in three months (and in which competences of the catalog), how will
you do it, and how will you know you got there (SMART; one round of feedback at most). Then
the why on seed 000's three levels: business result, team performance, personal development,
optionally linked to an active goal of the organisation or one of the person's teams.

Contracts are stored per quarter they plan, in the person's local calendar ("2026-Q4"): one
written in a quarter's last month plans the coming quarter (`planned_quarter`); writing one
again for the same quarter adds a version, earlier versions stay. With the author's explicit consent
the contract is shared with their steady colleague, who gets the `contract_response` dialog to
read it and respond; the author is told the response, and the colleague is invited to share
theirs ("and vice versa").

Limit: when the colleague is busy in another dialog, the response dialog cannot be started
then. The consent is stored with `shared_at` empty; the colleague sees the contract when they
ask for it (`contract collega` / `colleague contract`), and the scheduler can offer it again
later (contracts with `share_consent` and no `shared_at`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, select, update
from sqlalchemy.engine import Row

from bot.core import smart
from bot.core.flows import ChoiceDef
from bot.core.registry import ChoiceQuery, Completion, PracticeHooks, Review, Start
from bot.learning_record.periods import contract_quarters, planned_quarter, quarter_label
from bot.organisation.goals import active_goals, goal_title, team_ids_of
from bot.storage.models import Competence, ContractResponse, LearningContract, Person, table_of

hooks = PracticeHooks("contract")

FLOW = "contract"
RESPONSE_FLOW = "contract_response"
FORM_STEP = "questions"
FORM_FIELDS = ("came_from", "now", "goal", "approach", "evidence")
WHY_STEPS = ("why_business", "why_team", "why_personal")
SHORT = 300

_contracts = table_of(LearningContract)
_responses = table_of(ContractResponse)
_people = table_of(Person)
_PERSON_COLUMNS = [
    _people.c[name]
    for name in ("id", "display_name", "status", "paused_until", "steady_colleague_id")
]


# -- quarters --------------------------------------------------------------------------------


def short(text: str | None, limit: int = SHORT) -> str:
    """A text cut at a word to at most `limit` characters, for what is shown back."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(",.;:") + "…"


# -- reading contracts -----------------------------------------------------------------------


def latest_version(connection: Connection, person_id: int, quarter: str) -> Row[Any] | None:
    """The newest version of a person's contract for `quarter`."""
    return connection.execute(
        select(_contracts)
        .where(_contracts.c.person_id == person_id, _contracts.c.quarter == quarter)
        .order_by(_contracts.c.version.desc(), _contracts.c.id.desc())
        .limit(1)
    ).first()


def previous_contract(connection: Connection, person_id: int, quarter: str) -> Row[Any] | None:
    """The newest version of the latest contract from a quarter before `quarter`."""
    return connection.execute(
        select(_contracts)
        .where(_contracts.c.person_id == person_id, _contracts.c.quarter < quarter)
        .order_by(_contracts.c.quarter.desc(), _contracts.c.version.desc(), _contracts.c.id.desc())
        .limit(1)
    ).first()


def current_version(connection: Connection, person_id: int, day: date) -> Row[Any] | None:
    """The newest version of a person's current contract on `day` (`contract_quarters`)."""
    for quarter in contract_quarters(day):
        row = latest_version(connection, person_id, quarter)
        if row is not None:
            return row
    return None


def next_version(connection: Connection, person_id: int, quarter: str) -> int:
    current = latest_version(connection, person_id, quarter)
    return int(current.version) + 1 if current is not None else 1


def competence_names(
    connection: Connection, organisation_id: int, codes: Iterable[str], locale: str
) -> list[str]:
    """Names of `codes` in `locale`, in order; a code no longer in the catalog as it is."""
    wanted = [code for code in codes if isinstance(code, str) and code]
    if not wanted:
        return []
    table = table_of(Competence)
    rows = connection.execute(
        select(table.c.code, table.c.name_nl, table.c.name_en).where(
            table.c.organisation_id == organisation_id, table.c.code.in_(set(wanted))
        )
    ).all()
    names = {row.code: (row.name_en if locale == "en" else row.name_nl) for row in rows}
    return [names.get(code, code) for code in wanted]


def has_catalog(connection: Connection, organisation_id: int) -> bool:
    table = table_of(Competence)
    found = connection.execute(
        select(table.c.id).where(table.c.organisation_id == organisation_id).limit(1)
    ).first()
    return found is not None


def first_name(display_name: str | None) -> str:
    parts = (display_name or "").split()
    return parts[0] if parts else ""


def reachable(row: Row[Any], today: date) -> bool:
    """Whether someone may be started on a dialog now (active, not on a pause)."""
    return bool(row.status == "active" and (row.paused_until is None or row.paused_until <= today))


def _person(connection: Connection, person_id: int | None) -> Row[Any] | None:
    if person_id is None:
        return None
    return connection.execute(select(*_PERSON_COLUMNS).where(_people.c.id == person_id)).first()


def _summary(
    connection: Connection, row: Row[Any], organisation_id: int, locale: str
) -> dict[str, Any]:
    """A contract as JSON values for a dialog's context (texts shortened for display)."""
    return {
        "quarter": row.quarter,
        "quarter_label": quarter_label(row.quarter),
        "version": int(row.version),
        "came_from": short(row.came_from),
        "now": short(row.now),
        "goal": short(row.goal),
        "approach": short(row.approach),
        "evidence": short(row.evidence),
        "why_business": short(row.why_business),
        "why_team": short(row.why_team),
        "why_personal": short(row.why_personal),
        "competences": competence_names(
            connection, organisation_id, row.competences or [], locale
        ),
        "goal_link": goal_title(connection, row.goal_id),
    }


# -- the contract flow -----------------------------------------------------------------------


@hooks.on_start(FLOW)
def _prepare(start: Start) -> dict[str, Any]:
    """Which quarter and version this is, the contract to look back on, what can be chosen."""
    connection, person = start.connection, start.person
    locale = start.turn.locale
    quarter = planned_quarter(start.local_date)
    current = None if start.is_new else latest_version(connection, person.id, quarter)
    previous = None if start.is_new else previous_contract(connection, person.id, quarter)
    team_ids = team_ids_of(connection, person.id)
    colleague = _person(connection, person.steady_colleague_id)
    if colleague is not None and colleague.id == person.id:
        colleague = None
    return {
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "version": int(current.version) + 1 if current is not None else 1,
        "revision": current is not None,
        "current": _summary(connection, current, person.organisation_id, locale)
        if current is not None
        else None,
        "previous": _summary(connection, previous, person.organisation_id, locale)
        if previous is not None
        else None,
        "has_catalog": has_catalog(connection, person.organisation_id),
        # The competences worked on so far come first in the catalog's long list.
        "competences_first": list(
            dict.fromkeys(
                code
                for row in (current, previous)
                if row is not None
                for code in (row.competences or [])
                if isinstance(code, str)
            )
        ),
        "team_ids": team_ids,
        "has_goals": bool(active_goals(connection, person.organisation_id, team_ids)),
        "has_colleague": colleague is not None,
        "colleague_id": colleague.id if colleague is not None else None,
        "colleague_name": first_name(colleague.display_name) if colleague is not None else "",
    }


@hooks.choice_source("contract_goals")
def _goal_choices(query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    """The active goals of the person's organisation and teams, then 'none of these'."""
    none = ChoiceDef(value="none", label="contract.no_goal")
    if query.connection is None:
        return (none,)
    team_ids = [int(i) for i in query.context.get("team_ids") or [] if isinstance(i, int)]
    goals = active_goals(query.connection, query.organisation_id, team_ids)
    choices = []
    for goal in goals:
        details = ", ".join(part for part in (goal.team, goal.period) if part)
        text = f"{goal.title} ({details})" if details else goal.title
        choices.append(ChoiceDef(value=str(goal.id), text=text))
    return (*choices, none)


def smart_check(evidence: str) -> dict[str, bool]:
    """Whether a "how will you know" answer has an observable result and a moment to check
    (the dashboard counts the measurable ones)."""
    lists = smart.any_locale()
    return {"measurable": smart.measurable([evidence], lists).met,
            "timed": smart.timed([evidence], lists).met}


def _field(answer: Mapping[str, Any], name: str) -> str:
    value = answer.get(name, "")
    return value if isinstance(value, str) else ""


@hooks.reviewer("contract_smart")
def _smart(answer: Any, _answers: Mapping[str, Any], _context: Mapping[str, Any]) -> Review | None:
    """Once, over the whole contract: are the goal and the plan specific, is "how will you
    know" measurable, is there a moment to check it (in the evidence, and no hedge in the
    goal)? Each criterion on its own, quoting the vague words ("meer", "ooit", "als het
    lukt"); the next submission is accepted as it is."""
    if not isinstance(answer, Mapping):
        return None
    lists = smart.any_locale()
    goal, approach, evidence = (_field(answer, name) for name in ("goal", "approach", "evidence"))
    timed = smart.timed([evidence], lists)  # the moment to check is asked in question 5
    hedged = smart.timed([goal], lists)  # … and a hedge in the goal ("ooit") leaves it open
    found = smart.Smart(
        specific=smart.specific([goal, approach], lists),
        measurable=smart.measurable([evidence], lists),
        timed=hedged if timed.met and hedged.vague else timed,
    )
    if found.complete:
        return None
    return Review("smart.contract_feedback", found.variables())


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@hooks.on_complete("learning_contract")
def _store(done: Completion) -> dict[str, Any]:
    """Store the contract as a new version; share it when the author agreed."""
    dialog, connection, person = done.dialog, done.connection, done.person
    answers, context = dict(dialog.answers), dialog.context
    form = answers.get(FORM_STEP)
    if not isinstance(form, Mapping):
        return {}  # nothing written yet: no contract to keep
    quarter = context.get("quarter") or planned_quarter(dialog.local_date)
    version = next_version(connection, person.id, quarter)
    chosen = answers.get("competences")
    competences = [str(code) for code in chosen] if isinstance(chosen, list) else []
    link = answers.get("goal_link")
    goal_id = int(link) if isinstance(link, str) and link.isdigit() else None
    colleague_id = context.get("colleague_id")
    colleague = _person(connection, colleague_id) if isinstance(colleague_id, int) else None
    consent = not done.partial and answers.get("share") is True and colleague is not None
    contract_id = connection.execute(
        insert(_contracts)
        .values(
            person_id=person.id,
            dialog_id=dialog.id,
            quarter=quarter,
            version=version,
            came_from=_text(form.get("came_from")),
            now=_text(form.get("now")),
            goal=_text(form.get("goal")),
            approach=_text(form.get("approach")),
            evidence=_text(form.get("evidence")),
            measurable=smart_check(_text(form.get("evidence")) or "")["measurable"],
            why_business=_text(answers.get("why_business")),
            why_team=_text(answers.get("why_team")),
            why_personal=_text(answers.get("why_personal")),
            competences=competences,
            goal_id=goal_id,
            share_consent=consent,
            shared_with_id=colleague_id if consent else None,
            created_at=done.now,
        )
        .returning(_contracts.c.id)
    ).scalar_one()
    if done.partial:
        return {}
    locale = done.turn.locale
    shared = away = False
    if consent:
        assert colleague is not None
        away = not reachable(colleague, done.turn.local_today())
        shared = not away and _share(done, contract_id, colleague.id)
    return {
        "quarter_label": quarter_label(quarter),
        "version": version,
        "goal": _text(form.get("goal")) or "",
        "competences": competence_names(
            connection, person.organisation_id, competences, locale
        ),
        "goal_link": goal_title(connection, goal_id),
        "has_colleague": bool(context.get("has_colleague")),
        "colleague_name": context.get("colleague_name") or "",
        "shared": shared,
        "share_pending": consent and not shared,
        "colleague_away": away,
        "declined": answers.get("share") is False,
    }


def _share(done: Completion, contract_id: int, colleague_id: int) -> bool:
    """Start the colleague's response dialog; True when it started (and is now shown).

    It does not start while the colleague is busy in another dialog (start_for gives
    nothing back then): the consent stays stored with `shared_at` empty.
    """
    connection = done.connection
    form = done.dialog.answers.get(FORM_STEP) or {}
    sent = done.turn.start_for(
        colleague_id,
        RESPONSE_FLOW,
        {
            "contract_id": contract_id,
            "author_id": done.person.id,
            "author_name": first_name(done.person.display_name),
            "goal": short(form.get("goal")),
            "approach": short(form.get("approach")),
            "evidence": short(form.get("evidence")),
        },
    )
    if not sent:
        return False
    connection.execute(
        update(_contracts)
        .where(_contracts.c.id == contract_id, _contracts.c.shared_at.is_(None))
        .values(shared_at=done.now)
    )
    return True


# -- the colleague's response ----------------------------------------------------------------


def _superseded() -> Any:
    newer = _contracts.alias("newer")
    return exists().where(
        newer.c.person_id == _contracts.c.person_id,
        newer.c.quarter == _contracts.c.quarter,
        newer.c.version > _contracts.c.version,
    )


def pending_for(connection: Connection, person_id: int) -> Row[Any] | None:
    """The latest contract shared with `person_id` that they have not responded to yet
    (only the newest version of a quarter's contract counts)."""
    answered = exists().where(
        _responses.c.contract_id == _contracts.c.id, _responses.c.responder_id == person_id
    )
    return connection.execute(
        select(_contracts)
        .where(
            _contracts.c.shared_with_id == person_id,
            _contracts.c.share_consent.is_(True),
            ~answered,
            ~_superseded(),
        )
        .order_by(_contracts.c.created_at.desc(), _contracts.c.id.desc())
        .limit(1)
    ).first()


def _shared_with(connection: Connection, contract_id: Any, person_id: int) -> Row[Any] | None:
    if not isinstance(contract_id, int):
        return None
    return connection.execute(
        select(_contracts).where(
            and_(
                _contracts.c.id == contract_id,
                _contracts.c.shared_with_id == person_id,
                _contracts.c.share_consent.is_(True),
            )
        )
    ).first()


@hooks.on_start(RESPONSE_FLOW)
def _show_contract(start: Start) -> dict[str, Any]:
    """The contract to respond to: the one handed over, or the latest one still waiting."""
    connection, person = start.connection, start.person
    row = _shared_with(connection, start.context.get("contract_id"), person.id)
    if row is None:
        row = pending_for(connection, person.id)
    if row is None:
        return {"has_contract": False, "contract_id": None}
    if row.shared_at is None:
        connection.execute(
            update(_contracts).where(_contracts.c.id == row.id).values(shared_at=start.turn.now)
        )
    author = _person(connection, row.person_id)
    summary = _summary(connection, row, person.organisation_id, start.turn.locale)
    return {
        **summary,
        "has_contract": True,
        "contract_id": row.id,
        "author_id": row.person_id,
        "author_name": first_name(author.display_name) if author is not None else "",
    }


@hooks.on_complete("contract_response")
def _respond(done: Completion) -> dict[str, Any]:
    """Keep the response, tell the author, and invite the colleague to share theirs."""
    dialog, connection, person = done.dialog, done.connection, done.person
    context = dialog.context
    response = _text(dialog.answers.get("response"))
    contract_id, author_id = context.get("contract_id"), context.get("author_id")
    if not context.get("has_contract") or not isinstance(contract_id, int) or response is None:
        return {"has_contract": False}
    connection.execute(
        insert(_responses).values(
            contract_id=contract_id,
            responder_id=person.id,
            response=response,
            created_at=done.now,
        )
    )
    told = False
    if isinstance(author_id, int):
        told = bool(
            done.turn.tell(
                author_id,
                "contract_response.to_author",
                responder=first_name(person.display_name),
                quarter_label=context.get("quarter_label", ""),
                response=response,
            )
        )
    own = current_version(connection, person.id, done.turn.local_today())
    return {
        "has_contract": True,
        "author_name": context.get("author_name") or "",
        "told": told,
        "has_own": own is not None,
        "shared_back": own is not None and own.share_consent and own.shared_with_id == author_id,
        "mutual": person.steady_colleague_id == author_id,
    }

