"""Bounded gzip/deflate decoding for `summaries.fetch`: a compression bomb never reaches memory."""

from __future__ import annotations

import zlib

from summaries.errors import FetchError

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class Inflater:
    """Incremental gzip/deflate decoding that never produces more than `limit` + 1 bytes.

    httpx's own decoder inflates each network chunk whole, and 64 KB of gzip can hold 64 MB of
    zeros; asking zlib for at most the remaining room keeps a gzip bomb from reaching memory.
    """

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        if encoding != "identity" and encoding not in _WBITS:
            raise FetchError(f"{url} was sent with an unsupported compression ({encoding}).")
        self._identity = encoding == "identity"
        self._wbits = _WBITS.get(encoding, zlib.MAX_WBITS)
        self._zlib = zlib.decompressobj(self._wbits)
        self._room = limit + 1
        self._url = url
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if self._identity:
            return data
        try:
            return self._inflate(data)
        except zlib.error:
            raise FetchError(f"{self._url} sent a corrupt compressed body.") from None

    def _inflate(self, data: bytes) -> bytes:
        if not self._started and data and self._wbits == zlib.MAX_WBITS:
            self._started = True
            self._zlib = _deflate_decoder(data)
        out = bytearray()
        while self._room > 0:
            piece = self._zlib.decompress(data, self._room)
            out += piece
            self._room -= len(piece)
            data = self._zlib.unconsumed_tail
            if self._zlib.eof and self._zlib.unused_data.startswith(b"\x1f\x8b"):
                data = self._zlib.unused_data
                self._zlib = zlib.decompressobj(self._wbits)
            elif not data and not piece:
                break
        return bytes(out)


def _deflate_decoder(head: bytes) -> zlib._Decompress:
    """HTTP "deflate" should be zlib-wrapped, but some servers send raw deflate."""
    try:
        zlib.decompressobj().decompress(head[:64], 1)
    except zlib.error:
        return zlib.decompressobj(-zlib.MAX_WBITS)
    return zlib.decompressobj()
