"""Flows as data (bot/core/flows.py) and the prompt library (bot/core/prompts.py):
strict parsing, conditions,
texts in both locales, command words, safe rendering and an organisation's overrides."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, meta
from sqlalchemy import Engine

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.conversation.services import Services
from bot.core.flows import Condition, FlowError, parse_flow
from bot.core.messages import Question
from bot.core.prompts import BUILTIN_DIR, LOCALES, PromptError, PromptLibrary
from bot.core.registry import ChoiceQuery, Registry
from bot.practices import build_registry
from tests.conftest import Chat, Clock, joined

# -- helpers -----------------------------------------------------------------------------


def step(**overrides: Any) -> dict[str, Any]:
    """A valid text step, with `overrides` applied (a key set to None is removed)."""
    raw: dict[str, Any] = {"id": "a", "kind": "text", "prompt": "t.a"}
    raw.update(overrides)
    return {key: value for key, value in raw.items() if value is not None}


def flow(*steps: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A valid flow table holding `steps` (one text step when none are given)."""
    raw: dict[str, Any] = {"id": "t", "steps": list(steps) or [step()]}
    raw.update(overrides)
    return {key: value for key, value in raw.items() if value is not None}


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted keys of a decoded TOML text file ({'a': {'b': 'x'}} -> {'a.b': 'x'})."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def builtin_texts(locale: str) -> dict[str, str]:
    """Every built-in text of a locale: texts/<locale>.toml, texts/<locale>/*.toml and the
    [texts.<locale>] of each flow file."""
    texts: dict[str, str] = {}
    paths = [BUILTIN_DIR / "texts" / f"{locale}.toml"]
    paths += sorted((BUILTIN_DIR / "texts" / locale).glob("*.toml"))
    for path in paths:
        with path.open("rb") as handle:
            texts.update(flatten(tomllib.load(handle)))
    for path in sorted((BUILTIN_DIR / "flows").glob("*.toml")):  # a flow's own texts
        with path.open("rb") as handle:
            texts.update(flatten(tomllib.load(handle).get("texts", {}).get(locale, {})))
    return texts


def write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")



@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary.builtin()


# -- parse_flow: what it accepts ---------------------------------------------------------


def test_parse_flow_reads_a_complete_flow() -> None:
    """Every kind of step, `next` to a step or to 'end', and a condition are parsed."""
    parsed = parse_flow(
        {
            "id": "demo",
            "title": "demo.title",
            "keep_partial": True,
            "expires_after_minutes": 30,
            "steps": [
                {
                    "id": "pick",
                    "kind": "single",
                    "prompt": "demo.pick",
                    "choices": [
                        {"value": "a", "label": "demo.a", "next": "rate"},
                        {"value": "b", "label": "demo.b", "next": "end"},
                    ],
                },
                {"id": "many", "kind": "multiple", "prompt": "demo.many", "choices_from": "x"},
                {
                    "id": "rate", "kind": "scale", "prompt": "demo.rate", "min": 1, "max": 10,
                    "low": "demo.low", "high": "demo.high",
                },
                {"id": "sure", "kind": "confirm", "prompt": "demo.sure", "next": "end"},
                {
                    "id": "form", "kind": "form", "prompt": "demo.form",
                    "fields": [{"name": "goal", "label": "demo.goal", "max_length": 200}],
                    "when": {"answer": "sure", "equals": False},
                },
            ],
        },
        source="demo.toml",
    )
    assert [s.kind for s in parsed.steps] == ["single", "multiple", "scale", "confirm", "form"]
    assert parsed.step("pick").choices[0].next == "rate"
    assert (parsed.step("rate").minimum, parsed.step("rate").maximum) == (1, 10)
    assert parsed.step("form").fields[0].max_length == 200
    assert parsed.step("form").when == Condition(answer="sure", equals=False)
    assert parsed.keep_partial is True
    assert parsed.expires_after_minutes == 30
    assert parsed.index_of("sure") == 3
    assert "demo.low" in parsed.text_keys()
    assert "demo.goal" in parsed.text_keys()


def test_flow_step_lookup_of_an_unknown_step_raises_flow_error() -> None:
    """Flow.step names the flow and the step it could not find."""
    with pytest.raises(FlowError, match="has no step 'nope'"):
        parse_flow(flow()).step("nope")


# -- parse_flow: what it rejects ---------------------------------------------------------

REJECTED_FLOWS = [
    pytest.param({"steps": [step()]}, "id is required", id="missing-flow-id"),
    pytest.param(flow(id=""), "id is required", id="empty-flow-id"),
    pytest.param({"id": "t"}, "at least one step", id="no-steps-key"),
    pytest.param({"id": "t", "steps": []}, "at least one step", id="empty-steps"),
    pytest.param(flow(step(kind="essay")), "kind must be one of", id="unknown-kind"),
    pytest.param(flow(step(kind=None)), "kind is required", id="missing-kind"),
    pytest.param(flow(titel="x"), "unknown keys ['titel']", id="unknown-flow-key"),
    pytest.param(flow(step(promt="x")), "unknown keys ['promt']", id="unknown-step-key"),
    pytest.param(flow(step(id=None)), "id is required", id="missing-step-id"),
    pytest.param(flow(step(prompt=None)), "prompt is required", id="missing-prompt"),
    pytest.param(flow(step(prompt=3)), "prompt must be text", id="prompt-not-text"),
    pytest.param(flow(step(max_length="10")), "max_length must be a whole number", id="str-int"),
    pytest.param(flow(step(max_length=True)), "max_length must be a whole number", id="bool-int"),
    pytest.param(
        flow(step(kind="single")), "a single step needs choices", id="single-without-choices"
    ),
    pytest.param(
        flow(step(kind="multiple", choices=[])),
        "a multiple step needs choices",
        id="multiple-with-empty-choices",
    ),
    pytest.param(
        flow(step(kind="single", choices=[{"value": "a"}])),
        "label is required",
        id="choice-without-label",
    ),
    pytest.param(flow(step(kind="form")), "a form step needs fields", id="form-without-fields"),
    pytest.param(
        flow(step(kind="form", fields=[{"label": "x"}])),
        "name is required",
        id="field-without-name",
    ),
    pytest.param(
        flow(step(kind="scale", min=5, max=5)), "min must be below max", id="scale-min-eq-max"
    ),
    pytest.param(
        flow(step(kind="scale", min=4, max=2)), "min must be below max", id="scale-min-gt-max"
    ),
    pytest.param(
        flow(step(), step(prompt="t.b")), "step ids must be unique", id="duplicate-step-ids"
    ),
    pytest.param(flow(step(id="end")), "not 'end'", id="step-called-end"),
    pytest.param(
        flow(step(next="nowhere")), "next points to unknown steps ['nowhere']", id="next-unknown"
    ),
    pytest.param(
        flow(step(kind="single", choices=[{"value": "a", "label": "l", "next": "ghost"}])),
        "next points to unknown steps ['ghost']",
        id="choice-next-unknown",
    ),
    pytest.param(
        flow(step(when={"answer": "x", "context": "y"})),
        "when needs exactly one of answer or context",
        id="when-both",
    ),
    pytest.param(
        flow(step(when={"equals": "x"})),
        "when needs exactly one of answer or context",
        id="when-neither",
    ),
    pytest.param(
        flow(step(when="has_colleague")),
        "when needs exactly one of answer or context",
        id="when-not-a-table",
    ),
    pytest.param(
        flow(step(when={"answer": "x", "equal": "y"})),
        "unknown keys in when: ['equal']",
        id="when-unknown-key",
    ),
]


@pytest.mark.parametrize(("raw", "message"), REJECTED_FLOWS)
def test_parse_flow_rejects_with_a_message_naming_the_problem(
    raw: dict[str, Any], message: str
) -> None:
    """An unusable flow fails with FlowError whose message says what is wrong."""
    with pytest.raises(FlowError, match=re.escape(message)):
        parse_flow(raw, source="org.toml")


def test_flow_error_names_the_file_and_the_step() -> None:
    """The message points at the source file and the step, so a facilitator can find it."""
    with pytest.raises(FlowError) as caught:
        parse_flow(flow(step(id="goal", kind="essay"), id="weekly"), source="weekly.toml")
    assert "step goal" in str(caught.value)
    assert "flow weekly" in str(caught.value)
    with pytest.raises(FlowError, match=r"^weekly\.toml: "):
        parse_flow(flow(id="weekly", steps=[]), source="weekly.toml")


def test_scale_min_zero_is_kept() -> None:
    """A 0-10 scale stays 0-10 (the `or 1` fallback turns 0 into 1)."""
    parsed = parse_flow(flow(step(kind="scale", min=0, max=10)))
    assert parsed.steps[0].minimum == 0


def test_scale_min_zero_max_zero_is_rejected() -> None:
    """min = 0, max = 0 has min >= max and must be rejected, not silently made 1..5."""
    with pytest.raises(FlowError, match="min must be below max"):
        parse_flow(flow(step(kind="scale", min=0, max=0)))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"id": "t", "steps": ["moments"]}, id="step-not-a-table"),
        pytest.param(flow(step(kind="single", choices=["a", "b"])), id="choice-not-a-table"),
        pytest.param(flow(step(kind="form", fields=["goal"])), id="field-not-a-table"),
    ],
)
def test_entries_that_are_not_tables_are_rejected_with_flow_error(raw: dict[str, Any]) -> None:
    """A list of plain strings where tables are expected is a FlowError, not a crash."""
    with pytest.raises(FlowError):
        parse_flow(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            flow(step(kind="single", choices=[{"value": "a", "label": "l", "nxt": "a"}])),
            id="choice-typo",
        ),
        pytest.param(
            flow(step(kind="form", fields=[{"name": "g", "label": "l", "max_lenght": 10}])),
            id="field-typo",
        ),
    ],
)
def test_unknown_keys_in_choices_and_fields_are_rejected(raw: dict[str, Any]) -> None:
    """Parsing is documented as strict: a typo in a choice or field fails at load."""
    with pytest.raises(FlowError, match="unknown keys"):
        parse_flow(raw)


# -- Condition.holds ---------------------------------------------------------------------


def test_condition_answer_equals() -> None:
    """With `equals`, the named answer must have exactly that value."""
    condition = Condition(answer="language", equals="en")
    assert condition.holds({"language": "en"}, {})
    assert not condition.holds({"language": "nl"}, {})
    assert not condition.holds({}, {})


def test_condition_context_truthy() -> None:
    """Without `equals`, the context value must be present and not empty/false."""
    condition = Condition(context="entries_today")
    assert condition.holds({}, {"entries_today": 2})
    assert not condition.holds({}, {"entries_today": 0})
    assert not condition.holds({}, {})
    assert not condition.holds({"entries_today": 2}, {}), "answers are not the context"


def test_condition_answer_truthy_ignores_context() -> None:
    """An `answer` condition looks at answers only, even when the context has the key."""
    condition = Condition(answer="goal")
    assert condition.holds({"goal": "beter luisteren"}, {})
    assert not condition.holds({"goal": ""}, {"goal": "x"})


def test_condition_negate() -> None:
    """`negate` turns both the equals test and the truthy test around."""
    assert Condition(answer="language", equals="en", negate=True).holds({"language": "nl"}, {})
    assert not Condition(answer="language", equals="en", negate=True).holds({"language": "en"}, {})
    assert Condition(context="entries_today", negate=True).holds({}, {"entries_today": 0})
    assert not Condition(context="entries_today", negate=True).holds({}, {"entries_today": 1})


def test_condition_membership_for_a_list_answer() -> None:
    """For a multiple-choice answer, `equals` means 'contains'."""
    condition = Condition(answer="workdays", equals="fri")
    assert condition.holds({"workdays": ["mon", "fri"]}, {})
    assert not condition.holds({"workdays": ["mon", "tue"]}, {})
    assert not condition.holds({"workdays": []}, {})
    assert Condition(answer="workdays", equals="fri", negate=True).holds({"workdays": ["mon"]}, {})


def test_condition_equals_false_for_a_confirm_answer() -> None:
    """`equals = false` holds for a 'no' (False), not for 'yes' nor for a skipped question."""
    condition = Condition(answer="has_colleague", equals=False)
    assert condition.holds({"has_colleague": False}, {})
    assert not condition.holds({"has_colleague": True}, {})
    assert not condition.holds({}, {}), "a skipped confirm is not a 'no'"


def test_onboarding_pairing_question_follows_a_no() -> None:
    """The built-in onboarding asks about pairing only after 'no colleague yet'."""
    when = PromptLibrary.builtin().flow("onboarding").step("colleague_hint").when
    assert when is not None
    assert when.holds({"has_colleague": False}, {})
    assert not when.holds({"has_colleague": True}, {})


# -- the built-in library ----------------------------------------------------------------


def test_builtin_library_loads_its_flows(library: PromptLibrary) -> None:
    """The shipped prompts load and hold the diary and onboarding flows."""
    assert {"diary", "onboarding"} <= set(library.flow_ids)
    assert library.flow("diary").steps[0].id == "moments"


def test_unknown_flow_raises_prompt_error(library: PromptLibrary) -> None:
    with pytest.raises(PromptError, match="unknown flow 'nope'"):
        library.flow("nope")


def test_every_flow_text_exists_in_both_locales(library: PromptLibrary) -> None:
    """Every text key a flow refers to exists in nl and en."""
    missing = [
        (flow_id, key, locale)
        for flow_id in library.flow_ids
        for key in library.flow(flow_id).text_keys()
        for locale in LOCALES
        if not library.has_text(key, locale)
    ]
    assert missing == []


def test_every_choice_source_label_exists_in_both_locales(library: PromptLibrary) -> None:
    """Labels that come from code (choices_from) have texts too."""
    query = ChoiceQuery(connection=None, organisation_id=0, locale="nl", context={})
    for choice in build_registry().choice_sources["weekdays"](query):
        assert all(library.has_text(choice.label, locale) for locale in LOCALES), choice


def test_nl_and_en_have_the_same_text_keys() -> None:
    """prompts/texts/nl.toml and en.toml define exactly the same keys."""
    nl, en = builtin_texts("nl"), builtin_texts("en")
    assert sorted(set(nl) - set(en)) == []
    assert sorted(set(en) - set(nl)) == []
    assert all(isinstance(value, str) and value.strip() for value in nl.values())
    assert all(isinstance(value, str) and value.strip() for value in en.values())


TYPICAL_VARIABLES: dict[str, Any] = {
    "flow_title": "leerdagboek",
    "flow_phrase": "je leerdagboek",
    "position": 2,
    "total": 4,
    "hint": "Denk aan iets dat anders liep.",
    "limit": 4000,
    "length": 4321,
    "minutes": 60,
    "date": date(2026, 11, 21),
    "local_date": date(2026, 11, 21),
    "options": "1. maandag, 2. dinsdag",
    "maximum": 5,
    "minimum": 1,
    "entries_today": 0,
    "name": "Anouk",
    "learning": "Eerst vragen, dan advies.",
    "streak": 3,
    "current": "Europe/Amsterdam",
    "workdays": "maandag, dinsdag",
    "diary_time": "16:30",
    "timezone": "Europe/Amsterdam",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_renders_with_typical_variables(library: PromptLibrary, locale: str) -> None:
    """Each common text renders in each locale; the variables it uses are the ones we know
    of. (A practice's own texts, in texts/<locale>/, are rendered by that practice's tests,
    which run its flows end to end in both languages.)"""
    env = Environment()
    with (BUILTIN_DIR / "texts" / f"{locale}.toml").open("rb") as handle:
        common = flatten(tomllib.load(handle))
    for key, source in common.items():
        used = meta.find_undeclared_variables(env.parse(source)) - {"format_date"}
        assert used <= set(TYPICAL_VARIABLES), (key, used - set(TYPICAL_VARIABLES))
        rendered = library.render(key, locale, **TYPICAL_VARIABLES)
        assert rendered, key
        assert "{{" not in rendered and "{%" not in rendered, key
        assert "Undefined" not in rendered and "None" not in rendered, key


def test_unknown_locale_falls_back_to_dutch(library: PromptLibrary) -> None:
    assert library.render("common.yes", "de") == library.render("common.yes", "nl") == "Ja"
    assert library.render("common.yes", "en") == "Yes"


def test_unknown_text_raises_prompt_error(library: PromptLibrary) -> None:
    with pytest.raises(PromptError, match=r"unknown text 'common\.nope'"):
        library.render("common.nope", "nl")


def test_diary_intro_differs_for_a_second_entry(library: PromptLibrary) -> None:
    """The intro greets by name the first time and acknowledges a second entry."""
    first = library.render("diary.intro", "nl", name="Anouk", entries_today=0)
    again = library.render("diary.intro", "nl", name="Anouk", entries_today=1)
    assert first.startswith("Hoi Anouk!")
    assert "al in je dagboek" in again


# -- command words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("dagboek", "diary"),
        ("diary", "diary"),
        ("/Diary", "diary"),
        ("DAGBOEK!", "diary"),
        ("  leerdagboek  ", "diary"),
        ("hulp", "help"),
        ("help", "help"),
        ("?", "help"),
        ("Wat kun je?", "help"),
        ("overslaan", "skip"),
        ("skip", "skip"),
        ("later", "snooze"),
        ("nu  niet", "snooze"),
        ("stop", "stop"),
        ("Stop!", "stop"),
        ("start", "start"),
        ("/start", "start"),
    ],
)
def test_command_words_in_both_languages(library: PromptLibrary, text: str, command: str) -> None:
    """A whole message that is a command word runs that command, in nl or en."""
    found = library.command_for(text)
    assert found is not None, text
    assert found.command.name == command and found.arguments == ""


def test_commands_start_their_flows(library: PromptLibrary) -> None:
    diary, start, stop = library.command("diary"), library.command("start"), library.command("stop")
    assert diary is not None and diary.flow == "diary"
    assert start is not None and start.flow == "onboarding"
    assert stop is not None and stop.flow is None


@pytest.mark.parametrize(
    "text", ["", "   ", "ik had een goede dag", "!", "/", "dagboek schrijven", "stop maar"]
)
def test_plain_text_is_not_a_command(library: PromptLibrary, text: str) -> None:
    """Empty input and ordinary sentences are answers, not commands."""
    assert library.command_for(text) is None


# -- rendering never evaluates user input ------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["{{ 7*7 }}", "{% raw %}", "{% endraw %}{{ 7*7 }}", "{# x #}", "{{ name }}"]
)
def test_user_text_is_rendered_literally(library: PromptLibrary, typed: str) -> None:
    """What a person typed is filled in as a value, never compiled as a template."""
    outro = library.render(
        "diary.outro", "nl", local_date=date(2026, 11, 21), streak=1, learning=typed, name=typed
    )
    assert f"“{typed}”" in outro
    assert f"Dank je wel, {typed}!" in outro
    assert "49" not in outro


PROPERTY_LIBRARY = PromptLibrary.builtin()


@given(st.text(max_size=200))
def test_any_user_text_comes_out_verbatim(typed: str) -> None:
    """Property: whatever the learning was, it appears in the outro as typed — except that a
    would-be mention (`<#`, `<@`, `@channel`) is defused, on purpose."""
    from bot.core.prompts import defuse_mentions

    outro = PROPERTY_LIBRARY.render(
        "diary.outro", "en", local_date=date(2026, 11, 21), streak=1, learning=typed
    )
    if typed:
        assert f"“{defuse_mentions(typed)}”" in outro



@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ name.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ [].append(1) }}",
    ],
)
def test_sandbox_refuses_unsafe_template_code_in_an_override(tmp_path: Path, source: str) -> None:
    """An override with unsafe code still loads, but rendering it raises PromptError."""
    write(tmp_path / "texts" / "nl.toml", f"[diary]\nmoments = '''{source}'''\n")
    library = PromptLibrary.with_override(tmp_path)
    with pytest.raises(PromptError, match="unsafe"):
        library.render("diary.moments", "nl", name="Anouk")


@pytest.mark.parametrize(
    "source", ["{{ ''.__class__ }}", "{{ format_date.__globals__ }}", "{{ name.__dict__ }}"]
)
def test_sandbox_hides_internals_in_an_override(tmp_path: Path, source: str) -> None:
    """Private attributes render as nothing rather than leaking classes or globals."""
    write(tmp_path / "texts" / "nl.toml", f"[diary]\nmoments = '''Vraag: {source}'''\n")
    rendered = PromptLibrary.with_override(tmp_path).render("diary.moments", "nl", name="An")
    assert rendered == "Vraag:"


def test_override_with_broken_template_syntax_fails_at_load(tmp_path: Path) -> None:
    """A text that does not compile is found when the folder is loaded."""
    write(tmp_path / "texts" / "en.toml", "[diary]\nmoments = '{% if %}'\n")
    with pytest.raises(PromptError, match=r"diary\.moments"):
        PromptLibrary.with_override(tmp_path)


# -- an organisation's override folder ---------------------------------------------------

ORG_DIARY_FLOW = """
id = "diary"
title = "diary.title"
outro = "org.thanks"

[[steps]]
id = "highlight"
kind = "text"
prompt = "org.highlight"
"""


def test_override_texts_and_flows_win(tmp_path: Path) -> None:
    """An organisation's texts replace ours key by key, its flows replace ours by id."""
    write(
        tmp_path / "texts" / "nl.toml",
        '[diary]\nmoments = "Wat ging er vandaag goed?"\n'
        '[org]\nhighlight = "Wat was je hoogtepunt?"\nthanks = "Top!"\n',
    )
    write(
        tmp_path / "texts" / "en.toml",
        '[org]\nhighlight = "What was your highlight?"\nthanks = "Great!"\n',
    )
    write(tmp_path / "flows" / "diary.toml", ORG_DIARY_FLOW)

    library = PromptLibrary.with_override(tmp_path)

    assert library.render("diary.moments", "nl") == "Wat ging er vandaag goed?"
    assert library.render("diary.moments", "en") == "Which learning moments were there today?"
    diary = library.flow("diary")
    assert [s.id for s in diary.steps] == ["highlight"]
    assert library.render(diary.steps[0].prompt, "en") == "What was your highlight?"
    assert "onboarding" in library.flow_ids, "flows not overridden stay"
    assert PromptLibrary.builtin().flow("diary").steps[0].id == "moments"


def test_override_flow_missing_a_text_in_one_locale_fails_at_load(tmp_path: Path) -> None:
    """A flow whose text exists in nl only is refused when the folder is loaded."""
    write(
        tmp_path / "texts" / "nl.toml",
        '[org]\nhighlight = "Wat was je hoogtepunt?"\nthanks = "Top!"\n',
    )
    write(tmp_path / "texts" / "en.toml", '[org]\nthanks = "Great!"\n')
    write(tmp_path / "flows" / "diary.toml", ORG_DIARY_FLOW)
    with pytest.raises(PromptError, match=r"text 'org\.highlight' missing for en"):
        PromptLibrary.with_override(tmp_path)


def test_override_flow_that_does_not_parse_fails_with_prompt_error(tmp_path: Path) -> None:
    """A FlowError in an override surfaces as a PromptError naming the problem."""
    write(tmp_path / "flows" / "diary.toml", ORG_DIARY_FLOW.replace('"text"', '"essay"'))
    with pytest.raises(PromptError, match="kind must be one of"):
        PromptLibrary.with_override(tmp_path)


def test_override_with_invalid_toml_fails_with_prompt_error(tmp_path: Path) -> None:
    write(tmp_path / "texts" / "nl.toml", "[diary\nmoments = 'x'\n")
    with pytest.raises(PromptError, match=r"nl\.toml"):
        PromptLibrary.with_override(tmp_path)


def test_override_text_that_is_not_a_string_fails(tmp_path: Path) -> None:
    write(tmp_path / "texts" / "nl.toml", "[diary]\nmoments = 3\n")
    with pytest.raises(PromptError, match=r"'diary\.moments' must be a string"):
        PromptLibrary.with_override(tmp_path)


def test_override_flow_with_malformed_choices_fails_with_prompt_error(tmp_path: Path) -> None:
    write(
        tmp_path / "flows" / "diary.toml",
        'id = "diary"\n[[steps]]\nid = "a"\nkind = "single"\nprompt = "diary.moments"\n'
        'choices = ["ja", "nee"]\n',
    )
    with pytest.raises(PromptError):
        PromptLibrary.with_override(tmp_path)


def test_missing_override_folder_raises_prompt_error(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="does not exist"):
        PromptLibrary.with_override(tmp_path / "nope")


def test_no_override_folder_gives_the_builtin_library() -> None:
    assert PromptLibrary.with_override(None).flow_ids == PromptLibrary.builtin().flow_ids


def test_override_command_word_clash_fails(tmp_path: Path) -> None:
    """One word cannot belong to two commands."""
    write(tmp_path / "commands.toml", '[snooze]\nwords = ["later", "stop"]\n')
    with pytest.raises(PromptError, match="'stop' belongs to both"):
        PromptLibrary.with_override(tmp_path)


# -- a flow's own command words and texts -------------------------------------------------

GRATITUDE_FLOW = """
id = "gratitude"
title = "gratitude.title"
intro = "gratitude.intro"
outro = "gratitude.outro"
words = ["dankbaar", "gratitude", "grateful"]

[[steps]]
id = "thanks"
kind = "text"
prompt = "gratitude.thanks"

[texts.nl.gratitude]
title = "je dankbaarheid"
intro = "Even stilstaan bij wat goed ging."
thanks = "Waar ben je vandaag dankbaar voor?"
outro = "Dank je, {{ name or 'collega' }}."

[texts.en.gratitude]
title = "your gratitude"
intro = "A moment for what went well."
thanks = "What are you grateful for today?"
outro = "Thank you, {{ name or 'colleague' }}."
"""


def test_a_flow_file_with_its_own_words_and_texts_loads(tmp_path: Path) -> None:
    """`words` make a command named after the flow that starts it; `[texts.<locale>]` are
    text keys like those of texts/<locale>/."""
    write(tmp_path / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    library = PromptLibrary([BUILTIN_DIR, tmp_path])

    command = library.command("gratitude")
    assert command is not None and command.flow == "gratitude" and command.action is None
    for word in ("dankbaar", "Grateful!", "/gratitude"):
        found = library.command_for(word)
        assert found is not None and found.command.name == "gratitude", word
    assert library.render("gratitude.thanks", "nl") == "Waar ben je vandaag dankbaar voor?"
    assert library.render("gratitude.outro", "en", name="Anouk") == "Thank you, Anouk."
    assert library.flow("gratitude").steps[0].prompt == "gratitude.thanks"
    assert library.command("diary") is not None, "the commands files still load"


def test_a_flow_files_command_starts_the_flow_in_a_chat(
    tmp_path: Path, database: Engine, sqlite_url: str, clock: Clock, registry: Registry,
    no_failed_turns: None,
) -> None:
    """Through an organisation's prompts folder, the flow's own word starts it and its own
    texts are what the person reads, in the person's language."""
    write(tmp_path / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    settings = Settings(database_url=sqlite_url, prompts_dir=tmp_path)
    chat = Chat(Coach(database, Services(settings, registry, clock=clock)))

    first = chat.say("dankbaar")
    assert "Even stilstaan bij wat goed ging." in joined(first)
    [question] = [m for m in first if isinstance(m, Question)]
    assert question.text == "Waar ben je vandaag dankbaar voor?"
    assert "Dank je" in joined(chat.say("Een goed gesprek met Ilse."))
    again = chat.say("grateful")  # the English word works too; the flow had ended
    assert [m.text for m in again if isinstance(m, Question)] == [question.text]


def test_an_organisation_replaces_a_flows_own_text_key_by_key(tmp_path: Path) -> None:
    ours, org = tmp_path / "ours", tmp_path / "org"
    write(ours / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    write(org / "texts" / "nl.toml", '[gratitude]\nthanks = "Wat gaf je energie?"\n')
    library = PromptLibrary([BUILTIN_DIR, ours, org])
    assert library.render("gratitude.thanks", "nl") == "Wat gaf je energie?"
    assert library.render("gratitude.thanks", "en") == "What are you grateful for today?"
    assert library.render("gratitude.intro", "nl") == "Even stilstaan bij wat goed ging."


def test_an_organisation_replaces_a_flows_own_command_by_name(tmp_path: Path) -> None:
    ours, org = tmp_path / "ours", tmp_path / "org"
    write(ours / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    write(org / "commands.toml", '[gratitude]\nwords = ["dank"]\nflow = "gratitude"\n')
    library = PromptLibrary([BUILTIN_DIR, ours, org])
    found = library.command_for("dank")
    assert found is not None and found.command.name == "gratitude"
    assert library.command_for("dankbaar") is None


def test_a_flows_word_that_another_command_has_fails(tmp_path: Path) -> None:
    write(tmp_path / "flows" / "gratitude.toml",
          GRATITUDE_FLOW.replace('"grateful"]', '"grateful", "dagboek"]'))
    with pytest.raises(PromptError, match="'dagboek' belongs to both"):
        PromptLibrary([BUILTIN_DIR, tmp_path])


def test_a_flows_command_also_in_a_commands_file_fails(tmp_path: Path) -> None:
    write(tmp_path / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    write(tmp_path / "commands" / "extra.toml",
          '[gratitude]\nwords = ["dank"]\nflow = "gratitude"\n')
    with pytest.raises(PromptError, match="command 'gratitude' is also defined by its flow"):
        PromptLibrary([BUILTIN_DIR, tmp_path])


def test_a_flows_text_key_also_in_a_texts_file_fails(tmp_path: Path) -> None:
    write(tmp_path / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    write(tmp_path / "texts" / "nl" / "gratitude.toml", '[gratitude]\nintro = "Hallo"\n')
    with pytest.raises(PromptError, match=r"gratitude\.intro.*defined twice"):
        PromptLibrary([BUILTIN_DIR, tmp_path])


def test_a_text_key_in_two_flow_files_fails(tmp_path: Path) -> None:
    write(tmp_path / "flows" / "gratitude.toml", GRATITUDE_FLOW)
    other = GRATITUDE_FLOW.replace('id = "gratitude"', 'id = "thanks"')
    write(tmp_path / "flows" / "thanks.toml", other.replace("words = [", "# words = ["))
    with pytest.raises(PromptError, match=r"thanks\.toml: texts \['gratitude\.intro'"):
        PromptLibrary([BUILTIN_DIR, tmp_path])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s[: s.index("[texts.en.gratitude]")], r"missing \['en'\]"),
        (lambda s: s.replace('thanks = "What are you grateful for today?"\n', ""),
         r"\['gratitude\.thanks'\] missing for en"),
        (lambda s: s + '\n[texts.de.gratitude]\nintro = "Hallo"\n', r"unknown \['de'\]"),
    ],
)
def test_a_flows_texts_need_both_locales_with_the_same_keys(
    tmp_path: Path, change: Callable[[str], str], message: str
) -> None:
    write(tmp_path / "flows" / "gratitude.toml", change(GRATITUDE_FLOW))
    with pytest.raises(PromptError, match=message):
        PromptLibrary([BUILTIN_DIR, tmp_path])


# -- format_date -------------------------------------------------------------------------


def test_format_date_in_dutch_and_english(library: PromptLibrary) -> None:
    """2026-11-21 is 'zaterdag 21 november' / 'Saturday 21 November'."""
    day = date(2026, 11, 21)
    nl = library.render("common.expired", "nl", flow_phrase="je leerdagboek", date=day)
    en = library.render("common.expired", "en", flow_phrase="your diary", date=day)
    assert "van zaterdag 21 november bleef" in nl
    assert "of Saturday 21 November was" in en


def test_format_date_in_the_diary_outro(library: PromptLibrary) -> None:
    day = date(2026, 3, 11)
    assert "woensdag 11 maart" in library.render("diary.outro", "nl", local_date=day, streak=1)
    assert "Wednesday 11 March" in library.render("diary.outro", "en", local_date=day, streak=1)


def test_format_date_with_a_pattern_in_an_override(tmp_path: Path) -> None:
    """An organisation's text may pass its own babel pattern."""
    write(tmp_path / "texts" / "nl.toml", "[org]\nday = '{{ format_date(d, \"d MMMM y\") }}'\n")
    write(tmp_path / "texts" / "en.toml", "[org]\nday = '{{ format_date(d, \"MMMM d, y\") }}'\n")
    library = PromptLibrary.with_override(tmp_path)
    assert library.render("org.day", "nl", d=date(2026, 11, 21)) == "21 november 2026"
    assert library.render("org.day", "en", d=date(2026, 11, 21)) == "November 21, 2026"


def test_format_date_of_a_missing_variable_raises_prompt_error(library: PromptLibrary) -> None:
    """A text calling format_date on a variable that was not passed fails as PromptError."""
    with pytest.raises(PromptError):
        library.render("common.expired", "nl", flow_phrase="je leerdagboek")


def test_commands_with_an_argument_match_on_their_first_words(tmp_path: Path) -> None:
    """`argument = true` commands take the rest of the message; others match whole only."""
    write(
        tmp_path / "commands" / "extra.toml",
        '[remind]\nwords = ["herinner me", "remind me"]\naction = "remind"\nargument = true\n',
    )
    library = PromptLibrary([BUILTIN_DIR, tmp_path])
    found = library.command_for("Herinner me  Morgen om 9 uur!")
    assert found is not None and found.command.name == "remind"
    assert found.arguments == "Morgen om 9 uur!"
    bare = library.command_for("remind me")
    assert bare is not None and bare.arguments == ""
    assert library.command_for("herinner") is None
    assert library.command_for("dagboek schrijven") is None  # diary takes no argument


def test_a_command_with_both_a_flow_and_an_action_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "commands.toml", '[x]\nwords = ["x"]\nflow = "diary"\naction = "y"\n')
    with pytest.raises(PromptError, match="both a flow and an action"):
        PromptLibrary([BUILTIN_DIR, tmp_path])
