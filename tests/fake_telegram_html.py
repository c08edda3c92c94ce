"""Telegram's HTML parse mode, applied as strictly as the real Bot API (or a little stricter).

The fake Bot API server (`tests/fake_telegram.py`) uses this to turn `parse_mode=HTML` text into
the plain text and entities a user would see, and to reject what Telegram rejects with the same
kind of message ("can't parse entities: ..."). Being stricter than Telegram only ever makes the
bot safer: every bare `<`, `>` and `&` must be escaped, and only the four named entities Telegram
documents are accepted.
"""

from __future__ import annotations

import re
from typing import Any

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);")


class EntityParseError(ValueError):
    """Text Telegram would refuse with 400 "Bad Request: can't parse entities: <message>"."""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities (UTF-16 offsets) of `source`, or `EntityParseError`."""
    parser = _Parser(source)
    parser.run()
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.out), entities


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.out: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, int, dict[str, str]]] = []
        self.entities: list[dict[str, Any]] = []

    def fail(self, message: str, position: int) -> EntityParseError:
        offset = len(self.source[:position].encode())
        return EntityParseError(f"{message} at byte offset {offset}")

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def run(self) -> None:
        i, source = 0, self.source
        while i < len(source):
            char = source[i]
            if char == "<":
                i = self.tag(i)
            elif char == "&":
                i = self.entity(i)
            elif char == ">":
                raise self.fail('Unescaped ">"; use "&gt;"', i)
            else:
                end = i
                while end < len(source) and source[end] not in "<&>":
                    end += 1
                self.emit(source[i:end])
                i = end
        if self.stack:
            name = self.stack[-1][0]
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"', len(source))

    def entity(self, i: int) -> int:
        match = _ENTITY.match(self.source, i)
        if match is None:
            raise self.fail("Can't find end of the entity starting", i)
        name = match.group(1)
        if name.startswith(("#x", "#X")):
            value = chr(int(name[2:], 16))
        elif name.startswith("#"):
            code = int(name[1:])
            if code > 0x10FFFF:
                raise self.fail(f'Unsupported HTML entity "&{name};"', i)
            value = chr(code)
        elif name in _NAMED:
            value = _NAMED[name]
        else:
            raise self.fail(f'Unsupported HTML entity "&{name};"', i)
        self.emit(value)
        return match.end()

    def tag(self, i: int) -> int:
        end_match = _END_TAG.match(self.source, i)
        if end_match is not None:
            return self.close(end_match.group(1).lower(), i, end_match.end())
        match = _START_TAG.match(self.source, i)
        if match is None:
            raise self.fail("Can't find end of the tag starting", i)
        name = match.group(1).lower()
        if name not in _TAG_ENTITY:
            raise self.fail(f'Unsupported start tag "{name}"', i)
        attrs = {
            a.group(1).lower(): _unquote(a.group(2) or "")
            for a in _ATTRIBUTE.finditer(match.group(2))
        }
        self.check_start(name, attrs, i)
        self.stack.append((name, self.length, attrs))
        return match.end()

    def check_start(self, name: str, attrs: dict[str, str], i: int) -> None:
        parents = {entry[0] for entry in self.stack}
        if parents & {"code"} or ("pre" in parents and name != "code"):
            raise self.fail(f'Tag "{name}" can\'t be nested inside "pre" or "code"', i)
        if name == "blockquote" and "blockquote" in parents:
            raise self.fail('Tag "blockquote" can\'t be nested', i)
        if name == "a" and "a" in parents:
            raise self.fail('Tag "a" can\'t be nested', i)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', i)
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail('Tag "tg-emoji" must have attribute "emoji-id"', i)

    def close(self, name: str, i: int, after: int) -> int:
        if not self.stack:
            raise self.fail(f'Unexpected end tag "{name}"', i)
        open_name, start, attrs = self.stack.pop()
        if open_name != name:
            raise self.fail(f'Unmatched end tag, expected "</{open_name}>", found "</{name}>"', i)
        if self.length > start and (name != "a" or attrs.get("href")):
            self.entities.append(_entity(name, start, self.length - start, attrs))
        return after


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return _ENTITY.sub(lambda m: _NAMED.get(m.group(1), m.group(0)), value)


def _entity(name: str, offset: int, length: int, attrs: dict[str, str]) -> dict[str, Any]:
    kind = _TAG_ENTITY[name]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = attrs.get("href", "")
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    return entity
