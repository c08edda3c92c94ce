"""What Telegram refuses, and its flood limits: the rules the fake Bot API server enforces.

`tests/fake_telegram_api.py` calls these for each method. Error texts are Telegram's own, so a
bot that handles them here handles them in production.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fake_telegram_html import EntityParseError, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
_BUTTON_ACTIONS = (
    "url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "web_app", "login_url", "callback_game", "pay", "copy_text",
)  # fmt: skip
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'»]")


class ApiError(Exception):
    """An error answer: `{"ok": false, "error_code": code, "description": ...}`."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        parameters = {
            "retry_after": self.retry_after,
            "migrate_to_chat_id": self.migrate_to_chat_id,
        }
        if given := {key: value for key, value in parameters.items() if value is not None}:
            body["parameters"] = given
        return body


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    stamp: float


@dataclass
class RateLimits:
    """Telegram's flood limits as token buckets; set `fake.limits = RateLimits()` to enforce."""

    global_rate: float = 30.0
    global_burst: float = 30.0
    private_rate: float = 1.0
    private_burst: float = 3.0
    group_rate: float = 20 / 60
    group_burst: float = 20.0
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int | None, _Bucket] = field(default_factory=dict)

    def check(self, chat_id: int) -> None:
        """Count one message to `chat_id`, or raise 429 with the `retry_after` Telegram gives."""
        now = self.clock()
        rate, burst = (
            (self.group_rate, self.group_burst)
            if chat_id < 0
            else (self.private_rate, self.private_burst)
        )
        buckets = [
            self._bucket(None, self.global_rate, self.global_burst, now),
            self._bucket(chat_id, rate, burst, now),
        ]
        for bucket in buckets:
            bucket.tokens = min(bucket.burst, bucket.tokens + (now - bucket.stamp) * bucket.rate)
            bucket.stamp = now
        short = [b for b in buckets if b.tokens < 1.0]
        if short:
            wait = max((1.0 - b.tokens) / b.rate for b in short)
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        for bucket in buckets:
            bucket.tokens -= 1.0

    def _bucket(self, key: int | None, rate: float, burst: float, now: float) -> _Bucket:
        if key not in self._buckets:
            self._buckets[key] = _Bucket(rate, burst, burst, now)
        return self._buckets[key]


def message_text(params: dict[str, Any], key: str = "text") -> tuple[str, list[dict[str, Any]]]:
    """The text a user would see and its entities, validated as Telegram does."""
    source = params.get(key)
    if not isinstance(source, str) or not source.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    mode = params.get("parse_mode")
    if mode is None or mode == "":
        text, entities = source, list(params.get("entities") or [])
    elif str(mode).lower() == "html":
        try:
            text, entities = parse_html(source)
        except EntityParseError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    else:
        raise ApiError(400, f"Bad Request: the fake only implements HTML, not {mode!r}")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(text.strip()) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text, entities


def checked_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or sum(len(row) for row in rows) > 100:
        raise ApiError(400, "Bad Request: reply markup is too long")
    for button in (b for row in rows for b in row):
        _check_button(button)
    return markup


def _check_button(button: dict[str, Any]) -> None:
    if not str(button.get("text", "")).strip():
        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if len(actions) != 1:
        raise ApiError(400, "Bad Request: inline keyboard button must have exactly one action")
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode())
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")


def check_inline_result(result: dict[str, Any], seen: set[str]) -> None:
    result_id = str(result.get("id", ""))
    if not 1 <= len(result_id.encode()) <= 64:
        raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
    if result_id in seen:
        raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result.get("type") != "article":
        return
    if not str(result.get("title", "")).strip():
        raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
    content = result.get("input_message_content") or {}
    try:
        message_text(content, "message_text")
    except ApiError as error:
        raise ApiError(400, error.description.replace("message text", "MESSAGE")) from None
    checked_markup(result.get("reply_markup"))


def check_results_button(button: Any) -> None:
    """The button above inline results: a text, and a deep-link parameter for the bot's /start
    (1-64 of A-Z, a-z, 0-9, _ and -) or a web app."""
    if button is None:
        return
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    start = button.get("start_parameter")
    if "web_app" not in button and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(start or "")):
        raise ApiError(400, "Bad Request: START_PARAM_INVALID")


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's clients attach to a typed message: a leading command, links."""
    entities: list[dict[str, Any]] = []
    command = _COMMAND.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for link in _URL.finditer(text):
        offset = utf16_len(text[: link.start()])
        entities.append({"type": "url", "offset": offset, "length": utf16_len(link[0])})
    return entities
