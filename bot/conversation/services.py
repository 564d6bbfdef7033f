"""What the Coach and every Turn share: the registry, the prompts, the settings and the caches.

One `Services` object is built where the application is wired (bot.runtime) and handed to the
Coach, which hands it to each Turn; like bolt's App or python-telegram-bot's Application, it is
the one place a turn reaches outside its transaction. The Turn therefore never calls back into
the Coach, and neither imports the other's module.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from bot import clock as wall_clock
from bot.config import Settings
from bot.core.prompts import BUILTIN_DIR, PromptError, PromptLibrary
from bot.core.registry import Registry
from bot.core.validators import VALIDATORS
from bot.due import schedule_store
from bot.due.organisation_calendar import CalendarCache
from bot.people import directory as people
from bot.people.directory import OrganisationDefaults
from bot.people.preferences import APPLIERS
from bot.storage.turn_store import PersonState

log = logging.getLogger("leercoach.engine")

ORGANISATION_CACHE_SECONDS = 60.0


def check_references(prompts: PromptLibrary, registry: Registry) -> None:
    """Every validator, choice source, setting and handler a flow names exists in code."""
    for command in prompts.commands:
        if command.action and command.action not in registry.actions:
            raise PromptError(f"command {command.name}: unknown action {command.action!r}")
    for flow_id in prompts.flow_ids:
        flow = prompts.flow(flow_id)
        if flow.on_complete and flow.on_complete not in registry.completions:
            raise PromptError(f"flow {flow_id}: unknown on_complete {flow.on_complete!r}")
        if flow.then and flow.then not in prompts.flow_ids:
            raise PromptError(f"flow {flow_id}: then names unknown flow {flow.then!r}")
        for step in flow.steps:
            if step.validate and step.validate not in VALIDATORS:
                raise PromptError(f"flow {flow_id}: unknown validator {step.validate!r}")
            if step.choices_from and step.choices_from not in registry.choice_sources:
                raise PromptError(f"flow {flow_id}: unknown choices_from {step.choices_from!r}")
            if step.applies and step.applies not in APPLIERS:
                raise PromptError(f"flow {flow_id}: unknown setting {step.applies!r}")
            if step.review and step.review not in registry.reviewers:
                raise PromptError(f"flow {flow_id}: unknown reviewer {step.review!r}")
            if step.ask and step.ask not in registry.follow_ups:
                raise PromptError(f"flow {flow_id}: unknown follow-up {step.ask!r}")


class Services:
    """The registry, prompts, settings, clock and caches that outlive a turn."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        *,
        clock: Callable[[], datetime] | None = None,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.clock = clock or wall_clock.now
        self.prompts = prompts or PromptLibrary.with_override(settings.prompts_dir)
        check_references(self.prompts, registry)
        self.calendars = CalendarCache()
        self._organisations: dict[int, tuple[float, OrganisationDefaults]] = {}
        self._workspaces: dict[tuple[str, str], OrganisationDefaults] = {}
        self._folder_prompts: dict[str, PromptLibrary] = {}

    def organisation(
        self, session: Callable[[], Session], organisation_id: int
    ) -> OrganisationDefaults:
        stamp = time.monotonic()
        cached = self._organisations.get(organisation_id)
        if cached and stamp - cached[0] < ORGANISATION_CACHE_SECONDS:
            return cached[1]
        found = people.organisation_by_id(session(), organisation_id)
        if found is None:
            raise LookupError(f"organisation {organisation_id} does not exist")
        self._organisations[organisation_id] = (stamp, found)
        return found

    def organisation_for_workspace(
        self, session: Callable[[], Session], platform: str, tenant: str
    ) -> OrganisationDefaults:
        cached = self._workspaces.get((platform, tenant))
        if cached is not None:
            return cached
        return people.organisation_for(session(), self.settings, platform, tenant)

    def remember_workspace(self, platform: str, tenant: str, org: OrganisationDefaults) -> None:
        """Cache a workspace's organisation, only once it is committed."""
        self._workspaces[(platform, tenant)] = org

    def prompts_for(self, organisation: OrganisationDefaults) -> PromptLibrary:
        """The organisation's prompts: its override folder over ours."""
        folder = organisation.prompts_dir
        if not folder:
            return self.prompts
        library = self._folder_prompts.get(folder)
        if library is None:
            try:
                base = [BUILTIN_DIR, *([self.settings.prompts_dir] if self.settings.prompts_dir
                                       else [])]
                library = PromptLibrary([*base, Path(folder)])
                check_references(library, self.registry)
            except PromptError:
                log.exception("organisation prompts folder %s is unusable; using defaults",
                              folder)
                library = self.prompts
            self._folder_prompts[folder] = library
        return library

    def reschedule(self, connection: Connection, person: PersonState, now: datetime) -> None:
        """A setting that decides when the person is due changed: recompute, same commit.

        People created in a turn are registered by the next sweep instead, which keeps
        the first message of a newcomer cheap.
        """
        calendar = schedule_store.PersonCalendar(
            person.id, person.organisation_id, person.timezone, person.workdays,
            person.diary_time, person.status, person.paused_until,
        )
        schedule_store.register(
            connection, [calendar], self.calendars, self.settings.periodic_time, now
        )
