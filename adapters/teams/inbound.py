"""Teams activities (plain JSON) as the engine's InboundEvent.

A text message, an Adaptive Card's `Action.Submit` (the activity's `value`) and an
`Action.Execute` invoke (`adaptiveCard/action`) all become events; the card's data carries
the question's ref. Teams ids: the person is `from.id`, the workspace the tenant, and a
channel thread's root message id follows `;messageid=` in the conversation id.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.teams.cards import CHOICE_INPUT, LABEL, REF, VALUE
from bot.core.messages import Address, InboundEvent

PLATFORM = "teams"
CARD_ACTION = "adaptiveCard/action"
MAX_NAME_CHARS = 256
_MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")

Json = Mapping[str, Any]


def well_formed(activity: Json) -> bool:
    """Whether `channelData`, which the SDK passes on as it came, is shaped like Teams':
    an object, with objects for the tenant, the team and the channel."""
    data = activity.get("channelData")
    if data is None:
        return True
    return isinstance(data, Mapping) and all(
        isinstance(data.get(key) or {}, Mapping) for key in ("tenant", "team", "channel"))


def with_short_names(activity: dict[str, Any]) -> dict[str, Any]:
    """The activity with account names cut to what Azure AD allows (256 characters).

    Why: the SDK copies the sender's account, name and all, into every reply's `recipient`
    and into the stored conversation reference, so a forged name of 40,000 bytes would make
    every reply larger than Teams takes (its limit is 28 KB a message) and so refused.
    https://learn.microsoft.com/en-us/graph/api/resources/user (displayName: max 256)
    """
    out = dict(activity)
    for key in ("from", "recipient"):
        account = out.get(key)
        if isinstance(account, Mapping) and isinstance(account.get("name"), str) \
                and len(account["name"]) > MAX_NAME_CHARS:
            out[key] = {**account, "name": account["name"][:MAX_NAME_CHARS]}
    return out


def tenant_of(activity: Json) -> str:
    conversation = activity.get("conversation") or {}
    tenant = conversation.get("tenantId") or ((activity.get("channelData") or {})
                                              .get("tenant") or {}).get("id")
    return str(tenant or "")


def split_conversation(conversation_id: str) -> tuple[str, str | None]:
    """("19:…@thread.tacv2", "1700…") from a channel thread's conversation id."""
    base, _, rest = conversation_id.partition(";messageid=")
    return base, (rest or None)


def address_of(activity: Json) -> Address | None:
    person = (activity.get("from") or {}).get("id")
    conversation = (activity.get("conversation") or {}).get("id")
    if not isinstance(person, str) or not isinstance(conversation, str):
        return None
    base, thread = split_conversation(conversation)
    if (activity.get("conversation") or {}).get("conversationType") == "channel":
        thread = thread or str(activity.get("replyToId") or activity.get("id") or "") or None
    else:
        thread = None
    return Address(PLATFORM, tenant_of(activity), person, base, thread)


def _client_info(activity: Json) -> Json:
    for entity in activity.get("entities") or ():
        if isinstance(entity, Mapping) and entity.get("type") == "clientInfo":
            return entity
    return {}


def _language(locale: Any) -> str | None:
    return str(locale).split("-")[0].lower() if isinstance(locale, str) and locale else None


def _received(activity: Json) -> datetime | None:
    raw = activity.get("timestamp")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def plain_text(text: str) -> str:
    """What the person typed: the bot's @mention and Teams' HTML taken out."""
    return html.unescape(_TAG.sub("", _MENTION.sub("", text))).strip()


def card_data(activity: Json) -> Json | None:
    """The data of a card's submit, from a message (`Action.Submit`) or an invoke
    (`Action.Execute`)."""
    if activity.get("type") == "invoke":
        if activity.get("name") != CARD_ACTION:
            return None
        value = activity.get("value")
        action = value.get("action") if isinstance(value, Mapping) else None
        data = action.get("data") if isinstance(action, Mapping) else None
    else:
        data = activity.get("value")
    return data if isinstance(data, Mapping) else None


def event_of(activity: Json) -> InboundEvent | None:
    """The event in a message or card activity; None for anything else."""
    address = address_of(activity)
    if address is None:
        return None
    info = _client_info(activity)
    common: dict[str, Any] = {
        "address": address,
        "event_id": f"activity:{activity['id']}" if activity.get("id") else None,
        "display_name": (activity.get("from") or {}).get("name") or None,
        "locale": _language(activity.get("locale") or info.get("locale")),
        "timezone": info.get("timezone") or None,
        "received_at": _received(activity),
    }
    data = card_data(activity)
    if data is not None and data.get(REF):
        return _card_event(data, common)
    if activity.get("type") != "message":
        return None
    return InboundEvent(text=plain_text(str(activity.get("text") or "")), **common)


def _card_event(data: Json, common: dict[str, Any]) -> InboundEvent:
    ref = str(data[REF])
    if VALUE in data:
        return InboundEvent(value=str(data[VALUE]), reply_to=ref, **common)
    if CHOICE_INPUT in data:
        chosen = [v for v in str(data[CHOICE_INPUT] or "").split(",") if v]
        if data.get("lc_labels") and len(chosen) == 1 and not _multi(data):
            return InboundEvent(value=chosen[0], reply_to=ref, **common)
        return InboundEvent(values=tuple(chosen), reply_to=ref, **common)
    form = {str(k): str(v if v is not None else "") for k, v in data.items()
            if not str(k).startswith("lc_")}
    return InboundEvent(form=form, reply_to=ref, **common)


def _multi(data: Json) -> bool:
    return bool(data.get("lc_multi"))


def shown_choice(data: Json) -> str:
    """The choice in the words the person saw, for the answered card."""
    if LABEL in data:
        return str(data[LABEL])
    labels = data.get("lc_labels")
    labels = labels if isinstance(labels, Mapping) else {}
    if CHOICE_INPUT in data:
        chosen = [v for v in str(data[CHOICE_INPUT] or "").split(",") if v]
        return ", ".join(str(labels.get(v, v)) for v in chosen) or "–"
    return "✓"
