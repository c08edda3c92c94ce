"""`newsbrief status`: is newsbrief working? The overview, and what needs attention."""

from __future__ import annotations

import json
from pathlib import Path

import click

from summaries.cli.sources import opened
from summaries.config import Settings
from summaries.errors import ConfigError
from summaries.status import collect_status, overview, problems
from summaries.store import utcnow


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--check", is_flag=True, help="Exit with status 1 when something needs attention (for cron)."
)
@click.pass_obj
def status_command(settings: Settings, as_json: bool, check: bool) -> None:
    """Stories, sources, chats, messages and backups at a glance, and what needs attention."""
    _refuse_missing(settings.db_path)
    now = utcnow()
    with opened(settings) as db:
        status = collect_status(
            db, now=now, database=settings.db_path, backup_dir=settings.backup_dir
        )
    found = problems(status, now=now, poll_interval=settings.poll_interval)
    if as_json:
        click.echo(json.dumps({**status.as_json(), "problems": found}, ensure_ascii=False))
    else:
        for line in overview(status, now=now):
            click.echo(line)
        click.echo("Needs attention:" if found else "All well.")
        for problem in found:
            click.echo(f"- {problem}")
    if check and found:
        raise SystemExit(1)


def _refuse_missing(database: Path) -> None:
    """A status of a database that is not there would create an empty one and answer "All
    well": a cron `status --check` run from another directory (a relative NEWSBRIEF_DB) or with
    a typo in the path would report a healthy newsbrief for ever."""
    if str(database) == ":memory:" or database.exists() or Path(f"{database}-wal").exists():
        return  # a lone -wal: opening says it was moved while newsbrief ran
    raise ConfigError(
        f"There is no database at {database} (working directory {Path.cwd()}): check"
        " NEWSBRIEF_DB. `newsbrief run`, `worker` or `ingest` creates it."
    )


def register(group: click.Group) -> None:
    """Attach `status` to the `newsbrief` command group."""
    group.add_command(status_command)
