"""The guarded fetcher against a real local server (and httpx.MockTransport at the edges)."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import itertools
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from summaries.config import Settings
from summaries.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooLargeError,
)
from summaries.feeds import parse_feed
from summaries.fetch import Fetcher, FetchPolicy, Response
from tests.servers import LocalServer, Reply

LOCAL = FetchPolicy(allow_private=True, timeout=5.0)
PUBLIC_IP = "93.184.216.34"


def fetcher(**changes: float) -> Fetcher:
    return Fetcher(dataclasses.replace(LOCAL, **changes))


def fake_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def refusing_transport() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request should be sent, got {request.url}")

    return httpx.MockTransport(handler)


def gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MB of zeros, gzip-compressed to about a thousandth, built 1 MB at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(megabytes)]
    return b"".join([*parts, compressor.flush()])


# -- ordinary fetching ---------------------------------------------------------------------------


async def test_get_returns_body_type_charset_and_sends_user_agent(server: LocalServer) -> None:
    url = server.add(
        "/feed", Reply(b"<rss/>", content_type="application/rss+xml; charset=ISO-8859-1")
    )
    async with fetcher() as f:
        response = await f.get(url, accept="application/rss+xml")
    assert (response.status, response.body, response.url) == (200, b"<rss/>", url)
    assert (response.content_type, response.charset) == ("application/rss+xml", "iso-8859-1")
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert not response.not_modified
    sent = server.requests[0].headers
    assert "newsbrief" in sent["User-Agent"]
    assert sent["Accept"] == "application/rss+xml"
    assert sent["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("gzip", lambda b: gzip.compress(b[:5]) + gzip.compress(b[5:])),  # two gzip members
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
    ],
)
async def test_compressed_bodies_are_decoded(
    server: LocalServer, encoding: str, compress: object
) -> None:
    text = b"<rss><channel><title>compressed</title></channel></rss>" * 50
    body = compress(text)  # type: ignore[operator]
    url = server.add("/z", Reply(body, headers={"Content-Encoding": encoding}))
    async with fetcher() as f:
        response = await f.get(url)
    assert response.body == text
    assert "content-encoding" not in response.headers


async def test_a_fetched_compressed_feed_parses(server: LocalServer) -> None:
    feed = (Path(__file__).parent / "feeds" / "rss20.xml").read_bytes()
    url = server.add(
        "/rss",
        Reply(
            gzip.compress(feed),
            headers={"Content-Encoding": "gzip"},
            content_type="text/html; charset=utf-8",  # wrong type: the body decides
        ),
    )
    async with fetcher() as f:
        response = await f.get(url)
    parsed = parse_feed(response.body, url=response.url, content_type=response.content_type)
    assert len(parsed.entries) == 2
    assert parsed.entries[0].url == "https://wire.example.com/2024/05/summit"


async def test_relative_redirects_are_followed_and_final_url_reported(
    server: LocalServer,
) -> None:
    server.add("/old", Reply(status=301, headers={"Location": "/new?x=1#top"}))
    final = server.add("/new", Reply(b"moved here"))
    async with fetcher() as f:
        response = await f.get(server.url("/old"))
    assert response.body == b"moved here"
    assert response.url == final + "?x=1"


async def test_conditional_get_gives_not_modified(server: LocalServer) -> None:
    def route(handler: BaseHTTPRequestHandler) -> Reply:
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304)
        return Reply(b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024"})

    url = server.add("/feed", route)
    async with fetcher() as f:
        first = await f.get(url)
        second = await f.get(url, etag=first.headers["etag"], last_modified="Mon, 01 Jan 2024")
    assert first.status == 200 and first.headers["etag"] == '"v1"'
    assert second.status == 304 and second.not_modified and second.body == b""
    assert server.requests[1].headers["If-Modified-Since"] == "Mon, 01 Jan 2024"
    assert "If-None-Match" not in server.requests[0].headers


async def test_cookies_last_for_one_redirect_chain_only(server: LocalServer) -> None:
    def check(handler: BaseHTTPRequestHandler) -> Reply:
        return Reply(handler.headers.get("Cookie", "no cookie").encode())

    server.add("/set", Reply(status=302, headers={"Location": "/check", "Set-Cookie": "wall=ok"}))
    server.add("/check", check)
    async with fetcher() as f:
        assert (await f.get(server.url("/set"))).body == b"wall=ok"
        assert (await f.get(server.url("/check"))).body == b"no cookie"


async def test_cookie_check_redirecting_to_the_same_url_is_not_a_loop(server: LocalServer) -> None:
    def wall(handler: BaseHTTPRequestHandler) -> Reply:
        if "seen=1" in handler.headers.get("Cookie", ""):
            return Reply(b"article")
        return Reply(status=302, headers={"Location": "/wall", "Set-Cookie": "seen=1"})

    url = server.add("/wall", wall)
    async with fetcher() as f:
        assert (await f.get(url)).body == b"article"


async def test_requests_to_one_host_are_limited(server: LocalServer) -> None:
    active, peak = 0, 0

    def slow(handler: BaseHTTPRequestHandler) -> Reply:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        time.sleep(0.15)
        active -= 1
        return Reply(b"ok")

    url = server.add("/slow", slow)
    async with fetcher(per_host=2) as f:
        await asyncio.gather(*(f.get(url) for _ in range(5)))
    assert peak == 2


def test_policy_from_settings(settings: Settings) -> None:
    policy = FetchPolicy.from_settings(settings)
    assert policy.allow_private is True
    assert (policy.timeout, policy.max_bytes, policy.per_host) == (20.0, 5_000_000, 2)


# -- bad servers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (404, "404 Not Found for {url}. Check the address."),
        (500, "500 Internal Server Error for {url}. Try again later."),
        (503, "503 Service Unavailable for {url}. Try again later."),
        (403, "403 Forbidden for {url}. The site refuses newsbrief"),
    ],
)
async def test_error_statuses_raise_with_clear_message(
    server: LocalServer, status: int, words: str
) -> None:
    url = server.add("/x", Reply(b"nope", status=status))
    async with fetcher() as f:
        with pytest.raises(HTTPStatusError) as caught:
            await f.get(url)
    assert caught.value.status == status
    assert f"The server answered {words.format(url=url)}" in str(caught.value)


async def test_redirect_loop_is_refused(server: LocalServer) -> None:
    server.add("/a", Reply(status=302, headers={"Location": "/b"}))
    server.add("/b", Reply(status=302, headers={"Location": "/a"}))
    async with fetcher() as f:
        with pytest.raises(FetchError, match="redirects in a loop"):
            await f.get(server.url("/a"))
    assert len(server.requests) == 2


async def test_too_many_redirects_are_refused(server: LocalServer) -> None:
    for hop in range(8):
        server.add(f"/r{hop}", Reply(status=307, headers={"Location": f"/r{hop + 1}"}))
    async with fetcher(max_redirects=5) as f:
        with pytest.raises(FetchError, match="redirects more than 5 times"):
            await f.get(server.url("/r0"))
    assert len(server.requests) == 6


async def test_redirect_to_an_invalid_address_is_a_fetch_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://[::1"})

    resolver = fake_resolver({"news.example": [PUBLIC_IP]})
    async with Fetcher(
        FetchPolicy(), transport=httpx.MockTransport(handler), resolver=resolver
    ) as f:
        with pytest.raises(FetchError, match="broke off or garbled its answer"):
            await f.get("https://news.example/feed")


async def test_endless_slow_response_ends_at_the_deadline(server: LocalServer) -> None:
    url = server.add("/drip", Reply(itertools.repeat(b"<"), chunk_delay=0.05))
    started = time.monotonic()
    async with fetcher(timeout=1.0) as f:
        with pytest.raises(FetchTimeout, match="did not finish answering within 1 seconds"):
            await f.get(url)
    assert time.monotonic() - started < 2.5


async def test_fifty_megabyte_body_is_cut_off(server: LocalServer) -> None:
    chunk = bytes(64 * 1024)
    url = server.add("/huge", Reply(itertools.repeat(chunk, 800)))  # 52 MB, never all in memory
    async with fetcher(max_bytes=5_000_000) as f:
        with pytest.raises(TooLargeError, match="larger than newsbrief's limit of 5,000,000"):
            await f.get(url)


async def test_declared_oversize_is_refused_before_reading(server: LocalServer) -> None:
    url = server.add("/big", Reply(bytes(20_000)))
    async with fetcher(max_bytes=10_000) as f:
        with pytest.raises(TooLargeError, match="larger than newsbrief's limit of 10,000 bytes"):
            await f.get(url)
    assert len(server.requests) == 1


async def test_gzip_bomb_is_refused_without_inflating_it(server: LocalServer) -> None:
    bomb = gzip_bomb(64)
    assert len(bomb) < 100_000
    url = server.add("/bomb", Reply(bomb, headers={"Content-Encoding": "gzip"}))
    async with fetcher(max_bytes=1_000_000) as f:
        tracemalloc.start()
        try:
            with pytest.raises(TooLargeError, match="larger than newsbrief's limit of 1,000,000"):
                await f.get(url)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8_000_000


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({"Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00garbage-not-gzip", "corrupt compressed"),
        ({"Content-Encoding": "br"}, b"whatever", "unsupported compression \\(br\\)"),
    ],
)
async def test_bad_compression_is_a_fetch_error(
    server: LocalServer, headers: dict[str, str], body: bytes, message: str
) -> None:
    url = server.add("/c", Reply(body, headers=headers))
    async with fetcher() as f:
        with pytest.raises(FetchError, match=message):
            await f.get(url)


async def test_connection_refused_is_a_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with fetcher() as f:
        with pytest.raises(FetchError, match=r"Could not connect to 127\.0\.0\.1"):
            await f.get(f"http://127.0.0.1:{port}/feed")


async def test_unknown_host_is_a_fetch_error() -> None:
    async with Fetcher(LOCAL, resolver=fake_resolver({})) as f:
        with pytest.raises(FetchError, match=r"Could not find the server nowhere\.example"):
            await f.get("https://nowhere.example/feed")


async def test_garbled_answer_is_a_fetch_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("illegal status line", request=request)

    resolver = fake_resolver({"news.example": [PUBLIC_IP]})
    policy = FetchPolicy()
    async with Fetcher(policy, transport=httpx.MockTransport(handler), resolver=resolver) as f:
        with pytest.raises(FetchError, match="broke off or garbled"):
            await f.get("https://news.example/feed")


# -- address policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only fetches http:// and https:// addresses, not file"),
        ("ftp://example.com/feed.xml", "not ftp"),
        ("gopher://example.com/", "not gopher"),
        ("example.com/feed", "not a full web address; start it with https://"),
        ("https://user:secret@example.com/feed", "user name or password"),
        ("http:///feed", "has no host name"),
        ("http://example.com:99999/", "not a valid web address"),
    ],
)
async def test_unfetchable_urls_are_refused_before_any_request(url: str, message: str) -> None:
    async with Fetcher(FetchPolicy(), transport=refusing_transport()) as f:
        with pytest.raises(BlockedURLError, match=message):
            await f.get(url)


@pytest.mark.parametrize(
    ("host", "addresses", "reason"),
    [
        ("intranet.example", ["10.0.0.1"], "a private network address"),
        ("router.example", ["192.168.1.1"], "a private network address"),
        ("metadata.example", ["169.254.169.254"], "a link-local address"),
        ("cgnat.example", ["100.64.1.2"], "a carrier-grade NAT address"),
        ("zero.example", ["0.0.0.0"], "an unspecified address"),
        ("multicast.example", ["224.0.0.1"], "a multicast address"),
        ("mapped.example", ["::ffff:10.0.0.1"], "a private network address"),
        ("six.example", ["fe80::1%eth0"], "a link-local address"),
        ("ula.example", ["fd12:3456::1"], "a private network address"),
        ("loop6.example", ["::1"], "a loopback address"),
        ("reserved.example", ["240.0.0.1"], "a reserved address"),
        ("sixtofour.example", ["2002:7f00:1::1"], "a loopback address"),
        ("mixed.example", [PUBLIC_IP, "10.0.0.1"], "a private network address"),
    ],
)
async def test_hosts_resolving_to_private_addresses_are_refused(
    host: str, addresses: list[str], reason: str
) -> None:
    resolver = fake_resolver({host: addresses})
    async with Fetcher(FetchPolicy(), transport=refusing_transport(), resolver=resolver) as f:
        with pytest.raises(BlockedURLError) as caught:
            await f.get(f"https://{host}/feed")
    assert f"newsbrief does not fetch from {host}: it is {reason}." in str(caught.value)
    assert "NEWSBRIEF_ALLOW_PRIVATE_URLS" in str(caught.value)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "2130706433", "[::1]", "[::ffff:127.0.0.1]", "0x7f.1"],
)
async def test_loopback_is_refused_with_the_system_resolver(server: LocalServer, host: str) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    server.add("/feed", Reply(b"secret"))
    async with Fetcher(FetchPolicy()) as f:
        with pytest.raises(BlockedURLError, match="loopback"):
            await f.get(f"http://{host}:{port}/feed")
    assert server.requests == []


async def test_redirect_to_a_private_host_is_refused() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://internal.example/admin"})

    resolver = fake_resolver({"news.example": [PUBLIC_IP], "internal.example": ["10.0.0.1"]})
    transport = httpx.MockTransport(handler)
    async with Fetcher(FetchPolicy(), transport=transport, resolver=resolver) as f:
        with pytest.raises(BlockedURLError, match=r"internal\.example: it is a private network"):
            await f.get("https://news.example/feed")
    assert sent == ["https://news.example/feed"]


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://127.0.0.1/", r"fetch from 127\.0\.0\.1: it is a loopback address"),
        ("file:///etc/passwd", "only fetches http:// and https:// addresses, not file"),
        ("http://[::1]:8080/x", "fetch from ::1: it is a loopback address"),
        ("http://169.254.169.254/latest/", "it is a link-local address"),
        ("http://240.0.0.1/", "it is a reserved address"),
    ],
)
async def test_redirect_to_loopback_or_file_is_refused(location: str, message: str) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(301, headers={"Location": location})

    resolver = fake_resolver({"news.example": [PUBLIC_IP]})
    transport = httpx.MockTransport(handler)
    async with Fetcher(FetchPolicy(), transport=transport, resolver=resolver) as f:
        with pytest.raises(BlockedURLError, match=message):
            await f.get("https://news.example/feed")
    assert sent == ["https://news.example/feed"]


async def test_connection_goes_to_the_resolved_address(server: LocalServer) -> None:
    """The real transport connects where the resolver said, so a name can be pinned."""
    port = server.base_url.rsplit(":", 1)[1]
    server.add("/feed", Reply(b"pinned"))
    resolver = fake_resolver({"feeds.example": ["127.0.0.1"]})
    async with Fetcher(LOCAL, resolver=resolver) as f:
        response = await f.get(f"http://feeds.example:{port}/feed")
    assert response.body == b"pinned"
    assert server.requests[0].headers["Host"] == f"feeds.example:{port}"


async def test_dns_rebinding_between_check_and_connect_is_refused(server: LocalServer) -> None:
    """First answer public (passes the check), second 127.0.0.1: the connection is refused."""
    port = server.base_url.rsplit(":", 1)[1]
    server.add("/feed", Reply(b"secret"))
    answers: Iterator[list[str]] = iter([[PUBLIC_IP], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    async with Fetcher(FetchPolicy(), resolver=rebinding) as f:
        with pytest.raises(BlockedURLError, match="loopback"):
            await f.get(f"http://rebind.example:{port}/feed")
    assert server.requests == []


async def test_allow_private_lifts_the_address_check(server: LocalServer) -> None:
    url = server.add("/feed", Reply(b"intranet feed"))
    async with Fetcher(FetchPolicy(allow_private=True)) as f:
        assert (await f.get(url)).body == b"intranet feed"


# -- decoding text -------------------------------------------------------------------------------


def response(body: bytes, charset: str | None = None) -> Response:
    return Response("https://x.example/", 200, {}, body, "text/html", charset)


@pytest.mark.parametrize(
    ("body", "charset", "text"),
    [
        ("café".encode(), "utf-8", "café"),
        ("café".encode("cp1252"), "utf-8", "café"),  # mis-declared: falls back
        ("café".encode("cp1252"), None, "café"),
        ("Ελλάδα".encode("iso-8859-7"), "iso-8859-7", "Ελλάδα"),
        (
            b'<meta charset="koi8-r"><p>' + "мир".encode("koi8-r"),
            None,
            '<meta charset="koi8-r"><p>мир',
        ),
        (b"<?xml version='1.0' encoding='cp1251'?><a>" + "да".encode("cp1251"), None, "да"),
        ("\ufeffbom".encode("utf-16-le"), "iso-8859-1", "bom"),
        (b"\xef\xbb\xbfutf8 bom", None, "utf8 bom"),
        (b"plain", "x-no-such-charset", "plain"),
        (b"plain", "rot13", "plain"),
        (bytes(range(256)), "utf-8", None),  # junk: decodes without raising
    ],
)
def test_text_decoding_never_crashes(body: bytes, charset: str | None, text: str | None) -> None:
    decoded = response(body, charset).text()
    assert isinstance(decoded, str)
    if text is not None:
        assert decoded.endswith(text)
