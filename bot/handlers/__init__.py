"""The bot's features, one module each; every module has `register(application)`.

Order matters only for catch-all handlers: `forged` takes button presses no button of the bot
makes before any button handler sees them, so it comes first; `summary` answers any private
message containing a link, so it comes after the command features, and `fallback` (what nothing
else handled) stays last. Add a feature by appending its module to
`FEATURES` (commands registered through `bot.commands.add_command` appear in /help and the menu).
"""

from __future__ import annotations

from types import ModuleType

from bot.handlers import (
    announce,
    digest,
    errors,
    fallback,
    forged,
    forget,
    inline,
    membership,
    news,
    search,
    sources,
    start,
    status,
    summary,
    topics,
)
from bot.services import App

FEATURES: tuple[ModuleType, ...] = (
    forged, start, news, search, sources, topics, digest, forget, status, announce, summary,
    inline, membership, fallback,
)  # fmt: skip


def register_all(application: App) -> None:
    """Register every feature, then the one error handler."""
    for feature in FEATURES:
        feature.register(application)
    errors.register(application)
