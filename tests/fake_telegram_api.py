"""The Bot API methods of the fake Telegram server, and the chats and messages they keep.

`tests/fake_telegram.py` puts this behind HTTP. Everything here runs under one lock (`self.lock`,
a `threading.Condition`) held by the caller. Each method validates its parameters with the rules
of `tests/fake_telegram_rules.py` (Telegram's checks and flood limits, with its error texts), so
a message the fake accepts is one Telegram accepts.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fake_telegram_html import utf16_len
from tests.fake_telegram_rules import (
    CHAT_ACTIONS,
    ApiError,
    RateLimits,
    check_inline_result,
    check_results_button,
    checked_markup,
    detect_entities,
    message_text,
)


@dataclass(frozen=True)
class Call:
    """One call the server answered successfully."""

    method: str
    params: dict[str, Any]
    at: float
    """`time.monotonic()` when it was answered."""

    def matches(self, wanted: dict[str, Any]) -> bool:
        return all(self.params.get(key) == value for key, value in wanted.items())


@dataclass
class Message:
    """A message in a chat as a user sees it now (edits applied; `edits` keeps older texts)."""

    chat_id: int
    message_id: int
    text: str
    sender: dict[str, Any]
    from_bot: bool
    date: int
    source: str = ""
    """The text as the bot sent it (HTML source when `parse_mode` was HTML)."""
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    link_preview_options: dict[str, Any] | None = None
    reply_to: int | None = None
    """The id of the message this one replies to (`reply_parameters`)."""
    thread_id: int | None = None
    """The forum topic the message is in (`message_thread_id`); None for General or no forum."""
    silent: bool = False
    """Sent with `disable_notification`: it arrives without a sound."""
    edits: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button_data(self, label: str) -> str:
        for button in self.buttons:
            if button["text"] == label and "callback_data" in button:
                return str(button["callback_data"])
        labels = [b["text"] for b in self.buttons]
        raise KeyError(f"no callback button {label!r} under message; buttons: {labels}")

    def to_api(self, chat: dict[str, Any], bot_user: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat,
            "from": bot_user if self.from_bot else self.sender,
            "text": self.text,
        }
        if self.entities:
            message["entities"] = self.entities
        if self.thread_id is not None:
            message["message_thread_id"] = self.thread_id
            message["is_topic_message"] = True
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        if self.edits:
            message["edit_date"] = self.date
        return message


@dataclass
class ChatLog:
    """Every message of one chat by id (users and the bot share the ids, as in Telegram)."""

    messages: dict[int, Message] = field(default_factory=dict)
    next_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class BotApi:
    """The method implementations and the state they keep; see the module docstring."""

    def __init__(self, *, token: str, username: str) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Newsbrief Test",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.lock = threading.Condition()
        self.ids = itertools.count(1000)
        self.calls: list[Call] = []
        self.rejected: list[tuple[Call, ApiError]] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.logs: dict[int, ChatLog] = {}
        self.blocked: set[int] = set()
        self.upgraded: dict[int, int] = {}
        """Groups upgraded to supergroups (old id -> new id): Telegram refuses the old id."""
        self.admins: dict[int, set[int]] = {}
        self.forum_topics: dict[int, set[int]] = {}
        """The open topics (thread ids) of each forum; a topic message pushed opens its topic."""
        self.limits: RateLimits | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        self.inline_answers: dict[str, dict[str, Any] | None] = {}
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda p: self.bot_user,
            "logOut": lambda p: True,
            "close": lambda p: True,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": lambda p: {**self.webhook, "has_custom_certificate": False,
                                         "pending_update_count": 0},
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda p: self.commands.get(_scope_key(p), []),
            "deleteMyCommands": lambda p: bool(self.commands.pop(_scope_key(p), True)),
            "setMyDescription": lambda p: self._set_text(p, "description", 512),
            "setMyShortDescription": lambda p: self._set_text(p, "short_description", 120),
            "getMyDescription": lambda p: {"description": self.descriptions.get("description", "")},
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
        }  # fmt: skip

    # --- state helpers ------------------------------------------------------------------------

    def user(self, user_id: int, **fields: Any) -> dict[str, Any]:
        """A Telegram `User` object for a human with this id."""
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}",
                "language_code": "en", **fields}  # fmt: skip

    def add_chat(self, chat_id: int, *, title: str = "Test group") -> dict[str, Any]:
        """Make `chat_id` known (Telegram refuses to send to chats the bot has never seen)."""
        with self.lock:
            if chat_id not in self.chats:
                self.chats[chat_id] = (
                    {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
                    if chat_id > 0
                    else {"id": chat_id, "type": "supergroup", "title": title}
                )
                self.logs[chat_id] = ChatLog()
            return self.chats[chat_id]

    def add_forum(self, chat_id: int, *, title: str = "Forum") -> dict[str, Any]:
        """Make supergroup `chat_id` a forum (its topics open as members post in them)."""
        with self.lock:
            chat = self.add_chat(chat_id, title=title)
            chat["is_forum"] = True
            self.forum_topics.setdefault(chat_id, set())
            return chat

    def delete_forum_topic(self, chat_id: int, thread_id: int) -> None:
        """An admin deletes a topic: sending to it is refused from now on, as by Telegram."""
        with self.lock:
            self.forum_topics.get(chat_id, set()).discard(thread_id)

    def upgrade_group(self, old: int, new: int) -> dict[str, Any]:
        """Group `old` becomes supergroup `new`: from now on sending to `old` is refused with
        the new id (`migrate_to_chat_id`), as Telegram does. Returns the new chat."""
        with self.lock:
            self.upgraded[old] = new
            return self.add_chat(new, title=self.chats.get(old, {}).get("title", "Test group"))

    def set_admins(self, chat_id: int, user_ids: set[int]) -> None:
        """Who administers group `chat_id` (everyone else is a plain member)."""
        with self.lock:
            self.admins[chat_id] = set(user_ids)

    def bot_messages(self, chat_id: int) -> list[Message]:
        """What the bot has posted in `chat_id` and still shows, oldest first."""
        with self.lock:
            log = self.logs.get(chat_id)
            return [m for m in log.messages.values() if m.from_bot] if log else []

    def record_user_message(
        self, chat: dict[str, Any], sender: dict[str, Any], text: str, thread_id: int | None = None
    ) -> dict[str, Any]:
        self.chats.setdefault(chat["id"], chat)
        log = self.logs.setdefault(chat["id"], ChatLog())
        message = Message(
            chat_id=chat["id"],
            message_id=next(log.next_id),
            text=text,
            sender=sender,
            from_bot=False,
            date=int(time.time()),
            entities=detect_entities(text),
            thread_id=thread_id,
        )
        log.messages[message.message_id] = message
        return message.to_api(chat, self.bot_user)

    def call(self, method: str, params: dict[str, Any]) -> Any:
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params)

    # --- methods --------------------------------------------------------------------------------

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": ""}
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        return True

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        self.commands[_scope_key(params)] = commands
        return True

    def _set_text(self, params: dict[str, Any], key: str, limit: int) -> bool:
        value = str(params.get(key, ""))
        if len(value) > limit:
            raise ApiError(400, f"Bad Request: {key} is too long")
        self.descriptions[key] = value
        return True

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params)
        thread = params.get("message_thread_id")
        if thread is not None and thread not in self.forum_topics.get(chat["id"], ()):
            raise ApiError(400, "Bad Request: message thread not found")
        text, entities = message_text(params)
        markup = checked_markup(params.get("reply_markup"))
        log = self.logs[chat["id"]]
        replied = params.get("reply_parameters") or {}
        missing = replied and replied.get("message_id") not in log.messages
        if missing and not replied.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        message = Message(
            chat_id=chat["id"],
            message_id=next(log.next_id),
            text=text,
            sender=self.bot_user,
            from_bot=True,
            date=int(time.time()),
            source=str(params["text"]),
            parse_mode=params.get("parse_mode"),
            entities=entities,
            reply_markup=markup,
            link_preview_options=params.get("link_preview_options"),
            reply_to=(params.get("reply_parameters") or {}).get("message_id"),
            thread_id=int(thread) if thread is not None else None,
            silent=params.get("disable_notification") in (True, "true", "True"),
        )
        log.messages[message.message_id] = message
        return message.to_api(chat, self.bot_user)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            message_text(params)
            checked_markup(params.get("reply_markup"))
            return True
        chat = self._writable_chat(params)
        message = self._bot_message(chat["id"], params.get("message_id"))
        text, entities = message_text(params)
        markup = checked_markup(params.get("reply_markup"))
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.edits.append(message.text)
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.source, message.parse_mode = str(params["text"]), params.get("parse_mode")
        return message.to_api(chat, self.bot_user)

    def _edit_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params)
        message = self._bot_message(chat["id"], params.get("message_id"))
        message.reply_markup = checked_markup(params.get("reply_markup"))
        return message.to_api(chat, self.bot_user)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._known_chat(params.get("chat_id"))
        if self.logs[chat["id"]].messages.pop(int(params.get("message_id") or 0), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self.callback_answers.get(query_id, {}) is not None or not query_id:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if utf16_len(str(params.get("text", ""))) > 200:  # counted as a message's length is
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if self.inline_answers.get(query_id, {}) is not None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                           "query ID is invalid")  # fmt: skip
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: results must be an array")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if len(str(params.get("next_offset", "")).encode()) > 64:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            check_inline_result(result, seen)
        check_results_button(params.get("button"))
        self.inline_answers[query_id] = params
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._writable_chat(params, count=False)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params.get("chat_id"))
        return self._member(chat["id"], int(params.get("user_id") or 0))

    def _get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._known_chat(params.get("chat_id"))
        return [self._member(chat["id"], uid) for uid in sorted(self.admins.get(chat["id"], ()))]

    # --- checks ---------------------------------------------------------------------------------

    def _known_chat(self, chat_id: Any) -> dict[str, Any]:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _writable_chat(self, params: dict[str, Any], *, count: bool = True) -> dict[str, Any]:
        chat = self._known_chat(params.get("chat_id"))
        if chat["id"] in self.upgraded:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.upgraded[chat["id"]],
            )
        if chat["id"] in self.blocked:
            if chat["id"] > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        if count and self.limits is not None:
            self.limits.check(chat["id"])
        return chat

    def _bot_message(self, chat_id: int, message_id: Any) -> Message:
        message = self.logs[chat_id].messages.get(int(message_id or 0))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        user = self.user(user_id)
        if chat_id > 0:
            return {"status": "member" if chat_id != user_id else "creator", "user": user,
                    "is_anonymous": False}  # fmt: skip
        if user_id in self.admins.get(chat_id, ()):
            rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                      "can_restrict_members", "can_change_info", "can_invite_users",
                      "can_post_stories", "can_edit_stories", "can_delete_stories")  # fmt: skip
            return {"status": "administrator", "user": user, "can_be_edited": False,
                    "is_anonymous": False, "can_promote_members": False,
                    **dict.fromkeys(rights, True)}  # fmt: skip
        return {"status": "member", "user": user}


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"
