"""Settings: defaults, validation with one-line errors, `.env` files, and full documentation."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from summaries.config import Settings
from summaries.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_match_the_documentation() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert settings.db_path == Path("newsbrief.db")
    assert settings.poll_interval == 900
    assert settings.summary_sentences == 3
    assert settings.allow_private_urls is False
    assert settings.default_sources is True
    assert settings.telegram_api_base_url == "https://api.telegram.org"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSBRIEF_POLL_INTERVAL", "4", "NEWSBRIEF_POLL_INTERVAL must be at least 5"),
        ("NEWSBRIEF_POLL_INTERVAL", "soon", "NEWSBRIEF_POLL_INTERVAL must be a whole number"),
        ("NEWSBRIEF_SUMMARY_SENTENCES", "0", "NEWSBRIEF_SUMMARY_SENTENCES must be at least 1"),
        ("NEWSBRIEF_ALLOW_PRIVATE_URLS", "maybe", "must be true or false"),
        ("NEWSBRIEF_LOG_LEVEL", "loud", "NEWSBRIEF_LOG_LEVEL must be DEBUG"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org", "must start with http"),
        ("NEWSBRIEF_ADMIN_IDS", "12,bob", "NEWSBRIEF_ADMIN_IDS must be comma-separated"),
        ("NEWSBRIEF_WEBHOOK_LISTEN", "8443", "NEWSBRIEF_WEBHOOK_LISTEN must be HOST:PORT"),
        ("NEWSBRIEF_DIGEST_GRACE_HOURS", "-1", "between 0 and 48"),
        ("NEWSBRIEF_SUMMARY_METHOD", "magic", "NEWSBRIEF_SUMMARY_METHOD must be one of default"),
        ("NEWSBRIEF_KEEP_ARTICLES_DAYS", "-7", "NEWSBRIEF_KEEP_ARTICLES_DAYS must be at least 0"),
    ],
)
def test_a_bad_value_names_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env({name: value}, env_file=None)
    assert "\n" not in str(caught.value)


def test_a_known_summary_method_is_kept() -> None:
    settings = Settings.from_env({"NEWSBRIEF_SUMMARY_METHOD": "lexrank"}, env_file=None)
    assert settings.summary_method == "lexrank"


def test_environment_overrides_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("NEWSBRIEF_POLL_INTERVAL=60\nNEWSBRIEF_ADMIN_IDS=1, 2\n")
    settings = Settings.from_env({"NEWSBRIEF_POLL_INTERVAL": "30"}, env_file=env_file)
    assert settings.poll_interval == 30
    assert settings.admin_ids == frozenset({1, 2})


def test_the_token_is_not_in_the_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "123:secret"}, env_file=None)
    assert "secret" not in repr(settings)


def test_every_setting_read_is_documented_in_env_example() -> None:
    read = set(
        re.findall(
            r'"((?:NEWSBRIEF|TELEGRAM)_[A-Z_]+)"', (ROOT / "summaries/config.py").read_text()
        )
    )
    documented = set(
        re.findall(r"^((?:NEWSBRIEF|TELEGRAM)_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert read == documented
    assert len(read) == len(Settings.__dataclass_fields__)


def test_retention_is_off_unless_asked() -> None:
    assert Settings.from_env({}, env_file=None).keep_articles_days == 0
    asked = Settings.from_env({"NEWSBRIEF_KEEP_ARTICLES_DAYS": "30"}, env_file=None)
    assert asked.keep_articles_days == 30


@pytest.mark.parametrize(
    "name",
    [
        "NEWSBRIEF_POLL_INTERVALL",
        "newsbrief_poll_interval",  # names are case-sensitive: this was ignored in silence
    ],
)
def test_a_misspelt_setting_is_named_with_the_likely_intended_one(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / ".env").write_text(f"{name}=60\n")
    with caplog.at_level(logging.WARNING, logger="summaries.config"):
        settings = Settings.from_env({"PATH": "/bin"}, env_file=tmp_path / ".env")
    assert settings.poll_interval == 900
    assert caplog.messages == [
        f"Unknown setting {name} is ignored. Did you mean "
        "NEWSBRIEF_POLL_INTERVAL? Every setting is listed in .env.example."
    ]


def test_the_webhook_server_listens_on_this_machine_only_unless_told() -> None:
    """Anyone who reaches the port can make it read a request: a proxy on the same machine
    is the common case, so the default does not open it to the network."""
    assert Settings.from_env({}, env_file=None).webhook_listen == "127.0.0.1:8443"
