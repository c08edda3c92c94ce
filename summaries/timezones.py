"""Timezone names as people type them: IANA names, close misspellings, and UTC offsets.

Digests run at a chat's local hour, so its timezone must be a real IANA zone. People type
"berlin", "GMT+2" or "+03:00": the first gets suggestions, a whole-hour offset is the fixed zone
it means (tzdata's Etc/GMT-2 for UTC+2, whose POSIX sign is reversed, so it is always *shown*
as "UTC+2"), and a part-hour offset names the places on it now.
"""

from __future__ import annotations

import difflib
import logging
import re
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from summaries.errors import ChatSettingError, typed

log = logging.getLogger(__name__)

_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+\-\u2212])\s*(\d{1,2})(?::?([0-5]\d))?", re.IGNORECASE)
"""An offset as people type it: UTC+2, GMT-5, UTC-05, +03:00, UTC+5:30, -0330 (− too)."""
_ETC_GMT = re.compile(r"Etc/GMT([+-])(\d{1,2})")
"""tzdata's fixed-offset zones, whose sign is POSIX's: Etc/GMT-2 is two hours *ahead* of UTC."""


@cache
def zone(name: str) -> ZoneInfo:
    """A ZoneInfo by IANA name, falling back to UTC for a name tzdata no longer has.

    A stored name can also be an area ("Europe", a directory: OSError) or garbage from a hand
    edit; one such chat must not stop every chat's digest, so it is logged (once) instead.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        log.warning("timezone %r is unusable (%s); using UTC for its chats", name, error)
        return ZoneInfo("UTC")


_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
"""tzdata files that are no one's timezone: the server's own zone (differs between hosts, and
missing where Python brings its own tzdata) and placeholders with no real offset."""


def _zone_names() -> set[str]:
    """The IANA names a chat may choose."""
    return available_timezones() - _NOT_PLACES


def timezone_label(name: str) -> str:
    """A stored zone name as shown to people: Etc/GMT-2 (POSIX sign) reads "UTC+2, ...".

    Shown as the Etc name, a fixed offset reads as the opposite of what it is.
    """
    found = _ETC_GMT.fullmatch(name)
    if found is None or int(found[2]) == 0:
        return name
    ahead = "-" if found[1] == "+" else "+"
    return f"UTC{ahead}{int(found[2])}, no daylight saving"


def _typed_offset(name: str) -> timedelta | None:
    """The UTC offset in `name` if it is one ("UTC+5:30" -> 5h30), else None."""
    found = _OFFSET.fullmatch(name.strip())
    if found is None:
        return None
    sign = -1 if found[1] in "-\u2212" else 1
    return sign * timedelta(hours=int(found[2]), minutes=int(found[3] or 0))


def _offset_text(offset: timedelta) -> str:
    """5h30 -> "UTC+5:30", -2h -> "UTC-2"."""
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def _places_at(offset: timedelta, now: datetime) -> list[str]:
    """The places (tzdata's zone.tab, one zone per region, no aliases) on `offset` at `now`."""
    table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line[:1] not in ("#", "")}
    return sorted(n for n in names if zone(n).utcoffset(now) == offset)


def _offset_zone(text: str, offset: timedelta, now: datetime) -> str:
    """The zone for a typed UTC offset: UTC, or Etc/GMT∓N for whole hours (POSIX sign).

    A part-hour offset (UTC+5:30) has no fixed zone in tzdata, so it is refused naming the
    places on it now; one beyond UTC-12 .. UTC+14 is no offset anyone uses.
    """
    if not offset:
        return "UTC"
    hours, rest = divmod(offset, timedelta(hours=1))
    if -12 <= hours <= 14 and not rest:
        return f"Etc/GMT{-hours:+d}"
    if not timedelta(hours=-12) < offset < timedelta(hours=14):
        raise ChatSettingError(
            f"{typed(text, 30)} is not a UTC offset: they run from UTC-12 to UTC+14."
        )
    shown, places = _offset_text(offset), _places_at(offset, now)[:4]
    on_it = (
        f" {_listed(places)} {'is' if len(places) == 1 else 'are'} on {shown} now."
        if places
        else f" No place is on {shown} at the moment."
    )
    raise ChatSettingError(
        f"{shown} has no fixed-offset timezone: use your place's Area/City name.{on_it}"
    )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def timezone_suggestions(name: str, *, limit: int = 3) -> list[str]:
    """IANA names close to `name` ("berlin" -> Europe/Berlin), best first.

    Never Etc/GMT+2 and kin: their reversed sign sends a "GMT+2" person 4 hours the wrong way.
    """
    names = sorted(n for n in _zone_names() if not _ETC_GMT.fullmatch(n))
    wanted = name.strip().replace(" ", "_").lower()
    by_lower = {n.lower(): n for n in names}
    by_city = {n.rsplit("/", 1)[-1].lower(): n for n in names}
    exact = [by_city[wanted]] if wanted in by_city else []
    close = difflib.get_close_matches(wanted, list(by_lower), n=limit, cutoff=0.6)
    close += difflib.get_close_matches(wanted, list(by_city), n=limit, cutoff=0.75)
    found = exact + [by_lower.get(c) or by_city[c] for c in close]
    return list(dict.fromkeys(found))[:limit]


def resolve_timezone(name: str, *, now: datetime) -> str:
    """The IANA zone `name` means: a zone name in any case, or a UTC offset as people write it.

    Anything else is refused with the closest names (`timezone_suggestions`).
    """
    offset = _typed_offset(name)
    if offset is not None:
        return _offset_zone(name, offset, now)
    cleaned = name.strip().replace(" ", "_")
    match = next((n for n in _zone_names() if n.lower() == cleaned.lower()), None)
    if match is None:
        hints = timezone_suggestions(cleaned)
        hint = f" Did you mean {', '.join(hints)}?" if hints else ""
        raise ChatSettingError(
            f"{typed(name)} is not a timezone name.{hint}"
            " Use an Area/City name such as Europe/Berlin or America/New_York"
            " (or a UTC offset such as UTC+2, which has no daylight saving)."
        )
    return match
