"""Text saved or scraped from a page -> an article: its header lines become the metadata.

A scraped page (like the seed documents) is plain text: a headline, a "By ..." line, a date
line, maybe a standfirst or caption, the body, and an "Original url:" trailer. The same header
reading serves HTML too (`html_article`), for pages that put their byline or date in the body
instead of marking them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from summaries.boilerplate import is_boilerplate
from summaries.bylines import parse_byline
from summaries.clean import clean_text, is_caption, paragraphs, strip_markup
from summaries.dates import is_date_line, parse_date
from summaries.models import Article

_ORIGINAL_URL = re.compile(
    r"^(?:original (?:url|article|story|link)|source|read (?:the )?original(?: article)?|"
    r"(?:article )?link)\s*:?\s*(?P<url>https?://\S+)?$",
    re.I,
)
_BARE_URL = re.compile(r"^<?(?P<url>https?://[^\s<>]+)>?$")
_HEADER_SPAN = 6
"""The headline, byline and date are looked for among this many leading paragraphs."""


def article_from_scraped_text(text: str, url: str | None) -> Article:
    """A saved or scraped page as text: header lines become metadata, the rest is cleaned."""
    body, link = _take_link(paragraphs(text), url)
    header = read_header(body)
    return Article(
        title=header.title,
        text=clean_text(body_text(body, header.used), title=header.title),
        url=link,
        byline=header.byline,
        published=header.published,
    )


@dataclass(frozen=True)
class Header:
    """What `read_header` found among the leading paragraphs."""

    title: str = ""
    byline: str | None = None
    published: datetime | None = None
    used: frozenset[int] = frozenset()
    """Paragraphs that were header lines, to leave out of the body."""


def read_header(paras: list[str]) -> Header:
    """The headline, byline and date among the leading paragraphs.

    The headline comes before any prose; a byline and date may follow a standfirst.

    A first line that merely lacks a full stop is only taken as the headline when it looks like
    one (a heading, title case, a few words) or a byline or date follows it: plain text often
    starts straight with its lead sentence.
    """
    title, title_at, byline, published = "", 0, None, None
    used: set[int] = set()
    prose = 0
    for index, raw in enumerate(paras[: min(_HEADER_SPAN, len(paras) - 1)]):
        plain = strip_markup(raw)
        if _is_body_paragraph(plain):
            prose += 1
            continue
        found = parse_byline(plain)
        if found is None and title and byline is None and prose <= 1:
            found = parse_byline(plain, bare=True)
        if found and byline is None:
            byline = found
            published = published or parse_date(plain)
        elif is_date_line(plain):
            published = published or parse_date(plain)
        elif not title and not prose and _is_headline(raw, plain):
            title, title_at = plain, index
        else:
            continue
        used.add(index)
    if title and not (byline or published or _looks_like_headline(paras[title_at])):
        title = ""
        used.discard(title_at)
    return Header(title, byline, published, frozenset(used))


def body_text(paras: list[str], used: frozenset[int]) -> str:
    """The paragraphs not used as header lines, as one text."""
    return "\n\n".join(p for index, p in enumerate(paras) if index not in used)


def _take_link(paras: list[str], url: str | None) -> tuple[list[str], str | None]:
    """Drop "Original url:" trailers and bare URL lines; the labelled (or last) URL is the link."""
    kept: list[str] = []
    labelled: str | None = None
    after_label = False
    for index, raw in enumerate(paras):
        plain = strip_markup(raw)
        label = _ORIGINAL_URL.match(plain)
        bare = _BARE_URL.match(plain)
        if label:
            labelled = labelled or label["url"]
            after_label = label["url"] is None
        elif bare:
            if after_label or index == len(paras) - 1:
                labelled = labelled or bare["url"]
            after_label = False
        else:
            after_label = False
            kept.append(raw)
    return kept, url or labelled


def _is_headline(raw: str, plain: str) -> bool:
    """A short line that is not boilerplate or a caption and does not end like a sentence."""
    return (
        0 < len(plain.split()) <= 30
        and not plain.endswith((".", ":", ")"))
        and not plain.startswith("(")
        and not (is_boilerplate(plain) or is_caption(raw, plain))
    )


def _looks_like_headline(raw: str) -> bool:
    """A markdown heading, a line of a few words, or one in title case."""
    words = [word for word in strip_markup(raw).split() if len(word) > 3]
    capitalised = sum(word[:1].isupper() for word in words)
    return raw.lstrip().startswith("#") or len(raw.split()) <= 8 or capitalised >= 0.6 * len(words)


def _is_body_paragraph(plain: str) -> bool:
    """A paragraph of running prose: the header (headline, byline, date) ends before it."""
    return len(plain.split()) >= 12 and plain.rstrip()[-1:] in ".!?\"'”’)"
