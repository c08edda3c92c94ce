"""The whole bot, running against the fake Bot API server, for end-to-end tests.

    async with running_bot(settings) as bot:
        replies = await bot.ask(42, "/latest")

`running_bot` builds the bot exactly as `newsbrief run` does (`build_application(Services(...))`)
with `TELEGRAM_API_BASE_URL` pointing at a `FakeTelegram`, runs long polling, and stops it all
cleanly. `ask` sends a message as a user and returns the bot's answers once it has finished
with the message (a last-group handler records each processed update: no sleeping, no
guessing how many replies to expect); `press` presses a button. The clock is a `FakeClock`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.services import App, Services
from summaries.articles import insert_article
from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.models import Article, Summary
from summaries.store import Database, open_database
from tests.fake_telegram import TOKEN, FakeTelegram, Message, run_polling

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LAST_GROUP = 1_000_000
"""The harness's bookkeeping handler runs after every handler group of the bot."""


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class RunningBot:
    """A running bot and the fake Telegram it talks to."""

    fake: FakeTelegram
    application: App
    services: Services
    clock: FakeClock
    processed: set[int] = field(default_factory=set)
    _progress: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def db(self) -> Database:
        return self.services.db

    async def ask(
        self, user_id: int, text: str, *, chat_id: int | None = None, **user: Any
    ) -> list[Message]:
        """Send `text` as `user_id` (privately, or in group `chat_id`); return the bot's replies.

        Waits until the bot has finished with the message (error handler included), so the
        replies are complete and every side effect has happened.
        """
        where = user_id if chat_id is None else chat_id
        before = len(self.fake.bot_messages(where))
        if chat_id is None:
            self.fake.private_message(user_id, text, **user)
        else:
            self.fake.group_message(chat_id, user_id, text, **user)
        await self.settle()
        return self.fake.bot_messages(where)[before:]

    async def press(self, message: Message, label: str, *, user_id: int | None = None) -> None:
        """Press a button under `message` and wait until the bot has finished with the press."""
        self.fake.click(message, label, user_id=user_id)
        await self.settle()

    async def push(self, payload: dict[str, Any]) -> None:
        """Send any update (without `update_id`) and wait until the bot has finished with it."""
        self.fake.push_update(payload)
        await self.settle()

    async def settle(self, within: float = 15.0) -> None:
        """Wait until the bot has processed every update pushed so far."""
        async with asyncio.timeout(within):
            while not self.fake.pushed_ids <= self.processed:
                self._progress.clear()
                await self._progress.wait()

    async def _record(self, update: object, context: object) -> None:
        """Runs after every other handler (and error handler) for each update."""
        assert isinstance(update, Update)
        self.processed.add(update.update_id)
        self._progress.set()


@asynccontextmanager
async def running_bot(
    settings: Settings, *, clock: FakeClock | None = None, **changes: Any
) -> AsyncIterator[RunningBot]:
    """Run the real bot against a fresh fake Telegram; `changes` override settings fields."""
    with FakeTelegram() as fake:
        settings = replace(
            settings, telegram_bot_token=TOKEN, telegram_api_base_url=fake.api_root, **changes
        )
        db, moment = open_database(settings.db_path), clock or FakeClock()
        try:
            async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
                services = Services(settings, db, fetcher, moment)
                application = build_application(services)
                bot = RunningBot(fake, application, services, moment)
                application.add_handler(TypeHandler(Update, bot._record), group=LAST_GROUP)
                async with run_polling(application):
                    yield bot
        finally:
            db.close()


def add_story(
    db: Database,
    title: str,
    *,
    source: str = "Example News",
    url: str | None = None,
    sentences: tuple[str, ...] = ("Something happened today.", "People reacted."),
    published: datetime | None = None,
    body: str = "",
) -> int:
    """Store an article with its summary, as ingestion would; returns its id."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:60]
    link = url or f"https://news.example/{slug}"
    text = body or " ".join((title + ".", *sentences))
    article = Article(title=title, text=text, url=link, published=published or NOW)
    article_id = insert_article(
        db,
        article,
        Summary(sentences=sentences, method="lead"),
        canonical_url=link,
        source_id=None,
        source_name=source,
        content_origin="page",
        now=NOW,
    )
    assert article_id is not None, f"duplicate story {title!r}"
    return article_id
