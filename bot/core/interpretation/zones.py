"""Time zones by IANA name, city or country, in Dutch or English ('Londen', 'België',
'India', 'new york'). City and country names come from Babel's CLDR data, so every
language Babel knows is covered; a country with several zones is not guessed."""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale
from babel.core import get_global

from bot.core.interpretation.lexicon import LOCALES, Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, strip_words, without_accents
from bot.core.interpretation.reading import Reading
from bot.core.validators import timezone as iana_zone


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Lower-case, accent-free city and country names → one IANA zone."""
    names: dict[str, str] = {}
    territory_zones: dict[str, list[str]] = get_global("territory_zones")
    for code in LOCALES:
        locale = Locale.parse(code)
        for zone, info in locale.time_zones.items():
            city = info.get("city")
            if isinstance(city, str):
                names.setdefault(without_accents(city.lower()), zone)
        for territory, name in locale.territories.items():
            zones = territory_zones.get(territory, [])
            if len(zones) == 1:
                names.setdefault(without_accents(name.lower()), zones[0])
    return names


def read_zone(text: str, locale: str) -> Reading[str] | None:
    """An IANA zone name, or None."""
    exact = iana_zone(text)
    if exact:
        return Reading(exact)
    for lex in in_order(locale):
        found = _one(base(text), lex)
        if found:
            return Reading(found)
    # 'Amsterdam, NL', 'Nederland (Amsterdam)': every part that names a zone names the same
    parts = [p for p in re.split(r"[,()/;]|\s+-\s+", base(text)) if p.strip()]
    if len(parts) > 1:
        named = {z for p in parts for lex in in_order(locale) if (z := _one(p, lex))}
        if len(named) == 1:
            return Reading(named.pop(), sure=False)
    return None


def _one(text: str, lex: Lexicon) -> str | None:
    extra = {without_accents(k): str(v) for k, v in lex.table("timezones").items()}
    whole = plain(text, lex).strip(" .")
    for said in (whole, strip_words(whole, lex.pattern("timezone_words", "noise"))):
        key = without_accents(said)
        if key:
            found = extra.get(key) or _names().get(key) or iana_zone(said)
            if found:
                return found
    return None
