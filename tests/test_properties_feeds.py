"""Property tests of what a hostile feed, page or server can send (hypothesis, derandomised).

Each property is an invariant the ingest side promises whatever the input: a clear refusal (a
FeedError, FetchError or ExtractError) or a usable result, never another exception; and one bad
item never costs the other items of its feed. The examples hypothesis found that once broke an
invariant are kept as explicit regression tests beside the property that found them.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import tracemalloc
import zlib
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from summaries import feed_guards, source_discovery
from summaries.articles import get_articles
from summaries.config import Settings
from summaries.errors import ExtractError, FeedError, FetchError, SourceError
from summaries.extract import article_from_entry, extract_article
from summaries.feed_guards import MAX_ELEMENTS, MAX_OPEN
from summaries.feeds import TITLE_CHARS, discover_feeds, parse_feed
from summaries.fetch import Fetcher, FetchPolicy, Response
from summaries.inflate import Inflater
from summaries.ingest import Ingester
from summaries.models import FeedEntry, ParsedFeed
from summaries.opml import parse_opml
from summaries.sniff import MAX_ATTRIBUTES
from summaries.source_discovery import MAX_CANDIDATES, add_source_from_url
from summaries.sources import add_source
from summaries.store import Database
from tests.servers import LocalServer, Reply
from tests.stories import RSS, STORIES, page_html, rss

FEED_URL = "https://example.com/feed"
CONTROLS = frozenset(chr(c) for c in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)])


def good_url(i: int) -> str:
    return f"https://good.example/{i}"


def assert_storable(feed: ParsedFeed) -> None:
    """What every parsed feed must be: http(s) links, no control characters, bounded titles,
    text that encodes as UTF-8 (what SQLite and Telegram need)."""
    assert len(feed.title) <= TITLE_CHARS
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert len(entry.title) <= TITLE_CHARS
        for text in (entry.url, entry.title, entry.guid or "", entry.author or ""):
            text.encode("utf-8")
            assert not CONTROLS & set(text), repr(text)
        entry.content_html.encode("utf-8")


# -- XML feeds -----------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    "https://x.example/a",
    "/relative/path",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "http://",
    "http://[::1",
    "https://x.example/\x1b[2J",
    "&#0;",
    "&#xD800;",
    "&#x110000;",
    "&#99999999999999999999;",
    "&bogus;",
    "&",
    "]]>",
    "<![CDATA[x]]>",
    "<b>bold</b>",
    "Mon, 31 Dec 9999 23:59:59 -1200",
    "2024-02-30T25:61:00Z",
    "\x00",
    "\x01",
    "\x9b2J",
    "\ufffe",
    "\u2028",
    "😀",
    "x" * 3000,
]
"""Values a hostile feed puts where text, a link or a date belongs."""

_value = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
    st.lists(st.sampled_from(HOSTILE_TEXT), max_size=4).map("".join),
)
_ITEM_FIELDS = ("title", "link", "guid", "pubDate", "description", "content:encoded", "author")
# (value, escaped?): unescaped values are raw markup, which may make the document ill-formed.
_poison_item = st.dictionaries(
    st.sampled_from(_ITEM_FIELDS), st.tuples(_value, st.booleans()), max_size=len(_ITEM_FIELDS)
)


@st.composite
def rss_with_poison(draw: st.DrawFn) -> tuple[bytes, int]:
    """An RSS feed of `good` ordinary items with poison items spliced in among them."""
    good = draw(st.integers(0, 4))
    items = [
        f"<item><title>Good {i}</title><link>{good_url(i)}</link>"
        f"<description>Body {i}</description></item>"
        for i in range(good)
    ]
    for poison in draw(st.lists(_poison_item, max_size=3)):
        fields = "".join(
            f"<{name}>{value if raw else escape(value)}</{name}>"
            for name, (value, raw) in poison.items()
        )
        items.insert(draw(st.integers(0, len(items))), f"<item>{fields}</item>")
    head = draw(
        st.sampled_from(['<?xml version="1.0" encoding="utf-8"?>', "", '<?xml version="1.0"?>'])
    )
    document = (
        f'{head}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(draw(_value))}</title><link>https://x.example/</link>"
        f"{''.join(items)}</channel></rss>"
    )
    return document.encode("utf-8", "surrogatepass"), good


@given(
    rss_with_poison(),
    st.sampled_from(["", "application/rss+xml", "text/html", "text/xml; charset=utf-8"]),
)
def test_poison_items_never_cost_the_good_items_of_an_rss_feed(
    feed: tuple[bytes, int], content_type: str
) -> None:
    body, good = feed
    try:
        parsed = parse_feed(body, url=FEED_URL, content_type=content_type)
    except FeedError:
        assert good == 0, "a feed with good items was refused"
        return
    urls = {entry.url for entry in parsed.entries}
    assert {good_url(i) for i in range(good)} <= urls
    assert_storable(parsed)


_ENTRY_FIELDS = [
    "title",
    "guid",
    "pubDate",
    "description",
    "content:encoded",
    "author",
    "dc:creator",
    "dc:date",
    "category",
    "enclosure",
    "media:content",
    "updated",
    "published",
    "summary",
]
_FIELD_ATTRIBUTES = [
    "",
    ' type="html"',
    ' type="xhtml"',
    ' isPermaLink="true"',
    ' href="javascript:x"',
    ' url="http://[::1"',
    ' rel="alternate" href="/x"',
]


@given(
    st.sampled_from(["rss", "atom"]),
    st.lists(
        st.tuples(
            st.sampled_from(_ENTRY_FIELDS),
            _value,
            st.booleans(),
            st.sampled_from(_FIELD_ATTRIBUTES),
        ),
        max_size=4,
    ),
)
def test_hostile_fields_of_a_linked_entry_cost_nothing_else(
    kind: str, fields: list[tuple[str, str, bool, str]]
) -> None:
    """An RSS item or Atom entry with a usable link and hostile other fields (text, raw markup,
    attributes, namespaced extensions): the next entry is still read, everything storable."""
    inner = "".join(
        f"<{name}{attributes}>{value if raw else escape(value)}</{name}>"
        for name, value, raw, attributes in fields
    )
    if kind == "rss":
        document = (
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">'
            f"<channel><title>T</title><item><link>{good_url(0)}</link>{inner}</item>"
            f"<item><link>{good_url(1)}</link></item></channel></rss>"
        )
    else:
        document = (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            f'<entry><link href="{good_url(0)}"/>{inner}</entry>'
            f'<entry><link href="{good_url(1)}"/></entry></feed>'
        )
    parsed = parse_feed(document.encode("utf-8", "surrogatepass"), url=FEED_URL)
    assert {good_url(0), good_url(1)} <= {entry.url for entry in parsed.entries}
    assert_storable(parsed)


@pytest.mark.parametrize("prefix", ["", "?"])
@pytest.mark.parametrize("where", ["channel title", "first item"])
def test_a_nul_byte_near_the_top_of_a_feed_costs_only_its_own_text(prefix: str, where: str) -> None:
    """A NUL in the first 512 bytes had the whole feed refused as "binary data"; later in the
    document the same NUL cost nothing. (A stray byte may come before the declaration.)"""
    channel, item = ("\x00", "Good 0") if where == "channel title" else ("News", "a\x00b")
    body = (
        f'{prefix}<?xml version="1.0"?><rss version="2.0"><channel><title>{channel}</title>'
        f"<item><title>{item}</title><link>{good_url(0)}</link></item>"
        f"<item><title>Good 1</title><link>{good_url(1)}</link></item></channel></rss>"
    ).encode()
    parsed = parse_feed(body, url=FEED_URL, content_type="application/rss+xml")
    assert [entry.url for entry in parsed.entries] == [good_url(0), good_url(1)]


def _feed_document(kind: str, count: int) -> bytes:
    if kind == "atom":
        entries = "".join(
            f'<entry><title>Good {i}</title><link href="{good_url(i)}"/><id>urn:{i}</id>'
            f'<content type="html">&lt;p&gt;Body {i}&lt;/p&gt;</content></entry>'
            for i in range(count)
        )
        return (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{entries}</feed>'.encode()
        )
    items = "".join(
        f"<item><title>Good {i}</title><link>{good_url(i)}</link>"
        f"<description>Body {i} &amp; more</description></item>"
        for i in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://x.example/</link>{items}</channel></rss>"
    ).encode()


@given(st.sampled_from(["rss", "atom"]), st.integers(1, 5), st.data())
def test_a_feed_cut_off_anywhere_keeps_its_complete_items(
    kind: str, count: int, data: st.DataObject
) -> None:
    document = _feed_document(kind, count)
    body = document[: data.draw(st.integers(0, len(document)), label="cut")]
    complete = body.count(b"</entry>" if kind == "atom" else b"</item>")
    try:
        parsed = parse_feed(body, url=FEED_URL)
    except FeedError:
        assert complete == 0
        return
    assert {good_url(i) for i in range(complete)} <= {entry.url for entry in parsed.entries}


_junk = st.binary(max_size=40).map(lambda junk: junk.replace(b"<", b""))
_BAD_BYTES = [b"&", b"&#0;", b"]]>", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x00"]
_garbage = st.lists(st.one_of(_junk, st.sampled_from(_BAD_BYTES)), max_size=5).map(b"".join)


@given(st.sampled_from(["rss", "atom"]), st.integers(2, 4), st.data(), _garbage)
def test_garbage_bytes_in_one_item_never_cost_the_others(
    kind: str, count: int, data: st.DataObject, garbage: bytes
) -> None:
    """Invalid UTF-8, control bytes, bare ampersands and NULs in one item's text: the feed is
    then ill-formed XML and goes to feedparser's lenient parser, which must still read the rest."""
    bad = data.draw(st.integers(0, count - 1), label="bad item")
    body = _feed_document(kind, count).replace(f"Good {bad}<".encode(), b"Bad" + garbage + b"<")
    parsed = parse_feed(body, url=FEED_URL)
    urls = {entry.url for entry in parsed.entries}
    assert {good_url(i) for i in range(count) if i != bad} <= urls
    assert_storable(parsed)


@pytest.mark.parametrize("garbage", [b"\x9a@\x9c@\x9c@", b"\xc3"])
def test_a_few_undecodable_bytes_never_make_the_whole_feed_unreadable(garbage: bytes) -> None:
    """When a feed's bytes are not all the UTF-8 it declares, feedparser asks chardet, which
    read `\\x9a@\\x9c@\\x9c@` in one title as EBCDIC (cp875): no `<` was left, and the feed
    was refused as "not a feed". (Found by the garbage property with a random seed.)"""
    body = _feed_document("rss", 2).replace(b"Good 0<", b"Bad" + garbage + b"<")
    parsed = parse_feed(body, url=FEED_URL)
    assert [entry.url for entry in parsed.entries] == [good_url(0), good_url(1)]
    assert parsed.entries[1].title == "Good 1"


_non_ascii_word = st.text(
    st.characters(min_codepoint=0xA1, categories=["Ll", "Lu", "Lo"]), min_size=3, max_size=12
)


@given(
    st.lists(_non_ascii_word, min_size=2, max_size=3),
    st.lists(
        st.sampled_from([b"\xff", b"\x92", b"\xe9", b"\xc3", b"\xe2\x80", b"\x9a@"]), max_size=3
    ),
    st.sampled_from(["", "application/rss+xml; charset=utf-8", "text/xml"]),
)
def test_a_damaged_character_in_one_item_leaves_the_others_text_as_written(
    titles: list[str], damage: list[bytes], content_type: str
) -> None:
    """A feed cut mid-character in one item (common in truncated summaries) is not strict
    UTF-8: feedparser then let chardet guess, and one `\\xff` read the whole feed as
    windows-1250, every other item's "Café" as "CafĂ©"."""
    items = "".join(
        f"<item><title>{title}</title><link>{good_url(i + 1)}</link></item>"
        for i, title in enumerate(titles)
    )
    body = _feed_document("rss", 1).replace(b"<item>", items.encode() + b"<item>", 1)
    body = body.replace(b"Good 0<", b"Bad" + b"".join(damage) + b"<")
    parsed = parse_feed(body, url=FEED_URL, content_type=content_type)
    assert [entry.title for entry in parsed.entries[:-1]] == titles


@pytest.mark.parametrize("damage", [b"\xff", b"\xe2\x80"])
def test_a_page_cut_mid_character_is_still_read_as_utf8(damage: bytes) -> None:
    text = "<p>Café déjà vu – “quoted” Ελλάδα</p><p>cut "
    page = Response("https://x.example/", 200, {}, text.encode() + damage, "text/html", "utf-8")
    assert page.text() == text + "\ufffd"


def test_a_feed_really_in_windows_1252_is_still_read_in_it() -> None:
    body = _feed_document("rss", 2).replace(b"Good 0", "Café déjà vu".encode("cp1252"))
    parsed = parse_feed(body.replace(b"utf-8", b"windows-1252"), url=FEED_URL)
    assert parsed.entries[0].title == "Café déjà vu"


@given(st.integers(0, MAX_ATTRIBUTES))
def test_elements_with_up_to_the_attribute_limit_are_read(count: int) -> None:
    attributes = " ".join(f'a{i}="x"' for i in range(count))
    body = _feed_document("rss", 2).replace(b"<item>", f"<item {attributes}>".encode(), 1)
    assert len(parse_feed(body, url=FEED_URL).entries) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_element_with_more_attributes_than_the_limit_is_refused(encoding: str) -> None:
    """feedparser spends time quadratic in one element's attribute count: 200,000 attributes
    (2 MB) took five minutes; UTF-16 must not hide them from the check."""
    attributes = " ".join(f'a{i}="x"' for i in range(MAX_ATTRIBUTES + 1))
    document = _feed_document("rss", 2).decode().replace("<item>", f"<item {attributes}>", 1)
    body = document.replace('encoding="utf-8"', f'encoding="{encoding}"').encode(encoding)
    with pytest.raises(FeedError, match=f"more than {MAX_ATTRIBUTES} attributes"):
        parse_feed(body, url=FEED_URL)


def test_a_feed_of_more_elements_than_the_limit_is_refused() -> None:
    """Each element costs feedparser 15-30 µs: 5 MB of `<x/>` took 28 s, of `<x>` 52 s."""
    body = _feed_document("rss", 1).replace(b"</item>", b"<x/>" * (MAX_ELEMENTS + 1) + b"</item>")
    with pytest.raises(FeedError, match=f"more than {MAX_ELEMENTS:,} elements"):
        parse_feed(body, url=FEED_URL)


@pytest.mark.parametrize("closed", [False, True], ids=["left-open", "closed-at-the-end"])
def test_a_feed_nesting_too_many_elements_is_refused(closed: bool) -> None:
    """Each element open cost feedparser 400-670 bytes until it closed: 200,000 `<x>` left
    open (600 KB) took 135 MB, 100,000 nested and closed 38 MB; 500,000 would take 340 MB."""
    nested = b"<x>" * (MAX_OPEN + 1) + (b"</x>" * (MAX_OPEN + 1) if closed else b"")
    body = _feed_document("rss", 1).replace(b"</item>", nested + b"</item>")
    with pytest.raises(FeedError, match=f"more than {MAX_OPEN:,} elements open at once"):
        parse_feed(body, url=FEED_URL)


def test_a_sloppy_feed_with_raw_line_breaks_is_still_read() -> None:
    body = _feed_document("rss", 3).replace(b"Body", b"One<br>two<br>three<br>Body")
    assert len(parse_feed(body, url=FEED_URL).entries) == 3


def test_markup_in_cdata_does_not_count_against_the_element_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTML in an item's CDATA is no element of the feed (the sanitizer reads it, cheaply)."""
    monkeypatch.setattr(feed_guards, "MAX_ELEMENTS", 50)
    body = _feed_document("rss", 2).replace(b"Body 0", b"<![CDATA[" + b"<b>x</b>" * 100 + b"]]>")
    assert len(parse_feed(body, url=FEED_URL).entries) == 2
    body = body.replace(b"<item>", b"<item>" + b"<x/>" * 50, 1)
    with pytest.raises(FeedError, match="more than 50 elements"):
        parse_feed(body, url=FEED_URL)


@pytest.mark.parametrize("comment", [b"<!-- <![CDATA[ -->", b"<!-- <![CDATA[ -- >"])
def test_a_cdata_opening_inside_a_comment_hides_nothing_from_the_limits(
    monkeypatch: pytest.MonkeyPatch, comment: bytes
) -> None:
    """Taken for a CDATA section that never ended, it hid every element after it from the
    limits: 60,000 `<x>` nested after `<!-- <![CDATA[ -->` (past `MAX_OPEN`) were parsed."""
    monkeypatch.setattr(feed_guards, "MAX_ELEMENTS", 50)
    body = _feed_document("rss", 2).replace(b"<item>", comment + b"<item>" + b"<x/>" * 51, 1)
    with pytest.raises(FeedError, match="more than 50 elements"):
        parse_feed(body, url=FEED_URL)


def test_markup_in_a_comment_does_not_count_against_the_element_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(feed_guards, "MAX_ELEMENTS", 50)
    body = _feed_document("rss", 2).replace(b"<item>", b"<!--" + b"<x/>" * 100 + b"--><item>", 1)
    assert len(parse_feed(body, url=FEED_URL).entries) == 2


@pytest.mark.parametrize(
    "item",
    [
        b"<item><link>https://x.example/1</link><description>&lt;a" + b"x" * 1_000_000,
        b"<item><title>a & b</title><link>https://x.example/1</link><a" + b"x" * 1_000_000,
    ],
    ids=["escaped-content", "lenient-parser"],
)
def test_a_start_tag_that_never_ends_costs_no_memory_per_byte(item: bytes) -> None:
    """feedparser's end-of-tag pattern kept ~150 bytes per byte of a tag that does not end:
    1 MB of one item's content took 152 MB (a 5 MB feed, 800 MB)."""
    body = _feed_document("rss", 1).replace(b"<item>", item + b"</description></item><item>", 1)
    tracemalloc.start()
    try:
        parsed = parse_feed(body, url=FEED_URL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert good_url(0) in {entry.url for entry in parsed.entries}
    assert peak < 40_000_000


# -- JSON Feed -----------------------------------------------------------------------------------

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(HOSTILE_TEXT),
)
_json_value = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_JSON_FIELDS = (
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "date_published",
    "date_modified",
    "author",
    "authors",
)
_json_item = st.dictionaries(st.sampled_from(_JSON_FIELDS), _json_value, max_size=len(_JSON_FIELDS))


@given(
    st.lists(st.one_of(_json_item, _json_value), max_size=5),
    st.dictionaries(st.sampled_from(["title", "home_page_url", "author"]), _json_value),
    st.integers(0, 3),
)
def test_json_feed_values_of_any_type_never_cost_the_good_items(
    poison: list[object], top: dict[str, object], good: int
) -> None:
    items = [
        {"id": str(i), "url": good_url(i), "title": f"Good {i}", "content_text": "Body."}
        for i in range(good)
    ]
    feed = {**top, "version": "https://jsonfeed.org/version/1.1", "items": poison + items}
    parsed = parse_feed(json.dumps(feed).encode(), url=FEED_URL)
    assert {good_url(i) for i in range(good)} <= {entry.url for entry in parsed.entries}
    assert_storable(parsed)


@given(st.sampled_from([f for f in _JSON_FIELDS if f != "url"]), _json_value)
def test_any_value_in_any_field_of_a_linked_json_item_is_read_or_ignored(
    field: str, value: object
) -> None:
    """An item with a usable link has every other field read (one without is skipped at once):
    `"authors": 5` crashed the whole feed's parse with a TypeError."""
    item = {"url": good_url(0), "content_text": "Body.", field: value}
    other = {"url": good_url(1), "content_text": "Body."}
    body = json.dumps({"version": "https://jsonfeed.org/version/1", "items": [item, other]})
    parsed = parse_feed(body.encode(), url=FEED_URL)
    assert good_url(1) in {entry.url for entry in parsed.entries}
    assert_storable(parsed)


@pytest.mark.parametrize("field", ["id", "title", "authors"])
def test_an_integer_of_thousands_of_digits_costs_only_its_own_item(field: str) -> None:
    """Python refuses to convert integers of more than 4,300 digits, and that ValueError made
    json.loads, and so the whole feed, fail as "malformed JSON"."""
    good = f'{{"id": "1", "url": "{good_url(1)}", "content_text": "Body."}}'
    bad = f'{{"{field}": {"9" * 5000}, "url": "{good_url(0)}", "content_text": "Body."}}'
    body = f'{{"version": "https://jsonfeed.org/version/1.1", "items": [{bad}, {good}]}}'
    parsed = parse_feed(body.encode(), url=FEED_URL)
    assert [entry.url for entry in parsed.entries] == [good_url(0), good_url(1)]
    assert_storable(parsed)


@given(_json_value)
def test_json_that_is_no_feed_is_refused_clearly(value: object) -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1", "items": value}).encode()
    try:
        assert_storable(parse_feed(body, url=FEED_URL))
    except FeedError as error:
        assert FEED_URL in str(error)


# -- compressed bodies ---------------------------------------------------------------------------


def _compress(kind: str, data: bytes) -> bytes:
    if kind == "gzip":
        return gzip.compress(data)
    if kind == "zlib":
        return zlib.compress(data)
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    return raw.compress(data) + raw.flush()


def _inflate(kind: str, chunks: list[bytes], limit: int) -> bytes | str:
    """What an `Inflater` makes of a body arriving in these chunks: the bytes, or "refused"."""
    inflater = Inflater("gzip" if kind == "gzip" else "deflate", limit, "https://x.example/")
    out = bytearray()
    try:
        for chunk in chunks:
            out += inflater.feed(chunk)
    except FetchError:
        return "refused"
    return bytes(out)


@given(
    st.sampled_from(["gzip", "zlib", "raw"]),
    st.lists(st.binary(max_size=2000), min_size=1, max_size=3),
    st.sampled_from(["whole", "cut", "junk after", "flipped byte"]),
    st.lists(st.integers(0, 10**5), max_size=8),
    st.integers(0, 6000),
    st.data(),
)
def test_inflating_does_not_depend_on_how_the_body_is_cut_into_chunks(
    kind: str,
    members: list[bytes],
    damage: str,
    cuts: list[int],
    limit: int,
    data: st.DataObject,
) -> None:
    """Network chunks fall anywhere: a one-byte first chunk of a raw-deflate body had it
    refused as corrupt. The output is the same for any cut, and a whole body (or a whole one
    with junk after it) decodes to its text, capped at `limit` + 1 bytes."""
    if kind != "gzip":  # only gzip has members
        members = [b"".join(members)]
    wire = b"".join(_compress(kind, member) for member in members)
    if damage == "cut":
        wire = wire[: data.draw(st.integers(0, len(wire)), label="cut at")]
    elif damage == "junk after":
        wire += data.draw(st.binary(max_size=30).filter(lambda b: not b.startswith(b"\x1f")))
    elif damage == "flipped byte" and wire:
        at = data.draw(st.integers(0, len(wire) - 1), label="flip at")
        wire = wire[:at] + bytes([wire[at] ^ 0x55]) + wire[at + 1 :]
    bounds = sorted({cut % (len(wire) + 1) for cut in cuts})
    chunks = [wire[a:b] for a, b in zip([0, *bounds], [*bounds, len(wire)], strict=True)]
    whole = _inflate(kind, [wire], limit)
    assert _inflate(kind, chunks, limit) == whole
    if damage == "whole" or (damage == "junk after" and kind != "gzip"):
        assert whole == b"".join(members)[: limit + 1]


def test_junk_after_a_gzip_body_is_dropped_not_kept() -> None:
    """After the last gzip member, a server may send junk until the deadline: the finished
    zlib stream kept every byte of it (re-copying the pile on each chunk), 2x what was sent."""
    inflater = Inflater("gzip", 1_000_000, "https://x.example/")
    assert inflater.feed(gzip.compress(b"<rss/>")) == b"<rss/>"
    junk = b"j" * 65536
    tracemalloc.start()
    try:
        for _ in range(160):  # 10 MB
            assert inflater.feed(junk) == b""
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


@pytest.mark.parametrize(
    ("encoding", "outcome"),
    [("", "read"), ("  ", "read"), ("\x9bgzip", "refused"), ("x" * 5000, "refused")],
)
async def test_an_odd_content_encoding_is_read_or_refused_in_a_clean_message(
    server: LocalServer, encoding: str, outcome: str
) -> None:
    """A blank Content-Encoding means none (it was refused as "unsupported compression ()");
    one that is no coding is named in the refusal without its control characters or bulk."""
    url = server.add("/c", Reply(b"<rss/>", headers={"Content-Encoding": encoding}))
    async with Fetcher(FetchPolicy(allow_private=True, timeout=5.0)) as fetcher:
        if outcome == "read":
            assert (await fetcher.get(url)).body == b"<rss/>"
            return
        with pytest.raises(FetchError, match="unsupported compression") as caught:
            await fetcher.get(url)
    message = str(caught.value)
    assert not CONTROLS & set(message) and len(message) < 200


# -- pages, feed content, discovery, OPML --------------------------------------------------------

_PROSE = "The council voted on Monday to approve the new tram line to the airport. " * 3
_PAGE_PARTS = [
    "<html>",
    "<head>",
    "<title>Tram &#x1b; &#0; vote</title>",
    "<meta charset='utf-16'>",
    "<meta property='article:published_time' content='9999-99-99'>",
    "<body>",
    "<article>",
    "<p>",
    "</p>",
    _PROSE,
    "By Jane Doe",
    "Original url: https://x.example/a",
    "<base href='http://[::1'>",
    "<base href='javascript:x'>",
    "<link rel=alternate type=application/rss+xml href='/feed'>",
    "<link rel=alternate type=application/atom+xml href='http://[::1'>",
    "<script>",
    "</script>",
    "<!--",
    "<![CDATA[",
    "\x00",
    "\ufeff",
    "&#xD800;",
    "<svg>",
    "<math>",
    "<table><tr><td>",
    "\u2028",
    "<h1>Tram vote</h1>",
    "<html lang='zz-\x1b'>",
]


@given(
    st.lists(st.sampled_from(_PAGE_PARTS), max_size=25).map("".join),
    st.sampled_from(["", "text/html", "text/plain", "application/xhtml+xml"]),
    st.sampled_from(["str", "utf-8", "utf-16", "cp1251"]),
)
def test_a_page_gives_a_clean_article_or_a_clear_refusal(
    page: str, content_type: str, encoding: str
) -> None:
    """Tag soup built from what hostile pages hold: `<svg><html>` crashed trafilatura's date
    search with an AssertionError, and `<base href='http://[::1'>` crashed feed discovery."""
    body = page if encoding == "str" else page.encode(encoding, "replace")
    for url in discover_feeds(page, "https://example.com/page"):
        assert url.startswith(("http://", "https://"))
    try:
        article = extract_article(body, url="https://example.com/a", content_type=content_type)
    except ExtractError:
        return
    assert article.text
    for text in (article.title, article.text, article.byline or "", article.site_name or ""):
        text.encode("utf-8")
        assert not CONTROLS & (set(text) - {"\t", "\n", "\r"}), repr(text)


@pytest.mark.parametrize("page", ["<svg><html>", "<math><html><body><p>Hello</p></body></html>"])
def test_a_page_whose_first_element_is_svg_or_math_is_no_crash(page: str) -> None:
    try:
        extract_article(page, url="https://example.com/a", content_type="text/html")
    except ExtractError as error:
        assert "no readable article text" in str(error)


@pytest.mark.timeout(10)  # a hang guard: the old pattern took minutes here, now milliseconds
def test_an_author_of_many_at_signs_is_no_quadratic_match() -> None:
    """`\\S+@\\S+` tried every pair of `@` in a feed's (or a page's) author: 80 KB took 17 s."""
    author = "a@" * 100_000
    entry = FeedEntry(url="https://example.com/a", title="Tram", author=author, content_html=_PROSE)
    assert article_from_entry(entry).byline == author
    page = f"<html><head><meta name='author' content='{author}'></head><body><p>{_PROSE}</p>"
    extract_article(page + "</body></html>", url="https://example.com/a")


def test_discovery_reads_no_page_with_an_attribute_flood() -> None:
    """libxml2 is quadratic in one element's attributes: 50,000 on a `<link>` took 2 s."""
    link = '<link rel=alternate type=application/rss+xml href="/feed.xml">'
    assert discover_feeds(link, "https://example.com/") == ["https://example.com/feed.xml"]
    assert discover_feeds(f"<meta {_FLOOD}>{link}", "https://example.com/") == []


def test_an_unusable_base_href_is_ignored_by_discovery() -> None:
    page = (
        "<head><base href='http://[::1'>"
        "<link rel=alternate type=application/rss+xml href='/feed.xml'></head>"
    )
    assert discover_feeds(page, "https://example.com/news/") == ["https://example.com/feed.xml"]


_FLOOD = " ".join(f"a{i}" for i in range(MAX_ATTRIBUTES + 1))


@pytest.mark.parametrize(
    "markup",
    [
        f"<p {_FLOOD}>",
        "<p " + "/".join(f"a{i}" for i in range(MAX_ATTRIBUTES + 1)) + ">",
        "<p " + "".join(f'a{i}=">"' for i in range(MAX_ATTRIBUTES + 1)) + ">",
    ],
    ids=["spaces", "slashes", "quoted-gt-no-spaces"],
)
def test_a_page_or_feed_entry_with_an_attribute_flood_is_refused(markup: str) -> None:
    """libxml2 (under trafilatura and our fragment reader) is quadratic in one element's
    attributes: a 2 MB tag of 200,000 took 38 s. However they are separated, they count."""
    page = f"<html><body><article><h1>Tram</h1>{markup}{_PROSE}</p></article></body></html>"
    with pytest.raises(ExtractError, match=f"more than {MAX_ATTRIBUTES} attributes"):
        extract_article(page, url="https://example.com/a", content_type="text/html")
    entry = FeedEntry(url="https://example.com/a", title="Tram", content_html=page)
    with pytest.raises(ExtractError, match=f"more than {MAX_ATTRIBUTES} attributes"):
        article_from_entry(entry)


def test_an_attribute_flood_inside_one_items_cdata_does_not_refuse_the_feed() -> None:
    """HTML in CDATA goes through feedparser's sanitizer, which keeps known attributes only."""
    flood = f"<p {' '.join('title=x' for _ in range(MAX_ATTRIBUTES + 1))}>{_PROSE}</p>"
    body = _feed_document("rss", 2).replace(
        b"<description>Body 0", f"<description><![CDATA[{flood}]]>Body 0".encode()
    )
    assert len(parse_feed(body, url=FEED_URL).entries) == 2


_opml_value = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["https://x.example/f", " https://x.example/f ", "javascript:x", "http://"]),
    st.sampled_from(["https://x.example/&#x9b;2J", "&#x9b;31mRed", "Tom &amp; Jerry", "x" * 800]),
)


@given(
    st.lists(
        st.dictionaries(st.sampled_from(["xmlUrl", "xmlurl", "title", "text"]), _opml_value),
        max_size=5,
    )
)
def test_opml_import_gives_fetchable_urls_and_printable_names(
    outlines: list[dict[str, str]],
) -> None:
    """An OPML file from elsewhere named feeds with `&#x9b;` (a terminal escape XML allows) or
    with kilobytes of text, and passed `http://` (no host) on as a feed."""
    body = "".join(
        "<outline "
        + " ".join(f'{name}="{escape(value, {chr(34): "&quot;"})}"' for name, value in o.items())
        + "/>"
        for o in outlines
    )
    try:
        feeds = parse_opml(f"<opml><body>{body}</body></opml>".encode())
    except FeedError:
        return
    for url, name in feeds:
        assert url.startswith(("http://", "https://")) and urlsplit(url).hostname
        assert name and len(name) <= TITLE_CHARS
        assert not CONTROLS & set(url + name), repr((url, name))


# -- ingest end to end ---------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _poison_page(server: LocalServer, kind: str) -> str:
    """The link of a poison item: a page that once crashed, hung or could not be read."""
    pages = {
        "svg-first page": Reply(b"<svg><html><body></body></html>"),
        "attribute-flood page": Reply(
            f"<html><body><p {_FLOOD}>{_PROSE}</p></body></html>".encode()
        ),
        "gzip-bomb page": Reply(
            gzip.compress(bytes(6_000_000)), headers={"Content-Encoding": "gzip"}
        ),
        "redirect to javascript:": Reply(b"", status=302, headers={"Location": "javascript:x"}),
        "binary page": Reply(b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png"),
    }
    return server.add(f"/poison/{kind.replace(' ', '-')}", pages[kind])


@pytest.mark.parametrize(
    "kind",
    [
        "svg-first page",
        "attribute-flood page",
        "gzip-bomb page",
        "redirect to javascript:",
        "binary page",
    ],
)
async def test_a_poison_item_falls_back_to_its_feed_text_and_the_others_are_stored(
    db: Database, server: LocalServer, settings: Settings, kind: str
) -> None:
    """The svg-first page raised an AssertionError inside trafilatura, which skipped its item
    although the feed had the item's text."""
    items = []
    for key in ("harbour", "council"):
        title, paragraphs = STORIES[key]
        items.append((title, server.add(f"/{key}", Reply(page_html(title, paragraphs))), ""))
    title, paragraphs = STORIES["vaccine"]
    items.insert(1, (title, _poison_page(server, kind), " ".join(paragraphs)))
    add_source(
        db, server.add("/feed", Reply(rss("Example", items), content_type=RSS)), "Ex", now=NOW
    )
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        report = await Ingester(db, fetcher, settings, clock=lambda: NOW).run_due()
    assert report.failures == [] and report.skipped == 0
    stored = {a.title: a.content_origin for a in get_articles(db, report.new_articles)}
    assert stored == {STORIES["harbour"][0]: "page", STORIES["council"][0]: "page", title: "feed"}


async def test_a_page_announcing_many_feeds_costs_a_few_requests_only(
    db: Database, server: LocalServer, settings: Settings
) -> None:
    """Each announced feed was fetched in turn: a page listing thousands of slow or failing
    URLs held `/addsource` for hours and sent a request to each."""
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/missing/{i}">' for i in range(50)
    )
    site = server.add("/", Reply(f"<html><head>{links}</head><body>Hi</body></html>".encode()))
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        with pytest.raises(SourceError, match="No feed found"):
            await add_source_from_url(db, fetcher, site, now=NOW)
    assert len(server.requests) == 1 + MAX_CANDIDATES


async def test_a_feed_being_added_is_parsed_off_the_event_loop(
    db: Database, server: LocalServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5 MB feed takes seconds to parse, and the bot answering every chat shares the loop."""
    threads: list[threading.Thread] = []

    def recording(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
        threads.append(threading.current_thread())
        return parse_feed(body, url=url, content_type=content_type)

    monkeypatch.setattr(source_discovery, "parse_feed", recording)
    feed = rss("Example", [("Title", "https://x.example/a", "Text.")])
    url = server.add("/feed", Reply(feed, content_type=RSS))
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        await add_source_from_url(db, fetcher, url, now=NOW)
    assert threads and threading.main_thread() not in threads


@pytest.mark.parametrize("charset", ["utf-16", "utf-32"])
def test_a_stray_nul_does_not_make_a_utf8_body_declared_utf16_mojibake(charset: str) -> None:
    """A UTF-8 body declared UTF-16 was read as UTF-16 if it held one NUL in its first KB: a
    page became CJK mojibake (summarised and stored as such), and a feed lost all its items."""
    page = Response(
        "https://x.example/", 200, {}, f"<p>{_PROSE}\x00</p>".encode(), "text/html", charset
    )
    assert page.text() == f"<p>{_PROSE}\x00</p>"
    feed = _feed_document("rss", 2).replace(b"Body 0", b"Body\x00 0")
    parsed = parse_feed(feed, url=FEED_URL, content_type=f"application/rss+xml; charset={charset}")
    assert [entry.url for entry in parsed.entries] == [good_url(0), good_url(1)]


_bmp = st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])


@given(
    st.text(_bmp, min_size=1, max_size=300),
    st.sampled_from(["utf-16-le", "utf-16-be", "utf-32-be"]),
)
def test_markup_in_a_wide_encoding_without_a_bom_is_still_read_as_declared(
    text: str, charset: str
) -> None:
    """Up to 300 characters of any script in a paragraph: the markup's NULs are enough
    (`charsets._wide` asks for one in 32 bytes of the first KB)."""
    body = f"<html><body><p>{text}</p></body></html>".encode(charset)
    expected = body.decode(charset, "replace")
    assert Response("https://x.example/", 200, {}, body, "text/html", charset).text() == expected


# -- raw HTTP answers ----------------------------------------------------------------------------


class RawServer:
    """A TCP server on 127.0.0.1 that answers each request with `reply`, byte for byte, then
    hangs up: for the malformed framing `LocalServer` (http.server) cannot send."""

    def __init__(self) -> None:
        self.reply = b""
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}/feed"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._socket.close()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # closed
                return
            with connection:
                connection.settimeout(5)
                received = b""
                while b"\r\n\r\n" not in received and (chunk := connection.recv(65536)):
                    received += chunk
                connection.sendall(self.reply)
                connection.shutdown(socket.SHUT_RDWR)


_STATUS = [b"200 OK", b"304 Not Modified", b"302 Found", b"999 Odd", b"204 No Content", b"20 X"]
_HEADER_NAMES = [b"Content-Length", b"Content-Encoding", b"Transfer-Encoding", b"Location"]
_HEADER_VALUES = [
    b"5",
    b"-1",
    b"99999999999999999999",
    b"1, 1",
    b"gzip",
    b"deflate",
    b"br",
    b"gzip, gzip",
    b"",
    b"\x9bgzip",
    b"chunked",
    b"javascript:alert(1)",
    b"http://[::1",
    b"/feed",
    b"http://127.0.0.1:99999/",
    b"data:,x",
]
_BODIES = [
    b"",
    b"<rss/>",
    gzip.compress(b"<rss/>"),
    gzip.compress(b"<rss/>")[:12],
    zlib.compress(b"<rss/>"),
    b"5\r\nhello\r\n0\r\n\r\n",
    b"zz\r\nhello\r\n",
    bytes(range(256)),
]


_header = st.tuples(st.sampled_from(_HEADER_NAMES), st.sampled_from(_HEADER_VALUES))


@hypothesis_settings(max_examples=60)
@given(
    st.sampled_from(_STATUS),
    st.lists(
        st.tuples(st.sampled_from(_HEADER_NAMES), st.sampled_from(_HEADER_VALUES)), max_size=4
    ),
    st.sampled_from(_BODIES),
)
def test_any_answer_is_a_response_or_a_clear_fetch_error(
    status: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    """Lying lengths, codings and locations, broken chunking, odd statuses: a Response within
    the size cap, or a FetchError whose message has no control characters from the headers."""
    head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    policy = FetchPolicy(allow_private=True, timeout=5.0, max_bytes=1000, max_redirects=2)

    async def fetch(url: str) -> None:
        async with Fetcher(policy) as fetcher:
            try:
                response = await fetcher.get(url)
            except FetchError as error:
                assert not CONTROLS & set(str(error)), repr(str(error))
            else:
                assert len(response.body) <= policy.max_bytes

    with RawServer() as server:
        server.reply = b"HTTP/1.1 " + status + b"\r\n" + head + b"\r\n" + body
        asyncio.run(fetch(server.url))
