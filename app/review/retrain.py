"""`forum moderation retrain`: the engine's learned layer relearns from its corpus and the moderators' verdicts.

Each moderator decision on a flagged or reported post leaves a label (the
category confirmed or dismissed, `review.labels`). Retraining reads them from
the database, in memory only, and fits the model on the shipped corpus
(`moderation/data/*.jsonl`) plus those posts. It prints the new model's scores
on held-out writers (each corpus file, and the moderators' labels, scored by a
model that never saw them) before switching; the model it replaces is kept
for `--rollback`. The model file holds hashed feature weights only: no text
of any post, so labels never leave the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from moderation import corpus, model
from moderation.corpus import LABELS, Example
from moderation.types import LANGUAGES

moderation_cli = typer.Typer(help="The moderation engine's learned layer: retrain, roll back, status.",
                             no_args_is_help=True)

_COLD_TURKEY = frozenset({"cold_turkey_advice", "cold_turkey_self"})


def _cold_turkey_label(text: str, lang: str) -> str:
    """A confirmed cold-turkey flag is about the poster's own stop or advice to others, as the engine reads it."""
    import moderation

    abouts = {f.about for f in moderation.check(text, lang) if f.category == "cold_turkey_advice"}
    return "cold_turkey_self" if abouts == {"self"} else "cold_turkey_advice"


def label_examples(rows: Iterable[tuple[str, str, str, bool]]) -> list[Example]:
    """Training posts from (text, lang, category, confirmed) verdicts, oldest first.

    Verdicts on the same text are one post; a later verdict on a category
    replaces an earlier one (an appeal that overturned a decision). Only the
    categories judged are known: the others are left out of that post's
    training, not counted as absent.
    """
    verdicts: dict[tuple[str, str], dict[str, bool]] = {}
    for text, lang, category, confirmed in rows:
        if lang in LANGUAGES and text.strip() and category in LABELS:
            verdicts.setdefault((lang, text), {})[category] = confirmed
    examples = []
    for (lang, text), judged in verdicts.items():
        known: set[str] = set()
        labels: set[str] = set()
        for category, confirmed in judged.items():
            if category == "cold_turkey_advice":
                known |= _COLD_TURKEY
                if confirmed:
                    labels.add(_cold_turkey_label(text, lang))
            else:
                known.add(category)
                if confirmed:
                    labels.add(category)
        # The id (and so the side of the split) follows the text: the same post always lands on the same side.
        digest = hashlib.sha256(f"{lang}\0{text}".encode()).hexdigest()[:20]
        examples.append(Example(f"moderators-{digest}", lang, text, frozenset(labels), "moderators", frozenset(known)))
    return examples


def moderator_examples(session: Session) -> list[Example]:
    from app.review.labels import list_labels

    return label_examples((row.text, row.lang, row.category, row.confirmed) for row in list_labels(session))


def model_dir() -> Path:
    from app.settings import get_settings

    return get_settings().moderation_model_dir


def _first_line(path: Path) -> str:
    try:
        return model.read_meta(path).splitlines()[0]
    except (OSError, ValueError, KeyError):
        return "(unreadable)"


@moderation_cli.command("retrain")
def retrain(
    dry_run: bool = typer.Option(False, "--dry-run", help="Train and report the scores; switch nothing."),
    rollback: bool = typer.Option(False, "--rollback", help="Return to the model in use before the last switch."),
) -> None:
    """Rebuild the model from the shipped corpus and moderators' labels; report held-out scores, then switch."""
    directory = model_dir()
    if rollback:
        try:
            active = model.rollback(directory)
        except model.ModelError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"rolled back: now using {active} ({_first_line(active)})")
        return
    try:
        from moderation.train import train
    except ImportError as exc:
        typer.echo(f"retraining needs the training extra (scikit-learn): pip install '.[train]' ({exc})", err=True)
        raise typer.Exit(2) from exc
    from app.db import Database
    from app.settings import get_settings

    db = Database(get_settings())
    try:
        with db.session(write=False) as session:
            extra = moderator_examples(session)
    finally:
        db.dispose()
    shipped = corpus.load()
    typer.echo(f"{len(shipped)} corpus posts and {len(extra)} posts judged by moderators")
    trained = train(shipped + extra)
    if trained is None:
        typer.echo("need labelled posts from at least two corpus files", err=True)
        raise typer.Exit(1)
    typer.echo("\n".join(trained.report))
    if dry_run:
        typer.echo("dry run: the model in use is unchanged")
        return
    meta = trained.meta.replace("; C=", f" incl. {len(extra)} judged by moderators; C=", 1)
    active = model.install(directory, trained.model, meta=meta)
    typer.echo(f"now using {active}; the model before it is kept (forum moderation retrain --rollback)")


@moderation_cli.command("status")
def status() -> None:
    """Which model the engine uses, and the one a rollback would return to."""
    directory = model_dir()
    active = directory / model.ACTIVE_NAME
    previous = directory / model.PREVIOUS_NAME
    in_use = active if active.exists() else model.MODEL_FILE
    typer.echo(f"in use: {in_use} ({_first_line(in_use)})")
    if active.exists() or previous.exists():
        back = previous if previous.exists() else model.MODEL_FILE
        typer.echo(f"a rollback returns to: {back} ({_first_line(back)})")
