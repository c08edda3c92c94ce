"""Documentation keeps up with the code: every command and every setting is in the README."""

from __future__ import annotations

from pathlib import Path

import click

from bot.app import build_application
from bot.commands import command_specs
from bot.main import run
from bot.services import Services
from summaries.cli import cli
from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.store import open_database

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "newsbrief") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


def test_every_cli_command_has_help_and_is_in_the_readme() -> None:
    commands = [*_commands(cli), ("newsbrief run", run)]
    assert len(commands) > 10
    for path, command in commands:
        assert (command.help or "").strip(), f"{path} has no help text"
        words = path.split()
        documented = " ".join(words) in README or (
            len(words) == 3 and f"newsbrief {words[1]}" in README and words[2] in README
        )
        assert documented, f"`{path}` is not described in README.md"


def test_every_bot_command_is_in_the_readme() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "123:abc"}, env_file=None)
    services = Services(settings, open_database(":memory:"), Fetcher(FetchPolicy()))
    application = build_application(services)
    specs = command_specs(application)
    assert {"start", "help", "latest", "search", "summary", "subscribe", "digest"} <= {
        s.name for s in specs
    }
    for spec in specs:
        assert spec.summary and spec.example, f"/{spec.name} lacks a summary or an example"
        assert f"/{spec.name}" in README, f"/{spec.name} is not described in README.md"
