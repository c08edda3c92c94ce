"""What a feed document must not hold before feedparser reads it: refused, or made harmless.

feedparser is lenient, and that leniency is where hostile feeds get in: it expands the
entities a document declares, spends time quadratic in one element's attributes, crashes on
character references to no character, and trusts charset names Python cannot decode with.
`guard_xml` runs first on every XML feed. Its refusals look at the UTF-8 that feedparser
itself makes of the bytes, so what they look for cannot hide in another encoding; character
references are mended in the bytes as sent (one it cannot see there, in UTF-16 say, still ends
in `parse_feed`'s clear FeedError).
"""

from __future__ import annotations

import re

import feedparser.encodings
import feedparser.sgml

from summaries.charsets import damaged_utf8, text_codec
from summaries.errors import FeedError
from summaries.sniff import MAX_ATTRIBUTES, attribute_flood, charref_allowed

# A numeric character reference, decimal or hex (`&#55296;`, `&#xD800;`).
_CHARREF = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([\w.:-]*)\1""")

feedparser.sgml.sgmllib.endbracket.endbracket = re.compile(
    r"""([^'"<>]++|"[^"]*"(?=>|/|\s|\w+=)|'[^']*'(?=>|/|\s|\w+=))*+(?=[<>])|.*?(?=[<>])"""
)
"""feedparser's lenient parser and its HTML sanitizer (which every item's HTML content goes
through) find the end of each start tag with this pattern, written there with plain repeats:
sre keeps a backtracking record for each character of the group, about 150 bytes, so `&lt;a`
and 1 MB without a `>` in one item's content took 152 MB, and a 5 MB feed could take 800 MB.
The repeats made possessive match the same ends (an iteration can only end where it does:
a quote or a bracket stops the run) and keep no record."""

MAX_ELEMENTS = 500_000
"""More elements than this (outside CDATA) and a feed is refused (`_refuse_markup_floods`)."""
MAX_OPEN = 50_000
"""More elements than this open at once and a feed is refused (`_refuse_markup_floods`)."""
_TAG = re.compile(rb"<(/?)[A-Za-z_:][^<>]*?(/?)>")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")
_UNPARSED = re.compile(rb"<!--|<!\[CDATA\[")
_COMMENT_END = re.compile(rb"--\s*>")
_CDATA_END = re.compile(rb"\]\]>")


def guard_xml(body: bytes, url: str, content_type: str) -> tuple[bytes, dict[str, str]]:
    """The body and response headers to hand feedparser; FeedError for a hostile document.

    `content_type` is the Content-Type as sent, charset included.
    """
    body, content_type = _without_false_charsets(body, content_type)
    if _declares_utf8(body, content_type) and (repaired := damaged_utf8(body)) is not None:
        body = repaired.encode("utf-8")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    as_parsed = feedparser.encodings.convert_to_utf8(dict(headers), body, {})
    if _FEED_ROOT.search(body) and not _FEED_ROOT.search(as_parsed):
        body, headers = _as_utf8(body, headers)
        as_parsed = body
    _refuse_entities(as_parsed, url)
    _refuse_markup_floods(_without_cdata_or_comments(as_parsed), url)
    return _CHARREF.sub(_fit_charref, body), headers


def _declares_utf8(body: bytes, content_type: str) -> bool:
    """Whether the document is UTF-8 by its Content-Type, else its XML declaration, else by
    XML's default; with a few damaged bytes, feedparser would let chardet guess instead, and
    one cut character turned every other item's accents into mojibake (`damaged_utf8`)."""
    declared = _HEADER_CHARSET.search(content_type) or _XML_ENCODING.match(body)
    name = declared.group(declared.lastindex or 1) if declared else "utf-8"
    charset = name.decode("ascii") if isinstance(name, bytes) else name
    return text_codec(charset, body) == "utf-8"


def _as_utf8(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """A document whose markup is ASCII, as UTF-8, its undecodable bytes as U+FFFD.

    When the declared encoding fails on a few bytes, feedparser asks chardet, whose guess for
    a UTF-8 feed with `\\x9a@\\x9c@` in one title was EBCDIC (cp875): every `<` became
    something else and the whole feed was "not a feed". Only a guess that garbles the root
    element is overruled, so a feed really in windows-1252 or KOI8-R is still read in it.
    """
    body = body.decode("utf-8", "replace").encode("utf-8")
    if in_xml := _XML_ENCODING.match(body):
        body = body[: in_xml.start(2)] + b"utf-8" + body[in_xml.end(2) :]
    content_type = headers["content-type"].partition(";")[0]
    return body, {**headers, "content-type": content_type}


def _without_false_charsets(body: bytes, content_type: str) -> tuple[bytes, str]:
    """The body and type with a declared encoding that is no character set taken out.

    feedparser tries the encoding a feed declares (header or XML declaration) and catches only
    the errors of a real charset: `undefined` or `punycode` crash it, and `unicode_escape`
    yields lone surrogates it cannot re-encode, and UTF-16 declared for bytes that are not
    refuses the whole feed. Undeclared, the document is read as UTF-8 (or what the BOM says),
    as XML intends.
    """
    declared = _HEADER_CHARSET.search(content_type)
    if declared and text_codec(declared.group(1), body) is None:
        content_type = content_type.partition(";")[0]
    in_xml = _XML_ENCODING.match(body)
    if in_xml and text_codec(in_xml.group(2).decode("ascii"), body) is None:
        body = body[: in_xml.start(2)] + b"utf-8" + body[in_xml.end(2) :]
    return body, content_type


def _refuse_entities(as_parsed: bytes, url: str) -> None:
    """FeedError if the document declares entities, looked for in the UTF-8 that feedparser
    itself makes of the bytes: a scan of the raw bytes misses declarations written in any
    encoding it did not think of (UTF-7 spells `<!` as `+ADwAIQ-`)."""
    if b"<!DOCTYPE" in as_parsed and b"<!ENTITY" in as_parsed:
        raise FeedError(
            f"The feed at {url} declares XML entities (<!ENTITY>), which newsbrief refuses: "
            "they can expand into gigabytes (the billion-laughs attack). Use another of the"
            " site's feeds, or ask its publisher to remove them."
        )


def _refuse_markup_floods(markup: bytes, url: str) -> None:
    """FeedError for more elements, or more attributes on one element, than a feed can need.

    feedparser's strict parser looks each attribute up in a list of all of them, so one
    `<item>` of 200,000 attributes (2 MB) kept a worker thread busy for five minutes
    (`summaries.sniff.attribute_flood`). Elements cost it 15-30 µs each: 5 MB of `<x>` took
    52 s. A real feed has a few dozen elements per item; `MAX_ELEMENTS` allows 20,000 items of
    25, and bounds a parse to about 15 s. Each element open costs feedparser about 400-670
    bytes of stack until it closes: 500,000 nested `<x>` would take 200-340 MB. A feed nests a
    few deep, a sloppy one leaves a few open per item (a raw `<br>`); `MAX_OPEN` bounds the
    stack to about 35 MB. Tags are counted as they look, so a sloppy feed of more than
    `MAX_OPEN` raw `<br>`, `<img>` or unclosed `<p>` in all (100 items of 600 lines, 1.3 MB)
    is refused too, although feedparser reads the HTML inside an item's description as text
    and keeps no stack for it: telling those elements apart would mean following feedparser's
    namespace rules (a declared prefix can turn a description into a stacked element).
    """
    if attribute_flood(markup):
        raise FeedError(
            f"The feed at {url} has an element with more than {MAX_ATTRIBUTES} attributes, "
            "which no real feed has; newsbrief refuses it (reading it would take minutes)."
            " Use another of the site's feeds, or ask its publisher to fix it."
        )
    too_many = ""
    if markup.count(b"<") - markup.count(b"</") > MAX_ELEMENTS:
        too_many = f"more than {MAX_ELEMENTS:,} elements"
    elif _most_open(markup) > MAX_OPEN:
        too_many = f"more than {MAX_OPEN:,} elements open at once"
    if too_many:
        raise FeedError(
            f"The feed at {url} has {too_many}, which no real feed needs; newsbrief refuses "
            "it (reading it would take minutes and hundreds of megabytes). Use another of the"
            " site's feeds, or ask its publisher to fix it."
        )


def _most_open(markup: bytes) -> int:
    """How many elements are open at once at the deepest point (tags read as they look)."""
    depth = deepest = 0
    for closing, empty in _TAG.findall(markup):
        if closing:
            depth -= 1
        elif not empty:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _without_cdata_or_comments(as_parsed: bytes) -> bytes:
    """The document without its CDATA sections and comments: neither parser reads tags in
    them, and the HTML in an item's CDATA goes through feedparser's sanitizer, which keeps only
    a known set of attributes and costs a few µs a tag, so one item's content is no reason to
    refuse the feed.

    Both are skipped in the order they open, so a `<![CDATA[` inside a comment opens nothing:
    taken for a CDATA section that never ends, it hid the rest of the document from every
    check. A comment ends at the first `--` and `>` (`_COMMENT_END`), where the lenient parser
    ends it, never after the strict parser's `-->`. One never closed hides the rest of the
    document from the lenient parser too (it reads it as text); the strict one refuses it.
    """
    kept: list[bytes] = []
    at = 0
    while (opening := _UNPARSED.search(as_parsed, at)) is not None:
        kept.append(as_parsed[at : opening.start()])
        if opening.group() == b"<!--":
            end = _COMMENT_END.search(as_parsed, opening.end())
        else:
            end = _CDATA_END.search(as_parsed, opening.end())
        if end is None:
            return b"".join(kept)
        at = end.end()
    kept.append(as_parsed[at:])
    return b"".join(kept)


def _fit_charref(match: re.Match[bytes]) -> bytes:
    """The reference itself, or one to U+FFFD if it names no character XML allows.

    feedparser's lenient parser turns `&#xD800;` into a crash (a surrogate cannot be
    encoded), `&#x110000;` and `&#99999999999;` too (no such character), and `&#0;` into a NUL.
    """
    return match.group() if charref_allowed(*match.groups()) else b"&#xFFFD;"
