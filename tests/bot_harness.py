"""The whole bot, running against the fake Bot API server, for end-to-end tests.

    async with running_bot(settings) as bot:
        replies = await bot.ask(42, "/latest")

`running_bot` builds the bot exactly as `newsbrief run` does (`build_application(Services(...))`)
with `TELEGRAM_API_BASE_URL` pointing at a `FakeTelegram`, runs long polling, and stops it all
cleanly. `ask` sends a message as a user and waits for the bot's answers; `press` presses a
button. The clock is a `FakeClock` the test can move.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application
from bot.services import App, Services
from summaries.articles import insert_article
from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.models import Article, Summary
from summaries.store import Database, open_database
from tests.fake_telegram import TOKEN, FakeTelegram, Message, run_polling

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


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

    @property
    def db(self) -> Database:
        return self.services.db

    async def ask(
        self, user_id: int, text: str, *, chat_id: int | None = None, replies: int = 1,
        within: float = 10.0,
    ) -> list[Message]:  # fmt: skip
        """Send `text` as `user_id` (privately, or in group `chat_id`); return the new replies."""
        where = user_id if chat_id is None else chat_id
        before = len(self.fake.bot_messages(where))
        if chat_id is None:
            self.fake.private_message(user_id, text)
        else:
            self.fake.group_message(chat_id, user_id, text)
        return await self.new_messages(where, before, replies, within)

    async def new_messages(
        self, chat_id: int, before: int, count: int = 1, within: float = 10.0
    ) -> list[Message]:
        """Wait until the bot has posted `count` messages in `chat_id` after the first `before`."""

        def arrived() -> list[Message] | None:
            messages = self.fake.bot_messages(chat_id)[before:]
            return messages if len(messages) >= count else None

        return await self.fake.wait_for(arrived, within)

    async def press(
        self, message: Message, label: str, *, user_id: int | None = None, then: str = ""
    ) -> None:
        """Press a button under `message`; wait for the bot to answer the press (and to call
        the Bot API method `then`, e.g. "editMessageText", if given)."""
        since = self.fake.mark()
        update = self.fake.click(message, label, user_id=user_id)
        query_id = update["callback_query"]["id"]
        await self.fake.wait_for(lambda: self.fake.callback_answers.get(query_id))
        if then:
            await self.fake.wait_call(then, since=since, chat_id=message.chat_id)


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
                async with run_polling(application):
                    yield RunningBot(fake, application, services, moment)
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
