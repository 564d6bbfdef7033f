"""What Microsoft Teams accepts from a bot, checked the way Teams would: every Adaptive Card
against the official Adaptive Cards 1.5 JSON Schema plus the limits Teams documents.

Why: our own mocks accept anything, so a card Teams would refuse or render wrongly passed
every test. The fake Bot Connector (tests/rigs/teams_connector.py) runs `check_activity` on every
activity it is sent or asked to update, so every test of the suite is checked.

Rules, each with the page it comes from:

- `schema`: each `application/vnd.microsoft.card.adaptive` attachment is valid against
  schemas/adaptive-card-1.5.0.json (microsoft/AdaptiveCards, MIT; a draft-06 schema, so the
  draft-06 validator), with Teams' own root property `msteams` taken out first.
- `msteams`: the root `msteams` property is an object with only what Teams documents for the
  card root: `width` ("Full") and `entities` (mentions in the card).
  https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format
- `message-size`: one activity is at most 28 KB (28,672 bytes of its JSON). Teams answers a
  larger one with 413 RequestEntityTooLarge, error code `MessageSizeTooBig`. The published
  figure has changed over time (28 KB, later 40 KB and 100 KB); the strictest one is kept.
  https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages
- `actions-per-card`: at most 6 actions in a card's (or an ActionSet's) `actions`: "include
  1-3 primary actions. You can have up to six."
  https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/design-effective-cards
- `input-text-max-length`: every `Input.Text` says how much it takes (`maxLength`, a whole
  number from 1 up to what fits in one message) and a pre-filled `value` is not longer:
  `maxLength` is the client's "maximum length characters to collect", so without it a person
  can type more than the coach keeps, and a longer `value` would be cut by the client.
  https://learn.microsoft.com/en-us/adaptive-cards/schema-explorer/input-text
- `card-summary`: a message whose only content is attachments carries `summary` (or
  `text`): the activity schema's "text used to replace attachments on channels that do not
  support them", which Teams shows in notifications and the chat list instead of "Card".
  https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md#summary

Free of pytest: the fake connector (and the benchmarks through it) import this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError, best_match

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA_PATH = Path(__file__).with_name("schemas") / "adaptive-card-1.5.0.json"
MAX_MESSAGE_BYTES = 28 * 1024
MAX_ACTIONS = 6
MSTEAMS_ROOT_KEYS = frozenset({"width", "entities"})
MSTEAMS_WIDTHS = frozenset({"Full"})


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which (`rule`), where (`path`, a JSONPath into the activity), why."""

    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} at {self.path}: {self.message}"


@cache
def _validator() -> Draft6Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    draft = schema.get("$schema", "")
    if "draft-06" not in draft:  # the validator must match the schema's own draft
        raise RuntimeError(f"{SCHEMA_PATH.name} is {draft!r}, not draft-06")
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def message_size(activity: Any) -> int:
    """Bytes of the activity as JSON (compact, UTF-8): what the size limit is measured on."""
    return len(json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode())


def check_activity(activity: Any, path: str = "$") -> list[Violation]:
    """Every rule above, for one activity as the bot sends it (a dict)."""
    if not isinstance(activity, Mapping):
        return []
    found: list[Violation] = []
    size = message_size(activity)
    if size > MAX_MESSAGE_BYTES:
        found.append(Violation("message-size", path,
                               f"{size} bytes, more than Teams' {MAX_MESSAGE_BYTES}"))
    attachments = activity.get("attachments")
    attachments = attachments if isinstance(attachments, list) else []
    for index, attachment in enumerate(attachments):
        if isinstance(attachment, Mapping) and attachment.get("contentType") == ADAPTIVE_CARD:
            found += check_card(attachment.get("content"),
                                f"{path}.attachments[{index}].content")
    if (activity.get("type", "message") == "message" and attachments
            and not _said(activity.get("text")) and not _said(activity.get("summary"))):
        found.append(Violation("card-summary", path,
                               "a card-only message needs a summary (or text) for "
                               "notifications and the chat list"))
    return found


def check_card(card: Any, path: str = "$") -> list[Violation]:
    """The schema, the `msteams` root property and Teams' limits, for one card."""
    if not isinstance(card, Mapping):
        return [Violation("schema", path, "an Adaptive Card attachment needs a card object")]
    found = _check_msteams(card.get("msteams"), f"{path}.msteams") if "msteams" in card else []
    plain = {key: value for key, value in card.items() if key != "msteams"}
    found += [_schema_violation(error, path) for error in _validator().iter_errors(plain)]
    found += list(_check_actions(card, path))
    found += list(_check_text_inputs(card, path))
    return found


def _said(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _schema_violation(error: ValidationError, path: str) -> Violation:
    deepest = best_match([error, *error.context]) if error.context else error
    where = path + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                           for p in deepest.absolute_path)
    return Violation("schema", where, deepest.message[:300])


def _check_msteams(msteams: Any, path: str) -> list[Violation]:
    if not isinstance(msteams, Mapping):
        return [Violation("msteams", path, "msteams must be an object")]
    found = [Violation("msteams", f"{path}.{key}", "not a documented msteams property")
             for key in msteams if key not in MSTEAMS_ROOT_KEYS]
    if "width" in msteams and msteams["width"] not in MSTEAMS_WIDTHS:
        found.append(Violation("msteams", f"{path}.width",
                               f"width must be one of {sorted(MSTEAMS_WIDTHS)}"))
    if "entities" in msteams and not isinstance(msteams["entities"], list):
        found.append(Violation("msteams", f"{path}.entities", "entities must be a list"))
    return found


def _walk(node: Any, path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every object in a card with its path, the card itself first."""
    if isinstance(node, Mapping):
        yield node, path
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _check_actions(card: Mapping[str, Any], path: str) -> Iterator[Violation]:
    for node, where in _walk(card, path):
        if node.get("type") not in ("AdaptiveCard", "ActionSet"):
            continue
        actions = node.get("actions")
        if isinstance(actions, list) and len(actions) > MAX_ACTIONS:
            yield Violation("actions-per-card", f"{where}.actions",
                            f"{len(actions)} actions; Teams shows at most {MAX_ACTIONS}")


def _check_text_inputs(card: Mapping[str, Any], path: str) -> Iterator[Violation]:
    for node, where in _walk(card, path):
        if node.get("type") != "Input.Text":
            continue
        limit = node.get("maxLength")
        if isinstance(limit, bool) or not isinstance(limit, int | float) \
                or limit != int(limit) or not 1 <= limit <= MAX_MESSAGE_BYTES:
            yield Violation("input-text-max-length", f"{where}.maxLength",
                            f"an Input.Text needs a whole maxLength from 1 to "
                            f"{MAX_MESSAGE_BYTES}, got {limit!r}")
            continue
        value = node.get("value")
        if isinstance(value, str) and len(value) > limit:
            yield Violation("input-text-max-length", f"{where}.value",
                            f"the value has {len(value)} characters, more than its "
                            f"maxLength {int(limit)}")
