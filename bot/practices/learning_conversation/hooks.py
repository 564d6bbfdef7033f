"""The open learning conversation (seed 001): a canvas a manager or HR lead fills in with the
coach, in a DM, about why and how their organisation learns.

The seed's four parts: (1) the preparation (organisation or unit, role, what they seek, what
prompts this now, who is involved); (2) the conversation itself: why learn as an organisation,
from five angles (customers, government, employees, continuous improvement, the VUCA world),
and whether the hard, the soft and the human side are aligned; (3) the feedback: the coach
lays the answers back and the person confirms them or says what to correct; (4) a plan of
approach, one step a year over five years.

Flow texts can show only the dialog's context, not its answers, so the canvas is two flows:
`learning_conversation` (parts 1 and 2) stores a LearningCanvas with its summary when it
ends, and `then` starts `learning_conversation_feedback` (parts 3 and 4), whose start looks
the summary up to show it. A feedback dialog stopped halfway keeps what it got.

The summary (chat) and `canvas_markdown` (the document `leercoach canvas export` writes) are
built from the same labels in prompts, in the person's language; what the person typed is
only ever filled in, never rendered as a template. The canvas is about the organisation, so
`canvases_of` gives an organisation's canvases in a structured form for the dashboard
(issue 9), which decides who may see them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from bot.core.prompts import PromptLibrary
from bot.core.registry import Completion, PracticeHooks, Start
from bot.storage.models import LearningCanvas, Person, table_of

hooks = PracticeHooks("learning_conversation")

TEXTS = "learning_conversation"
FEEDBACK_FLOW = "learning_conversation_feedback"
# The canvas's parts as the flow asks them: a part's title key and its answers, in order.
PREPARATION = ("organisation", "role", "seeking", "occasion", "involved")
ANGLES = ("customers", "government", "employees", "improvement", "vuca")
SIDES = ("hard", "soft", "human", "aligned")
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("part_preparation", PREPARATION),
    ("part_conversation", ANGLES),
    ("part_sides", SIDES),
)
SEEKING = ("confirmation", "new_perspectives", "policy")
PLAN_YEARS = 5

Render = Callable[..., str]
Section = tuple[str, list[tuple[str, str]]]

_canvases = table_of(LearningCanvas)


def _renderer(prompts: PromptLibrary, locale: str) -> Render:
    def render(key: str, **variables: Any) -> str:
        return prompts.render(f"{TEXTS}.{key}", locale, **variables)

    return render


def _shown(key: str, value: Any, render: Render) -> str | None:
    """An answer as it reads in the summary, or None when it was skipped."""
    if key == "seeking" and value in SEEKING:
        return render(f"seeking_{value}")
    if key == "aligned" and isinstance(value, int) and not isinstance(value, bool):
        return render("aligned_value", score=value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _items(answers: Mapping[str, Any], keys: tuple[str, ...], render: Render) -> list[
        tuple[str, str]]:
    """(label, answer) of each question of a part that was answered."""
    return [
        (render(f"label_{key}"), shown)
        for key in keys
        if (shown := _shown(key, answers.get(key), render)) is not None
    ]


def sections(answers: Mapping[str, Any], render: Render) -> list[Section]:
    """The answered questions per part: (part title, [(label, answer)]); parts without any
    answer are left out."""
    found: list[Section] = []
    for title, keys in SECTIONS:
        items = _items(answers, keys, render)
        if items:
            found.append((render(title), items))
    return found


def summary_text(answers: Mapping[str, Any], prompts: PromptLibrary, locale: str) -> str:
    """What the coach lays back in part 3, for the person to confirm or correct."""
    blocks = [
        "\n".join([f"*{title}*", *(f"• {label}: {value}" for label, value in items)])
        for title, items in sections(answers, _renderer(prompts, locale))
    ]
    return "\n\n".join(blocks)


def plan_steps(plan: Mapping[str, Any]) -> list[str]:
    """The plan's step for year 1..5, "" where none was written."""
    steps = []
    for year in range(1, PLAN_YEARS + 1):
        value = plan.get(f"year_{year}")
        steps.append(value.strip() if isinstance(value, str) else "")
    return steps


# -- the two flows ---------------------------------------------------------------------


@hooks.on_complete("learning_canvas")
def _store(done: Completion) -> dict[str, Any]:
    answers = dict(done.dialog.answers)
    canvas_id = done.connection.execute(
        insert(_canvases)
        .values(
            person_id=done.person.id,
            organisation_id=done.person.organisation_id,
            answers=answers,
            summary=summary_text(answers, done.prompts, done.turn.locale),
            confirmed=False,
            plan={},
            created_at=done.now,
        )
        .returning(_canvases.c.id)
    ).scalar_one()
    return {"canvas_id": canvas_id}


@hooks.on_start(FEEDBACK_FLOW)
def _feedback_context(start: Start) -> dict[str, Any]:
    """The canvas the first two parts just stored, and its summary to show."""
    row = start.connection.execute(
        select(_canvases.c.id, _canvases.c.summary)
        .where(_canvases.c.person_id == start.person.id)
        .order_by(_canvases.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return {}
    return {"canvas_id": row.id, "summary": row.summary}


@hooks.on_complete("learning_canvas_feedback")
def _store_feedback(done: Completion) -> dict[str, Any]:
    canvas_id = done.dialog.context.get("canvas_id")
    if not isinstance(canvas_id, int):
        return {"saved": False}
    answers = done.dialog.answers
    confirmed = answers.get("confirmed") is True
    correction = answers.get("correction")
    correction = correction if isinstance(correction, str) and not confirmed else None
    form = answers.get("plan")
    plan = {key: value for key, value in form.items() if isinstance(value, str)} if isinstance(
        form, dict) else {}
    done.connection.execute(
        update(_canvases)
        .where(_canvases.c.id == canvas_id, _canvases.c.person_id == done.person.id)
        .values(confirmed=confirmed, correction=correction, plan=plan)
    )
    return {
        "saved": True,
        "confirmed": confirmed,
        "corrected": correction is not None,
        "has_plan": any(plan_steps(plan)),
    }


# -- reading canvases back ---------------------------------------------------------------


def latest_canvas(session: Session, person_id: int) -> LearningCanvas | None:
    """The person's most recent canvas, finished or not."""
    return session.scalars(
        select(LearningCanvas)
        .where(LearningCanvas.person_id == person_id)
        .order_by(LearningCanvas.id.desc())
        .limit(1)
    ).first()


def _bullet(label: str, value: str) -> str:
    """A Markdown list item; the lines of a longer answer stay inside the item."""
    return f"- **{label}:** " + value.replace("\n", "\n  ")


def canvas_markdown(
    canvas: LearningCanvas, prompts: PromptLibrary, locale: str, name: str = ""
) -> str:
    """The canvas as a readable Markdown document, in `locale`: a heading per part, the
    summarised answers, the feedback (confirmed, or the correction) and the five-year plan."""
    render = _renderer(prompts, locale)
    answers = canvas.answers or {}
    organisation = _shown("organisation", answers.get("organisation"), render) or ""
    lines = [
        f"# {render('document_title', organisation=organisation)}",
        "",
        f"_{render('document_byline', name=name, date=canvas.created_at.date())}_",
    ]
    for title, keys in SECTIONS:
        heading = "###" if title == "part_sides" else "##"
        lines += ["", f"{heading} {render(title)}", ""]
        items = _items(answers, keys, render)
        lines += [_bullet(label, value) for label, value in items] or [render("nothing_yet")]

    lines += ["", f"## {render('part_feedback')}", ""]
    if canvas.confirmed:
        lines.append(render("feedback_confirmed"))
    elif canvas.correction:
        lines += [render("feedback_corrected"), "", *(
            f"> {line}" if line else ">" for line in canvas.correction.splitlines())]
    else:
        lines.append(render("feedback_open"))

    lines += ["", f"## {render('part_plan')}"]
    steps = plan_steps(canvas.plan or {})
    if any(steps):
        for number, step in enumerate(steps, start=1):
            lines += ["", f"### {render('year', number=number)}", "", step or "—"]
    else:
        lines += ["", render("plan_empty")]
    return "\n".join(lines) + "\n"


def canvases_of(connection: Connection, organisation_id: int) -> list[dict[str, Any]]:
    """An organisation's canvases, newest first, as JSON-ready data for its dashboard: who
    held the conversation, when, the answers as given, the summary, the feedback and the
    plan's five steps."""
    people = table_of(Person)
    rows = connection.execute(
        select(_canvases, people.c.display_name)
        .join(people, people.c.id == _canvases.c.person_id)
        .where(_canvases.c.organisation_id == organisation_id)
        .order_by(_canvases.c.created_at.desc(), _canvases.c.id.desc())
    ).all()
    return [
        {
            "id": row.id,
            "person_id": row.person_id,
            "person_name": row.display_name,
            "created_at": row.created_at.isoformat(),
            "unit": (row.answers or {}).get("organisation"),
            "answers": dict(row.answers or {}),
            "summary": row.summary,
            "confirmed": row.confirmed,
            "correction": row.correction,
            "plan": plan_steps(row.plan or {}),
        }
        for row in rows
    ]
