"""The Teams app package: manifest.json, its English translation and the two icons, zipped.

Teams only installs a bot through such a package, so `leercoach teams-package` writes it from
the bot's App ID. Everything here is a pure function of its arguments and the prompts folder,
so the same App ID gives the same bytes: a package in version control only changes when its
content does. The texts live in prompts/texts/{nl,en}/teams.toml like every other text;
manifest.json carries the Dutch ones (the coach's default language) and `en.json` the English.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from bot.core.prompts import DEFAULT_LOCALE, LOCALES, PromptLibrary

SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.schema.json"
)
LOCALIZATION_SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/"
    "MicrosoftTeams.Localization.schema.json"
)
MANIFEST_VERSION = "1.29"
DEVELOPER = "Leercoach"
ACCENT_COLOR = "#2F6B4F"
WHITE = (255, 255, 255)
COLOR_ICON, OUTLINE_ICON = "color.png", "outline.png"
COLOR_SIZE, OUTLINE_SIZE = 192, 32

DEFAULT_NAME = "Leercoach"
DEFAULT_DOMAIN = "leercoach.example.org"
DEFAULT_VERSION = "1.0.0"

# A 1:1 chat is where the coach works; in a team's channel people enrol in a cohort and ask
# for help. No groupChat: a Teams bot cannot start group chats, and nothing needs one yet.
BOT_SCOPES = ("personal", "team")
# Per scope the commands Teams offers in the coach's menu, by their name in commands.toml.
# In a channel everyone reads along, so reflections are only offered in the personal chat.
COMMAND_LISTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("personal", ("help", "diary", "weekplan", "month", "contract", "year", "overview",
                  "pause", "settings", "pair_me")),
    ("team", ("help", "pair_me", "stop_pairing")),
)
# Teams' limits (the localization schema counts commands 0-9, titles 32, descriptions 128).
MAX_COMMANDS, MAX_TITLE, MAX_DESCRIPTION = 10, 32, 128
MAX_NAME, MAX_NAME_FULL, MAX_SHORT, MAX_FULL = 30, 100, 80, 4000

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")
_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Zip entries carry a fixed time, so the package's bytes depend on its content only.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """An argument or a text that would give a package Teams refuses."""


def check_app_id(app_id: str) -> str:
    """The bot's Microsoft App ID, lower case; Teams needs it as a GUID in `botId`."""
    text = app_id.strip()
    if not _GUID.match(text):
        raise PackageError(
            f"--app-id must be the bot's Microsoft App ID, a GUID such as "
            f"00000000-0000-0000-0000-000000000000 (got {app_id!r})"
        )
    return text.lower()


def _check_name(name: str) -> str:
    text = " ".join(name.split())
    if not text or len(text) > MAX_NAME:
        raise PackageError(f"--name must be 1 to {MAX_NAME} characters (got {name!r})")
    return text


def _check_domain(domain: str) -> str:
    text = domain.strip().lower().rstrip(".")
    if not _HOST.match(text):
        raise PackageError(
            f"--domain must be a host name such as {DEFAULT_DOMAIN}, without https:// or a "
            f"path (got {domain!r})"
        )
    return text


def _check_version(version: str) -> str:
    text = version.strip()
    if not _SEMVER.match(text):
        raise PackageError(f"--version must be MAJOR.MINOR.PATCH such as 1.0.0 (got {version!r})")
    return text


# -- texts -------------------------------------------------------------------------------------


def _text(prompts: PromptLibrary, key: str, locale: str, limit: int, name: str) -> str:
    """A text of the package; an organisation's override too long for Teams fails here."""
    text = prompts.render(f"teams_package.{key}", locale, name=name)
    if not text or len(text) > limit:
        raise PackageError(
            f"text teams_package.{key} ({locale}) must be 1 to {limit} characters, "
            f"not {len(text)}"
        )
    return text


def _command(prompts: PromptLibrary, command: str, locale: str, name: str) -> dict[str, str]:
    """A menu entry; its title is what Teams sends, so it must be one of the command's words."""
    title = _text(prompts, f"commands.{command}.title", locale, MAX_TITLE, name)
    match = prompts.command_for(title)
    if match is None or match.command.name != command or match.arguments:
        raise PackageError(
            f"text teams_package.commands.{command}.title ({locale}) is {title!r}, which is "
            f"not a word of the command {command!r}"
        )
    description = _text(prompts, f"commands.{command}.description", locale, MAX_DESCRIPTION,
                        name)
    return {"title": title, "description": description}


def _texts(prompts: PromptLibrary, locale: str, name: str) -> dict[str, Any]:
    """All strings of the manifest in one language, shaped like the manifest."""
    return {
        "name": {"short": name,
                 "full": _text(prompts, "name_full", locale, MAX_NAME_FULL, name)},
        "description": {
            "short": _text(prompts, "description_short", locale, MAX_SHORT, name),
            "full": _text(prompts, "description_full", locale, MAX_FULL, name),
        },
        "commandLists": [
            {"scopes": [scope],
             "commands": [_command(prompts, command, locale, name) for command in commands]}
            for scope, commands in COMMAND_LISTS
        ],
    }


def _language_file(locale: str) -> str:
    return f"{locale}.json"


def _translations() -> tuple[str, ...]:
    """The locales besides the default; each gets a language file (language-only tags such as
    `en` apply to every region, en-us and en-gb alike)."""
    return tuple(locale for locale in LOCALES if locale != DEFAULT_LOCALE)


# -- manifest ----------------------------------------------------------------------------------


def build_manifest(
    app_id: str,
    *,
    name: str = DEFAULT_NAME,
    domain: str = DEFAULT_DOMAIN,
    version: str = DEFAULT_VERSION,
    prompts: PromptLibrary | None = None,
) -> dict[str, Any]:
    """manifest.json, in the default language (Dutch).

    The app's id is the bot's App ID itself: Teams allows one app per bot anyway, and an
    administrator finds the app under the id they registered the bot with.
    """
    bot_id = check_app_id(app_id)
    name, domain = _check_name(name), _check_domain(domain)
    library = prompts or PromptLibrary.with_override(None)
    texts = _texts(library, DEFAULT_LOCALE, name)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": _check_version(version),
        "id": bot_id,
        "localizationInfo": {
            "defaultLanguageTag": DEFAULT_LOCALE,
            "additionalLanguages": [
                {"languageTag": locale, "file": _language_file(locale)}
                for locale in _translations()
            ],
        },
        "developer": {
            "name": DEVELOPER,
            "websiteUrl": f"https://{domain}/",
            "privacyUrl": f"https://{domain}/privacy",
            "termsOfUseUrl": f"https://{domain}/terms",
        },
        "name": texts["name"],
        "description": texts["description"],
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": bot_id,
                "scopes": list(BOT_SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": texts["commandLists"],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
        "defaultInstallScope": "personal",
    }


def build_translation(
    locale: str, *, name: str = DEFAULT_NAME, prompts: PromptLibrary | None = None
) -> dict[str, str]:
    """A language file: Teams replaces manifest.json's strings by these, key by key."""
    if locale not in _translations():
        raise PackageError(f"no language file for {locale!r}; choose from {_translations()}")
    name = _check_name(name)
    texts = _texts(prompts or PromptLibrary.with_override(None), locale, name)
    strings = {
        "$schema": LOCALIZATION_SCHEMA_URL,
        "name.short": texts["name"]["short"],
        "name.full": texts["name"]["full"],
        "description.short": texts["description"]["short"],
        "description.full": texts["description"]["full"],
    }
    for list_index, listing in enumerate(texts["commandLists"]):
        for index, command in enumerate(listing["commands"]):
            prefix = f"bots[0].commandLists[{list_index}].commands[{index}]"
            strings[f"{prefix}.title"] = command["title"]
            strings[f"{prefix}.description"] = command["description"]
    return strings


# -- icons -------------------------------------------------------------------------------------


def _leaf(start: tuple[float, float], end: tuple[float, float], width: float,
          steps: int = 32) -> list[tuple[float, float]]:
    """A leaf from stalk to tip: two parabolic sides that meet at both ends."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    nx, ny = -uy, ux
    points: list[tuple[float, float]] = []
    for side in (1, -1):
        for step in range(steps + 1):
            t = step / steps if side == 1 else 1 - step / steps
            along, across = t * length, side * width * 2 * t * (1 - t)
            points.append((x0 + ux * along + nx * across, y0 + uy * along + ny * across))
    return points


def _mark(size: int, margin: float) -> Image.Image:
    """The white mark as a mask: an "L" with a leaf growing from it, drawn four times larger
    and scaled down, which smooths the edges without a font or an image file."""
    big = size * 4
    box = big * (1 - 2 * margin)

    def at(x: float, y: float) -> tuple[float, float]:
        return big * margin + x * box, big * margin + y * box

    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    radius = box * 0.06
    draw.rounded_rectangle((*at(0.0, 0.0), *at(0.26, 1.0)), radius=radius, fill=255)
    draw.rounded_rectangle((*at(0.0, 0.74), *at(0.88, 1.0)), radius=radius, fill=255)
    draw.polygon([at(x, y) for x, y in _leaf((0.40, 0.60), (0.98, 0.02), 0.36)], fill=255)
    draw.line([at(0.44, 0.56), at(0.80, 0.20)], fill=0, width=max(1, round(box * 0.035)))
    return mask.resize((size, size), Image.Resampling.BOX)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def icons() -> tuple[bytes, bytes]:
    """color.png (192×192, the mark in white on the accent green) and outline.png (32×32,
    white on transparent: Teams refuses an outline icon with any other colour)."""
    color = Image.composite(
        Image.new("RGB", (COLOR_SIZE, COLOR_SIZE), WHITE),
        Image.new("RGB", (COLOR_SIZE, COLOR_SIZE), _hex_rgb(ACCENT_COLOR)),
        _mark(COLOR_SIZE, margin=0.22),
    )
    outline = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (*WHITE, 0))
    outline.putalpha(_mark(OUTLINE_SIZE, margin=0.06))
    return _png(color), _png(outline)


# -- the zip -----------------------------------------------------------------------------------


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def package_files(
    app_id: str,
    *,
    name: str = DEFAULT_NAME,
    domain: str = DEFAULT_DOMAIN,
    version: str = DEFAULT_VERSION,
    prompts: PromptLibrary | None = None,
) -> dict[str, bytes]:
    """The files of the package by name, manifest.json first."""
    library = prompts or PromptLibrary.with_override(None)
    manifest = build_manifest(app_id, name=name, domain=domain, version=version,
                              prompts=library)
    color, outline = icons()
    files = {"manifest.json": _json(manifest)}
    for locale in _translations():
        translation = build_translation(locale, name=name, prompts=library)
        files[_language_file(locale)] = _json(translation)
    files[COLOR_ICON], files[OUTLINE_ICON] = color, outline
    return files


def write_package(
    path: Path,
    app_id: str,
    *,
    name: str = DEFAULT_NAME,
    domain: str = DEFAULT_DOMAIN,
    version: str = DEFAULT_VERSION,
    prompts: PromptLibrary | None = None,
) -> Sequence[str]:
    """Write the zip Teams uploads (files at its root, fixed times) and name what is in it.

    Everything is checked before the file is opened, so a refused argument leaves no zip.
    """
    files = package_files(app_id, name=name, domain=domain, version=version, prompts=prompts)
    with zipfile.ZipFile(path, "w") as archive:
        for filename, content in files.items():
            entry = zipfile.ZipInfo(filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content)
    return tuple(files)
