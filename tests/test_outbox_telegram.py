"""Delivery through the fake Bot API server: real PTB HTTP, Telegram's refusals, a real kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, TelegramError, TimedOut

from bot.delivery import FanoutLimiter, TelegramNotifier
from summaries import chats, digest, outbox, outbox_admin, topics
from summaries.notify import DeliveryUnknown, Part, RecipientGone, RetryLater
from summaries.store import Database, open_database
from tests.fake_telegram import TOKEN, FakeTelegram, RateLimits
from tests.test_topics_support import NOW, store

ROOT = Path(__file__).resolve().parent.parent


class FakeTime:
    """A monotonic clock that moves only when someone sleeps: pauses are checked, not waited."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.naps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def notifier_for(fake: FakeTelegram, clock: FakeTime) -> TelegramNotifier:
    bot = Bot(TOKEN, base_url=f"{fake.api_root}/bot")
    return TelegramNotifier(bot, FanoutLimiter(clock=clock, sleep=clock.sleep))


def box_for(db: Database, notifier: TelegramNotifier, clock: FakeTime) -> outbox.Outbox:
    return outbox.Outbox(db, notifier, clock=lambda: NOW, sleep=clock.sleep)


def subscribe_all(db: Database, fake: FakeTelegram, chat_ids: list[int], query: str) -> None:
    for chat_id in chat_ids:
        fake.add_chat(chat_id)
        chats.ensure_chat(db, chat_id, now=NOW, kind="private" if chat_id > 0 else "supergroup")
        topics.subscribe(db, chat_id, query, limit=50, now=NOW)


class RefusingBot:
    """Just the `send_message` of a Bot, failing with one error (no request is made)."""

    def __init__(self, error: TelegramError) -> None:
        self.error = error

    async def send_message(self, *args: object, **kwargs: object) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (BadRequest("Bad Request: have no rights to send a message"), RecipientGone),
        (
            TimedOut("Pool timeout: All connections in the connection pool are occupied."),
            RetryLater,
        ),
        (TimedOut("Timed out"), DeliveryUnknown),
    ],
)
async def test_refusals_told_apart_by_their_text(
    error: TelegramError, outcome: type[Exception]
) -> None:
    """A muted group is gone (not a failure to list); a wait for a pooled connection never
    left, so it is resent; any other timeout may have arrived, so it is not."""
    notifier = TelegramNotifier(RefusingBot(error))  # type: ignore[arg-type]
    with pytest.raises(outcome):
        await notifier.send(1, "hello")


async def test_digest_with_duplicates_merged_reaches_telegram(
    db: Database, fake: FakeTelegram
) -> None:
    subscribe_all(db, fake, [1, -100], "climate")
    store(db, "Climate summit <opens>", source="Reuters & Co", cluster=4)
    store(db, "Weather report")
    store(db, "Climate summit begins", source="AP", cluster=4)
    store(db, "Climate minor note", source="Blog")
    clock = FakeTime()
    box = box_for(db, notifier_for(fake, clock), clock)
    async with box.notifier.bot:  # type: ignore[attr-defined]
        for chat_id in (1, -100):
            assert digest.plan_digest(db, box, chat_id, now=NOW + timedelta(hours=1), slot=None)
        assert (await box.flush()).sent == 2
    [message] = fake.bot_messages(1)
    assert "Climate summit begins\nAP · 1 h ago\nAlso reported by Reuters & Co" in message.text
    assert "<opens>" not in message.text
    assert "🔎 climate (2)" in message.text and "Climate minor note" in message.text
    assert "left out" not in message.text
    assert [m.text for m in fake.bot_messages(-100)] == [message.text]


async def test_blocked_chat_and_a_429_storm(db: Database, fake: FakeTelegram) -> None:
    chat_ids = [1, 2, 3, 4]
    subscribe_all(db, fake, chat_ids, "climate")
    ids = [store(db, f"Climate story {n}") for n in range(3)]
    fake.blocked.add(2)
    fake.fail_next("sendMessage", 429, retry_after=5, times=4)
    clock = FakeTime()
    notifier = notifier_for(fake, clock)
    box = box_for(db, notifier, clock)
    for chat_id in chat_ids:
        with db.conn:
            parts = [Part(f"<b>story</b> {a}", (a,)) for a in ids]
            outbox.enqueue(db, chat_id, "alert", parts, now=NOW)
    async with notifier.bot:
        report = await box.flush()
    assert report.dropped_chats == [2] and report.sent == 9 and report.failed == 0
    for chat_id in (1, 3, 4):
        assert [m.text for m in fake.bot_messages(chat_id)] == [f"story {a}" for a in ids]
    assert fake.bot_messages(2) == []
    assert not chats.get_chat(db, 2).active
    assert clock.naps.count(5.0) >= 4
    assert len([e for _, e in fake.rejected if e.code == 429]) == 4


async def test_limiter_keeps_under_the_fake_telegram_limits(
    db: Database, fake: FakeTelegram
) -> None:
    fake.limits = RateLimits()
    chat_ids = [1, 2, -300]
    subscribe_all(db, fake, chat_ids, "climate")
    ids = [store(db, f"Climate story {n}") for n in range(4)]
    for chat_id in chat_ids:
        with db.conn:
            outbox.enqueue(db, chat_id, "digest", [Part(f"s {a}", (a,)) for a in ids], now=NOW)
    bot = Bot(TOKEN, base_url=f"{fake.api_root}/bot")
    box = outbox.Outbox(db, TelegramNotifier(bot, FanoutLimiter()), clock=lambda: NOW)
    async with bot:
        report = await box.flush()
    assert (report.sent, report.retries, fake.rejected) == (12, 0, [])


_CHILD = """
import asyncio, sys
from telegram import Bot
from bot.delivery import FanoutLimiter, TelegramNotifier
from summaries import outbox
from summaries.store import open_database

async def main() -> None:
    bot = Bot(sys.argv[2], base_url=sys.argv[3] + "/bot")
    limiter = FanoutLimiter(per_second=40, private_rate=50, private_burst=50)
    notifier = TelegramNotifier(bot, limiter)
    box = outbox.Outbox(open_database(sys.argv[1]), notifier, concurrency=4)
    async with bot:
        await box.flush()

asyncio.run(main())
"""


def kill_mid_fan_out(path: Path, fake: FakeTelegram, *, after_calls: int) -> None:
    """Run the outbox in a child process and SIGKILL it once the fake has `after_calls` calls."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), TOKEN, fake.api_root],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        fake.wait_for_sync(lambda: len(fake.calls) >= after_calls, within=60)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


async def test_kill_9_mid_fan_out_then_restart(tmp_path: Path, fake: FakeTelegram) -> None:
    path = tmp_path / "kill.db"
    db = open_database(path)
    chat_ids = list(range(1, 31))
    subscribe_all(db, fake, chat_ids, "climate")
    ids = [store(db, f"Climate story {n}") for n in range(3)]
    for chat_id in chat_ids:
        with db.conn:
            parts = [Part(f"chat {chat_id} story {a}", (a,)) for a in ids]
            outbox.enqueue(db, chat_id, "digest", parts, now=NOW)
    db.close()
    kill_mid_fan_out(path, fake, after_calls=40)
    assert len(fake.calls) < 90, "the child finished before it was killed"

    db = open_database(path)
    in_flight = outbox.recover(db, now=NOW)
    clock = FakeTime()
    notifier = notifier_for(fake, clock)
    async with notifier.bot:
        await box_for(db, notifier, clock).flush()
    received = [(m.chat_id, m.text) for c in chat_ids for m in fake.bot_messages(c)]
    assert len(received) == len(set(received)), "a message was delivered twice"
    counts = outbox_admin.status_counts(db)
    assert counts.get("sent", 0) + counts.get("unknown", 0) == 90
    assert counts.get("unknown", 0) == in_flight <= 4
    unknown = {
        (int(c), str(b))
        for c, b in db.execute("SELECT chat_id, body FROM outbox WHERE status = 'unknown'")
    }
    sent = {
        (int(c), str(b))
        for c, b in db.execute("SELECT chat_id, body FROM outbox WHERE status = 'sent'")
    }
    assert sent <= set(received)
    assert set(received) - sent <= unknown
    db.close()
