"""An operator's mistakes: each ends in one line that names the setting, never a traceback,
a misleading message, a silently ignored value or two processes on one database."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from telegram.error import Conflict, NetworkError

from bot.limits import RetryingRateLimiter
from bot.main import LISTEN_HINT, STOP_GRACE, compose
from summaries.config import Settings
from summaries.errors import ConfigError
from summaries.schedule import instance_lock
from tests.bot_harness import running_bot
from tests.cli_helpers import assert_one_line_error, newsbrief
from tests.fake_telegram import TOKEN, FakeTelegram, run_polling
from tests.servers import LocalServer, Reply
from tests.test_bot_main import start_run


def test_a_non_utf8_env_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"NEWSBRIEF_WEBHOOK_SECRET=caf\xe9\n")
    with pytest.raises(ConfigError, match="is not UTF-8 text: save it as UTF-8"):
        Settings.from_env({}, env_file=tmp_path / ".env")
    assert_one_line_error(newsbrief(tmp_path, "sources", "list"), ".env is not UTF-8")


def test_admin_ids_separated_by_spaces_are_two_ids_not_one() -> None:
    settings = Settings.from_env({"NEWSBRIEF_ADMIN_IDS": "111 222, 333"}, env_file=None)
    assert settings.admin_ids == frozenset({111, 222, 333})


def test_an_admin_username_gets_a_hint_to_use_the_numeric_id() -> None:
    with pytest.raises(ConfigError, match="not @usernames"):
        Settings.from_env({"NEWSBRIEF_ADMIN_IDS": "@alice, 12"}, env_file=None)


def test_known_settings_raise_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="summaries.config"):
        Settings.from_env({"NEWSBRIEF_ADMIN_IDS": "1", "TELEGRAM_BOT_TOKEN": "1:a"}, env_file=None)
    assert caplog.messages == []


@pytest.mark.parametrize("value", ["86401", "99999999999999999999999"])
def test_a_poll_interval_over_a_day_is_refused(value: str) -> None:
    """Back-off caps every delay at a day, and huge values overflowed the date arithmetic."""
    with pytest.raises(ConfigError, match="at most 86400"):
        Settings.from_env({"NEWSBRIEF_POLL_INTERVAL": value}, env_file=None)


@pytest.mark.parametrize("token", [f'"{TOKEN}"', f"{TOKEN} x", f"'{TOKEN}", "bot" + TOKEN])
def test_a_token_with_quotes_or_spaces_is_named_without_repeating_it(token: str) -> None:
    with pytest.raises(ConfigError, match="quotes, spaces") as caught:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": token}, env_file=None)
    assert TOKEN.split(":")[1] not in str(caught.value)


@pytest.mark.parametrize("suffix", ["/bot", "/bot/", f"/bot{TOKEN}"])
def test_an_api_root_ending_in_bot_is_refused_without_repeating_it(suffix: str) -> None:
    """newsbrief appends /bot<token>: Telegram would answer 404 and the token be blamed."""
    with pytest.raises(ConfigError, match="remove the /bot") as caught:
        Settings.from_env(
            {"TELEGRAM_API_BASE_URL": "https://api.telegram.org" + suffix}, env_file=None
        )
    assert TOKEN.split(":")[1] not in str(caught.value)


def test_an_api_root_with_a_trailing_slash_is_fine() -> None:
    env = {"TELEGRAM_API_BASE_URL": "https://tg.example/botapi/"}
    assert (
        Settings.from_env(env, env_file=None).telegram_api_base_url == "https://tg.example/botapi"
    )


def test_an_http_webhook_url_is_refused_before_telegram_refuses_it() -> None:
    """Telegram's refusal surfaced as "Could not reach the Telegram Bot API"."""
    with pytest.raises(ConfigError, match="NEWSBRIEF_WEBHOOK_URL must start with https://"):
        Settings.from_env({"NEWSBRIEF_WEBHOOK_URL": "http://bot.example/hook"}, env_file=None)


@pytest.mark.parametrize("secret", ["has space", "semi;colon", "x" * 257, "café-latte", "abc12"])
def test_a_webhook_secret_telegram_would_refuse_or_logs_would_show_is_refused(
    secret: str,
) -> None:
    """Telegram refuses other characters; under 8 the secret is not redacted from DEBUG logs."""
    with pytest.raises(ConfigError, match="NEWSBRIEF_WEBHOOK_SECRET must be 8-256") as caught:
        Settings.from_env({"NEWSBRIEF_WEBHOOK_SECRET": secret}, env_file=None)
    assert secret not in str(caught.value)


def test_a_second_worker_on_the_same_database_is_refused_with_the_first_ones_pid(
    tmp_path: Path,
) -> None:
    with instance_lock(tmp_path / "newsbrief.db"):
        for command in ("worker", "run"):
            result = newsbrief(tmp_path, command, TELEGRAM_BOT_TOKEN=TOKEN)
            assert_one_line_error(result, f"(pid {os.getpid()}) is already using", "stop it")
    with instance_lock(tmp_path / "newsbrief.db"):
        pass  # released on exit: the next process may take it


def test_a_lock_in_an_unwritable_place_says_what_to_fix(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    lock = instance_lock(tmp_path / "file" / "newsbrief.db")
    with pytest.raises(ConfigError, match="must be in a writable directory"), lock:
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(tmp_path: Path, fake: FakeTelegram, **extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBRIEF_"))}
    env.update(
        NEWSBRIEF_DB=str(tmp_path / "run.db"),
        NEWSBRIEF_DEFAULT_SOURCES="false",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.api_root,
        NEWSBRIEF_WEBHOOK_URL="https://bot.example/hook",
        **extra,
    )
    return start_run(tmp_path, env)


async def test_a_webhook_port_in_use_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken, FakeTelegram() as fake:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        process = _run(tmp_path, fake, NEWSBRIEF_WEBHOOK_LISTEN=listen)
        _, log = await asyncio.to_thread(process.communicate, timeout=60)
    assert process.returncode == 1, log
    assert "Traceback" not in log
    assert log.splitlines()[-1] == f"Error: {LISTEN_HINT.format(listen, 'Address already in use')}"


async def test_an_ipv6_listen_address_in_brackets_is_served(tmp_path: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    port = _free_port()
    with FakeTelegram() as fake:
        process = _run(tmp_path, fake, NEWSBRIEF_WEBHOOK_LISTEN=f"[::1]:{port}")
        try:
            await fake.wait_call("setWebhook", within=60)
            async with httpx.AsyncClient() as client:
                for _ in range(100):
                    try:
                        forged = await client.post(f"http://[::1]:{port}/hook", json={})
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
            assert forged.status_code == 403
        finally:
            process.send_signal(signal.SIGTERM)
            _, log = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == 0, log


def test_a_stop_signal_during_a_start_up_call_closes_it_without_a_retry() -> None:
    """PTB closes the Bot API call in flight when SIGTERM arrives during start-up; httpcore turns
    the close into a NetworkError, and retrying it crashed with "no running event loop"."""
    started = asyncio.Event()

    async def request(*args: object, **kwargs: object) -> bool:
        started.set()
        try:
            await asyncio.sleep(3600)
        except GeneratorExit:
            try:
                raise RuntimeError("Not currently running on any asynchronous event loop")
            except RuntimeError as exc:
                raise NetworkError("Unknown error in HTTP implementation") from exc
        return True

    loop = asyncio.new_event_loop()
    call = RetryingRateLimiter().process_request(request, (), {}, "deleteWebhook", {}, None)
    task = loop.create_task(call)
    loop.run_until_complete(started.wait())
    call.close()  # what Application.run_polling does after a stop signal
    task.cancel()
    loop.close()


def test_a_webhook_url_holding_the_token_is_refused_without_repeating_it() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSBRIEF_WEBHOOK_URL": f"https://bot.example/{TOKEN}"}
    with pytest.raises(ConfigError, match="must not contain the bot token") as caught:
        Settings.from_env(env, env_file=None)
    assert TOKEN.split(":")[1] not in str(caught.value)


def test_a_database_path_that_is_a_directory_is_named_before_any_lock_file_is_made(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    result = newsbrief(tmp_path, "worker", NEWSBRIEF_DB=str(tmp_path / "data"))
    assert_one_line_error(result, "NEWSBRIEF_DB is a directory", "data/newsbrief.db")
    assert not (tmp_path / "data.lock").exists()


async def test_stopping_the_bot_during_a_slow_poll_waits_seconds_not_the_fetch_timeout(
    settings: Settings, server: LocalServer
) -> None:
    """PTB waits for running jobs at stop: a poll stuck on a slow feed held SIGTERM until the
    fetch timed out. Now it gets STOP_GRACE seconds, as in `newsbrief worker`."""
    endless = (b"<rss>" for _ in itertools.count())
    feed_url = server.add("/slow.xml", Reply(endless, chunk_delay=0.2))
    with FakeTelegram() as fake:
        settings = replace(
            settings,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=fake.api_root,
            fetch_timeout=120.0,
        )
        application = compose(settings)
        services = application.bot_data["services"]
        services.db.execute(
            "INSERT INTO sources (url, name, added_at) VALUES (?, 'Slow', '2026-01-01')", [feed_url]
        )
        services.db.conn.commit()
        async with run_polling(application):
            for _ in range(300):
                if server.requests:
                    break
                await asyncio.sleep(0.05)
            assert server.requests, "the poll started"
            stopping = time.monotonic()
        assert time.monotonic() - stopping < STOP_GRACE + 5


async def test_another_process_polling_the_same_token_is_one_warning_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram answers 409 to a second poller; `run_polling` hands it to the error handler."""
    conflict = Conflict("Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running")  # fmt: skip
    async with running_bot(settings) as bot:
        with caplog.at_level("WARNING"):
            await bot.application.process_error(None, conflict)
    assert "Another process is getting this bot's updates" in caplog.text
    assert "Traceback" not in caplog.text and "Error while handling" not in caplog.text
