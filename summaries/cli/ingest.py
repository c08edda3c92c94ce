"""`newsbrief ingest` (poll every source once, now) and `newsbrief worker` (poll on schedule)."""

from __future__ import annotations

import asyncio
import json
import sys
from contextlib import nullcontext
from typing import Any

import click

from summaries.cli.sources import opened
from summaries.config import Settings
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester, IngestReport
from summaries.models import Source
from summaries.schedule import run_worker
from summaries.sources import list_sources


def report_json(report: IngestReport) -> dict[str, Any]:
    """The outcome as one JSON object with stable field names."""
    return {
        "sources_polled": report.sources_polled,
        "new_articles": report.new_articles,
        "duplicates": report.duplicates,
        "skipped": report.skipped,
        "failures": [{"source": name, "error": error} for name, error in report.failures],
    }


async def _ingest_once(settings: Settings, show_progress: bool) -> IngestReport:
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        with opened(settings) as db:
            total = len(list_sources(db, enabled_only=True))
            bar = (
                click.progressbar(length=total, label="Polling sources", file=sys.stderr)
                if show_progress and total
                else None
            )
            with bar or nullcontext():

                def advance(source: Source) -> None:
                    if bar is not None:
                        bar.update(1)

                return await Ingester(db, fetcher, settings).run_due(force=True, progress=advance)


@click.command("ingest")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@click.pass_obj
def ingest_command(settings: Settings, as_json: bool) -> None:
    """Poll every enabled source once, now, store what is new, and exit."""
    report = asyncio.run(_ingest_once(settings, show_progress=sys.stderr.isatty() and not as_json))
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False))
        return
    for name, error in report.failures:
        click.echo(f"  {name}: {error}", err=True)
    if not report.sources_polled:
        click.echo("No enabled sources. Add one with `newsbrief sources add URL`.", err=True)
    click.echo(report.outcome())


@click.command("worker")
@click.pass_obj
def worker_command(settings: Settings) -> None:
    """Poll each source on its interval (with jitter and back-off) until Ctrl-C or SIGTERM."""
    asyncio.run(run_worker(settings))
    click.echo("Worker stopped.", err=True)


def register(group: click.Group) -> None:
    """Attach `ingest` and `worker` to the `newsbrief` command group."""
    group.add_command(ingest_command)
    group.add_command(worker_command)
