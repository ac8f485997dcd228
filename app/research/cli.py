"""`forum research ...`: projects, exports, the anonymiser, and the models' caches.

Contracts: `forum research project add --title T --institution I --ethics-ref R
--expires YYYY-MM-DD --approve` prints the new project's id;
`forum research export --project ID --format jsonl|csv|convokit --out FILE`;
`forum research anonymise --jsonl` reads `{"id", "lang", "text"}` lines and
writes `{"id", "text"}` lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
import time
from pathlib import Path

import typer

from app.db import Database
from app.research import exports, projects
from app.research.anonymise import nlp
from app.research.anonymise.core import Anonymiser, MemberNames
from app.research.schemas import ExportOptions
from app.settings import get_settings

research_cli = typer.Typer(help="Research: projects, consented and anonymised exports.", no_args_is_help=True)
project_cli = typer.Typer(help="Research projects.", no_args_is_help=True)
research_cli.add_typer(project_cli, name="project")


def _missing_models(rules_only_flag: str) -> None:
    status = nlp.status()
    typer.echo(f"The research NLP models are missing: {', '.join(status.missing)}.\n"
               f"Install them with: {nlp.INSTALL_HINT}\n"
               f"(or pass {rules_only_flag} to use the rules alone, which miss many names and places)", err=True)
    raise typer.Exit(2)


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{option}: expected a date as YYYY-MM-DD, got {value!r}", err=True)
        raise typer.Exit(2) from None


@project_cli.command("add")
def project_add(
    title: str = typer.Option(..., "--title"),
    institution: str = typer.Option(..., "--institution"),
    ethics_ref: str = typer.Option(..., "--ethics-ref", help="Ethics committee approval reference."),
    expires: str = typer.Option(None, "--expires", help="End of the approval, YYYY-MM-DD."),
    approve: bool = typer.Option(False, "--approve", help="Approve at once (needs --expires)."),
    purpose: str = typer.Option("", "--purpose"),
    member: list[str] = typer.Option([], "--member", help="Pseudonym of a researcher to add (repeatable)."),
) -> None:
    """Create a project (approved with --approve) and print its id."""
    from app.errors import AppError

    settings = get_settings()
    db = Database(settings)
    expires_on = _date(expires, "--expires")
    if approve and expires_on is None:
        typer.echo("--approve needs --expires YYYY-MM-DD", err=True)
        raise typer.Exit(2)
    try:
        with db.session() as session:
            project = projects.apply(session, applicant=None, title=title, institution=institution, purpose=purpose,
                                     ethics_ref=ethics_ref, data_requested="", retention="", accept_terms=False)
            if approve:
                projects.approve(session, project=project, actor=None, expires_on=expires_on)
            for pseudonym in member:
                projects.add_member(session, project=project, actor=None, pseudonym=pseudonym)
            session.commit()
            project_id = project.id
    except AppError as exc:
        field = getattr(exc, "field", None)
        typer.echo(f"{field + ': ' if field else ''}{exc.translated()}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(project_id)


@project_cli.command("list")
def project_list() -> None:
    """Every project with its status and expiry."""
    db = Database(get_settings())
    with db.session(write=False) as session:
        for project in projects.list_all_projects(session):
            typer.echo(f"{project.id}\t{project.status}\t{project.expires_on or '-'}\t{project.title} "
                       f"({project.institution}, {project.ethics_ref})")
    db.dispose()


@research_cli.command("export")
def export_command(
    project: int = typer.Option(..., "--project"),
    format: str = typer.Option("jsonl", "--format",
                               help="jsonl, csv, csv_excel (';' and decimal commas, for Excel) or convokit."),
    out: Path = typer.Option(..., "--out", help="The zip file to write."),
    lang: list[str] = typer.Option([], "--lang", help="Thread language (repeatable); default all."),
    category: list[str] = typer.Option([], "--category", help="Category slug (repeatable); default all."),
    since: str = typer.Option(None, "--since", help="First day, YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Day after the last, YYYY-MM-DD."),
    diary: str = typer.Option("none", "--diary", help="none, aggregated or entries."),
    dates: str = typer.Option("month", "--dates", help="month (coarsened) or shift (per-author offset)."),
    rules_only: bool = typer.Option(False, "--rules-only", help="Anonymise with the rules alone."),
) -> None:
    """Build an export of an approved project into FILE, with a progress bar; it is audited."""
    settings = get_settings()
    if rules_only:
        settings.research.anonymiser = "rules"
    elif settings.research.anonymiser == "nlp" and not nlp.status().ready:
        _missing_models("--rules-only")
    try:
        options = ExportOptions(format=format, langs=lang, categories=category,  # type: ignore[arg-type]
                                since=_date(since, "--since"), until=_date(until, "--until"),
                                diary=diary, dates=dates)  # type: ignore[arg-type]
    except ValueError as exc:
        typer.echo(f"invalid options: {exc}", err=True)
        raise typer.Exit(2) from None
    db = Database(settings)
    with typer.progressbar(length=1, label="exporting posts") as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            export = exports.export_from_cli(db, settings, project_id=project, options=options, out=out,
                                             progress=progress)
        except (LookupError, PermissionError) as exc:
            typer.echo(f"\n{exc}", err=True)
            raise typer.Exit(1) from None
        finally:
            db.dispose()
    counts = export.counts
    typer.echo(f"{out}: {counts.get('posts', 0)} posts ({counts.get('consented_posts', 0)} with consent) in "
               f"{counts.get('threads', 0)} threads; sha256 {export.sha256}")


@research_cli.command("anonymise")
def anonymise_command(
    jsonl: bool = typer.Option(False, "--jsonl", help='Read {"id", "lang", "text"} lines, write {"id", "text"}.'),
    lang: str = typer.Option("fr", "--lang", help="Language of a plain text read from stdin."),
    members: bool = typer.Option(True, "--members/--no-members", help="Also replace members' pseudonyms."),
    rules_only: bool = typer.Option(False, "--rules-only", help="Anonymise with the rules alone."),
    batch: int = typer.Option(64, "--batch", help="Lines anonymised together."),
) -> None:
    """Replace identifying data with typed placeholders ([PERSON], [EMAIL], [PHONE], ...)."""
    if not rules_only and not nlp.status().ready:
        _missing_models("--rules-only")
    names = MemberNames()
    if members:
        from app.accounts.service import iter_pseudonyms

        with contextlib.suppress(Exception):  # no database here: anonymise without the pseudonyms
            db = Database(get_settings())
            with db.session(write=False) as session:
                for _id, pseudonym in iter_pseudonyms(session):
                    names.add(pseudonym)
            db.dispose()
    anonymiser = Anonymiser(names, use_nlp=not rules_only)
    if not jsonl:
        sys.stdout.write(anonymiser.anonymise(sys.stdin.read(), lang))
        return
    pending: list[tuple[object, str, str]] = []

    def flush() -> None:
        results = anonymiser.anonymise_many([(text, language) for _id, language, text in pending])
        for (item_id, _language, _text), text in zip(pending, results, strict=True):
            sys.stdout.write(json.dumps({"id": item_id, "text": text}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        pending.clear()

    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            json.dumps(item["id"], allow_nan=False)  # an id read as 1e999 or NaN could not be written back as JSON
            pending.append((item["id"], str(item.get("lang") or lang), str(item["text"])))
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: nested too deep to read
            typer.echo(f"line {number}: expected a JSON object with id, lang and text", err=True)
            raise typer.Exit(2) from None
        if len(pending) >= batch:
            flush()
    flush()


@research_cli.command("warm")
def warm_command() -> None:
    """Build the NLP caches and load the models once (run at install time, never on a request)."""
    try:
        timings = nlp.warm()
    except nlp.NlpUnavailable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo("research models ready: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))


@research_cli.command("worker")
def worker_command(
    once: bool = typer.Option(False, "--once", help="Build what is queued, then stop."),
    interval: float = typer.Option(5.0, help="Seconds between polls when idle."),
) -> None:
    """Build requested exports and delete expired ones (run beside the app in production)."""
    settings = get_settings()
    db = Database(settings)
    if once:
        typer.echo(f"{exports.drain(db, settings)} export(s) built")
        db.dispose()
        return
    typer.echo("building research exports; Ctrl-C to stop")
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            if not exports.drain(db, settings):
                time.sleep(interval)


@research_cli.command("purge")
def purge_command() -> None:
    """Delete exports past their download period (the worker does this too)."""
    settings = get_settings()
    db = Database(settings)
    typer.echo(f"{exports.purge_expired(db, settings)} expired export(s) deleted")
    db.dispose()
