"""ROUGE evaluation: dataset loading, scoring, predictions and the `newsbrief eval` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rouge_score.rouge_scorer import RougeScorer

from summaries.cli import cli
from summaries.errors import SummarizeError
from summaries.evaluate import (
    EvalArticle,
    evaluate_method,
    half,
    load_dataset,
    rouge_scorer,
    write_predictions,
)
from tests.conftest import shared_file

ROWS = [
    {
        "id": "a1",
        "title": "",
        "text": "Heavy rain flooded the old town on Monday. Shops stayed shut all day. "
        "The mayor promised help for owners. Cleaning will take weeks.",
        "reference": "Heavy rain flooded the old town on Monday.\nShops stayed shut all day.",
        "lang": "en",
    },
    {
        "id": "a2",
        "title": "Trains cancelled",
        "text": "Storms cancelled most trains in the north on Friday. Thousands were stranded. "
        "Rail staff handed out water at the stations.",
        "reference": (
            "Storms cancelled most trains in the north on Friday.\nThousands were stranded."
        ),
        "lang": "en",
    },
]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in ROWS) + "\n", encoding="utf-8")
    return path


def test_load_dataset_reads_rows_and_limits(dataset: Path) -> None:
    articles = load_dataset(dataset)
    assert [a.id for a in articles] == ["a1", "a2"]
    assert articles[1].title == "Trains cancelled"
    assert len(load_dataset(dataset, limit=1)) == 1


def test_a_malformed_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + '{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(SummarizeError, match="line 2"):
        load_dataset(path)


def test_the_halves_split_the_articles_stably() -> None:
    articles = [EvalArticle(id=f"id-{n}", text="x", reference="x") for n in range(200)]
    dev, held_out = half(articles, "dev"), half(articles, "held-out")
    assert len(dev) + len(held_out) == 200
    assert 70 < len(dev) < 130
    assert not {a.id for a in dev} & {a.id for a in held_out}
    assert half(list(reversed(articles)), "dev") == list(reversed(dev))
    with pytest.raises(SummarizeError, match="held-out"):
        half(articles, "test")


def test_lead_scores_100_when_the_reference_is_the_lead(dataset: Path) -> None:
    score, predictions = evaluate_method(load_dataset(dataset), "lead", sentences=2)
    assert score.articles == 2
    assert score.rouge1 == score.rouge2 == score.rouge_lsum == pytest.approx(100.0)
    assert score.ms_per_article > 0
    assert predictions[0].sentences == tuple(ROWS[0]["reference"].split("\n"))


def test_an_article_without_sentences_scores_zero() -> None:
    article = EvalArticle(id="empty", text=" ... ", reference="Something happened.")
    score, predictions = evaluate_method([article], "default")
    assert score.rouge1 == 0.0
    assert predictions[0].sentences == ()


def test_the_cached_scorer_matches_rouge_score() -> None:
    reference = "Storms cancelled most trains running in the north.\nThousands were stranded."
    candidate = "Most trains were cancelled by storms.\nThousands of travellers stranded."
    stock = RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    assert rouge_scorer().score(reference, candidate) == stock.score(reference, candidate)


def test_predictions_are_written_as_json_lines(dataset: Path, tmp_path: Path) -> None:
    _, predictions = evaluate_method(load_dataset(dataset), "default", sentences=1)
    out = tmp_path / "out.jsonl"
    assert write_predictions(out, predictions) == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == {"id": "a1", "method": "default", "summary": list(predictions[0].sentences)}


def test_eval_command_prints_a_table(dataset: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["eval", str(dataset), "-m", "lead", "-m", "default"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "tiny.jsonl: 2 articles, 3 sentences per summary"
    assert lines[1].split() == ["method", "ROUGE-1", "ROUGE-2", "R-Lsum", "ms/article"]
    assert [line.split()[0] for line in lines[2:4]] == ["lead", "default"]


def test_eval_command_json_and_predictions(dataset: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "pred.jsonl"
    args = ["eval", str(dataset), "-m", "lead", "-s", "2", "--json", "--predictions", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)
    assert row["method"] == "lead"
    assert row["articles"] == 2
    assert row["rouge1"] == pytest.approx(100.0)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_eval_command_rejects_bad_input(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(bad)])
    assert result.exit_code == 1
    assert "line 1" in result.output
    assert "Traceback" not in result.output
    unknown = CliRunner().invoke(cli, ["eval", str(bad), "-m", "magic"])
    assert unknown.exit_code == 2
    assert "lexrank" in unknown.output


@pytest.mark.shared
def test_default_beats_lexrank_on_real_news() -> None:
    articles = load_dataset(shared_file("data/cnndm-dev.jsonl"), limit=20)
    default, _ = evaluate_method(articles, "default")
    lexrank, _ = evaluate_method(articles, "lexrank")
    for field in ("rouge1", "rouge2", "rouge_lsum"):
        assert getattr(default, field) > getattr(lexrank, field) + 3.0


def test_eval_command_rejects_a_dataset_that_is_not_text(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00junk\n")
    result = CliRunner().invoke(cli, ["eval", str(binary), "-m", "lead"])
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_eval_command_rejects_an_empty_dataset(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(empty), "-m", "lead"])
    assert result.exit_code == 1
    assert "No articles to score" in result.output


def test_an_unwritable_predictions_path_fails_before_the_run(
    dataset: Path, tmp_path: Path, monkeypatch
) -> None:
    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluated before checking the predictions path")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("summaries.cli.evaluate.evaluate_method", no_scoring)
    out = tmp_path / "missing" / "pred.jsonl"
    result = CliRunner().invoke(
        cli, ["eval", str(dataset), "-m", "lead", "--predictions", str(out)]
    )
    assert result.exit_code == 1
    assert f"Cannot write the predictions to {out}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
