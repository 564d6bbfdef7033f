"""Slack's Block Kit rules, checked on every message and view we send.

Why: our own mock accepted anything, so messages Slack refuses with `invalid_blocks` (one
repeated action_id in a row of buttons, a multi-select in an actions block) passed every test.
Slack publishes no JSON Schema for Block Kit; these rules are written from its reference pages,
each cited where it is encoded:

- blocks:               https://docs.slack.dev/reference/block-kit/blocks
- block elements:       https://docs.slack.dev/reference/block-kit/block-elements
- composition objects:  https://docs.slack.dev/reference/block-kit/composition-objects
- views (modal, Home):  https://docs.slack.dev/reference/views/modal-views ,
                        https://docs.slack.dev/reference/views/home-tab-views
- the `text` fallback:  https://docs.slack.dev/reference/methods/chat.postMessage

(The same pages live under https://api.slack.com/reference/block-kit/… .)

Every check returns a list of `Violation`s that name the rule and the JSON pointer of what
broke it, the way Slack's own answer does (`… [json-pointer:/blocks/1/text/text]`), never a
bare bool, so a failing test says what to fix. Free of pytest: tests/rigs/slack_mock.py and
bench/ import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MESSAGE_METHODS",
    "VIEW_METHODS",
    "Violation",
    "check_blocks",
    "check_call",
    "check_message",
    "check_view",
    "describe",
]

_REFERENCE = "https://docs.slack.dev/reference/block-kit"
BLOCKS_PAGE = f"{_REFERENCE}/blocks"
SECTION_PAGE = f"{_REFERENCE}/blocks/section-block"
ACTIONS_PAGE = f"{_REFERENCE}/blocks/actions-block"
CONTEXT_PAGE = f"{_REFERENCE}/blocks/context-block"
HEADER_PAGE = f"{_REFERENCE}/blocks/header-block"
INPUT_PAGE = f"{_REFERENCE}/blocks/input-block"
IMAGE_BLOCK_PAGE = f"{_REFERENCE}/blocks/image-block"
ELEMENTS_PAGE = f"{_REFERENCE}/block-elements"
BUTTON_PAGE = f"{_REFERENCE}/block-elements/button-element"
CHECKBOXES_PAGE = f"{_REFERENCE}/block-elements/checkboxes-element"
RADIO_PAGE = f"{_REFERENCE}/block-elements/radio-button-group-element"
OVERFLOW_PAGE = f"{_REFERENCE}/block-elements/overflow-menu-element"
SELECT_PAGE = f"{_REFERENCE}/block-elements/select-menu-element"
MULTI_SELECT_PAGE = f"{_REFERENCE}/block-elements/multi-select-menu-element"
TEXT_INPUT_PAGE = f"{_REFERENCE}/block-elements/plain-text-input-element"
IMAGE_ELEMENT_PAGE = f"{_REFERENCE}/block-elements/image-element"
TEXT_PAGE = f"{_REFERENCE}/composition-objects/text-object"
OPTION_PAGE = f"{_REFERENCE}/composition-objects/option-object"
OPTION_GROUP_PAGE = f"{_REFERENCE}/composition-objects/option-group-object"
CONFIRM_PAGE = f"{_REFERENCE}/composition-objects/confirmation-dialog-object"
MODAL_PAGE = "https://docs.slack.dev/reference/views/modal-views"
HOME_PAGE = "https://docs.slack.dev/reference/views/home-tab-views"
POST_MESSAGE_PAGE = "https://docs.slack.dev/reference/methods/chat.postMessage"

MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.publish", "views.push"})

# "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs."
# (BLOCKS_PAGE)
MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}

# Every id a block may carry: "Maximum length for this field is 255 characters. block_id
# should be unique for each message and each iteration of a message." (SECTION_PAGE and every
# other block page); an element's action_id: "Should be unique among all other action_ids in
# the containing block. Maximum length is 255 characters." (BUTTON_PAGE and every element page)
MAX_ID = 255

# The block types of the Blocks reference (BLOCKS_PAGE). Types not listed are refused.
KNOWN_BLOCKS = frozenset({
    "actions", "alert", "card", "carousel", "container", "context", "context_actions",
    "divider", "file", "header", "image", "input", "markdown", "plan", "rich_text",
    "section", "table", "task_card", "video",
})

_ALL = frozenset({"message", "modal", "home"})
_SELECTS = ("static_select", "external_select", "users_select", "conversations_select",
            "channels_select")
_MULTI_SELECTS = tuple(f"multi_{kind}" for kind in _SELECTS)


@dataclass(frozen=True)
class Placement:
    """Where an element may appear: the "Available in surfaces" and "Works with block types"
    columns of the elements table on ELEMENTS_PAGE."""

    surfaces: frozenset[str]
    blocks: frozenset[str]


def _placement(surfaces: frozenset[str], *blocks: str) -> Placement:
    return Placement(surfaces, frozenset(blocks))


# ELEMENTS_PAGE, "Element | Available in surfaces | Works with block types". Multi-select
# menus work with Section and Input only: not in an actions block.
PLACEMENTS: dict[str, Placement] = {
    "button": _placement(_ALL, "section", "actions"),
    "checkboxes": _placement(_ALL, "section", "actions", "input"),
    "datepicker": _placement(_ALL, "section", "actions", "input"),
    "datetimepicker": _placement(frozenset({"modal", "message"}), "actions", "input"),
    "email_text_input": _placement(frozenset({"modal"}), "input"),
    "file_input": _placement(frozenset({"modal"}), "input"),
    "image": _placement(_ALL, "section", "context"),
    **{kind: _placement(_ALL, "section", "input") for kind in _MULTI_SELECTS},
    "number_input": _placement(frozenset({"modal"}), "input"),
    "overflow": _placement(_ALL, "section", "actions"),
    "plain_text_input": _placement(_ALL, "input"),
    "radio_buttons": _placement(_ALL, "section", "actions", "input"),
    "rich_text_input": _placement(frozenset({"modal", "home"}), "input"),
    **{kind: _placement(_ALL, "section", "actions", "input") for kind in _SELECTS},
    "timepicker": _placement(_ALL, "section", "actions", "input"),
    "url_text_input": _placement(frozenset({"modal"}), "input"),
    "workflow_button": _placement(frozenset({"message"}), "section", "actions"),
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, where (a JSON pointer into the call's parameters), what,
    and the page that states the rule. `rejected` is False for what Slack only warns about."""

    rule: str
    path: str
    message: str
    source: str
    rejected: bool = True

    def __str__(self) -> str:
        return f"{self.message} [json-pointer:{self.path}]"


def describe(violations: list[Violation]) -> str:
    """Violations as lines for an assertion message: rule, pointer, what, where it is
    written."""
    return "\n".join(f"{v.rule} at {v.path}: {v.message} ({v.source})" for v in violations)


def check_call(method: str, params: Mapping[str, Any]) -> list[Violation]:
    """The violations in one Web API call's parameters; [] for methods without blocks."""
    if method in MESSAGE_METHODS:
        return check_message(params)
    if method in VIEW_METHODS:
        view = params.get("view")
        if isinstance(view, Mapping):
            return check_view(view, "/view")
    return []


def check_message(params: Mapping[str, Any]) -> list[Violation]:
    """A chat.postMessage / chat.update / chat.postEphemeral call: its blocks and its `text`.

    POST_MESSAGE_PAGE: when blocks are used, `text` "will be used as fallback text for
    notifications only", and Slack highly recommends including it (screen readers read it,
    not the blocks). Slack only warns when it is missing; we count it anyway."""
    blocks = params.get("blocks")
    if blocks is None or isinstance(blocks, str):
        return []  # no blocks, or not JSON (the mock answers invalid_blocks_format)
    found = check_blocks(blocks, "message", "/blocks")
    if not str(params.get("text") or "").strip():
        found.append(Violation(
            "message.text.fallback", "/text",
            "a message with blocks needs a top-level `text` fallback for notifications and "
            "screen readers", POST_MESSAGE_PAGE, rejected=False))
    return found


def check_view(view: Mapping[str, Any], root: str = "") -> list[Violation]:
    """A modal (views.open/update/push) or a Home tab (views.publish)."""
    checker = _Checker("modal")
    kind = view.get("type")
    if kind == "home":
        checker.surface, page = "home", HOME_PAGE
    elif kind == "modal":
        page = MODAL_PAGE
    else:
        checker.add("view.type", f"{root}/type", f"unknown view type {kind!r}", MODAL_PAGE)
        return checker.found
    if kind == "modal":
        # MODAL_PAGE: title "Must be a plain_text text element with a max length of 24
        # characters" (required); close and submit "Max length of 24 characters".
        if "title" not in view:
            checker.add("modal.title.required", f"{root}/title", "a modal needs a title",
                        MODAL_PAGE)
        for name in ("title", "submit", "close"):
            if name in view:
                checker.text(view[name], f"{root}/{name}", f"modal.{name}", 24, MODAL_PAGE,
                             plain_only=True)
    # MODAL_PAGE and HOME_PAGE: private_metadata "Max length of 3000 characters",
    # callback_id "Max length of 255 characters".
    checker.string(view.get("private_metadata"), f"{root}/private_metadata",
                   "view.private_metadata", 3000, page)
    checker.string(view.get("callback_id"), f"{root}/callback_id", "view.callback_id",
                   MAX_ID, page)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        checker.add("view.blocks.required", f"{root}/blocks", "a view needs a blocks array",
                    page)
        return checker.found
    checker.blocks(blocks, f"{root}/blocks")
    if kind == "modal" and "submit" not in view and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks):
        # MODAL_PAGE: "submit is required when an input block is within the blocks array".
        checker.add("modal.submit.required", f"{root}/submit",
                    "a modal with input blocks needs a submit button", MODAL_PAGE)
    return checker.found


def check_blocks(blocks: Any, surface: str, root: str = "/blocks") -> list[Violation]:
    """A blocks array on a surface ("message", "modal" or "home")."""
    checker = _Checker(surface)
    if not isinstance(blocks, list):
        checker.add("blocks.type", root, "blocks must be an array", BLOCKS_PAGE)
    else:
        checker.blocks(blocks, root)
    return checker.found


class _Checker:
    """Walks one message or view, collecting violations; remembers the block_ids seen, which
    must be unique within the message or view."""

    def __init__(self, surface: str) -> None:
        self.surface = surface
        self.found: list[Violation] = []
        self.block_ids: dict[str, str] = {}

    def add(self, rule: str, path: str, message: str, source: str) -> None:
        self.found.append(Violation(rule, path, message, source))

    # -- plain values -------------------------------------------------------------------

    def string(self, value: Any, path: str, rule: str, limit: int, source: str, *,
               required: bool = False) -> None:
        """An optional (or `required`) string of at most `limit` characters."""
        if value is None:
            if required:
                self.add(f"{rule}.required", path, "is required", source)
            return
        if not isinstance(value, str):
            self.add(f"{rule}.type", path, f"must be a string, not {type(value).__name__}",
                     source)
        elif len(value) > limit:
            self.add(f"{rule}.max_length", path,
                     f"has {len(value)} characters; at most {limit} are allowed", source)

    def count(self, items: Any, path: str, rule: str, low: int, high: int,
              source: str) -> list[Any]:
        """An array of `low`..`high` items; returns the items (or [] if not an array)."""
        if not isinstance(items, list):
            self.add(f"{rule}.type", path, "must be an array", source)
            return []
        if len(items) < low:
            self.add(f"{rule}.min_items", path,
                     f"has {len(items)} items; at least {low} are needed", source)
        if len(items) > high:
            self.add(f"{rule}.max_items", path,
                     f"has {len(items)} items; at most {high} are allowed", source)
        return items

    # -- composition objects ------------------------------------------------------------

    def text(self, obj: Any, path: str, rule: str, limit: int, source: str, *,
             plain_only: bool = False) -> None:
        """A text object. TEXT_PAGE: type "Can be one of plain_text or mrkdwn"; text "The
        minimum length is 1 and maximum length is 3000 characters"; emoji "only usable when
        type is plain_text"; verbatim "only usable when type is mrkdwn". The field's own page
        may lower the limit and demand plain_text (`source`)."""
        if not isinstance(obj, Mapping):
            self.add(f"{rule}.type", path, "must be a text object", source)
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn"):
            self.add("text.type", f"{path}/type",
                     f"text type must be plain_text or mrkdwn, not {kind!r}", TEXT_PAGE)
        elif plain_only and kind != "plain_text":
            self.add(f"{rule}.plain_text", f"{path}/type", "must be a plain_text object",
                     source)
        if "emoji" in obj and kind != "plain_text":
            self.add("text.emoji", f"{path}/emoji", "emoji is only usable on plain_text",
                     TEXT_PAGE)
        if "verbatim" in obj and kind != "mrkdwn":
            self.add("text.verbatim", f"{path}/verbatim", "verbatim is only usable on mrkdwn",
                     TEXT_PAGE)
        value = obj.get("text")
        if not isinstance(value, str):
            self.add("text.text.type", f"{path}/text", "a text object needs a text string",
                     TEXT_PAGE)
        elif not value:
            self.add("text.text.min_length", f"{path}/text",
                     "must be at least 1 character", TEXT_PAGE)
        elif len(value) > min(limit, 3000):
            page = source if limit < 3000 else TEXT_PAGE
            self.add(f"{rule}.max_length", f"{path}/text",
                     f"has {len(value)} characters; at most {min(limit, 3000)} are allowed",
                     page)

    def options(self, options: Any, path: str, kind: str, low: int, high: int,
                source: str) -> set[str]:
        """An element's options; returns their values. OPTION_PAGE: text "Maximum length …
        75 characters", only plain_text in "Overflow, select, and multi-select menus"
        (radio buttons and checkboxes may use mrkdwn); value "A unique string value …
        Maximum length for this field is 150 characters"; description 75; url "only
        available in overflow menus. Maximum length … 3000 characters"."""
        values: set[str] = set()
        mrkdwn_ok = kind in ("checkboxes", "radio_buttons")
        for index, option in enumerate(self.count(options, path, f"{kind}.options", low, high,
                                                  source)):
            here = f"{path}/{index}"
            if not isinstance(option, Mapping):
                self.add("option.type", here, "an option must be an object", OPTION_PAGE)
                continue
            self.text(option.get("text"), f"{here}/text", "option.text", 75, OPTION_PAGE,
                      plain_only=not mrkdwn_ok)
            if "description" in option:
                self.text(option["description"], f"{here}/description", "option.description",
                          75, OPTION_PAGE, plain_only=not mrkdwn_ok)
            value = option.get("value")
            self.string(value, f"{here}/value", "option.value", 150, OPTION_PAGE,
                        required=True)
            if isinstance(value, str):
                if value in values:
                    self.add("option.value.unique", f"{here}/value",
                             f"option value {value!r} is used twice", OPTION_PAGE)
                values.add(value)
            if "url" in option:
                if kind != "overflow":
                    self.add("option.url.overflow_only", f"{here}/url",
                             "an option url is only available in overflow menus", OPTION_PAGE)
                self.string(option["url"], f"{here}/url", "option.url", 3000, OPTION_PAGE)
        return values

    def option_groups(self, groups: Any, path: str, kind: str) -> set[str]:
        """OPTION_GROUP_PAGE: "a maximum number of 100 option groups"; label plain_text, 75
        characters; options "Maximum of 100 items"."""
        values: set[str] = set()
        for index, group in enumerate(self.count(groups, path, f"{kind}.option_groups", 1, 100,
                                                 OPTION_GROUP_PAGE)):
            here = f"{path}/{index}"
            if not isinstance(group, Mapping):
                self.add("option_group.type", here, "an option group must be an object",
                         OPTION_GROUP_PAGE)
                continue
            self.text(group.get("label"), f"{here}/label", "option_group.label", 75,
                      OPTION_GROUP_PAGE, plain_only=True)
            values |= self.options(group.get("options"), f"{here}/options", kind, 1, 100,
                                   OPTION_GROUP_PAGE)
        return values

    def chosen(self, element: Mapping[str, Any], path: str, values: set[str],
               source: str) -> None:
        """initial_option(s): "exactly matches one [or more] of the options" (SELECT_PAGE,
        CHECKBOXES_PAGE, RADIO_PAGE, MULTI_SELECT_PAGE)."""
        picked: list[tuple[str, Any]] = []
        if "initial_option" in element:
            picked.append((f"{path}/initial_option", element["initial_option"]))
        if "initial_options" in element:
            initial = element["initial_options"]
            if not isinstance(initial, list):
                self.add("initial_options.type", f"{path}/initial_options", "must be an array",
                         source)
            else:
                picked += [(f"{path}/initial_options/{n}", o) for n, o in enumerate(initial)]
        for here, option in picked:
            value = option.get("value") if isinstance(option, Mapping) else None
            if value not in values:
                self.add("initial_option.match", here,
                         f"initial option {value!r} is not one of the element's options", source)

    def confirm(self, obj: Any, path: str) -> None:
        """CONFIRM_PAGE: title 100, text 300, confirm 30, deny 30 characters, all
        required."""
        if not isinstance(obj, Mapping):
            self.add("confirm.type", path, "a confirm must be an object", CONFIRM_PAGE)
            return
        for name, limit in (("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)):
            if name not in obj:
                self.add(f"confirm.{name}.required", f"{path}/{name}", "is required",
                         CONFIRM_PAGE)
            else:
                self.text(obj[name], f"{path}/{name}", f"confirm.{name}", limit, CONFIRM_PAGE,
                          plain_only=name != "text")

    # -- blocks -------------------------------------------------------------------------

    def blocks(self, blocks: list[Any], path: str) -> None:
        limit = MAX_BLOCKS[self.surface]
        if len(blocks) > limit:
            self.add(f"{self.surface}.blocks.max_items", path,
                     f"has {len(blocks)} blocks; a {self.surface} takes at most {limit}",
                     BLOCKS_PAGE)
        for index, block in enumerate(blocks):
            self.block(block, f"{path}/{index}")

    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, Mapping):
            self.add("block.type", path, "a block must be an object", BLOCKS_PAGE)
            return
        kind = block.get("type")
        if kind not in KNOWN_BLOCKS:
            self.add("block.type.unknown", f"{path}/type", f"unknown block type {kind!r}",
                     BLOCKS_PAGE)
            return
        if "block_id" in block:
            block_id = block["block_id"]
            self.string(block_id, f"{path}/block_id", "block_id", MAX_ID, SECTION_PAGE)
            if isinstance(block_id, str):
                if block_id in self.block_ids:
                    self.add("block_id.unique", f"{path}/block_id",
                             f"block_id {block_id!r} is also used at "
                             f"{self.block_ids[block_id]}; it must be unique in a "
                             f"{self.surface}", SECTION_PAGE)
                else:
                    self.block_ids[block_id] = f"{path}/block_id"
        check = getattr(self, f"_{kind}", None)
        if check is not None:
            check(block, path)

    def _section(self, block: Mapping[str, Any], path: str) -> None:
        """SECTION_PAGE: text "Minimum length … 1 and maximum length is 3000 characters. This
        field is not required if a valid array of fields objects is provided instead"; fields
        "Maximum number of items is 10. Maximum length for the text in each item is 2000
        characters"; accessory "One of the compatible element objects"."""
        if "text" not in block and not block.get("fields"):
            self.add("section.text_or_fields", path, "a section needs text or fields",
                     SECTION_PAGE)
        if "text" in block:
            self.text(block["text"], f"{path}/text", "section.text", 3000, SECTION_PAGE)
        if "fields" in block:
            for index, field in enumerate(self.count(block["fields"], f"{path}/fields",
                                                     "section.fields", 1, 10, SECTION_PAGE)):
                self.text(field, f"{path}/fields/{index}", "section.fields", 2000,
                          SECTION_PAGE)
        if "accessory" in block:
            self.element(block["accessory"], f"{path}/accessory", "section", {})

    def _actions(self, block: Mapping[str, Any], path: str) -> None:
        """ACTIONS_PAGE: "An array of interactive element objects … There is a maximum of 25
        elements in each action block." (required)."""
        action_ids: dict[str, str] = {}
        for index, element in enumerate(self.count(block.get("elements"), f"{path}/elements",
                                                   "actions.elements", 1, 25, ACTIONS_PAGE)):
            self.element(element, f"{path}/elements/{index}", "actions", action_ids)

    def _context(self, block: Mapping[str, Any], path: str) -> None:
        """CONTEXT_PAGE: elements "An array of image elements and text objects. Maximum
        number of items is 10." (required)."""
        for index, element in enumerate(self.count(block.get("elements"), f"{path}/elements",
                                                   "context.elements", 1, 10, CONTEXT_PAGE)):
            here = f"{path}/elements/{index}"
            kind = element.get("type") if isinstance(element, Mapping) else None
            if kind in ("plain_text", "mrkdwn"):
                self.text(element, here, "context.text", 3000, CONTEXT_PAGE)
            elif kind == "image":
                self.element(element, here, "context", {})
            else:
                self.add("context.elements.type", here,
                         f"a context holds images and text objects, not {kind!r}",
                         CONTEXT_PAGE)

    def _header(self, block: Mapping[str, Any], path: str) -> None:
        """HEADER_PAGE: text "in the form of a plain_text text object. Maximum length for the
        text in this field is 150 characters." (required)."""
        self.text(block.get("text"), f"{path}/text", "header.text", 150, HEADER_PAGE,
                  plain_only=True)

    def _input(self, block: Mapping[str, Any], path: str) -> None:
        """INPUT_PAGE: label "must have type of plain_text. Maximum length … 2000 characters"
        (required); element (required); hint plain_text, 2000 characters."""
        self.text(block.get("label"), f"{path}/label", "input.label", 2000, INPUT_PAGE,
                  plain_only=True)
        if "hint" in block:
            self.text(block["hint"], f"{path}/hint", "input.hint", 2000, INPUT_PAGE,
                      plain_only=True)
        if "element" not in block:
            self.add("input.element.required", f"{path}/element", "an input needs an element",
                     INPUT_PAGE)
        else:
            self.element(block["element"], f"{path}/element", "input", {})

    def _image(self, block: Mapping[str, Any], path: str) -> None:
        """IMAGE_BLOCK_PAGE: alt_text 2000 (required), image_url 3000 (or slack_file), title
        plain_text 2000."""
        self.string(block.get("alt_text"), f"{path}/alt_text", "image.alt_text", 2000,
                    IMAGE_BLOCK_PAGE, required=True)
        if "image_url" not in block and "slack_file" not in block:
            self.add("image.source.required", path, "an image needs image_url or slack_file",
                     IMAGE_BLOCK_PAGE)
        self.string(block.get("image_url"), f"{path}/image_url", "image.image_url", 3000,
                    IMAGE_BLOCK_PAGE)
        if "title" in block:
            self.text(block["title"], f"{path}/title", "image.title", 2000, IMAGE_BLOCK_PAGE,
                      plain_only=True)

    # -- elements -----------------------------------------------------------------------

    def element(self, element: Any, path: str, block: str, action_ids: dict[str, str]) -> None:
        """One element in a block of type `block`; `action_ids` are those already used in the
        same block."""
        if not isinstance(element, Mapping):
            self.add("element.type", path, "an element must be an object", ELEMENTS_PAGE)
            return
        kind = str(element.get("type"))
        placement = PLACEMENTS.get(kind)
        if placement is None:
            self.add("element.type.unknown", f"{path}/type", f"unknown element type {kind!r}",
                     ELEMENTS_PAGE)
            return
        if block not in placement.blocks:
            self.add("element.block", f"{path}/type",
                     f"a {kind} does not work in a {block} block (only in "
                     f"{', '.join(sorted(placement.blocks))})", ELEMENTS_PAGE)
        if self.surface not in placement.surfaces:
            self.add("element.surface", f"{path}/type",
                     f"a {kind} is not available in a {self.surface}", ELEMENTS_PAGE)
        if "action_id" in element:
            action_id = element["action_id"]
            self.string(action_id, f"{path}/action_id", "action_id", MAX_ID, BUTTON_PAGE)
            if isinstance(action_id, str):
                if action_id in action_ids:
                    self.add("action_id.unique", f"{path}/action_id",
                             f"action_id {action_id!r} is also used at {action_ids[action_id]};"
                             " it must be unique in its block", BUTTON_PAGE)
                else:
                    action_ids[action_id] = f"{path}/action_id"
        if "confirm" in element:
            self.confirm(element["confirm"], f"{path}/confirm")
        check = getattr(self, f"_element_{kind}", None)
        if check is not None:
            check(element, path)
        elif kind in _SELECTS or kind in _MULTI_SELECTS:
            self._menu(element, path, kind)

    def _element_button(self, element: Mapping[str, Any], path: str) -> None:
        """BUTTON_PAGE: text "Can only be of type: plain_text … Maximum length … 75
        characters" (required); url 3000; value 2000; style primary or danger."""
        self.text(element.get("text"), f"{path}/text", "button.text", 75, BUTTON_PAGE,
                  plain_only=True)
        self.string(element.get("value"), f"{path}/value", "button.value", 2000, BUTTON_PAGE)
        self.string(element.get("url"), f"{path}/url", "button.url", 3000, BUTTON_PAGE)
        if "style" in element and element["style"] not in ("primary", "danger"):
            self.add("button.style", f"{path}/style",
                     f"style must be primary or danger, not {element['style']!r}", BUTTON_PAGE)

    def _element_checkboxes(self, element: Mapping[str, Any], path: str) -> None:
        """CHECKBOXES_PAGE: options "A maximum of 10 options are allowed" (required)."""
        values = self.options(element.get("options"), f"{path}/options", "checkboxes", 1, 10,
                              CHECKBOXES_PAGE)
        self.chosen(element, path, values, CHECKBOXES_PAGE)

    def _element_radio_buttons(self, element: Mapping[str, Any], path: str) -> None:
        """RADIO_PAGE: options "A maximum of 10 options are allowed" (required)."""
        values = self.options(element.get("options"), f"{path}/options", "radio_buttons", 1,
                              10, RADIO_PAGE)
        self.chosen(element, path, values, RADIO_PAGE)

    def _element_overflow(self, element: Mapping[str, Any], path: str) -> None:
        """OVERFLOW_PAGE: options "An array of up to five option objects" (the earlier
        reference: "Maximum number of options is 5, minimum is 2")."""
        self.options(element.get("options"), f"{path}/options", "overflow", 2, 5,
                     OVERFLOW_PAGE)

    def _element_plain_text_input(self, element: Mapping[str, Any], path: str) -> None:
        """TEXT_INPUT_PAGE: min_length "between 0 and 3000, inclusive", max_length "between 1
        and 3000, inclusive", placeholder plain_text 150."""
        for name, low in (("min_length", 0), ("max_length", 1)):
            if name in element:
                value = element[name]
                if not isinstance(value, int) or isinstance(value, bool) or not (
                        low <= value <= 3000):
                    self.add(f"plain_text_input.{name}.range", f"{path}/{name}",
                             f"{name} must be between {low} and 3000, not {value!r}",
                             TEXT_INPUT_PAGE)
        self._placeholder(element, path, TEXT_INPUT_PAGE)

    def _element_image(self, element: Mapping[str, Any], path: str) -> None:
        """IMAGE_ELEMENT_PAGE: alt_text (required), image_url 3000 (or slack_file)."""
        self.string(element.get("alt_text"), f"{path}/alt_text", "image.alt_text", 2000,
                    IMAGE_ELEMENT_PAGE, required=True)
        self.string(element.get("image_url"), f"{path}/image_url", "image.image_url", 3000,
                    IMAGE_ELEMENT_PAGE)

    def _menu(self, element: Mapping[str, Any], path: str, kind: str) -> None:
        """SELECT_PAGE / MULTI_SELECT_PAGE: static menus have options ("Maximum number of
        options is 100") or option_groups (100), not both; placeholder "plain_text only …
        Maximum length … 150 characters"; max_selected_items "Minimum number is 1"."""
        source = MULTI_SELECT_PAGE if kind.startswith("multi_") else SELECT_PAGE
        self._placeholder(element, path, source)
        if kind.endswith("static_select"):
            has_options, has_groups = "options" in element, "option_groups" in element
            if has_options == has_groups:
                self.add(f"{kind}.options_or_groups", path,
                         "a static menu needs either options or option_groups", source)
            values: set[str] = set()
            if has_options:
                values = self.options(element["options"], f"{path}/options", kind, 1, 100,
                                      source)
            if has_groups:
                values |= self.option_groups(element["option_groups"],
                                             f"{path}/option_groups", kind)
            self.chosen(element, path, values, source)
        if "max_selected_items" in element:
            value = element["max_selected_items"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                self.add(f"{kind}.max_selected_items", f"{path}/max_selected_items",
                         f"must be at least 1, not {value!r}", source)

    def _placeholder(self, element: Mapping[str, Any], path: str, source: str) -> None:
        if "placeholder" in element:
            self.text(element["placeholder"], f"{path}/placeholder", "placeholder", 150, source,
                      plain_only=True)
