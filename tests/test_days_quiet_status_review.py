"""Review of digest days, quiet hours and `newsbrief status`: what a hostile user, a careful
operator and a timezone pedant found. Each test failed before its fix; the clock is set by
hand and Telegram is the fake Bot API server."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from summaries.backup import backup_name
from summaries.chats import ensure_chat, set_digest_time
from summaries.config import Settings
from summaries.digest_days import WEEKDAYS, days_label, parse_days
from summaries.digest_schedule import run_due_digests
from summaries.notify import Part
from summaries.outbox import Outbox, enqueue
from summaries.sources import add_source, record_poll_failure
from summaries.status import collect_status, overview, problems
from summaries.store import Database, open_database
from tests.bot_harness import running_bot
from tests.test_topics_support import NOW, RecordingNotifier

POLL = 900


def test_a_failing_source_backing_off_is_not_taken_for_a_stopped_poller() -> None:
    """The only source failed three times: its next poll is two hours away. An hour on, the
    poller is idle because nothing is due, not because it stopped."""
    db = open_database(":memory:")
    source = add_source(db, "https://news.example/1.xml", "Wire", now=NOW)
    for _ in range(3):
        retry = NOW + timedelta(hours=2)
        record_poll_failure(db, source.id, now=NOW, error="HTTP 503", next_poll_at=retry)

    def found(at: timedelta) -> list[str]:
        status = collect_status(db, now=NOW + at, database=None, backup_dir=None)
        return problems(status, now=NOW + at, poll_interval=POLL)

    assert found(timedelta(hours=1)) == [
        "1 of 1 sources are failing: see /sources or `newsbrief sources list`."
    ]
    *_, stopped = found(timedelta(hours=2, minutes=10))  # its poll is now 10 min overdue
    assert stopped == "No source was polled for 2 h: is `newsbrief run` (or `worker`) running?"


def test_no_backup_yet_reads_as_a_sentence(tmp_path: Path) -> None:
    db = open_database(":memory:")
    status = collect_status(db, now=NOW, database=None, backup_dir=tmp_path)
    assert overview(status, now=NOW)[-1] == f"Backups: none yet, in {tmp_path}"


async def test_digest_days_on_the_next_line_are_read(settings: Settings) -> None:
    """A line break (Shift+Enter, or Enter on a phone) between the time and the days."""
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, "/digest 08:00\nweekdays")
        assert reply.text.startswith("Digest at 08:00 (UTC), Monday to Friday.")


async def test_days_without_a_time_are_told_where_the_time_goes(settings: Settings) -> None:
    """`/digest weekdays` was told only "e.g. /digest 08:00", which sets every day."""
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, "/digest weekdays")
        assert reply.text.startswith("'weekdays' is not a time.")
        assert "/digest 08:00 weekdays" in reply.text


def test_json_counts_every_message_state_even_when_none(db: Database) -> None:
    """A monitor checking `.outbox.failed == 0` read null, and alarmed, when nothing failed."""
    ensure_chat(db, 42, now=NOW)
    with db.conn:
        enqueue(db, 42, "alert", [Part("alert")], now=NOW)
    counts = collect_status(db, now=NOW, database=None, backup_dir=None).as_json()["outbox"]
    assert counts == {"pending": 1, "sending": 0, "sent": 0, "failed": 0, "unknown": 0,
                      "dropped": 0}  # fmt: skip


def test_a_file_only_named_like_a_backup_is_not_a_traceback(tmp_path: Path) -> None:
    """`\\d` in the name pattern also takes a minute 61 or full-width digits; strptime then
    raised ValueError out of `newsbrief status` and /status."""
    db = open_database(":memory:")
    (tmp_path / backup_name(NOW - timedelta(hours=3))).write_bytes(b"")
    for odd in ("newsbrief-20261125T036100Z.db", "newsbrief-２０２６１１２５T０３１７００Z.db"):
        (tmp_path / odd).write_bytes(b"")
    status = collect_status(db, now=NOW, database=None, backup_dir=tmp_path)
    assert status.last_backup_at == NOW - timedelta(hours=3)


async def test_a_clock_that_ran_ahead_does_not_hold_back_the_next_digests(db: Database) -> None:
    """The clock ran ahead for a while (NTP then set it back): the slot of a day still to come
    was marked done, and no digest came until that day had passed (three weekdays for a clock
    two days ahead). Once set back, the next digest comes at its usual time, and the day the
    early one was sent gets no other."""
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    box = Outbox(db, RecordingNotifier(), clock=lambda: monday)
    ensure_chat(db, 1, now=monday)
    set_digest_time(db, 1, time(8), now=monday, days=WEEKDAYS)

    async def due(day: int, hour: int, minute: int = 0) -> list[int]:
        now = monday + timedelta(days=day, hours=hour, minutes=minute)
        return (await run_due_digests(db, box, now, grace=timedelta(hours=6))).planned

    assert await due(2, 8) == [1]  # "Wednesday": two days ahead
    assert await due(0, 7) == []  # set back to Monday, before its digest
    assert await due(0, 8) == [1]
    assert await due(1, 9) == [1]  # at 09:00 Monday the clock jumps a day ahead...
    assert await due(0, 9, 1) == []  # ...and back: Monday has had its digest
    assert await due(1, 8) == [1]
    assert await due(2, 8) == [1]


@pytest.mark.parametrize("days", range(1, 128))
def test_days_as_the_bot_writes_them_are_read_back(days: int) -> None:
    """The bot confirms "Monday to Friday" or "Mon, Wed and Fri"; typed back, "to" and "and"
    were refused as days."""
    assert parse_days(days_label(days)) == days


@pytest.mark.parametrize("text", ["mon - fri", "Mon–Fri", "mon — fri", "mon to fri"])
def test_a_range_with_spaces_or_a_dash_from_a_phone_is_read(text: str) -> None:
    """/quiet took 22:00–07:00 with an en dash (a phone's autocorrect); /digest refused mon–fri."""
    assert parse_days(text) == WEEKDAYS
