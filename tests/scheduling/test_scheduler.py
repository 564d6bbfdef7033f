"""The scheduler and outbox against a real database (SQLite always, PostgreSQL when set).

Time is whatever the test says: sweeps and dispatches get an explicit `now`, and the engine
reads the same test clock, so nothing here depends on the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from adapters.slack.app import slack_limits
from bot.core.messages import Question, Text
from bot.outbox import deliveries as outbox
from bot.outbox.pacing import Pacer
from bot.outbox.sender import DeliveryFailed
from bot.storage.models import DayOff, Identity, Organisation, Person, Schedule
from tests.conftest import Chat, joined
from tests.rigs.scheduler_rig import DIARY_DUE, MONDAY, Rig, open_rig


@pytest.fixture
def make_rig(database_url: str) -> Iterator[Callable[..., Rig]]:
    """Rigs with other settings; all closed at the end of the test."""
    opened: list[Rig] = []

    def make(**overrides: object) -> Rig:
        opened.append(open_rig(database_url, **overrides))
        return opened[-1]

    yield make
    for rig in opened:
        rig.engine.close()
        rig.database.dispose()


@pytest.fixture
def rig(make_rig: Callable[..., Rig]) -> Rig:
    return make_rig()


def test_first_sweep_registers_people_and_nudges_at_their_local_time(rig: Rig) -> None:
    rig.person()
    first = rig.sweep(MONDAY.replace(hour=9))
    assert first.registered == 1 and first.due == 0
    assert rig.schedule().due_at == DIARY_DUE
    assert rig.sweep(DIARY_DUE - timedelta(minutes=1)).due == 0

    swept, sent = rig.tick(DIARY_DUE)
    assert [(e.kind, e.rhythm, e.local_date) for e in swept.enqueued] == [
        ("nudge", "diary", "2026-11-23")
    ]
    assert sent.count("sent") == 1
    assert any(isinstance(out.message, Question) for out in rig.platform.sent)
    assert rig.schedule().due_at == DIARY_DUE + timedelta(days=1)

    # A second sweep or a replica seeing the same moment: nothing new.
    again, _ = rig.tick(DIARY_DUE)
    assert again.enqueued == [] and len(rig.deliveries()) == 2  # the nudge and its reminder


def test_one_gentle_reminder_when_the_diary_stays_unanswered(rig: Rig) -> None:
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.tick(DIARY_DUE)
    reminder = [d for d in rig.deliveries() if d.kind == "reminder"]
    assert len(reminder) == 1
    assert reminder[0].next_attempt_at == DIARY_DUE + timedelta(minutes=120)

    before = len(rig.platform.sent)
    assert rig.dispatch(DIARY_DUE + timedelta(minutes=119)).outcomes == []
    result = rig.dispatch(DIARY_DUE + timedelta(minutes=120))
    assert result.count("sent") == 1
    reminded = joined([out.message for out in rig.platform.sent[before:]])
    assert "Nog even tijd voor je dagboek?" in reminded
    assert "Welke leermomenten waren er vandaag?" in reminded  # the open question again
    assert len([d for d in rig.deliveries() if d.kind == "reminder"]) == 1  # never a second


def test_no_reminder_once_the_diary_is_written(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.tick(DIARY_DUE)
    rig.clock.now = DIARY_DUE + timedelta(minutes=10)
    for answer in ("Een lastig gesprek", "Ik vroeg door", "Doorvragen helpt", "4"):
        chat.say(answer)
    result = rig.dispatch(DIARY_DUE + timedelta(minutes=120))
    assert [(o.result, o.detail) for o in result.outcomes] == [("skipped", "already answered")]


def test_a_missed_diary_window_is_not_sent_late(rig: Rig) -> None:
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    swept, sent = rig.tick(DIARY_DUE + timedelta(hours=2, minutes=1))
    assert swept.enqueued == [] and swept.skipped["too late"] == 1
    assert sent.outcomes == []
    assert rig.schedule().due_at == DIARY_DUE + timedelta(days=1)


def test_a_queued_nudge_past_its_window_expires_unsent(rig: Rig) -> None:
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.sweep(DIARY_DUE)  # queued, then the process was down
    result = rig.dispatch(DIARY_DUE + timedelta(hours=3))
    assert [o.result for o in result.outcomes] == ["expired"]
    assert rig.platform.sent == []


def test_weekly_nudge_is_caught_up_within_its_week_after_downtime(rig: Rig) -> None:
    rig.person(first_seen=datetime(2026, 11, 20, 8, tzinfo=UTC))  # the Friday before
    rig.sweep(datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert rig.schedule("weekplan").due_at == MONDAY.replace(hour=8, minute=30)
    wednesday = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # down from Monday to Wednesday
    swept, sent = rig.tick(wednesday)
    assert ("nudge", "weekplan") in {(e.kind, e.rhythm) for e in swept.enqueued}
    assert sent.count("sent") >= 1
    assert "weekplan" in rig.platform.texts().lower()
    assert rig.schedule("weekplan").due_at == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def test_a_weekly_nudge_whose_week_is_over_is_skipped(rig: Rig) -> None:
    rig.person(first_seen=datetime(2026, 11, 20, 8, tzinfo=UTC))
    rig.sweep(datetime(2026, 11, 20, 9, tzinfo=UTC))
    swept = rig.sweep(datetime(2026, 12, 1, 10, tzinfo=UTC))  # down for more than a week
    assert "weekplan" not in {e.rhythm for e in swept.enqueued}
    assert swept.skipped["period over"] >= 1


def test_catch_up_waits_for_the_end_of_the_quiet_hours(rig: Rig) -> None:
    rig.person(first_seen=datetime(2026, 11, 20, 8, tzinfo=UTC))
    rig.sweep(datetime(2026, 11, 20, 9, tzinfo=UTC))
    late_evening = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam
    rig.sweep(late_evening)
    weekly = [d for d in rig.deliveries() if d.rhythm == "weekplan"]
    assert weekly[0].next_attempt_at == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 07:00


def test_three_missed_days_bring_a_check_in_and_hold_the_daily_nudge(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    for day in range(3):  # Monday to Wednesday: nudged, never answered
        rig.tick(DIARY_DUE + timedelta(days=day))
    assert rig.schedule().missed == 3
    swept, _ = rig.tick(DIARY_DUE + timedelta(days=3))  # Thursday
    assert [(e.kind, e.rhythm) for e in swept.enqueued] == [("checkin", "diary")]
    assert "Wat helpt je het meest?" in rig.platform.texts()
    assert rig.schedule().held
    held, _ = rig.tick(DIARY_DUE + timedelta(days=4))  # Friday: no daily nudge
    assert held.enqueued == [] and held.skipped["held"] == 1

    rig.clock.now = DIARY_DUE + timedelta(days=4, hours=1)  # writing on their own lifts it
    chat.say("dagboek")
    for answer in ("Een lastig gesprek", "Ik vroeg door", "Doorvragen helpt", "4"):
        chat.say(answer)
    assert not rig.schedule().held and rig.schedule().missed == 0
    monday, _ = rig.tick(DIARY_DUE + timedelta(days=7))  # the week's plan was caught up too
    assert ("nudge", "diary") in [(e.kind, e.rhythm) for e in monday.enqueued]


def test_carrying_on_after_the_check_in_brings_the_daily_nudge_back(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    with rig.database.begin() as connection:
        connection.execute(update(Schedule.__table__).values(missed=3))
    rig.tick(DIARY_DUE)
    assert rig.schedule().held
    rig.clock.now = DIARY_DUE + timedelta(hours=1)
    assert "elke werkdag je dagboekvraag om 16:30" in chat.say_text("3")
    assert not rig.schedule().held and rig.schedule().missed == 0
    tuesday, _ = rig.tick(DIARY_DUE + timedelta(days=1))
    assert [(e.kind, e.rhythm) for e in tuesday.enqueued] == [("nudge", "diary")]


def test_check_in_can_move_the_diary_time(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    with rig.database.begin() as connection:
        connection.execute(update(Schedule.__table__).values(missed=3))
    rig.tick(DIARY_DUE)
    rig.clock.now = DIARY_DUE + timedelta(minutes=5)
    chat.say("1")
    assert "09:15" in chat.say_text("09:15")
    schedule = rig.schedule()
    assert not schedule.held
    assert schedule.due_at == datetime(2026, 11, 24, 8, 15, tzinfo=UTC)


def test_a_pause_stops_nudges_until_it_is_over(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.clock.now = MONDAY.replace(hour=10)
    chat.say("pauze tot en met woensdag")
    assert rig.schedule().due_at == datetime(2026, 11, 26, 15, 30, tzinfo=UTC)  # Thursday
    swept, _ = rig.tick(DIARY_DUE)
    assert swept.enqueued == []


def test_opting_out_clears_every_due_instant(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.clock.now = MONDAY.replace(hour=10)
    chat.say("stop met coachen")
    chat.say("ja")
    for rhythm in ("diary", "weekplan", "month", "contract", "year"):
        assert rig.schedule(rhythm).due_at is None


def test_a_paused_person_queued_before_the_pause_is_skipped(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.sweep(DIARY_DUE)
    chat.say("pauze tot vrijdag")
    result = rig.dispatch(DIARY_DUE)
    assert [o.result for o in result.outcomes] == ["skipped"]
    assert rig.platform.sent == []


def test_a_new_time_zone_moves_the_nudge(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.clock.now = MONDAY.replace(hour=10)
    chat.say("instellingen")
    chat.say("2")
    chat.say("America/New_York")
    assert rig.schedule().due_at == datetime(2026, 11, 23, 21, 30, tzinfo=UTC)


def test_no_nudge_on_public_holidays_or_extra_days_off(rig: Rig) -> None:
    rig.person(first_seen=datetime(2026, 12, 23, 8, tzinfo=UTC))
    with rig.database.begin() as connection:
        organisation_id = connection.execute(select(Organisation.id)).scalar_one()
        connection.execute(DayOff.__table__.insert().values(
            organisation_id=organisation_id, day=date(2026, 12, 24), name="Kerstavond"))
    rig.sweep(datetime(2026, 12, 23, 16, tzinfo=UTC))
    # 24 December is a day off, 25 and 26 are Christmas, then the weekend.
    assert rig.schedule().due_at == datetime(2026, 12, 28, 15, 30, tzinfo=UTC)


def test_a_failed_send_is_retried_with_backoff_then_dead_lettered(
    make_rig: Callable[..., Rig],
) -> None:
    rig = make_rig(delivery_attempts=3, retry_base_seconds=60)
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.platform.failures = [DeliveryFailed("HTTP 503") for _ in range(5)]
    now = DIARY_DUE
    result = rig.tick(now)[1]
    assert [o.result for o in result.outcomes] == ["retry"]
    first = rig.deliveries()[0]
    assert first.state == "pending" and first.attempts == 1 and first.last_error == "HTTP 503"
    assert now + timedelta(seconds=30) <= first.next_attempt_at <= now + timedelta(seconds=60)

    now = first.next_attempt_at
    assert [o.result for o in rig.dispatch(now).outcomes] == ["retry"]
    second = rig.deliveries()[0]
    assert now + timedelta(seconds=60) <= second.next_attempt_at <= now + timedelta(seconds=120)

    assert [o.result for o in rig.dispatch(second.next_attempt_at).outcomes] == ["dead"]
    dead = rig.deliveries()[0]
    assert dead.state == "dead" and dead.attempts == 3
    assert dead.last_error == "HTTP 503 (after 3 attempts)"
    with rig.database.connect() as connection:
        status = outbox.status(connection)
    assert status.counts["dead"] == 1 and status.dead[0].reason.startswith("HTTP 503")


def test_retry_after_from_the_platform_is_honoured(rig: Rig) -> None:
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.platform.failures = [DeliveryFailed("HTTP 429", retry_after=42)]
    rig.tick(DIARY_DUE)
    assert rig.deliveries()[0].next_attempt_at == DIARY_DUE + timedelta(seconds=42)
    assert rig.dispatch(DIARY_DUE + timedelta(seconds=41)).outcomes == []
    assert rig.dispatch(DIARY_DUE + timedelta(seconds=42)).count("sent") == 1


def test_a_timeout_counts_as_a_failed_attempt(rig: Rig) -> None:
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.platform.failures = [TimeoutError()]
    result = rig.tick(DIARY_DUE)[1]
    assert [(o.result, o.detail) for o in result.outcomes] == [("retry", "timed out")]


def test_an_unreachable_person_is_not_retried_and_comes_back_by_writing(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.platform.failures = [DeliveryFailed("HTTP 403 bot removed", permanent=True)]
    result = rig.tick(DIARY_DUE)[1]
    assert [o.result for o in result.outcomes] == ["dead"]
    with rig.database.connect() as connection:
        assert connection.execute(select(Person.status)).scalar_one() == "unreachable"
    assert rig.schedule().due_at is None

    rig.clock.now = DIARY_DUE + timedelta(hours=1)
    chat.say("hallo")
    with rig.database.connect() as connection:
        assert connection.execute(select(Person.status)).scalar_one() == "active"
    assert rig.schedule().due_at == DIARY_DUE + timedelta(days=1)


def test_a_person_busy_in_another_dialog_gets_the_nudge_later(rig: Rig) -> None:
    chat = rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.clock.now = DIARY_DUE - timedelta(minutes=5)
    chat.say("instellingen")  # a dialog is open when the diary nudge comes
    result = rig.tick(DIARY_DUE)[1]
    assert [(o.result, o.detail) for o in result.outcomes] == [
        ("deferred", "busy in another dialog")
    ]
    delivery = rig.deliveries()[0]
    assert delivery.attempts == 0
    assert delivery.next_attempt_at == DIARY_DUE + timedelta(minutes=20)
    rig.clock.now = DIARY_DUE + timedelta(minutes=10)
    chat.say("stop")
    assert rig.dispatch(DIARY_DUE + timedelta(minutes=20)).count("sent") == 1


def test_a_lease_that_ran_out_lets_another_worker_retry_under_the_same_key(rig: Rig) -> None:
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.sweep(DIARY_DUE)
    with rig.database.begin() as connection:
        claimed = outbox.claim(connection, DIARY_DUE, "worker-that-dies", 10, 120)
    assert len(claimed) == 1
    assert rig.dispatch(DIARY_DUE + timedelta(seconds=119)).outcomes == []  # still leased
    rig.engine.start_flow(claimed[0].person_id, "diary")  # it got as far as the engine
    result = rig.dispatch(DIARY_DUE + timedelta(seconds=120))
    assert result.count("sent") == 1
    assert any(isinstance(out.message, Question) for out in rig.platform.sent)  # asked again
    with rig.database.begin() as connection:
        late = outbox.finish(connection, claimed[0].id, "worker-that-dies", "sent", DIARY_DUE)
    assert late is False  # the dead worker's late word changes nothing
    assert len(rig.deliveries()) == 2  # the nudge (sent once, one key) and its reminder


def test_no_sender_for_the_platform_is_retried_then_dead(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(delivery_attempts=1)
    rig.dispatcher.senders.clear()
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    result = rig.tick(DIARY_DUE)[1]
    assert [o.result for o in result.outcomes] == ["dead"]
    assert "no sender for platform 'fake'" in rig.deliveries()[0].last_error


def test_pacing_defers_a_second_message_to_the_same_slack_channel(rig: Rig) -> None:
    times = iter([0.0, 0.1])
    rig.dispatcher.monotonic = lambda: next(times)
    rig.dispatcher.senders["slack"] = rig.platform
    rig.dispatcher.pacer = Pacer({"slack": slack_limits(rig.engine.settings)})  # Slack's own
    for user in ("u1", "u2"):
        chat = Chat(rig.engine, user, platform="slack")
        rig.clock.now = MONDAY.replace(hour=8)
        chat.say("hallo")
        chat.say("stop")
    with rig.database.begin() as connection:  # both in one channel, like a group DM
        connection.execute(update(Identity.__table__).values(conversation="C-shared"))
    rig.sweep(MONDAY.replace(hour=9))
    rig.dispatcher.concurrency = 1  # one claim per round: the pacer sees them in order
    result = rig.tick(DIARY_DUE)[1]
    assert sorted(o.result for o in result.outcomes) == ["deferred", "sent"]
    deferred = next(d for d in rig.deliveries() if d.state == "pending" and d.kind == "nudge")
    assert deferred.next_attempt_at == DIARY_DUE + timedelta(seconds=0.9)


def test_the_nudge_text_is_in_the_persons_language(rig: Rig) -> None:
    chat = rig.person()
    rig.clock.now = MONDAY.replace(hour=9)
    chat.say("instellingen")
    chat.say("1")
    chat.say("2")  # English
    rig.sweep(MONDAY.replace(hour=9, minute=30))
    rig.tick(DIARY_DUE)
    assert "learning moments" in rig.platform.texts()
    assert all(isinstance(out.message, (Text, Question)) for out in rig.platform.sent)


def test_diary_time_inside_quiet_hours_moves_out_of_them(rig: Rig) -> None:
    chat = rig.person()
    rig.clock.now = MONDAY.replace(hour=9)
    chat.say("instellingen")
    chat.say("4")
    chat.say("22:30")
    assert rig.schedule().due_at == datetime(2026, 11, 23, 19, 59, tzinfo=UTC)  # 20:59 local
    assert rig.engine.settings.periodic_time == time(9, 30)


def test_delivery_keys_keep_the_form_rows_already_stored_have(rig: Rig) -> None:
    """Rows queued before the outbox had one key builder must still dedupe: a nudge and its
    reminder are keyed kind:person:rhythm:local period, as they always were."""
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.tick(DIARY_DUE)
    person = rig.deliveries()[0].person_id
    assert [d.key for d in rig.deliveries()] == [
        f"nudge:{person}:diary:2026-11-23", f"reminder:{person}:diary:2026-11-23"]
    assert outbox.key("ws_exp", 7, "") == "ws_exp:7:"  # a prefix that withdraw() takes back
    assert outbox.key("group", "3-4", 2, 5) == "group:3-4:2:5"


def test_a_nudge_sent_again_keeps_its_greeting(make_rig: Callable[..., Rig]) -> None:
    """A retried or taken-over nudge finds the diary already open: the person still gets the
    diary's greeting and a word on why it comes again, not a bare question."""
    rig = make_rig(retry_base_seconds=60)
    rig.person()
    rig.sweep(MONDAY.replace(hour=9))
    rig.platform.failures = [DeliveryFailed("HTTP 500")]
    assert [o.result for o in rig.tick(DIARY_DUE)[1].outcomes] == ["retry"]
    retry_at = rig.deliveries()[0].next_attempt_at
    assert rig.dispatch(retry_at).count("sent") == 1
    texts = [getattr(out.message, "text", "") for out in rig.platform.sent]
    greeting = texts[0]
    assert "Tijd om even terug te kijken op je dag" in greeting
    assert "Voor het geval je mijn vorige bericht gemist hebt" in greeting
    assert "Welke leermomenten waren er vandaag?" in joined(
        [out.message for out in rig.platform.sent[1:]])
