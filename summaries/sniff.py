"""What a fetched body is before any parsing: HTML, plain text, a news feed, or not text at all.

A link can point at a PDF, an image or a feed as easily as at an article, and servers often
declare the wrong type (or none). The declared type is trusted where it says "binary" or "HTML";
otherwise the first bytes decide. Refusing early lets `extract_article` tell the user what the
link really is instead of summarising mojibake.
"""

from __future__ import annotations

import re

from trafilatura.utils import detect_encoding

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
)
_BINARY_TYPES = {
    "application/pdf": "a PDF",
    "application/octet-stream": "a binary file",
    "application/zip": "a ZIP archive",
    "application/msword": "a Word document",
}
_BINARY_PREFIXES = {"image/": "an image", "audio/": "an audio file", "video/": "a video"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|article|div|p|h1|meta)\b", re.I)
_ANY_TAG = re.compile(r"<(?:[a-zA-Z][\w-]*|!--|!doctype)[\s>/]", re.I)
_CHARREF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")
MAX_ATTRIBUTES = 256
"""An element with more attributes than this makes a page or feed unreadable (`attribute_flood`)."""
_FLOOD = (
    r"<[A-Za-z_:][^\s/<>]*(?:(?:[\s/]+|(?<=[\"']))[^\s/=<>\"']+"
    r"(?:\s*+=\s*+(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']*+))?)"
    f"{{{MAX_ATTRIBUTES + 1}}}"
)
_ATTRIBUTE_FLOOD = re.compile(_FLOOD)
_ATTRIBUTE_FLOOD_BYTES = re.compile(_FLOOD.encode())
_FEED_SNIFF = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S)


def xml_safe_charrefs(html: str) -> str:
    """`html` with character references to what XML cannot hold (`&#1;`, `&#xD800;`, `&#xFFFE;`)
    pointing at U+FFFD instead.

    lxml decodes them into the tree, and trafilatura then fails to copy that text into its XML
    output and discards the whole page as unreadable: one `&#1;` lost an article.
    """
    return _CHARREF.sub(_safe_charref, html)


def _safe_charref(match: re.Match[str]) -> str:
    return match.group() if charref_allowed(*match.groups()) else "&#xFFFD;"


def charref_allowed(hexadecimal: str | bytes | None, decimal: str | bytes | None) -> bool:
    """Whether `&#x<hexadecimal>;` / `&#<decimal>;` names a character XML allows (pages here,
    feeds in `summaries.feed_guards`, where feedparser crashes on a surrogate or a code past
    Unicode)."""
    digits = hexadecimal or decimal or "0"
    if len(digits) > 8:  # far past U+10FFFF whatever the base, and int() of it is costly
        return False
    code = int(digits, 16 if hexadecimal else 10)
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def attribute_flood(markup: str | bytes) -> bool:
    """Whether a tag in `markup` has more than `MAX_ATTRIBUTES` attributes.

    Both parsers newsbrief uses spend time quadratic in one element's attribute count: libxml2
    (lxml, so trafilatura) took 38 s over a 2 MB tag of 200,000 attributes, and feedparser's
    strict parser five minutes. No real page or feed comes near the limit. Attributes are
    counted as HTML separates them (spaces, slashes, or nothing after a quoted value), and a
    quoted `>` does not end the tag for the count, as it does not for the parsers. A slash
    inside an unquoted value is part of it, as for the parsers: a minified page's
    `<img src=data:image/jpeg;base64,...>` has a few hundred in one value and two attributes.
    Blanks around `=` belong to the attribute, taken possessively: `x= y` has one reading, as
    for the parsers; read either as one or as `x=` and `y`, 128 of them (640 bytes) made the
    search backtrack through 2**128 readings before it found no flood.
    """
    if isinstance(markup, bytes):
        return _ATTRIBUTE_FLOOD_BYTES.search(markup) is not None
    return _ATTRIBUTE_FLOOD.search(markup) is not None


def is_feed(text: str) -> bool:
    """An RSS, Atom or RDF document (an XML declaration and comments may come first)."""
    return bool(_FEED_SNIFF.match(text[:2000]))


def is_html(text: str, content_type: str) -> bool:
    """HTML by its declared type (if it has any tag at all) or, undeclared, by its first tags."""
    if content_type in _HTML_TYPES:
        return bool(_ANY_TAG.search(text))
    return content_type != "text/plain" and bool(_HTML_SNIFF.search(text[:5000]))


def binary_kind(body: str | bytes, content_type: str) -> str | None:
    """What a non-text body is ("a PDF", "an image" ...), or None for text."""
    if content_type in _BINARY_TYPES:
        return _BINARY_TYPES[content_type]
    for prefix, what in _BINARY_PREFIXES.items():
        if content_type.startswith(prefix):
            return what
    head = body[:4096].encode("utf-8", "replace") if isinstance(body, str) else body[:4096]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return "a binary file" if b"\x00" in head else None


def looks_binary(sample: str) -> bool:
    """Text that decoded to mostly control or replacement characters was never text."""
    odd = sum(1 for char in sample if char == "\ufffd" or (char < " " and char not in "\n\r\t\f"))
    return odd > len(sample) // 20


def decode(body: str | bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the detected charset."""
    if isinstance(body, str):
        return body
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in detect_encoding(body):
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")
