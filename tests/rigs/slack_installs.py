"""Slack installs as OAuth gives them: a workspace of an Enterprise Grid, an org-wide install,
and the install round trip."""

from __future__ import annotations

import re

from adapters.slack.config import SlackConfig
from tests.rigs.slack_mock import MockSlackApi, Workspace
from tests.rigs.slack_rig import SECRET, SlackRig

OAUTH = SlackConfig(signing_secret=SECRET, client_id="111.222", client_secret="shh")


GRID = Workspace(team_id="T0GRIDWS", team_name="Grid workspace", enterprise_id="E0GRID",
                 enterprise_name="Grid Org")


ORG = Workspace(team_id="T0ORGHOME", team_name="Org", enterprise_id="E0ORG",
                enterprise_name="Whole Org", is_enterprise_install=True,
                granted_teams=("T0ORGWS1", "T0ORGWS2"), bot_user_id="W0LEERBOT")


async def install(rig: SlackRig) -> None:
    """The OAuth flow as a browser runs it: /slack/install, then Slack's redirect."""
    async with rig.http.get(f"{rig.url}/slack/install") as page:
        html = await page.text()
        cookie = "; ".join(f"{k}={v.value}" for k, v in page.cookies.items())
    state = re.search(r"state=([^&\"']+)", html)
    assert state is not None
    async with rig.http.get(f"{rig.url}/slack/oauth_redirect",
                            params={"code": "code-1", "state": state.group(1)},
                            headers={"Cookie": cookie}) as done:
        assert done.status == 200


def api_for(ws: Workspace) -> MockSlackApi:
    api = MockSlackApi(users={"U1": {"real_name": "Anna"}, "W1": {"real_name": "Wim"}})
    api.oauth_workspace = ws
    return api
