"""Evidence commands: ingest, search, facts, docs, show, digest and saved workflows."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from critmin.cli.app import JsonFlag, app, emit_json, make_console, make_table
from critmin.errors import CritminError, UsageError
from critmin.inputs import display_path
from critmin.kb import load_kb

#: Largest row count or id SQLite takes (a signed 64-bit integer).
MAX_ID = 2**63 - 1

# ---------------------------------------------------------------------------------------------
# evidence: ingest, search, facts, docs, show, digest, workflows

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Evidence database (default: CRITMIN_DB or evidence.db in the user data folder).")]
workflow_app = typer.Typer(help="Saved digest topics.", no_args_is_help=True)
app.add_typer(workflow_app, name="workflow")


@contextmanager
def _store(db: Path | None, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """The evidence database, open for the command; an SQLite failure while it is used (a store
    locked by another ingest beyond the 30 s wait, a damaged file, a full disk) is one `error:`
    line naming the database, not an internal error. Commits already made are kept."""
    from critmin.evidence import StoreError, connect, default_db_path

    with closing(connect(db, read_only=read_only)) as conn:
        try:
            yield conn
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{display_path(db or default_db_path())}: database error: {exc}") from None


def _parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date (expected YYYY-MM-DD)") from None


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    db: DbOption = None,
    workers: Annotated[int | None, typer.Option(
        min=0, help="Preparing processes (default: one per core for 64 files or more; 0 = none; "
                    "capped at the number of cores).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Store documents (digest pages, Markdown posts, HTML, text): parse, link, extract, index.

    Exit code 0 when every file succeeded, 3 when some failed (each reported as `file: reason`).
    """
    from critmin.evidence import (
        EXIT_SOME_FAILED,
        IngestReport,
        collect_paths,
        default_db_path,
        ingest_paths,
        linker_for,
    )

    kb = load_kb()
    files, unlisted = collect_paths(paths)
    files = _without_the_store(files, db or default_db_path())
    if not files and not unlisted:
        raise CritminError(f"no files to ingest in {', '.join(display_path(p) for p in paths)}")
    report = IngestReport()
    if files:
        with _store(db) as conn:
            linker = linker_for(kb)
            progress_console = Console(stderr=True)
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=progress_console,
                          disable=as_json or len(files) < 2 or not progress_console.is_terminal) as progress:
                task = progress.add_task("ingesting", total=len(files))
                report = ingest_paths(conn, linker, files, workers=workers,
                                      on_file=lambda _path: progress.advance(task))
    report.failed[:0] = unlisted
    if as_json:
        emit_json({"ingested": report.ingested, "duplicates": report.duplicates,
                    "near_duplicates": report.near_duplicates, "failed": report.failed,
                    "document_ids": report.document_ids})
    else:
        for failure in report.failed:
            typer.echo(failure, err=True)
        typer.echo(f"ingested {report.ingested}, duplicates {report.duplicates + report.near_duplicates}"
                   f" ({report.near_duplicates} near-duplicates linked), failed {len(report.failed)}")
    if report.failed:
        raise typer.Exit(EXIT_SOME_FAILED)


def _without_the_store(files: list[Path], db: Path) -> list[Path]:
    """The files, less the evidence database and its journal files (`critmin ingest .` run in
    the folder that holds the store would otherwise read it, and fail on it, as a document)."""
    try:
        store = db.resolve()
    except (OSError, RuntimeError, ValueError):
        return files
    own = {store, *(store.with_name(store.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}

    names = (store.name, db.name)

    def is_own(path: Path) -> bool:
        if not path.name.startswith(names):  # resolving every file of a large folder costs
            return False
        try:
            return path.resolve() in own
        except (OSError, RuntimeError, ValueError):  # a loop, an unreadable path: reading says why
            return False

    return [path for path in files if not is_own(path)]


@app.command(name="search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words in English or Chinese; any text is safe.")],
    since: Annotated[str | None, typer.Option(help="Published on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before YYYY-MM-DD.")] = None,
    lang: Annotated[str | None, typer.Option(help="zh or en.")] = None,
    material: Annotated[str | None, typer.Option(help="Only documents mentioning this material.")] = None,
    country: Annotated[str | None, typer.Option(help="Only documents mentioning this country.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """BM25-ranked documents with highlighted snippets, across languages."""
    from critmin.evidence import search

    kb = load_kb()
    with _store(db, read_only=True) as conn:
        hits = search(conn, kb, query, since=_parse_date(since, "--since"),
                      until=_parse_date(until, "--until"), lang=lang,
                      material=kb.material(material).id if material else None,
                      country=kb.country(country).id if country else None, limit=limit)
    if as_json:
        emit_json([h.model_dump(mode="json") for h in hits])
        return
    console = make_console()
    if not hits:
        console.print("No documents match.")
        return
    partial = sum(1 for hit in hits if hit.match == "partial")
    held_some = f"; {partial} hold only some of the words (partial)" if partial else ""
    console.print(f"{len(hits)} best matches; relevance is each one's BM25 score relative to the "
                  f"best match (1.00){held_some}", style="dim")
    console.print(f"read as: {hits[0].read_as}", style="dim")
    for rank, hit in enumerate(hits, start=1):
        console.print(f"{rank}. [{hit.id}] {hit.title}", style="bold")
        shown = f"matched {hit.lang}" if hit.lang and hit.lang != hit.language else hit.language
        some = f" · partial: {hit.matched} of the query's concepts" if hit.match == "partial" else ""
        console.print(f"   {hit.publisher or 'unknown publisher'} · {hit.published or 'undated'} · "
                      f"{shown} · relevance {hit.relevance:.2f}{some}")
        console.print(f"   {hit.snippet}")


@app.command(name="facts")
def facts_command(
    material: Annotated[str | None, typer.Option(help="Material name or id (its family included).")] = None,
    country: Annotated[str | None, typer.Option(help="Country name or code.")] = None,
    kind: Annotated[str | None, typer.Option(
        help="percent, mass, money, count, date, purity, change, range, multiple, fraction, "
             "duration or price.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, max=MAX_ID)] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Numeric claims with the exact sentence, document, publisher, date and paragraph."""
    from critmin.evidence import facts

    kb = load_kb()
    family: set[str] | None = None
    if material:
        found = kb.material(material)
        family = {found.id} | {m.id for m in kb.materials.values() if m.parent == found.id}
    with _store(db, read_only=True) as conn:
        rows = facts(conn, materials=family, country=kb.country(country).id if country else None,
                     kind=kind, limit=limit)
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = make_table(f"{len(rows)} figures", "value", "kind", "material", "country", "sentence",
                   "document", "date", "¶")
    for r in rows:
        value = f"{r.value:,.6g} {r.unit}"
        table.add_row(f"{value}\n({r.original})", r.kind, r.material or "", r.country or "", r.sentence,
                      f"[{r.document_id}] {r.title} · {r.publisher or ''}", (r.published or "")[:10],
                      str(r.paragraph))
    make_console().print(table)


@app.command(name="docs")
def docs_command(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Stored documents, newest first."""
    from critmin.evidence import list_documents

    with _store(db, read_only=True) as conn:
        rows = list_documents(conn)
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = make_table(f"{len(rows)} documents", "id", "title", "publisher", "published", "lang", "format",
                   "¶", "figures", "copies", right=("id", "¶", "figures", "copies"))
    for r in rows:
        table.add_row(str(r.id), r.title, r.publisher or "", (r.published or "")[:16], r.language,
                      r.format, str(r.paragraphs), str(r.figures), str(r.near_duplicates))
    make_console().print(table)


@app.command()
def show(
    doc_id: Annotated[int, typer.Argument(metavar="DOC_ID", help="Document id (see `critmin docs`).")],
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """One stored document: metadata, paragraphs (with English twins), entities, copies."""
    from critmin.evidence import show_document

    with _store(db, read_only=True) as conn:
        view = show_document(conn, doc_id)
    if as_json:
        emit_json(view.model_dump(mode="json"))
        return
    console = make_console()
    s = view.summary
    console.print(f"[{s.id}] {s.title}", style="bold")
    console.print(f"{s.publisher or 'unknown publisher'} · {s.published or 'undated'} · {s.language} · "
                  f"{s.format} · {s.source_file or ''}")
    if view.viewpoint:
        console.print(f"\nCore Viewpoint - {view.viewpoint}")
    for p in view.paragraphs[1:]:
        prefix = f"¶{p.position}" + (f" [{p.heading}]" if p.heading else "")
        refs = "".join(f"[{n}]" for n in p.refs)
        console.print(f"\n{prefix} {p.text} {refs}".rstrip())
        if p.english:
            console.print(f"    EN: {p.english}", style="dim")
    if view.entities:
        names = ", ".join(f"{e['name']}" + (f" ({e['entity_id']})" if e["entity_id"] else "")
                          for e in view.entities)
        console.print(f"\nEntities: {names}")
    for copy in view.duplicates:
        console.print(f"Republished as: {copy['title']} · {copy['publisher']} · {copy['published']}")


def _digest_output(topic: str, since: str | None, db: Path | None, as_json: bool) -> None:
    from critmin.evidence import digest, render_markdown

    kb = load_kb()
    with _store(db, read_only=True) as conn:
        result = digest(conn, kb, topic, since=_parse_date(since, "--since"))
    if as_json:
        emit_json(result.model_dump(mode="json"))
    else:
        sys.stdout.write(render_markdown(result))


@app.command(name="digest")
def digest_command(
    topic: Annotated[str, typer.Argument(help="Topic words, English or Chinese.")],
    since: Annotated[str | None, typer.Option(help="Only documents published on or after a date.")] = None,
    as_md: Annotated[bool, typer.Option("--md", help="Markdown (the default output).")] = False,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """A cited digest of a topic in the house style (Core Viewpoint, Groups, references)."""
    del as_md  # Markdown is the default; the flag exists for explicitness
    _digest_output(topic, since, db, as_json)


@workflow_app.command("add")
def workflow_add(
    name: Annotated[str, typer.Argument(help="Workflow name.")],
    query: Annotated[str, typer.Argument(help="Topic query.")],
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a workflow of that name.")] = False,
    db: DbOption = None,
) -> None:
    """Save a named topic query (an existing name is refused unless --replace is given)."""
    from critmin.evidence import add_workflow

    with _store(db) as conn:
        replaced = add_workflow(conn, name, query, replace=replace)
    typer.echo(f"{'replaced' if replaced else 'saved'} workflow {name.strip()!r}: {query.strip()}")


@workflow_app.command("list")
def workflow_list(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Saved workflows: name, query and when it was saved."""
    from critmin.evidence import saved_workflows

    with _store(db, read_only=True) as conn:
        rows = saved_workflows(conn)
    if as_json:
        emit_json([w.model_dump(mode="json") for w in rows])
        return
    if not rows:
        make_console().print("No saved workflows (add one with `critmin workflow add NAME QUERY`).")
        return
    table = make_table(f"{len(rows)} workflows", "name", "query", "saved")
    for w in rows:
        table.add_row(w.name, w.query, w.saved_at)
    make_console().print(table)


@workflow_app.command("run")
def workflow_run(
    name: Annotated[str, typer.Argument(help="Workflow name.")],
    since: Annotated[str | None, typer.Option(help="Only documents published on or after a date.")] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a saved workflow: the digest of its query."""
    from critmin.evidence import workflow_query

    with _store(db, read_only=True) as conn:
        query = workflow_query(conn, name)
    _digest_output(query, since, db, as_json)

