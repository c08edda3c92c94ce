"""A new user's first conversation, from /start to a search result they open."""

from __future__ import annotations

from datetime import timedelta

from summaries.config import Settings
from tests.bot_harness import NOW, add_story, running_bot

STORIES = [
    ("Climate summit opens in Lisbon", "Leaders gathered for the climate summit.", "Wire One"),
    ("Football: late goal wins derby", "A late goal decided the derby.", "Sports Desk"),
    ("Summit leaders agree on methane cuts", "The climate summit agreed on cuts.", "Wire Two"),
    ("Markets calm after rate decision", "Stocks rose slightly.", "Money Daily"),
]


async def test_new_user_from_start_to_a_search_result(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        for hours, (title, sentence, source) in enumerate(STORIES, start=1):
            add_story(
                bot.db, title, source=source, sentences=(sentence,),
                published=NOW - timedelta(hours=hours),
            )  # fmt: skip
        [welcome] = await bot.ask(501, "/start", first_name="Ada")
        assert welcome.text.startswith("Hi Ada! I read news feeds")

        await bot.press(welcome, "🔎 How to search", user_id=501)
        hint = bot.fake.bot_messages(501)[-1]
        assert '/search "climate summit"' in hint.text

        [results] = await bot.ask(501, '/search "climate summit"')
        assert results.text.startswith('Results 1–2 of 2 for "climate summit"')
        first, second = results.text.split("\n\n")[1:3]
        assert first.startswith("Climate summit opens in Lisbon\nWire One · 1 h ago")
        assert second.startswith("Summit leaders agree on methane cuts\nWire Two · 3 h ago")
        assert "Football" not in results.text and results.buttons == []
        link = next(e for e in results.entities if e["type"] == "text_link")
        assert link["url"] == "https://news.example/climate-summit-opens-in-lisbon"

        [narrower] = await bot.ask(501, "/search summit -methane source:wire")
        assert "Results 1–1 of 1" in narrower.text and "Lisbon" in narrower.text

        [nothing] = await bot.ask(501, "/search volcano")
        assert nothing.text.startswith("Nothing found for volcano")
        assert bot.fake.rejected == []
