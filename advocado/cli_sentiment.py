"""CLI commands for sentiment: `advocado score` and the `advocado sentiment` group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import sentiment
from advocado.context import UserError, console, database, friendly_errors, progress, settings
from storage import get_brand

sentiment_app = typer.Typer(help="Sentiment: score texts, evaluate the model on labelled data, show the model.", no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def configured_model() -> sentiment.SentimentModel:
    """The model named by the settings (`ADVOCADO_SENTIMENT_MODEL` and friends)."""
    config = settings()
    try:
        return sentiment.load_model(
            config.sentiment_model,
            labels=config.sentiment_labels,
            quantize_int8=config.sentiment_quantize,
            threads=config.sentiment_threads,
        )
    except sentiment.SentimentError as error:
        raise UserError(str(error)) from None


@friendly_errors
def score(
    brand: Annotated[str | None, typer.Option("--brand", help="Only this brand's mentions.")] = None,
    rescore: Annotated[bool, typer.Option("--rescore", help="Score every mention again, not only unscored ones.")] = False,
) -> None:
    """Score the sentiment of mentions that have no score from the configured model yet."""
    model = configured_model()
    db = database()
    with db.read() as session:
        chosen = get_brand(session, brand) if brand else None
        total = sentiment.count_to_score(session, model, chosen, rescore)
    with progress("Scoring sentiment", total) as advance:
        scored = sentiment.score_mentions(db, model, chosen, rescore=rescore, on_progress=advance)
    console.print(f"Scored {scored} mention{'s' if scored != 1 else ''} with {model.model_id} {model.version}.")


@sentiment_app.command("score")
@friendly_errors
def sentiment_score(
    texts: Annotated[list[str], typer.Argument(help="Texts to score.")],
    as_json: Json = False,
) -> None:
    """Print the sentiment label and probabilities of each text."""
    scores = sentiment.score_texts(texts, configured_model())
    if as_json:
        rows = [{"text": t, "label": s.label, "probabilities": s.probabilities} for t, s in zip(texts, scores)]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("text", "label", *sentiment.SENTIMENTS)
    for text, result in zip(texts, scores):
        shown = text if len(text) <= 60 else text[:57] + "..."
        table.add_row(shown, result.label, *(f"{result.probabilities[s]:.3f}" for s in sentiment.SENTIMENTS))
    console.print(table)


@sentiment_app.command("eval")
@friendly_errors
def sentiment_eval(
    path: Annotated[Path, typer.Argument(help="A `text<TAB>label` file with a header line.")],
    as_json: Json = False,
) -> None:
    """Evaluate the configured model on a labelled file (labels negative/neutral/positive)."""
    model = configured_model()
    try:
        report = sentiment.evaluate_file(path, model)
    except sentiment.DataFileError as error:
        raise UserError(str(error)) from None
    if as_json:
        typer.echo(json.dumps({key: report[key] for key in ("n", "accuracy", "macro_f1", "macro_recall", "per_class")}))
        return
    kind = "binary: P(positive) vs P(negative)" if report["binary"] else "3 classes"
    console.print(f"{path} ({kind}) with {model.model_id} {model.version}")
    console.print(
        f"n {report['n']}  accuracy {report['accuracy']:.3f}  macro-F1 {report['macro_f1']:.3f}  "
        f"macro-recall {report['macro_recall']:.3f}"
    )
    table = Table("class", "precision", "recall", "F1", "support")
    for label, row in report["per_class"].items():
        table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"]))
    console.print(table)


@sentiment_app.command("info")
@friendly_errors
def sentiment_info(as_json: Json = False) -> None:
    """Show the configured model: id, version, size and where it was loaded from."""
    info = configured_model().info()
    if as_json:
        typer.echo(json.dumps(info))
        return
    for key, value in info.items():
        console.print(f"{key}: {value}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("score")(score)
    app.add_typer(sentiment_app, name="sentiment")
