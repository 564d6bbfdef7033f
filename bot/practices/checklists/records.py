"""Checklists for the critical tasks of a discipline (seed 000: performance support).

Facilitators keep them with `leercoach checklists import FILE` (YAML or CSV, checked as a
whole before anything is stored, like the competence catalog); people call one up in chat
and tick it off (bot/practices/checklists/hooks.py). A run records which positions were ticked.

YAML: a list of checklists (or `checklists:` with that list), each with `code`, `name_nl`,
`name_en`, optional `discipline` and `task`, and `items`: a list of `item_nl`/`item_en`.
CSV: one row per item with the columns code, name_nl, name_en, discipline, task, item_nl,
item_en; the rows of one checklist stand together, in the order of its items, and the
checklist's own fields may be left empty after its first row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from bot.core.text_input import clean_text
from bot.organisation.catalog import CatalogError, ImportResult, key_lines, value_node, yaml_list
from bot.storage.models import Checklist, ChecklistItem, ChecklistRun, table_of

CHECKLIST_FIELDS: tuple[str, ...] = ("code", "name_nl", "name_en", "discipline", "task")
ITEM_FIELDS: tuple[str, ...] = ("item_nl", "item_en")
YAML_FIELDS: tuple[str, ...] = (*CHECKLIST_FIELDS, "items")
CSV_COLUMNS: tuple[str, ...] = (*CHECKLIST_FIELDS, *ITEM_FIELDS)
REQUIRED: tuple[str, ...] = ("code", "name_nl", "name_en")
LIMITS = {"code": 64, "name_nl": 200, "name_en": 200, "discipline": 100, "task": 200,
          "item_nl": 200, "item_en": 200}
MAX_ITEMS = 30  # a chat list longer than this is no help in the middle of a task
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

_checklists = table_of(Checklist)
_items = table_of(ChecklistItem)
_runs = table_of(ChecklistRun)


class ChecklistFileError(CatalogError):
    """A checklist file that cannot be imported; `problems` says where and why, by line."""


class ChecklistError(LookupError):
    """A checklist the facilitator named that the organisation does not have."""


@dataclass(frozen=True, slots=True)
class ChecklistSpec:
    """One checklist as the file describes it, checked."""

    code: str
    name_nl: str
    name_en: str
    discipline: str
    task: str
    items: tuple[tuple[str, str], ...]  # (nl, en), in order
    line: int = 0


# -- reading a file ----------------------------------------------------------------------------


@dataclass(slots=True)
class _RawItem:
    line: int
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _RawChecklist:
    line: int
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    items: list[_RawItem] = field(default_factory=list)


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    raise ChecklistFileError(str(path), ["use a .yaml, .yml or .csv file"])


def read_checklist_file(path: Path) -> list[ChecklistSpec]:
    """The checklists in a YAML or CSV file; ChecklistFileError lists every problem."""
    kind = file_format(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ChecklistFileError(source, ["the file is not UTF-8 text"]) from None
    except OSError as exc:
        raise ChecklistFileError(
            source, [f"cannot read the file ({exc.strerror or exc})"]
        ) from None
    return parse_checklist_text(text, kind, source)


def parse_checklist_text(text: str, kind: str, source: str) -> list[ChecklistSpec]:
    """The checklists in YAML or CSV text (a file read, or one uploaded), checked whole."""
    problems: list[str] = []
    raw = _yaml(text, source, problems) if kind == "yaml" else _csv(text, source, problems)
    specs = _validate(raw, problems)
    if problems:
        raise ChecklistFileError(source, sorted(problems, key=_line_of))
    if not specs:
        raise ChecklistFileError(source, ["the file has no checklists"])
    return specs


def _yaml(text: str, source: str, problems: list[str]) -> list[_RawChecklist]:
    entries, node = yaml_list(text, source, "checklists", ChecklistFileError)
    found: list[_RawChecklist] = []
    for entry, entry_node in zip(entries, node.value, strict=True):
        line = entry_node.start_mark.line + 1
        if not isinstance(entry, Mapping):
            problems.append(f"line {line}: a checklist must be a mapping (code, name_nl, …)")
            continue
        lines = key_lines(entry_node)
        values = {str(key): value for key, value in entry.items()}
        raw = _RawChecklist(line, values, lines)
        label = _label(values)
        items = values.pop("items", None)
        items_line = lines.get("items", line)
        if items is None:
            pass  # reported as "has no items"
        elif not isinstance(items, list):
            problems.append(f"line {items_line}: {label}: items must be a list of "
                            "item_nl/item_en pairs")
        else:
            items_node = value_node(entry_node, "items")
            for item, item_node in zip(items, items_node.value, strict=True):
                item_line = item_node.start_mark.line + 1
                if not isinstance(item, Mapping):
                    problems.append(f"line {item_line}: {label}: an item needs item_nl and "
                                    "item_en")
                    continue
                raw.items.append(_RawItem(item_line, {str(k): v for k, v in item.items()},
                                          key_lines(item_node)))
        found.append(raw)
    return found


def _csv(text: str, source: str, problems: list[str]) -> list[_RawChecklist]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    found: list[_RawChecklist] = []
    by_code: dict[str, _RawChecklist] = {}
    try:
        header = next(reader, None)
        if header is None:
            raise ChecklistFileError(source, ["the file is empty"])
        columns = [name.strip().lower() for name in header]
        wrong = []
        missing = [name for name in (*REQUIRED, *ITEM_FIELDS) if name not in columns]
        if missing:
            wrong.append(f"line 1: the header lacks the column(s) {', '.join(missing)}")
        unknown = [name for name in columns if name not in CSV_COLUMNS]
        if unknown:
            wrong.append(f"line 1: unknown column(s) {', '.join(repr(n) for n in unknown)} "
                         f"(expected {', '.join(CSV_COLUMNS)})")
        if len(set(columns)) != len(columns):
            wrong.append("line 1: a column appears twice in the header")
        if wrong:
            raise ChecklistFileError(source, wrong)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                problems.append(f"line {line}: more values than the header has columns")
                continue
            cells = dict(zip(columns, row, strict=False))
            code = _one_line(cells.get("code", ""))
            item = _RawItem(line, {name: cells.get(name, "") for name in ITEM_FIELDS})
            current = found[-1] if found else None
            if current is not None and code in ("", _one_line(current.values.get("code", ""))):
                _same_checklist(current, cells, line, problems)
                current.items.append(item)
                continue
            if code in by_code:
                problems.append(
                    f"line {line}: checklist {code!r} continues after another one began; "
                    f"put all its rows together (it began on line {by_code[code].line})"
                )
                continue
            values = {name: cells[name] for name in CHECKLIST_FIELDS if name in cells}
            raw = _RawChecklist(line, values, items=[item])
            found.append(raw)
            if code:
                by_code[code] = raw
    except csv.Error as exc:
        raise ChecklistFileError(
            source, [f"line {reader.line_num}: not valid CSV ({exc})"]
        ) from None
    return found


def _same_checklist(
    current: _RawChecklist, cells: Mapping[str, str], line: int, problems: list[str]
) -> None:
    """A later row of a checklist may repeat its fields, but not contradict them."""
    for name in CHECKLIST_FIELDS[1:]:
        said = _one_line(cells.get(name, ""))
        if said and said != _one_line(str(current.values.get(name) or "")):
            problems.append(f"line {line}: {_label(current.values)}: {name} differs from "
                            f"line {current.line}")


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _label(values: Mapping[str, Any]) -> str:
    code = values.get("code")
    return f"checklist {code!r}" if isinstance(code, str) and code.strip() else "checklist"


def _text(value: Any, name: str, line: int, label: str, problems: list[str]) -> str | None:
    """The field as one line of text; None (with a problem noted) when it is no text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f"line {line}: {label}: {name} must be text (put it in quotes)")
        return None
    text = _one_line(str(value))
    if len(text) > LIMITS[name]:
        problems.append(f"line {line}: {label}: {name} is longer than {LIMITS[name]} characters")
    return text


def _fields(given: Mapping[str, Any], lines: Mapping[str, int], line: int, label: str,
            problems: list[str], allowed: tuple[str, ...], required: tuple[str, ...],
            what: str, expected: tuple[str, ...]) -> dict[str, str]:
    """The known fields as text; unknown, non-text and missing required ones are reported
    with their line."""
    values: dict[str, str] = {}
    for name, value in given.items():
        at = lines.get(name, line)
        if name not in allowed:
            problems.append(f"line {at}: {label}: unknown {what} {name!r} "
                            f"(expected {', '.join(expected)})")
            continue
        text = _text(value, name, at, label, problems)
        if text is not None:
            values[name] = text
    for name in required:
        not_text = name in given and name not in values  # reported already
        if not values.get(name) and not not_text:
            problems.append(f"line {line}: {label}: {name} is missing")
    return values


def _validate(raw: list[_RawChecklist], problems: list[str]) -> list[ChecklistSpec]:
    specs: list[ChecklistSpec] = []
    codes: dict[str, int] = {}
    names: dict[str, tuple[str, int]] = {}
    for entry in raw:
        label = _label(entry.values)
        values = _fields(entry.values, entry.lines, entry.line, label, problems,
                         CHECKLIST_FIELDS, REQUIRED, "field", YAML_FIELDS)
        code = values.get("code", "")
        code_line = entry.lines.get("code", entry.line)
        if code and not _CODE.match(code):
            problems.append(f"line {code_line}: code {code!r} may only hold lowercase letters, "
                            "digits, '-' and '_' (and starts with a letter or digit)")
        if code in codes:
            problems.append(f"line {entry.line}: code {code!r} appears twice "
                            f"(also on line {codes[code]})")
        elif code:
            codes[code] = entry.line
        for name in ("name_nl", "name_en"):
            key = values.get(name, "").casefold()
            other = names.get(key)
            if key and other is not None and other[0] != code:
                problems.append(f"line {entry.lines.get(name, entry.line)}: {label}: the name "
                                f"{values[name]!r} is also the name of checklist {other[0]!r} "
                                f"(line {other[1]}); people call checklists up by name")
            elif key:
                names[key] = (code, entry.line)
        items = _validate_items(entry, label, problems)
        specs.append(ChecklistSpec(
            code=code, name_nl=values.get("name_nl", ""), name_en=values.get("name_en", ""),
            discipline=values.get("discipline", ""), task=values.get("task", ""),
            items=tuple(items), line=entry.line,
        ))
    return specs


def _validate_items(
    entry: _RawChecklist, label: str, problems: list[str]
) -> list[tuple[str, str]]:
    if not entry.items:
        problems.append(f"line {entry.line}: {label} has no items")
        return []
    if len(entry.items) > MAX_ITEMS:
        problems.append(f"line {entry.line}: {label} has {len(entry.items)} items; "
                        f"at most {MAX_ITEMS} fit in a chat")
    items: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for item in entry.items:
        texts = _fields(item.values, item.lines, item.line, label, problems,
                        ITEM_FIELDS, ITEM_FIELDS, "item field", ITEM_FIELDS)
        nl = texts.get("item_nl", "")
        if nl.casefold() in seen:
            problems.append(f"line {item.line}: {label}: the item {nl!r} appears twice "
                            f"(also on line {seen[nl.casefold()]})")
        elif nl:
            seen[nl.casefold()] = item.line
        items.append((nl, texts.get("item_en", "")))
    return items


def _line_of(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match[1]) if match else 0


# -- keeping them (the CLI) ----------------------------------------------------------------------


def import_checklists(
    session: Session, organisation_id: int, specs: Sequence[ChecklistSpec], source: str = ""
) -> ImportResult:
    """Add or update (by code) the organisation's checklists; others stay as they are.

    Items are replaced position by position, so a run's ticks keep pointing at the same
    place. An archived checklist stays archived. The caller commits: all or nothing.
    """
    existing = {
        row.code: row
        for row in session.scalars(
            select(Checklist).where(Checklist.organisation_id == organisation_id)
        )
    }
    _check_names_against(existing.values(), specs, source)
    added = updated = unchanged = 0
    for spec in specs:
        row = existing.get(spec.code)
        if row is None:
            row = Checklist(organisation_id=organisation_id, code=spec.code,
                            name_nl=spec.name_nl, name_en=spec.name_en,
                            discipline=spec.discipline, task=spec.task, archived=False)
            session.add(row)
            session.flush()
            session.add_all(
                ChecklistItem(checklist_id=row.id, position=position, text_nl=nl, text_en=en)
                for position, (nl, en) in enumerate(spec.items, start=1)
            )
            added += 1
            continue
        changed = False
        for name in ("name_nl", "name_en", "discipline", "task"):
            if getattr(row, name) != getattr(spec, name):
                setattr(row, name, getattr(spec, name))
                changed = True
        if _replace_items(session, row.id, spec.items):
            changed = True
        updated += changed
        unchanged += not changed
    session.flush()
    return ImportResult(added, updated, unchanged)


def _check_names_against(
    existing: Iterable[Checklist], specs: Sequence[ChecklistSpec], source: str
) -> None:
    """A name in the file may not be the name of another checklist the organisation has."""
    in_file = {spec.code for spec in specs}
    taken = {
        name.casefold(): row.code
        for row in existing
        if row.code not in in_file
        for name in (row.name_nl, row.name_en)
    }
    problems = [
        f"line {spec.line}: checklist {spec.code!r}: the name {name!r} is already the name of "
        f"checklist {taken[name.casefold()]!r}"
        for spec in specs
        for name in dict.fromkeys((spec.name_nl, spec.name_en))
        if name.casefold() in taken
    ]
    if problems:
        raise ChecklistFileError(source or "import", problems)


def _replace_items(session: Session, checklist_id: int, items: Sequence[tuple[str, str]]) -> bool:
    rows = list(session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.checklist_id == checklist_id)
        .order_by(ChecklistItem.position)
    ))
    changed = False
    for position, (nl, en) in enumerate(items, start=1):
        if position <= len(rows):
            row = rows[position - 1]
            if (row.position, row.text_nl, row.text_en) != (position, nl, en):
                row.position, row.text_nl, row.text_en = position, nl, en
                changed = True
        else:
            session.add(ChecklistItem(checklist_id=checklist_id, position=position,
                                      text_nl=nl, text_en=en))
            changed = True
    for row in rows[len(items):]:
        session.delete(row)
        changed = True
    return changed


@dataclass(frozen=True, slots=True)
class ListedChecklist:
    code: str
    name_nl: str
    name_en: str
    discipline: str
    task: str
    archived: bool
    items: int


def list_checklists(
    session: Session, organisation_id: int, include_archived: bool = False
) -> list[ListedChecklist]:
    """The organisation's checklists in the order they were added."""
    statement = select(Checklist).where(Checklist.organisation_id == organisation_id)
    if not include_archived:
        statement = statement.where(Checklist.archived.is_(False))
    rows = session.scalars(statement.order_by(Checklist.id)).all()
    counts = items_per_checklist(session.connection(), [row.id for row in rows])
    return [
        ListedChecklist(row.code, row.name_nl, row.name_en, row.discipline, row.task,
                        row.archived, counts.get(row.id, 0))
        for row in rows
    ]


def items_per_checklist(connection: Connection, ids: Sequence[int]) -> dict[int, int]:
    rows = connection.execute(
        select(_items.c.checklist_id, _items.c.position).where(_items.c.checklist_id.in_(ids))
    ).all()
    counts: dict[int, int] = {}
    for checklist_id, _ in rows:
        counts[checklist_id] = counts.get(checklist_id, 0) + 1
    return counts


def archive_checklist(
    session: Session, organisation_id: int, code: str, archived: bool = True
) -> Checklist:
    """Stop (or start again) offering a checklist; its runs are kept."""
    row = session.scalar(select(Checklist).where(
        Checklist.organisation_id == organisation_id, Checklist.code == code.strip()))
    if row is None:
        raise ChecklistError(f"the organisation has no checklist {code.strip()!r}")
    row.archived = archived
    return row


# -- using them (the chat) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistInfo:
    id: int
    code: str
    name_nl: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


@dataclass(frozen=True, slots=True)
class Item:
    position: int
    text_nl: str
    text_en: str

    def text(self, locale: str) -> str:
        return self.text_en if locale == "en" else self.text_nl


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    checklist_id: int
    ticked: tuple[int, ...]
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Ticked:
    """What one answer did to a run: the positions it newly ticked, and whether it is done."""

    newly: tuple[int, ...]
    ticked: tuple[int, ...]
    finished: bool


def _info(row: Any) -> ChecklistInfo:
    return ChecklistInfo(row.id, row.code, row.name_nl, row.name_en)


def active_checklists(connection: Connection, organisation_id: int) -> list[ChecklistInfo]:
    """The checklists people may call up, in the order they were added."""
    rows = connection.execute(
        select(_checklists.c.id, _checklists.c.code, _checklists.c.name_nl,
               _checklists.c.name_en)
        .where(_checklists.c.organisation_id == organisation_id,
               _checklists.c.archived.is_(False))
        .order_by(_checklists.c.id)
    ).all()
    return [_info(row) for row in rows]


def checklist(connection: Connection, checklist_id: Any) -> ChecklistInfo | None:
    if not isinstance(checklist_id, int):
        return None
    row = connection.execute(
        select(_checklists.c.id, _checklists.c.code, _checklists.c.name_nl,
               _checklists.c.name_en).where(_checklists.c.id == checklist_id)
    ).first()
    return _info(row) if row else None


_QUOTES = "\"'“”‘’„«»`*_"


def _normal(text: str) -> str:
    return " ".join(text.strip().strip(_QUOTES).strip(" .!?").casefold().split())


def find_checklist(available: Sequence[ChecklistInfo], said: str) -> ChecklistInfo | None:
    """The checklist `said` names: its code or name in either language, or else the only
    one whose name contains it ('overdracht' for 'Overdracht van een patiënt')."""
    wanted = _normal(said)
    if not wanted:
        return None
    for entry in available:
        if wanted in (entry.code, _normal(entry.name_nl), _normal(entry.name_en)):
            return entry
    partial = [entry for entry in available
               if wanted in _normal(entry.name_nl) or wanted in _normal(entry.name_en)]
    return partial[0] if len(partial) == 1 else None


def items_of(connection: Connection, checklist_id: Any) -> list[Item]:
    if not isinstance(checklist_id, int):
        return []
    rows = connection.execute(
        select(_items.c.position, _items.c.text_nl, _items.c.text_en)
        .where(_items.c.checklist_id == checklist_id)
        .order_by(_items.c.position)
    ).all()
    return [Item(row.position, row.text_nl, row.text_en) for row in rows]


def start_run(connection: Connection, person_id: int, checklist_id: int, now: datetime) -> int:
    return int(connection.execute(
        insert(_runs).values(person_id=person_id, checklist_id=checklist_id, ticked=[],
                             started_at=now, finished_at=None).returning(_runs.c.id)
    ).scalar_one())


def load_run(connection: Connection, run_id: Any, person_id: int) -> Run | None:
    """The person's own run (never someone else's, whatever a context says)."""
    if not isinstance(run_id, int):
        return None
    row = connection.execute(
        select(_runs.c.id, _runs.c.checklist_id, _runs.c.ticked, _runs.c.finished_at)
        .where(_runs.c.id == run_id, _runs.c.person_id == person_id)
    ).first()
    if row is None:
        return None
    ticked = tuple(p for p in (row.ticked or []) if isinstance(p, int))
    return Run(row.id, row.checklist_id, ticked, row.finished_at)


def tick(
    connection: Connection,
    run: Run,
    chosen: Iterable[int],
    positions: Sequence[int],
    *,
    finish: bool,
    now: datetime,
) -> Ticked:
    """Add `chosen` to what the run has ticked (a position ticked twice, or one the checklist
    no longer has, changes nothing); the run is finished when asked or when all is ticked."""
    valid = set(positions)
    newly = tuple(sorted({p for p in chosen if p in valid} - set(run.ticked)))
    ticked = tuple(sorted(set(run.ticked) | set(newly)))
    finished = run.finished_at is not None or finish or valid <= set(ticked)
    values: dict[str, Any] = {"ticked": list(ticked)}
    if finished and run.finished_at is None:
        values["finished_at"] = now
    if newly or "finished_at" in values:
        connection.execute(update(_runs).where(_runs.c.id == run.id).values(**values))
    return Ticked(newly, ticked, finished)
