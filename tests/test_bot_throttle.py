"""A user who sends links too fast is told to wait, and nothing is fetched for the refused one."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from summaries.config import Settings
from tests.bot_harness import running_bot
from tests.servers import LocalServer, Reply

SENTENCES = [
    "The city library will stay open until midnight during the exam weeks this winter.",
    "Students had asked for longer hours in a petition signed by four thousand people.",
    "The council found the money by moving part of the budget for the new car park.",
    "Librarians said they would welcome volunteers for the late evening shifts.",
    "The trial will be reviewed in March, when the council sets next year's budget.",
]
REFUSAL = "You're sending links and texts faster than I can read them: try again in 60 s."


def story(server: LocalServer, n: int) -> str:
    """Serve a short article at /story<n>; returns its URL."""
    page = (
        f"<html><head><title>Library hours, part {n}</title></head><body><article>"
        f"<h1>Library hours, part {n}</h1>"
        + "".join(f"<p>{s}</p>" for s in SENTENCES)
        + "</article></body></html>"
    )
    return server.add(f"/story{n}", Reply(page.encode()))


def fetched(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests]


async def test_the_seventh_link_in_a_minute_is_refused_and_not_fetched(
    settings: Settings, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="summaries.throttle")
    urls = [story(server, n) for n in range(1, 9)]
    async with running_bot(settings) as bot:
        assert settings.summaries_per_minute == 6
        [hint] = await bot.ask(42, "hello there")
        assert hint.text.startswith("Send me a link")
        for n, url in enumerate(urls[:6], start=1):
            command = f"/summary {url}" if n % 2 else f"read this: {url}"
            [reply] = await bot.ask(42, command)
            assert reply.text.startswith(f"Library hours, part {n}")
        [refused] = await bot.ask(42, f"and this one {urls[6]}")
        assert refused.text == REFUSAL
        [pasted] = await bot.ask(42, " ".join(SENTENCES * 2))
        assert pasted.text == REFUSAL
        assert fetched(server) == [f"/story{n}" for n in range(1, 7)]

        [other_user] = await bot.ask(43, urls[6])
        assert other_user.text.startswith("Library hours, part 7")

        bot.clock.advance(timedelta(seconds=60))
        [later] = await bot.ask(42, urls[7])
        assert later.text.startswith("Library hours, part 8")

    refusal = "Throttled user 42: 6 requests in the last minute; may retry in 60 s"
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert [m for name, m in logged if name == "summaries.throttle"] == [refusal, refusal]
    assert not any("/story" in m or "library" in m.lower() for _, m in logged)
