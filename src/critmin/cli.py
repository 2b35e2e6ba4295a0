"""The `critmin` command: a thin shell that parses options, calls one service, renders output.

Every read command prints a Rich table for people and, with --json, a stable JSON document for
scripts (keys documented in docs/cli.md). User errors print `error: <message>` on stderr and
exit with the error's code; --debug or CRITMIN_DEBUG=1 shows the traceback instead.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterable, Sequence
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from critmin import __version__
from critmin.config import debug_enabled
from critmin.errors import EXIT_USER_ERROR, CritminError, UsageError
from critmin.kb import KnowledgeBase, Measure, check_data, load_kb, parse_stage
from critmin.kb.models import STAGE_LABELS, CapacityStatus, Stage
from critmin.kb.series import ShareSeries
from critmin.risk import chokepoints, import_dependence, supply_risks
from critmin.risk.concentration import Concentration

app = typer.Typer(
    name="critmin",
    help="Critical-minerals supply-chain intelligence: where materials come from, how "
         "concentrated each stage is, and the source of every figure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Validate the knowledge-base data.", no_args_is_help=True)
app.add_typer(data_app, name="data")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys) instead of a table.")]

_state: dict[str, bool] = {"debug": False}


def _console() -> Console:
    # markup off: data strings (names, notes, ids) may contain brackets and must print verbatim
    return Console(highlight=False, soft_wrap=False, markup=False)


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _qty(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"


_FOLDED = {"sources", "title", "sentence", "document", "name"}


def _table(title: str, *columns: str, right: Iterable[str] = ()) -> Table:
    """A table whose cells wrap rather than truncate: a cut source id is useless."""
    table = Table(title=title, title_justify="left")
    right_aligned = set(right)
    for column in columns:
        table.add_column(column, overflow="fold" if column in _FOLDED else "ellipsis",
                         justify="right" if column in right_aligned else "left")
    return table


def _sources_footer(console: Console, kb: KnowledgeBase, ids: Iterable[str]) -> None:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return
    console.print("Sources", style="bold")
    for source_id in unique:
        console.print(f"  [{source_id}] {kb.sources[source_id].citation()}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"critmin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Critical-minerals supply-chain intelligence."""
    _state["debug"] = debug


# ---------------------------------------------------------------------------------------------
# materials


def _material_json(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [{"id": m.id, "name_en": m.names.en, "name_zh": m.names.zh, "kind": m.kind.value,
             "group": m.group, "parent": m.parent, "aliases": m.aliases, "hs_codes": m.hs_codes}
            for m in kb.materials.values()]


@app.command()
def materials(as_json: JsonFlag = False) -> None:
    """List every material: id, English and Chinese names, group."""
    kb = load_kb()
    if as_json:
        _emit_json(_material_json(kb))
        return
    table = _table(f"{len(kb.materials)} materials", "id", "name", "中文", "kind", "group", "aggregate")
    for m in kb.materials.values():
        table.add_row(m.id, m.names.en, m.names.zh, m.kind.value, m.group, m.parent or "")
    _console().print(table)


# ---------------------------------------------------------------------------------------------
# shares


def _series_json(kb: KnowledgeBase, series: ShareSeries) -> dict[str, Any]:
    return {
        "material": series.material,
        "material_name": kb.materials[series.material].names.en,
        "aggregate_for": series.aggregate_for,
        "stage": series.stage.value,
        "measure": series.measure.value,
        "year": series.year,
        "unit": series.unit,
        "world_total": series.world_total,
        "partial": series.partial,
        "partial_note": series.partial_note,
        "sources": series.sources,
        "rows": [{"country": r.country, "country_name": kb.country_name(r.country),
                  "quantity": r.quantity, "share": round(r.share, 6), "sources": r.sources,
                  "confidence": r.confidence.value, "note": r.note} for r in series.rows],
    }


def _parse_measure(text: str | None) -> Measure | None:
    if text is None:
        return None
    try:
        return Measure(text.strip().lower())
    except ValueError:
        raise UsageError(f"unknown measure {text!r}; expected one of: "
                         f"{', '.join(m.value for m in Measure)}") from None


@app.command()
def shares(
    material: Annotated[str, typer.Argument(help="Material name, alias or id, English or Chinese.")],
    stage: Annotated[str | None, typer.Option(help="mining, refining (separation), metal, magnet.")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    measure: Annotated[str | None, typer.Option(help="production, reserves or capacity.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Countries' quantities and shares for a material, stage by stage, with sources."""
    kb = load_kb()
    found = kb.material(material)
    wanted_stage = parse_stage(stage) if stage else None
    series = kb.shares(found, stage=wanted_stage, year=year, measure=_parse_measure(measure))
    if as_json:
        _emit_json({
            "material": found.id,
            "material_name": found.names.en,
            "series": [_series_json(kb, s) for s in series],
            "sources": {sid: kb.sources[sid].citation()
                        for sid in dict.fromkeys(i for s in series for i in s.sources)},
        })
        return
    console = _console()
    if not series:
        console.print(f"No share figures for {found.names.en} ({found.id})"
                      + (f" at stage {wanted_stage.value}" if wanted_stage else "")
                      + (f" in {year}" if year else "") + ".")
        return
    for s in series:
        title = (f"{kb.materials[s.material].names.en} · {STAGE_LABELS[s.stage]} · "
                 f"{s.measure.value} · {s.year}")
        if s.aggregate_for:
            title += (f"\naggregate figures: no element-level data for "
                      f"{found.names.en}; shown for {kb.materials[s.material].names.en}")
        quantity = f"quantity ({s.unit})" if s.unit else "quantity"
        table = _table(title, "country", quantity, "share", "confidence", "sources",
                       right=(quantity, "share"))
        for r in s.rows:
            table.add_row(f"{kb.country_name(r.country)} ({r.country})", _qty(r.quantity),
                          _pct(r.share), r.confidence.value, ", ".join(r.sources))
        if s.world_total:
            table.add_row("World (as reported)", _qty(s.world_total), "", "", "")
        console.print(table)
        if s.partial:
            console.print(f"  partial: {s.partial_note}", style="yellow")
    _sources_footer(console, kb, (i for s in series for i in s.sources))


# ---------------------------------------------------------------------------------------------
# chokepoints


def _concentration_json(c: Concentration) -> dict[str, Any]:
    return {"material": c.material, "material_name": c.material_name, "stage": c.stage.value,
            "measure": c.measure.value, "year": c.year, "top_country": c.top_country,
            "top_country_name": c.top_country_name, "top_share": c.top_share,
            "top3_share": c.top3_share, "hhi": c.hhi, "hhi_upper": c.hhi_upper,
            "band": c.band, "countries": c.countries, "partial": c.partial,
            "sources": c.sources}


def _chokepoint_table(rows: Sequence[Concentration], title: str) -> Table:
    table = _table(title, "#", "material", "stage", "year", "top country", "top share", "top 3",
                   "HHI", "sources", right=("#", "year", "top share", "top 3", "HHI"))
    for rank, c in enumerate(rows, start=1):
        table.add_row(str(rank), c.material_name, c.stage.value, str(c.year),
                      c.top_country_name, _pct(c.top_share), _pct(c.top3_share),
                      f"{c.hhi:,.0f}" + ("*" if c.partial else ""), ", ".join(c.sources))
    return table


@app.command(name="chokepoints")
def chokepoints_command(
    top: Annotated[int | None, typer.Option(min=1, help="Show only the N most concentrated.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Material x stage pairs ranked by HHI (latest year), with the top country and share."""
    kb = load_kb()
    ranked = chokepoints(kb, top=top)
    if as_json:
        _emit_json([_concentration_json(c) for c in ranked])
        return
    console = _console()
    console.print(_chokepoint_table(ranked, "Chokepoints: production concentration by stage "
                                           "(HHI 0-10,000; * = partial coverage)"))


# ---------------------------------------------------------------------------------------------
# criticality


@app.command()
def criticality(as_json: JsonFlag = False) -> None:
    """EU supply-risk score per material, with its inputs and what is missing."""
    kb = load_kb()
    results = supply_risks(kb)
    if as_json:
        _emit_json([r.model_dump(mode="json") for r in results])
        return
    table = _table("EU CRM 2023 supply risk (published) and critmin's recomputation",
                   "material", "EU SR", "EU EI", "IR", "EoL-RIR", "SI_SR", "HHI_WGI GS",
                   "HHI_WGI EUS", "computed SR", "missing inputs")

    def num(value: float | None, digits: int = 2) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}"

    for r in results:
        table.add_row(f"{r.material_name} ({r.material})", num(r.eu_sr, 1), num(r.eu_ei, 1),
                      num(r.import_reliance), num(r.eol_rir), num(r.si_sr), num(r.hhi_wgi_gs),
                      num(r.hhi_wgi_eus), num(r.computed_sr), ", ".join(r.missing) or "none")
    console = _console()
    console.print(table)
    console.print("n/a = not bundled: no published figure was found; critmin does not estimate it.")
    _sources_footer(console, kb, (s for r in results for s in r.sources))


# ---------------------------------------------------------------------------------------------
# facilities


@app.command()
def facilities(
    country: Annotated[str | None, typer.Option(help="Country name or ISO-3 code.")] = None,
    material: Annotated[str | None, typer.Option(help="Material name or id.")] = None,
    status: Annotated[str | None, typer.Option(
        help="operating, commissioning, under_construction, planned, tender, idle, closed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mines, separation plants, metal and magnet works and recycling plants."""
    kb = load_kb()
    if status is not None and status not in {s.value for s in CapacityStatus}:
        raise UsageError(f"unknown status {status!r}; expected one of: "
                         f"{', '.join(s.value for s in CapacityStatus)}")
    found = kb.facilities_for(
        country=kb.country(country) if country else None,
        material=kb.material(material) if material else None,
        status=status)
    if as_json:
        _emit_json([f.model_dump(mode="json") for f in found])
        return
    table = _table(f"{len(found)} facilities", "name", "operator", "country", "stages",
                   "materials", "capacity", "status", "start", "sources")
    for f in found:
        capacity = (f"{_qty(f.capacity.value)} {f.capacity.unit} {f.capacity.product}"
                    if f.capacity else "not stated")
        table.add_row(f.name, f.operator, f.country, ", ".join(s.value for s in f.stages),
                      ", ".join(f.materials), capacity, f.status.value,
                      str(f.start_year or ""), ", ".join(f.sources))
    _console().print(table)


# ---------------------------------------------------------------------------------------------
# imports and end uses


@app.command(name="imports")
def imports_command(
    importer: Annotated[str | None, typer.Argument(help="Importing country or bloc (USA, EU, JPN).")] = None,
    material: Annotated[str | None, typer.Option(help="Material name or id.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import dependence of a country or bloc on each supplier, from sourced trade figures."""
    kb = load_kb()
    importer_id = kb.country(importer).id if importer else None
    material_id = kb.material(material).id if material else None
    found = import_dependence(kb, importer=importer_id, material=material_id)
    if as_json:
        _emit_json([d.model_dump(mode="json") for d in found])
        return
    table = _table("Import dependence by supplier", "importer", "product", "period", "from China",
                   "top supplier", "suppliers", "HHI", "sources", right=("from China", "HHI"))
    for d in found:
        listed = ", ".join(f"{s.supplier} {_pct(s.share)}" for s in d.suppliers)
        table.add_row(d.importer, d.product, d.period, _pct(d.china_share),
                      f"{d.top_supplier} {_pct(d.top_share)}", listed, f"{d.hhi:,.0f}",
                      ", ".join(d.sources))
    _console().print(table)


@app.command(name="end-uses")
def end_uses(as_json: JsonFlag = False) -> None:
    """Material intensity per unit of products (F-35, EV motor, wind turbine per MW...)."""
    kb = load_kb()
    if as_json:
        _emit_json([e.model_dump(mode="json") for e in kb.end_uses])
        return
    table = _table("Material intensity of end uses", "product", "per", "sector", "material", "kg",
                   "basis", "confidence", "sources", right=("kg",))
    for e in kb.end_uses:
        for i in e.intensities:
            table.add_row(e.product, e.unit, e.sector, i.material, f"{i.kg_per_unit:g}", i.basis,
                          i.confidence.value, ", ".join(i.sources))
    _console().print(table)


# ---------------------------------------------------------------------------------------------
# sources and data check


@app.command()
def sources(
    source_id: Annotated[str | None, typer.Argument(metavar="ID", help="A source id.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The full citation of a source (or every source, without an ID)."""
    kb = load_kb()
    chosen = [kb.source(source_id)] if source_id else list(kb.sources.values())
    if as_json:
        payload = [s.model_dump(mode="json") for s in chosen]
        _emit_json(payload[0] if source_id else payload)
        return
    console = _console()
    for s in chosen:
        console.print(f"{s.id}\n  {s.citation()}\n  kind: {s.kind}"
                      + (f"\n  note: {s.note}" if s.note else ""))


@data_app.command("check")
def data_check(
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Check this folder instead of the bundled data.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate every data file: sources resolve, ids known, shares sum, no duplicates."""
    raw, problems = check_data(data_dir)
    counts = {"sources": len(raw.sources), "materials": len(raw.materials),
              "countries": len(raw.countries), "shares": len(raw.shares),
              "facilities": len(raw.facilities), "end_uses": len(raw.end_uses),
              "criticality": len(raw.criticality), "imports": len(raw.imports)}
    if as_json:
        _emit_json({"ok": not problems, "counts": counts,
                    "problems": [{"file": p.location.file, "line": p.location.line,
                                  "record": p.location.label, "message": p.message}
                                 for p in problems]})
    elif problems:
        for problem in problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"error: data check failed with {len(problems)} problem(s)", err=True)
    else:
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        typer.echo(f"data check passed: {summary}")
    if problems:
        raise typer.Exit(EXIT_USER_ERROR)


# ---------------------------------------------------------------------------------------------
# evidence: ingest, search, facts, docs, show, digest, workflows

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Evidence database (default: CRITMIN_DB or evidence.db in the user data folder).")]
workflow_app = typer.Typer(help="Saved digest topics.", no_args_is_help=True)
app.add_typer(workflow_app, name="workflow")


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
    as_json: JsonFlag = False,
) -> None:
    """Store documents (digest pages, Markdown posts, HTML, text): parse, link, extract, index.

    Exit code 0 when every file succeeded, 3 when some failed (each reported as `file: reason`).
    """
    from critmin.evidence.ingest import expand_paths, ingest_paths
    from critmin.evidence.link import linker_for
    from critmin.evidence.store import connect

    kb = load_kb()
    files = expand_paths(paths)
    with closing(connect(db)) as conn:
        linker = linker_for(kb)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=Console(stderr=True),
                      disable=as_json or len(files) < 2) as progress:
            task = progress.add_task("ingesting", total=len(files))
            report = ingest_paths(conn, linker, files,
                                  on_file=lambda _path: progress.advance(task))
    if as_json:
        _emit_json({"ingested": report.ingested, "duplicates": report.duplicates,
                    "near_duplicates": report.near_duplicates, "failed": report.failed,
                    "document_ids": report.document_ids})
    else:
        for failure in report.failed:
            typer.echo(failure, err=True)
        typer.echo(f"ingested {report.ingested}, duplicates {report.duplicates + report.near_duplicates}"
                   f" ({report.near_duplicates} near-duplicates linked), failed {len(report.failed)}")
    if report.exit_code:
        raise typer.Exit(report.exit_code)


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
    from critmin.evidence.search import search
    from critmin.evidence.store import connect

    kb = load_kb()
    with closing(connect(db, read_only=True)) as conn:
        hits = search(conn, kb, query, since=_parse_date(since, "--since"),
                      until=_parse_date(until, "--until"), lang=lang,
                      material=kb.material(material).id if material else None,
                      country=kb.country(country).id if country else None, limit=limit)
    if as_json:
        _emit_json([h.model_dump(mode="json") for h in hits])
        return
    console = _console()
    if not hits:
        console.print("No documents match.")
    for rank, hit in enumerate(hits, start=1):
        console.print(f"{rank}. [{hit.id}] {hit.title}", style="bold")
        console.print(f"   {hit.publisher or 'unknown publisher'} · {hit.published or 'undated'} · "
                      f"{hit.language} · score {hit.score:.2f}")
        console.print(f"   {hit.snippet}")


@app.command(name="facts")
def facts_command(
    material: Annotated[str | None, typer.Option(help="Material name or id (its family included).")] = None,
    country: Annotated[str | None, typer.Option(help="Country name or code.")] = None,
    kind: Annotated[str | None, typer.Option(help="percent, mass, money, count, date or purity.")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Numeric claims with the exact sentence, document, publisher, date and paragraph."""
    from critmin.evidence.read import facts
    from critmin.evidence.store import connect

    kb = load_kb()
    family: set[str] | None = None
    if material:
        found = kb.material(material)
        family = {found.id} | {m.id for m in kb.materials.values() if m.parent == found.id}
    with closing(connect(db, read_only=True)) as conn:
        rows = facts(conn, materials=family, country=kb.country(country).id if country else None,
                     kind=kind, limit=limit)
    if as_json:
        _emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = _table(f"{len(rows)} figures", "value", "kind", "material", "country", "sentence",
                   "document", "date", "¶")
    for r in rows:
        value = f"{r.value:,.6g} {r.unit}"
        table.add_row(f"{value}\n({r.original})", r.kind, r.material or "", r.country or "", r.sentence,
                      f"[{r.document_id}] {r.title} · {r.publisher or ''}", (r.published or "")[:10],
                      str(r.paragraph))
    _console().print(table)


@app.command(name="docs")
def docs_command(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Stored documents, newest first."""
    from critmin.evidence.read import list_documents
    from critmin.evidence.store import connect

    with closing(connect(db, read_only=True)) as conn:
        rows = list_documents(conn)
    if as_json:
        _emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = _table(f"{len(rows)} documents", "id", "title", "publisher", "published", "lang", "format",
                   "¶", "figures", "copies", right=("id", "¶", "figures", "copies"))
    for r in rows:
        table.add_row(str(r.id), r.title, r.publisher or "", (r.published or "")[:16], r.language,
                      r.format, str(r.paragraphs), str(r.figures), str(r.near_duplicates))
    _console().print(table)


@app.command()
def show(
    doc_id: Annotated[int, typer.Argument(metavar="DOC_ID", help="Document id (see `critmin docs`).")],
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """One stored document: metadata, paragraphs (with English twins), entities, copies."""
    from critmin.evidence.read import show_document
    from critmin.evidence.store import connect

    with closing(connect(db, read_only=True)) as conn:
        view = show_document(conn, doc_id)
    if as_json:
        _emit_json(view.model_dump(mode="json"))
        return
    console = _console()
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
    from critmin.evidence.digest import digest, render_markdown
    from critmin.evidence.store import connect

    kb = load_kb()
    with closing(connect(db, read_only=True)) as conn:
        result = digest(conn, kb, topic, since=_parse_date(since, "--since"))
    if as_json:
        _emit_json(result.model_dump(mode="json"))
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
    db: DbOption = None,
) -> None:
    """Save a named topic query."""
    from critmin.evidence.store import connect
    from critmin.evidence.workflows import add_workflow

    with closing(connect(db)) as conn:
        add_workflow(conn, name, query)
    typer.echo(f"saved workflow {name!r}: {query}")


@workflow_app.command("run")
def workflow_run(
    name: Annotated[str, typer.Argument(help="Workflow name.")],
    since: Annotated[str | None, typer.Option(help="Only documents published on or after a date.")] = None,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a saved workflow: the digest of its query."""
    from critmin.evidence.store import connect
    from critmin.evidence.workflows import workflow_query

    with closing(connect(db, read_only=True)) as conn:
        query = workflow_query(conn, name)
    _digest_output(query, since, db, as_json)


# ---------------------------------------------------------------------------------------------
# demo


@app.command()
def demo() -> None:
    """A short tour on the bundled data: the chokepoint table and where to go next."""
    kb = load_kb()
    console = _console()
    console.rule("critmin demo")
    console.print(f"Knowledge base: {len(kb.materials)} materials, {len(kb.share_rows)} sourced "
                  f"share rows, {len(kb.facilities)} facilities, {len(kb.sources)} sources.\n")
    console.print(_chokepoint_table(chokepoints(kb, top=15),
                                    "The 15 most concentrated material x stage pairs"))
    ree = kb.material("rare earths")
    mining = [s for s in kb.shares(ree, stage=Stage.MINING, measure=Measure.PRODUCTION)]
    if mining:
        latest = max(mining, key=lambda s: s.year)
        leaders = ", ".join(f"{kb.country_name(r.country)} {_pct(r.share)}"
                            for r in latest.countries()[:4])
        console.print(f"\nRare-earth mine production {latest.year}: {leaders} "
                      f"[{', '.join(latest.sources)}]")
    console.print(
        "\nNext steps:\n"
        "  critmin shares 镝                  Dy falls back to rare-earth totals, labelled\n"
        "  critmin shares graphite --stage mining --year 2024\n"
        "  critmin criticality                EU supply risk with its inputs\n"
        "  critmin facilities --material NdFeB --status planned\n"
        "  critmin imports USA                import dependence by supplier\n"
        "  critmin sources usgs-mcs2025-rare-earths\n"
        "  critmin data check                 validate every bundled figure")


# ---------------------------------------------------------------------------------------------
# entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; user errors become one line on stderr.

    Usage errors are reported by the command-line parser itself (exit 2); errors critmin raises
    are caught here so no traceback reaches the user unless --debug or CRITMIN_DEBUG=1 is set.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = debug_enabled() or "--debug" in args
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="critmin", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USER_ERROR)
    except CritminError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"error: {exc.message}", err=True)
        return exc.exit_code
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
