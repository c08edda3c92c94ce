"""`newsbrief backup` (a consistent copy, taken while newsbrief runs) and `newsbrief restore`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from summaries.backup import backup
from summaries.config import Settings
from summaries.errors import BackupError
from summaries.restore import restore
from summaries.schedule import instance_lock
from summaries.store import open_database, utcnow


@click.command("backup")
@click.argument("destination", required=False, type=click.Path())
@click.pass_obj
def backup_command(settings: Settings, destination: str | None) -> None:
    """Copy the database to DESTINATION (a file, or a directory; default NEWSBRIEF_BACKUP_DIR,
    else the current directory) while newsbrief keeps running."""
    if destination is None:
        where = settings.backup_dir or Path()
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BackupError(
                f"Cannot use NEWSBRIEF_BACKUP_DIR={where} as a directory"
                f" ({error.strerror}): set it to a directory, or give a destination."
            ) from None
    else:
        where = Path(destination)
    with _path_errors():
        if destination is not None and destination.endswith("/") and not where.is_dir():
            # Path() drops the slash: the backup would become a file named like the directory
            raise BackupError(f"The directory {destination} does not exist: create it first.")
        snapshot = backup(settings.db_path, where, now=utcnow())
    click.echo(f"Backed up {settings.db_path} to {snapshot.path}: {snapshot.describe()}.")


@click.command("restore")
@click.argument("backup_file", type=click.Path(path_type=Path))
@click.pass_obj
def restore_command(settings: Settings, backup_file: Path) -> None:
    """Put BACKUP_FILE in place of the database (stop `newsbrief run` and `worker` first); the
    replaced database is kept beside it."""
    with _path_errors(), instance_lock(settings.db_path):  # refused while `run`/`worker` holds it
        snapshot, kept = restore(backup_file, settings.db_path, now=utcnow())
        open_database(settings.db_path).close()  # an older backup is brought up to date now
    click.echo(f"Restored {settings.db_path} from {backup_file}: {snapshot.describe()}.")
    if kept is not None:
        click.echo(f"The database it replaced is now {kept}; delete it once all is well.")


@contextmanager
def _path_errors() -> Iterator[None]:
    """A path the file system refuses to look at (a directory this user may not enter, a name
    too long) is the operator's to fix, so one line, not a traceback."""
    try:
        yield
    except OSError as error:
        where = "a file" if error.filename is None else error.filename
        raise BackupError(
            f"Cannot use {where} ({error.strerror}): check the path and its permissions."
        ) from None


def register(group: click.Group) -> None:
    """Attach `backup` and `restore` to the `newsbrief` command group."""
    group.add_command(backup_command)
    group.add_command(restore_command)
