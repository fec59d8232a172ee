"""`advocado score` and `advocado sentiment score|eval|info`, run in-process against tiny local models."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from advocado import context
from advocado.cli import app
from advocado.context import database
from storage import MentionIn, SentimentScore, add_brand, add_source, ingest

ThreeLabels = ["negative", "neutral", "positive"]
SMALL_EVAL = "text\tlabel\ngood\tpositive\nawful\tnegative\nit is okay\tneutral\nlove it\tpositive\n"


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tiny(tiny_models: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tiny_models(ThreeLabels)
    monkeypatch.setenv("ADVOCADO_SENTIMENT_MODEL", str(path))
    return path


def add_mentions(texts: list[str], brand: str = "Acme") -> int:
    db = database()
    with db.write() as session:
        source = add_source(session, add_brand(session, brand), "file", name=f"{brand}.csv")
        source_id = source.id
    assert source_id is not None
    items = [MentionIn(external_id=f"{brand}-{i}", text=text) for i, text in enumerate(texts)]
    ingest(db, source_id, items)
    return source_id


def scores() -> list[SentimentScore]:
    with database().read() as session:
        return list(session.exec(select(SentimentScore).order_by(SentimentScore.id)))


def test_sentiment_score_prints_json_per_text(cli: CliRunner, tiny: Path) -> None:
    code, out, err = run(cli, "sentiment", "score", "good", "", "awful service", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [row["text"] for row in rows] == ["good", "", "awful service"]
    assert rows[1]["label"] == "neutral" and rows[1]["probabilities"]["neutral"] == 1.0
    for row in rows:
        assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
        assert row["label"] == max(row["probabilities"], key=row["probabilities"].get)


def test_eval_prints_the_metrics_as_json(cli: CliRunner, tiny: Path, tmp_path: Path) -> None:
    labelled = tmp_path / "small.tsv"
    labelled.write_text(SMALL_EVAL)
    code, out, err = run(cli, "sentiment", "eval", str(labelled), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert set(report) == {"n", "accuracy", "macro_f1", "macro_recall", "per_class"}
    assert report["n"] == 4
    assert set(report["per_class"]) == set(ThreeLabels)
    assert report["per_class"]["positive"]["support"] == 2
    code, out, err = run(cli, "sentiment", "eval", str(labelled))
    assert code == 0, err
    assert "n 4" in out and "macro-recall" in out


def test_eval_on_a_malformed_file_is_one_line_and_exit_1(cli: CliRunner, tiny: Path, tmp_path: Path) -> None:
    labelled = tmp_path / "bad.tsv"
    labelled.write_text("text\tlabel\ngreat\tthumbs-up\n")
    code, _, err = run(cli, "sentiment", "eval", str(labelled))
    assert code == 1
    assert "bad.tsv:2: unknown label 'thumbs-up'" in err
    assert "Traceback" not in err


def test_info_names_the_model_and_where_it_came_from(cli: CliRunner, tiny: Path) -> None:
    code, out, err = run(cli, "sentiment", "info", "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["model_id"] == str(tiny)
    assert info["source"] == str(tiny.resolve())
    assert info["parameters"] > 0 and info["version"]


def test_an_unloadable_model_is_a_one_line_error(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCADO_SENTIMENT_MODEL", "no-such-org/no-such-model")
    code, _, err = run(cli, "sentiment", "score", "good")
    assert code == 1
    assert "cannot load sentiment model 'no-such-org/no-such-model'" in err


def test_score_fills_in_unscored_mentions_and_rescores_after_a_model_change(
    cli: CliRunner, tiny: Path, tiny_models: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    source_id = add_mentions(["good", "awful service", "it is okay"])
    add_mentions(["love this product"], brand="Other")

    code, out, err = run(cli, "score", "--brand", "acme")
    assert code == 0, err
    assert "Scored 3 mentions" in out
    first = scores()
    assert len(first) == 3 and {s.model_id for s in first} == {str(tiny)}
    assert run(cli, "score", "--brand", "Acme")[1].startswith("Scored 0 mentions")

    ingest(database(), source_id, [MentionIn(external_id="Acme-1", text="awful, awful service")])
    assert "Scored 1 mention " in run(cli, "score", "--brand", "Acme")[1]

    other_model = tiny_models(ThreeLabels, seed=1)
    monkeypatch.setenv("ADVOCADO_SENTIMENT_MODEL", str(other_model))
    context.settings.cache_clear()
    code, out, err = run(cli, "score")
    assert code == 0, err
    assert "Scored 4 mentions" in out
    assert sorted(s.model_id for s in scores()) == sorted([str(tiny)] * 3 + [str(other_model)] * 4)

    before = {s.mention_id: s.scored_at for s in scores() if s.model_id == str(other_model)}
    assert "Scored 4 mentions" in run(cli, "score", "--rescore")[1]
    after = {s.mention_id: s.scored_at for s in scores() if s.model_id == str(other_model)}
    assert after.keys() == before.keys()
    assert all(after[m] > before[m] for m in before)


def test_score_for_an_unknown_brand_is_a_one_line_error(cli: CliRunner, tiny: Path) -> None:
    code, _, err = run(cli, "score", "--brand", "Nobody")
    assert code == 1
    assert "no brand named 'Nobody'" in err


def test_a_title_is_scored_together_with_the_text() -> None:
    from sentiment import mention_text
    from storage import Mention

    assert mention_text(Mention(external_id="1", content_hash="h", title="Broken", text="Stopped after a day")) == "Broken. Stopped after a day"
    assert mention_text(Mention(external_id="2", content_hash="h", title="Great", text="  ")) == "Great"
    assert mention_text(Mention(external_id="3", content_hash="h", text="Just text")) == "Just text"
