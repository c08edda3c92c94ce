"""OPML import (nested folders, odd attributes, entity tricks) and export (valid, escaped)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from summaries.errors import FeedError
from summaries.models import Source
from summaries.opml import build_opml, parse_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="World">
      <outline type="rss" text="Wire text" title="Wire" xmlUrl="https://wire.example/rss"/>
      <outline text="Europe">
        <outline type="rss" text="Euro Daily" xmlurl="https://euro.example/feed.xml"/>
      </outline>
    </outline>
    <outline type="rss" xmlUrl="  https://bare.example/atom  "/>
    <outline type="rss" text="Duplicate" xmlUrl="https://wire.example/rss"/>
    <outline type="link" text="Just a link" url="https://example.com/"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
  </body>
</opml>"""


def test_nested_outlines_give_url_and_name_in_order() -> None:
    assert parse_opml(NESTED) == [
        ("https://wire.example/rss", "Wire"),
        ("https://euro.example/feed.xml", "Euro Daily"),
        ("https://bare.example/atom", "https://bare.example/atom"),
    ]


def test_opml_without_feeds_gives_an_empty_list() -> None:
    assert parse_opml(b'<opml version="1.0"><head/><body/></opml>') == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>',
            "declares XML entities",
        ),
        (
            b'<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline text="&xxe;" xmlUrl="https://x.example/"/></body></opml>',
            "declares XML entities",
        ),
        (
            b'<!DOCTYPE opml [<!ENTITY a "'
            + b"x" * 100_000
            + b'">]><opml><body><outline text="'
            + b"&a;" * 100_000
            + b'" xmlUrl="https://x.example/"/></body></opml>',
            "declares XML entities",
        ),
        (b"<opml><body><outline", "not valid OPML"),
        (b"", "not valid OPML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid OPML"),
        (b'<rss version="2.0"><channel/></rss>', "root element is <rss>, not <opml>"),
    ],
    ids=["billion-laughs", "xxe", "quadratic-blowup", "truncated", "empty", "binary", "not-opml"],
)
def test_bad_opml_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_opml(data)


def source(id: int, url: str, name: str, site_url: str | None = None) -> Source:
    return Source(id=id, url=url, name=name, site_url=site_url)


def test_export_is_valid_escaped_opml_that_imports_back() -> None:
    sources = [
        source(1, "https://a.example/rss?x=1&y=2", 'Tom & Jerry <"news">', "https://a.example/"),
        source(2, "https://b.example/feed", "Line\nbreak and \x0bcontrol"),
        source(3, "https://c.example/feed", ""),
    ]
    document = build_opml(sources, title="Mine & yours")
    root = ET.fromstring(document)
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert root.findtext("head/title") == "Mine & yours"
    outlines = root.findall("body/outline")
    assert [o.get("type") for o in outlines] == ["rss", "rss", "rss"]
    assert outlines[0].get("htmlUrl") == "https://a.example/"
    assert outlines[1].get("htmlUrl") is None
    assert parse_opml(document.encode()) == [
        ("https://a.example/rss?x=1&y=2", 'Tom & Jerry <"news">'),
        ("https://b.example/feed", "Line\nbreak and control"),
        ("https://c.example/feed", "https://c.example/feed"),
    ]


def test_export_of_no_sources_is_still_valid() -> None:
    root = ET.fromstring(build_opml([]))
    assert root.tag == "opml" and root.find("body") is not None
