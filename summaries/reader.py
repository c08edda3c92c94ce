"""Where an article comes from: a URL (one guarded fetch), a saved file, or standard input.

The CLI's `extract` and `summarize` take any of these; everything ends in `extract_article`, so
a page read from disk and the same page fetched from the web give the same clean article.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TextIO

from summaries.errors import ExtractError
from summaries.extract import extract_article
from summaries.fetch import Fetcher, Response
from summaries.models import Article

ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.8"
_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://", re.I)
_TEXT_TYPES = ("text/", "application/xhtml+xml", "application/xml")
_SUFFIX_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
}


async def read_url(fetcher: Fetcher, url: str) -> Article:
    """Fetch `url` once and extract its article; FetchError and ExtractError propagate.

    Extraction runs in a worker thread: a large page takes trafilatura a second or more, and
    the bot's event loop, which answers every chat, must not wait for it.
    """
    response = await fetcher.get(url, accept=ACCEPT)
    return await asyncio.to_thread(article_from_response, response)


def article_from_response(response: Response) -> Article:
    """The article of a fetched page: text decoded with the server's declared charset when it
    says it is text, else the raw bytes (so a mislabelled PDF or image is still recognised)."""
    is_text = response.content_type.startswith(_TEXT_TYPES)
    return extract_article(
        response.text() if is_text else response.body,
        url=response.url,
        content_type=response.content_type,
    )


def is_url(arg: str | None) -> bool:
    """Whether a command-line argument is an address ("scheme://...") rather than a file.

    Any scheme counts, so `ftp://` or `file://` reaches the fetcher's guard and its message
    (newsbrief fetches only http and https) instead of a puzzling "No such file".
    """
    return bool(arg and _ADDRESS.match(arg))


def read_path_or_text(arg: str | None, stdin: TextIO) -> Article:
    """The article in a file (HTML or text, detected), in `arg` itself, or on stdin (None, '-').

    An argument with a line break in it is taken as the article's text; anything else must be a
    file that exists.
    """
    if arg is None or arg == "-":
        binary = getattr(stdin, "buffer", None)
        body: str | bytes = binary.read() if binary is not None else stdin.read()
        return extract_article(body)
    if "\n" in arg:
        return extract_article(arg)
    path = Path(arg).expanduser()
    if not path.is_file():
        raise ExtractError(
            f"No such file: {arg}. Give a saved page (HTML or text), a URL, or '-' for stdin."
        )
    try:
        body = path.read_bytes()
    except OSError as error:
        raise ExtractError(f"Cannot read {arg}: {error.strerror or error}.") from error
    return extract_article(body, content_type=_SUFFIX_TYPES.get(path.suffix.lower(), ""))
