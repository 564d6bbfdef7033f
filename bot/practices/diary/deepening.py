"""The diary's one deepening question: which follow-up fits what the person wrote today.

Seed 000 asks for critical reflection and deepening, questions before statements. After the
diary's own questions the coach asks at most one follow-up, about the person's own words:

- `example`: the moment is very short → a concrete example;
- `feeling`: a feeling is named → what they did with it;
- `own_part`: others are named ("we", a colleague) → their own part;
- `when`: the lesson has no moment to try it → when tomorrow;
- `differently`: otherwise, looking back on the moment → what they would do differently.

The rules are deterministic and tried in that order; the rule the person got last time is
never used again the next time, so the question differs day to day. The words each rule looks
for are word lists per locale in `prompts/` (`deepen.words.*`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.prompts import PromptLibrary
from bot.core.registry import FollowUp
from bot.core.word_lists import (
    Found,
    WordList,
    clause,
    fold,
    quote,
    word_count,
    word_list,
)

RULES: tuple[str, ...] = ("example", "feeling", "own_part", "when", "differently")
SHORT_MOMENT_WORDS = 5  # a moment of at most this many words asks for an example
NOTHING_WORDS = 3  # an answer this short made only of "niks"-words says nothing to deepen
# a clock time as people type it: 9:30, 9.30, 9u30, 9u, 14 uur, 3pm
CLOCK_TIME = re.compile(r"\b\d{1,2}(?:[:.u]\d{2}|\s*(?:u|uur|h|am|pm)\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Lists:
    """The word lists of one locale."""

    feelings: WordList
    others: WordList
    when: WordList
    nothing: WordList
    me: WordList  # the writer ("ik", "I"): a feeling of theirs is asked about first
    relative: WordList  # "die", "who": "een klant die boos was" is someone else's feeling

    @classmethod
    def of(cls, prompts: PromptLibrary, locale: str) -> Lists:
        def get(name: str) -> WordList:
            return word_list(prompts, f"deepen.words.{name}", locale)

        return cls(get("feelings"), get("others"), get("when"), get("nothing"), get("me"),
                   get("relative"))


def says_nothing(text: str | None, lists: Lists) -> bool:
    """An empty or 'niks'-like answer: nothing there to ask about."""
    if not text or not text.strip() or fold(text).strip(" .!?") in lists.nothing.words:
        return True
    return word_count(text) <= NOTHING_WORDS and (
        word_count(text) == 0 or lists.nothing.find(text) is not None
    )


def has_when(text: str, lists: Lists) -> bool:
    """Whether a plan or lesson names a moment: a day, a meeting, a clock time."""
    return lists.when.find(text) is not None or CLOCK_TIME.search(text) is not None


def _first(words: WordList, *texts: str | None) -> tuple[str, Found] | None:
    for text in texts:
        if text:
            found = words.find(text)
            if found is not None:
                return text, found
    return None


Rule = Callable[[Mapping[str, Any], Lists], str | None]


def _example(answers: Mapping[str, Any], lists: Lists) -> str | None:
    moments = _text(answers, "moments")
    if moments and word_count(moments) <= SHORT_MOMENT_WORDS:
        return quote(moments)
    return None


def _feeling(answers: Mapping[str, Any], lists: Lists) -> str | None:
    """The person's own feeling first ("ik werd zenuwachtig" before "een boze klant")."""
    texts = [t for t in (_text(answers, "moments"), _text(answers, "approach")) if t]
    hits = [(text, found) for text in texts for found in lists.feelings.find_all(text)]
    own = [(text, found) for text, found in hits if lists.me.find(clause(text, found))
           and not lists.relative.find(" ".join(text[:found.start].split()[-2:]))]
    chosen = own or hits
    return quote(*chosen[0]) if chosen else None


def _own_part(answers: Mapping[str, Any], lists: Lists) -> str | None:
    hit = _first(lists.others, _text(answers, "moments"), _text(answers, "approach"))
    return quote(*hit) if hit else None


def _when(answers: Mapping[str, Any], lists: Lists) -> str | None:
    learning = _text(answers, "learning")
    if learning and not has_when(learning, lists):
        return quote(learning)
    return None


def _differently(answers: Mapping[str, Any], lists: Lists) -> str | None:
    moments = _text(answers, "moments")
    return quote(moments) if moments else None


_RULES: dict[str, Rule] = {
    "example": _example, "feeling": _feeling, "own_part": _own_part, "when": _when,
    "differently": _differently,
}


def _text(answers: Mapping[str, Any], name: str) -> str | None:
    value = answers.get(name)
    return value if isinstance(value, str) and value.strip() else None


def choose(answers: Mapping[str, Any], lists: Lists, last_rule: str | None) -> FollowUp | None:
    """The one follow-up for today's answers, never by `last_rule`; None when nothing was
    written worth a question (no answers, or only 'niks')."""
    usable = {
        name: value for name, value in answers.items()
        if not (isinstance(value, str) and says_nothing(value, lists))
    }
    for name in RULES:
        if name == last_rule:
            continue
        quoted = _RULES[name](usable, lists)
        if quoted:
            return FollowUp(key=f"deepen.{name}", rule=name, variables={"quote": quoted})
    return None
