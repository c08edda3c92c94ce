"""How long a backup and a restore take at 100,000 articles, and whether the bot notices.

The archive is the search benchmark's (seeded synthetic articles with summaries and search
entries). While `summaries.backup.backup` copies it, a second thread plays the running bot on
its own connection: a search every 20 ms and a small write every 100 ms, each timed, so the
figures show what a user would wait for during the nightly backup. Then the backup is restored
over a copy of the database. Prints figures; asserts nothing.

    python -m benchmarks.backup [--articles 100000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.search import NOW, fill, vocabulary
from summaries.backup import backup
from summaries.restore import restore
from summaries.search import search
from summaries.store import open_database, to_db


class Bot(threading.Thread):
    """Searches and writes on its own connection until stopped; keeps each call's latency."""

    def __init__(self, path: Path, first_chat: int) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.first_chat = first_chat
        self.stop = threading.Event()
        self.reads: list[float] = []
        self.writes: list[float] = []

    def run(self) -> None:
        db = open_database(self.path)
        tick = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            search(db, "ba OR ke", limit=5, now=NOW)
            self.reads.append(time.perf_counter() - started)
            if tick % 5 == 0:
                started = time.perf_counter()
                with db.conn:
                    db.execute(
                        "INSERT INTO chats (id, created_at) VALUES (?, ?)",
                        [self.first_chat + tick, to_db(NOW)],
                    )
                self.writes.append(time.perf_counter() - started)
            tick += 1
            time.sleep(0.02)
        db.close()


def _worst(values: list[float]) -> str:
    return f"max {max(values) * 1000:.0f} ms over {len(values)}" if values else "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(20261125)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "newsbrief.db"
        fill(path, args.articles, rng, vocabulary(rng, 20_000))
        size = path.stat().st_size
        print(f"database: {args.articles:,} articles, {size / 1e6:.0f} MB")

        idle = Bot(path, first_chat=1)
        idle.start()
        time.sleep(2)
        idle.stop.set()
        idle.join()
        print(f"bot alone:          reads {_worst(idle.reads)}, writes {_worst(idle.writes)}")

        bot = Bot(path, first_chat=1_000_000)
        bot.start()
        time.sleep(0.2)
        started = time.perf_counter()
        snapshot = backup(path, Path(tmp), now=NOW)
        took = time.perf_counter() - started
        bot.stop.set()
        bot.join()
        print(
            f"backup:             {took:.1f} s, {snapshot.size / 1e6:.0f} MB"
            f" ({snapshot.size / size:.0%} of the database)"
        )
        print(f"bot during backup:  reads {_worst(bot.reads)}, writes {_worst(bot.writes)}")

        target = Path(tmp) / "restored.db"
        shutil.copyfile(path, target)
        started = time.perf_counter()
        restore(snapshot.path, target, now=NOW)
        print(f"restore:            {time.perf_counter() - started:.1f} s (checks included)")


if __name__ == "__main__":
    main()
