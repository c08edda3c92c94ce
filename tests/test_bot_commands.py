"""Each command end to end: the real bot, over HTTP, against the fake Bot API server."""

from __future__ import annotations

from datetime import timedelta

from summaries.cluster import assign_cluster
from summaries.config import Settings
from tests.bot_harness import NOW, add_story, running_bot
from tests.servers import LocalServer, Reply

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<link>https://harbour.example/</link><description>Local news</description>
<item><title>Ferry terminal approved</title><link>https://harbour.example/ferry</link>
<guid>1</guid></item></channel></rss>"""


async def test_start_registers_menu_and_welcomes_with_three_buttons(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        menu = [c["command"] for c in bot.fake.commands["default::"]]
        assert {"start", "help", "latest", "search", "summary", "sources"} <= set(menu)
        assert "addsource" not in menu
        assert bot.fake.descriptions["description"].startswith("I read news feeds")
        [welcome] = await bot.ask(42, "/start")
        assert welcome.text.startswith("Hi User42!")
        labels = [b["text"] for b in welcome.buttons]
        assert labels == ["📰 Latest news", "🔎 How to search", "❓ Help"]
        assert welcome.link_preview_options == {"is_disabled": True}
        assert welcome.reply_to is None, "private chats need no reply threading"


async def test_help_lists_every_registered_command_with_an_example(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, "/help")
        for spec in bot.application.bot_data["command_specs"]:
            assert f"/{spec.name}: " in reply.text
        assert "e.g. /latest 10 bbc" in reply.text
        assert "@newsbrief_test_bot words" in reply.text


async def test_latest_default_count_and_source_filter(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        for i in range(7):
            add_story(bot.db, f"Story {i}", published=NOW - timedelta(hours=i + 1))
        add_story(bot.db, "Only on Other", source="Other Wire", published=NOW)
        [reply] = await bot.ask(42, "/latest")
        assert reply.text.count("Example News · ") == 4
        assert reply.text.index("Only on Other") < reply.text.index("Story 0")
        assert "Example News · 1 h ago" in reply.text
        [reply] = await bot.ask(42, "/latest 2 other")
        assert "Only on Other" in reply.text and "Story" not in reply.text
        [reply] = await bot.ask(42, "/latest 999")
        assert reply.text.count("Story") == 7
        [reply] = await bot.ask(42, "/latest 3 nowhere")
        assert reply.text.startswith("No stories from nowhere yet")


async def test_welcome_buttons_run_their_commands(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Button story")
        [welcome] = await bot.ask(42, "/start")
        await bot.press(welcome, "📰 Latest news")
        await bot.press(welcome, "🔎 How to search")
        await bot.press(welcome, "❓ Help")
        _, latest, hint, help_text = bot.fake.bot_messages(42)
        assert "Button story" in latest.text
        assert '/search "climate summit"' in hint.text
        assert help_text.text.startswith("What I can do")


async def test_search_pages_edit_the_message_in_place(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        for i in range(12):
            add_story(bot.db, f"Storm report {i}", published=NOW - timedelta(minutes=i))
        [results] = await bot.ask(42, "/search storm")
        assert results.text.startswith("Results 1–5 of 12 for storm")
        assert [b["text"] for b in results.buttons] == ["Next ▶"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in results.buttons)
        await bot.press(results, "Next ▶")
        assert results.text.startswith("Results 6–10 of 12")
        assert [b["text"] for b in results.buttons] == ["◀ Previous", "Next ▶"]
        await bot.press(results, "Next ▶")
        assert results.text.startswith("Results 11–12 of 12")
        await bot.press(results, "◀ Previous")
        assert results.text.startswith("Results 6–10 of 12")
        assert len(bot.fake.bot_messages(42)) == 1, "paging edits, never sends anew"
        assert len(results.edits) == 3


async def test_only_a_search_with_more_pages_keeps_its_query_for_the_buttons(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        for i in range(6):
            add_story(bot.db, f"Storm report {i}", published=NOW - timedelta(minutes=i))
        [one_page] = await bot.ask(42, "/search storm report 0")
        assert one_page.buttons == []
        [no_page] = await bot.ask(42, "/search volcano")
        assert no_page.buttons == []
        assert bot.db.execute("SELECT count(*) FROM search_sessions").fetchone()[0] == 0
        [two_pages] = await bot.ask(42, "/search storm")
        await bot.press(two_pages, "Next ▶")
        assert two_pages.text.startswith("Results 6–6 of 6")
        assert bot.db.execute("SELECT count(*) FROM search_sessions").fetchone()[0] == 1


async def test_search_without_results_suggests_a_broader_query(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm report")
        [reply] = await bot.ask(42, "/search zebra migration")
        assert reply.text.startswith("Nothing found for zebra migration")
        assert "OR" in reply.text and reply.buttons == []
        [reply] = await bot.ask(42, "/search")
        assert reply.text.startswith("Tell me what to look for")
        [reply] = await bot.ask(42, "/search -storm")
        assert reply.text.endswith("a search cannot be only -exclusions.")


async def test_sources_listing_and_admin_only_changes(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({1})) as bot:
        [reply] = await bot.ask(42, "/sources")
        assert reply.text == "No sources yet."
        [refused] = await bot.ask(42, "/addsource https://example.com/feed")
        assert "Only the bot's operators" in refused.text
        [usage] = await bot.ask(1, "/removesource bbc")
        assert "Send a source's number" in usage.text
        [missing] = await bot.ask(1, "/removesource 99")
        assert "No source '99'" in missing.text


async def test_an_operator_adds_a_site_by_its_page_lists_and_removes_it(
    settings: Settings, server: LocalServer
) -> None:
    feed_url = server.add("/feed.xml", Reply(FEED, content_type="application/rss+xml"))
    alternate = f'<link rel="alternate" type="application/rss+xml" href="{feed_url}">'
    page = f"<html><head>{alternate}</head><body>News</body></html>"
    site = server.add("/news", Reply(page.encode()))
    async with running_bot(settings, admin_ids=frozenset({1})) as bot:
        [added] = await bot.ask(1, f"/addsource {site}")
        assert added.text.startswith(f"Added #1 Harbour Gazette ({feed_url}).")
        [listing] = await bot.ask(1, "/sources")
        assert "#1 Harbour Gazette: 0 articles\n🕓 not polled yet" in listing.text
        assert listing.text.endswith("Add with /addsource URL, remove with /removesource ID.")
        [removed] = await bot.ask(1, "/removesource 1")
        assert removed.text == "Removed #1 Harbour Gazette; its stories remain."
        [empty] = await bot.ask(42, "/sources")
        assert empty.text == "No sources yet."
    assert [r.path for r in server.requests] == ["/news", "/feed.xml"]


async def test_inline_query_offers_stories_that_post_title_link_and_summary(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm <hits> coast", sentences=("Winds & rain.",))
        query_id = bot.fake.inline_query(42, "storm")
        answer = await bot.fake.wait_for(lambda: bot.fake.inline_answers.get(query_id))
        [result] = answer["results"]
        assert result["title"] == "Storm <hits> coast"
        content = result["input_message_content"]
        assert content["message_text"].startswith('<b><a href="https://news.example/')
        assert "Storm &lt;hits&gt; coast" in content["message_text"]
        assert "Winds &amp; rain." in content["message_text"]
        empty_id = bot.fake.inline_query(42, "")
        latest = await bot.fake.wait_for(lambda: bot.fake.inline_answers.get(empty_id))
        assert len(latest["results"]) == 1


async def test_latest_shows_one_story_once_with_the_other_outlets(settings: Settings) -> None:
    body = (
        "Heavy rain flooded the old town of Porto on Monday night. Firefighters rescued "
        "twelve people from cars trapped in the water near the river. The mayor said the "
        "drainage system had failed after the storm dropped a month of rain in six hours."
    )
    async with running_bot(settings) as bot:
        ids = [
            add_story(
                bot.db,
                "Floods hit Porto old town",
                source=source,
                body=body + suffix,
                url=f"https://{hours}.example/porto",
                published=NOW - timedelta(hours=hours),
            )
            for source, suffix, hours in [("Wire One", "", 1), ("Wire Two", " More soon.", 2)]
        ]
        add_story(bot.db, "Markets calm after rate decision", source="Money Daily")
        clusters = {assign_cluster(bot.db, i, now=NOW) for i in ids}
        assert len(clusters) == 1, "the same story from two outlets is one cluster"
        [reply] = await bot.ask(42, "/latest")
        assert reply.text.count("Floods hit Porto old town") == 1
        assert "Wire One · 1 h ago\nAlso reported by Wire Two" in reply.text
        assert "Markets calm" in reply.text
