"""Time zones by IANA name, city or country, in Dutch or English ('Londen', 'België',
'India', 'new york'). City and country names come from Babel's CLDR data, so every
language Babel knows is covered; a country with several zones is not guessed."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.core import get_global

from bot.core.interpretation.lexicon import LOCALES, in_order
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
        said = strip_words(plain(base(text), lex), lex.pattern("timezone_words", "noise"))
        said = said.strip(" .")
        if not said:
            continue
        extra = {without_accents(k): str(v) for k, v in lex.table("timezones").items()}
        key = without_accents(said)
        found = extra.get(key) or _names().get(key) or iana_zone(said)
        if found:
            return Reading(found)
    return None
