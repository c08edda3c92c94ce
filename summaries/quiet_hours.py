"""Quiet hours: alerts that arrive at night come without a sound.

A story that breaks at 3 a.m. should be there in the morning, not wake anyone: during a chat's
quiet hours (its local time, `/quiet 22:00-07:00`) alerts are still sent at once, but silently
(Telegram's `disable_notification`), so nothing waits, nothing is lost and the order stays.
Scheduled digests come at the time the chat chose, with the usual sound.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from summaries.errors import ChatSettingError, typed

_HHMM = r"([01]?\d|2[0-3])[:.h]([0-5]\d)"
_RANGE = re.compile(rf"^\s*{_HHMM}\s*[-–—]\s*{_HHMM}\s*$")
USAGE = "Use /quiet HH:MM-HH:MM in your timezone, e.g. /quiet 22:00-07:00, or /quiet off."


def parse_quiet(text: str) -> tuple[time, time]:
    """'22:00-07:00' (also '22.00–7.00', '22h00-07h00') -> (22:00, 07:00)."""
    found = _RANGE.match(text)
    if not found:
        raise ChatSettingError(f"{typed(text, 30)} is not a time range. {USAGE}")
    start = time(int(found.group(1)), int(found.group(2)))
    end = time(int(found.group(3)), int(found.group(4)))
    if start == end:
        raise ChatSettingError(f"Quiet hours need an end different from their start. {USAGE}")
    return start, end


def is_quiet(start: time | None, end: time | None, tz: ZoneInfo, now: datetime) -> bool:
    """Whether `now` falls in the quiet hours [start, end) in `tz`; a range may span midnight."""
    if start is None or end is None:
        return False
    local = now.astimezone(tz).time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_label(start: time | None, end: time | None) -> str:
    """ "22:00-07:00", or "off"."""
    if start is None or end is None:
        return "off"
    return f"{start:%H:%M}-{end:%H:%M}"
