"""What every area of the `leercoach` command shares: exit codes, the runtime, finding the
organisation an `--organisation` option names, and the options several commands repeat.

Kept small and free of commands, so the area modules import it and never each other.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.people.directory import DEFAULT_ORGANISATION_SLUG, default_organisation
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Organisation

if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_USAGE = 2
EXIT_FAILURE = 1


def runtime_of(settings: Settings) -> Runtime:
    return open_runtime(settings)


class UnknownOrganisation(LookupError):
    """No organisation with the slug given to --organisation."""


def find_organisation(session: Session, settings: Settings, slug: str) -> Organisation:
    """The organisation by slug; the default one is created (with the starter catalog)."""
    found = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is not None:
        return found
    if slug == DEFAULT_ORGANISATION_SLUG:
        return default_organisation(session, settings)
    raise UnknownOrganisation(f"there is no organisation {slug!r}")


def find_organisation_id(runtime: Runtime, settings: Settings, slug: str) -> int:
    """The organisation's id by slug, in a transaction of its own (the default one is made
    when new), for commands that go on with Core statements."""
    with runtime.sessions() as session:
        found = find_organisation(session, settings, slug).id
        session.commit()
    return found


def organisation_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--organisation",
        default=DEFAULT_ORGANISATION_SLUG,
        metavar="SLUG",
        help=f"the organisation (default {DEFAULT_ORGANISATION_SLUG!r})",
    )


def utc(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
