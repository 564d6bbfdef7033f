"""Loading flows, texts and command words from `prompts/`, with an organisation's overrides.

Texts are Jinja2 templates per locale, rendered in a sandbox; what a person typed is only
ever passed in as a variable, never compiled as a template, so `{{ 7*7 }}` in an answer stays
`{{ 7*7 }}`. An organisation points `prompts_dir` (or LEERCOACH_PROMPTS_DIR) at a folder with
the same layout: its texts replace ours key by key, its flows replace ours by id.

A flow's own command words and texts may live in its file, so a small practice keeps its
flow in one place: `words = [...]` defines a command named after the flow that starts it,
and `[texts.nl]` / `[texts.en]` (both, with the same keys) hold texts exactly as a
`texts/<locale>/` file would. Shared texts stay in `texts/<locale>/`. Within one folder a
command or text key is defined once: a flow's file and a commands or texts file that both
define it fail at load. An override folder still replaces them by name and key.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from jinja2 import Template, TemplateError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.core.flows import Flow, FlowError, parse_flow

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "prompts"
LOCALES: tuple[str, ...] = ("nl", "en")
DEFAULT_LOCALE = "nl"


class PromptError(ValueError):
    """A prompts folder that is incomplete or malformed."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PromptError(f"{path}: {exc}") from exc


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise PromptError(f"text {name!r} must be a string")
    return flat


@lru_cache(maxsize=4096)
def _format_date(value: date, locale: str, pattern: str = "EEEE d MMMM") -> str:
    """A date in the person's language ('zaterdag 21 november'); cached, babel is slow."""
    return str(format_date(value, pattern, locale=locale))


def list_of(items: Iterable[Any], locale: str, style: str = "standard") -> str:
    """Items joined the way the language does ("a, b en c", "a, b, and c"), by Babel's CLDR
    rules rather than by hand; `style` "or" gives "a, b of c"."""
    return str(format_list([str(item) for item in items], style=style, locale=locale))


_TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")
WORD_JOINER = "\u2060"
_MENTION = re.compile(r"<(?=[!@#])|@(?=(?:here|channel|everyone|all)\b)", re.IGNORECASE)


def defuse_mentions(value: Any) -> Any:
    """Values filled into a text (what a person typed) can never ping a channel.

    An invisible word joiner after `<` of `<!channel>`/`<@U123>` and after `@` of `@here`
    keeps the text readable and stored as typed, while no platform reads it as a mention.
    Adapters escape for their platform as well; this holds even where one forgets.
    """
    if isinstance(value, str) and ("<" in value or "@" in value):
        return _MENTION.sub(lambda match: match.group(0) + WORD_JOINER, value)
    return value


@dataclass(frozen=True, slots=True)
class Command:
    """A command: its words, and the flow it starts or the action it runs.

    With `argument` set, the words may be followed by more text (`pauze tot 1 december`),
    which the action receives.
    """

    name: str
    words: frozenset[str]
    flow: str | None = None
    action: str | None = None
    argument: bool = False


@dataclass(frozen=True, slots=True)
class CommandMatch:
    command: Command
    arguments: str = ""


def _parse_command(name: str, raw: Any) -> Command:
    if not isinstance(raw, Mapping):
        raise PromptError(f"command {name!r} must be a table")
    unknown = set(raw) - {"words", "flow", "action", "argument"}
    if unknown:
        raise PromptError(f"command {name!r}: unknown keys {sorted(unknown)}")
    words = raw.get("words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise PromptError(f"command {name!r} needs a list of words")
    flow, action, argument = raw.get("flow"), raw.get("action"), raw.get("argument", False)
    if flow is not None and not isinstance(flow, str):
        raise PromptError(f"command {name!r}: flow must be text")
    if action is not None and not isinstance(action, str):
        raise PromptError(f"command {name!r}: action must be text")
    if flow and action:
        raise PromptError(f"command {name!r} has both a flow and an action")
    if not isinstance(argument, bool):
        raise PromptError(f"command {name!r}: argument must be true or false")
    return Command(
        name=name,
        words=frozenset(normalise_command_text(w) for w in words),
        flow=flow,
        action=action,
        argument=argument,
    )


def normalise_command_text(text: str) -> str:
    """Commands match case-insensitively, with or without a leading slash or trailing '!'.

    A message of only punctuation ('?') keeps it, so '?' can be a command word of its own.
    """
    words = text.strip().lower()
    words = words[1:] if words.startswith("/") else words
    return " ".join((words.rstrip("!.?") or words).split())


def _flow_texts(raw: Any, source: str) -> dict[str, dict[str, str]]:
    """A flow's own `[texts.<locale>]`: every locale, each with the same keys, so a text
    that exists in one language only fails at load like one missing from texts/<locale>/."""
    if not isinstance(raw, Mapping):
        raise PromptError(f"{source}: texts must be a table per locale")
    unknown = set(raw) - set(LOCALES)
    missing = set(LOCALES) - set(raw)
    if unknown or missing:
        raise PromptError(
            f"{source}: texts need exactly the locales {', '.join(LOCALES)}"
            f" (missing {sorted(missing)}, unknown {sorted(unknown)})"
        )
    flat: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        if not isinstance(raw[locale], Mapping):
            raise PromptError(f"{source}: texts.{locale} must be a table")
        flat[locale] = _flatten(raw[locale])
    for locale in LOCALES:
        for other in LOCALES:
            absent = sorted(set(flat[other]) - set(flat[locale]))
            if absent:
                raise PromptError(f"{source}: texts {absent} missing for {locale}")
    return flat


class PromptLibrary:
    """All flows, texts and commands of one prompts folder (plus the built-in ones)."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self._folders = tuple(folders)
        self._texts: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
        self._flows: dict[str, Flow] = {}
        self._commands: dict[str, Command] = {}
        for folder in self._folders:
            self._load_folder(folder)
        self._env = ImmutableSandboxedEnvironment(
            undefined=Undefined,
            autoescape=False,
            keep_trailing_newline=False,
            finalize=defuse_mentions,
        )
        self._templates: dict[tuple[str, str], Template | str] = {}
        self._lock = threading.Lock()
        self._word_index = self._index_commands()
        self.check()

    @classmethod
    def builtin(cls) -> PromptLibrary:
        return cls([BUILTIN_DIR])

    @classmethod
    def with_override(cls, folder: Path | None) -> PromptLibrary:
        if folder is None:
            return cls.builtin()
        if not folder.is_dir():
            raise PromptError(f"prompts folder {folder} does not exist")
        return cls([BUILTIN_DIR, folder])

    def _load_folder(self, folder: Path) -> None:
        texts: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
        for locale in LOCALES:
            # texts/<locale>.toml, then texts/<locale>/*.toml (one file per practice)
            paths = [folder / "texts" / f"{locale}.toml"]
            paths += sorted((folder / "texts" / locale).glob("*.toml"))
            for path in paths:
                if path.exists():
                    texts[locale].update(_flatten(_read_toml(path)))
        flow_commands: dict[str, Command] = {}
        flows_dir = folder / "flows"
        for path in sorted(flows_dir.glob("*.toml")) if flows_dir.is_dir() else ():
            raw = _read_toml(path)
            words, own_texts = raw.pop("words", None), raw.pop("texts", None)
            try:
                flow = parse_flow(raw, source=str(path.name))
            except FlowError as exc:
                raise PromptError(str(exc)) from exc
            self._flows[flow.id] = flow
            if words is not None:
                if flow.id in flow_commands:
                    raise PromptError(f"{path.name}: command {flow.id!r} is defined twice")
                flow_commands[flow.id] = _parse_command(flow.id, {"words": words, "flow": flow.id})
            if own_texts is not None:
                for locale, flat in _flow_texts(own_texts, path.name).items():
                    twice = sorted(set(flat) & set(texts[locale]))
                    if twice:
                        raise PromptError(
                            f"{path.name}: texts {twice} ({locale}) are defined twice,"
                            " here and in a texts file or another flow's file"
                        )
                    texts[locale].update(flat)
        commands: dict[str, Command] = {}
        command_files = [folder / "commands.toml", *sorted(folder.glob("commands/*.toml"))]
        for path in command_files:
            if path.exists():
                for name, raw_command in _read_toml(path).items():
                    if name in flow_commands:
                        raise PromptError(
                            f"{path.name}: command {name!r} is also defined by its flow's file"
                        )
                    commands[name] = _parse_command(name, raw_command)
        for locale in LOCALES:
            self._texts[locale].update(texts[locale])
        self._commands.update(commands)
        self._commands.update(flow_commands)

    def _index_commands(self) -> dict[str, Command]:
        index: dict[str, Command] = {}
        for command in self._commands.values():
            for word in command.words:
                if word in index and index[word].name != command.name:
                    raise PromptError(
                        f"word {word!r} belongs to both {index[word].name} and {command.name}"
                    )
                index[word] = command
        return index

    def check(self) -> None:
        """Fail now, not in a DM: every text a flow uses exists and compiles in every locale."""
        for command in self._commands.values():
            if command.flow and command.flow not in self._flows:
                raise PromptError(f"command {command.name} starts unknown flow {command.flow}")
        for flow in self._flows.values():
            for key in flow.text_keys():
                for locale in LOCALES:
                    if key not in self._texts[locale]:
                        raise PromptError(f"flow {flow.id}: text {key!r} missing for {locale}")
        for locale in LOCALES:
            for key in self._texts[locale]:
                self._template(locale, key)

    # -- lookups -----------------------------------------------------------------------

    def flow(self, flow_id: str) -> Flow:
        try:
            return self._flows[flow_id]
        except KeyError:
            raise PromptError(f"unknown flow {flow_id!r}") from None

    @property
    def flow_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._flows))

    def command_for(self, text: str) -> CommandMatch | None:
        """The command a message is, if it is one (`dagboek`, `/help`, `Stop!`), or starts
        with, for commands that take an argument (`pauze tot 1 december`)."""
        words = normalise_command_text(text)
        if not words:
            return None
        exact = self._word_index.get(words)
        if exact is not None:
            return CommandMatch(exact)
        tokens = words.split(" ")
        original = " ".join(text.split())
        for length in range(len(tokens) - 1, 0, -1):
            command = self._word_index.get(" ".join(tokens[:length]))
            if command is not None and command.argument:
                rest = original.split(" ", length)[-1].strip()
                return CommandMatch(command, rest)
        return None

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(self._commands.values())

    def command(self, name: str) -> Command | None:
        return self._commands.get(name)

    def has_text(self, key: str, locale: str = DEFAULT_LOCALE) -> bool:
        return key in self._texts.get(locale, {})

    # -- rendering ---------------------------------------------------------------------

    def _template(self, locale: str, key: str) -> Template | str:
        """The compiled text; a text without any template syntax is kept as a plain string,
        which renders to itself without the cost of a template context."""
        cache_key = (locale, key)
        template = self._templates.get(cache_key)
        if template is None:
            source = self._texts[locale].get(key)
            if source is None:
                source = self._texts[DEFAULT_LOCALE].get(key)
            if source is None:
                raise PromptError(f"unknown text {key!r}")
            if not _TEMPLATE_SYNTAX.search(source):
                with self._lock:
                    return self._templates.setdefault(cache_key, source.strip())
            helpers: dict[str, Any] = {
                "format_date": lambda value, pattern="EEEE d MMMM": _format_date(
                    value, locale, pattern
                ),
                "list_of": lambda items, style="standard": list_of(items, locale, style),
                "in_words": lambda number: self._in_words(number, locale),
            }
            try:
                compiled = self._env.from_string(source, globals=helpers)
            except TemplateError as exc:
                raise PromptError(f"text {key!r} ({locale}): {exc}") from exc
            with self._lock:
                template = self._templates.setdefault(cache_key, compiled)
        return template

    def _in_words(self, number: Any, locale: str) -> str:
        """A small whole number written out ("twee"), as Dutch and English style write
        numbers in running text; larger ones stay digits. The words are the text
        `common.number_words` (zero first, comma-separated)."""
        words = [w.strip() for w in self._texts[locale].get("common.number_words", "").split(",")]
        if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < len(words):
            return words[number]
        return str(number)

    def render(self, key: str, locale: str, **variables: Any) -> str:
        """The text `key` in `locale`, with `variables` filled in (never interpreted)."""
        locale = locale if locale in LOCALES else DEFAULT_LOCALE
        template = self._template(locale, key)
        if isinstance(template, str):
            return template
        try:
            return template.render(**variables).strip()
        except Exception as exc:  # an organisation's template may fail in any way
            raise PromptError(f"text {key!r} ({locale}) failed to render: {exc}") from exc
