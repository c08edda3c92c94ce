"""What the handlers need from the core, built once by the composition root (`bot.main`).

`Services` lives in `application.bot_data["services"]`; handlers reach it through `services_of`.
Features that react to newly ingested articles (topic alerts) add a hook to
`new_article_hooks` when they register; the composition root hands them to the Ingester.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext

from summaries.config import Settings
from summaries.fetch import Fetcher
from summaries.ingest import NewArticlesHook
from summaries.store import Database, utcnow

App = Application[Any, Any, Any, Any, Any, Any]
Context = CallbackContext[Any, Any, Any, Any]


@dataclass
class Services:
    """The settings, database, HTTP client and clock every handler shares."""

    settings: Settings
    db: Database
    fetcher: Fetcher
    clock: Callable[[], datetime] = utcnow
    new_article_hooks: list[NewArticlesHook] = field(default_factory=list)

    def is_bot_admin(self, user_id: int | None) -> bool:
        """Whether `user_id` is one of the operators listed in NEWSBRIEF_ADMIN_IDS."""
        return user_id is not None and user_id in self.settings.admin_ids


def services_of(context: Context | App) -> Services:
    """The `Services` of the running application."""
    services = context.bot_data["services"]
    assert isinstance(services, Services)
    return services
