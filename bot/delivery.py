"""Telegram's side of delivery: rate limits for fan-out, and Bot API errors in the core's terms.

`TelegramNotifier` implements `summaries.notify.Notifier`. Before each message it waits on
`FanoutLimiter`: token buckets kept a little under Telegram's limits (30 messages/s overall,
about 1/s per private chat with short bursts, 20/min per group), so a digest to ten thousand
chats runs at ~29/s without provoking 429s. If Telegram answers 429 anyway, the whole fan-out
pauses for `retry_after` and then resumes.

Each error becomes the outcome the outbox records: 429 and network failures -> RetryLater
(nothing was delivered; safe to resend); 403 or "chat not found" -> RecipientGone (the chat is
deactivated, the others carry on); a timeout -> DeliveryUnknown (it may have arrived, so it is
never resent), except a wait for a free pooled connection, which never left; an entity parse
error -> the same text sent once as plain text; a forum topic deleted or closed since the
message was queued ("message thread not found", TOPIC_CLOSED) -> the same message sent once to
the chat itself (General); a group upgraded to a supergroup since ("group chat was upgraded",
with the new id) -> the chat moved to its new id and the message sent there; anything else ->
DeliveryFailed, listed for admins by /failures. Those resends are safe: a 400 refusal delivered
nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.render import to_plain
from bot.render_digest import render_alert, render_digest
from bot.send import is_entity_error, says
from bot.services import App, Context, services_of
from summaries.alerts import alert_hook
from summaries.chat_migration import move_chat
from summaries.chats import forget_delivery_thread
from summaries.digest_schedule import schedule_digests
from summaries.housekeeping import backups_from
from summaries.notify import (
    AlertMessage,
    DeliveryFailed,
    DeliveryUnknown,
    DigestMessage,
    Part,
    RecipientGone,
    RetryLater,
)
from summaries.outbox import Outbox

log = logging.getLogger(__name__)

_GONE = ("chat not found", "user not found", "bot was kicked", "have no rights to send")
_NO_TOPIC = ("message thread not found", "topic_closed", "topic_deleted")
"""Refusals that are about the forum topic only: the chat itself still takes the message."""
_TOPIC_GONE = ("message thread not found", "topic_deleted")
"""Of `_NO_TOPIC`, the answers that mean the topic is deleted, not just closed."""


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0: now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 - 1e-9 else (1.0 - self.tokens) / self.rate


_SWEEP_AT = 1024
"""Buckets kept before idle ones are forgotten (PTB's own limiter sweeps at 512)."""


class FanoutLimiter:
    """Paces messages under Telegram's flood limits; one instance per bot process.

    Messages are spaced evenly at `per_second` overall (no bursts: Telegram's own counter
    sees arrivals, and evenly spaced sends keep a margin for network jitter). Each chat has
    its own bucket; a 429 pauses everyone until its `retry_after` has passed.
    """

    def __init__(
        self,
        *,
        per_second: float = 29.0,
        private_rate: float = 0.9,
        private_burst: float = 2.0,
        group_per_minute: float = 18.0,
        group_burst: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / per_second
        self.private = (private_rate, private_burst)
        self.group = (group_per_minute / 60.0, group_burst)
        self.clock = clock
        self.sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chats: dict[int, _Bucket] = {}
        self._sweep_at = _SWEEP_AT

    def pause(self, seconds: float) -> None:
        """Stop every send for `seconds` (Telegram said retry_after)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        if chat_id not in self._chats:
            if len(self._chats) >= self._sweep_at:
                self._forget_idle(now)
            rate, burst = self.group if chat_id < 0 else self.private
            self._chats[chat_id] = _Bucket(rate, burst, burst, now)
        return self._chats[chat_id]

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled: a new bucket starts full, so nothing changes
        for those chats, and memory follows the chats sent to lately, not every chat ever.
        The next sweep waits until the table has doubled, so sweeping stays amortised O(1)."""
        for chat_id, bucket in list(self._chats.items()):
            if bucket.wait(now) == 0.0 and bucket.tokens >= bucket.burst:
                del self._chats[chat_id]
        self._sweep_at = max(_SWEEP_AT, 2 * len(self._chats))

    def tracked_chats(self) -> int:
        """How many chats' buckets are kept (for tests of the memory bound)."""
        return len(self._chats)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may be sent, and count it."""
        while True:
            now = self.clock()
            wait = max(self._paused_until - now, self._bucket(chat_id, now).wait(now))
            if wait <= 0:
                break
            await self.sleep(wait)
        self._bucket(chat_id, now).tokens -= 1.0
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        while (delay := max(slot, self._paused_until) - self.clock()) > 1e-9:
            await self.sleep(delay)


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramNotifier:
    """Renders with bot/render_digest.py and sends through a PTB `Bot` (application.bot)."""

    def __init__(
        self,
        bot: Bot,
        limiter: FanoutLimiter | None = None,
        *,
        topic_gone: Callable[[int, int], None] | None = None,
        chat_moved: Callable[[int, int], object] | None = None,
    ) -> None:
        self.bot = bot
        self.limiter = limiter or FanoutLimiter()
        self.topic_gone = topic_gone
        """Told (chat id, thread id) when Telegram says a forum topic no longer exists."""
        self.chat_moved = chat_moved
        """Told (old id, new id) when Telegram says a group became a supergroup."""
        self._moved: dict[int, int] = {}

    def render_alert(self, alert: AlertMessage) -> list[Part]:
        return render_alert(alert)

    def render_digest(self, digest: DigestMessage) -> list[Part]:
        return render_digest(digest)

    async def wait_turn(self, chat_id: int) -> None:
        """The fan-out limiter's turn for `chat_id` (the outbox claims the part after it)."""
        await self.limiter.acquire(chat_id)

    async def send(
        self, chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
    ) -> int:
        """One message, now; see the module docstring for each outcome.

        A group upgraded to a supergroup while the message waited is refused with the new chat
        id: the chat is moved there (`chat_moved`, as when Telegram announces the upgrade) and
        the message sent to it. Each fallback (new chat id, plain text, General) is taken at
        most once, so this makes at most four requests, and only after refusals that delivered
        nothing.
        """
        html, chat_id = True, self._moved.get(chat_id, chat_id)
        while True:
            try:
                body = text if html else to_plain(text)
                return await self._post(
                    chat_id, body, html=html, thread_id=thread_id, silent=silent
                )
            except ChatMigrated as upgraded:
                if self.chat_moved is None or chat_id in self._moved.values():
                    raise self._translate(upgraded) from upgraded
                new = upgraded.new_chat_id
                log.info("group %s is now supergroup %s; sending there", chat_id, new)
                self._moved[chat_id] = new
                self.chat_moved(chat_id, new)
                chat_id, thread_id = new, None
            except BadRequest as error:
                if thread_id is not None and says(error, *_NO_TOPIC):
                    log.warning(
                        "topic %s of chat %s refused the message (%s); sending it to General",
                        thread_id, chat_id, error.message,
                    )  # fmt: skip
                    if self.topic_gone is not None and says(error, *_TOPIC_GONE):
                        self.topic_gone(chat_id, thread_id)
                    thread_id = None
                elif html and is_entity_error(error):
                    log.warning("HTML refused for chat %s (%s); sending plain text", chat_id, error)
                    html = False
                else:
                    raise self._translate(error) from error

    async def _post(
        self, chat_id: int, text: str, *, html: bool, thread_id: int | None, silent: bool
    ) -> int:
        try:
            message = await self.bot.send_message(
                chat_id,
                text,
                message_thread_id=thread_id,
                disable_notification=silent or None,
                parse_mode=ParseMode.HTML if html else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except (BadRequest, ChatMigrated):
            raise
        except TelegramError as error:
            raise self._translate(error) from error
        return message.message_id

    def _translate(self, error: TelegramError) -> Exception:
        if isinstance(error, RetryAfter):
            seconds = _seconds(error)
            self.limiter.pause(seconds)
            log.warning("Telegram flood limit: pausing delivery for %.0f s", seconds)
            return RetryLater(f"Too Many Requests: retry after {seconds:g}", after=seconds)
        if isinstance(error, Forbidden | ChatMigrated):
            return RecipientGone(error.message)
        if isinstance(error, BadRequest) and says(error, *_GONE):
            return RecipientGone(error.message)
        if isinstance(error, TimedOut) and says(error, "pool timeout"):
            return RetryLater(f"no free connection, not sent: {error.message}")
        if isinstance(error, TimedOut):
            return DeliveryUnknown(f"timed out, may have arrived: {error.message}")
        if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
            return RetryLater(f"network error: {error.message}")
        return DeliveryFailed(error.message)


_OUTBOX = "outbox"


def install_delivery(application: App) -> Outbox:
    """Create the bot's outbox (Telegram notifier) and hook topic alerts into ingestion.

    Called when the digest feature registers; the composition root passes
    `services.new_article_hooks` to the Ingester after the cluster hook.
    """
    services = services_of(application)
    notifier = TelegramNotifier(
        application.bot,
        topic_gone=partial(forget_delivery_thread, services.db),
        chat_moved=partial(move_chat, services.db, kind=ChatType.SUPERGROUP),
    )
    box = Outbox(services.db, notifier, clock=services.clock)
    application.bot_data[_OUTBOX] = box
    per_hour = services.settings.alerts_per_hour
    services.new_article_hooks.append(
        alert_hook(services.db, box, per_hour=per_hour, clock=services.clock)
    )
    return box


def outbox_of(context: Context | App) -> Outbox:
    """The running bot's outbox."""
    box = context.bot_data[_OUTBOX]
    assert isinstance(box, Outbox)
    return box


def schedule_delivery(application: App) -> None:
    """At start-up, before the bot runs: settle a crash's leftovers and schedule digests.

    Called when the digest feature registers (inside `build_application`, before anything is
    sent in this process); see `schedule_digests`.
    """
    services = services_of(application)
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot was installed without its job-queue extra"
    schedule_digests(
        job_queue.scheduler,
        services.db,
        outbox_of(application),
        grace=timedelta(hours=services.settings.digest_grace_hours),
        alerts_per_hour=services.settings.alerts_per_hour,
        clock=services.clock,
        keep_articles_days=services.settings.keep_articles_days,
        backups=backups_from(services.settings),
    )
