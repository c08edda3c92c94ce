"""OPML in and out: the file format feed readers use to move subscription lists around.

Import reads files people download from elsewhere, so it goes through defusedxml: entity
declarations and external references are refused instead of expanded. Export is built with
ElementTree, which escapes every name and URL, so a source called `Tom & Jerry <news>` still
gives valid XML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import defusedxml
import defusedxml.ElementTree

from summaries.clean import printable
from summaries.errors import FeedError
from summaries.feeds import TITLE_CHARS
from summaries.models import Source
from summaries.urls import http_url

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_opml(data: bytes) -> list[tuple[str, str]]:
    """(feed URL, name) for every outline with an http(s) `xmlUrl`, nested folders included.

    The name is the outline's `title`, else its `text`, else the URL. A URL listed twice comes
    back once. A well-formed OPML file without feeds gives an empty list.

    Names lose control characters and are cut to `TITLE_CHARS`, and URLs are checked as a
    feed's links are (`http_url`): a file from elsewhere can carry a C1 control (`&#x9b;` is a
    terminal escape that XML allows) or a name of megabytes, which `sources list` would print
    and the bot would show.
    """
    try:
        root = defusedxml.ElementTree.fromstring(data)
    except defusedxml.DefusedXmlException:
        raise FeedError(
            "This OPML file declares XML entities (<!ENTITY>), which newsbrief refuses "
            "for safety; export it again from your feed reader."
        ) from None
    except ET.ParseError as error:
        raise FeedError(f"This file is not valid OPML (XML error: {error}).") from None
    if root.tag.lower() != "opml":
        raise FeedError(
            f"This file is not OPML: its root element is <{root.tag[:60]}>, not <opml>."
        )
    feeds: dict[str, str] = {}
    for outline in root.iter("outline"):
        attributes = {name.lower(): value for name, value in outline.attrib.items()}
        url = http_url(attributes.get("xmlurl"), "")
        if url is not None and url not in feeds:
            name = attributes.get("title") or attributes.get("text") or ""
            feeds[url] = printable(name.strip())[:TITLE_CHARS].strip() or url
    return list(feeds.items())


def build_opml(sources: Iterable[Source], *, title: str = "newsbrief sources") -> str:
    """An OPML 2.0 document listing `sources` (one `rss` outline each), with a final newline."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_safe(title)
    body = ET.SubElement(root, "body")
    for source in sources:
        name = _xml_safe(source.name) or source.url
        outline = ET.SubElement(
            body, "outline", type="rss", text=name, title=name, xmlUrl=_xml_safe(source.url)
        )
        if source.site_url:
            outline.set("htmlUrl", _xml_safe(source.site_url))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _xml_safe(text: str) -> str:
    """`text` without the control characters XML 1.0 cannot carry even escaped."""
    return _XML_INVALID.sub("", text)
