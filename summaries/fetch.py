"""The one guarded HTTP client: address checks, a whole-response deadline, size caps.

Everything newsbrief downloads (feeds, article pages, URLs people send the bot) comes through
`Fetcher.get`, because every one of those URLs is chosen by someone else. So each hop of a
redirect chain is checked against the address policy (`summaries.urls`), connections go only to
the address that was checked (no DNS-rebinding gap), the body is streamed and its *decompressed*
size capped, and the whole exchange has one deadline that a trickling server cannot stretch.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import re
import socket
import weakref
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Self

import httpcore
import httpx

from summaries.config import Settings
from summaries.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooLargeError,
)
from summaries.urls import blocked_reason, check_url

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) -> IP address strings; the default asks the system (`getaddrinfo`)."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_CORE_ERRORS = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher allows; defaults suit fetching the public web from a small server."""

    allow_private: bool = False
    timeout: float = 20.0
    """Whole-response deadline in seconds, redirects and body included."""
    max_bytes: int = 5_000_000
    """Cap on the decompressed body."""
    per_host: int = 2
    max_redirects: int = 5
    user_agent: str = "newsbrief/0.1 (+https://github.com/newsbrief; self-hosted news bot)"

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            allow_private=settings.allow_private_urls,
            timeout=settings.fetch_timeout,
            max_bytes=settings.max_body_bytes,
            per_host=settings.per_host_concurrency,
        )


@dataclass(frozen=True)
class Response:
    """A complete, decompressed response (or a 304 with an empty body)."""

    url: str
    status: int
    headers: Mapping[str, str]
    """Lower-case names; the wire-only ones (content-encoding, -length) are left out."""
    body: bytes
    content_type: str
    charset: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text: BOM, then declared charset, then `<meta>`/XML declaration, then
        UTF-8, then cp1252; a charset that does not fit the bytes is skipped, not fatal."""
        for bom, encoding in _BOMS:
            if self.body.startswith(bom):
                return self.body[len(bom) :].decode(encoding, errors="replace")
        match = _DECLARED.search(self.body[:4096])
        sniffed = (match.group(1) or match.group(2)).decode("ascii") if match else None
        for candidate in (self.charset, sniffed, "utf-8"):
            try:
                return self.body.decode(candidate or "utf-8")
            except (UnicodeDecodeError, LookupError):
                continue
        return self.body.decode("cp1252", errors="replace")


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system gives for `host`, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Fetcher:
    """The guarded HTTP client; one per process: `async with Fetcher(policy) as fetcher:`.

    `transport` replaces the network (tests pass `httpx.MockTransport`); the address policy is
    still applied before each request. `resolver` replaces DNS for both the policy check and the
    connection itself.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolver or system_resolver
        self._client = httpx.AsyncClient(
            transport=transport or _PinnedTransport(self._allowed_addresses),
            timeout=httpx.Timeout(policy.timeout),
            follow_redirects=False,
            trust_env=False,
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),  # see `get`
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._slots: weakref.WeakValueDictionary[str, asyncio.Semaphore]
        self._slots = weakref.WeakValueDictionary()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET `url`, following redirects itself so that every hop is checked.

        `etag`/`last_modified` make it conditional: an unchanged resource comes back as a
        `Response` with status 304. Cookies live only for this one redirect chain, so sites
        that set a cookie and redirect work, and no site can follow newsbrief across others.
        """
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = _parse_url(url)
        cookies = httpx.Cookies()
        seen: set[tuple[str, str]] = set()  # (URL, cookies): a cookie check may revisit a URL
        deadline: float | None = None
        for _hop in range(self.policy.max_redirects + 1):
            seen.add(_chain_key(current, cookies))
            async with self._slot(current.host):
                deadline = deadline or asyncio.get_running_loop().time() + self.policy.timeout
                try:
                    async with asyncio.timeout_at(deadline):
                        outcome = await self._exchange(current, headers, cookies)
                except TimeoutError:
                    raise FetchTimeout(
                        f"{url} did not finish answering within {self.policy.timeout:g} seconds; "
                        "the server is too slow or the response never ends.",
                        url=url,
                    ) from None
            if isinstance(outcome, Response):
                return outcome
            current = outcome
            if _chain_key(current, cookies) in seen:
                raise FetchError(f"{url} redirects in a loop; check the address.", url=url)
        raise FetchError(
            f"{url} redirects more than {self.policy.max_redirects} times; "
            "use the address it finally leads to.",
            url=url,
        )

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.policy.per_host)
        return slot

    async def _exchange(
        self, url: httpx.URL, headers: Mapping[str, str], cookies: httpx.Cookies
    ) -> Response | httpx.URL:
        """One request: the final `Response`, or the checked URL a redirect points to."""
        await self._allowed_addresses(url.raw_host.decode("ascii"), _port(url))
        request = self._client.build_request("GET", url, headers=headers)
        cookies.set_cookie_header(request)
        try:
            response = await self._client.send(request, stream=True)
            try:
                cookies.extract_cookies(response)
                return await self._outcome(url, response)
            finally:
                await response.aclose()
        except (httpx.HTTPError, *_CORE_ERRORS) as exc:
            raise _transport_error(exc, str(url)) from None

    async def _outcome(self, url: httpx.URL, response: httpx.Response) -> Response | httpx.URL:
        status = response.status_code
        if status in _REDIRECTS and "location" in response.headers:
            # httpx has already refused a Location it cannot parse (RemoteProtocolError).
            target = url.join(response.headers["location"]).copy_with(fragment=None)
            return _parse_url(str(target))
        if status == 304:
            return _response(url, response, b"")
        if not 200 <= status < 300:
            raise _status_error(str(url), status)
        return _response(url, response, await self._read_body(str(url), response))

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        """The decompressed body, refused as soon as it would pass `max_bytes`."""
        limit = self.policy.max_bytes
        too_large = TooLargeError(
            f"{url} is larger than newsbrief's limit of {limit:,} bytes, "
            "so it is not read (NEWSBRIEF_MAX_BODY_BYTES sets the limit).",
            url=url,
        )
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        declared = response.headers.get("content-length", "")
        if encoding == "identity" and declared.isdigit() and int(declared) > limit:
            raise too_large
        inflater = _Inflater(encoding, limit, url)
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += inflater.feed(chunk)
            if len(body) > limit:
                raise too_large
        return bytes(body)

    async def _allowed_addresses(self, host: str, port: int) -> list[str]:
        """The addresses `host` resolves to, all allowed by the policy; else BlockedURLError."""
        host = host.strip("[]")
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolve(host, port)
            except (OSError, UnicodeError):
                addresses = []
        if not addresses:
            raise FetchError(f"Could not find the server {host}; check the address.")
        reason = None if self.policy.allow_private else _first_refusal(addresses)
        if reason:
            raise BlockedURLError(
                f"newsbrief does not fetch from {host}: it is {reason}. Feeds and pages must "
                "be on the public internet (an operator can allow intranet addresses with "
                "NEWSBRIEF_ALLOW_PRIVATE_URLS=true)."
            )
        return addresses


class _Inflater:
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


class _PinnedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose connections go only to addresses the policy allowed.

    Checking a host name and letting the HTTP library resolve it again leaves a gap: the second
    DNS answer may be 127.0.0.1 (DNS rebinding). Here the network backend itself resolves,
    checks and connects to the checked address; TLS still verifies the certificate against the
    host name, because the request URL keeps the name.
    """

    def __init__(self, allowed_addresses: Resolver) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_PinnedBackend(allowed_addresses),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=30.0,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = await self._pool.handle_async_request(core_request)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _CoreStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, allowed_addresses: Resolver) -> None:
        self._allowed_addresses = allowed_addresses
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await self._allowed_addresses(host, port):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host}")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _parse_url(url: str) -> httpx.URL:
    check_url(url)
    try:
        return httpx.URL(url.strip())
    except httpx.InvalidURL:
        raise BlockedURLError(f"{url!r} is not a valid web address.", url=url) from None


def _first_refusal(addresses: Iterable[str]) -> str | None:
    """One refused address is enough to refuse the host: the connection could pick it."""
    return next(filter(None, map(blocked_reason, addresses)), None)


def _chain_key(url: httpx.URL, cookies: httpx.Cookies) -> tuple[str, str]:
    return str(url), repr(sorted((c.domain, c.path, c.name, c.value or "") for c in cookies.jar))


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _response(url: httpx.URL, response: httpx.Response, body: bytes) -> Response:
    content_type = response.headers.get("content-type", "")
    charset = _CHARSET.search(content_type)
    return Response(
        url=str(url),
        status=response.status_code,
        headers={
            k.lower(): v for k, v in response.headers.items() if k.lower() not in _WIRE_HEADERS
        },
        body=body,
        content_type=content_type.partition(";")[0].strip().lower(),
        charset=charset.group(1).lower() if charset else None,
    )


def _status_error(url: str, status: int) -> HTTPStatusError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "(unknown status)"
    if status in (404, 410):
        advice = " Check the address."
    elif status in (401, 403):
        advice = " The site refuses newsbrief (it may need a login or block robots)."
    elif status == 429 or status >= 500:
        advice = " Try again later."
    else:
        advice = ""
    return HTTPStatusError(
        f"The server answered {status} {phrase} for {url}.{advice}", url=url, status=status
    )


def _transport_error(exc: Exception, url: str) -> FetchError:
    host = httpx.URL(url).host
    if isinstance(exc, httpx.TimeoutException | httpcore.TimeoutException):
        return FetchTimeout(f"{host} did not answer in time for {url}.", url=url)
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return FetchError(f"The TLS certificate of {host} could not be verified.", url=url)
    if isinstance(exc, httpx.ConnectError | httpcore.ConnectError):
        return FetchError(
            f"Could not connect to {host}; check the address or try again later.", url=url
        )
    return FetchError(f"{host} broke off or garbled its answer for {url}.", url=url)
