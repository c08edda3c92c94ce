"""Running the installed `newsbrief` console script in a child process, as an operator would.

The end-to-end CLI tests share one way to find the script, one child environment (temporary
database, private URLs allowed for the local test servers, no default sources) and one check
for a clean failure, so a new setting or a stricter error rule changes one place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def newsbrief_script() -> str:
    """The installed console script beside this interpreter (or on PATH); skips if absent."""
    beside = Path(sys.executable).parent / "newsbrief"
    found = str(beside) if beside.exists() else shutil.which("newsbrief")
    if found is None:
        pytest.skip("the newsbrief console script is not installed")
    return found


def child_env(db_path: Path, **env: str) -> dict[str, str]:
    """The environment for a `newsbrief` child using `db_path`, plus any `env` overrides."""
    return {
        **os.environ,
        "NEWSBRIEF_DB": str(db_path),
        "NEWSBRIEF_ALLOW_PRIVATE_URLS": "true",
        "NEWSBRIEF_DEFAULT_SOURCES": "false",
        "NEWSBRIEF_LOG_LEVEL": "WARNING",
        **env,
    }


def newsbrief(
    tmp_path: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `newsbrief ARGS` to completion in `tmp_path`, with its database there."""
    return subprocess.run(
        [newsbrief_script(), *args],
        capture_output=True,
        text=True,
        env=child_env(tmp_path / "newsbrief.db", **env),
        cwd=tmp_path,
        input=stdin,
        timeout=90,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A clean failure: non-zero exit, one line on stderr containing `fragments`, no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def start_newsbrief(tmp_path: Path, *args: str, capture: bool = False) -> subprocess.Popen[str]:
    """Start `newsbrief ARGS` in the background (to kill or stop it); output kept if `capture`."""
    stream = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [newsbrief_script(), *args],
        env=child_env(tmp_path / "newsbrief.db"),
        cwd=tmp_path,
        stdout=stream,
        stderr=stream,
        text=True,
    )
