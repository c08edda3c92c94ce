"""The core (`summaries/`) never imports Telegram or the bot: checked statically on every file.

A static check, not an import-time one: an import hidden inside a function (or behind
`TYPE_CHECKING`) would slip past a runtime check until the day that code path runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "summaries"
FORBIDDEN = {"telegram", "bot"}


def forbidden_imports(source: str) -> list[str]:
    """The imported module names in `source` whose top-level package is forbidden."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
        else:
            continue
        found += [n for n in names if isinstance(n, str) and n.split(".")[0] in FORBIDDEN]
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import telegram",
        "import telegram.ext as ext",
        "from telegram import Bot",
        "from bot.render import render",
        "def f():\n    import bot.app\n",
        "if TYPE_CHECKING:\n    from telegram.ext import Application\n",
        "__import__('telegram')",
    ],
)
def test_checker_catches_each_import_form(source: str) -> None:
    assert forbidden_imports(source)


def test_checker_allows_lookalikes() -> None:
    assert forbidden_imports("import telegrams\nfrom robot import x\nfrom . import bot\n") == []


def test_core_never_imports_telegram_or_bot() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 5
    offenders = {
        str(path.relative_to(CORE.parent)): names
        for path in files
        if (names := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
