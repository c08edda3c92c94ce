"""`newsbrief status`: is newsbrief working? The overview, and what needs attention."""

from __future__ import annotations

import json

import click

from summaries.cli.sources import opened
from summaries.config import Settings
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


def register(group: click.Group) -> None:
    """Attach `status` to the `newsbrief` command group."""
    group.add_command(status_command)
