"""SMART feedback on a plan as a whole: is it specific, measurable and time-bound?

Seed 004 asks for a concrete, SMART weekly plan and learning contract. Each criterion is
checked on its own, over all the answers it can be read from (a moment may be in the "how"
as well as in the "when"), and what is missing comes back as one concrete point per
criterion, quoting the vague words that hid it: "meer" and "beter" say no how much, "ooit",
"binnenkort" and "als het lukt" say no when. The practices show the points once (one round
of feedback) and then accept the answer as it is.

The words are lists per locale in `prompts/` (`smart.words.*`, see bot.core.word_lists);
the patterns for counts, doing verbs and moments are shared by Dutch and English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.core.prompts import LOCALES, PromptLibrary
from bot.core.word_lists import WordList, quote, word_count, word_list

SPECIFIC_MIN_WORDS = 3

# a moment: a weekday, a date or time, a relative day, a part of the day, a recurring
# moment, a meeting or conversation, a trigger
MOMENT = re.compile(
    r"""
    \b(?:maan|dins|woens|donder|vrij|zater|zon)dag\w*
  | \b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b
  | \b(?:over)?morgen\b | \bvandaag\b | \bstraks\b
  | \b(?:tomorrow|today|tonight)\b
  | \w*(?:ochtend|middag|avond)\w* | \b(?:morning|afternoon|evening|noon|lunch\w*)\b
  | \b\d{1,2}[:.]\d{2}\b | \b\d{1,2}\s*(?:uur|u|h|am|pm)\b | \b\d{1,2}u\d{2}\b
  | \b(?:om|at)\s+\d{1,2}\b
  | \b\d{1,2}[-/]\d{1,2}\b
  | \b\d{1,2}\s+(?:jan|feb|mrt|maart|march|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)\w*
  | \b(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november
  | december|january|february|march|june|july|august|october)\b
  | \b(?:eind|einde|end)\s+(?:van\s+|of\s+)?(?:de\s+|het\s+|the\s+)?\w+
  | \b(?:uiterlijk|voor|v[oó][oó]r|by|before|within|binnen)\s+\d
  | \bdeadline\b | \b(?:kwartaal|quarter)\b | \bQ[1-4]\b
  | overleg\w* | vergader\w* | \bmeetings?\b | stand-?ups?\b | \bdaily\b | \bretro\w*
  | \bsprint\w* | \bcalls?\b | gesprek\w* | \bintervisie\w* | \bafspraak\w* | \bappointments?\b
  | \bpresentati\w* | \bsessie\w* | \bsessions?\b | \bworkshops?\b | \btrainings?\b
  | \bdemo\b | \bdienst\w* | \bshifts?\b
  | \b(?:1|een|één)[-\s]op[-\s](?:1|een|één)\b | \b1[:-]1\b | \b(?:one|1)[-\s]on[-\s](?:one|1)\b
  | \b(?:elke|iedere)\s+(?:dag|keer|ochtend|middag|avond|week|maand)\b | \bdagelijks\b
  | \bwekelijks\b | \bweekly\b
  | \b(?:every|each)\s+(?:day|time|morning|afternoon|evening|week|month)\b
  | \bvolgende\s+keer\b | \beerstvolgende\b | \bzodra\b
  | \bnext\s+(?:time|meeting|call)\b | \bas\s+soon\s+as\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

# a count: a number, a number word, how often
COUNT = re.compile(
    r"""
    \d | %
  | \b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twaalf|twintig|één|eén|helft)\b
  | \b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|once|twice|half)\b
  | \b(?:keer|maal|times|minstens|tenminste|ten\s+minste|at\s+least|procent|percent)\b
  | \b(?:elke|elk|iedere|ieder|every|each)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

# a verb of doing whose result someone can see or hear
DOING = re.compile(
    r"""
    \b(?:stel|stelt|stellen|vraag|vraagt|vragen|schrijf|schrijft|schrijven|noteer|noteert
  | noteren|benoem|benoemt|benoemen|vat|vatten|samenvatten|samenvatting|presenteer
  | presenteert|presenteren|deel|deelt|delen|bespreek|bespreekt|bespreken|geef|geeft|geven
  | bel|belt|bellen|mail|mailt|mailen|stuur|stuurt|sturen|vertel|vertelt|vertellen|toon|toont
  | tonen|voorstellen|check|checken|controleer|controleren|turf|turven|leid|leidt|leiden
  | feedback|terugkoppeling|beoordeling|score|cijfer)\b
  | \b(?:ask|asks|asking|write|writes|writing|note|notes|noting|name|names|summari[sz]e\w*
  | present|presents|presenting|share|shares|sharing|discuss\w*|give|gives|giving|call|calls
  | calling|e?mail|e?mails|e?mailing|send|sends|sending|tell|tells|telling|show|shows|showing
  | list|record\w*|propose\w*|count|counting|track|tracking|lead|leads|led|rating|rated)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Lists:
    """The vague words of one locale: of time ("ooit"), of amount ("meer"), of place
    ("ergens")."""

    vague_time: WordList
    vague_amount: WordList
    vague_place: WordList

    @classmethod
    def of(cls, prompts: PromptLibrary, locale: str) -> Lists:
        def get(name: str) -> WordList:
            return word_list(prompts, f"smart.words.{name}", locale)

        return cls(get("vague_time"), get("vague_amount"), get("vague_place"))

    def __or__(self, other: Lists) -> Lists:
        return Lists(self.vague_time | other.vague_time, self.vague_amount | other.vague_amount,
                     self.vague_place | other.vague_place)


@lru_cache(maxsize=1)
def any_locale() -> Lists:
    """The vague words of every locale together, from the built-in prompts: a review hook
    does not know the person's language, and people mix Dutch and English anyway."""
    prompts = PromptLibrary.builtin()
    merged = Lists.of(prompts, LOCALES[0])
    for locale in LOCALES[1:]:
        merged = merged | Lists.of(prompts, locale)
    return merged


@dataclass(frozen=True, slots=True)
class Criterion:
    """One SMART criterion: met or not, and the vague words (quoted) that hid it."""

    met: bool
    vague: str = ""


@dataclass(frozen=True, slots=True)
class Smart:
    specific: Criterion
    measurable: Criterion
    timed: Criterion

    @property
    def complete(self) -> bool:
        return self.specific.met and self.measurable.met and self.timed.met

    def variables(self) -> dict[str, object]:
        """For the feedback text: per criterion whether it is met and what was vague."""
        return {
            "specific": self.specific.met, "specific_vague": self.specific.vague,
            "measurable": self.measurable.met, "measurable_vague": self.measurable.vague,
            "timed": self.timed.met, "timed_vague": self.timed.vague,
        }


def _vague(words: WordList, texts: Iterable[str]) -> str:
    for text in texts:
        found = words.find(text)
        if found is not None:
            return text[found.start:found.end]
    return ""


def specific(texts: Iterable[str], lists: Lists) -> Criterion:
    """A situation or goal someone else could picture: a few words, not only 'ergens'."""
    texts = [t for t in texts if t]
    vague = _vague(lists.vague_place, texts)
    words = sum(word_count(t) for t in texts)
    if words < SPECIFIC_MIN_WORDS:
        return Criterion(False, quote(texts[0]) if texts else "")
    if vague and words < SPECIFIC_MIN_WORDS + 3:
        return Criterion(False, vague)
    return Criterion(True)


def measurable(texts: Iterable[str], lists: Lists) -> Criterion:
    """A result one can see or count; 'meer' or 'beter' without a count is not one."""
    texts = [t for t in texts if t]
    counted = any(COUNT.search(t) for t in texts)
    vague = _vague(lists.vague_amount, texts)
    if vague and not counted:
        return Criterion(False, vague)
    return Criterion(counted or any(DOING.search(t) for t in texts))


def timed(texts: Iterable[str], lists: Lists) -> Criterion:
    """A moment to do or check it; 'ooit', 'binnenkort' or 'als het lukt' leave it open."""
    texts = [t for t in texts if t]
    vague = _vague(lists.vague_time, texts)
    if vague:
        return Criterion(False, vague)
    return Criterion(any(MOMENT.search(t) for t in texts))


def has_moment(text: str | None) -> bool:
    return bool(text and MOMENT.search(text))


def is_observable(text: str | None) -> bool:
    return bool(text and (COUNT.search(text) or DOING.search(text)))
