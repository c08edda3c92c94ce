"""Running coroutines together without leaving any behind."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar, cast

T = TypeVar("T")


async def all_finished(jobs: Iterable[Awaitable[T]]) -> list[T]:
    """The results of `jobs`, run together; the first error is raised once all have ended.

    `asyncio.gather` raises at the first error and leaves the others running: they would go on
    writing into a report the caller has given up on, past the tick that started them (which
    must not overlap the next one), or hold a chat another flush would then take too early.
    """
    ends = await asyncio.gather(*jobs, return_exceptions=True)
    for end in ends:
        if isinstance(end, BaseException):
            raise end
    return cast(list[T], ends)
