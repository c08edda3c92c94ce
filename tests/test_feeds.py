"""Feed parsing over the tests/feeds/ corpus (each file states its expectation), bombs and junk,
and feed discovery in HTML pages."""

from __future__ import annotations

import codecs
import json
import random
import re
import time
from datetime import datetime
from pathlib import Path

import pytest

from summaries.errors import FeedError
from summaries.feeds import discover_feeds, parse_feed
from summaries.models import ParsedFeed

FEEDS = Path(__file__).parent / "feeds"
BASE = "https://example.com/feeds/"
CONTENT_TYPES = {
    ".xml": "application/xml",
    ".json": "application/feed+json",
    ".html": "text/html",
    ".txt": "text/plain",
}
EXPECTATION = re.compile(r"(\S+) (==|contains) (.*)")


def expectations(path: Path) -> list[str]:
    """The `Expect:` lines of a corpus file's header comment (or its JSON `_expect` list)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        return list(json.loads(data)["_expect"])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    header = re.search(r"<!--(.*?)-->", text, re.DOTALL)
    assert header and "Description:" in header.group(1), f"{path.name} has no header comment"
    return re.findall(r"Expect:\s*(.+)", header.group(1))


def actual(feed: ParsedFeed, expression: str) -> str:
    """`count`, `title` or `entries[0].url`-style paths into the parsed feed, as text."""
    if expression == "count":
        return str(len(feed.entries))
    value: object = feed
    for part in expression.split("."):
        name, index = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", part).groups()  # type: ignore[union-attr]
        value = getattr(value, name)
        if index is not None:
            value = value[int(index)]  # type: ignore[index]
    return value.isoformat() if isinstance(value, datetime) else str(value)


def check(value: str, op: str, expected: str, line: str) -> None:
    if op == "==":
        assert value == expected, line
    else:
        assert expected in value, line


@pytest.mark.parametrize("path", sorted(FEEDS.iterdir()), ids=lambda p: p.name)
def test_feed_corpus(path: Path) -> None:
    lines = expectations(path)
    assert lines, f"{path.name} states no expectation"
    parsed = [EXPECTATION.fullmatch(line.strip()) for line in lines]
    assert all(parsed), f"{path.name}: unreadable expectation in {lines}"
    body, url = path.read_bytes(), BASE + path.name
    content_type = CONTENT_TYPES[path.suffix]
    errors = [m.groups() for m in parsed if m and m.group(1) == "error"]
    if errors:
        with pytest.raises(FeedError) as caught:
            parse_feed(body, url=url, content_type=content_type)
        for _, op, expected in errors:
            check(str(caught.value), op, expected, f"error {op} {expected}")
        return
    feed = parse_feed(body, url=url, content_type=content_type)
    for line, match in zip(lines, parsed, strict=True):
        assert match
        expression, op, expected = match.groups()
        check(actual(feed, expression), op, expected, line)


def test_every_corpus_format_is_present() -> None:
    names = {path.name for path in FEEDS.iterdir()}
    for required in ("rss091.xml", "rss092.xml", "rss10-rdf.xml", "rss20.xml", "atom10.xml"):
        assert required in names
    assert {"jsonfeed1.json", "jsonfeed11.json"} <= names


# -- attacks and junk ----------------------------------------------------------------------------


def test_quadratic_blowup_is_refused_quickly() -> None:
    """One 100 KB entity referenced 100,000 times would expand to 10 GB."""
    entity = "x" * 100_000
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{entity}">]>'
        f"<rss><channel><title>{'&a;' * 100_000}</title></channel></rss>"
    ).encode()
    started = time.monotonic()
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(body, url=BASE + "quadratic.xml")
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    ("doctype", "entity"), [("<!doctype", "<!entity"), ("<!DOCTYPE", "<!Entity")]
)
def test_miscased_entity_declarations_are_never_expanded(doctype: str, entity: str) -> None:
    """XML keywords are case-sensitive: these are not declarations, and nothing expands them."""
    body = (
        f'<?xml version="1.0"?>{doctype} rss [{entity} a "{"x" * 10_000}">]><rss version="2.0">'
        f"<channel><item><title>{'&a;' * 10_000}</title><link>https://x.example/1</link></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(body, url=BASE + "miscased.xml")
    assert "x" * 100 not in feed.entries[0].title


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "cp037", "cp500", "utf-7"])
def test_entity_declarations_are_found_in_other_encodings(encoding: str) -> None:
    body = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        "<rss><channel><item><title>&b;</title><link>https://x.example/</link></item>"
        "</channel></rss>"
    ).encode(encoding)
    if encoding == "utf-7":  # Python writes `<!` as is; UTF-7 may also spell it in base64
        body = body.replace(b"<!", b"+ADwAIQ-")
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(body, url=BASE + "wide.xml")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/rss+xml", "sent an empty document"),
        (b"  \n\t ", "", "sent an empty document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "image/png", r"\(image/png data\)"),
        (random.Random(7).randbytes(50_000), "application/octet-stream", "is not a feed"),
        (b"\x00\x01\x02junk" * 100, "", r"is not a feed \(binary data\)"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "", "malformed JSON"),
        (b'{"a": ' + b"[" * 100_000, "application/json", "malformed JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "", "has no list of items"),
        (b"<html><body><p>hello</p></body></html>", "text/html", "is a web page"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "application/pdf data"),
    ],
    ids=[
        "empty",
        "whitespace",
        "png",
        "random",
        "nul-junk",
        "truncated-json",
        "deep-json",
        "json-no-items",
        "html",
        "pdf",
    ],
)
def test_junk_is_refused_with_a_clear_message(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, url=BASE + "junk", content_type=content_type)


def test_a_feed_served_with_a_wrong_content_type_is_still_read() -> None:
    body = (FEEDS / "rss20.xml").read_bytes()
    feed = parse_feed(body, url=BASE + "rss20.xml", content_type="text/html")
    assert len(feed.entries) == 2


def test_dates_are_aware_utc() -> None:
    feed = parse_feed((FEEDS / "atom10.xml").read_bytes(), url=BASE + "atom10.xml")
    published = feed.entries[0].published
    assert published is not None and published.utcoffset() is not None
    assert published.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


# -- discovery -----------------------------------------------------------------------------------


def test_discovery_puts_rss_and_atom_before_json_and_resolves_relative_links() -> None:
    page = """<html><head>
      <link rel="alternate" type="application/feed+json" href="/feed.json">
      <link rel="stylesheet" type="text/css" href="/style.css">
      <link rel="alternate" hreflang="de" type="text/html" href="/de/">
      <LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" HREF="atom.xml">
      <link rel="alternate" type="application/rss+xml" href="https://example.com/rss.xml"/>
      <link rel="alternate" type="application/rss+xml" href="/comments/feed">
      <link rel="alternate" type="application/rss+xml" href="https://example.com/rss.xml">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head><body></body></html>"""
    assert discover_feeds(page, "https://example.com/news/today.html") == [
        "https://example.com/news/atom.xml",
        "https://example.com/rss.xml",
        "https://example.com/comments/feed",
        "https://example.com/feed.json",
    ]


def test_discovery_honours_base_href() -> None:
    page = (
        '<head><base href="https://cdn.example.net/site/">'
        '<link rel="alternate" type="application/rss+xml" href="feed.xml"></head>'
    )
    assert discover_feeds(page, "https://example.com/") == ["https://cdn.example.net/site/feed.xml"]


def test_discovery_on_the_corpus_page_and_on_pages_without_feeds() -> None:
    page = (FEEDS / "html-page.html").read_text()
    assert discover_feeds(page, "https://example.com/index.html") == [
        "https://example.com/feed.xml"
    ]
    assert discover_feeds("<p>no feeds <a href='/rss'>here</a>", "https://example.com/") == []
    assert discover_feeds("<<<not html at all", "https://example.com/") == []


def _rss_item(title: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        f"<title>{title}</title><link>https://example.com/a</link>"
        "<description>Body</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "reference", ["&#xD800;", "&#57343;", "&#x110000;", "&#99999999999;", "&#0;", "&#x1F;"]
)
def test_character_references_to_no_character_become_a_replacement_mark(reference: str) -> None:
    feed = parse_feed(_rss_item(f"Bad {reference} title"), url=BASE, content_type="text/xml")
    assert feed.entries[0].title == "Bad \ufffd title"


def test_valid_character_references_are_kept() -> None:
    feed = parse_feed(_rss_item("Caf&#233; &#x1F600; &amp; tea"), url=BASE, content_type="")
    assert feed.entries[0].title == "Café 😀 & tea"


@pytest.mark.parametrize("reference", ["&#xD800;", "&#x110000;", "&#99999999999;"])
def test_a_utf16_feed_referring_to_no_character_is_refused_clearly(reference: str) -> None:
    """In UTF-16 the reference is not the ASCII bytes the repair looks for, so feedparser meets
    it and fails; that failure is one FeedError naming the feed, not a crash."""
    body = _rss_item(f"Bad {reference} title").decode().replace("1.0", '1.0" encoding="utf-16', 1)
    with pytest.raises(FeedError, match="holds a character reference no text can contain"):
        parse_feed(body.encode("utf-16"), url=BASE, content_type="application/rss+xml")


def test_json_feed_surrogates_and_control_characters_are_made_storable() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Feed\u0000 name",
            "items": [
                {
                    "id": "a\ud800",
                    "url": "https://example.com/a",
                    "title": "Lone \ud800 surrogate\u0007",
                    "content_text": "Text with \udfff and\ttab\nand line",
                    "authors": [{"name": "Ann\u0000"}],
                }
            ],
        }
    ).encode()
    feed = parse_feed(body, url=BASE, content_type="application/feed+json")
    entry = feed.entries[0]
    assert feed.title == "Feed name"
    assert entry.title == "Lone \ufffd surrogate"
    assert entry.guid == "a\ufffd" and entry.author == "Ann"
    assert entry.content_html == "Text with \ufffd and\ttab\nand line"
    for text in (entry.title, entry.guid, entry.author, entry.content_html):
        text.encode("utf-8")  # what SQLite and Telegram need
