"""Bounded gzip/deflate decoding for `summaries.fetch`: a compression bomb never reaches memory."""

from __future__ import annotations

import zlib

from summaries.errors import FetchError

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_GZIP_MAGIC = b"\x1f\x8b"


class Inflater:
    """Incremental gzip/deflate decoding that never produces more than `limit` + 1 bytes.

    httpx's own decoder inflates each network chunk whole, and 64 KB of gzip can hold 64 MB of
    zeros; asking zlib for at most the remaining room keeps a gzip bomb from reaching memory.
    A gzip body may hold several members, one after another; anything else after the end of
    the compressed data is ignored, as gzip itself does, and dropped at once (`_after_end`).
    """

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        if encoding != "identity" and encoding not in _WBITS:
            raise FetchError(
                f"{url} was sent with an unsupported compression ({_shown(encoding)})."
            )
        self._identity = encoding == "identity"
        self._wbits = _WBITS.get(encoding, zlib.MAX_WBITS)
        self._zlib = zlib.decompressobj(self._wbits)
        self._room = limit + 1
        self._url = url
        self._head: bytes | None = b""
        """The first bytes of a deflate body, until there are enough to tell its kind."""
        self._trailer = b""
        """A lone first byte of what may be the next gzip member."""
        self._ended = False

    def feed(self, data: bytes) -> bytes:
        if self._identity:
            return data
        try:
            return self._inflate(data)
        except zlib.error:
            raise FetchError(f"{self._url} sent a corrupt compressed body.") from None

    def _inflate(self, data: bytes) -> bytes:
        if self._wbits == zlib.MAX_WBITS and self._head is not None:
            # The zlib header is two bytes: a first chunk of one byte cannot tell zlib-wrapped
            # from raw deflate, and guessing on it made a valid body depend on how it was cut.
            data = self._head + data
            if len(data) < 2:
                self._head = data
                return b""
            self._head = None
            self._zlib = _deflate_decoder(data)
        out = bytearray()
        while self._room > 0:
            if self._zlib.eof and not (data := self._after_end(data)):
                break
            piece = self._zlib.decompress(data, self._room)
            out += piece
            self._room -= len(piece)
            data = self._zlib.unused_data if self._zlib.eof else self._zlib.unconsumed_tail
            if not data and not piece:
                break
        return bytes(out)

    def _after_end(self, data: bytes) -> bytes:
        """What to decode after the end of a compressed stream: the next gzip member, or nothing.

        Bytes handed to a finished zlib stream pile up in its `unused_data`, each chunk copied
        onto the rest, so a server sending one small member and then endless junk made the
        fetcher hold (and re-copy) everything it sent until the deadline.
        """
        data = self._trailer + data
        self._trailer = b""
        if self._ended or self._wbits == zlib.MAX_WBITS or not data:
            return b""
        if data.startswith(_GZIP_MAGIC):
            self._zlib = zlib.decompressobj(self._wbits)
            return data
        if len(data) == 1 and _GZIP_MAGIC.startswith(data):
            self._trailer = data
        else:
            self._ended = True
        return b""


def _deflate_decoder(head: bytes) -> zlib._Decompress:
    """HTTP "deflate" should be zlib-wrapped, but some servers send raw deflate."""
    try:
        zlib.decompressobj().decompress(head[:64], 1)
    except zlib.error:
        return zlib.decompressobj(-zlib.MAX_WBITS)
    return zlib.decompressobj()


def _shown(encoding: str) -> str:
    """The Content-Encoding as a message may repeat it: the header is the server's to fill,
    with C1 controls (`\\x9b` starts a terminal escape) or kilobytes of text."""
    shown = "".join(char for char in encoding if char.isprintable())
    return shown if len(shown) <= 40 else shown[:39] + "…"
