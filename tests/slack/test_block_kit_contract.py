"""The Block Kit checker itself (tests/contracts/block_kit.py): for every rule, one payload that
breaks it and one that keeps it, so the checker can neither pass everything nor refuse what
Slack accepts. The rules and their pages are cited in the checker."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.block_kit import (
    Violation,
    check_blocks,
    check_call,
    check_message,
    check_view,
    describe,
)

Block = dict[str, Any]


def plain(text: str) -> Block:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "Hoi") -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def button(action_id: str = "a", label: str = "OK", value: str = "v") -> Block:
    return {"type": "button", "text": plain(label), "action_id": action_id, "value": value}


def option(value: str, label: str | None = None) -> Block:
    return {"text": plain(label or value), "value": value}


def options(count: int) -> list[Block]:
    return [option(f"o{n}") for n in range(count)]


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def with_accessory(element: Block) -> Block:
    return {**section(), "accessory": element}


def message(*blocks: Block) -> Block:
    return {"channel": "D1", "text": "Hoi", "blocks": list(blocks)}


def modal(*blocks: Block, **fields: Any) -> Block:
    return {"type": "modal", "title": plain("Leercontract"), "submit": plain("Opslaan"),
            "blocks": list(blocks), **fields}


def input_block(element: Block | None = None, **fields: Any) -> Block:
    return {"type": "input", "block_id": "goal", "label": plain("Wat wil je leren?"),
            "element": element or {"type": "plain_text_input", "action_id": "value"},
            **fields}


def in_message(*blocks: Block) -> list[Violation]:
    return check_message(message(*blocks))


def in_modal(*blocks: Block, **fields: Any) -> list[Violation]:
    return check_view(modal(*blocks, **fields), "/view")


def in_home(*blocks: Block) -> list[Violation]:
    return check_view({"type": "home", "blocks": list(blocks)}, "/view")


Case = tuple[str, Callable[[], list[Violation]], Callable[[], list[Violation]]]

# (rule, a payload that breaks it, the nearest payload that keeps it)
CASES: list[Case] = [
    ("message.blocks.max_items",
     lambda: in_message(*[section(str(n)) for n in range(51)]),
     lambda: in_message(*[section(str(n)) for n in range(50)])),
    ("modal.blocks.max_items",
     lambda: in_modal(*[section(str(n)) for n in range(101)]),
     lambda: in_modal(*[section(str(n)) for n in range(100)])),
    ("home.blocks.max_items",
     lambda: in_home(*[section(str(n)) for n in range(101)]),
     lambda: in_home(*[section(str(n)) for n in range(100)])),
    ("message.text.fallback",
     lambda: check_message({"channel": "D1", "blocks": [section()]}),
     lambda: check_message({"channel": "D1", "text": "Hoi", "blocks": [section()]})),
    ("block.type.unknown",
     lambda: in_message({"type": "paragraph", "text": mrkdwn("x")}),
     lambda: in_message({"type": "divider"})),
    ("block_id.max_length",
     lambda: in_message({**section(), "block_id": "b" * 256}),
     lambda: in_message({**section(), "block_id": "b" * 255})),
    ("block_id.unique",
     lambda: in_message({**section(), "block_id": "q1"}, actions(button(), block_id="q1")),
     lambda: in_message({**section(), "block_id": "q1"}, actions(button(), block_id="q2"))),
    ("action_id.max_length",
     lambda: in_message(actions(button("a" * 256))),
     lambda: in_message(actions(button("a" * 255)))),
    ("action_id.unique",
     lambda: in_message(actions(button("choice", "Ja", "ja"), button("choice", "Nee", "nee"))),
     lambda: in_message(actions(button("choice:0", "Ja", "ja"),
                                button("choice:1", "Nee", "nee")))),
    ("section.text_or_fields",
     lambda: in_message({"type": "section"}),
     lambda: in_message({"type": "section", "fields": [mrkdwn("a")]})),
    ("section.text.max_length",
     lambda: in_message(section("x" * 3001)),
     lambda: in_message(section("x" * 3000))),
    ("text.text.min_length",
     lambda: in_message(section("")),
     lambda: in_message(section("x"))),
    ("section.fields.max_items",
     lambda: in_message({"type": "section", "fields": [mrkdwn("a")] * 11}),
     lambda: in_message({"type": "section", "fields": [mrkdwn("a")] * 10})),
    ("section.fields.max_length",
     lambda: in_message({"type": "section", "fields": [mrkdwn("a" * 2001)]}),
     lambda: in_message({"type": "section", "fields": [mrkdwn("a" * 2000)]})),
    ("actions.elements.max_items",
     lambda: in_message(actions(*[button(f"b{n}") for n in range(26)])),
     lambda: in_message(actions(*[button(f"b{n}") for n in range(25)]))),
    ("actions.elements.min_items",
     lambda: in_message(actions()),
     lambda: in_message(actions(button()))),
    ("context.elements.max_items",
     lambda: in_message({"type": "context", "elements": [mrkdwn("a")] * 11}),
     lambda: in_message({"type": "context", "elements": [mrkdwn("a")] * 10})),
    ("context.elements.type",
     lambda: in_message({"type": "context", "elements": [button()]}),
     lambda: in_message({"type": "context", "elements": [
         {"type": "image", "image_url": "https://example.org/a.png", "alt_text": "a"}]})),
    ("header.text.max_length",
     lambda: in_message({"type": "header", "text": plain("h" * 151)}),
     lambda: in_message({"type": "header", "text": plain("h" * 150)})),
    ("header.text.plain_text",
     lambda: in_message({"type": "header", "text": mrkdwn("*h*")}),
     lambda: in_message({"type": "header", "text": plain("h")})),
    ("button.text.max_length",
     lambda: in_message(actions(button(label="b" * 76))),
     lambda: in_message(actions(button(label="b" * 75)))),
    ("button.text.plain_text",
     lambda: in_message(actions({**button(), "text": mrkdwn("*OK*")})),
     lambda: in_message(actions(button()))),
    ("button.value.max_length",
     lambda: in_message(actions(button(value="v" * 2001))),
     lambda: in_message(actions(button(value="v" * 2000)))),
    ("button.url.max_length",
     lambda: in_message(actions({**button(), "url": "https://e.org/" + "u" * 2987})),
     lambda: in_message(actions({**button(), "url": "https://e.org/" + "u" * 2986}))),
    ("button.style",
     lambda: in_message(actions({**button(), "style": "success"})),
     lambda: in_message(actions({**button(), "style": "danger"}))),
    ("option.text.max_length",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [option("a", "o" * 76)]})),
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [option("a", "o" * 75)]}))),
    ("option.value.max_length",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [option("v" * 151, "a")]})),
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [option("v" * 150, "a")]}))),
    ("option.value.unique",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [option("a"), option("a")]})),
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [option("a"), option("b")]}))),
    ("option.text.plain_text",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [{"text": mrkdwn("*a*"), "value": "a"}]})),
     lambda: in_message(actions({"type": "checkboxes", "action_id": "s",
                                 "options": [{"text": mrkdwn("*a*"), "value": "a"}]}))),
    ("option.url.overflow_only",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": [{**option("a"), "url": "https://e.org"}]})),
     lambda: in_message(actions({"type": "overflow", "action_id": "s", "options": [
         {**option("a"), "url": "https://e.org"}, option("b")]}))),
    ("static_select.options.max_items",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": options(101)})),
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "options": options(100)}))),
    ("multi_static_select.options.max_items",
     lambda: in_message(with_accessory({"type": "multi_static_select", "action_id": "m",
                                        "options": options(101)})),
     lambda: in_message(with_accessory({"type": "multi_static_select", "action_id": "m",
                                        "options": options(100)}))),
    ("static_select.options_or_groups",
     lambda: in_message(actions({"type": "static_select", "action_id": "s"})),
     lambda: in_message(actions({"type": "static_select", "action_id": "s", "option_groups": [
         {"label": plain("Groep"), "options": options(2)}]}))),
    ("checkboxes.options.max_items",
     lambda: in_message(actions({"type": "checkboxes", "action_id": "c",
                                 "options": options(11)})),
     lambda: in_message(actions({"type": "checkboxes", "action_id": "c",
                                 "options": options(10)}))),
    ("radio_buttons.options.max_items",
     lambda: in_message(actions({"type": "radio_buttons", "action_id": "r",
                                 "options": options(11)})),
     lambda: in_message(actions({"type": "radio_buttons", "action_id": "r",
                                 "options": options(10)}))),
    ("overflow.options.max_items",
     lambda: in_message(actions({"type": "overflow", "action_id": "o", "options": options(6)})),
     lambda: in_message(actions({"type": "overflow", "action_id": "o", "options": options(5)}))),
    ("overflow.options.min_items",
     lambda: in_message(actions({"type": "overflow", "action_id": "o", "options": options(1)})),
     lambda: in_message(actions({"type": "overflow", "action_id": "o", "options": options(2)}))),
    ("initial_option.match",
     lambda: in_message(actions({"type": "checkboxes", "action_id": "c", "options": options(2),
                                 "initial_options": [option("zz")]})),
     lambda: in_message(actions({"type": "checkboxes", "action_id": "c", "options": options(2),
                                 "initial_options": [option("o1")]}))),
    ("placeholder.max_length",
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "placeholder": plain("p" * 151), "options": options(2)})),
     lambda: in_message(actions({"type": "static_select", "action_id": "s",
                                 "placeholder": plain("p" * 150), "options": options(2)}))),
    ("element.block",  # multi-select menus work with section and input, not actions
     lambda: in_message(actions({"type": "multi_static_select", "action_id": "m",
                                 "options": options(2)})),
     lambda: in_message(with_accessory({"type": "multi_static_select", "action_id": "m",
                                        "options": options(2)}))),
    ("element.block",  # a plain-text input only sits in an input block
     lambda: in_modal(actions({"type": "plain_text_input", "action_id": "v"})),
     lambda: in_modal(input_block())),
    ("element.block",  # an overflow menu: section and actions, not input
     lambda: in_modal(input_block({"type": "overflow", "action_id": "o",
                                   "options": options(2)})),
     lambda: in_modal(input_block({"type": "checkboxes", "action_id": "c",
                                   "options": options(2)}))),
    ("element.surface",
     lambda: in_message(input_block({"type": "email_text_input", "action_id": "e"})),
     lambda: in_modal(input_block({"type": "email_text_input", "action_id": "e"}))),
    ("element.type.unknown",
     lambda: in_message(actions({"type": "slider", "action_id": "s"})),
     lambda: in_message(actions({"type": "datepicker", "action_id": "s"}))),
    ("plain_text_input.max_length.range",
     lambda: in_modal(input_block({"type": "plain_text_input", "max_length": 3001})),
     lambda: in_modal(input_block({"type": "plain_text_input", "max_length": 3000}))),
    ("plain_text_input.min_length.range",
     lambda: in_modal(input_block({"type": "plain_text_input", "min_length": -1})),
     lambda: in_modal(input_block({"type": "plain_text_input", "min_length": 0}))),
    ("input.label.max_length",
     lambda: in_modal(input_block(label=plain("l" * 2001))),
     lambda: in_modal(input_block(label=plain("l" * 2000)))),
    ("input.hint.max_length",
     lambda: in_modal(input_block(hint=plain("h" * 2001))),
     lambda: in_modal(input_block(hint=plain("h" * 2000)))),
    ("input.element.required",
     lambda: in_modal({"type": "input", "label": plain("l")}),
     lambda: in_modal(input_block())),
    ("image.alt_text.max_length",
     lambda: in_message({"type": "image", "image_url": "https://e.org/a.png",
                         "alt_text": "a" * 2001}),
     lambda: in_message({"type": "image", "image_url": "https://e.org/a.png",
                         "alt_text": "a" * 2000})),
    ("image.image_url.max_length",
     lambda: in_message({"type": "image", "image_url": "https://e.org/" + "a" * 2987,
                         "alt_text": "a"}),
     lambda: in_message({"type": "image", "image_url": "https://e.org/" + "a" * 2986,
                         "alt_text": "a"})),
    ("text.type",
     lambda: in_message({"type": "section", "text": {"type": "markdown", "text": "x"}}),
     lambda: in_message({"type": "section", "text": {"type": "mrkdwn", "text": "x"}})),
    ("text.emoji",
     lambda: in_message({"type": "section", "text": {**mrkdwn("x"), "emoji": True}}),
     lambda: in_message({"type": "section", "text": {**plain("x"), "emoji": True}})),
    ("text.verbatim",
     lambda: in_message({"type": "section", "text": {**plain("x"), "verbatim": True}}),
     lambda: in_message({"type": "section", "text": {**mrkdwn("x"), "verbatim": True}})),
    ("confirm.title.max_length",
     lambda: in_message(actions({**button(), "confirm": {
         "title": plain("t" * 101), "text": plain("Zeker?"), "confirm": plain("Ja"),
         "deny": plain("Nee")}})),
     lambda: in_message(actions({**button(), "confirm": {
         "title": plain("t" * 100), "text": plain("Zeker?"), "confirm": plain("Ja"),
         "deny": plain("Nee")}}))),
    ("modal.title.max_length",
     lambda: in_modal(section(), title=plain("t" * 25)),
     lambda: in_modal(section(), title=plain("t" * 24))),
    ("modal.submit.max_length",
     lambda: in_modal(section(), submit=plain("s" * 25)),
     lambda: in_modal(section(), submit=plain("s" * 24))),
    ("modal.close.max_length",
     lambda: in_modal(section(), close=plain("c" * 25)),
     lambda: in_modal(section(), close=plain("c" * 24))),
    ("modal.title.plain_text",
     lambda: in_modal(section(), title=mrkdwn("*t*")),
     lambda: in_modal(section(), title=plain("t"))),
    ("modal.submit.required",
     lambda: check_view({"type": "modal", "title": plain("t"), "blocks": [input_block()]}),
     lambda: check_view({"type": "modal", "title": plain("t"), "blocks": [section()]})),
    ("view.private_metadata.max_length",
     lambda: in_modal(section(), private_metadata="m" * 3001),
     lambda: in_modal(section(), private_metadata="m" * 3000)),
    ("view.callback_id.max_length",
     lambda: in_modal(section(), callback_id="c" * 256),
     lambda: in_modal(section(), callback_id="c" * 255)),
    ("view.type",
     lambda: check_view({"type": "workflow_step", "blocks": []}),
     lambda: check_view({"type": "home", "blocks": []})),
]


@pytest.mark.parametrize(("rule", "breaks", "keeps"), CASES,
                         ids=[f"{rule}-{n}" for n, (rule, _, _) in enumerate(CASES)])
def test_each_rule_refuses_what_breaks_it_and_accepts_what_keeps_it(
        rule: str, breaks: Callable[[], list[Violation]],
        keeps: Callable[[], list[Violation]]) -> None:
    broken = breaks()
    assert rule in {v.rule for v in broken}, describe(broken)
    assert keeps() == [], describe(keeps())


def test_a_violation_names_its_rule_its_json_pointer_and_its_page() -> None:
    [violation] = in_message(section(), actions(button("x"), button("x")))
    assert violation.rule == "action_id.unique"
    assert violation.path == "/blocks/1/elements/1/action_id"
    assert violation.source.startswith("https://docs.slack.dev/reference/block-kit/")
    assert str(violation).endswith("[json-pointer:/blocks/1/elements/1/action_id]")


def test_block_ids_are_unique_across_the_whole_message_but_action_ids_only_per_block() -> None:
    two_rows = in_message(actions(button("pick"), block_id="a"),
                          actions(button("pick"), block_id="b"))
    assert two_rows == []
    same_block_id = in_message(actions(button("pick"), block_id="a"),
                               actions(button("pick"), block_id="a"))
    assert [v.rule for v in same_block_id] == ["block_id.unique"]


def test_a_missing_text_fallback_is_only_a_warning() -> None:
    [warning] = check_message({"channel": "D1", "blocks": [section()]})
    assert warning.rejected is False and warning.path == "/text"
    assert [v.rejected for v in in_message(section("x" * 3001))] == [True]


def test_calls_are_checked_by_method_with_pointers_into_their_parameters() -> None:
    view = modal(section(), title=plain("t" * 25))
    for method in ("views.open", "views.update", "views.push"):
        [violation] = check_call(method, {"trigger_id": "t", "view": view})
        assert violation.path == "/view/title/text"
    home = {"type": "home", "blocks": [actions(button("x"), button("x"))]}
    assert [v.path for v in check_call("views.publish", {"user_id": "U1", "view": home})] == [
        "/view/blocks/0/elements/1/action_id"]
    for method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        assert [v.rule for v in check_call(method, {"blocks": [section("")], "text": "t"})] == [
            "text.text.min_length"]
    assert check_call("users.info", {"user": "U1"}) == []


def test_a_message_without_blocks_is_not_checked_for_blocks() -> None:
    assert check_message({"channel": "D1", "text": "Hoi"}) == []
    assert check_blocks("not a list", "message")[0].rule == "blocks.type"


def test_documented_examples_pass() -> None:
    """Examples from Slack's reference pages themselves (shortened), so the checker accepts
    what Slack shows."""
    actions_example = {  # https://docs.slack.dev/reference/block-kit/blocks/actions-block
        "type": "actions", "block_id": "actions1", "elements": [
            {"type": "static_select", "placeholder": plain("Which witch is the witchiest witch?"),
             "action_id": "select_2", "options": [option("matilda", "Matilda"),
                                                  option("glinda", "Glinda")]},
            {"type": "button", "text": plain("Cancel"), "value": "cancel",
             "action_id": "button_1"}]}
    home_example = {  # https://docs.slack.dev/reference/views/home-tab-views
        "type": "home", "blocks": [
            {"type": "section", "text": mrkdwn("A stack of blocks for the sample Block Kit "
                                                "Home tab.")},
            {"type": "actions", "elements": [
                {"type": "button", "text": {**plain("Action A"), "emoji": True}},
                {"type": "button", "text": {**plain("Action B"), "emoji": True}}]}]}
    assert in_message(actions_example) == []
    assert check_view(copy.deepcopy(home_example)) == []
