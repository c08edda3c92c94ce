"""Properties of the bot under hostile users, over generated updates sent through the fake Bot
API server: whatever a client sends, every update gets a clear reply or a deliberate silence,
never the apology for a bug, never a request Telegram would refuse, never a setting the owner
did not choose. The bugs they found are pinned in `tests/test_bot_fuzz_regressions.py`.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.handlers.errors import SORRY
from bot.handlers.inline import MAX_OFFSET
from bot.render import (
    CALLBACK_LIMIT,
    SENTENCE_CHARS,
    TELEGRAM_LIMIT,
    TITLE_CHARS,
    Keyboard,
    clip,
    inline_text,
    latest_reply,
    notice,
    search_reply,
    summary_reply,
)
from bot.render_digest import (
    failures_reply,
    render_alert,
    render_digest,
    subscribed_reply,
    topics_reply,
)
from bot.render_info import sources_reply, welcome_reply
from summaries.chats import Chat, get_chat
from summaries.config import Settings
from summaries.errors import NotFoundError
from summaries.models import Article, Source, StoredArticle, Summary
from summaries.notify import AlertMessage, DigestMessage, Item
from summaries.outbox_admin import Failure
from summaries.search import SearchHit, SearchPage
from summaries.store import Database
from summaries.topics import Topic, list_topics
from tests.bot_harness import RunningBot, add_story, running_bot
from tests.fake_telegram_html import parse_html, utf16_len
from tests.test_bot_fuzz_regressions import forged_press

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
T = TypeVar("T")


# --- every renderer, any outside text -----------------------------------------------------------

PIECES = ["<", ">", "&", '"', "'", "&amp;", "&lt;", "&#0;", "</b>", "<b>", "<a href='x'>", "\n",
          "\t", " ", "\x00", "\x07", "\x1b", "\x7f", "\u202e", "\u2067", "\u200b", "\ufeff",
          "\ud800", "a\u0301", "😀", "👩‍👩‍👧", "🇺🇦", "ע", "ب", "storm", "x"]  # fmt: skip
"""What breaks HTML rendering: markup, entities, control and bidi characters, a lone
surrogate (what an undecodable byte becomes), combining marks, emoji that count twice."""
OUTSIDE = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=40),
    st.tuples(st.sampled_from([*PIECES[:8], "😀", "word "]), st.integers(500, 2100)).map(
        lambda repeat: repeat[0] * repeat[1]
    ),
)
"""Text from outside the bot (users, feeds, pages), short or several thousand characters."""


def shown_parts(parts: Sequence[str], buttons: Keyboard = ()) -> str:
    """The text a user sees, after checking each part as Telegram would."""
    shown = []
    for part in parts:
        text, _ = parse_html(part)  # raises on HTML Telegram refuses
        assert 0 < utf16_len(text.strip()) <= TELEGRAM_LIMIT
        shown.append(text)
    for button in (b for row in buttons for b in row):
        assert 0 < len(button.data.encode()) <= CALLBACK_LIMIT or button.url
    return "\n".join(shown)


@given(title=OUTSIDE, source=OUTSIDE, sentence=OUTSIDE, typed=OUTSIDE)
@hypothesis_settings(max_examples=60)
def test_every_renderer_sends_outside_text_escaped_and_within_limits(
    title: str, source: str, sentence: str, typed: str
) -> None:
    story = StoredArticle(
        id=1, url="https://news.example/a?b=1&c=2", title=title, source_id=1,
        source_name=source, published_at=NOW, fetched_at=NOW, summary=(sentence, sentence),
        method="lead", also_reported_by=(source, typed),
    )  # fmt: skip
    title_shown = clip(title, TITLE_CHARS) or "(untitled)"
    latest = latest_reply([story, story], NOW, source=typed)
    assert title_shown in shown_parts(latest.parts)
    page = SearchPage((SearchHit(story, ((typed, True), (sentence, False)), 1.0),), 9, 0, 5)
    found = search_reply(page, typed, NOW, key="abcdefgh")
    assert len(found.parts) == 1 and shown_parts(found.parts, found.buttons)
    summary = Summary(sentences=(sentence,), method="lead")
    shown_parts(
        summary_reply(Article(title=title, text=".", url=typed, byline=source), summary).parts
    )
    shown_parts((inline_text(story),))
    if clip(typed, SENTENCE_CHARS):  # the core's messages are never blank
        assert clip(typed, SENTENCE_CHARS) in shown_parts(notice(typed).parts)
    topics = [Topic(n, 42, typed or "x") for n in range(1, 31)]
    listing = topics_reply(topics, alerts=True)
    assert len(listing.parts) == 1 and shown_parts(listing.parts, listing.buttons)
    shown_parts(subscribed_reply(topics[0], 3, alerts=False, posted_in="").parts)
    items = (Item(story, typed), Item(replace(story, id=2), None))
    shown_parts([p.text for p in render_alert(AlertMessage(42, items, NOW))])
    digest = DigestMessage(42, ((typed, items), (None, items)), since=NOW, now=NOW)
    shown_parts([p.text for p in render_digest(digest)])
    broken = Source(1, typed, source, last_error=sentence, consecutive_failures=2)
    shown_parts(sources_reply([broken, replace(broken, id=2, consecutive_failures=0)], NOW,
                              is_admin=True).parts)  # fmt: skip
    welcome = welcome_reply(source, private=False)
    shown_parts(welcome.parts, welcome.buttons)
    failed = Failure(1, -5, "digest", "failed", sentence, 3, NOW)
    shown_parts(failures_reply([failed], {typed: 1}, NOW).parts)


# --- the running bot, driven by generated updates ------------------------------------------------


class BotThread:
    """The running bot on an event loop of its own, in a thread: hypothesis's synchronous
    examples each hand it a coroutine (`run`) and get its result, while the bot and the fake
    Telegram keep running from one example to the next."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))
        self._bot: RunningBot | None = None
        self.groups = itertools.count(-3000, -1)
        """A new group for each example: Telegram (and the bot's rate limiter) allow a group
        20 messages a minute."""

    @property
    def bot(self) -> RunningBot:
        assert self._bot is not None, "the bot did not start"
        return self._bot

    async def _main(self) -> None:
        try:
            async with running_bot(self.settings) as bot:
                self._bot, self._stop = bot, self.loop.create_future()
                for n in range(7):
                    add_story(bot.db, f"Storm <b>{n}</b> & more", source='Coast "News" <i>')
                self.ready.set()
                await self._stop
        except BaseException as error:
            self.failure = error
            raise
        finally:
            self.ready.set()

    def __enter__(self) -> BotThread:
        self._thread.start()
        self.ready.wait(30)
        if self.failure is not None:
            raise self.failure
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(30)
        self.loop.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the bot's loop, where its database is used (the bot's own jobs
        run there too, so a read never interleaves with their writes)."""

        async def called() -> T:
            return function(*args)

        return self.run(called())


@pytest.fixture
def live(settings: Settings) -> Iterator[BotThread]:
    with BotThread(settings) as running:
        yield running


WORDS = ["on", "off", "send", "skip", "08:00", "25:61", "8h30", "1", "0", "99999999999", "٣",
         "Europe/Berlin", "UTC+2", "berlin", "storm", "-storm", "OR", '"', "*", "source:",
         "since:2d", "@newsbrief_test_bot", "weekdays", "mon-fri", "sun", "fri-mon",
         "mo", "22:00-07:00", "7.00-6.00"]  # fmt: skip
ARGUMENT = st.one_of(st.lists(st.sampled_from(PIECES + WORDS), max_size=8).map(" ".join), OUTSIDE)
"""What follows a command: the words the commands expect, and anything else."""
COMMANDS = ["start", "help", "latest", "search", "sources", "removesource", "subscribe", "topics",
            "unsubscribe", "alerts", "digest", "timezone", "settings", "emptydigest", "failures",
            "summary", "quiet", "forget", "status", "announce", "lates",
            "start@other_bot"]  # fmt: skip
"""Every command but /addsource (an operator's, which fetches what it is given), and two
commands the bot does not have."""
CONFIRMATIONS = ("Following ", "Stopped following ", "Alerts on", "Alerts off", "Digest at ",
                 "Scheduled digest off", "Quiet hours ",
                 "Timezone set to ", "When nothing is new")  # fmt: skip


def chat_state(db: Database, chat_id: int) -> tuple[object, ...]:
    """Everything about a chat its owner chooses: settings and followed topics."""
    try:
        chat = get_chat(db, chat_id)
    except NotFoundError:
        chat = Chat(chat_id)  # a chat without a row has the defaults
    topics = tuple(t.query for t in list_topics(db, chat_id))
    return (
        chat.timezone,
        chat.digest_time,
        chat.digest_days,
        chat.alerts,
        chat.empty_digest,
        (chat.quiet_start, chat.quiet_end),
        topics,
    )


@given(command=st.sampled_from(COMMANDS), argument=ARGUMENT, who=st.sampled_from([42, 7, 8]))
@hypothesis_settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_command_with_any_argument_is_answered_and_changes_only_what_it_confirms(
    live: BotThread, command: str, argument: str, who: int
) -> None:
    bot = live.bot
    chat = who if who == 42 else next(live.groups)  # 7 administers each group, 8 does not
    bot.fake.set_admins(chat, {7})
    rejected, before = len(bot.fake.rejected), live.call(chat_state, bot.db, chat)
    text = f"/{command} {argument}"
    replies = live.run(bot.ask(who, text, chat_id=None if chat == who else chat))
    assert bot.fake.rejected[rejected:] == [], "Telegram refused a reply"
    assert [r.text for r in replies if r.text == SORRY] == []
    if chat == who:
        assert replies, "a private chat always gets an answer"
    if live.call(chat_state, bot.db, chat) != before:
        assert who != 8, "a group member changed the group's settings"
        assert [r.text for r in replies if r.text.startswith(CONFIRMATIONS)], (
            f"{text!r} changed a setting without saying so: {[r.text for r in replies]}"
        )


OFFSET = st.one_of(
    st.sampled_from(["", "0", "10", "190", "200", "-10", "1e3", "0x10", "٣", "１０", " 10"]),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=64),
)
"""An inline query's offset: the client sends back whatever it likes."""


@given(text=OUTSIDE.map(lambda text: text[:256]), offset=OFFSET)
@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_inline_query_at_any_offset_is_answered(
    live: BotThread, text: str, offset: str
) -> None:
    bot = live.bot
    rejected = len(bot.fake.rejected)
    query_id = bot.fake.inline_query(42, text, offset=offset)
    live.run(bot.settle())
    answer = bot.fake.inline_answers[query_id]
    assert answer is not None and bot.fake.rejected[rejected:] == []
    following = answer.get("next_offset", "")
    assert following == "" or (following.isdecimal() and int(following) <= MAX_OFFSET)


DATA = st.one_of(
    st.tuples(
        st.sampled_from(["cmd:", "s:", "s:0:", "s:1:", "tr:", "x"]), st.text(max_size=40)
    ).map("".join),
    st.text(min_size=1, max_size=64),
).filter(lambda data: 0 < len(data.encode()) <= CALLBACK_LIMIT)
"""Callback data a modified client can send: near the bot's own, or anything."""


@given(data=DATA, presser=st.sampled_from([42, 8]))
@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_callback_data_is_answered_and_removes_nothing_it_does_not_name(
    live: BotThread, data: str, presser: int
) -> None:
    bot = live.bot
    [listing] = live.run(bot.ask(42, "/topics"))
    topics = live.call(list_topics, bot.db, 42)
    if not topics:
        live.run(bot.ask(42, "/subscribe storm"))
        [listing] = live.run(bot.ask(42, "/topics"))
        topics = live.call(list_topics, bot.db, 42)
    rejected, posted = len(bot.fake.rejected), len(bot.fake.bot_messages(42))
    query_id = forged_press(bot, data, under=listing, presser=presser)
    live.run(bot.settle())
    assert bot.fake.callback_answers[query_id] is not None, "the client is left waiting"
    refusals = [error.description for _, error in bot.fake.rejected[rejected:]]
    assert [r for r in refusals if "message is not modified" not in r] == []
    assert SORRY not in [m.text for m in bot.fake.bot_messages(42)[posted:]]
    named = {f"tr:{topic.id}" for topic in topics}
    if data.rstrip("\n") not in named:
        assert live.call(list_topics, bot.db, 42) == topics
