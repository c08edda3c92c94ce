"""Connections that go only to addresses the policy allowed: the network edge of `summaries.fetch`.

Checking a host name and letting the HTTP library resolve it again leaves a gap: the second DNS
answer may be 127.0.0.1 (DNS rebinding). So the address check lives here, and the network backend
itself resolves, checks and connects to the checked address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable

import httpcore
import httpx

from summaries.errors import BlockedURLError, FetchError, FetchTimeout
from summaries.urls import blocked_reason

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) -> IP address strings; the default asks the system (`getaddrinfo`)."""

TRANSPORT_ERRORS = (
    httpx.HTTPError,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
)
"""What a request can raise when the network or the server fails; httpcore's own errors are
listed because `PinnedTransport` passes them through unwrapped."""


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system gives for `host`, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def allowed_addresses(
    host: str, port: int, *, resolve: Resolver, allow_private: bool
) -> list[str]:
    """The addresses `host` resolves to, all allowed by the policy; else BlockedURLError."""
    host = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await resolve(host, port)
        except (OSError, UnicodeError):
            addresses = []
    if not addresses:
        raise FetchError(f"Could not find the server {host}; check the address.")
    reason = None if allow_private else _first_refusal(addresses)
    if reason:
        raise BlockedURLError(
            f"newsbrief does not fetch from {host}: it is {reason}. Feeds and pages must "
            "be on the public internet (an operator can allow intranet addresses with "
            "NEWSBRIEF_ALLOW_PRIVATE_URLS=true)."
        )
    return addresses


def _first_refusal(addresses: Iterable[str]) -> str | None:
    """One refused address is enough to refuse the host: the connection could pick it."""
    return next(filter(None, map(blocked_reason, addresses)), None)


class PinnedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose connections go only to addresses `allowed_addresses` returns.

    TLS still verifies the certificate against the host name, because the request URL keeps the
    name; only the TCP connection uses the checked address.
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


def transport_error(exc: Exception, url: str) -> FetchError:
    """A `TRANSPORT_ERRORS` failure as a FetchError that says what went wrong, and with whom."""
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
