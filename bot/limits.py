"""Retries for Bot API calls: flood limits (429) and dropped connections, in one place.

PTB's `AIORateLimiter` keeps under Telegram's limits (30 messages/s overall, 20/min per group)
and, on a 429, waits `retry_after` and tries again. This subclass also retries plain network
failures (connection refused or reset, server disconnected) with exponential back-off. It does
not retry a timeout (`TimedOut`): the message may have arrived, and sending it again could show
it twice; nor a `BadRequest`, which would fail the same way again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    """`AIORateLimiter` plus back-off retries for network errors."""

    def __init__(
        self, *, max_retries: int = 3, network_retries: int = 3, backoff: float = 0.5
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Run the request under the rate limits; retry network failures with back-off."""
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as error:
                if _closing(error):
                    # A stop signal during start-up: PTB closes the call in flight, and the HTTP
                    # library reports that as a NetworkError. Finish closing; nothing to retry.
                    raise GeneratorExit from None
                if attempt >= self.network_retries:
                    raise
                delay = self.backoff * 2**attempt * random.uniform(1.0, 1.5)
                attempt += 1
                log.warning("%s failed (%s); retry %d in %.1f s", endpoint, error, attempt, delay)
                await asyncio.sleep(delay)


def _closing(error: BaseException) -> bool:
    """Whether `error` was raised while this coroutine was being closed (GeneratorExit)."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, GeneratorExit):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
