"""A local HTTP server for feeds and article pages, started by the tests on 127.0.0.1.

Routes map a path to a `Reply`: status, headers and a body given as bytes or as an iterable of
chunks (with an optional delay between chunks, for slow or endless responses). The server records
every request so tests can assert on conditional-GET headers and on what was fetched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers for one route."""

    body: bytes | Iterable[bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    chunk_delay: float = 0.0
    """Seconds to wait before each chunk (slow-loris style responses)."""


Route = Reply | Callable[[BaseHTTPRequestHandler], Reply]


@dataclass
class Request:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    """Client hang-ups (the fetcher giving up on a slow or huge body) are expected here.

    socketserver prints their tracebacks to stderr by default, which would leak into the
    stderr that CLI tests capture and assert on.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with a mutable route table."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            def do_HEAD(self) -> None:
                server._handle(self, head=True)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, route: Route) -> str:
        """Serve `route` at `path`; returns the full URL."""
        self.routes[path] = route
        return self.url(path)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        self.requests.append(Request(handler.command, handler.path, dict(handler.headers.items())))
        route = self.routes.get(handler.path) or self.routes.get(handler.path.split("?")[0])
        reply = Reply(b"not found", status=404, content_type="text/plain")
        if route is not None:
            reply = route(handler) if callable(route) else route
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if isinstance(reply.body, bytes):
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            if not head:
                handler.wfile.write(reply.body)
            return
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            for chunk in reply.body:
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
                if chunk:
                    handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    handler.wfile.flush()
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
