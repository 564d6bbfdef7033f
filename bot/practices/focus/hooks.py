"""The organisation's competence catalog as a choice, and small helpers around it.

Practices let people choose competences with `choices_from = "competences"` in a step. The
list is the organisation's catalog (table `competences`, seeded from
`prompts/catalog/competences.toml` for the default organisation), labelled with the literal
name in the person's language, so a person can answer with the number, the name or the code.

About twenty names is a long list in a chat; to keep it readable, a practice may put the
codes that matter most on top by adding `competences_first` (a list of codes) to the
dialog's context in its `on_start` hook, e.g. the focus competences of this month:

    @hooks.on_start("weekplan")
    def _start(start: Start) -> dict[str, Any]:
        focus = focus_competences(start.connection, start.person.id, start.local_date)
        return {"competences_first": focus}

The rest follows in catalog order (grouped by discipline). An organisation without any
competence of its own (created before the catalog was seeded) gets the starter catalog,
so a flow never offers an empty list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from bot.core.flows import ChoiceDef
from bot.core.prompts import PromptError
from bot.core.registry import ChoiceQuery, PracticeHooks
from bot.organisation.catalog import load_catalog
from bot.storage.models import Competence, MonthlyReflection, table_of

hooks = PracticeHooks("focus")

FIRST_KEY = "competences_first"

_competences = table_of(Competence)
_reflections = table_of(MonthlyReflection)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    code: str
    name_nl: str
    name_en: str
    discipline_nl: str
    discipline_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl

    def discipline(self, locale: str) -> str:
        return self.discipline_en if locale == "en" else self.discipline_nl


@lru_cache(maxsize=1)
def _starter() -> tuple[CatalogEntry, ...]:
    try:
        entries = load_catalog()
    except PromptError:
        return ()
    return tuple(
        CatalogEntry(
            code=e["code"],
            name_nl=e["name_nl"],
            name_en=e["name_en"],
            discipline_nl=e["discipline_nl"],
            discipline_en=e["discipline_en"],
        )
        for e in entries
    )


def catalog(connection: Connection, organisation_id: int) -> tuple[CatalogEntry, ...]:
    """The organisation's competences in catalog order (the starter catalog if it has none)."""
    rows = connection.execute(
        select(
            _competences.c.code,
            _competences.c.name_nl,
            _competences.c.name_en,
            _competences.c.discipline_nl,
            _competences.c.discipline_en,
        )
        .where(_competences.c.organisation_id == organisation_id)
        .order_by(_competences.c.id)
    ).all()
    if not rows:
        return _starter()
    return tuple(
        CatalogEntry(
            code=row.code,
            name_nl=row.name_nl,
            name_en=row.name_en,
            discipline_nl=row.discipline_nl,
            discipline_en=row.discipline_en,
        )
        for row in rows
    )


def competence_name(
    connection: Connection, organisation_id: int, code: str | None, locale: str
) -> str:
    """The name of `code` in `locale`; a code the catalog no longer has is shown as it is."""
    if not code:
        return ""
    for entry in catalog(connection, organisation_id):
        if entry.code == code:
            return entry.name(locale)
    return code


def competence_names(
    connection: Connection, organisation_id: int, codes: Iterable[str], locale: str
) -> list[str]:
    """The names of `codes` in `locale`, in the same order."""
    names = {entry.code: entry.name(locale) for entry in catalog(connection, organisation_id)}
    return [names.get(code, code) for code in codes if code]


def focus_competences(connection: Connection, person_id: int, today: date) -> list[str]:
    """The codes of the person's focus this month: the latest monthly reflection whose
    `focus_month` is the month of `today` (empty when there is none)."""
    row = connection.execute(
        select(_reflections.c.focus)
        .where(
            _reflections.c.person_id == person_id,
            _reflections.c.focus_month == today.replace(day=1),
        )
        .order_by(_reflections.c.created_at.desc(), _reflections.c.id.desc())
        .limit(1)
    ).first()
    if row is None or not isinstance(row.focus, list):
        return []
    return [code for code in row.focus if isinstance(code, str) and code]


def ordered(entries: Sequence[CatalogEntry], first: Iterable[str]) -> list[CatalogEntry]:
    """`entries` with the codes of `first` on top (in that order), the rest as they were."""
    by_code = {entry.code: entry for entry in entries}
    top = [by_code[code] for code in dict.fromkeys(first) if code in by_code]
    chosen = {entry.code for entry in top}
    return top + [entry for entry in entries if entry.code not in chosen]


def _first_codes(context: Mapping[str, Any]) -> list[str]:
    value = context.get(FIRST_KEY)
    if not isinstance(value, list):
        return []
    return [code for code in value if isinstance(code, str)]


@hooks.choice_source("competences")
def competence_choices(query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    """The catalog as choices, `competences_first` from the context on top."""
    if query.connection is None:
        return ()
    entries = ordered(catalog(query.connection, query.organisation_id), _first_codes(query.context))
    return tuple(ChoiceDef(value=e.code, text=e.name(query.locale)) for e in entries)
