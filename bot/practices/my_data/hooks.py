"""A person's data rights in the chat: `mijn gegevens` / `my data` and `verwijder mijn
gegevens` / `delete my data`.

The copy is exactly what `leercoach privacy export` gives (bot.privacy.export), sent as a File so
each adapter shows it its own way. Deleting asks first (prompts/flows/privacy_delete.toml):
only the explicit "Ja, verwijder alles" deletes, inside the turn, with bot.privacy.erasure. The
goodbye is the flow's outro and goes out after the commit; the turn then writes nothing of
the person back (TurnApi.forget), so saying goodbye brings nobody back.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bot.core.messages import File, Message
from bot.core.registry import ActionCall, Completion, PracticeHooks
from bot.privacy.erasure import delete_person
from bot.privacy.export import export_person
from bot.storage.models import Person

hooks = PracticeHooks("my_data")

DELETE_FLOW = "privacy_delete"
DELETE = "delete"
# Beyond this many characters a chat may not show the whole document: the person is told
# where to get all of it.
LARGE_EXPORT = 30_000


@hooks.action("my_data")
def _my_data(call: ActionCall) -> list[Message] | None:
    """Everything stored about the person, as the JSON document the CLI exports."""
    turn = call.turn
    session = Session(bind=turn.connection)
    try:
        person = session.get(Person, turn.person.id)
        assert person is not None, "the turn's person is in the database"
        data = export_person(session, person)
    finally:
        session.close()
    content = json.dumps(data, ensure_ascii=False, indent=2)
    text = turn.text("privacy.export", large=len(content) > LARGE_EXPORT)
    return [File(text, turn.text("privacy.file_name"), content, "application/json")]


@hooks.on_complete(DELETE_FLOW)
def _delete(done: Completion) -> dict[str, Any]:
    if done.dialog.answers.get("confirm") != DELETE:
        return {"outcome": "kept"}
    person = done.person
    # The goodbye is the last word: no offer to get to know each other after it.
    person.onboarding_offered_at = person.onboarding_offered_at or done.now
    delete_person(done.connection, person.id, done.now)
    done.turn.forget()
    return {"outcome": "deleted"}
