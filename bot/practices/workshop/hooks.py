"""The workshop kit in a channel (seed 002, learning by doing): exercises a facilitator puts
in front of the group.

`oefening NAAM` / `exercise NAME`, typed in the channel (Slack: /leercoach; Teams:
@Leercoach), posts the exercise there for someone with the facilitator role (bot.people.roles);
without a name, or with one the coach does not know, it lists the exercises. An exercise is
a short series of questions (awareness, learning culture, my learning, mistakes, the
hands-on experiment) answered in the thread, or of statements to judge: eens / oneens /
weet niet. The first item comes with the post; the facilitator's buttons post the next one
in the thread, one at a time, so the group keeps the pace of the room.

One vote per person per statement; pressing again changes it. The voter hears back in their
DM, so nothing about a vote shows in the channel. `anoniem` after the name (or
`anonymous = "ja"` in the definition) keeps names out of the results; otherwise the results
say who voted what, and the post tells so before anyone votes. Closing posts the results in
the channel, with counts and a small text bar chart; the facilitator gets the thread's
answers in their DM, without names, for their notes.

The exercises are texts (prompts/texts/<locale>/workshop.toml), so an organisation adapts
them without code. Which exercises there are, whether they are statements and how many
items they have is read in the default language, so every language counts the same items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from bot.core.messages import Address, Choice, Message, Notice, Outbound, Question, Text
from bot.core.prompts import DEFAULT_LOCALE, LOCALES, PromptLibrary
from bot.core.registry import ActionCall, ChannelEvent, PracticeHooks, TurnApi
from bot.core.text_input import clean_text
from bot.people.directory import dm_address
from bot.people.roles import may_facilitate
from bot.storage.models import Person, WorkshopResponse, WorkshopRun, table_of
from bot.storage.turn_store import PersonState

hooks = PracticeHooks("workshop")

PREFIX = "exercise"
QUESTIONS, STATEMENTS = "questions", "statements"
VOTES = ("agree", "disagree", "unsure")
OPEN, CLOSED = "open", "closed"
ANONYMOUS_WORDS = frozenset({"anoniem", "anonymous", "anon", "anonymously"})
YES = frozenset({"ja", "yes", "true", "1"})
MAX_ITEMS = 20  # a workshop exercise, not a questionnaire
BAR = "█"
BAR_WIDTH = 12
MAX_ANSWER = 4000

_runs = table_of(WorkshopRun)
_responses = table_of(WorkshopResponse)
_people = table_of(Person)


# -- the exercises, from prompts ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise as the organisation's prompts define it."""

    code: str
    kind: str  # questions | statements
    count: int
    anonymous: bool

    @property
    def key(self) -> str:
        return f"workshop.exercise.{self.code}"


def _text(prompts: PromptLibrary, key: str, locale: str, **variables: Any) -> str:
    """A text that may be missing (an organisation's own prompts): empty then."""
    if not (prompts.has_text(key, locale) or prompts.has_text(key)):
        return ""
    return prompts.render(key, locale, **variables)


def exercises(prompts: PromptLibrary) -> list[Exercise]:
    """The exercises in the order of `workshop.exercises`; one without a name, a title or
    items is left out rather than posted half."""
    found: list[Exercise] = []
    for code in _text(prompts, "workshop.exercises", DEFAULT_LOCALE).split():
        base = f"workshop.exercise.{code}"
        kind = STATEMENTS if prompts.has_text(f"{base}.{STATEMENTS}.1") else QUESTIONS
        count = 0
        while count < MAX_ITEMS and prompts.has_text(f"{base}.{kind}.{count + 1}"):
            count += 1
        if not count or not prompts.has_text(f"{base}.name") or not prompts.has_text(
                f"{base}.title"):
            continue
        flag = _text(prompts, f"{base}.anonymous", DEFAULT_LOCALE).strip().lower()
        found.append(Exercise(code, kind, count, flag in YES))
    return found


def _normal(words: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", words.lower().replace("_", " ")).split())


def find(prompts: PromptLibrary, name: str) -> Exercise | None:
    """The exercise called `name`, by its code or by its name or aliases in any language."""
    wanted = _normal(name)
    if not wanted:
        return None
    for exercise in exercises(prompts):
        names = {_normal(exercise.code)}
        for locale in LOCALES:
            names.add(_normal(_text(prompts, f"{exercise.key}.name", locale)))
            aliases = _text(prompts, f"{exercise.key}.aliases", locale)
            names.update(_normal(alias) for alias in aliases.split(","))
        if wanted in names:
            return exercise
    return None


def bar_chart(rows: Sequence[tuple[str, int]], width: int = BAR_WIDTH) -> list[str]:
    """`Eens      ██████ 6`: a block per vote, scaled down once the longest bar would pass
    `width`; labels padded so that the bars start together."""
    if not rows:
        return []
    pad = max(len(label) for label, _ in rows)
    top = max(count for _, count in rows)
    lines = []
    for label, count in rows:
        blocks = count if top <= width else max(1 if count else 0, round(count * width / top))
        bar = f"{BAR * blocks} " if blocks else ""
        lines.append(f"{label.ljust(pad)} {bar}{count}")
    return lines


# -- launching ---------------------------------------------------------------------------------


def _parse(arguments: str) -> tuple[str, bool]:
    """The exercise's name, and whether `anoniem` was said anywhere after the command."""
    words = arguments.split()
    anonymous = any(_normal(word) in ANONYMOUS_WORDS for word in words)
    return " ".join(w for w in words if _normal(w) not in ANONYMOUS_WORDS), anonymous


@hooks.action("workshop", in_channel=True)
def _workshop(call: ActionCall) -> list[Message] | None:
    name, anonymous = _parse(call.arguments)
    found = find(call.turn.prompts, name) if name else None
    if name and found is None and call.dialog is not None:
        return None  # 'oefening gedaan met de klant' answers the open question
    return _launch(call.turn, found, name, anonymous)


@hooks.action("workshop_statements", in_channel=True)
def _statements(call: ActionCall) -> list[Message] | None:
    """`stellingen anoniem`: short for `oefening stellingen anoniem`."""
    rest, anonymous = _parse(call.arguments)
    if rest and call.dialog is not None:
        return None
    polls = [e for e in exercises(call.turn.prompts) if e.kind == STATEMENTS]
    found = None if rest or not polls else find(call.turn.prompts, STATEMENTS) or polls[0]
    return _launch(call.turn, found, rest, anonymous)


def _launch(turn: TurnApi, found: Exercise | None, name: str,
            anonymous: bool) -> list[Message]:
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return [Text(turn.text("workshop.not_facilitator"))]
    if found is None:
        return [Text(_listing(turn, name))]
    channel = turn.origin
    if channel is None:
        return [Text(turn.text("workshop.need_channel",
                               name=turn.text(f"{found.key}.name")))]
    run_id = int(turn.connection.execute(_runs.insert().values(
        organisation_id=turn.person.organisation_id, exercise=found.code, kind=found.kind,
        item_count=found.count, current=1, platform=channel.platform, tenant=channel.tenant,
        conversation=channel.conversation, locale=turn.locale,
        anonymous=found.kind == STATEMENTS and (anonymous or found.anonymous), state=OPEN,
        started_by=turn.person.id, created_at=turn.now,
    ).returning(_runs.c.id)).scalar_one())
    run = turn.connection.execute(select(_runs).where(_runs.c.id == run_id)).one()
    lead = turn.prompts.render("workshop.post", run.locale, title=_title(turn, run),
                               intro=_text(turn.prompts, f"{found.key}.intro", run.locale),
                               statements=run.kind == STATEMENTS, anonymous=run.anonymous)
    turn.post(channel, _item(turn.prompts, run, 1, lead), anchor=f"{PREFIX}:{run_id}")
    return [Text(turn.text("workshop.launched", title=_title(turn, run)))]


def _listing(turn: TurnApi, unknown: str) -> str:
    shown = [{"name": turn.text(f"{e.key}.name"), "title": turn.text(f"{e.key}.title"),
              "count": e.count, "statements": e.kind == STATEMENTS}
             for e in exercises(turn.prompts)]
    return turn.text("workshop.list", exercises=shown, unknown=unknown[:80])


def _title(turn: TurnApi, run: Any) -> str:
    return _text(turn.prompts, f"workshop.exercise.{run.exercise}.title", run.locale)


def _item_text(prompts: PromptLibrary, run: Any, number: int) -> str:
    return _text(prompts, f"workshop.exercise.{run.exercise}.{run.kind}.{number}",
                 run.locale) or "…"


def _item(prompts: PromptLibrary, run: Any, number: int, lead: str = "") -> Question:
    """Item `number` as a post, with the votes (statements) and the facilitator's buttons;
    the last item's button finishes the exercise."""
    locale = run.locale
    statements = run.kind == STATEMENTS
    body = prompts.render("workshop.statement" if statements else "workshop.question",
                          locale, number=number, count=run.item_count,
                          text=_item_text(prompts, run, number))
    choices = [Choice(f"vote:{number}:{vote}", prompts.render(f"workshop.{vote}", locale))
               for vote in (VOTES if statements else ())]
    if number >= run.item_count:
        choices.append(Choice(f"next:{number}", prompts.render("workshop.button_finish",
                                                               locale)))
    else:
        following = "statement" if statements else "question"
        choices += [Choice(f"next:{number}",
                           prompts.render(f"workshop.button_next_{following}", locale)),
                    Choice("close", prompts.render("workshop.button_close", locale))]
    return Question(text=f"{lead}\n\n{body}" if lead else body, ref=f"{PREFIX}:{run.id}",
                    choices=tuple(choices))


@hooks.on_anchor(PREFIX)
def _posted(connection: Connection, run_id: int, thread: str) -> None:
    connection.execute(update(_runs).where(_runs.c.id == run_id).values(thread=thread))


# -- the thread and the buttons ------------------------------------------------------------


@hooks.on_press(PREFIX)
def _exercise_pressed(channel: ChannelEvent, run_id: int) -> list[Outbound]:
    run = channel.turn.connection.execute(select(_runs).where(_runs.c.id == run_id)).first()
    if run is None:
        channel.enter()
        return [Outbound(channel.event.address, Notice(channel.turn.text("workshop.over")))]
    return _pressed(channel, run, channel.event.value or "")


@hooks.thread_handler
def _exercise_thread(channel: ChannelEvent) -> list[Outbound] | None:
    event = channel.event
    connection = channel.turn.connection
    address = event.address
    text = event.text or ""
    run = connection.execute(select(_runs).where(
        _runs.c.platform == address.platform, _runs.c.tenant == address.tenant,
        _runs.c.thread == address.thread)).first()
    if run is None:
        return None
    if not event.ambient and channel.turn.prompts.command_for(text) is not None:
        return None  # a command for the coach, typed in the thread: the engine takes it
    return _answer(channel, run, clean_text(text))


def _channel(run: Any) -> Address:
    return Address(run.platform, run.tenant, "", run.conversation)


def _thread(run: Any) -> Address:
    """The exercise's thread; the channel itself while its post's id is unknown."""
    return Address(run.platform, run.tenant, "", run.conversation, run.thread)


def _answer(channel: ChannelEvent, run: Any, text: str) -> list[Outbound]:
    if not text or run.state != OPEN:
        return []
    person = channel.enter()
    channel.turn.connection.execute(_responses.insert().values(
        run_id=run.id, item=run.current, person_id=person.id, kind="answer",
        text=text[:MAX_ANSWER], created_at=channel.turn.now))
    return []


def _pressed(channel: ChannelEvent, run: Any, value: str) -> list[Outbound]:
    person = channel.enter()
    turn = channel.turn
    own = dm_address(person)  # what is for the presser alone goes to their DM
    if run.state != OPEN:
        return [Outbound(own, Notice(turn.text("workshop.over")))]
    if value.startswith("vote:"):
        return _vote(turn, run, person, value)
    if person.id != run.started_by and not may_facilitate(turn.connection, turn.settings,
                                                          person.id):
        return [Outbound(own, Notice(turn.text("workshop.not_steering")))]
    if value == "close":
        return _close(turn, run, person.id)
    number = value.removeprefix("next:")
    if not value.startswith("next:") or not number.isdigit() or int(number) != run.current:
        return []  # a second press on a button already acted on
    if run.current >= run.item_count:
        return _close(turn, run, person.id)
    following = run.current + 1
    turn.connection.execute(update(_runs).where(_runs.c.id == run.id).values(
        current=following))
    return [Outbound(_thread(run), _item(turn.prompts, run, following))]


def _vote(turn: TurnApi, run: Any, person: PersonState, value: str) -> list[Outbound]:
    _, number, choice = [*value.split(":"), "", ""][:3]
    if (run.kind != STATEMENTS or choice not in VOTES or not number.isdigit()
            or not 1 <= int(number) <= run.item_count):
        return []
    connection, item = turn.connection, int(number)
    mine = (_responses.c.run_id == run.id, _responses.c.item == item,
            _responses.c.person_id == person.id, _responses.c.kind == "vote")
    before = connection.execute(select(_responses.c.value).where(*mine)).first()
    if before is None:
        connection.execute(_responses.insert().values(
            run_id=run.id, item=item, person_id=person.id, kind="vote", value=choice,
            created_at=turn.now))
        key = "workshop.voted"
    elif before.value == choice:
        key = "workshop.vote_same"
    else:
        connection.execute(update(_responses).where(*mine).values(value=choice,
                                                                  created_at=turn.now))
        key = "workshop.vote_changed"
    said = turn.text(key, choice=turn.text(f"workshop.{choice}"), number=item,
                     anonymous=run.anonymous)
    return [Outbound(dm_address(person), Notice(said))]


# -- closing: the results --------------------------------------------------------------------


def _close(turn: TurnApi, run: Any, closer: int) -> list[Outbound]:
    connection = turn.connection
    connection.execute(update(_runs).where(_runs.c.id == run.id).values(
        state=CLOSED, closed_at=turn.now))
    title = _title(turn, run)
    if run.kind == STATEMENTS:
        text = _poll_results(turn, run, title)
    else:
        text = _answer_counts(turn, run, title)
    answers = _answers(connection, run.id)
    if answers:
        items = [{"number": n, "text": _item_text(turn.prompts, run, n),
                  "answers": answers.get(n, [])} for n in _shown(run)]
        for person_id in dict.fromkeys(p for p in (run.started_by, closer) if p is not None):
            turn.tell(person_id, "workshop.answers", title=title, items=items)
    return [Outbound(_channel(run), Text(text))]


def _shown(run: Any) -> range:
    """The items the group saw: closing early leaves the later ones out of the results."""
    return range(1, min(run.current, run.item_count) + 1)


def _answers(connection: Connection, run_id: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for row in connection.execute(
            select(_responses.c.item, _responses.c.text)
            .where(_responses.c.run_id == run_id, _responses.c.kind == "answer")
            .order_by(_responses.c.id)):
        found.setdefault(row.item, []).append(row.text or "")
    return found


def _answer_counts(turn: TurnApi, run: Any, title: str) -> str:
    rows = turn.connection.execute(
        select(_responses.c.item, _responses.c.person_id, _responses.c.id)
        .where(_responses.c.run_id == run.id, _responses.c.kind == "answer")).all()
    per_item = Counter(row.item for row in rows)
    chart = bar_chart([(turn.prompts.render("workshop.question_label", run.locale, number=n),
                        per_item[n]) for n in _shown(run)])
    people = {row.person_id if row.person_id is not None else -row.id for row in rows}
    return turn.prompts.render("workshop.summary_questions", run.locale, title=title,
                               people=len(people), answers=len(rows), chart=chart)


def _poll_results(turn: TurnApi, run: Any, title: str) -> str:
    """Counts and bars per statement; names only when the poll is not anonymous."""
    locale = run.locale
    votes = turn.connection.execute(
        select(_responses.c.id, _responses.c.item, _responses.c.value,
               _responses.c.person_id, _people.c.display_name)
        .join(_people, _people.c.id == _responses.c.person_id, isouter=True)
        .where(_responses.c.run_id == run.id, _responses.c.kind == "vote")
        .order_by(_responses.c.id)).all()
    labels = {vote: turn.prompts.render(f"workshop.{vote}", locale) for vote in VOTES}
    items = []
    for number in _shown(run):
        these = [v for v in votes if v.item == number]
        counts = Counter(v.value for v in these)
        names = [] if run.anonymous else [
            {"label": labels[vote],
             "names": [(v.display_name or "?").split(" ")[0] for v in these
                       if v.value == vote]}
            for vote in VOTES if counts[vote]]
        items.append({"number": number, "text": _item_text(turn.prompts, run, number),
                      "chart": bar_chart([(labels[vote], counts[vote]) for vote in VOTES]),
                      "names": names})
    voters = {v.person_id if v.person_id is not None else -v.id for v in votes}
    return turn.prompts.render("workshop.summary_statements", locale, title=title,
                               anonymous=run.anonymous, voters=len(voters), items=items)
