"""`newsbrief eval`'s table heading, as an operator reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from summaries.cli import cli
from tests.test_evaluate import dataset

__all__ = ["dataset"]  # the fixture, shared with the evaluation tests


def test_the_heading_says_one_article_and_one_sentence_in_the_singular(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["eval", str(dataset), "-m", "lead", "--sentences", "1", "--limit", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "tiny.jsonl: 1 article, 1 sentence per summary"
