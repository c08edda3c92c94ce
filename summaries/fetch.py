"""The one guarded HTTP client: address checks, a whole-response deadline, size caps.

Everything newsbrief downloads (feeds, article pages, URLs people send the bot) comes through
`Fetcher.get`, because every one of those URLs is chosen by someone else. So each hop of a
redirect chain is checked against the address policy (`summaries.urls`), connections go only to
the address that was checked (no DNS-rebinding gap), the body is streamed and its *decompressed*
size capped, and the whole exchange has one deadline that a trickling server cannot stretch.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Self

import httpx

from summaries.charsets import decode_body
from summaries.config import Settings
from summaries.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooLargeError,
    typed,
)
from summaries.inflate import Inflater
from summaries.transport import (
    TRANSPORT_ERRORS,
    PinnedTransport,
    Resolver,
    allowed_addresses,
    system_resolver,
    transport_error,
)
from summaries.urls import check_url

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


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

    @property
    def declared_type(self) -> str:
        """`content_type` with the declared charset, as a parser reading the bytes needs it
        (feedparser would otherwise guess, and a short Cyrillic feed reads as windows-1252)."""
        return f"{self.content_type}; charset={self.charset}" if self.charset else self.content_type

    def text(self) -> str:
        """The body as text (`charsets.decode_body`): the declared charset, else one sniffed
        from the bytes; a charset that does not fit them is skipped, not fatal."""
        return decode_body(self.body, self.charset)


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
            transport=transport or PinnedTransport(self._allowed_addresses),
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
        except TRANSPORT_ERRORS as exc:
            raise transport_error(exc, str(url)) from None
        except httpx.InvalidURL:  # httpx reads a redirect's Location even when not following
            raise BlockedURLError(
                f"{url} redirects to something that is not a web address.", url=str(url)
            ) from None

    async def _outcome(self, url: httpx.URL, response: httpx.Response) -> Response | httpx.URL:
        status = response.status_code
        if status in _REDIRECTS and "location" in response.headers:
            # httpx has already refused a Location it cannot parse (see `_exchange`).
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
        # An empty Content-Encoding (some servers send the header blank) means none.
        encoding = response.headers.get("content-encoding", "").strip().lower() or "identity"
        declared = response.headers.get("content-length", "")
        if encoding == "identity" and declared.isdigit() and int(declared) > limit:
            raise too_large
        inflater = Inflater(encoding, limit, url)
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += inflater.feed(chunk)
            if len(body) > limit:
                raise too_large
        return bytes(body)

    async def _allowed_addresses(self, host: str, port: int) -> list[str]:
        """Checked before each hop and again by `PinnedTransport` when it opens a connection."""
        return await allowed_addresses(
            host, port, resolve=self._resolve, allow_private=self.policy.allow_private
        )


def _parse_url(url: str) -> httpx.URL:
    check_url(url)
    try:
        return httpx.URL(url.strip())
    except httpx.InvalidURL:
        raise BlockedURLError(f"{typed(url, 200)} is not a valid web address.", url=url) from None


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
