"""The reply corpus: every realistic reply in tests/data/corpus is read as expected, and
the handled share per locale stays at 97% or more (the summary is printed at the end)."""

from __future__ import annotations

import pytest

from tests.rigs.corpus import THRESHOLD, Case, cases, handled, read, shares


def test_the_corpus_is_large_and_covers_both_languages() -> None:
    all_cases = cases()
    assert len(all_cases) >= 400
    assert {c.locale for c in all_cases} == {"nl", "en"}
    assert {c.kind for c in all_cases} >= {"yes_no", "scale", "choice", "weekdays", "time",
                                           "timezone", "intent", "outside"}


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_a_reply_is_read_as_people_mean_it(case: Case) -> None:
    if not handled(case):
        # One miss is allowed within the share below; it is listed, not hidden.
        pytest.xfail(f"read {read(case)!r}, expected {case.expect!r}")


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_handled_share_per_locale_is_at_least_97_percent(locale: str) -> None:
    ok, total = shares()["locale"][locale]
    assert ok / total >= THRESHOLD, f"{locale}: {ok}/{total} handled"
