"""The delivery log: retries, 429 pauses, blocked chats, failures, and recovery after a crash."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from summaries import chats, outbox, outbox_admin
from summaries.notify import DeliveryFailed, DeliveryUnknown, Part, RecipientGone, RetryLater
from summaries.store import Database
from tests.test_topics_support import NOW, RecordingNotifier, store


class Crash(BaseException):
    """Stands in for the process dying in the middle of a send."""


def make(db: Database, notifier: RecordingNotifier) -> tuple[outbox.Outbox, list[float]]:
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)

    return outbox.Outbox(db, notifier, clock=lambda: NOW, sleep=nap, backoff=0.5), naps


def plan(db: Database, chat_ids: list[int], article_ids: list[int]) -> None:
    for chat_id in chat_ids:
        chats.ensure_chat(db, chat_id, now=NOW)
        parts = [Part(f"story {a}", (a,)) for a in article_ids]
        with db.conn:
            outbox.enqueue(db, chat_id, "digest", parts, now=NOW)


def statuses(db: Database) -> dict[str, int]:
    return outbox_admin.status_counts(db)


async def test_each_part_is_sent_once_in_order(db: Database) -> None:
    ids = [store(db, f"Story {n}") for n in range(3)]
    plan(db, [1, 2], ids)
    notifier = RecordingNotifier()
    box, _ = make(db, notifier)
    report = await box.flush()
    assert report.sent == 6
    assert notifier.to(1) == [f"story {a}" for a in ids]
    assert (await box.flush()).sent == 0
    with pytest.raises(Exception, match="UNIQUE"), db.conn:
        outbox.enqueue(db, 1, "alert", [Part("again", (ids[0],))], now=NOW)
    assert outbox.undelivered(db, 1, ids) == []


async def test_crash_after_n_sends_then_restart_sends_the_rest_once(db: Database) -> None:
    ids = [store(db, f"Story {n}") for n in range(4)]
    plan(db, [1, 2, 3], ids)
    notifier = RecordingNotifier()
    box, _ = make(db, notifier)
    box.concurrency = 1

    original = notifier.send

    async def dying_send(
        chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
    ) -> int:
        if len(notifier.sent) == 5:
            raise Crash
        return await original(chat_id, text, thread_id=thread_id, silent=silent)

    notifier.send = dying_send  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await box.flush()
    # The crash hit while part 6 was in flight: it stays `sending` until the restart.
    assert statuses(db) == {"sent": 5, "sending": 1, "pending": 6}

    assert outbox.recover(db, now=NOW) == 1
    restarted = RecordingNotifier()
    box2, _ = make(db, restarted)
    assert (await box2.flush()).sent == 6
    everything = notifier.sent + restarted.sent
    assert len(everything) == len(set(everything)) == 11
    # The one in flight is not resent (it might have arrived) but listed for admins.
    [lost] = outbox_admin.failures(db)
    assert (lost.chat_id, lost.status) == (2, "unknown")
    assert "may or may not have arrived" in lost.error
    assert restarted.to(2) == [f"story {a}" for a in ids[2:]]


async def test_blocked_chat_is_deactivated_without_affecting_others(db: Database) -> None:
    ids = [store(db, f"Story {n}") for n in range(2)]
    plan(db, [1, 2, 3], ids)
    notifier = RecordingNotifier()
    notifier.errors[2].append(RecipientGone("Forbidden: bot was blocked by the user"))
    box, _ = make(db, notifier)
    report = await box.flush()
    assert report.dropped_chats == [2] and report.sent == 4
    assert notifier.to(2) == [] and len(notifier.to(1)) == len(notifier.to(3)) == 2
    assert not chats.get_chat(db, 2).active
    assert statuses(db) == {"sent": 4, "dropped": 2}
    assert chats.ensure_chat(db, 2, now=NOW).active


async def test_flood_refusals_pause_and_resume_without_failing(db: Database) -> None:
    ids = [store(db, "Story")]
    plan(db, [1], ids)
    notifier = RecordingNotifier()
    notifier.errors[1] += [RetryLater("Too Many Requests", after=7.0) for _ in range(8)]
    box, naps = make(db, notifier)
    assert (await box.flush()).sent == 1
    assert naps == [7.0] * 8 and notifier.to(1) == ["story 1"]


async def test_other_errors_back_off_then_fail_visibly(db: Database) -> None:
    ids = [store(db, "Story A"), store(db, "Story B")]
    plan(db, [1], ids)
    notifier = RecordingNotifier()
    notifier.errors[1] += [RetryLater("Bad Gateway") for _ in range(5)]
    notifier.errors[1].append(DeliveryFailed("Bad Request: can't parse entities"))
    box, naps = make(db, notifier)
    report = await box.flush()
    assert naps == [0.5, 1.0, 2.0, 4.0]
    assert (report.failed, report.sent) == (2, 0)
    assert [f.error for f in outbox_admin.failures(db)] == [
        "Bad Request: can't parse entities",
        "gave up after retries: Bad Gateway",
    ]
    assert statuses(db) == {"failed": 2}


async def test_a_timeout_is_never_resent(db: Database) -> None:
    plan(db, [1], [store(db, "Story")])
    notifier = RecordingNotifier()
    notifier.errors[1].append(DeliveryUnknown("Timed out"))
    box, _ = make(db, notifier)
    report = await box.flush()
    assert (report.unknown, notifier.attempts, notifier.sent) == (1, 1, [])
    assert outbox_admin.failures(db)[0].status == "unknown"


async def test_concurrent_flushes_split_the_chats_and_send_each_part_once(db: Database) -> None:
    ids = [store(db, f"Story {n}") for n in range(3)]
    plan(db, [1, 2, 3, 4], ids)
    notifier = RecordingNotifier()
    box, _ = make(db, notifier)
    box.concurrency = 2
    first, second = await asyncio.gather(box.flush(), box.flush())
    assert first.sent + second.sent == 12
    assert len(notifier.sent) == len(set(notifier.sent)) == 12
    for chat_id in (1, 2, 3, 4):
        assert notifier.to(chat_id) == [f"story {a}" for a in ids]


async def test_crash_between_two_sends_loses_nothing(db: Database) -> None:
    ids = [store(db, f"Story {n}") for n in range(4)]
    plan(db, [1, 2], ids)
    notifier = RecordingNotifier()
    calls = 0

    def dying_clock() -> datetime:
        nonlocal calls
        calls += 1
        if calls == 7:  # two clock reads per part (claim, sent): the fourth part's claim
            raise Crash
        return NOW

    box = outbox.Outbox(db, notifier, clock=dying_clock, concurrency=1)
    with pytest.raises(Crash):
        await box.flush()
    assert statuses(db) == {"sent": 3, "pending": 5}
    assert outbox.recover(db, now=NOW) == 0
    restarted = RecordingNotifier()
    box2, _ = make(db, restarted)
    assert (await box2.flush()).sent == 5
    everything = notifier.sent + restarted.sent
    assert sorted(everything) == sorted({(c, f"story {a}") for c in (1, 2) for a in ids})


async def test_prune_drops_old_bodies_but_never_forgets_what_was_sent(db: Database) -> None:
    ids = [store(db, "Story A"), store(db, "Story B")]
    plan(db, [1], ids[:1])
    notifier = RecordingNotifier()
    box, _ = make(db, notifier)
    await box.flush()
    plan(db, [1], ids[1:])
    assert outbox_admin.prune(db, now=NOW + timedelta(days=31)) == 1
    assert outbox_admin.status_counts(db) == {"pending": 1}
    assert outbox.undelivered(db, 1, ids) == []


async def test_a_stop_while_waiting_for_a_turn_leaves_the_part_pending(db: Database) -> None:
    """A SIGTERM in the middle of a fan-out cancels sends still waiting for the rate limiter:
    those parts were never sent, so after the restart they must still be sent (not `unknown`)."""
    ids = [store(db, "Story")]
    plan(db, [1, 2], ids)
    notifier = RecordingNotifier()
    turn = asyncio.Event()

    async def slow_turn(chat_id: int) -> None:
        if chat_id == 2:
            await turn.wait()  # the limiter makes chat 2 wait

    notifier.wait_turn = slow_turn  # type: ignore[method-assign]
    box, _ = make(db, notifier)
    flushing = asyncio.create_task(box.flush())
    while notifier.to(1) == []:  # noqa: ASYNC110 (chat 1 sent, chat 2 waiting)
        await asyncio.sleep(0)
    flushing.cancel()  # the stop signal
    with pytest.raises(asyncio.CancelledError):
        await flushing
    assert statuses(db) == {"sent": 1, "pending": 1}
    outbox.recover(db, now=NOW)  # the next start-up
    turn.set()
    assert (await box.flush()).sent == 1
    assert notifier.to(2) == ["story " + str(ids[0])]
