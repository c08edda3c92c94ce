"""The paired comparison of two methods (`newsbrief eval --against`): mean difference, its
standard error and the tally, checked against figures worked out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from summaries.cli import cli
from summaries.compare import paired_difference
from summaries.errors import SummarizeError
from summaries.evaluate import MethodScore
from tests.test_evaluate import dataset

__all__ = ["dataset"]  # the fixture, shared with the evaluation tests


def _score(method: str, rows: list[tuple[float, float, float]]) -> MethodScore:
    means = [sum(r[i] for r in rows) / len(rows) for i in range(3)]
    return MethodScore(method, len(rows), *means, ms_per_article=1.0, per_article=tuple(rows))


def test_the_difference_is_paired_article_by_article() -> None:
    """Articles that are hard for both methods do not widen the error: only the differences
    (+2, +4, 0) count, so the standard error is sd(2, 4, 0) / √3 = 2 / √3."""
    method = _score("default", [(12.0, 5.0, 10.0), (54.0, 30.0, 50.0), (30.0, 10.0, 20.0)])
    lead = _score("lead", [(10.0, 5.0, 10.0), (50.0, 30.0, 50.0), (30.0, 12.0, 20.0)])

    difference = paired_difference(method, lead)

    assert difference.means == pytest.approx((2.0, -2 / 3, 0.0))
    assert difference.errors[0] == pytest.approx(2 / math.sqrt(3))
    assert difference.errors[2] == 0.0
    assert (difference.ahead, difference.behind, difference.level) == (2, 0, 1)
    assert difference.describe() == (
        "default - lead: R-1 +2.00 ± 1.15, R-2 -0.67 ± 0.67, R-Lsum +0.00 ± 0.00;"
        " ahead on 2, behind on 0, level on 1 (R-1, by article)"
    )


def test_methods_scored_on_different_articles_are_not_compared() -> None:
    one = _score("default", [(1.0, 1.0, 1.0)])
    two = _score("lead", [(1.0, 1.0, 1.0), (2.0, 2.0, 2.0)])
    with pytest.raises(SummarizeError, match="same, scored articles"):
        paired_difference(one, two)


def test_eval_against_scores_the_baseline_too_and_prints_the_difference(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["eval", str(dataset), "-m", "default", "--against", "lead"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines[2:4]] == ["default", "lead"]
    assert lines[4].startswith("default - lead: R-1 ")
    assert "ahead on" in lines[4]

    as_json = CliRunner().invoke(
        cli, ["eval", str(dataset), "-m", "default", "--against", "lead", "--json"]
    )
    rows = [json.loads(line) for line in as_json.output.splitlines()]
    assert rows[0]["against"]["method"] == "lead"
    assert set(rows[0]["against"]) == {
        "method",
        "difference",
        "standard_error",
        "ahead",
        "behind",
        "level",
    }
    assert "against" not in rows[1]
