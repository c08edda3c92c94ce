"""Feed bytes -> `ParsedFeed` (RSS 0.9x/1.0/2.0, Atom, JSON Feed), and feed discovery in HTML.

Only bytes newsbrief fetched itself are parsed: feedparser is never handed a URL or a path,
because its own fetching would bypass the fetcher's address checks, deadline and size cap.
Like feedparser, parsing is lenient: a slightly broken feed that still yields entries is used.
What is refused, with a message saying why: XML that declares entities or floods the parser
(`summaries.feed_guards`, before any parser sees it), web pages, binary data, and documents
with nothing usable in them.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html
from lxml import etree

from summaries.clean import printable
from summaries.errors import FeedError
from summaries.feed_guards import guard_xml
from summaries.models import FeedEntry, ParsedFeed
from summaries.sniff import attribute_flood
from summaries.urls import http_url

_JSON_START = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*\{")
_HTML_START = re.compile(rb"<html[\s>]|<!doctype\s+html", re.IGNORECASE)
# A feed's opening: with it, a NUL near the top is a broken item, not a binary file.
_FEED_TAG = re.compile(rb"<(?:\?xml|rss|feed|rdf:RDF)\b")
_UNICODE_XML = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
_TAG = re.compile(r"<[^>]*>")
_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)

TITLE_CHARS = 500
"""Longer feed and entry titles are cut (real headlines stay well under 200 characters)."""

FEED_LINK_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 0,
    "application/rdf+xml": 0,
    "application/feed+json": 1,
    "application/json": 1,
}
"""`<link rel="alternate">` types that announce a feed, with their rank (lower is better)."""


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse feed bytes fetched from `url` (the base for relative links); FeedError if unusable.

    `content_type` is the Content-Type as sent, charset included (`Response.declared_type`).
    Entries without an http(s) link are skipped: there is nothing to fetch or to link to.
    """
    if not body or body.isspace():
        raise FeedError(f"{url} sent an empty document, not a feed.")
    if _JSON_START.match(body):
        return _parse_json_feed(body, url)
    head = body[:512]
    if b"\x00" in head and not head.startswith(_UNICODE_XML) and not _FEED_TAG.search(head):
        raise FeedError(_not_a_feed(url, _mime(content_type), "binary data"))
    return _parse_xml_feed(body, url, content_type)


def _parse_xml_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    body, headers = guard_xml(body, url, content_type)
    try:
        result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except (ValueError, OverflowError) as error:  # a reference `guard_xml` could not see
        raise FeedError(
            f"The feed at {url} holds a character reference no text can contain "
            f"({error.__class__.__name__}); ask its publisher to fix it."
        ) from None
    entries = tuple(e for e in (_xml_entry(item, url) for item in result.entries) if e)
    broken = result.bozo and not isinstance(result.get("bozo_exception"), _BENIGN_BOZO)
    if not entries and (broken or not result.get("version")):
        raise FeedError(_unusable(body, url, _mime(content_type), result))
    return ParsedFeed(
        title=_plain(result.feed.get("title", ""), result.feed.get("title_detail")),
        link=http_url(result.feed.get("link"), url),
        entries=entries,
    )


def _xml_entry(item: Mapping[str, Any], base: str) -> FeedEntry | None:
    url = http_url(item.get("link"), base)
    if url is None:
        return None
    stamp = item.get("published_parsed") or _updated(item)
    return FeedEntry(
        url=url,
        title=_plain(item.get("title", ""), item.get("title_detail")),
        guid=printable(item.get("id") or "") or None,
        published=_from_struct(stamp),
        author=printable(item.get("author") or "") or None,
        content_html=printable(_xml_content(item)),
    )


def _updated(item: Mapping[str, Any]) -> time.struct_time | None:
    """The entry's parsed update time, asked for only when it has one: feedparser answers
    `updated_parsed` of an entry without it with `published_parsed` and a DeprecationWarning,
    which an unparsable `<pubDate>` (kept as None) turned into an error under `-W error`."""
    return item.get("updated_parsed") if "updated_parsed" in item else None


def _xml_content(item: Mapping[str, Any]) -> str:
    """The full content when the feed has it (`content:encoded`, Atom content), else the
    description/summary; HTML either way (plain text is escaped)."""
    details = [*item.get("content", []), item.get("summary_detail") or {}]
    for detail in details:
        if detail.get("value"):
            value = str(detail["value"])
            return value if "html" in str(detail.get("type", "html")) else html.escape(value)
    return ""


def _unusable(body: bytes, url: str, content_type: str, result: Any) -> str:
    if _HTML_START.search(body[:2048]) or (content_type == "text/html" and not result.version):
        return (
            f"{url} is a web page, not a feed; give its RSS, Atom or JSON Feed address, "
            "or a page that links to one."
        )
    if result.get("version"):
        error = result.get("bozo_exception")
        detail = error.getMessage() if hasattr(error, "getMessage") else str(error)
        return f"The feed at {url} is malformed and has no readable entries ({detail})."
    return _not_a_feed(url, content_type, "no RSS, Atom or JSON Feed in it")


def _mime(content_type: str) -> str:
    """`text/html` of `text/html; charset=utf-8`: what the messages name (a header may carry
    C1 control characters, and the message is shown on terminals)."""
    return printable(content_type.partition(";")[0].strip().lower())


def _not_a_feed(url: str, content_type: str, what: str) -> str:
    sent = f"{content_type} data" if content_type and "xml" not in content_type else what
    return f"{url} is not a feed ({sent})."


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(body, parse_int=_json_int)
    except (ValueError, RecursionError):
        raise FeedError(f"{url} sent malformed JSON, not a feed.") from None
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSON_FEED_VERSIONS):
        raise FeedError(f"{url} sent JSON that is not a JSON Feed (no jsonfeed.org version).")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError(f"The JSON Feed at {url} has no list of items.")
    entries = (_json_entry(item, url) for item in items if isinstance(item, dict))
    return ParsedFeed(
        title=_plain(_str(data.get("title")), None),
        link=http_url(_str(data.get("home_page_url")), url),
        entries=tuple(e for e in entries if e),
    )


def _json_int(digits: str) -> int | float:
    """A JSON integer; past Python's limit on converting long ones, a float (infinite).

    `int()` refuses more than 4,300 digits (a guard against quadratic conversion), and that
    ValueError made one item's `"id": 999...9` refuse the whole feed as malformed JSON. A
    number stays a number, so it is used nowhere a string is wanted, as before.
    """
    return int(digits) if len(digits) <= 4000 else float(digits)


def _json_entry(item: Mapping[str, Any], base: str) -> FeedEntry | None:
    url = http_url(_str(item.get("url")) or _str(item.get("external_url")), base)
    if url is None:
        return None
    guid = item.get("id")
    names = [a["name"] for a in _authors(item) if isinstance(a.get("name"), str)]
    text = _str(item.get("content_text")) or _str(item.get("summary"))
    return FeedEntry(
        url=url,
        title=_plain(_str(item.get("title")), None),
        guid=printable(str(guid))
        if isinstance(guid, str | int) and not isinstance(guid, bool)
        else None,
        published=_from_iso(_str(item.get("date_published")) or _str(item.get("date_modified"))),
        author=printable(names[0]) if names else None,
        content_html=printable(_str(item.get("content_html")) or html.escape(text)),
    )


def _authors(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The item's author objects: JSON Feed 1.1 has a list, 1.0 one author. Anything else in
    their place is ignored (`"authors": 5` crashed the whole feed's parse with a TypeError)."""
    authors = item.get("authors")
    if not isinstance(authors, list) or not authors:
        authors = [item.get("author")]
    return [author for author in authors if isinstance(author, dict)]


def discover_feeds(html_text: str, base_url: str) -> list[str]:
    """Feed URLs a page announces with `<link rel="alternate" type=...>`, best first.

    RSS and Atom come before JSON Feed (more readers agree on them); within a rank the page's
    own order is kept, since sites list their main feed before comment feeds. Nothing is
    guessed (`/feed`, `/rss.xml`): a guess costs a request that usually fails, and a page that
    announces no feed is better answered with "give the feed's address".

    A page with an attribute flood (`summaries.sniff.attribute_flood`) announces nothing:
    libxml2 is quadratic in one element's attributes, and a 5 MB tag would take minutes.
    """
    if attribute_flood(html_text):
        return []
    links: list[tuple[int, str]] = []
    base: str | None = None
    for element in _html_tree(html_text).iter("link", "base"):
        href = (element.get("href") or "").strip()
        if element.tag == "base" and href and base is None:
            base = href
        elif element.tag == "link" and href and "alternate" in _attribute(element, "rel").split():
            kind = _attribute(element, "type").partition(";")[0].strip()
            if kind in FEED_LINK_TYPES:
                links.append((FEED_LINK_TYPES[kind], href))
    base = _base(base_url, base)
    found: list[str] = []
    for _rank, href in sorted(links, key=lambda link: link[0]):
        url = http_url(href, base)
        if url and url not in found:
            found.append(url)
    return found


def _base(page_url: str, base_href: str | None) -> str:
    """The URL links resolve against: `<base href>` if the page has a usable one, else the page's.

    urljoin raises ValueError for an href like `http://[::1` (a bracket left open), which
    escaped `add_source_from_url` as an internal error; browsers ignore such a base.
    """
    if not base_href:
        return page_url
    try:
        return urljoin(page_url, base_href)
    except ValueError:
        return page_url


def _html_tree(html_text: str) -> lxml.html.HtmlElement:
    """The page parsed by libxml2, which reads any tag soup in linear time. Python's own
    HTMLParser rescans to the end of the page for every unclosed `<`: a page of 400 KB of
    `<link rel=alternate ` took a minute (on the event loop, when the bot adds a source)."""
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(html_text.encode("utf-8", "replace"), parser=parser)
    except etree.ParserError:  # nothing but whitespace or comments
        return lxml.html.Element("html")


def _attribute(element: lxml.html.HtmlElement, name: str) -> str:
    return (element.get(name) or "").strip().lower()


def _plain(text: str, detail: Mapping[str, Any] | None) -> str:
    """A title as plain text: feedparser keeps markup when the feed says the title is HTML.

    At most `TITLE_CHARS` characters: a feed can send a title of megabytes, which would become
    a source's name or an article's headline in every list and message.
    """
    if detail is not None and "html" in str(detail.get("type", "")):
        text = html.unescape(_TAG.sub("", text))
    text = " ".join(printable(text[: TITLE_CHARS * 4]).split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _from_struct(stamp: time.struct_time | None) -> datetime | None:
    """feedparser's parsed dates are UTC struct_times."""
    if stamp is None:
        return None
    try:
        return datetime(*stamp[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _from_iso(text: str) -> datetime | None:
    """RFC 3339 as JSON Feed requires, or RFC 822 as some JSON feeds send anyway; UTC."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    try:
        return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-12:00 is past the last datetime in UTC
        return None
