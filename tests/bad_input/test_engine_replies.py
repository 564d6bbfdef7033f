"""Bad input through the engine: each gets a clear reply, never a crash, and leaves the dialog
and the answers given so far exactly as they were."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Message, Question, Scale, Text
from bot.core.prompts import WORD_JOINER, defuse_mentions
from bot.privacy.export import find_person
from bot.storage.models import Dialog, DiaryEntry, Person
from tests.conftest import Chat, joined

FAILURE = {
    "nl": "er ging aan mijn kant iets mis",
    "en": "something went wrong on my side",
}
EMPTY = {"nl": "Ik zie een leeg bericht", "en": "I see an empty message"}
TOO_LONG = {"nl": "Ik kan per antwoord alleen 4000 tekens bewaren",
            "en": "I can only keep 4000 characters per answer"}
SCALE_INVALID = {"nl": "Welk getal van 1 tot 5", "en": "Which number from 1 to 5"}
MOMENTS = {"nl": "Welke leermomenten waren er vandaag?",
           "en": "Which learning moments were there today?"}
DIARY = {"nl": "dagboek", "en": "diary"}
LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])


pytestmark = pytest.mark.usefixtures("no_failed_turns")  # every turn must succeed


# -- helpers ---------------------------------------------------------------------------------


def entries(database: Engine) -> list[DiaryEntry]:
    with Session(database) as session:
        return list(session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)))


def active(database: Engine) -> Dialog:
    with Session(database) as session:
        found = list(session.scalars(select(Dialog).where(Dialog.status == "active")))
    assert len(found) == 1
    return found[0]


def no_active(database: Engine) -> bool:
    with Session(database) as session:
        return not session.scalars(select(Dialog).where(Dialog.status == "active")).all()


def the(kind: type[Any], messages: list[Message]) -> Any:
    found = [m for m in messages if isinstance(m, kind)]
    assert len(found) == 1, messages
    return found[0]


def polite(messages: list[Message], locale: str = "nl") -> str:
    """The reply as text; it must say something and must not be the crash apology."""
    text = joined(messages)
    assert messages and text.strip()
    assert FAILURE[locale] not in text
    return text


def set_locale(engine: Coach, chat: Chat, locale: str) -> None:
    if locale != "nl":
        engine.set_locale(chat.address, locale)


def at_step(chat: Chat, step: str) -> dict[str, Any]:
    """Start a diary and answer up to `step`; returns the answers given."""
    given: dict[str, Any] = {}
    chat.say("dagboek")
    for name in ("moments", "approach", "learning"):
        if name == step:
            return given
        given[name] = f"Antwoord op {name}."
        chat.say(given[name])
    assert step == "value"
    return given


def finish_with_learning(chat: Chat, learning: str) -> list[Message]:
    """A whole diary with `learning` as the lesson; returns the closing messages."""
    chat.say("dagboek")
    chat.say("Een moment.")
    chat.say("Een aanpak.")
    chat.say(learning)
    return chat.say("3")


def known_person(chat: Chat) -> None:
    """Someone the coach already met (so plain text is not a first contact)."""
    chat.say("hallo")
    chat.say("stop")
    assert no_active(chat.engine.database)


# -- empty messages -------------------------------------------------------------------------

EMPTY_EVENTS = pytest.mark.parametrize(
    "fields",
    [
        {"text": ""},
        {"text": " "},
        {"text": "  \n\t  \r\n"},
        {"text": "\u00a0\u3000"},
        {},
    ],
    ids=["empty", "space", "whitespace", "unicode-space", "no-content"],
)


@EMPTY_EVENTS
@LOCALES
def test_empty_message_in_a_text_question(
    fields: dict[str, Any], locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    set_locale(engine, chat, locale)
    given = at_step(chat, "approach")
    assert EMPTY[locale] in polite(chat.send(**fields), locale)
    dialog = active(database)
    assert dialog.step_id == "approach"
    assert dialog.answers == given
    chat.say("Toch een antwoord.")
    assert active(database).answers["approach"] == "Toch een antwoord."


@EMPTY_EVENTS
def test_empty_message_on_the_scale(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    given = at_step(chat, "value")
    reply = chat.send(**fields)
    assert SCALE_INVALID["nl"] in polite(reply)
    assert the(Scale, reply).ref.endswith(".value")
    assert active(database).answers == given
    assert entries(database) == []


@EMPTY_EVENTS
def test_empty_message_on_a_choice(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    reply = chat.send(**fields)
    assert "Kies een van de opties" in polite(reply)
    assert the(Question, reply).choices
    assert active(database).step_id == "language"


@EMPTY_EVENTS
@LOCALES
def test_empty_message_outside_a_dialog(
    fields: dict[str, Any], locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    set_locale(engine, chat, locale)
    known_person(chat)
    assert EMPTY[locale] in polite(chat.send(**fields), locale)
    assert no_active(database)


@pytest.mark.parametrize("text", ["\x00", "\x00\x07\x1b", "\x7f\x85"])
def test_a_message_of_only_control_characters(
    text: str, chat: Chat, database: Engine
) -> None:
    known_person(chat)
    given = at_step(chat, "moments")
    assert EMPTY["nl"] in polite(chat.say(text))
    assert active(database).answers == given
    chat.say("stop")
    # outside a dialog it is answered politely too (as not understood) and starts nothing
    polite(chat.say(text))
    assert no_active(database)


def test_an_empty_first_message_still_gets_a_welcome(
    chat: Chat, database: Engine
) -> None:
    reply = chat.say("   ")
    assert "Welkom" in polite(reply)
    assert active(database).flow_id == "onboarding"


# -- long answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["moments", "approach", "learning"])
@LOCALES
def test_an_answer_over_the_limit_is_refused(
    step: str, locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    set_locale(engine, chat, locale)
    given = at_step(chat, step)
    text = polite(chat.say("x" * 4001), locale)
    assert TOO_LONG[locale] in text
    assert "4001" in text
    dialog = active(database)
    assert dialog.step_id == step
    assert dialog.answers == given
    assert entries(database) == []

    chat.say("Korter nu.")
    assert active(database).answers[step] == "Korter nu."


def test_exactly_the_limit_is_accepted(chat: Chat, database: Engine) -> None:
    long = "ab" * 2000
    closing = finish_with_learning(chat, long)
    assert long in polite(closing)
    [entry] = entries(database)
    assert entry.learning == long
    assert len(entry.learning) == 4000


def test_the_limit_counts_the_cleaned_text(chat: Chat, database: Engine) -> None:
    """Control characters and surrounding spaces do not count against the limit."""
    at_step(chat, "moments")
    chat.say("  " + "a" * 4000 + "\x00\x07" + "\n\n")
    assert active(database).answers["moments"] == "a" * 4000


@pytest.mark.parametrize(
    "text",
    ["😀" * 10_000, "👩‍💻" * 1334, "ش" * 4001, "\u200d" * 4001 + "a"],
    ids=["10000-emoji", "zwj-emoji", "arabic", "zero-width"],
)
def test_long_unicode_is_refused_politely(
    text: str, chat: Chat, database: Engine
) -> None:
    given = at_step(chat, "learning")
    reply = polite(chat.say(text))
    assert TOO_LONG["nl"] in reply
    dialog = active(database)
    assert (dialog.step_id, dialog.answers) == ("learning", given)


def test_a_step_limit_below_the_global_one(chat: Chat, database: Engine) -> None:
    chat.say("hallo")
    chat.say("1")
    reply = polite(chat.say("Europe/" + "x" * 100))
    assert "64" in reply
    assert active(database).step_id == "timezone"


# -- control characters are removed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("voor\x00na", "voorna"),
        ("\x1b[31mrood\x1b[0m gemaakt", "[31mrood[0m gemaakt"),
        ("bel\x07 bel", "bel bel"),
        ("tab\tblijft", "tab\tblijft"),
        ("regel een\r\nregel twee\rregel drie", "regel een\nregel twee\nregel drie"),
        ("a\x7f\x85\x9fb", "ab"),
        ("half \ud800 teken", "half \ufffd teken"),
    ],
    ids=["nul", "ansi-escape", "bell", "tab", "newlines", "c1-controls", "lone-surrogate"],
)
def test_control_characters_are_removed_before_storing(
    raw: str, stored: str, chat: Chat, database: Engine
) -> None:
    closing = polite(finish_with_learning(chat, raw))
    [entry] = entries(database)
    assert entry.learning == stored
    assert stored in closing
    for control in ("\x00", "\x1b", "\x07", "\r", "\ud800"):
        assert control not in closing
        assert control not in entry.learning


# -- unusual but legitimate text is kept verbatim ------------------------------------------


VERBATIM = [
    "Pair-programming 👩‍💻 ging goed 🎉🇳🇱👍🏽",
    "تعلمت أن أستمع أولاً ثم أتكلم",
    "למדתי להקשיב קודם ולדבר אחר כך",
    "mixed עברית and English و عربي",
    "normaal \u202egnirts\u202c terug",
    "zero\u200dwidth\u200cjoiner\u200bspace\u2060word\ufeffbom",
    "Ĉu ĝi funkcias? Ça marche, naïve café",
]


@pytest.mark.parametrize("text", VERBATIM, ids=[
    "emoji", "arabic", "hebrew", "mixed-rtl", "rlo-override", "zero-width", "accents"
])
@LOCALES
def test_unicode_is_stored_and_echoed_verbatim(
    text: str, locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    assert unicodedata.is_normalized("NFC", text)
    set_locale(engine, chat, locale)
    chat.say(DIARY[locale])
    chat.say(text)
    chat.say(text)
    chat.say(text)
    closing = polite(chat.say("5"), locale)
    assert f"“{text}”" in closing
    [entry] = entries(database)
    assert entry.moments == entry.approach == entry.learning == text


# -- template-looking text is never evaluated -----------------------------------------------


TEMPLATES = [
    "{{ 7*7 }}",
    "{% raw %}",
    "{{ config }}",
    "{% for x in range(10**9) %}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{# geen commentaar #} {{ name }} ${HOME} %s {0} {name}",
    "{% endif %}{% endfor %}}}",
]


@pytest.mark.parametrize("text", TEMPLATES)
@LOCALES
def test_template_text_is_stored_and_echoed_literally(
    text: str, locale: str, engine: Coach, chat: Chat, database: Engine
) -> None:
    set_locale(engine, chat, locale)
    chat.say(DIARY[locale])
    chat.say(text)
    chat.say("Aanpak.")
    chat.say(text)
    closing = polite(chat.say("2"), locale)
    assert f"“{text}”" in closing
    [entry] = entries(database)
    assert entry.moments == entry.learning == text


def test_seven_times_seven_stays_unevaluated(chat: Chat) -> None:
    closing = polite(finish_with_learning(chat, "{{ 7*7 }}"))
    assert "{{ 7*7 }}" in closing
    assert "49" not in closing


@pytest.mark.parametrize("name", ["{{ 7*7 }}", "{{7*7}}", "{% raw %}"])
def test_a_template_looking_display_name_is_not_evaluated(name: str, chat: Chat) -> None:
    reply = polite(chat.send(text="dagboek", display_name=name))
    assert "49" not in reply
    assert name.split(" ")[0] in reply


# -- mentions: stored as typed, echoed as plain text that cannot ping ------------------------


@pytest.mark.parametrize(
    "text",
    ["<!channel>", "@here", "<@U123>", "<!everyone> en @channel", "<#C123|algemeen> @ALL"],
)
def test_mentions_are_stored_verbatim_and_echoed_defused(
    text: str, chat: Chat, database: Engine
) -> None:
    """Stored exactly as typed; the echo is a plain Text in which the engine put an invisible
    word joiner (U+2060) after `<`/`@`, so it reads the same but no platform pings anyone."""
    closing = finish_with_learning(chat, text)
    polite(closing)
    [entry] = entries(database)
    assert entry.learning == text
    echoing = [m for m in closing if text in getattr(m, "text", "").replace(WORD_JOINER, "")]
    assert echoing
    assert all(type(m) is Text for m in echoing)
    for message in closing:
        assert text not in getattr(message, "text", "")
    assert f"“{defuse_mentions(text)}”" in joined(closing)


@pytest.mark.parametrize(
    "text",
    ["<at>Alice</at> <b>vet</b>", "[klik](https://example.com) *vet* _schuin_",
     "mail a@example.com of bel <06-12345678>", "1 < 2 > 0 & @ruud"],
)
def test_markup_is_stored_and_echoed_unchanged(
    text: str, chat: Chat, database: Engine
) -> None:
    closing = finish_with_learning(chat, text)
    polite(closing)
    echoing = [m for m in closing if text in getattr(m, "text", "")]
    assert echoing
    assert all(type(m) is Text for m in echoing)
    [entry] = entries(database)
    assert entry.learning == text


# -- the wrong kind of reply ----------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"form": {"moments": "Via een formulier"}}, {"form": {}}, {"values": ("a", "b")}],
    ids=["form", "empty-form", "values"],
)
def test_the_wrong_kind_of_reply_to_a_text_question(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    given = at_step(chat, "moments")
    polite(chat.send(**fields))
    dialog = active(database)
    assert (dialog.step_id, dialog.answers) == ("moments", given)
    assert entries(database) == []
    chat.say("Gewoon getypt.")
    assert active(database).answers == {"moments": "Gewoon getypt."}


@pytest.mark.parametrize(
    "fields", [{"form": {"moments": "Via een formulier"}}, {"values": ("a", "b")}],
    ids=["form", "values"],
)
def test_a_filled_form_is_not_called_an_empty_message(
    fields: dict[str, Any], chat: Chat
) -> None:
    at_step(chat, "moments")
    assert EMPTY["nl"] not in polite(chat.send(**fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"values": ("4",)},
        {"values": ("4", "5")},
        {"form": {"value": "4"}},
        {"value": "6"},
        {"value": "0"},
        {"text": "-1"},
        {"text": "zeven"},
        {"text": "99999999999999999999"},
        {"value": "4; DROP TABLE"},
    ],
    ids=lambda f: repr(f)[:30],
)
def test_a_bad_reply_to_the_scale(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    given = at_step(chat, "value")
    reply = chat.send(**fields)
    polite(reply)
    assert the(Scale, reply).ref.endswith(".value")
    dialog = active(database)
    assert (dialog.step_id, dialog.answers) == ("value", given)
    assert entries(database) == []
    chat.send(value="4")
    assert entries(database)[0].value == 4


@pytest.mark.parametrize(
    "fields",
    [{"value": "fr"}, {"text": "Klingon"}, {"text": "3"}, {"values": ("nl", "en")},
     {"value": "nl\x00"}],
    ids=["unknown-value", "unknown-text", "out-of-range", "values", "value-with-nul"],
)
def test_a_value_that_is_not_a_choice(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    reply = chat.send(**fields)
    if fields == {"value": "nl\x00"}:  # cleaned to a valid choice
        assert active(database).step_id == "timezone"
        return
    assert "Nederlands" in polite(reply)
    assert "English" in polite(reply)
    assert the(Question, reply).text.startswith("In welke taal")
    dialog = active(database)
    assert (dialog.step_id, dialog.answers) == ("language", {})
    with Session(database) as session:
        assert find_person(session, "alice").locale == "nl"


@pytest.mark.parametrize(
    "fields",
    [{"values": ("mon", "funday")}, {"text": "maandag, zomaar"}, {"text": "8"},
     {"values": ()}, {"value": "weekend"}],
    ids=["unknown-value", "unknown-word", "out-of-range", "no-values", "value"],
)
def test_a_bad_reply_to_a_multiple_choice(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    chat.say("1")
    chat.say("overslaan")
    reply = chat.send(**fields)
    assert "maandag" in polite(reply)
    assert the(Question, reply).multiple
    assert active(database).step_id == "workdays"
    with Session(database) as session:
        assert find_person(session, "alice").workdays == "mon,tue,wed,thu,fri"


@pytest.mark.parametrize("fields", [{"value": "misschien"}, {"text": "ja nee"}, {"text": "3"}])
def test_a_bad_reply_to_a_yes_no_question(
    fields: dict[str, Any], chat: Chat, database: Engine
) -> None:
    chat.say("hallo")
    for _ in range(4):
        chat.say("overslaan")
    assert active(database).step_id == "has_colleague"
    reply = chat.send(**fields)
    assert "ja of nee" in polite(reply)
    assert the(Question, reply).text.startswith("Heb je al een vaste collega")
    dialog = active(database)
    assert (dialog.step_id, dialog.answers) == ("has_colleague", {})


# -- SQL-looking text -----------------------------------------------------------------------


SQL = [
    "'; DROP TABLE diary_entries; --",
    "Robert'); DROP TABLE people;--",
    "\" OR 1=1 --",
    "1; DELETE FROM dialogs WHERE 1=1",
]


@pytest.mark.parametrize("text", SQL)
def test_sql_looking_text_is_stored_verbatim(
    text: str, chat: Chat, database: Engine
) -> None:
    chat.say("dagboek")
    chat.say(text)
    chat.say(text)
    chat.say(text)
    closing = polite(chat.say("1"))
    assert text in closing
    [entry] = entries(database)
    assert entry.moments == entry.approach == entry.learning == text
    tables = inspect(database).get_table_names()
    for table in ("diary_entries", "people", "dialogs"):
        assert table in tables
    # and everything still works afterwards
    finish_with_learning(chat, "Daarna gewoon verder.")
    assert len(entries(database)) == 2


@pytest.mark.parametrize("text", SQL)
def test_sql_looking_text_as_a_command_or_name(
    text: str, chat: Chat, database: Engine
) -> None:
    polite(chat.send(command=text, display_name=text))
    with Session(database) as session:
        assert session.scalars(select(Person.display_name)).one() == text


# -- the display name a platform sends ------------------------------------------------------


def test_control_characters_in_a_new_persons_display_name(
    chat: Chat, database: Engine
) -> None:
    reply = polite(chat.send(text="dagboek", display_name="Ann\x00a\x1b[31m"))
    assert "\x00" not in reply
    assert "\x1b" not in reply
    with Session(database) as session:
        assert find_person(session, "alice").display_name == "Anna[31m"


def test_a_lone_surrogate_in_a_new_persons_display_name(
    chat: Chat, database: Engine
) -> None:
    reply = polite(chat.send(text="dagboek", display_name="Bo\ud800b"))
    assert MOMENTS["nl"] in reply
    with Session(database) as session:
        assert find_person(session, "alice").display_name == "Bo\ufffdb"


def test_control_characters_in_a_known_persons_display_name(
    chat: Chat, database: Engine
) -> None:
    chat.say("hulp")
    reply = polite(chat.send(text="dagboek", display_name="Ann\x00a\x1b[31m\ud800"))
    assert "\x00" not in reply
    assert "\x1b" not in reply
    with Session(database) as session:
        assert find_person(session, "alice").display_name == "Anna[31m\ufffd"


def test_a_very_long_display_name_is_cut(chat: Chat, database: Engine) -> None:
    polite(chat.send(text="dagboek", display_name="x" * 1000))
    with Session(database) as session:
        assert len(find_person(session, "alice").display_name) == 200
