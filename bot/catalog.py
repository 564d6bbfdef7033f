"""The organisation's competence catalog, seeded from the bilingual starter in `prompts/`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.prompts import BUILTIN_DIR, PromptError
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
