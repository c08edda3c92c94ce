"""Replies as the people in a chat read them: wording that fits where and what they asked.

Found by playing whole sessions (private chat, group, forum topic, channel) through the fake
Bot API server; each test pins one reply that read wrong to a user.
"""

from __future__ import annotations

from summaries.config import Settings
from tests.bot_harness import add_story, running_bot

GROUP = -1001234


async def test_an_empty_on_demand_digest_without_topics_reads_as_english(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Harbour ferry approved")
        [first] = await bot.ask(42, "/digest")
        assert "Top stories (1)" in first.text
        [again] = await bot.ask(42, "/digest")
        assert again.text.endswith("\nNo new stories since Wed 25 Nov, 08:00.")


async def test_unsubscribe_names_the_topic_as_it_was_typed(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(42, "/subscribe back\\slash")
        await bot.ask(42, '/subscribe "heat wave"')
        [first] = await bot.ask(42, "/unsubscribe 1")
        assert first.text == "Stopped following 'back\\slash'."
        [second] = await bot.ask(42, "/unsubscribe 1")
        assert second.text == "Stopped following '\"heat wave\"'."


async def test_the_welcome_in_a_group_does_not_promise_link_summaries_there(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        [private] = await bot.ask(42, "/start")
        assert "Send me any link" in private.text
        [group] = await bot.ask(7, "/start", chat_id=GROUP)
        assert "Send me any link" not in group.text, "links are ignored in groups"
        assert "/summary link: summarise a page" in group.text
        assert await bot.ask(7, "https://example.com/story", chat_id=GROUP) == []


async def test_summary_without_a_link_shows_how_to_use_the_command(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        [usage] = await bot.ask(7, "/summary", chat_id=GROUP)
        assert "e.g. /summary https://example.com/article" in usage.text
        [short] = await bot.ask(7, "/summary hello", chat_id=GROUP)
        assert short.text == usage.text
        [private_usage] = await bot.ask(42, "/summary")
        assert private_usage.text == usage.text
        [chat] = await bot.ask(42, "hello there")
        assert chat.text.startswith("Send me a link to a news article")


async def test_a_long_topic_list_is_one_message_that_its_remove_buttons_keep_whole(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        for n in range(30):  # near the 200-character limit each: over 5,000 characters in all
            words = " OR ".join(f"topic{n}word{w}" for w in range(12))
            await bot.ask(42, f"/subscribe {words}")
        [listing] = await bot.ask(42, "/topics")
        assert listing.text.startswith("Your topics (30)\n1. topic0word0 OR")
        assert "\n30. topic29word0 OR" in listing.text and len(listing.buttons) == 30
        await bot.press(listing, "✖ Remove 1")
        assert listing.text.startswith("Your topics (29)\n1. topic1word0 OR")
        assert "\n29. topic29word0 OR" in listing.text and "topic0word0" not in listing.text
        assert len(bot.fake.bot_messages(42)) == 31, "30 confirmations and one list"


async def test_a_corrected_command_in_a_group_is_answered_as_a_reply_to_it(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm reaches the coast")
        command = bot.fake.group_message(GROUP, 7, "/search strom")
        await bot.settle()
        await bot.push({"edited_message": {**command, "text": "/search storm", "edit_date": 1}})
        typo, corrected = bot.fake.bot_messages(GROUP)
        assert corrected.text.startswith("Results 1–1 of 1 for storm")
        assert typo.reply_to == corrected.reply_to == command["message_id"]
