"""Installs over real HTTP on loopback: OAuth into a workspace of an Enterprise Grid
organisation and org-wide into a whole organisation, and what `app_uninstalled` and
`tokens_revoked` leave behind (nothing of the tokens they name).

Payload shapes: https://api.slack.com/enterprise/apps/reference (oauth.v2.access and the
event envelope of an org-wide app), https://api.slack.com/events/app_uninstalled,
https://api.slack.com/events/tokens_revoked.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.slack.installations import ThreadedInstallationStore
from bot.core.messages import Address, Outbound, Text
from bot.runtime import Runtime
from tests.rigs.slack_installs import GRID, OAUTH, ORG, api_for, install
from tests.rigs.slack_mock import Workspace
from tests.rigs.slack_rig import SlackRig, dm, slack_rig


def grid_event(body: dict[str, Any], ws: Workspace, team: str) -> dict[str, Any]:
    """An Events API envelope as Slack sends it to an app in an Enterprise Grid: the
    organisation's id, and `authorizations[0]` naming the install (org-wide: no team)."""
    body["team_id"] = team
    body["event"]["team"] = team
    body["enterprise_id"] = ws.enterprise_id
    body["is_ext_shared_channel"] = False
    body["authorizations"] = [{
        "enterprise_id": ws.enterprise_id,
        "team_id": None if ws.is_enterprise_install else team,
        "user_id": ws.bot_user_id, "is_bot": True,
        "is_enterprise_install": ws.is_enterprise_install,
    }]
    return body


def store_of(rig: SlackRig) -> ThreadedInstallationStore:
    store = rig.adapter.bolt.installation_store
    assert isinstance(store, ThreadedInstallationStore)
    return store


def rows(store: ThreadedInstallationStore, table: str, **where: Any) -> int:
    found = getattr(store.store, table)
    query = select(func.count()).select_from(found)
    for name, value in where.items():
        query = query.where(found.c[name].is_(None) if value is None else
                            found.c[name] == value)
    with store.store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())




def test_an_install_in_a_grid_workspace_is_found_for_replies_and_nudges(
        runtime: Runtime) -> None:
    async def main() -> None:
        async with slack_rig(runtime, OAUTH, api=api_for(GRID)) as rig:
            await install(rig)
            assert rows(store_of(rig), "bots", team_id="T0GRIDWS", enterprise_id="E0GRID")
            await rig.post_json(grid_event(dm("dagboek", team="T0GRIDWS"), GRID, "T0GRIDWS"))
            post = (await rig.posts(1))[0]
            assert post.token and post.token.startswith("xoxb-T0GRIDWS")
            # the outbox's sender looks the workspace up by its id alone
            await rig.adapter.sender.send(
                Outbound(Address("slack", "T0GRIDWS", "U7", ""), Text("Tijd voor je dagboek")))
            assert rig.api.calls_to("chat.postMessage")[-1].params["channel"] == "DU7"

    asyncio.run(main())


def test_an_org_wide_install_answers_every_granted_workspace(runtime: Runtime) -> None:
    async def main() -> None:
        api = api_for(ORG)
        async with slack_rig(runtime, OAUTH, api=api) as rig:
            await install(rig)
            store = store_of(rig)
            assert rows(store, "bots", team_id=None, enterprise_id="E0ORG",
                        is_enterprise_install=True) == 1
            await rig.post_json(grid_event(dm("dagboek", user="W1", team="T0ORGWS2"), ORG,
                                           "T0ORGWS2"))
            post = (await rig.posts(1))[0]
            assert post.token and post.token.startswith("xoxb-T0ORGHOME")
            assert post.params["channel"] == "DW1"
            token = post.token
        api.tokens[token] = ORG
        # After a restart nothing was learned yet: a nudge to another granted workspace
        # finds the org-wide install through auth.teams.list.
        async with slack_rig(runtime, OAUTH, api=api) as rig:
            await rig.adapter.sender.send(
                Outbound(Address("slack", "T0ORGWS1", "W2", ""), Text("Tijd voor je dagboek")))
            assert rig.api.calls_to("auth.teams.list")
            assert rig.api.calls_to("chat.postMessage")[-1].token == token

    asyncio.run(main())


def test_app_uninstalled_deletes_every_token_of_that_workspace(
        runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with slack_rig(runtime, OAUTH, api=api_for(GRID)) as rig:
            await install(rig)
            store = store_of(rig)
            assert rows(store, "bots") == 1 and rows(store, "installations") == 1
            with caplog.at_level(logging.INFO, logger="leercoach.slack"):
                body = {"token": "XXYYZZ", "team_id": "T0GRIDWS", "api_app_id": "A0LEERAPP",
                        "event": {"type": "app_uninstalled"}, "type": "event_callback",
                        "event_id": "EvUNINSTALL1", "event_time": 1234567890}
                response = await rig.post_json(grid_event(body, GRID, "T0GRIDWS"))
                assert response.status == 200
                await _until(lambda: any("uninstalled" in r.getMessage()
                                         for r in caplog.records))
            assert rows(store, "bots") == 0 and rows(store, "installations") == 0
            lines = [r for r in caplog.records if "uninstalled" in r.getMessage()]
            assert len(lines) == 1 and "T0GRIDWS" in lines[0].getMessage()
            # the workspace gets no more replies: bolt finds no install
            await rig.post_json(grid_event(dm("dagboek", team="T0GRIDWS"), GRID, "T0GRIDWS"))
            await asyncio.sleep(0.3)
            assert rig.api.calls_to("chat.postMessage") == []

    asyncio.run(main())


def test_an_org_wide_uninstall_deletes_the_organisations_token(runtime: Runtime) -> None:
    async def main() -> None:
        async with slack_rig(runtime, OAUTH, api=api_for(ORG)) as rig:
            await install(rig)
            store = store_of(rig)
            body = {"token": "XXYYZZ", "team_id": "T0ORGWS1", "api_app_id": "A0LEERAPP",
                    "event": {"type": "app_uninstalled"}, "type": "event_callback",
                    "event_id": "EvUNINSTALL2", "event_time": 1234567890}
            await rig.post_json(grid_event(body, ORG, "T0ORGWS1"))
            await _until(lambda: rows(store, "bots") == 0)
            assert rows(store, "installations") == 0
            assert await store.bot_token("T0ORGWS1") is None

    asyncio.run(main())


def test_tokens_revoked_deletes_only_the_tokens_it_lists(runtime: Runtime) -> None:
    from datetime import UTC, datetime

    from slack_sdk.oauth.installation_store import Installation

    async def main() -> None:
        async with slack_rig(runtime, OAUTH, api=api_for(GRID)) as rig:
            store = store_of(rig)
            # an install with a bot token and the installer's own user token
            await store.async_save(Installation(
                app_id="A0LEERAPP", enterprise_id="E0GRID", team_id="T0GRIDWS",
                user_id="U0INSTALLER", user_token="xoxp-installer", user_scopes=["identify"],
                bot_token="xoxb-grid-bot", bot_id="B0LEERBOT", bot_user_id="U0LEERBOT",
                bot_scopes=["chat:write"], installed_at=datetime(2026, 3, 1, tzinfo=UTC)))

            def revoked(tokens: dict[str, list[str]], event_id: str) -> dict[str, Any]:
                return grid_event({
                    "token": "XXYYZZ", "team_id": "T0GRIDWS", "api_app_id": "A0LEERAPP",
                    "event": {"type": "tokens_revoked", "tokens": tokens},
                    "type": "event_callback", "event_id": event_id,
                    "event_time": 1234567890}, GRID, "T0GRIDWS")

            await rig.post_json(revoked({"oauth": ["U0INSTALLER"], "bot": []}, "EvREV1"))
            found = store.store.installations

            def user_token() -> Any:
                with store.store.engine.connect() as connection:
                    return connection.execute(select(found.c.user_token)).scalar()

            await _until(lambda: user_token() is None)
            assert await store.bot_token("T0GRIDWS") == "xoxb-grid-bot"  # not listed: kept

            await rig.post_json(revoked({"bot": ["U0LEERBOT"]}, "EvREV2"))
            await _until(lambda: rows(store, "bots") == 0)
            assert rows(store, "installations") == 0  # nothing left in it
            assert await store.bot_token("T0GRIDWS") is None

    asyncio.run(main())


async def _until(condition: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
