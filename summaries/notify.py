"""What the core needs from a messenger: render plain data into message parts, send one part.

The core plans alerts and digests and keeps the delivery log; it never imports Telegram. The
bot layer implements `Notifier` (bot/delivery.py: HTML rendering, rate limits, Bot API errors);
tests use a recording fake. `send` makes exactly one attempt and says precisely how it ended,
because "refused" (safe to retry) and "maybe delivered" (retrying could duplicate) must not be
confused by a layer that promises each story once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from summaries.errors import NewsbriefError
from summaries.models import StoredArticle


@dataclass(frozen=True)
class Item:
    """One story in an alert or digest, with the topic that made it relevant (None: top story)."""

    article: StoredArticle
    topic: str | None = None


@dataclass(frozen=True)
class AlertMessage:
    """New matches for one chat, bundled into one message."""

    chat_id: int
    items: tuple[Item, ...]
    now: datetime
    timezone: str = "UTC"


@dataclass(frozen=True)
class DigestMessage:
    """A chat's digest: stories grouped by topic (topic None: top stories), best first."""

    chat_id: int
    groups: tuple[tuple[str | None, tuple[Item, ...]], ...]
    since: datetime
    now: datetime
    timezone: str = "UTC"
    has_topics: bool = True
    more: int = 0
    """Matching stories left out to keep the digest readable."""

    @property
    def is_empty(self) -> bool:
        return not self.groups


@dataclass(frozen=True)
class Part:
    """One message as it will be sent, and the articles it carries (for the delivery log)."""

    text: str
    article_ids: tuple[int, ...] = ()


class DeliveryError(NewsbriefError):
    """Base class for how one send attempt failed."""


class RetryLater(DeliveryError):
    """Refused without delivering (flood limit, connection refused): safe to send again."""

    def __init__(self, message: str, *, after: float = 0.0) -> None:
        super().__init__(message)
        self.after = after


class RecipientGone(DeliveryError):
    """The chat blocked the bot, was deleted, or the bot was removed: stop sending to it."""


class DeliveryFailed(DeliveryError):
    """Refused for good (for example a message Telegram cannot parse): record and move on."""


class DeliveryUnknown(DeliveryError):
    """The attempt may or may not have arrived (timed out mid-request): never resent."""


class Notifier(Protocol):
    """Renders and sends messages for the core; see bot/delivery.py for Telegram's."""

    def render_alert(self, alert: AlertMessage) -> list[Part]: ...

    def render_digest(self, digest: DigestMessage) -> list[Part]: ...

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may go now under the rate limits.

        The outbox waits here before it claims a part (marks it `sending`), so a process
        stopped while waiting leaves the part `pending`, to be sent after the restart, not
        `unknown` and never sent.
        """
        ...

    async def send(
        self, chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
    ) -> int:
        """Send one message now (`wait_turn` came first); return its message id.

        `thread_id` is a forum topic of the chat (None: the chat itself, General in a forum).
        `silent`: without a sound (an alert in the chat's quiet hours).
        A topic deleted since the message was queued is not a failure: the message goes to
        the chat itself instead.
        """
        ...
