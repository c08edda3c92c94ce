"""`newsbrief run`: the composition root, in process and as the real console script."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
from apscheduler.events import EVENT_JOB_EXECUTED

from bot.main import MISSING_BOT_HINT, REFUSED_BOT_HINT, UNREACHABLE_HINT, compose
from summaries.config import Settings
from summaries.schedule import JOB_ID
from tests.fake_telegram import TOKEN, FakeTelegram, run_polling
from tests.servers import LocalServer, Reply

PARAGRAPH = (
    "The city council approved a new plan for the harbour district on Tuesday evening. "
    "Officials said the plan would add two thousand homes and a new ferry terminal. "
    "Residents had argued for years about the height of the proposed towers. "
    "The vote was close, with seven members in favour and six against. "
)
PAGE = f"""<!doctype html><html><head><title>Harbour plan approved</title></head><body>
<article><h1>Harbour plan approved</h1>{"".join(f"<p>{PARAGRAPH}</p>" for _ in range(4))}
</article></body></html>"""


def feed(page_url: str) -> bytes:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<link>{page_url}</link><description>d</description>
<item><title>Harbour plan approved</title><link>{page_url}</link><guid>1</guid>
<pubDate>Wed, 25 Nov 2026 07:00:00 GMT</pubDate><description>Plan.</description></item>
</channel></rss>""".encode()


async def test_composed_bot_ingests_on_its_job_queue_and_serves_the_story(
    settings: Settings, server: LocalServer
) -> None:
    page_url = server.add("/harbour", Reply(PAGE.encode()))
    feed_url = server.add("/feed.xml", Reply(feed(page_url), content_type="application/rss+xml"))
    with FakeTelegram() as fake:
        settings = replace(
            settings, telegram_bot_token=TOKEN, telegram_api_base_url=fake.api_root, poll_interval=5
        )
        application = compose(settings)
        services = application.bot_data["services"]
        services.db.execute(
            "INSERT INTO sources (url, name, added_at) VALUES (?, 'Harbour Gazette', '2026-01-01')",
            [feed_url],
        )
        services.db.conn.commit()
        ticked = asyncio.Event()
        application.job_queue.scheduler.add_listener(
            lambda event: event.job_id == JOB_ID and ticked.set(), EVENT_JOB_EXECUTED
        )
        async with run_polling(application):
            await asyncio.wait_for(ticked.wait(), 30)
            assert "Harbour plan approved" in await latest(fake)
        assert services.fetcher._client.is_closed, "post_shutdown closes the HTTP client"


async def latest(fake: FakeTelegram) -> str:
    before = len(fake.bot_messages(7))
    fake.private_message(7, "/latest")
    messages = await fake.wait_for(lambda: fake.bot_messages(7)[before:], 10)
    return messages[0].text


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBRIEF_"))}
    env.update(
        NEWSBRIEF_DB=str(tmp_path / "run.db"),
        NEWSBRIEF_DEFAULT_SOURCES="false",
        NEWSBRIEF_LOG_LEVEL="DEBUG",
        **extra,
    )
    return env


def start_run(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """`newsbrief run` as a real process in `tmp_path`, with only `env` for its environment."""
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.main import main; main()", "run"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


async def test_run_without_token_explains_botfather_and_polls_alone(tmp_path: Path) -> None:
    process = start_run(tmp_path, _env(tmp_path))
    assert process.stderr is not None
    first_line = await asyncio.to_thread(process.stderr.readline)
    assert first_line.strip() == MISSING_BOT_HINT
    worker_started = await asyncio.to_thread(process.stderr.readline)
    while "Worker started" not in worker_started:
        worker_started = await asyncio.to_thread(process.stderr.readline)
    process.send_signal(signal.SIGTERM)
    _, rest = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, rest


async def test_run_with_token_serves_users_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.api_root)
        process = start_run(tmp_path, env)
        try:
            await fake.wait_call("setMyCommands", within=60)
            fake.private_message(42, "/start")
            await fake.wait_call("sendMessage", chat_id=42, within=20)
        finally:
            process.send_signal(signal.SIGTERM)
            _, log = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, log
    assert "Stopped: HTTP client and database closed" in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log


async def test_run_whose_database_was_deleted_stops_with_one_error_and_status_1(
    tmp_path: Path,
) -> None:
    """It stopped cleanly with status 0, so a supervisor or a monitor saw nothing wrong."""
    with FakeTelegram() as fake:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.api_root,
            NEWSBRIEF_POLL_INTERVAL="5",  # an ingest tick, which watches the file, every 5 s
        )
        process = start_run(tmp_path, env)
        try:
            await fake.wait_call("setMyCommands", within=60)
            (tmp_path / "run.db").unlink()
            _, log = await asyncio.to_thread(process.communicate, timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 1, log
    assert log.splitlines()[-1].startswith("Error: The database file"), log
    assert "was moved, deleted or replaced" in log.splitlines()[-1]


async def test_a_rejected_token_ends_in_one_line_that_does_not_repeat_it(tmp_path: Path) -> None:
    wrong = "987654321:WRONG-token_that-telegram-refuses"
    with FakeTelegram() as fake:
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=fake.api_root)
        process = start_run(tmp_path, env)
        _, log = await asyncio.to_thread(process.communicate, timeout=60)
    assert process.returncode == 1, log
    assert log.splitlines()[-1] == f"Error: {REFUSED_BOT_HINT}"
    assert wrong.split(":")[1] not in log, "not in the library's own log of the failure either"
    assert "Traceback" not in log, "the one line says it all"


async def test_an_unreachable_bot_api_ends_in_one_line_without_the_token(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=closed)
    process = start_run(tmp_path, env)
    _, log = await asyncio.to_thread(process.communicate, timeout=90)
    assert process.returncode == 1, log
    assert log.splitlines()[-1] == f"Error: {UNREACHABLE_HINT.format(closed)}"
    assert TOKEN.split(":")[1] not in log
    shown = [line for line in log.splitlines() if " DEBUG " not in line]
    assert "Traceback" not in log and len(shown) < 10, log  # was ~100 lines of PTB tracebacks


async def test_webhook_mode_registers_the_hook_and_checks_the_secret(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeTelegram() as fake:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.api_root,
            NEWSBRIEF_WEBHOOK_URL="https://bot.example/hook/x1",
            NEWSBRIEF_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            NEWSBRIEF_WEBHOOK_SECRET="s3cret-token",
        )
        process = start_run(tmp_path, env)
        try:
            registered = await fake.wait_call("setWebhook", within=60)
            assert registered.params["url"] == "https://bot.example/hook/x1"
            assert registered.params["secret_token"] == "s3cret-token"
            fake.add_chat(42)
            update = {"update_id": 1, "message": fake.record_user_message(
                fake.chats[42], fake.user(42), "/start")}  # fmt: skip
            hook = f"http://127.0.0.1:{port}/hook/x1"
            async with httpx.AsyncClient() as client:
                forged = await _post_when_listening(client, hook, update)
                assert forged.status_code == 403
                headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
                accepted = await client.post(hook, json=update, headers=headers)
                assert accepted.status_code == 200
            await fake.wait_call("sendMessage", chat_id=42, within=20)
        finally:
            process.send_signal(signal.SIGTERM)
            _, log = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, log
    assert "s3cret-token" not in log and TOKEN not in log


async def _post_when_listening(
    client: httpx.AsyncClient, url: str, payload: dict[str, object]
) -> httpx.Response:
    """POST once the webhook server listens (PTB starts it just after calling setWebhook)."""
    for _ in range(100):
        try:
            return await client.post(url, json=payload)
        except httpx.ConnectError:
            await asyncio.sleep(0.1)
    raise TimeoutError(f"nothing listening at {url}")
