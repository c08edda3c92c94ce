"""Settings: read once from the environment (and a `.env` file), validated, immutable.

Every setting is documented in `.env.example`. A bad value stops start-up with one line that
names the setting and says what it accepts, because an operator reading a traceback at 3 a.m.
should not have to guess which of twenty variables was wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from summaries.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """Every knob newsbrief has; defaults suit one small server."""

    db_path: Path = Path("newsbrief.db")
    poll_interval: int = 900
    summary_sentences: int = 3
    summary_method: str = "default"
    allow_private_urls: bool = False
    default_sources: bool = True
    log_level: str = "INFO"
    fetch_timeout: float = 20.0
    max_body_bytes: int = 5_000_000
    per_host_concurrency: int = 2
    telegram_bot_token: str = field(default="", repr=False)
    telegram_api_base_url: str = "https://api.telegram.org"
    admin_ids: frozenset[int] = frozenset()
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0:8443"
    webhook_secret: str = field(default="", repr=False)
    max_topics_per_chat: int = 50
    alerts_per_hour: int = 6
    digest_grace_hours: float = 6.0
    summaries_per_minute: int = 6

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Build settings from `environ` (default: the process environment) over `.env`.

        Real environment variables win over the file, as operators expect from twelve-factor apps.
        """
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        return _parse(values)


def _parse(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        raw = env.get(name)
        return raw.strip() if raw is not None and raw.strip() != "" else None

    d = Settings()
    return Settings(
        db_path=Path(get("NEWSBRIEF_DB") or d.db_path),
        poll_interval=_int(get, "NEWSBRIEF_POLL_INTERVAL", d.poll_interval, minimum=5),
        summary_sentences=_int(get, "NEWSBRIEF_SUMMARY_SENTENCES", d.summary_sentences, 1, 20),
        summary_method=_method(get("NEWSBRIEF_SUMMARY_METHOD"), d.summary_method),
        allow_private_urls=_bool(get, "NEWSBRIEF_ALLOW_PRIVATE_URLS", d.allow_private_urls),
        default_sources=_bool(get, "NEWSBRIEF_DEFAULT_SOURCES", d.default_sources),
        log_level=_log_level(get("NEWSBRIEF_LOG_LEVEL") or d.log_level),
        fetch_timeout=_float(get, "NEWSBRIEF_FETCH_TIMEOUT", d.fetch_timeout, 1.0, 300.0),
        max_body_bytes=_int(get, "NEWSBRIEF_MAX_BODY_BYTES", d.max_body_bytes, 10_000),
        per_host_concurrency=_int(get, "NEWSBRIEF_PER_HOST_CONCURRENCY", 2, 1, 32),
        telegram_bot_token=get("TELEGRAM_BOT_TOKEN") or "",
        telegram_api_base_url=_url(get, "TELEGRAM_API_BASE_URL", d.telegram_api_base_url),
        admin_ids=_ids(get("NEWSBRIEF_ADMIN_IDS")),
        webhook_url=_url(get, "NEWSBRIEF_WEBHOOK_URL", ""),
        webhook_listen=_listen(get("NEWSBRIEF_WEBHOOK_LISTEN") or d.webhook_listen),
        webhook_secret=get("NEWSBRIEF_WEBHOOK_SECRET") or "",
        max_topics_per_chat=_int(get, "NEWSBRIEF_MAX_TOPICS_PER_CHAT", 50, 1, 1000),
        alerts_per_hour=_int(get, "NEWSBRIEF_ALERTS_PER_HOUR", d.alerts_per_hour, 0, 120),
        digest_grace_hours=_float(get, "NEWSBRIEF_DIGEST_GRACE_HOURS", 6.0, 0.0, 48.0),
        summaries_per_minute=_int(
            get, "NEWSBRIEF_SUMMARIES_PER_MINUTE", d.summaries_per_minute, 0, 600
        ),
    )


Getter = Callable[[str], str | None]


def _int(get: Getter, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"{name} must be at least {minimum}{upper}, got {value}.")
    return value


def _float(get: Getter, name: str, default: float, minimum: float, maximum: float) -> float:
    raw = get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}.") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum:g} and {maximum:g}, got {value:g}.")
    return value


def _bool(get: Getter, name: str, default: bool) -> bool:
    raw = get(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}.")


def _url(get: Getter, name: str, default: str) -> str:
    raw = get(name)
    if raw is None:
        return default
    if not raw.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must start with http:// or https://, got {raw!r}.")
    return raw.rstrip("/")


def _ids(raw: str | None) -> frozenset[int]:
    if raw is None:
        return frozenset()
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"NEWSBRIEF_ADMIN_IDS must be comma-separated Telegram user ids, got {part!r}."
            ) from None
    return frozenset(ids)


def _method(raw: str | None, default: str) -> str:
    """A known summary method; checked here, as otherwise every article would be skipped."""
    if raw is None:
        return default
    from summaries.summarize.methods import METHODS  # deferred: loads sumy, only when set

    if raw not in METHODS:
        raise ConfigError(
            f"NEWSBRIEF_SUMMARY_METHOD must be one of {', '.join(METHODS)}, got {raw!r}."
        )
    return raw


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(
            f"NEWSBRIEF_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {raw!r}."
        )
    return level


def _listen(raw: str) -> str:
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"NEWSBRIEF_WEBHOOK_LISTEN must be HOST:PORT, got {raw!r}.")
    return raw
