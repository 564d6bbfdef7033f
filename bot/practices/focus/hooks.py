"""The organisation's competence catalog as a choice (bot/organisation/competences.py reads it).

Practices let people choose competences with `choices_from = "competences"` in a step. The
list is the organisation's catalog (table `competences`, seeded from
`prompts/catalog/competences.toml` for the default organisation), labelled with the literal
name in the person's language, so a person can answer with the number, the name or the code.

About twenty names is a long list in a chat; to keep it readable, a practice may put the
codes that matter most on top by adding `competences_first` (a list of codes) to the
dialog's context in its `on_start` hook, e.g. the focus competences of this month:

    @on_start("weekplan")
    def _start(start: Start) -> dict[str, Any]:
        focus = focus_competences(start.connection, start.person.id, start.local_date)
        return {"competences_first": focus}

The rest follows in catalog order (grouped by discipline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.flows import ChoiceDef
from bot.core.registry import ChoiceQuery, PracticeHooks
from bot.organisation.competences import FIRST_KEY, catalog, ordered

hooks = PracticeHooks("focus")


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
