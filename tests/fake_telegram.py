"""A strict fake of the Telegram Bot API, served over HTTP on 127.0.0.1 for end-to-end tests.

The bot under test runs its real python-telegram-bot HTTP path against this server
(`TELEGRAM_API_BASE_URL` = `fake.api_root`). Like Telegram it refuses what Telegram refuses:
messages over 4096 characters after entity parsing, malformed HTML, callback data over 64 bytes,
empty texts, unknown chats, edits that change nothing. Tests script failures (`fail_next`, 429
with `retry_after`, dropped connections), block chats (403), switch on Telegram's flood limits
(`limits = RateLimits()`), push updates as users would send them, and then assert on what users
actually see (`bot_messages`, with every edit applied).

It is a `ThreadingHTTPServer` in a thread, so it serves async tests, sync tests and benchmark
scripts alike. Waiting for the bot's reaction never sleeps in a loop: `await fake.wait_for(...)`
wakes each time the server records something.

    with FakeTelegram() as fake:
        async with run_polling(build_application(...)):
            fake.private_message(42, "/start")
            call = await fake.wait_call("sendMessage", chat_id=42)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from telegram.ext import Application

from tests.fake_telegram_api import BotApi, Call, ChatLog, Message
from tests.fake_telegram_rules import ApiError, RateLimits

__all__ = [
    "TOKEN",
    "ApiError",
    "Call",
    "ChatLog",
    "FakeTelegram",
    "Message",
    "RateLimits",
    "run_polling",
]

TOKEN = "123456789:TEST-token_for-the-fake-bot-api"
T = TypeVar("T")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class _Scripted:
    method: str
    code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    drop: bool = False


@dataclass
class _Waiter:
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event = field(default_factory=asyncio.Event)


class FakeTelegram(BotApi):
    """The fake server: `start()`/`stop()` (or a `with` block), then push updates and assert."""

    def __init__(self, *, token: str = TOKEN, username: str = "newsbrief_test_bot") -> None:
        super().__init__(token=token, username=username)
        self._scripted: list[_Scripted] = []
        self.pushed_ids: set[int] = set()
        self.dropped: list[Call] = []
        """Calls whose connection was closed without an answer (`drop_next`)."""
        self._waiters: list[_Waiter] = []
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._closed = False
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def api_root(self) -> str:
        """What `TELEGRAM_API_BASE_URL` should be set to (the bot appends `/bot<token>`)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self.lock:
            self._closed = True
            self.lock.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- scripting ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        code: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given) with an error."""
        if code == 429 and retry_after is None:
            retry_after = 1
        text = description or _DEFAULT_DESCRIPTIONS.get(code, "Internal Server Error")
        if code == 429:
            text = description or f"Too Many Requests: retry after {retry_after}"
        with self.lock:
            self._scripted += [
                _Scripted(method, code, text, retry_after, chat_id) for _ in range(times)
            ]

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection without answering the next `times` calls (a network error)."""
        with self.lock:
            self._scripted += [_Scripted(method, 0, "", None, None, drop=True)] * times

    # --- updates, as users send them ------------------------------------------------------------

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (`payload` without `update_id`) for the next `getUpdates`.

        A message in a forum topic opens that topic, as only an open topic can be posted in.
        """
        with self.lock:
            message = payload.get("message") or {}
            if message.get("is_topic_message") and message["chat"].get("is_forum"):
                topics = self.forum_topics.setdefault(message["chat"]["id"], set())
                topics.add(message["message_thread_id"])
            update = {"update_id": next(self._update_ids), **payload}
            self._updates.append(update)
            self.pushed_ids.add(update["update_id"])
            self._changed()
        return update

    def private_message(self, user_id: int, text: str, **user: Any) -> dict[str, Any]:
        """A user writes `text` to the bot in their private chat; returns the message."""
        sender = self.user(user_id, **user)
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        return self._user_message(chat, sender, text)

    def group_message(
        self, chat_id: int, user_id: int, text: str, *, title: str = "Test group", **user: Any
    ) -> dict[str, Any]:
        """A member of group `chat_id` (a negative id) writes `text` there; returns the message.

        In a forum (a chat `topic_message` has written in) this is General: Telegram still
        marks the chat `is_forum`, without a thread id.
        """
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        with self.lock:
            if self.chats.get(chat_id, {}).get("is_forum"):
                chat["is_forum"] = True
        return self._user_message(chat, self.user(user_id, **user), text)

    def topic_message(
        self, chat_id: int, thread_id: int, user_id: int, text: str, *, title: str = "Forum"
    ) -> dict[str, Any]:
        """A member writes `text` in topic `thread_id` of forum `chat_id`; returns the message."""
        chat = {"id": chat_id, "type": "supergroup", "title": title, "is_forum": True}
        with self.lock:
            self.chats.setdefault(chat_id, chat)["is_forum"] = True
            message = self.record_user_message(chat, self.user(user_id), text, thread_id)
        self.push_update({"message": message})
        return message

    def click(self, message: Message, label: str, *, user_id: int | None = None) -> dict[str, Any]:
        """The user presses the inline button labelled `label` under a bot message."""
        data = message.button_data(label)
        sender = self.user(user_id if user_id is not None else message.chat_id)
        with self.lock:
            chat = self.chats[message.chat_id]
            query_id = str(next(self.ids))
            self.callback_answers[query_id] = None
            payload = {
                "callback_query": {
                    "id": query_id,
                    "from": sender,
                    "chat_instance": str(message.chat_id),
                    "data": data,
                    "message": message.to_api(chat, self.bot_user),
                }
            }
        return self.push_update(payload)

    def inline_query(self, user_id: int, query: str, *, offset: str = "") -> str:
        """The user types `@bot query` in some chat; returns the inline query id."""
        with self.lock:
            query_id = str(next(self.ids))
            self.inline_answers[query_id] = None
        payload = {
            "inline_query": {
                "id": query_id,
                "from": self.user(user_id),
                "query": query,
                "offset": offset,
                "chat_type": "private",
            }
        }
        self.push_update(payload)
        return query_id

    def _user_message(
        self, chat: dict[str, Any], sender: dict[str, Any], text: str
    ) -> dict[str, Any]:
        with self.lock:
            message = self.record_user_message(chat, sender, text)
        self.push_update({"message": message})
        return message

    # --- waiting for the bot ------------------------------------------------------------------

    def mark(self) -> int:
        """The number of recorded calls so far: pass it as `since` to wait for newer ones."""
        with self.lock:
            return len(self.calls)

    async def wait_for(self, predicate: Callable[[], T | None], within: float = 5.0) -> T:
        """Return `predicate()` as soon as it is truthy; `TimeoutError` after `within` s."""
        waiter = _Waiter(asyncio.get_running_loop())
        with self.lock:
            self._waiters.append(waiter)
        try:
            async with asyncio.timeout(within):
                while True:
                    waiter.event.clear()
                    with self.lock:
                        result = predicate()
                    if result:
                        return result
                    await waiter.event.wait()
        finally:
            with self.lock:
                self._waiters.remove(waiter)

    def wait_for_sync(self, predicate: Callable[[], T | None], within: float = 5.0) -> T:
        """`wait_for` for synchronous code (benchmark scripts)."""
        with self.lock:
            result = self.lock.wait_for(predicate, within)
        if not result:
            raise TimeoutError(f"condition not met within {within} s")
        return result

    async def wait_call(
        self, method: str, *, since: int = 0, within: float = 5.0, **params: Any
    ) -> Call:
        """The first successful `method` call at index >= `since` whose params include `params`."""

        def found() -> Call | None:
            return next(
                (c for c in self.calls[since:] if c.method == method and c.matches(params)), None
            )

        return await self.wait_for(found, within)

    def _changed(self) -> None:
        """Wake every waiter (threads and event loops); the caller holds the lock."""
        self.lock.notify_all()
        for waiter in self._waiters:
            waiter.loop.call_soon_threadsafe(waiter.event.set)

    # --- HTTP ---------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._serve(self)

            def do_GET(self) -> None:
                fake._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        prefix, _, method = parts.path.lstrip("/").partition("/")
        if prefix != f"bot{self.token}":
            _respond(handler, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = _decode(handler.headers.get("Content-Type", ""), body, parts.query)
            result = self._dispatch(method, params)
        except _Dropped:
            handler.close_connection = True
            return
        except ApiError as error:
            _respond(handler, error.code, error.payload())
            return
        _respond(handler, 200, {"ok": True, "result": result})

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return self._get_updates(params)
        with self.lock:
            call = Call(method, params, time.monotonic())
            try:
                self._apply_script(call)
                result = self.call(method, params)
            except _Dropped:
                self.dropped.append(call)
                self._changed()
                raise
            except ApiError as error:
                self.rejected.append((call, error))
                self._changed()
                raise
            self.calls.append(call)
            self._changed()
            return result

    def _apply_script(self, call: Call) -> None:
        for index, scripted in enumerate(self._scripted):
            if scripted.method != call.method:
                continue
            if scripted.chat_id is not None and call.params.get("chat_id") != scripted.chat_id:
                continue
            del self._scripted[index]
            if scripted.drop:
                raise _Dropped
            raise ApiError(scripted.code, scripted.description, retry_after=scripted.retry_after)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self.lock:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
                remaining = deadline - time.monotonic()
                if ready or self._closed or remaining <= 0:
                    return ready
                self.lock.wait(remaining)


class _Dropped(Exception):
    """Internal: close the connection without an answer."""


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: scripted failure",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def _decode(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Parameters as the Bot API reads them: JSON body, form fields (JSON-encoded values), query."""
    if content_type.startswith("application/json"):
        decoded = json.loads(body or b"{}")
        if not isinstance(decoded, dict):
            raise ApiError(400, "Bad Request: parameters must be a JSON object")
        return decoded
    if content_type.startswith("multipart/"):
        raise ApiError(400, "Bad Request: the fake does not accept file uploads")
    pairs = parse_qsl(body.decode(), keep_blank_values=True) + parse_qsl(query)
    return {key: _json_value(key, value) for key, value in pairs}


_STRING_FIELDS = frozenset(
    {"text", "query", "parse_mode", "description", "short_description", "callback_query_id",
     "inline_query_id", "url", "secret_token", "caption", "action", "next_offset", "language_code",
     "inline_message_id", "name"}
)  # fmt: skip


def _json_value(key: str, value: str) -> Any:
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _respond(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True


@asynccontextmanager
async def run_polling(application: AnyApplication, *, poll_timeout: int = 1) -> AsyncIterator[None]:
    """Run `application` with long polling as `run_polling` would, without owning the event loop.

    Calls `post_init`, `post_stop` and `post_shutdown` like `Application.run_polling` does, so the
    start-up work (command list, description) is exercised too.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        updater = application.updater
        assert updater is not None
        await updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        await application.start()
        try:
            yield
        finally:
            await updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
