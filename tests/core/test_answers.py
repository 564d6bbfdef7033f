"""Reading replies as answers (bot/core/answers.py), the named validators (bot/core/validators.py)
and
cleaning what people type (bot/core/text_input.py)."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.answers import (
    Option,
    Proposal,
    Rejected,
    Reply,
    parse_answer,
    parse_confirm,
    parse_form,
    parse_multiple,
    parse_scale,
    parse_single,
    parse_text,
)
from bot.core.flows import FieldDef, Step
from bot.core.text_input import clean_text
from bot.core.validators import time_of_day, timezone

MAX_CHARS = 4000

TEXT = Step(id="moments", kind="text", prompt="diary.moments")
SCALE = Step(id="value", kind="scale", prompt="diary.value")
MULTIPLE = Step(id="workdays", kind="multiple", prompt="onboarding.workdays")
LANGUAGES = (Option("nl", "Nederlands"), Option("en", "English"))
WEEKDAYS = (
    Option("mon", "maandag"),
    Option("tue", "dinsdag"),
    Option("wed", "woensdag"),
    Option("thu", "donderdag"),
    Option("fri", "vrijdag"),
)
FORM = Step(
    id="contract",
    kind="form",
    prompt="contract.prompt",
    fields=(
        FieldDef("situation", "contract.situation", multiline=True),
        FieldDef("goal", "contract.goal", max_length=10),
        FieldDef("note", "contract.note", required=False),
    ),
)


def rejected_key(result: Any) -> str:
    """The text key of a Rejected (fails the test on an accepted answer)."""
    assert isinstance(result, Rejected), f"expected a rejection, got {result!r}"
    return result.key


# -- text --------------------------------------------------------------------------------


def test_text_is_accepted_as_typed() -> None:
    assert parse_text(TEXT, Reply(text="Een lastig gesprek met een klant."), MAX_CHARS) == (
        "Een lastig gesprek met een klant."
    )


def test_text_from_a_button_value_is_used_when_there_is_no_text() -> None:
    assert parse_text(TEXT, Reply(value="uit een knop"), MAX_CHARS) == "uit een knop"


@pytest.mark.parametrize("reply", [Reply(text=""), Reply(), Reply(value="")])
def test_empty_text_is_rejected(reply: Reply) -> None:
    assert rejected_key(parse_text(TEXT, reply, MAX_CHARS)) == "common.empty"


def test_text_over_the_limit_is_rejected_with_limit_and_length() -> None:
    """One character over max_chars: common.too_long says the limit and the length."""
    result = parse_text(TEXT, Reply(text="x" * 4001), MAX_CHARS)
    assert rejected_key(result) == "common.too_long"
    assert isinstance(result, Rejected)
    assert dict(result.variables) == {"limit": 4000, "length": 4001}


def test_text_of_exactly_the_limit_is_accepted() -> None:
    assert parse_text(TEXT, Reply(text="x" * 4000), MAX_CHARS) == "x" * 4000


def test_step_max_length_is_the_limit_when_lower() -> None:
    step = Step(id="tz", kind="text", prompt="p", max_length=64)
    result = parse_text(step, Reply(text="a" * 65), MAX_CHARS)
    assert isinstance(result, Rejected)
    assert dict(result.variables) == {"limit": 64, "length": 65}


def test_step_max_length_never_exceeds_the_global_limit() -> None:
    step = Step(id="long", kind="text", prompt="p", max_length=10_000)
    result = parse_text(step, Reply(text="a" * 4001), MAX_CHARS)
    assert isinstance(result, Rejected)
    assert result.variables["limit"] == 4000


def test_text_under_min_length_is_too_short() -> None:
    step = Step(id="moments", kind="text", prompt="p", min_length=2)
    assert rejected_key(parse_text(step, Reply(text="x"), MAX_CHARS)) == "common.too_short"
    assert parse_text(step, Reply(text="xy"), MAX_CHARS) == "xy"


def test_validator_failure_names_the_validator() -> None:
    step = Step(id="tz", kind="text", prompt="p", validate="timezone")
    assert rejected_key(parse_text(step, Reply(text="Mars/Olympus"), MAX_CHARS)) == (
        "validation.timezone"
    )
    time_step = Step(id="t", kind="text", prompt="p", validate="time_of_day")
    assert rejected_key(parse_text(time_step, Reply(text="morgen"), MAX_CHARS)) == (
        "validation.time_of_day"
    )


def test_validator_success_stores_the_normalised_value() -> None:
    step = Step(id="tz", kind="text", prompt="p", validate="timezone")
    assert parse_text(step, Reply(text="amsterdam"), MAX_CHARS) == "Europe/Amsterdam"
    time_step = Step(id="t", kind="text", prompt="p", validate="time_of_day")
    assert parse_text(time_step, Reply(text="16u30"), MAX_CHARS) == "16:30"


# -- single choice -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(text="en"), "en"),
        (Reply(text="NL"), "nl"),
        (Reply(text="Nederlands"), "nl"),
        (Reply(text="english"), "en"),
        (Reply(text="  ENGLISH "), "en"),
        (Reply(text="1"), "nl"),
        (Reply(text="2"), "en"),
        (Reply(text="2."), "en"),
        (Reply(text="1)"), "nl"),
        (Reply(value="en"), "en"),
    ],
)
def test_single_choice_by_value_label_or_number(reply: Reply, expected: str) -> None:
    """A choice is its value, its label (any case) or its 1-based number."""
    assert parse_single(reply, LANGUAGES) == expected


@pytest.mark.parametrize("text", ["0", "3", "99", "Frans", "", "nl en"])
def test_single_choice_rejects_out_of_range_and_nonsense(text: str) -> None:
    """Anything that is not one option gets common.choose_one with the numbered options."""
    result = parse_single(Reply(text=text), LANGUAGES)
    assert rejected_key(result) == "common.choose_one"
    assert isinstance(result, Rejected)
    assert result.variables["options"] == "1. Nederlands, 2. English"


@pytest.mark.parametrize("text", ["²", "①"])
def test_single_choice_rejects_superscript_and_circled_digits(text: str) -> None:
    """Unusual 'digits' are a polite rejection, not a crash."""
    assert rejected_key(parse_single(Reply(text=text), LANGUAGES)) == "common.choose_one"


def test_single_choice_rejects_a_very_long_number() -> None:
    assert rejected_key(parse_single(Reply(text="1" * 5000), LANGUAGES)) == "common.choose_one"


# -- multiple choice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(text="1, 3"), ["mon", "wed"]),
        (Reply(text="1 en 3"), ["mon", "wed"]),
        (Reply(text="1;3"), ["mon", "wed"]),
        (Reply(text="maandag and woensdag"), ["mon", "wed"]),
        (Reply(text="Maandag & Woensdag"), ["mon", "wed"]),
        (Reply(text="maandag woensdag"), ["mon", "wed"]),
        (Reply(text="vrijdag"), ["fri"]),
        (Reply(text="3, 1"), ["mon", "wed"]),
        (Reply(text="1, 1, 3, maandag"), ["mon", "wed"]),
        (Reply(text="mon, tue, 5"), ["mon", "tue", "fri"]),
        (Reply(values=("wed", "mon")), ["mon", "wed"]),
        (Reply(values=("fri", "fri")), ["fri"]),
    ],
)
def test_multiple_choice_parsing(reply: Reply, expected: list[str]) -> None:
    """Numbers, labels and values, separated by comma/en/and/&; duplicates collapse and the
    result follows the order of the options."""
    assert parse_multiple(MULTIPLE, reply, WEEKDAYS) == expected


@pytest.mark.parametrize(
    "reply",
    [
        Reply(text="1, zaterdag"),
        Reply(text="1, 9"),
        Reply(text=""),
        Reply(values=()),
        Reply(values=("mon", "sat")),
    ],
)
def test_multiple_choice_rejects_unknown_tokens(reply: Reply) -> None:
    """One unknown token rejects the whole answer (common.choose_some)."""
    result = parse_multiple(MULTIPLE, reply, WEEKDAYS)
    assert rejected_key(result) == "common.choose_some"
    assert isinstance(result, Rejected)
    assert result.variables["options"].startswith("1. maandag, 2. dinsdag")


def test_multiple_choice_enforces_max_choices() -> None:
    step = Step(id="focus", kind="multiple", prompt="p", max_choices=2)
    result = parse_multiple(step, Reply(text="1, 2, 3"), WEEKDAYS)
    assert rejected_key(result) == "common.too_many"
    assert isinstance(result, Rejected)
    assert dict(result.variables) == {"maximum": 2}
    assert parse_multiple(step, Reply(text="1, 2"), WEEKDAYS) == ["mon", "tue"]
    assert parse_multiple(step, Reply(text="1, 1, 2"), WEEKDAYS) == ["mon", "tue"]


# -- scale -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(text="4"), 4),
        (Reply(text=" 5 "), 5),
        (Reply(text="1"), 1),
        (Reply(text="3/5"), 3),
        (Reply(text="4 van 5"), 4),
        (Reply(text="4 out of 5"), 4),
        (Reply(text="2 uit 5"), 2),
        (Reply(value="2"), 2),
    ],
)
def test_scale_accepts_a_number_in_range(reply: Reply, expected: int) -> None:
    assert parse_scale(SCALE, reply) == expected


@pytest.mark.parametrize("text", ["0", "6", "zeven", "", "-1", "banaan", "1000"])
def test_scale_rejects_anything_else(text: str) -> None:
    """Out of range and what holds no number get common.scale_invalid with the range."""
    result = parse_scale(SCALE, Reply(text=text))
    assert rejected_key(result) == "common.scale_invalid"
    assert isinstance(result, Rejected)
    assert dict(result.variables) == {"minimum": 1, "maximum": 5}


def test_scale_with_its_own_range() -> None:
    step = Step(id="nps", kind="scale", prompt="p", minimum=0, maximum=10)
    assert parse_scale(step, Reply(text="0")) == 0
    assert parse_scale(step, Reply(text="10")) == 10
    assert rejected_key(parse_scale(step, Reply(text="11"))) == "common.scale_invalid"


@given(st.integers(min_value=-1000, max_value=1000))
def test_scale_accepts_exactly_the_integers_one_to_five(number: int) -> None:
    """Property: str(n) is an answer iff 1 <= n <= 5, and then the answer is n."""
    result = parse_scale(SCALE, Reply(text=str(number)))
    if 1 <= number <= 5:
        assert result == number
    else:
        assert isinstance(result, Rejected)


@given(st.text(max_size=20))
def test_scale_never_returns_a_value_out_of_range(text: str) -> None:
    """Property: whatever is typed, the result is a rejection, or an int from 1 to 5 (taken
    or proposed)."""
    result = parse_scale(SCALE, Reply(text=text))
    if isinstance(result, Proposal):
        result = result.value
    assert isinstance(result, Rejected) or (type(result) is int and 1 <= result <= 5)


@pytest.mark.parametrize(("text", "expected"), [
    ("vier", 4), ("een 4", 4), ("3 of zo", 3), ("ergens rond de 3", 3), ("five-ish", 5),
    ("⭐⭐⭐⭐", 4), ("4/5", 4),
])
def test_scale_reads_numbers_as_people_type_them(text: str, expected: int) -> None:
    assert parse_scale(SCALE, Reply(text=text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("4.5", 5), ("2 à 3", 3), ("ruim voldoende", 4), ("🙂", 4), ("8/10", 4),
])
def test_a_hedged_or_worded_scale_answer_is_proposed(text: str, expected: int) -> None:
    result = parse_scale(SCALE, Reply(text=text))
    assert isinstance(result, Proposal) and result.value == expected


# -- confirm -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["ja", "Ja", "j", "yes", "y", "Y", "Ja!", "JA.", "jazeker", "ok", "👍"]
)
def test_confirm_yes(text: str) -> None:
    assert parse_confirm(Reply(text=text)) is True


@pytest.mark.parametrize("text", ["nee", "Nee", "n", "N", "no", "NEE!", "liever niet", "👎"])
def test_confirm_no(text: str) -> None:
    assert parse_confirm(Reply(text=text)) is False


def test_confirm_button_values() -> None:
    assert parse_confirm(Reply(value="yes")) is True
    assert parse_confirm(Reply(value="no")) is False


@pytest.mark.parametrize("text", ["misschien", "", "ja nee", "?"])
def test_confirm_rejects_anything_else(text: str) -> None:
    assert rejected_key(parse_confirm(Reply(text=text))) == "common.confirm_invalid"


# -- form --------------------------------------------------------------------------------


def test_form_values_are_cleaned() -> None:
    """Values are trimmed and cleaned; an optional field that is left out becomes ''."""
    result = parse_form(
        FORM, Reply(form={"situation": "  Een klant\x00 belde\r\nboos  ", "goal": "rust"}),
        MAX_CHARS,
    )
    assert result == {"situation": "Een klant belde\nboos", "goal": "rust", "note": ""}


@pytest.mark.parametrize("situation", [None, "", "   \n\t "])
def test_form_required_field_missing(situation: str | None) -> None:
    """A missing or blank required field gets a per-field common.form_required."""
    form = {"goal": "rust"} if situation is None else {"situation": situation, "goal": "rust"}
    result = parse_form(FORM, Reply(form=form), MAX_CHARS)
    assert rejected_key(result) == "common.form_invalid"
    assert isinstance(result, Rejected)
    assert dict(result.field_errors) == {"situation": ("common.form_required", {})}
    assert result.form_values["goal"] == "rust", "what was typed is kept for the re-shown form"


def test_form_field_too_long() -> None:
    """A field over its max_length gets common.form_too_long with the limit."""
    result = parse_form(FORM, Reply(form={"situation": "x", "goal": "x" * 11}), MAX_CHARS)
    assert isinstance(result, Rejected)
    assert dict(result.field_errors) == {"goal": ("common.form_too_long", {"limit": 10})}
    assert parse_form(FORM, Reply(form={"situation": "x", "goal": "x" * 10}), MAX_CHARS) == {
        "situation": "x", "goal": "x" * 10, "note": "",
    }


def test_form_field_without_max_length_uses_max_chars() -> None:
    result = parse_form(FORM, Reply(form={"situation": "x" * 6, "goal": "g"}), 5)
    assert isinstance(result, Rejected)
    assert dict(result.field_errors) == {"situation": ("common.form_too_long", {"limit": 5})}


def test_form_reports_every_field_at_once() -> None:
    result = parse_form(FORM, Reply(form={"goal": "x" * 20}), MAX_CHARS)
    assert isinstance(result, Rejected)
    assert set(result.field_errors) == {"situation", "goal"}


def test_form_ignores_values_that_are_not_text() -> None:
    form: dict[str, Any] = {"situation": 42, "goal": "rust"}
    result = parse_form(FORM, Reply(form=form), MAX_CHARS)
    assert isinstance(result, Rejected)
    assert "situation" in result.field_errors


@pytest.mark.parametrize("reply", [Reply(text="hoi"), Reply(value="x"), Reply()])
def test_non_form_reply_to_a_form_step_asks_for_the_form(reply: Reply) -> None:
    assert rejected_key(parse_answer(FORM, reply, (), MAX_CHARS)) == "common.use_form"


def test_form_reply_to_a_text_step_is_not_an_answer() -> None:
    result = parse_answer(TEXT, Reply(form={"moments": "x"}), (), MAX_CHARS)
    assert rejected_key(result) == "common.not_an_answer"


def test_parse_answer_dispatches_on_the_step_kind() -> None:
    """Each kind stores its own type: str, str, list, int, bool, dict."""
    confirm = Step(id="c", kind="confirm", prompt="p")
    single = Step(id="s", kind="single", prompt="p")
    assert parse_answer(TEXT, Reply(text="hoi"), (), MAX_CHARS) == "hoi"
    assert parse_answer(single, Reply(text="2"), LANGUAGES, MAX_CHARS) == "en"
    assert parse_answer(MULTIPLE, Reply(text="1,2"), WEEKDAYS, MAX_CHARS) == ["mon", "tue"]
    assert parse_answer(SCALE, Reply(text="3"), (), MAX_CHARS) == 3
    assert parse_answer(confirm, Reply(text="nee"), (), MAX_CHARS) is False
    assert parse_answer(FORM, Reply(form={"situation": "s", "goal": "g"}), (), MAX_CHARS) == {
        "situation": "s", "goal": "g", "note": "",
    }


# -- validators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Amsterdam", "Europe/Amsterdam"),
        ("europe/amsterdam", "Europe/Amsterdam"),
        ("  Europe/Brussels ", "Europe/Brussels"),
        ("Amsterdam", "Europe/Amsterdam"),
        ("new york", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_timezone_accepts_names_cities_and_utc(text: str, zone: str) -> None:
    assert timezone(text) == zone


@pytest.mark.parametrize("text", ["Mars/Olympus", "", "   ", "Europe", "Amsterdam, NL", "+01:00"])
def test_timezone_rejects_unknown_zones(text: str) -> None:
    assert timezone(text) is None


@pytest.mark.parametrize(("text", "hours"), [("GMT+1", 1), ("GMT-5", -5)])
def test_timezone_gmt_offset_is_not_inverted(text: str, hours: int) -> None:
    """'GMT+1' is either refused or a zone that really is one hour ahead of UTC."""
    zone = timezone(text)
    if zone is not None:
        assert ZoneInfo(zone).utcoffset(datetime(2026, 1, 15)) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16:30", "16:30"),
        ("16.30", "16:30"),
        ("16u30", "16:30"),
        ("16h30", "16:30"),
        ("9", "09:00"),
        ("9 uur", "09:00"),
        ("09:05", "09:05"),
        ("0:00", "00:00"),
        ("23:59", "23:59"),
        ("4:30 pm", "16:30"),
        ("4:30 PM", "16:30"),
        ("4 p.m.", "16:00"),
        ("12am", "00:00"),
        ("12 pm", "12:00"),
        ("11am", "11:00"),
    ],
)
def test_time_of_day_normalises_to_hh_mm(text: str, expected: str) -> None:
    assert time_of_day(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "24:00", "16:61", "morgen", "13pm", "0am", "16:5", "", "16:30:00", "-1"]
)
def test_time_of_day_rejects_impossible_times(text: str) -> None:
    assert time_of_day(text) is None


# -- clean_text --------------------------------------------------------------------------


def test_clean_text_removes_nul_and_other_controls() -> None:
    assert clean_text("a\x00b\x01c\x07d\x08e\x0bf\x0cg\x1fh\x7fi") == "abcdefghi"


def test_clean_text_removes_c1_controls() -> None:
    assert clean_text("a\x80b\x85c\x9bd\x9fe") == "abcde"


def test_clean_text_drops_the_escape_of_escape_sequences() -> None:
    """ESC goes, so a terminal cannot be driven; the harmless rest stays."""
    assert clean_text("\x1b[31mrood\x1b[0m") == "[31mrood[0m"
    assert "\x1b" not in clean_text("\x1b]0;title\x07x")


def test_clean_text_keeps_newlines_and_tabs_and_unifies_line_ends() -> None:
    assert clean_text("een\ttwee\ndrie") == "een\ttwee\ndrie"
    assert clean_text("een\r\ntwee\rdrie") == "een\ntwee\ndrie"


def test_clean_text_trims_surrounding_whitespace() -> None:
    assert clean_text("  \n hoi \t\n ") == "hoi"


def test_clean_text_replaces_lone_surrogates() -> None:
    assert clean_text("a\ud800b") == "a\ufffdb"
    assert clean_text("\udfff") == "\ufffd"
    assert clean_text("x\ud83d") == "x\ufffd"


@pytest.mark.parametrize(
    "text",
    [
        "👩‍💻 klaar met de release 🎉",
        "👨‍👩‍👧‍👦",
        "👍🏽 🇳🇱",
        "مرحبا بالعالم",
        "שלום עולם",
        "mixed עברית and English\u200f!",
        "{{ 7*7 }} {% raw %} ${jndi:ldap://x} <script>alert(1)</script>",
        "zero\u200bwidth and soft\u00adhyphen",
        "Ünïcödé café",
    ],
)
def test_clean_text_keeps_what_people_wrote(text: str) -> None:
    """Emoji (also ZWJ sequences), RTL text and template-looking text come out unchanged."""
    assert clean_text(text) == text


def test_clean_text_normalises_to_nfc() -> None:
    decomposed = "cafe\u0301 e\u0308"
    assert clean_text(decomposed) == "café ë"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


# Every code point is possible, including lone surrogates and C0/C1 controls.
ANY_CHARACTER = st.one_of(
    st.characters(codec=None),
    st.integers(min_value=0xD800, max_value=0xDFFF).map(chr),
    st.integers(min_value=0x00, max_value=0xA0).map(chr),
)


def _is_control(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char not in "\n\t") or 0x7F <= code <= 0x9F


@given(st.text(alphabet=ANY_CHARACTER))
def test_clean_text_output_is_storable_and_idempotent(raw: str) -> None:
    """Property: no controls but \\n and \\t, no \\r, no surrogates, NFC, and cleaning twice
    changes nothing."""
    cleaned = clean_text(raw)
    assert not any(_is_control(char) for char in cleaned)
    assert "\r" not in cleaned
    assert not any(0xD800 <= ord(char) <= 0xDFFF for char in cleaned)
    cleaned.encode("utf-8")
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text(cleaned) == cleaned


@given(
    st.text(
        alphabet=st.characters(
            codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs", "Cf")
        )
    ).filter(lambda s: s == s.strip() and unicodedata.is_normalized("NFC", s))
)
def test_clean_text_keeps_clean_text_unchanged(text: str) -> None:
    """Property: trimmed NFC text without controls is stored exactly as written."""
    assert clean_text(text) == text
