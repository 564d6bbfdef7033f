"""The Teams app package: a manifest Microsoft's schema accepts, texts within Teams' limits in
both languages, icons Teams accepts, and the same bytes for the same App ID."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from PIL import Image

from adapters.cli.main import main
from adapters.teams.package import (
    ACCENT_COLOR,
    MAX_COMMANDS,
    MAX_DESCRIPTION,
    MAX_TITLE,
    PackageError,
    build_manifest,
    build_translation,
    icons,
    package_files,
    write_package,
)
from bot.core.prompts import PromptLibrary

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "teams-manifest-1.29.schema.json"
# The keys the v1.29 localization schema allows for what this package translates.
LANGUAGE_KEYS = re.compile(
    r"^(\$schema|name\.short|name\.full|description\.short|description\.full"
    r"|bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.(title|description))$"
)


def _validator() -> Draft4Validator:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} is not there")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _problems(manifest: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in _validator().iter_errors(manifest)]


def test_the_manifest_validates_against_the_published_schema() -> None:
    manifest = build_manifest(APP_ID)
    assert _problems(manifest) == []
    assert manifest["$schema"].endswith("/teams/v1.29/MicrosoftTeams.schema.json")
    assert manifest["manifestVersion"] == "1.29"  # `const` is draft-06: checked here by hand
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["accentColor"] == ACCENT_COLOR == "#2F6B4F"
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == ["leercoach.example.org"]
    assert manifest["developer"]["privacyUrl"] == "https://leercoach.example.org/privacy"


def test_the_options_reach_the_manifest() -> None:
    manifest = build_manifest(APP_ID.upper(), name="Groeicoach", domain="Coach.Example.NL",
                              version="2.3.10")
    assert _problems(manifest) == []
    assert manifest["id"] == APP_ID
    assert manifest["name"]["short"] == "Groeicoach"
    assert manifest["name"]["full"].startswith("Groeicoach")
    assert "Groeicoach" in manifest["description"]["full"]
    assert manifest["version"] == "2.3.10"
    assert manifest["validDomains"] == ["coach.example.nl"]
    assert manifest["developer"]["termsOfUseUrl"] == "https://coach.example.nl/terms"


def test_dutch_in_the_manifest_english_in_a_language_file() -> None:
    manifest = build_manifest(APP_ID)
    english = build_translation("en")
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "nl",
        "additionalLanguages": [{"languageTag": "en", "file": "en.json"}],
    }
    assert "dagboek" in manifest["description"]["short"]
    assert "diary" in english["description.short"]
    assert english["$schema"].endswith("/teams/v1.29/MicrosoftTeams.Localization.schema.json")
    assert not [key for key in english if not LANGUAGE_KEYS.match(key)]
    for key in ("name.short", "description.short", "description.full"):  # required
        assert english[key]
    # Every translated command points at a command of the manifest, and all are translated.
    lists = manifest["bots"][0]["commandLists"]
    wanted = {f"bots[0].commandLists[{i}].commands[{j}].{part}"
              for i, listing in enumerate(lists) for j in range(len(listing["commands"]))
              for part in ("title", "description")}
    assert {key for key in english if key.startswith("bots")} == wanted


def test_commands_are_real_command_words_within_teams_limits() -> None:
    prompts = PromptLibrary.with_override(None)
    manifest = build_manifest(APP_ID)
    english = build_translation("en")
    lists = manifest["bots"][0]["commandLists"]
    assert [listing["scopes"] for listing in lists] == [["personal"], ["team"]]
    personal = {c["title"] for c in lists[0]["commands"]}
    assert personal == {"hulp", "dagboek", "weekplan", "maand", "contract", "jaar",
                        "overzicht", "pauze", "instellingen", "koppel mij"}
    seen_en = set()
    for i, listing in enumerate(lists):
        assert 0 < len(listing["commands"]) <= MAX_COMMANDS
        for j, command in enumerate(listing["commands"]):
            prefix = f"bots[0].commandLists[{i}].commands[{j}]"
            titles = (command["title"], english[f"{prefix}.title"])
            descriptions = (command["description"], english[f"{prefix}.description"])
            assert all(0 < len(title) <= MAX_TITLE for title in titles)
            assert all(0 < len(text) <= MAX_DESCRIPTION for text in descriptions)
            dutch, in_english = (prompts.command_for(title) for title in titles)
            assert dutch is not None and in_english is not None
            assert dutch.command.name == in_english.command.name
            assert dutch.arguments == in_english.arguments == ""
            seen_en.add(titles[1])
    assert {"help", "diary", "month", "year", "overview", "pause", "settings",
            "pair me"} <= seen_en


def test_icons_are_what_teams_accepts() -> None:
    color_png, outline_png = icons()
    color, outline = Image.open(io.BytesIO(color_png)), Image.open(io.BytesIO(outline_png))
    assert color.format == outline.format == "PNG"
    assert color.size == (192, 192) and color.mode in ("RGB", "RGBA")
    assert color.convert("RGB").getpixel((0, 0)) == (0x2F, 0x6B, 0x4F)
    colors = {rgb for _, rgb in color.convert("RGB").getcolors(192 * 192) or []}
    assert (255, 255, 255) in colors  # the white mark on the green
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert all(alpha == 0 or (r, g, b) == (255, 255, 255) for r, g, b, alpha in pixels)
    assert any(alpha == 255 for *_, alpha in pixels)  # a mark, not an empty square
    assert sum(alpha == 0 for *_, alpha in pixels) > len(pixels) // 3  # and transparent around


def test_the_command_writes_the_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEERCOACH_PROMPTS_DIR", raising=False)
    out = tmp_path / "leercoach-teams.zip"
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out),
                 "--domain", "coach.example.nl", "--version", "1.2.0"]) == 0
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "en.json", "manifest.json",
                                              "outline.png"]
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        english = json.loads(archive.read("en.json").decode("utf-8"))
        color = Image.open(io.BytesIO(archive.read(manifest["icons"]["color"])))
        outline = Image.open(io.BytesIO(archive.read(manifest["icons"]["outline"])))
    assert _problems(manifest) == []
    assert manifest["version"] == "1.2.0" and manifest["validDomains"] == ["coach.example.nl"]
    assert manifest["localizationInfo"]["additionalLanguages"][0]["file"] == "en.json"
    assert english == build_translation("en")
    assert (color.size, outline.size) == ((192, 192), (32, 32))


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--app-id", "leercoach-bot", "GUID"),
    ("--app-id", "3f2504e04f8911d39a0c0305e82c3301", "GUID"),
    ("--domain", "https://coach.example.nl/", "host name"),
    ("--version", "1.0", "MAJOR.MINOR.PATCH"),
    ("--name", "Een naam die echt veel te lang is voor Teams", "1 to 30"),
])
def test_a_wrong_argument_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, words: str
) -> None:
    out = tmp_path / "package.zip"
    arguments = {"--app-id": APP_ID, option: value}
    argv = ["teams-package", "--out", str(out)]
    for key, given in arguments.items():
        argv += [key, given]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("leercoach: ") and option in error and words in error
    assert value in error
    assert not out.exists()


def test_the_same_app_id_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = package_files(APP_ID), package_files(APP_ID)
    assert first["manifest.json"] == second["manifest.json"]
    assert first == second
    write_package(tmp_path / "a.zip", APP_ID)
    write_package(tmp_path / "b.zip", APP_ID)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    other = package_files("0f2504e0-4f89-11d3-9a0c-0305e82c3301")["manifest.json"]
    assert other != first["manifest.json"]


def test_an_organisations_texts_reach_the_package_and_are_checked(tmp_path: Path) -> None:
    (tmp_path / "texts" / "nl").mkdir(parents=True)
    teams = tmp_path / "texts" / "nl" / "teams.toml"
    teams.write_text('[teams_package]\ndescription_short = "Leren bij Acme."\n',
                     encoding="utf-8")
    manifest = build_manifest(APP_ID, prompts=PromptLibrary.with_override(tmp_path))
    assert manifest["description"]["short"] == "Leren bij Acme."
    teams.write_text('[teams_package.commands.diary]\ntitle = "schrijf"\n', encoding="utf-8")
    with pytest.raises(PackageError, match="not a word of the command 'diary'"):
        build_manifest(APP_ID, prompts=PromptLibrary.with_override(tmp_path))
    teams.write_text(f'[teams_package]\ndescription_short = "{"x" * 81}"\n', encoding="utf-8")
    with pytest.raises(PackageError, match="1 to 80 characters"):
        build_manifest(APP_ID, prompts=PromptLibrary.with_override(tmp_path))
