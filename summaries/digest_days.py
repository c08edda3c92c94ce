"""On which days of the week a chat's scheduled digest goes out: every day, or the ones chosen.

People who read the news for work want it Monday to Friday, and a Monday digest that covers
the weekend (a digest always covers the time since the chat's previous one). The days are a
bit mask over Monday (bit 0) to Sunday (bit 6), stored in `chats.digest_days`.
"""

from __future__ import annotations

import re
from datetime import date

from summaries.errors import ChatSettingError, typed

EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111
WEEKEND = 0b1100000

_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WORDS = {"daily": EVERY_DAY, "everyday": EVERY_DAY, "weekdays": WEEKDAYS, "weekends": WEEKEND}
_WORDS |= {"weekday": WEEKDAYS, "weekend": WEEKEND}
_ITEM = re.compile(r"([a-z]+)(?:-([a-z]+))?")
_RANGE = re.compile(r"\s*(?:[-\u2013\u2014]|\bto\b)\s*")
"""Between two days of a range: "-", a phone's en or em dash, or "to" ("Monday to Friday")."""
_AND = frozenset({"and", "&"})

DAYS_HELP = "daily, weekdays, weekends, or days like mon-fri or mon,wed,fri"


def runs_on(days: int, day: date) -> bool:
    """Whether a digest with `days` goes out on local date `day`."""
    return bool(days >> day.weekday() & 1)


def parse_days(text: str) -> int:
    """ "weekdays", "mon-fri", "Mon, Wed, Fri", "sat sun", "daily"... as a bit mask; also the
    way `days_label` writes them ("Monday to Friday", "Mon, Wed and Fri")."""
    text = _RANGE.sub("-", text.lower().replace("every day", "everyday"))
    days = 0
    for word in text.replace(",", " ").split():
        if word not in _AND:
            days |= _WORDS.get(word) or _item(word)
    if not days:
        raise ChatSettingError(f"Say which days: {DAYS_HELP}.")
    return days


def _item(word: str) -> int:
    """One day ("wed", "wednesday") or a range of days ("mon-fri", "fri-mon" across Sunday)."""
    found = _ITEM.fullmatch(word)
    first = _day(found.group(1)) if found else None
    last = _day(found.group(2)) if found and found.group(2) else first
    if first is None or last is None:
        raise ChatSettingError(
            f"{typed(word, 30)} is not a day. Use {DAYS_HELP}, e.g. /digest 08:00 weekdays."
        )
    span = (last - first) % 7
    return sum(1 << (first + step) % 7 for step in range(span + 1))


def _day(name: str) -> int | None:
    """The weekday number of a day's name or of its first three or more letters."""
    if len(name) < 3:
        return None
    return next((n for n, full in enumerate(_NAMES) if full.startswith(name)), None)


def days_label(days: int) -> str:
    """How the days read in a reply: "every day", "Monday to Friday", "Mon, Wed and Fri"."""
    if days == EVERY_DAY:
        return "every day"
    if days == WEEKDAYS:
        return "Monday to Friday"
    if days == WEEKEND:
        return "Saturday and Sunday"
    names = [_NAMES[n][:3].capitalize() for n in range(7) if days >> n & 1]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
