"""Fixtures shared by the whole suite: real SQLite, local servers, settings, ../shared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from summaries.config import Settings
from summaries.store import Database, open_database
from tests.servers import LocalServer

# Property tests are derandomised, so a CI failure reproduces on every machine, and keep no
# example database: a clean clone must behave like the last one.
hypothesis_settings.register_profile(
    "newsbrief",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("newsbrief")

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEED = SHARED / "seed" / "000_3eea214e2d73931a.txt"


def shared_file(relative: str) -> Path:
    """A file from ../shared, or skip the test with the reason when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is not present beside the checkout")
    return path


@pytest.fixture
def db() -> Iterator[Database]:
    """A fresh, migrated in-memory database."""
    database = open_database(":memory:")
    yield database
    database.close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local HTTP server on 127.0.0.1 for feeds and pages."""
    local = LocalServer().start()
    yield local
    local.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests: a temporary database, private URLs allowed (local servers)."""
    return Settings.from_env(
        {
            "NEWSBRIEF_DB": str(tmp_path / "test.db"),
            "NEWSBRIEF_ALLOW_PRIVATE_URLS": "true",
            "NEWSBRIEF_DEFAULT_SOURCES": "false",
        },
        env_file=None,
    )
