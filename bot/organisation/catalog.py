"""The organisation's competence catalog: seeded from the bilingual starter in `prompts/`,
kept by facilitators with `leercoach catalog import|export FILE` (YAML or CSV)."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.prompts import BUILTIN_DIR, PromptError
from bot.core.text_input import clean_text
from bot.storage.models import Competence

STARTER_CATALOG = BUILTIN_DIR / "catalog" / "competences.toml"
_KEYS = ("code", "discipline_nl", "discipline_en", "name_nl", "name_en")


def load_catalog(path: Path = STARTER_CATALOG) -> list[dict[str, str]]:
    """The competences of a catalog file, checked: every entry named in both languages."""
    try:
        with path.open("rb") as handle:
            raw: dict[str, Any] = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PromptError(f"{path}: {exc}") from exc
    entries = raw.get("competence", [])
    codes: set[str] = set()
    for entry in entries:
        missing = [key for key in _KEYS if not entry.get(key)]
        if missing:
            raise PromptError(f"{path}: competence {entry.get('code')!r} lacks {missing}")
        if entry["code"] in codes:
            raise PromptError(f"{path}: competence code {entry['code']!r} appears twice")
        codes.add(entry["code"])
    return [{k: str(v) for k, v in entry.items()} for entry in entries]


def seed_catalog(session: Session, organisation_id: int, path: Path = STARTER_CATALOG) -> int:
    """Add the catalog's competences the organisation does not have yet; return how many."""
    existing = set(
        session.scalars(
            select(Competence.code).where(Competence.organisation_id == organisation_id)
        )
    )
    added = 0
    for entry in load_catalog(path):
        if entry["code"] in existing:
            continue
        session.add(
            Competence(
                organisation_id=organisation_id,
                code=entry["code"],
                discipline_nl=entry["discipline_nl"],
                discipline_en=entry["discipline_en"],
                name_nl=entry["name_nl"],
                name_en=entry["name_en"],
                description_nl=entry.get("description_nl", ""),
                description_en=entry.get("description_en", ""),
            )
        )
        added += 1
    return added


# -- import and export (`leercoach catalog import|export FILE`) ------------------------------

FIELDS: tuple[str, ...] = (
    "code",
    "discipline_nl",
    "discipline_en",
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
)
REQUIRED: tuple[str, ...] = FIELDS[:5]
_LIMITS = {"code": 64, "discipline_nl": 100, "discipline_en": 100, "name_nl": 200,
           "name_en": 200}
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ONE_LINE = frozenset(_LIMITS)
MAX_REPORTED = 25


class CatalogError(ValueError):
    """A catalog file that cannot be imported; `problems` says where and why, by line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        lines = [f"{source}: {problem}" for problem in shown]
        if more:
            lines.append(f"{source}: … and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One competence as read from a file, with the line it starts on (and each field's)."""

    line: int
    values: Mapping[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def catalog_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    raise CatalogError(str(path), ["use a .yaml, .yml or .csv file"])


def read_catalog_file(path: Path) -> list[dict[str, str]]:
    """The competences in a YAML or CSV file, checked; CatalogError lists every problem."""
    kind = catalog_format(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError(str(path), ["the file is not UTF-8 text"]) from None
    except OSError as exc:
        raise CatalogError(str(path), [f"cannot read the file ({exc.strerror or exc})"]) from None
    return parse_catalog_text(text, kind, str(path))


def parse_catalog_text(text: str, kind: str, source: str) -> list[dict[str, str]]:
    """The competences in YAML or CSV text (a file read, or one uploaded), checked."""
    raw = _yaml_entries(text, source) if kind == "yaml" else _csv_entries(text, source)
    return validate_entries(raw, source)


def one_entry(values: Mapping[str, str], source: str = "form") -> dict[str, str]:
    """One competence typed into a form, checked exactly as a file's entry is."""
    return validate_entries([RawEntry(1, dict(values))], source)[0]


def yaml_list(text: str, source: str, key: str,
              error: type[CatalogError] = CatalogError) -> tuple[list[Any], Any]:
    """The list a YAML data file holds — the file itself, or `<key>:` with that list — and
    its node, whose marks give every entry's line number for the problem report."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(source, [f"{where}not valid YAML ({problem})"]) from None
    if data is None or root is None:
        raise error(source, [f"the file has no {key}"])
    items: Any = data
    node: Any = root
    if isinstance(data, Mapping):
        unknown = sorted(str(name) for name in data if name != key)
        if unknown or key not in data:
            raise error(
                source,
                [f"line 1: expected a list of {key}, or `{key}:` with that list"
                 + (f" (unknown keys: {', '.join(unknown)})" if unknown else "")],
            )
        items = data[key]
        if items is None:
            raise error(source, [f"the file has no {key}"])
        node = value_node(root, key)
    if not isinstance(items, list):
        raise error(source, [f"line 1: expected a list of {key}"])
    return items, node


def value_node(node: Any, name: str) -> Any:
    """The YAML node under `name` in a mapping node."""
    return next((value for key, value in node.value if key.value == name), None)


def key_lines(node: Any) -> dict[str, int]:
    """The line of each key of a YAML mapping node."""
    return {
        str(key.value): key.start_mark.line + 1
        for key, _ in getattr(node, "value", [])
        if isinstance(key, yaml.ScalarNode)
    }


def _yaml_entries(text: str, source: str) -> list[RawEntry]:
    items, node = yaml_list(text, source, "competences")
    entries: list[RawEntry] = []
    for item, item_node in zip(items, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(item, Mapping):
            entries.append(RawEntry(line, {"": item}))
            continue
        entries.append(RawEntry(line, {str(k): v for k, v in item.items()},
                                key_lines(item_node)))
    return entries


def _csv_entries(text: str, source: str) -> list[RawEntry]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise CatalogError(source, ["the file is empty"])
        columns = [name.strip().lower() for name in header]
        problems = []
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            problems.append(f"line 1: the header lacks the column(s) {', '.join(missing)}")
        unknown = [name for name in columns if name not in FIELDS]
        if unknown:
            problems.append(
                f"line 1: unknown column(s) {', '.join(repr(n) for n in unknown)} "
                f"(expected {', '.join(FIELDS)})"
            )
        if len(set(columns)) != len(columns):
            problems.append("line 1: a column appears twice in the header")
        if problems:
            raise CatalogError(source, problems)
        entries: list[RawEntry] = []
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                entries.append(RawEntry(line, {"": "more values than the header has columns"}))
                continue
            entries.append(RawEntry(line, dict(zip(columns, row, strict=False))))
    except csv.Error as exc:
        raise CatalogError(source, [f"line {reader.line_num}: not valid CSV ({exc})"]) from None
    return entries


def _clean(name: str, value: str) -> str:
    text = clean_text(value)
    return " ".join(text.split()) if name in _ONE_LINE else text


def validate_entries(raw: list[RawEntry], source: str) -> list[dict[str, str]]:
    """Every entry complete, named in both languages, with a unique, well-formed code."""
    problems: list[str] = []
    entries: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    if not raw:
        raise CatalogError(source, ["the file has no competences"])
    for item in raw:
        if "" in item.values:
            detail = item.values[""]
            reason = detail if isinstance(detail, str) else "a competence must be a mapping"
            problems.append(f"line {item.line}: {reason}")
            continue
        entry: dict[str, str] = {}
        not_text: set[str] = set()
        label = item.values.get("code")
        label = f"competence {label!r}" if isinstance(label, str) and label else "competence"
        for name, value in item.values.items():
            line = item.lines.get(name, item.line)
            if name not in FIELDS:
                problems.append(
                    f"line {line}: {label}: unknown field {name!r} (expected {', '.join(FIELDS)})"
                )
                continue
            if value is None:
                value = ""
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                problems.append(f"line {line}: {label}: {name} must be text (put it in quotes)")
                not_text.add(name)
                continue
            entry[name] = _clean(name, str(value))
        for name in REQUIRED:
            if not entry.get(name) and name not in not_text:
                problems.append(f"line {item.line}: {label}: {name} is missing")
        for name, limit in _LIMITS.items():
            if len(entry.get(name, "")) > limit:
                line = item.lines.get(name, item.line)
                problems.append(f"line {line}: {label}: {name} is longer than {limit} characters")
        code = entry.get("code", "")
        if code and not _CODE.match(code):
            problems.append(
                f"line {item.lines.get('code', item.line)}: code {code!r} may only hold "
                "lowercase letters, digits, '-' and '_' (and starts with a letter or digit)"
            )
        if code in seen:
            problems.append(
                f"line {item.line}: code {code!r} appears twice (also on line {seen[code]})"
            )
        elif code:
            seen[code] = item.line
        entries.append(entry)
    if problems:
        raise CatalogError(source, sorted(problems, key=_line_of))
    return entries


def _line_of(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match[1]) if match else 0


def import_catalog(
    session: Session, organisation_id: int, entries: list[dict[str, str]]
) -> ImportResult:
    """Add or update (by code) the organisation's competences; others stay as they are.

    A field the entry does not have (e.g. no description in a YAML entry) keeps its value.
    The caller commits, so an import is all or nothing.
    """
    existing = {
        competence.code: competence
        for competence in session.scalars(
            select(Competence).where(Competence.organisation_id == organisation_id)
        )
    }
    added = updated = unchanged = 0
    for entry in entries:
        competence = existing.get(entry["code"])
        if competence is None:
            values = {name: entry.get(name, "") for name in FIELDS}
            session.add(Competence(organisation_id=organisation_id, **values))
            added += 1
            continue
        changed = False
        for name in FIELDS[1:]:
            if name in entry and getattr(competence, name) != entry[name]:
                setattr(competence, name, entry[name])
                changed = True
        if changed:
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ImportResult(added, updated, unchanged)


def catalog_entries(session: Session, organisation_id: int) -> list[dict[str, str]]:
    """The organisation's competences in the order they were added."""
    rows = session.scalars(
        select(Competence)
        .where(Competence.organisation_id == organisation_id)
        .order_by(Competence.id)
    )
    return [{name: getattr(row, name) or "" for name in FIELDS} for row in rows]


_YAML_HEADER = """\
# Competence catalog of a Leercoach organisation (`leercoach catalog import` reads it back).
# Every competence: code (lowercase, stable once in use), discipline_nl/_en (its group),
# name_nl/_en (shown in choice lists), description_nl/_en (observable behaviour).
"""


def write_catalog_file(path: Path, entries: list[dict[str, str]]) -> None:
    """Write `entries` as YAML or CSV, by the file's extension."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(catalog_text(entries, catalog_format(path)))


def catalog_text(entries: list[dict[str, str]], kind: str) -> str:
    """The catalog as YAML or CSV text, as `catalog export` writes it (and the page offers)."""
    if kind == "yaml":
        body = yaml.safe_dump(
            {"competences": entries}, allow_unicode=True, sort_keys=False, width=100
        )
        return _YAML_HEADER + body
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(FIELDS))
    writer.writeheader()
    writer.writerows(entries)
    return buffer.getvalue()
