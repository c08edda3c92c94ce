"""Settings: read once from the environment (and a `.env` file), validated, immutable.

Every setting is documented in `.env.example`. A bad value stops start-up with one line that
names the setting and says what it accepts, because an operator reading a traceback at 3 a.m.
should not have to guess which of twenty variables was wrong.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from summaries.errors import ConfigError, typed

log = logging.getLogger(__name__)

_PREFIXES = ("NEWSBRIEF_", "TELEGRAM_")
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
    webhook_listen: str = "127.0.0.1:8443"
    webhook_secret: str = field(default="", repr=False)
    max_topics_per_chat: int = 50
    alerts_per_hour: int = 6
    digest_grace_hours: float = 6.0
    summaries_per_minute: int = 6
    keep_articles_days: int = 0
    """Delete stories fetched longer ago than this, nightly (0: keep everything)."""
    backup_dir: Path | None = None
    """Where the nightly backup goes (None: no nightly backup)."""
    backup_keep: int = 7
    """How many nightly backups to keep in `backup_dir`."""

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Build settings from `environ` (default: the process environment) over `.env`.

        Real environment variables win over the file, as operators expect from twelve-factor apps.
        """
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in _read_env_file(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        return _parse(values)


def _read_env_file(env_file: Path) -> dict[str, str | None]:
    try:
        return dict(dotenv_values(env_file))
    except UnicodeDecodeError:
        raise ConfigError(
            f"{env_file} is not UTF-8 text: save it as UTF-8 (or plain ASCII) and start again."
        ) from None


def _warn_unknown(env: Mapping[str, str], known: set[str]) -> None:
    """Name each unknown NEWSBRIEF_/TELEGRAM_ variable: a misspelt setting would otherwise be
    silently replaced by its default, and the operator would never know why it had no effect.
    Names are case-sensitive, so a lower-case one is unknown too and compared in upper case.
    """
    for name in sorted(env):
        if name.upper().startswith(_PREFIXES) and name not in known:
            close = difflib.get_close_matches(name.upper(), known, n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            log.warning(
                "Unknown setting %s is ignored.%s Every setting is listed in .env.example.",
                name,
                hint,
            )


def _parse(env: Mapping[str, str]) -> Settings:
    read: set[str] = set()

    def get(name: str) -> str | None:
        read.add(name)
        raw = env.get(name)
        return raw.strip() if raw is not None and raw.strip() != "" else None

    d = Settings()
    try:
        settings = _settings(get, d)
    except ConfigError as error:
        raise ConfigError(_redacted(str(error), env)) from None
    _warn_unknown(env, read)
    return settings


def _redacted(message: str, env: Mapping[str, str]) -> str:
    """`message` without the bot token or the webhook secret: a value is quoted in its
    setting's error, and a token pasted into another setting (an API root ending in
    /bot<token>, a webhook URL without https://) was printed in full, to a terminal and logs.
    Values under 8 characters are left alone: they cannot be secrets (Telegram's are longer,
    the webhook secret has at least 8) and would blank out ordinary words and numbers.
    """
    token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
    hidden = (token, token.partition(":")[2], (env.get("NEWSBRIEF_WEBHOOK_SECRET") or "").strip())
    for secret in sorted(hidden, key=len, reverse=True):
        if len(secret) >= 8:
            message = message.replace(secret, "<hidden>")
    return message


def _settings(get: Getter, d: Settings) -> Settings:
    """Every setting read and checked; the token check against the webhook URL last."""
    settings = Settings(
        db_path=_path("NEWSBRIEF_DB", get("NEWSBRIEF_DB")) or d.db_path,
        # Above a day the back-off cap (summaries.polling) would silently shorten it anyway.
        poll_interval=_int(get, "NEWSBRIEF_POLL_INTERVAL", d.poll_interval, 5, 86_400),
        summary_sentences=_int(get, "NEWSBRIEF_SUMMARY_SENTENCES", d.summary_sentences, 1, 20),
        summary_method=_method(get("NEWSBRIEF_SUMMARY_METHOD"), d.summary_method),
        allow_private_urls=_bool(get, "NEWSBRIEF_ALLOW_PRIVATE_URLS", d.allow_private_urls),
        default_sources=_bool(get, "NEWSBRIEF_DEFAULT_SOURCES", d.default_sources),
        log_level=_log_level(get("NEWSBRIEF_LOG_LEVEL") or d.log_level),
        fetch_timeout=_float(get, "NEWSBRIEF_FETCH_TIMEOUT", d.fetch_timeout, 1.0, 300.0),
        max_body_bytes=_int(get, "NEWSBRIEF_MAX_BODY_BYTES", d.max_body_bytes, 10_000),
        per_host_concurrency=_int(get, "NEWSBRIEF_PER_HOST_CONCURRENCY", 2, 1, 32),
        telegram_bot_token=_token(get("TELEGRAM_BOT_TOKEN")),
        telegram_api_base_url=_api_root(get, d.telegram_api_base_url),
        admin_ids=_ids(get("NEWSBRIEF_ADMIN_IDS")),
        webhook_url=_webhook_url(get),
        webhook_listen=_listen(get("NEWSBRIEF_WEBHOOK_LISTEN") or d.webhook_listen),
        webhook_secret=_secret(get("NEWSBRIEF_WEBHOOK_SECRET")),
        max_topics_per_chat=_int(get, "NEWSBRIEF_MAX_TOPICS_PER_CHAT", 50, 1, 1000),
        alerts_per_hour=_int(get, "NEWSBRIEF_ALERTS_PER_HOUR", d.alerts_per_hour, 0, 120),
        digest_grace_hours=_float(get, "NEWSBRIEF_DIGEST_GRACE_HOURS", 6.0, 0.0, 48.0),
        keep_articles_days=_int(get, "NEWSBRIEF_KEEP_ARTICLES_DAYS", 0, 0, 36_500),
        backup_dir=_path("NEWSBRIEF_BACKUP_DIR", get("NEWSBRIEF_BACKUP_DIR")),
        backup_keep=_int(get, "NEWSBRIEF_BACKUP_KEEP", d.backup_keep, 1, 1000),
        summaries_per_minute=_int(
            get, "NEWSBRIEF_SUMMARIES_PER_MINUTE", d.summaries_per_minute, 0, 600
        ),
    )
    token_secret = settings.telegram_bot_token.partition(":")[2]
    if token_secret and token_secret in settings.webhook_url:
        # Proxies and access logs record URLs; Telegram's secret header is the check instead.
        raise ConfigError(
            "NEWSBRIEF_WEBHOOK_URL must not contain the bot token (proxies and access logs"
            " record URLs): use a path like /telegram/hook and set NEWSBRIEF_WEBHOOK_SECRET."
        )
    return settings


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
    # Split on spaces too: "1 2" is two ids, never the id 12.
    for part in raw.replace(",", " ").split():
        try:
            ids.add(int(part))
        except ValueError:
            hint = " (numeric ids, not @usernames: ask @userinfobot)" if "@" in part else ""
            raise ConfigError(
                f"NEWSBRIEF_ADMIN_IDS must be comma-separated Telegram user ids{hint},"
                f" got {part!r}."
            ) from None
    return frozenset(ids)


_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# At least 8: shorter secrets are not redacted from logs (bot.logs), and guessable anyway.
_SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")
_BOT_PATH = re.compile(r"bot([0-9]+:.*)?")


def _token(raw: str | None) -> str:
    """The token's shape, checked here: Telegram would only say "rejected", which hides a stray
    quote or space behind a message that sends the operator to regenerate a good token.
    """
    if raw is None:
        return ""
    if not _TOKEN.fullmatch(raw):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters,"
            " digits, _ and -): check for quotes, spaces or a cut-off copy, as BotFather shows it."
        )
    return raw


def _api_root(get: Getter, default: str) -> str:
    """The Bot API server's root: a `/bot` or `/bot<token>` on it would be doubled."""
    root = _url(get, "TELEGRAM_API_BASE_URL", default)
    if _BOT_PATH.fullmatch(root.rpartition("/")[2]):
        # Not quoted: the value may hold the token.
        raise ConfigError(
            "TELEGRAM_API_BASE_URL must be the server's root, like https://api.telegram.org:"
            " remove the /bot... at its end, newsbrief adds /bot<token> itself."
        )
    return root


def _webhook_url(get: Getter) -> str:
    url = _url(get, "NEWSBRIEF_WEBHOOK_URL", "")
    if url and not url.startswith("https://"):
        raise ConfigError(
            "NEWSBRIEF_WEBHOOK_URL must start with https:// (Telegram only posts updates to"
            " HTTPS; put a TLS reverse proxy in front of newsbrief), or be empty for polling."
        )
    return url


def _secret(raw: str | None) -> str:
    if raw is None:
        return ""
    if not _SECRET.fullmatch(raw):
        raise ConfigError(
            "NEWSBRIEF_WEBHOOK_SECRET must be 8-256 of A-Z a-z 0-9 _ - (Telegram refuses other"
            f" characters), got {len(raw)} characters; or leave it empty for a random one."
        )
    return raw


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


def _path(name: str, raw: str | None) -> Path | None:
    """A file or directory path (None when unset), refused here when no file system could
    name it: a NUL (a .env can hold one), a name over 255 bytes or a path over 4095, or
    `~user` for no such user. Each reached the person running newsbrief as a ValueError,
    OSError or RuntimeError traceback.
    """
    if raw is None:
        return None
    if "\0" in raw:
        raise ConfigError(f"{name} must not contain a NUL character: check .env for it.")
    try:
        # `~` as a shell would read it: .env files and systemd do not expand it, and a
        # literal "~" directory in the working directory hid the database (and invited rm -rf ~)
        path = Path(raw).expanduser()
    except RuntimeError:
        user = typed(raw.partition("/")[0])
        raise ConfigError(
            f"{name} starts with {user}, but there is no such home directory: write the full path."
        ) from None
    if _size(str(path)) > 4095 or any(_size(part) > 255 for part in path.parts):
        raise ConfigError(
            f"{name} is too long for a file name (at most 255 bytes for each part of the"
            " path, 4095 in all): choose a shorter path."
        )
    return path


def _size(text: str) -> int:
    """Bytes of `text` in a file name (a lone surrogate from a non-UTF-8 environment counted)."""
    return len(text.encode("utf-8", "surrogatepass"))


def _listen(raw: str) -> str:
    host, sep, port = raw.rpartition(":")
    # ASCII digits only: "²".isdigit() is true, yet int("²") raised a ValueError traceback.
    if not sep or not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ConfigError(f"NEWSBRIEF_WEBHOOK_LISTEN must be HOST:PORT, got {raw!r}.")
    return raw
