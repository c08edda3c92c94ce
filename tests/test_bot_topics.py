"""Topics and digests end to end: the real bot over HTTP against the fake Bot API server."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.app import build_application
from bot.delivery import outbox_of
from bot.services import Services
from summaries.chats import get_chat
from summaries.cluster import cluster_hook
from summaries.config import Settings
from summaries.digest_schedule import run_due_digests
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.sources import add_source
from summaries.store import open_database
from tests.bot_harness import FakeClock, add_story, running_bot
from tests.fake_telegram import TOKEN
from tests.servers import LocalServer, Reply

PARAGRAPHS = [
    "A powerful storm forced the port authority to close the northern harbour on Monday.",
    "Fishing crews moved their boats inland as waves reached eight metres high.",
    "The authority said repairs to the breakwater would take at least three days.",
    "Local shops reported that deliveries of fresh fish had stopped entirely.",
]


def feed_with_one_story(server: LocalServer) -> str:
    page = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    link = server.add(
        "/news/harbour",
        Reply(f"<html><body><article><h1>Storm closes harbour</h1>{page}</article></body></html>"),
    )
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Coast News</title>'
        "<link>https://coast.example/</link><description>News</description>"
        f"<item><title>Storm closes harbour</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{PARAGRAPHS[0]}</description></item></channel></rss>"
    )
    return server.add("/feed.xml", Reply(rss.encode(), content_type="application/rss+xml"))


async def test_subscribe_validate_list_and_remove_with_a_button(settings: Settings) -> None:
    async with running_bot(settings, max_topics_per_chat=2) as bot:
        add_story(bot.db, "Climate summit opens", published=bot.clock() - timedelta(days=1))
        [usage] = await bot.ask(42, "/subscribe")
        assert usage.text.startswith("Tell me what to follow")
        [refused] = await bot.ask(42, "/subscribe -sport")
        assert "cannot be only -exclusions" in refused.text
        [done] = await bot.ask(42, "/subscribe climate")
        assert done.text.startswith("Following climate. It matched 1 article in the last 7 days.")
        await bot.ask(42, '/subscribe "<b>heat</b> wave"')
        [full] = await bot.ask(42, "/subscribe third")
        assert "You follow 2 topics, the most allowed" in full.text
        [listing] = await bot.ask(42, "/topics")
        assert '1. climate\n2. "<b>heat</b> wave"' in listing.text
        assert [b["text"] for b in listing.buttons] == ["✖ Remove 1", "✖ Remove 2"]
        await bot.press(listing, "✖ Remove 1")
        [edited] = bot.fake.bot_messages(42)[-1:]
        assert '1. "<b>heat</b> wave"' in edited.text and "climate" not in edited.text
        [gone] = await bot.ask(42, "/unsubscribe 5")
        assert "No topic '5'" in gone.text
        [ok] = await bot.ask(42, "/unsubscribe 1")
        assert ok.text.startswith("Stopped following")


async def test_timezone_digest_time_and_settings(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        [wrong] = await bot.ask(42, "/timezone Berlin")
        assert "Did you mean Europe/Berlin" in wrong.text
        [ok] = await bot.ask(42, "/timezone europe/berlin")
        assert ok.text.startswith("Timezone set to Europe/Berlin (it is 09:00 there now)")
        [bad] = await bot.ask(42, "/digest 25:00")
        assert "Use 24-hour HH:MM" in bad.text
        [daily] = await bot.ask(42, "/digest 08:00")
        assert daily.text.startswith("Digest at 08:00 (Europe/Berlin), every day.")
        await bot.ask(42, "/alerts off")
        [shown] = await bot.ask(42, "/settings")
        assert "Timezone: Europe/Berlin" in shown.text
        assert "Digest: at 08:00, every day; next Thu 26 Nov 08:00" in shown.text
        [weekdays] = await bot.ask(42, "/digest 07:30 Mon-Fri")
        assert weekdays.text.startswith("Digest at 07:30 (Europe/Berlin), Monday to Friday.")
        [shown] = await bot.ask(42, "/settings")  # Wednesday 25 Nov, 09:00 in Berlin
        assert "Digest: at 07:30, Monday to Friday; next Thu 26 Nov 07:30" in shown.text
        await bot.ask(42, "/digest 07:30 weekends")
        [shown] = await bot.ask(42, "/settings")
        assert "Digest: at 07:30, Saturday and Sunday; next Sat 28 Nov 07:30" in shown.text
        [wrong] = await bot.ask(42, "/digest 07:30 someday")
        assert wrong.text.startswith("'someday' is not a day. Use daily, weekdays, weekends")
        assert "Alerts: off" in shown.text


async def test_digest_fires_at_0800_berlin_through_the_bot(settings: Settings) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    async with running_bot(settings, clock=clock) as bot:
        await bot.ask(42, "/timezone Europe/Berlin")
        await bot.ask(42, "/digest 08:00")
        await bot.ask(42, "/subscribe harbour")
        add_story(bot.db, "Storm closes harbour", source="Coast News")
        before = len(bot.fake.bot_messages(42))
        box, grace = outbox_of(bot.application), timedelta(hours=6)
        moment = datetime(2026, 11, 26, 6, 59, tzinfo=UTC)
        assert (await run_due_digests(bot.db, box, moment, grace=grace)).planned == []
        moment = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
        assert (await run_due_digests(bot.db, box, moment, grace=grace)).planned == [42]
        [digest] = bot.fake.bot_messages(42)[before:]
        assert digest.text.startswith("📰 Your digest · Thu 26 Nov, 08:00 (Europe/Berlin)")
        assert "🔎 harbour (1)\n\nStorm closes harbour\nCoast News" in digest.text


async def test_new_article_through_ingestion_becomes_an_alert(
    settings: Settings, server: LocalServer
) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(42, "/subscribe harbour")
        await bot.ask(7, "/subscribe football")
        add_source(bot.db, feed_with_one_story(server), "Coast News", now=bot.clock())
        hooks = [cluster_hook(bot.db, clock=bot.clock), *bot.services.new_article_hooks]
        ingester = Ingester(
            bot.db, bot.services.fetcher, bot.services.settings, clock=bot.clock,
            on_new_articles=hooks, rng=random.Random(1),
        )  # fmt: skip
        before = len(bot.fake.bot_messages(42))
        report = await ingester.run_due()
        assert len(report.new_articles) == 1
        [alert] = bot.fake.bot_messages(42)[before:]
        assert alert.text.startswith("🔔 New story on your topics\n\nStorm closes harbour")
        assert "Matched your topic: harbour" in alert.text
        assert len(bot.fake.bot_messages(7)) == 1  # only the subscription confirmation
        await ingester.run_due(force=True)
        assert len(bot.fake.bot_messages(42)) == before + 1


async def test_group_settings_are_for_its_admins(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        group = -1001
        bot.fake.add_chat(group)
        bot.fake.set_admins(group, {1})
        [refused] = await bot.ask(2, "/subscribe climate", chat_id=group)
        assert refused.text == "Only this group's admins can change its settings."
        [ok] = await bot.ask(1, "/subscribe@newsbrief_test_bot climate", chat_id=group)
        assert ok.text.startswith("Following climate.")
        [listing] = await bot.ask(2, "/topics", chat_id=group)
        assert "1. climate" in listing.text
        await bot.press(listing, "✖ Remove 1", user_id=2)
        [still] = await bot.ask(2, "/topics", chat_id=group)
        assert "1. climate" in still.text
        [denied] = await bot.ask(2, "/digest 07:00", chat_id=group)
        assert denied.text == "Only this group's admins can change its settings."


async def test_failures_are_for_operators(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({99})) as bot:
        [refused] = await bot.ask(42, "/failures")
        assert refused.text.startswith("Only the bot's operators")
        [report] = await bot.ask(99, "/failures")
        assert "No failed deliveries." in report.text


async def test_building_the_bot_schedules_delivery(settings: Settings) -> None:
    configured = replace(settings, telegram_bot_token=TOKEN)
    db = open_database(configured.db_path)
    async with Fetcher(FetchPolicy.from_settings(configured)) as fetcher:
        application = build_application(Services(configured, db, fetcher))
        scheduler = application.job_queue.scheduler  # type: ignore[union-attr]
        job = scheduler.get_job("newsbrief-digests")
        assert str(job.trigger) == "cron[second='0']"
        assert scheduler.get_job("newsbrief-resume") is not None
    db.close()


async def test_a_blocked_chat_keeps_its_topics_and_gets_them_back(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(42, "/subscribe harbour")
        await bot.ask(7, "/subscribe harbour")
        bot.fake.blocked.add(42)

        async def arrives(title: str) -> None:
            story = add_story(bot.db, title)
            for hook in bot.services.new_article_hooks:
                await hook([story])

        await arrives("Storm closes harbour")
        assert not get_chat(bot.db, 42).active and get_chat(bot.db, 7).active
        assert "Storm closes harbour" in bot.fake.bot_messages(7)[-1].text
        bot.fake.blocked.discard(42)
        [listing] = await bot.ask(42, "/topics")
        assert "1. harbour" in listing.text and get_chat(bot.db, 42).active
        await arrives("Harbour reopens after the storm")
        [alert] = bot.fake.bot_messages(42)[-1:]
        assert "Harbour reopens after the storm" in alert.text
        assert "Matched your topic: harbour" in alert.text


async def test_unclear_settings_are_explained(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        [unclear] = await bot.ask(42, "/alerts maybe")
        assert "Alerts are on. Use /alerts on or /alerts off." in unclear.text
        [empty] = await bot.ask(42, "/emptydigest sometimes")
        assert "Use /emptydigest send or /emptydigest skip." in empty.text
        [skip] = await bot.ask(42, "/emptydigest skip")
        assert "When nothing is new, I will skip the digest." in skip.text
        [unknown] = await bot.ask(42, "/timezone Qwxzy/Zzzq")
        assert "'Qwxzy/Zzzq' is not a timezone name. Use an Area/City name" in unknown.text
        await bot.ask(42, "/subscribe climate")
        [twice] = await bot.ask(42, "/subscribe Climate")
        assert "You already follow 'Climate'" in twice.text
        [never] = await bot.ask(42, "/subscribe climate -climate")
        assert "can never match" in never.text
        [listing] = await bot.ask(42, "/topics")
        assert "Your topics (1)" in listing.text


async def test_every_changing_command_in_a_group_is_for_its_admins(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        group = -1002
        bot.fake.add_chat(group)
        bot.fake.set_admins(group, {1})
        await bot.ask(1, "/subscribe climate", chat_id=group)
        changes = ["/unsubscribe 1", "/alerts off", "/timezone Europe/Berlin", "/emptydigest skip"]
        more = ["/digest 08:00", "/digest 07:30 weekdays", "/digest off", "/subscribe football",
                "/quiet 22:00-07:00", "/quiet off", "/forget"]  # fmt: skip
        for command in [*changes, *more]:
            [refused] = await bot.ask(2, command, chat_id=group)
            assert refused.text == "Only this group's admins can change its settings.", command
        chat = get_chat(bot.db, group)
        assert (chat.alerts, chat.timezone, chat.empty_digest, chat.digest_time) == (
            True, "UTC", "send", None,
        )  # fmt: skip
        assert (chat.quiet_start, chat.quiet_end) == (None, None)
        [listing] = await bot.ask(2, "/topics", chat_id=group)
        assert "Your topics (1)" in listing.text and "1. climate" in listing.text
        [ok] = await bot.ask(1, "/alerts off", chat_id=group)
        assert ok.text.startswith("Alerts off")


async def test_with_alerts_off_for_the_whole_bot_no_reply_promises_an_alert(
    settings: Settings,
) -> None:
    async with running_bot(settings, alerts_per_hour=0) as bot:
        [followed] = await bot.ask(42, "/subscribe harbour")
        assert "New ones go into your digest" in followed.text
        [on] = await bot.ask(42, "/alerts on")
        assert "this bot sends no instant alerts" in on.text
        assert "at most 0" not in on.text
        [shown] = await bot.ask(42, "/settings")
        assert "Alerts: none on this bot" in shown.text
        [listing] = await bot.ask(42, "/topics")
        assert "Alerts off (matches wait for the digest)" in listing.text
        [state] = await bot.ask(42, "/alerts")
        assert "this bot sends no instant alerts" in state.text
