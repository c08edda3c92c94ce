"""Bytes from the web -> text, whatever the server declared about their charset.

A response's charset comes from whoever serves it, and is often missing, wrong or hostile
(`charset=undefined`, `base64`, UTF-16 for an ASCII page), while a body may be UTF-8 damaged
by a cut mid-character. Pages (`fetch.Response.text`) and feeds (`feed_guards`) read their
bytes through these rules, so one stray byte or label never turns a whole text to mojibake.
"""

from __future__ import annotations

import codecs
import re

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_NOT_CHARSETS = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_body(body: bytes, charset: str | None) -> str:
    """`body` as text: BOM, then the declared `charset`, then `<meta>`/XML declaration, then
    UTF-8, then UTF-8 with a few damaged bytes (`damaged_utf8`), then cp1252; a charset
    that does not fit the bytes is skipped, not fatal."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    match = _DECLARED.search(body[:4096])
    sniffed = (match.group(1) or match.group(2)).decode("ascii") if match else None
    for candidate in (
        text_codec(charset, body),
        text_codec(sniffed, body),
        "utf-8",
    ):
        try:
            return body.decode(candidate or "utf-8")
        except UnicodeError:
            continue
    return damaged_utf8(body) or body.decode("cp1252", errors="replace")


def damaged_utf8(body: bytes) -> str | None:
    """`body` as UTF-8 with U+FFFD for its undecodable bytes, if it is UTF-8 with a few damaged
    bytes: more well-formed multi-byte characters than bad bytes. Else None.

    A page or feed cut mid-character somewhere (a truncated summary is common) is no longer
    strict UTF-8, and reading all of it as cp1252 instead turned every accented letter,
    curly quote and non-Latin word on it into mojibake. A windows-1252 text read as UTF-8
    has few well-formed sequences and many bad bytes, so it is still read as cp1252.
    """
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", errors="ignore"))
    return text if bad and wide - bad > bad else None


def text_codec(charset: str | None, body: bytes) -> str | None:
    """Python's codec for a charset declared for `body`, or None if it cannot be the right one.

    The name comes from whoever serves the page: `charset=undefined` or `punycode` makes Python
    raise a bare UnicodeError, `unicode_escape` turns `\\ud800` into a lone surrogate that
    SQLite refuses, and `base64` is no text encoding at all. UTF-16 and UTF-32 put a NUL beside
    every ASCII letter, so a body without NULs declared as one would decode to CJK mojibake;
    so would a UTF-8 body with one stray NUL. Such a declaration counts as none (`_wide`).
    ISO-8859-1 is read as windows-1252, as browsers do: pages that declare it use
    windows-1252's curly quotes and dashes, which Latin-1 would turn into invisible C1
    control characters.
    """
    if not charset:
        return None
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return None
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    if info.name.startswith(("utf-16", "utf-32")) and not _wide(body[:1024]):
        return None
    return "cp1252" if info.name == "iso8859-1" else info.name


def _wide(head: bytes) -> bool:
    """Whether `head` can be UTF-16 or UTF-32 text: each ASCII character (all of the markup)
    carries a NUL, so even a page or feed of mostly CJK text has one in every 32 bytes."""
    return head.count(b"\x00") * 32 >= len(head) > 0
