"""Alerts: matching new articles, bundling, the hourly cap, alerts off, and crash catch-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from summaries import alerts, chats, digest, digest_schedule, outbox, topics
from summaries.store import Database
from tests.test_topics_support import NOW, Jobs, RecordingNotifier, store


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def box(db: Database, notifier: RecordingNotifier) -> outbox.Outbox:
    return outbox.Outbox(db, notifier, clock=lambda: NOW)


def follow(db: Database, chat_id: int, *queries: str) -> None:
    chats.ensure_chat(db, chat_id, now=NOW)
    for query in queries:
        topics.subscribe(db, chat_id, query, limit=50, now=NOW)


async def test_matches_arriving_together_are_bundled(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate", "football")
    follow(db, 2, "election")
    ids = [
        store(db, "Climate summit opens"),
        store(db, "Cup final tonight", "Football fans gather."),
        store(db, "Markets calm"),
    ]
    hook = alerts.alert_hook(db, box, per_hour=6, clock=lambda: NOW)
    await hook(ids)
    assert notifier.to(1) == [
        "ALERT\nClimate summit opens [climate] (Wire)\nCup final tonight [football] (Wire)"
    ]
    assert notifier.to(2) == []
    await hook(ids)
    assert len(notifier.sent) == 1


async def test_same_story_from_two_outlets_is_one_item(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate")
    first = store(db, "Climate summit opens", source="Reuters", cluster=9)
    second = store(db, "Climate summit begins", source="AP", cluster=9)
    await alerts.alert_hook(db, box, per_hour=6, clock=lambda: NOW)([first, second])
    assert notifier.to(1) == ["ALERT\nClimate summit opens [climate] (Reuters +AP)"]
    later = store(db, "Climate summit: day two", source="BBC", cluster=9)
    await alerts.alert_hook(db, box, per_hour=6, clock=lambda: NOW)([later])
    assert len(notifier.to(1)) == 1
    message, _ = digest.build_digest(db, chats.get_chat(db, 1), now=NOW + timedelta(hours=1))
    assert message.is_empty  # AP's copy, shown only as "also reported by", does not come back


async def test_hourly_cap_rolls_the_rest_into_the_digest(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate")
    for minute in range(3):
        now = NOW + timedelta(minutes=minute)
        ids = [store(db, f"Climate story {minute}", at=now)]
        alerts.plan_alerts(db, box, ids, per_hour=2, now=now)
    await box.flush()
    assert [t.splitlines()[1] for t in notifier.to(1)] == [
        "Climate story 0 [climate] (Wire)",
        "Climate story 1 [climate] (Wire)",
    ]
    later = NOW + timedelta(minutes=61)
    ids = [store(db, "Climate story 3", at=later)]
    alerts.plan_alerts(db, box, ids, per_hour=2, now=later)
    assert digest.plan_digest(db, box, 1, now=later, slot=None)
    await box.flush()
    assert notifier.to(1)[2:] == [
        "ALERT\nClimate story 3 [climate] (Wire)",
        "DIGEST climate\nClimate story 2 [climate] (Wire)",
    ]


async def test_alerts_off_sends_matches_only_in_the_digest(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate")
    chats.set_alerts(db, 1, False)
    ids = [store(db, "Climate summit opens")]
    assert alerts.plan_alerts(db, box, ids, per_hour=6, now=NOW) == 0
    assert digest.plan_digest(db, box, 1, now=NOW + timedelta(hours=1), slot=None)
    await box.flush()
    assert notifier.to(1) == ["DIGEST climate\nClimate summit opens [climate] (Wire)"]


async def test_catch_up_plans_alerts_a_crash_prevented(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate")
    assert alerts.catch_up(db, box, per_hour=6, now=NOW) == 0
    store(db, "Climate summit opens")
    assert alerts.catch_up(db, box, per_hour=6, now=NOW) == 1
    assert alerts.catch_up(db, box, per_hour=6, now=NOW) == 0
    await box.flush()
    assert len(notifier.to(1)) == 1


async def test_articles_another_process_stored_are_alerted_with_the_next_batch(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate")
    assert alerts.catch_up(db, box, per_hour=6, now=NOW) == 0  # the bot starts
    store(db, "Climate summit opens", source="Cron")  # `newsbrief ingest` from cron
    ours = store(db, "Climate talks stall", source="Wire")  # then the bot's own poll
    await alerts.alert_hook(db, box, per_hour=6, clock=lambda: NOW)([ours])
    [message] = notifier.to(1)
    assert "Climate summit opens" in message and "Climate talks stall" in message


async def test_the_minute_tick_alerts_what_another_process_stored(
    db: Database, box: outbox.Outbox, notifier: RecordingNotifier
) -> None:
    follow(db, 1, "climate")
    jobs = Jobs()
    digest_schedule.schedule_digests(
        jobs, db, box, grace=timedelta(hours=1), alerts_per_hour=6, clock=lambda: NOW
    )
    await jobs.jobs["newsbrief-resume"]()  # type: ignore[operator]
    store(db, "Climate summit opens", source="Cron")  # a separate worker; the bot stores nothing
    await jobs.jobs["newsbrief-digests"]()  # type: ignore[operator]
    assert len(notifier.to(1)) == 1
    await jobs.jobs["newsbrief-digests"]()  # type: ignore[operator]
    assert len(notifier.to(1)) == 1  # once
