"""Digest fan-out to many chats against the fake Bot API server with Telegram's flood limits on.

Every chat follows a topic and has a daily digest at 08:00 UTC; one `run_due_digests` call at
08:00 plans every digest (real HTML rendering) and sends them through `TelegramNotifier`
(real PTB HTTP, our `FanoutLimiter`) to `tests.fake_telegram.FakeTelegram` with
`RateLimits()` enforced: 30 messages/s overall, 1/s (burst 3) per private chat, 20/min per
group, answered with 429 + retry_after when exceeded. A few chats have blocked the bot (403).

Reports: sustained messages/s (first to last accepted sendMessage), 429s provoked, lost and
duplicated messages (the fake's record against the database), peak memory. Asserts nothing.
10,000 chats take about six minutes at Telegram's ceiling, hence the smaller default.

    python benchmarks/fanout.py [--chats 1000] [--blocked 10] [--groups 20]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.delivery import FanoutLimiter, TelegramNotifier  # noqa: E402
from summaries.articles import insert_article  # noqa: E402
from summaries.chats import ensure_chat, set_digest_time  # noqa: E402
from summaries.digest_schedule import run_due_digests  # noqa: E402
from summaries.models import Article, Summary  # noqa: E402
from summaries.outbox import Outbox  # noqa: E402
from summaries.outbox_admin import status_counts  # noqa: E402
from summaries.store import Database, open_database, to_db  # noqa: E402
from tests.fake_telegram import TOKEN, FakeTelegram, RateLimits  # noqa: E402

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
TOPICS = ["election", "climate", "markets", "football", "health"]


def populate(db: Database, fake: FakeTelegram, chats: int, groups: int, blocked: int) -> list[int]:
    """Chats (some groups, some that blocked the bot), their topics, and today's stories."""
    for n in range(40):
        topic = TOPICS[n % len(TOPICS)]
        url = f"https://news.example/{n}"
        insert_article(
            db,
            Article(title=f"Story {n} on {topic}", text=f"News about {topic} number {n}.", url=url),
            Summary(sentences=(f"News about {topic} number {n}.",), method="lead"),
            canonical_url=url, source_id=None, source_name=f"Outlet {n % 7}",
            content_origin="page", now=NOW - timedelta(hours=n % 20 + 1),
        )  # fmt: skip
    ids = [-(1_000_000 + n) if n < groups else n + 1 for n in range(chats)]
    stamp = to_db(NOW - timedelta(days=1))
    for n, chat_id in enumerate(ids):
        fake.add_chat(chat_id)
        ensure_chat(
            db, chat_id, now=NOW - timedelta(days=1), kind="supergroup" if chat_id < 0 else None
        )
        set_digest_time(db, chat_id, clock_time(8, 0), now=NOW - timedelta(days=1))
        with db.conn:
            db.execute(
                "INSERT INTO topics (chat_id, query, created_at) VALUES (?, ?, ?)",
                [chat_id, TOPICS[n % len(TOPICS)], stamp],
            )
        if groups <= n < groups + blocked:
            fake.blocked.add(chat_id)
    return ids


async def fan_out(db: Database, fake: FakeTelegram) -> float:
    request = HTTPXRequest(connection_pool_size=32, read_timeout=20.0, pool_timeout=20.0)
    bot = Bot(TOKEN, base_url=f"{fake.api_root}/bot", request=request)
    box = Outbox(db, TelegramNotifier(bot, FanoutLimiter()), clock=lambda: NOW)
    async with bot:
        start = time.perf_counter()
        run = await run_due_digests(db, box, NOW, grace=timedelta(hours=6))
        elapsed = time.perf_counter() - start
    print(f"planned {len(run.planned)} digests, sent {run.sent} in {elapsed:.1f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--blocked", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        db = open_database(Path(tmp) / "fanout.db")
        ids = populate(db, fake, args.chats, args.groups, args.blocked)
        fake.limits = RateLimits()
        asyncio.run(fan_out(db, fake))
        report(db, fake, ids)


def report(db: Database, fake: FakeTelegram, ids: list[int]) -> None:
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    span = sends[-1].at - sends[0].at if len(sends) > 1 else 0.0
    received = Counter((c.params["chat_id"], c.params["text"]) for c in sends)
    sent_rows = {
        (int(c), str(b))
        for c, b in db.execute("SELECT chat_id, body FROM outbox WHERE status = 'sent'")
    }
    expected = len(ids) - len(fake.blocked)
    print(f"chats: {len(ids)} ({sum(i < 0 for i in ids)} groups, {len(fake.blocked)} blocked)")
    print(f"outbox: {status_counts(db)}")
    print(f"sustained rate: {len(sends) / span if span else 0:.1f} messages/s"
          f" ({len(sends)} messages over {span:.1f} s; target >= 28/s)")  # fmt: skip
    print(f"429s provoked: {sum(1 for _, e in fake.rejected if e.code == 429)} (target 0)")
    print(f"403s (blocked chats, deactivated): {sum(1 for _, e in fake.rejected if e.code == 403)}")
    print(f"lost: {expected - len({chat for chat, _ in received})}, "
          f"duplicated: {sum(n - 1 for n in received.values())}, "
          f"sent rows missing at the fake: {len(sent_rows - set(received))}")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process, fake server included): {peak:.0f} MB")


if __name__ == "__main__":
    main()
