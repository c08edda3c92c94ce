"""Operator commands fed what an operator can get wrong: each answer is one line that says
what to do, and nothing is changed on the way (status, backup, restore, the database path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summaries.config import Settings
from summaries.errors import ConfigError, SummarizeError
from summaries.evaluate import load_dataset
from summaries.status import collect_status, problems
from summaries.store import open_database
from tests.cli_helpers import assert_one_line_error, newsbrief
from tests.test_topics_support import NOW


def _database(path: Path) -> Path:
    open_database(path).close()
    return path


def test_status_names_a_backup_dir_that_is_a_file_instead_of_waiting_for_a_first_backup(
    tmp_path: Path,
) -> None:
    (tmp_path / "backups").write_text("not a directory")
    _database(tmp_path / "newsbrief.db")
    result = newsbrief(tmp_path, "status", "--check", NEWSBRIEF_BACKUP_DIR="backups")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "- NEWSBRIEF_BACKUP_DIR=backups cannot hold backups: it is a file, not a directory."
        in result.stdout
    )
    assert "No backup in" not in result.stdout


def test_status_names_a_backup_dir_it_may_not_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root may list any directory, so the refusal another user gets is made here."""
    directory = tmp_path / "backups"
    directory.mkdir()
    listed = Path.iterdir

    def refused(path: Path) -> object:
        if path == directory:
            raise PermissionError(13, "Permission denied", str(path))
        return listed(path)

    monkeypatch.setattr(Path, "iterdir", refused)
    db = open_database(":memory:")
    status = collect_status(db, now=NOW, database=None, backup_dir=directory)
    db.close()
    assert status.last_backup is None
    found = problems(status, now=NOW, poll_interval=900)
    assert f"NEWSBRIEF_BACKUP_DIR={directory} cannot hold backups: it cannot be read" in found[-1]
    assert "Permission denied" in found[-1]


def test_status_of_a_database_that_is_not_there_fails_instead_of_making_one(
    tmp_path: Path,
) -> None:
    """A cron `status --check` with a typo in NEWSBRIEF_DB answered "All well" for ever."""
    for args in (["status"], ["status", "--check"], ["status", "--json"]):
        result = newsbrief(tmp_path, *args, NEWSBRIEF_DB="newsbreif.db")
        assert_one_line_error(result, "There is no database at newsbreif.db", str(tmp_path))
        assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_database_path_that_is_a_directory_is_named_by_every_command(tmp_path: Path) -> None:
    """Commands without the instance lock (status, backup, sources) told the operator to make
    the directory writable, which it already was."""
    (tmp_path / "data").mkdir()
    for command in (["status"], ["sources", "list"], ["backup", "copy.db"]):
        result = newsbrief(tmp_path, *command, NEWSBRIEF_DB=str(tmp_path / "data"))
        if command[0] == "backup":
            assert_one_line_error(result, "There is no database file at")
        else:
            assert_one_line_error(result, "NEWSBRIEF_DB is a directory", "data/newsbrief.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_restoring_the_database_onto_itself_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    database = _database(tmp_path / "newsbrief.db")
    result = newsbrief(tmp_path, "restore", "newsbrief.db")
    assert_one_line_error(result, "newsbrief.db is the database itself: give a backup file.")
    assert not list(tmp_path.glob("*.before-restore-*"))
    assert database.is_file()


def test_restoring_a_backup_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    _database(tmp_path / "newsbrief.db")
    result = newsbrief(tmp_path, "restore", "newsbrief-20261125T031700Z.db")
    assert_one_line_error(result, "There is no backup file at newsbrief-20261125T031700Z.db.")
    assert not list(tmp_path.glob("*.before-restore-*"))


GOOD_ROW = {"id": "a", "text": "One sentence. Another one.", "reference": "One sentence."}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"reference": None}, "text, reference and title must be strings"),
        ({"text": 5}, "text, reference and title must be strings"),
        ({"reference": ["One sentence."]}, "text, reference and title must be strings"),
        ({"title": {"en": "x"}}, "text, reference and title must be strings"),
        ({"id": None}, "id must be a string or a number"),
        ({"id": True}, "id must be a string or a number"),
    ],
)
def test_a_dataset_row_of_the_wrong_types_is_refused_not_scored_as_its_python_spelling(
    tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    path = tmp_path / "d.jsonl"
    rows = [GOOD_ROW, {**GOOD_ROW, **change}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(SummarizeError, match=f"d.jsonl, line 2: .*TypeError: {reason}"):
        load_dataset(path)


def test_dataset_rows_that_are_fine_load_as_before(tmp_path: Path) -> None:
    """A number as id, no title or a null title: as the shared data and older files have."""
    path = tmp_path / "d.jsonl"
    rows = [{**GOOD_ROW, "id": 7}, {**GOOD_ROW, "title": None}, {**GOOD_ROW, "title": "T"}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert [(a.id, a.title) for a in load_dataset(path)] == [("7", ""), ("a", ""), ("a", "T")]


def test_eval_names_a_row_that_is_no_json_object_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(json.dumps(GOOD_ROW) + "\n[1, 2]\n", encoding="utf-8")
    result = newsbrief(tmp_path, "eval", "d.jsonl", "--method", "lead")
    assert_one_line_error(result, "d.jsonl, line 2:", "TypeError: a row is a JSON object")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/srv/back\x00ups", "NEWSBRIEF_BACKUP_DIR must not contain a NUL character"),
        ("/srv/" + "b" * 256, "NEWSBRIEF_BACKUP_DIR is too long for a file name"),
        ("~nosuchuser/backups", "NEWSBRIEF_BACKUP_DIR starts with '~nosuchuser', but there is no"),
    ],
)
def test_a_backup_dir_no_file_system_can_name_is_refused_at_start_up(
    value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"NEWSBRIEF_BACKUP_DIR": value}, env_file=None)


def test_a_backup_dir_from_home_and_an_empty_one_are_read_as_meant() -> None:
    home = Settings.from_env({"NEWSBRIEF_BACKUP_DIR": "~/backups"}, env_file=None)
    assert home.backup_dir == Path.home() / "backups"
    assert Settings.from_env({"NEWSBRIEF_BACKUP_DIR": "  "}, env_file=None).backup_dir is None
