"""Links and long texts sent to the bot are read and summarised; refused addresses are explained."""

from __future__ import annotations

from bot.handlers import summary
from summaries.config import Settings
from tests.bot_harness import running_bot
from tests.servers import LocalServer, Reply

SENTENCES = [
    "The harbour council approved the new ferry terminal on Tuesday after a long debate.",
    "Engineers expect construction to start in spring and to last about three years.",
    "Local shop owners welcomed the decision, saying visitors would bring new business.",
    "Environmental groups asked for a study of the effects on the bay's seagrass meadows.",
    "The mayor promised that the study would be published before any work begins.",
    "Ticket prices for the new ferries have not been announced yet by the operator.",
]
PAGE = (
    "<!doctype html><html><head><title>Ferry terminal approved | Harbour Gazette</title>"
    '<meta property="og:site_name" content="Harbour Gazette"></head><body><article>'
    "<h1>Ferry terminal approved</h1>" + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</article>"
    "</body></html>"
)


async def test_a_link_in_a_private_message_is_summarised(
    settings: Settings, server: LocalServer
) -> None:
    url = server.add("/ferry", Reply(PAGE.encode()))
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, f"Have you seen this? {url} wow")
        assert reply.text.startswith("Ferry terminal approved")
        title = [e for e in reply.entities if e["offset"] == 0]
        assert {e["type"] for e in title} == {"bold", "text_link"}
        assert {e.get("url") for e in title} == {None, url}
        assert sum(s in reply.text for s in SENTENCES) == settings.summary_sentences
        assert any(c.method == "sendChatAction" for c in bot.fake.calls)


async def test_summary_command_and_refusals(settings: Settings, server: LocalServer) -> None:
    url = server.add("/ferry", Reply(PAGE.encode()))
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, f"/summary {url}")
        assert reply.text.startswith("Ferry terminal approved")
        [missing] = await bot.ask(42, f"/summary {server.url('/gone')}")
        assert "404" in missing.text and "Check the address" in missing.text
        [usage] = await bot.ask(42, "/summary")
        assert usage.text.startswith("Send me a link")
        pdf = server.add("/report.pdf", Reply(b"%PDF-1.7 binary", content_type="application/pdf"))
        [unreadable] = await bot.ask(42, f"/summary {pdf}")
        assert unreadable.text.startswith("That link is a PDF, not an article page")


async def test_a_private_address_is_refused_with_a_clear_sentence(
    settings: Settings, server: LocalServer
) -> None:
    url = server.add("/ferry", Reply(PAGE.encode()))
    async with running_bot(settings, allow_private_urls=False) as bot:
        [reply] = await bot.ask(42, url)
        assert "does not fetch from 127.0.0.1: it is a loopback address" in reply.text
        assert [r.path for r in server.requests] == []


async def test_long_pasted_text_is_summarised_and_short_chat_gets_a_hint(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, " ".join(SENTENCES))
        assert reply.text.startswith("Your text in short")
        assert sum(s in reply.text for s in SENTENCES) == settings.summary_sentences
        [hint] = await bot.ask(42, "hello there")
        assert hint.text.startswith("Send me a link to a news article")


async def test_links_in_groups_are_left_alone(settings: Settings, server: LocalServer) -> None:
    url = server.add("/ferry", Reply(PAGE.encode()))
    async with running_bot(settings) as bot:
        assert await bot.ask(7, f"look {url}", chat_id=-100) == []
        [reply] = await bot.ask(7, f"/summary@newsbrief_test_bot {url}", chat_id=-100)
        assert reply.text.startswith("Ferry terminal approved")


async def test_a_slow_page_does_not_hold_up_other_users(
    settings: Settings, server: LocalServer
) -> None:
    chunks = [b"<html><body><article><h1>Ferry terminal approved</h1>", b"", b"", PAGE.encode()]
    slow = server.add("/slow", Reply(chunks, chunk_delay=0.7))
    async with running_bot(settings) as bot:
        bot.fake.private_message(42, f"/summary {slow}")
        bot.fake.private_message(43, "/help")
        await bot.fake.wait_call("sendMessage", chat_id=43, within=2.0)
        assert bot.fake.bot_messages(42) == [], "the help reply waited for the slow page"
        await bot.settle()
        [reply] = bot.fake.bot_messages(42)
        assert reply.text.startswith("Ferry terminal approved")


async def test_several_links_each_get_an_answer_and_a_bad_one_holds_back_none(
    settings: Settings, server: LocalServer
) -> None:
    good = server.add("/ferry", Reply(PAGE.encode()))
    gone = server.url("/gone")
    async with running_bot(settings) as bot:
        refusal, story = await bot.ask(42, f"Two stories: {gone} and {good}")
        assert refusal.text.startswith(gone) and "404" in refusal.text
        assert story.text.startswith("Ferry terminal approved")


async def test_a_message_with_many_links_reads_the_first_three_and_says_so(
    settings: Settings, server: LocalServer
) -> None:
    urls = [server.add(f"/ferry{i}", Reply(PAGE.encode())) for i in range(5)]
    async with running_bot(settings) as bot:
        replies = await bot.ask(42, " ".join(urls))
        assert [r.text.startswith("Ferry terminal approved") for r in replies[:3]] == [True] * 3
        assert replies[3].text == summary.TOO_MANY_LINKS
        assert len(replies) == 4
        assert [r.path for r in server.requests] == ["/ferry0", "/ferry1", "/ferry2"]


async def test_a_pasted_text_must_be_over_the_limit_as_the_hint_says(settings: Settings) -> None:
    text = ("The harbour council met again. " * 20)[: summary.MIN_PASTED_CHARS]
    async with running_bot(settings) as bot:
        [hint] = await bot.ask(42, text)
        assert hint.text.startswith("Send me a link to a news article")
        [reply] = await bot.ask(42, text + " More.")
        assert reply.text.startswith("Your text in short")
