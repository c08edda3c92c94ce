"""Hostile input gets a clear reply: never a traceback, never a message Telegram would refuse."""

from __future__ import annotations

from datetime import timedelta

from bot.handlers.errors import SORRY
from summaries.config import Settings
from tests.bot_harness import NOW, add_story, running_bot

HOSTILE = [
    "<script>alert(1)</script>",
    "&amp; &lt; </b> <b>",
    '"unbalanced',
    "NEAR(a b) AND OR NOT * ^title:x",
    "storm " * 700,
    "x" * 4000,
    "zero\u200bwidth\u200d\ufeff",
    "\u200b",
    "😀🔥🇺🇦",
    "\u202eעברית العربية",
    "source: since:99999y",
    "-",
]
COMMANDS = ["/search", "/latest", "/summary", "/sources", "/removesource", "/addsource", "/help"]


async def test_every_command_answers_hostile_arguments_clearly(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm <b>warning</b> & more", sentences=("A <i>storm</i> & rain.",))
        for command in COMMANDS:
            for argument in [*HOSTILE, "", "one two three four five six seven"]:
                replies = await bot.ask(42, f"{command} {argument}".strip())
                assert replies, f"no reply to {command} {argument[:40]!r}"
                assert all(r.text != SORRY for r in replies), f"{command} {argument[:40]!r}"
        assert bot.fake.rejected == [], "every message was one Telegram accepts"


async def test_an_operator_gets_a_sendable_refusal_for_a_2100_emoji_link(
    settings: Settings,
) -> None:
    async with running_bot(settings, admin_ids=frozenset({42})) as bot:
        [refusal] = await bot.ask(42, "/addsource " + "😀" * 2100)
        assert refusal.text.startswith("'https://😀")
        assert refusal.text.endswith("…' is not a valid web address.")
        assert bot.fake.rejected == [], "the core's message repeats the input: clipped to fit"


async def test_hostile_private_messages_and_inline_queries(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm warning")
        for text in HOSTILE:
            [reply] = await bot.ask(42, text)
            assert reply.text != SORRY
        for text in HOSTILE:
            query_id = bot.fake.inline_query(42, text[:256])
            await bot.settle()
            assert bot.fake.inline_answers[query_id] is not None
        assert bot.fake.rejected == []


async def test_a_5000_character_reply_is_split_into_valid_parts(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        long_sentence = "The committee heard evidence from many witnesses. " * 20
        for i in range(6):
            add_story(
                bot.db,
                f"Long story {i}",
                sentences=(long_sentence, long_sentence),
                published=NOW - timedelta(minutes=i),
            )
        replies = await bot.ask(42, "/latest 6")
        assert sum(len(r.text) for r in replies) > 5000
        assert len(replies) >= 2
        assert all(len(r.text) <= 4096 for r in replies)
        shown = "\n".join(r.text for r in replies)
        assert [shown.count(f"Long story {i}\n") for i in range(6)] == [1] * 6
        assert bot.fake.rejected == []
