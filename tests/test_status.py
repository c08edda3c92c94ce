"""`newsbrief status` and `/status`: the overview, and each problem named when (only when) it
is one. The clock is moved by hand: "no poll for an hour" is a time, not a sleep."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from summaries.backup import backup_name
from summaries.chats import deactivate_chat, ensure_chat
from summaries.config import Settings
from summaries.notify import Part
from summaries.outbox import enqueue
from summaries.sources import add_source, record_poll_failure, record_poll_success
from summaries.status import collect_status, overview, problems, span
from summaries.store import Database, open_database
from tests.bot_harness import running_bot
from tests.cli_helpers import newsbrief
from tests.test_topics_support import NOW, store

POLL = 900


def _healthy(db: Database) -> None:
    """Two sources polled just now, one story, one active chat."""
    for n in (1, 2):
        source = add_source(db, f"https://news.example/{n}.xml", f"Wire {n}", now=NOW)
        record_poll_success(
            db, source.id, now=NOW, next_poll_at=NOW + timedelta(minutes=15), etag=None,
            last_modified=None,
        )  # fmt: skip
    store(db, "Climate summit opens", at=NOW - timedelta(minutes=5))
    ensure_chat(db, 42, now=NOW)


def _problems(
    db: Database, *, at: timedelta = timedelta(), backups: Path | None = None
) -> list[str]:
    status = collect_status(db, now=NOW + at, database=None, backup_dir=backups)
    return problems(status, now=NOW + at, poll_interval=POLL)


def test_a_working_bot_is_all_well_and_the_overview_says_why() -> None:
    db = open_database(":memory:")
    _healthy(db)
    ensure_chat(db, 43, now=NOW)
    deactivate_chat(db, 43, now=NOW, reason="blocked")
    assert _problems(db) == []
    lines = overview(collect_status(db, now=NOW, database=None, backup_dir=None), now=NOW)
    assert lines[0] == "Articles: 1 stored, 1 in the last 24 h, newest 5 min ago"
    assert lines[1] == "Sources: 2 enabled, 0 failing; last poll just now"
    assert lines[2] == "Chats: 1 active, 1 inactive; 0 topics, 0 scheduled digests"
    assert lines[-1] == "Backups: no nightly backup (NEWSBRIEF_BACKUP_DIR is not set)"


def test_a_stopped_poller_and_failing_sources_are_named() -> None:
    db = open_database(":memory:")
    _healthy(db)
    assert _problems(db, at=timedelta(minutes=45)) == []  # within three poll intervals
    [stopped] = _problems(db, at=timedelta(hours=2))
    assert stopped == "No source was polled for 2 h: is `newsbrief run` (or `worker`) running?"
    record_poll_failure(db, 1, now=NOW, error="HTTP 500", next_poll_at=NOW)
    [failing] = _problems(db)
    assert failing.startswith("1 of 2 sources are failing: see /sources")


def test_no_source_and_messages_stuck_in_the_outbox() -> None:
    db = open_database(":memory:")
    assert _problems(db) == [
        "No source is enabled: add one with /addsource or `newsbrief sources add`."
    ]
    _healthy(db)
    with db.conn:
        enqueue(db, 42, "alert", [Part("alert")], now=NOW)
    assert _problems(db, at=timedelta(minutes=5)) == []  # a fan-out in progress
    [stuck] = _problems(db, at=timedelta(minutes=30))
    assert stuck.startswith("Messages have been waiting to be sent for 30 min")


def test_a_late_or_missing_backup_is_named(tmp_path: Path) -> None:
    db = open_database(":memory:")
    _healthy(db)
    [none] = _problems(db, backups=tmp_path)
    assert none.startswith(f"No backup in {tmp_path} yet")
    (tmp_path / backup_name(NOW - timedelta(hours=3))).write_bytes(b"")
    (tmp_path / "newsbrief-manual.db").write_bytes(b"")  # not one of the nightly names
    assert _problems(db, backups=tmp_path) == []
    *_, late = _problems(db, at=timedelta(days=2), backups=tmp_path)  # the poller too
    assert late.startswith("The last backup is 2 days old")


def test_span_reads_as_people_say_it() -> None:
    assert [span(timedelta(seconds=s)) for s in (20, 2700, 5 * 3600, 40 * 3600, 3 * 86400)] == [
        "1 min", "45 min", "5 h", "40 h", "3 days",
    ]  # fmt: skip


def test_cli_status_check_exits_1_when_something_needs_attention(tmp_path: Path) -> None:
    db = open_database(tmp_path / "newsbrief.db")
    add_source(db, "https://news.example/1.xml", "Wire", now=NOW)
    db.close()
    result = newsbrief(tmp_path, "status", "--check")
    assert result.returncode == 1, result.stderr
    assert "Needs attention:\n- No source was polled yet" in result.stdout
    as_json = json.loads(newsbrief(tmp_path, "status", "--json").stdout)
    assert as_json["sources_enabled"] == 1
    assert as_json["problems"] == [
        "No source was polled yet: is `newsbrief run` (or `worker`) running?"
    ]
    assert as_json["database_bytes"] > 0


async def test_status_in_telegram_is_for_operators(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({99})) as bot:
        [refused] = await bot.ask(42, "/status")
        assert refused.text.startswith("Only the bot's operators")
        [shown] = await bot.ask(99, "/status")
        assert shown.text.startswith("newsbrief status\nArticles: 0 stored")
        assert "Needs attention:\n• No source is enabled" in shown.text
