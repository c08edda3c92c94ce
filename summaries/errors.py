"""The exceptions the core raises, written out in one place.

Every error that can reach a person carries a message that is safe to show them as it is
(no secrets, no tracebacks) and says what to do next. The edges (the CLI, the bot) translate
`NewsbriefError` into a one-line message; anything else is a bug and is logged with its traceback.

    NewsbriefError
    ├── ConfigError          a setting is missing or malformed
    ├── FetchError           a URL could not be fetched
    │   ├── BlockedURLError  scheme or address refused by policy (private, loopback, ...)
    │   ├── TooLargeError    the body went over the size cap
    │   ├── FetchTimeout     connect/read timeout, or the whole response took too long
    │   └── HTTPStatusError  a non-success HTTP status
    ├── FeedError            bytes that are not a usable feed (malformed, entity bomb, ...)
    ├── ExtractError         no readable article text in a page
    ├── SummarizeError       an unknown method, or nothing to summarise
    ├── QueryError           a search or topic query that cannot be used
    ├── SourceError          a source that cannot be added, found or removed
    ├── ChatSettingError     a chat setting that cannot be used (time, timezone)
    ├── BackupError          a backup that cannot be made, read or put back
    ├── Throttled            a user asked for more work than their share (retry_after s)
    └── NotFoundError        an id or URL that is not in the database
"""

from __future__ import annotations

import unicodedata


class NewsbriefError(Exception):
    """Base class: `str(error)` is the user-safe message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(NewsbriefError):
    """A setting is missing or malformed; the message names the setting."""


class FetchError(NewsbriefError):
    """A URL could not be fetched."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class BlockedURLError(FetchError):
    """The URL's scheme or resolved address is refused by policy."""


class TooLargeError(FetchError):
    """The response body (after decompression) went over the size cap."""


class FetchTimeout(FetchError):
    """The server was too slow: connect, read or total deadline exceeded."""


class HTTPStatusError(FetchError):
    """The server answered with a non-success status."""

    def __init__(self, message: str, *, url: str = "", status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status


class FeedError(NewsbriefError):
    """Bytes that are not a usable feed."""


class ExtractError(NewsbriefError):
    """A page without readable article text."""


class SummarizeError(NewsbriefError):
    """An unknown summarisation method, or a text with nothing to summarise."""


class QueryError(NewsbriefError):
    """A search or topic query that cannot be used; the message explains why."""


class SourceError(NewsbriefError):
    """A source that cannot be added, found or removed."""


class ChatSettingError(NewsbriefError):
    """A chat setting that cannot be used (bad time, unknown timezone); says what would work."""


class BackupError(NewsbriefError):
    """A backup that cannot be made, read or put back; the message says what to do."""


class NotFoundError(NewsbriefError):
    """An id or URL that is not in the database."""


class Throttled(NewsbriefError):
    """A user asked for more work than the throttle allows; `retry_after` is in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_BREAKS = frozenset({"Cc", "Zl", "Zp"})
"""Control characters and line or paragraph separators: typed text repeated in a message (and
so in a log line) must not start a forged line of its own or move a terminal's cursor."""


def typed(text: str, limit: int = 60) -> str:
    """What a person typed, quoted for a one-line message: as typed, except that each control
    character or line separator (`_BREAKS`) becomes a space, and cut to `limit` characters.

    Not Python's repr: that doubles backslashes, shows invisible marks as \\u escapes and
    switches the quotes, so people would not recognise their own words.
    """
    text = "".join(" " if unicodedata.category(c) in _BREAKS else c for c in text).strip()
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"
