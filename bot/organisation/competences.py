"""The organisation's competence catalog, and the names its codes have in each language.

Several practices (the weekly plan, the monthly reflection, the yearly review, the overview)
and the personal page show competences by name, so the catalog is read here, once, below
them all. An organisation without any competence of its own (created before the catalog was
seeded) gets the starter catalog, so a flow never offers an empty list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, select

from bot.core.prompts import PromptError
from bot.organisation.catalog import load_catalog
from bot.storage.models import Competence, table_of

_competences = table_of(Competence)


FIRST_KEY = "competences_first"


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


def ordered(entries: Sequence[CatalogEntry], first: Iterable[str]) -> list[CatalogEntry]:
    """`entries` with the codes of `first` on top (in that order), the rest as they were."""
    by_code = {entry.code: entry for entry in entries}
    top = [by_code[code] for code in dict.fromkeys(first) if code in by_code]
    chosen = {entry.code for entry in top}
    return top + [entry for entry in entries if entry.code not in chosen]
