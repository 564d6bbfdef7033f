"""`dashboard` (or `mijn pagina`): a one-time link into the web pages, always in the DM.

Facilitators and admins land on the dashboard, everyone else on their own page (/me). The
link works once within 15 minutes (bot.people.web_access). Typed in a channel, the link
still goes to
the person's DM: a login link in a thread would let anyone in the channel in as them.
"""

from __future__ import annotations

from bot.core.messages import Message, Text
from bot.core.registry import ActionCall, PracticeHooks
from bot.people import web_access as access
from bot.people.roles import FACILITATING, role_of

hooks = PracticeHooks("web_link")


def login_url(public_url: str, token: str) -> str:
    return f"{public_url}/login/{token}"


@hooks.action("web_link", in_channel=True)
def _web_link(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    token = access.issue_link(turn.connection, turn.person.id, turn.now)
    page = "dashboard" if role_of(turn.connection, turn.person.id) in FACILITATING else "me"
    url = login_url(turn.settings.public_url, token)
    if turn.origin is not None:
        turn.tell(turn.person.id, f"web.link.{page}", url=url)
        return [Text(turn.text("web.link.sent_to_dm"))]
    return [Text(turn.text(f"web.link.{page}", url=url))]
