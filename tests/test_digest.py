"""Digests: who is due when (Berlin 07:59/08:00, DST, midnight UTC), grace, content."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import pytest

from summaries import (
    chats,
    digest,
    digest_schedule,
    digest_window,
    matching,
    outbox,
    outbox_admin,
    topics,
)
from summaries.notify import DigestMessage, Part
from summaries.store import Database
from tests.test_topics_support import NOW, RecordingNotifier, store

GRACE = timedelta(hours=6)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def daily(db: Database, chat_id: int, tz: str, at: str, *, now: datetime) -> None:
    chats.ensure_chat(db, chat_id, now=now)
    chats.set_timezone(db, chat_id, tz, now=now)
    chats.set_digest_time(db, chat_id, chats.parse_digest_time(at), now=now)


async def due_at(db: Database, box: outbox.Outbox, now: datetime) -> list[int]:
    return (await digest_schedule.run_due_digests(db, box, now, grace=GRACE)).planned


@pytest.fixture
def box(db: Database) -> outbox.Outbox:
    return outbox.Outbox(db, RecordingNotifier(), clock=lambda: NOW)


async def test_berlin_0759_nothing_0800_digest_once(db: Database, box: outbox.Outbox) -> None:
    start = utc(2026, 11, 24, 12, 0)
    daily(db, 1, "Europe/Berlin", "08:00", now=start)
    daily(db, 2, "UTC", "08:00", now=start)
    daily(db, 3, "Europe/Berlin", "8.30", now=start)
    assert await due_at(db, box, utc(2026, 11, 25, 6, 59)) == []  # 07:59 in Berlin (CET)
    assert await due_at(db, box, utc(2026, 11, 25, 7, 0)) == [1]  # 08:00 in Berlin
    assert await due_at(db, box, utc(2026, 11, 25, 7, 0, 30)) == []
    assert await due_at(db, box, utc(2026, 11, 25, 7, 30)) == [3]
    assert await due_at(db, box, utc(2026, 11, 25, 8, 0)) == [2]
    assert await due_at(db, box, utc(2026, 11, 26, 6, 59)) == []
    assert await due_at(db, box, utc(2026, 11, 26, 7, 0)) == [1]
    assert len(box.notifier.to(1)) == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("before", "at", "after"),
    [
        # Spring forward (29 March 2026): 08:00 CEST is 06:00 UTC, the day before 07:00 UTC.
        (utc(2026, 3, 28, 6, 59), utc(2026, 3, 28, 7, 0), utc(2026, 3, 29, 6, 0)),
        # Fall back (25 October 2026): 08:00 CET is 07:00 UTC, the day before 06:00 UTC.
        (utc(2026, 10, 24, 5, 59), utc(2026, 10, 24, 6, 0), utc(2026, 10, 25, 7, 0)),
    ],
)
async def test_dst_change_keeps_the_local_hour(
    db: Database, box: outbox.Outbox, before: datetime, at: datetime, after: datetime
) -> None:
    daily(db, 1, "Europe/Berlin", "08:00", now=before - timedelta(hours=12))
    assert await due_at(db, box, before) == []
    assert await due_at(db, box, at) == [1]
    assert await due_at(db, box, after - timedelta(minutes=1)) == []
    assert await due_at(db, box, after) == [1]


async def test_a_time_skipped_by_dst_fires_once_after_the_gap(
    db: Database, box: outbox.Outbox
) -> None:
    daily(db, 1, "Europe/Berlin", "02:30", now=utc(2026, 3, 28, 12, 0))
    assert await due_at(db, box, utc(2026, 3, 29, 0, 59)) == []  # 01:59 CET
    assert await due_at(db, box, utc(2026, 3, 29, 1, 30)) == [1]  # 03:30 CEST
    assert await due_at(db, box, utc(2026, 3, 29, 12, 0)) == []


async def test_a_time_repeated_by_dst_fires_once_at_its_first_occurrence(
    db: Database, box: outbox.Outbox
) -> None:
    daily(db, 1, "Europe/Berlin", "02:30", now=utc(2026, 10, 24, 12, 0))
    assert await due_at(db, box, utc(2026, 10, 25, 0, 29)) == []  # 02:29 CEST
    assert await due_at(db, box, utc(2026, 10, 25, 0, 30)) == [1]  # 02:30 CEST
    assert await due_at(db, box, utc(2026, 10, 25, 1, 30)) == []  # 02:30 CET, the second time
    assert await due_at(db, box, utc(2026, 10, 26, 1, 30)) == [1]  # 02:30 CET the next day


async def test_local_days_across_midnight_utc(db: Database, box: outbox.Outbox) -> None:
    daily(db, 1, "America/Los_Angeles", "17:00", now=utc(2026, 11, 24, 20, 0))  # 01:00 UTC
    daily(db, 2, "Pacific/Auckland", "07:00", now=utc(2026, 11, 24, 12, 0))  # 18:00 UTC
    assert await due_at(db, box, utc(2026, 11, 24, 23, 59)) == [2]
    assert await due_at(db, box, utc(2026, 11, 25, 0, 59)) == []
    assert await due_at(db, box, utc(2026, 11, 25, 1, 0)) == [1]
    assert await due_at(db, box, utc(2026, 11, 25, 17, 59)) == []
    assert await due_at(db, box, utc(2026, 11, 25, 18, 0)) == [2]
    assert chats.get_chat(db, 1).last_digest_slot == datetime(2026, 11, 24).date()


async def test_choosing_a_passed_time_waits_for_tomorrow(db: Database, box: outbox.Outbox) -> None:
    daily(db, 1, "UTC", "08:00", now=utc(2026, 11, 25, 9, 0))
    assert await due_at(db, box, utc(2026, 11, 25, 9, 1)) == []
    assert chats.set_digest_time(db, 1, None, now=NOW).digest_time is None
    assert await due_at(db, box, utc(2026, 11, 26, 8, 0)) == []


async def test_missed_digest_within_grace_is_sent_beyond_it_skipped(
    db: Database, box: outbox.Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    daily(db, 1, "UTC", "08:00", now=utc(2026, 11, 24, 9, 0))
    daily(db, 2, "UTC", "02:00", now=utc(2026, 11, 24, 9, 0))
    with caplog.at_level(logging.WARNING, logger="summaries.digest_schedule"):
        run = await digest_schedule.run_due_digests(db, box, utc(2026, 11, 25, 13, 59), grace=GRACE)
    assert (run.planned, run.skipped_late) == ([1], [2])
    assert "digest for chat 2 due at 2026-11-25T02:00:00+00:00 skipped" in caplog.text
    assert await due_at(db, box, utc(2026, 11, 26, 2, 0)) == [2]


@pytest.mark.parametrize("late", [timedelta(seconds=0.3), timedelta(seconds=90)])
async def test_a_grace_of_zero_still_sends_a_digest_the_tick_runs_a_moment_late(
    db: Database, box: outbox.Outbox, late: timedelta
) -> None:
    daily(db, 1, "UTC", "08:00", now=utc(2026, 11, 24, 9, 0))
    run = await digest_schedule.run_due_digests(
        db, box, utc(2026, 11, 25, 8, 0) + late, grace=timedelta()
    )
    assert (run.planned, run.skipped_late) == ([1], [])


async def test_a_grace_of_zero_skips_a_digest_missed_while_down(
    db: Database, box: outbox.Outbox
) -> None:
    daily(db, 1, "UTC", "08:00", now=utc(2026, 11, 24, 9, 0))
    run = await digest_schedule.run_due_digests(db, box, utc(2026, 11, 25, 8, 5), grace=timedelta())
    assert (run.planned, run.skipped_late) == ([], [1])


async def test_digest_content_merges_duplicates_groups_by_topic(db: Database) -> None:
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    chats.ensure_chat(db, 1, now=NOW)
    for query in ("climate", "football"):
        topics.subscribe(db, 1, query, limit=50, now=NOW)
    hour = timedelta(hours=1)
    store(db, "Climate minor note", source="Blog", at=NOW - 3 * hour)
    store(db, "Climate summit opens", source="Reuters", at=NOW - 2 * hour, cluster=5)
    store(db, "Climate summit begins", source="AP", at=NOW - 2 * hour, cluster=5)
    store(db, "Climate summit kicks off", source="BBC", at=NOW - hour, cluster=5)
    store(db, "Football final", source="BBC", at=NOW - hour)
    store(db, "Climate archive", source="Old", at=NOW - 30 * hour)
    assert digest.plan_digest(db, box, 1, now=NOW, slot=None)
    await box.flush()
    assert notifier.to(1) == [
        "DIGEST climate\nClimate summit kicks off [climate] (BBC +Reuters,AP)\n"
        "Climate minor note [climate] (Blog)",
        "DIGEST football\nFootball final [football] (BBC)",
    ]
    assert digest.plan_digest(db, box, 1, now=NOW + hour, slot=None)
    chats.set_empty_digest(db, 1, "skip")
    assert not digest.plan_digest(db, box, 1, now=NOW + 2 * hour, slot=None)
    await box.flush()
    assert notifier.to(1)[2:] == ["DIGEST nothing new on your topics"]


async def test_without_topics_the_top_stories_by_coverage(db: Database) -> None:
    chats.ensure_chat(db, 1, now=NOW)
    store(db, "Lonely story", at=NOW - timedelta(hours=1))
    for source in ("A", "B"):
        store(db, f"Big story by {source}", source=source, at=NOW - timedelta(hours=2), cluster=3)
    message, _ = digest.build_digest(db, chats.get_chat(db, 1), now=NOW)
    assert not message.has_topics
    [(topic, items)] = message.groups
    assert topic is None
    assert [(i.article.title, i.article.also_reported_by) for i in items] == [
        ("Big story by B", ("A",)),
        ("Lonely story", ()),
    ]
    assert time(8, 0) == chats.parse_digest_time("8:00")


async def test_one_chat_that_fails_to_render_does_not_hold_up_the_others(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    for chat_id in (1, 2, 3):
        daily(db, chat_id, "UTC", "08:00", now=utc(2026, 11, 24, 9, 0))
    render = notifier.render_digest

    def broken_for_chat_2(message: DigestMessage) -> list[Part]:
        if message.chat_id == 2:
            raise ValueError("renderer bug")
        return render(message)

    notifier.render_digest = broken_for_chat_2  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="summaries.digest_schedule"):
        assert await due_at(db, box, utc(2026, 11, 25, 8, 0)) == [1, 3]
    assert "digest for chat 2 could not be planned" in caplog.text
    assert chats.get_chat(db, 2).last_digest_slot == datetime(2026, 11, 24).date()
    assert outbox_admin.status_counts(db) == {"sent": 2}
    notifier.render_digest = render  # type: ignore[method-assign]
    assert await due_at(db, box, utc(2026, 11, 25, 8, 1)) == [2]


async def test_thirty_stories_at_most_the_rest_counted(db: Database) -> None:
    chats.ensure_chat(db, 1, now=NOW)
    for query in ("climate", "football"):
        topics.subscribe(db, 1, query, limit=50, now=NOW)
    for n in range(25):
        store(db, f"Climate story {n}", at=NOW - timedelta(minutes=n + 1))
    for n in range(10):
        store(db, f"Football story {n}", at=NOW - timedelta(minutes=n + 1))
    message, topic_ids = digest.build_digest(db, chats.get_chat(db, 1), now=NOW)
    assert [(topic, len(items)) for topic, items in message.groups] == [
        ("climate", 25),
        ("football", 5),
    ]
    assert message.more == 5 and len(topic_ids) == digest.MAX_ITEMS


async def test_a_story_matching_two_topics_through_two_outlets_is_one_item(db: Database) -> None:
    chats.ensure_chat(db, 1, now=NOW)
    for query in ("climate", "summit"):
        topics.subscribe(db, 1, query, limit=50, now=NOW)
    store(db, "Climate talks open", source="AP", at=NOW - timedelta(hours=2), cluster=7)
    store(db, "Leaders meet at summit", source="BBC", at=NOW - timedelta(hours=1), cluster=7)
    message, _ = digest.build_digest(db, chats.get_chat(db, 1), now=NOW)
    [(topic, [item])] = message.groups
    assert (topic, item.article.title, item.article.also_reported_by) == (
        "summit",
        "Leaders meet at summit",
        ("AP",),
    )
    assert message.more == 0


async def test_chats_due_together_share_one_index_and_keep_their_own_content(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    for chat_id, query in ((1, "climate"), (2, "football"), (3, "football")):
        daily(db, chat_id, "UTC", "08:00", now=utc(2026, 11, 24, 9, 0))
        topics.subscribe(db, chat_id, query, limit=50, now=NOW)
    store(db, "Climate summit opens", at=NOW - timedelta(hours=2))
    final = store(db, "Football final", at=NOW - timedelta(hours=1))
    with db.conn:
        outbox.enqueue(db, 3, "alert", [Part("ALERT Football final", (final,))], now=NOW)
    indexed: list[int] = []

    def counting(docs: list[matching.Doc], *, now: datetime) -> matching.Matcher:
        indexed.append(len(docs))
        return matching.Matcher(docs, now=now)

    monkeypatch.setattr(digest_window, "Matcher", counting)
    assert await due_at(db, box, NOW) == [1, 2, 3]
    assert indexed == [2]
    assert notifier.to(1) == ["DIGEST climate\nClimate summit opens [climate] (Wire)"]
    assert notifier.to(2) == ["DIGEST football\nFootball final [football] (Wire)"]
    assert notifier.to(3) == ["ALERT Football final", "DIGEST nothing new on your topics"]


async def test_a_window_over_the_candidate_cap_is_logged(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(digest_window, "MAX_CANDIDATES", 3)
    chats.ensure_chat(db, 1, now=NOW)
    for n in range(4):
        store(db, f"Story {n}", at=NOW - timedelta(minutes=n + 1))
    with caplog.at_level(logging.WARNING, logger="summaries.digest_window"):
        message, _ = digest.build_digest(db, chats.get_chat(db, 1), now=NOW)
    assert [i.article.title for _, items in message.groups for i in items] == [
        "Story 0",
        "Story 1",
        "Story 2",
    ]
    assert "more than 3 articles fetched since" in caplog.text
