"""Export-control commands: rules list, rules show, rules diff, and check (one BOM or a batch)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from critmin.cli.app import JsonFlag, app, emit_json, make_console, make_table, print_sources
from critmin.errors import EXIT_USER_ERROR, CritminError, NotFoundError, UsageError
from critmin.kb import KnowledgeBase, load_kb

rules_app = typer.Typer(help="Export-control measures as dated, sourced data.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

OnOption = Annotated[str | None, typer.Option("--on", help="Date YYYY-MM-DD (default: today).")]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.4g}%"


# ---------------------------------------------------------------------------------------------
# rules list / show / diff


@rules_app.command("list")
def rules_list(
    on: OnOption = None,
    jurisdiction: Annotated[str | None, typer.Option(
        "--jurisdiction", help="Issuing country (CN, China, USA...).")] = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Also list measures not in force that day.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Measures in force on a date (suspensions and revocations respected)."""
    from critmin.rules import load_rules, measures_on
    from critmin.rules.bom import parse_date

    kb = load_kb()
    day = parse_date(on)
    wanted = kb.country(jurisdiction).id if jurisdiction else None
    statuses = [s for s in measures_on(day, load_rules())
                if (wanted is None or s.measure.jurisdiction == wanted) and (show_all or s.in_force)]
    if as_json:
        emit_json({"date": day.isoformat(), "measures": [{
            "id": s.measure.id, "jurisdiction": s.measure.jurisdiction, "document": s.measure.document,
            "title": s.measure.title, "kind": s.measure.kind.value,
            "effective": s.measure.effective.isoformat() if s.measure.effective else None,
            "status": s.status.value, "detail": s.detail, "status_confidence": s.confidence.value,
            "status_notes": [n.note for n in s.notes], "confidence": s.measure.confidence.value,
            "sources": s.measure.sources} for s in statuses]})
        return
    in_force = sum(1 for s in statuses if s.in_force)
    table = make_table(f"{in_force} measures in force on {day}" + (f" ({wanted})" if wanted else ""),
                       "id", "status", "effective", "title")
    for column in table.columns[:3]:
        column.no_wrap = True
    for s in statuses:
        table.add_row(s.measure.id, s.label, str(s.measure.effective or "not dated"), s.measure.title)
    console = make_console()
    console.print(table)
    for s in statuses:
        for note in s.notes:
            console.print(f"{s.measure.id}: status unconfirmed ({note.confidence.value}): {note.note}")


def _measure(kb: KnowledgeBase, measure_id: str) -> Any:
    from critmin.rules import load_rules

    rules = load_rules()
    for known in rules.measures:
        if known.id.casefold() == measure_id.strip().casefold():
            return known
    import difflib

    close = difflib.get_close_matches(measure_id.upper(), list(rules.by_id), n=5, cutoff=0.5)
    raise NotFoundError("measure", measure_id, close or sorted(rules.by_id))


@rules_app.command("show")
def rules_show(
    measure_id: Annotated[str, typer.Argument(metavar="ID", help="Measure id, e.g. CN-MOFCOM-2025-61.")],
    as_json: JsonFlag = False,
) -> None:
    """One measure in full: dates, suspensions, items, thresholds, conditions, sources."""
    kb = load_kb()
    m = _measure(kb, measure_id)
    if as_json:
        emit_json(m.model_dump(mode="json", by_alias=True))
        return
    console = make_console()
    console.print(f"{m.id} · {m.document}", style="bold")
    console.print(f"{m.title}\nauthority: {m.authority} · jurisdiction: {m.jurisdiction} · "
                  f"kind: {m.kind.value} · published: {m.published or '-'} · "
                  f"effective: {m.effective or 'not dated'}")
    if m.destinations:
        console.print(f"aimed at: {', '.join(m.destinations)}")
    if m.note:
        console.print(f"note ({m.confidence.value}): {m.note}")
    for s in m.suspensions:
        console.print(f"suspended {s.start} to {s.until} (inclusive) by {s.by} [{', '.join(s.sources)}]")
    if m.revocation:
        console.print(f"revoked from {m.revocation.on} by {m.revocation.by}")
    for n in m.status_notes:
        console.print(f"status from {n.start}{' to ' + str(n.until) if n.until else ''} unconfirmed "
                      f"({n.confidence.value}): {n.note}")
    if m.items:
        table = make_table("Controlled items", "material", "forms", "code", "item", "parameters", "HS",
                           "confidence", "sources")
        for i in m.items:
            forms = ", ".join(f.value for f in i.forms) if i.forms else "unconfirmed"
            if m.kind.value == "value-content":
                forms = "any (content)"
            table.add_row(i.material or "", forms,
                          (i.code or "") + ("" if i.code_confirmed else " (inferred)"), i.description,
                          i.parameters or "", " ".join(i.hs_codes), i.confidence.value, ", ".join(i.sources))
        console.print(table)
    for t in m.technologies:
        console.print(f"technology {t.code or ''}: {t.description} [{', '.join(t.sources)}]")
    for th in m.thresholds:
        dest = f" for {', '.join(th.destinations)}" if th.destinations else ""
        console.print(f"threshold{dest}: ratio {th.comparison} {_pct(th.ratio)} — {th.text} "
                      f"({th.confidence.value}) [{', '.join(th.sources)}]")
    if m.product_scope:
        console.print(f"products in scope: {', '.join(f.value for f in m.product_scope.forms)}; otherwise: "
                      f"{m.product_scope.otherwise}")
    if m.direct_product:
        console.print(f"direct-product rule: {m.direct_product.description}")
    for c in m.conditions:
        limits = ", ".join(x for x in (
            c.logic_node_nm_max and f"logic <= {c.logic_node_nm_max:g} nm",
            c.memory_layers_min and f"memory >= {c.memory_layers_min} layers") if x)
        bounds = f" ({limits})" if limits else ""
        console.print(f"condition {c.when.value}{bounds} -> {c.outcome.value}: "
                      f"{c.text} [{', '.join(c.sources)}]")
    if m.licence:
        console.print(f"licence ({m.licence.confidence.value}): validity {m.licence.validity or '-'}; "
                      f"review {m.licence.review or '-'}")
    ids = list(m.sources)
    for group in (m.items, m.suspensions, m.thresholds, m.conditions, m.technologies, m.status_notes):
        ids += [s for entry in group for s in entry.sources]
    print_sources(console, kb, ids)


@rules_app.command("diff")
def rules_diff(
    first: Annotated[str, typer.Argument(metavar="DATE1", help="YYYY-MM-DD.")],
    second: Annotated[str, typer.Argument(metavar="DATE2", help="YYYY-MM-DD.")],
    as_json: JsonFlag = False,
) -> None:
    """What changed between two dates: measures entering or leaving force, and the events between."""
    from critmin.rules import diff
    from critmin.rules.bom import parse_date

    result = diff(parse_date(first, "DATE1"), parse_date(second, "DATE2"))
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    console = make_console()
    table = make_table(f"Status changes {result.start} -> {result.end}", "id", result.start.isoformat(),
                       result.end.isoformat(), "title")
    table.columns[0].no_wrap = True
    for c in result.changes:
        table.add_row(c.measure, c.before, c.after, c.title)
    console.print(table if result.changes else f"No status changes between {result.start} and {result.end}.")
    if result.events:
        console.print("Events", style="bold")
        for e in result.events:
            console.print(f"  {e.date}  {e.measure}: {e.event}")


# ---------------------------------------------------------------------------------------------
# check


def _print_decision(console: Console, kb: KnowledgeBase, decision: Any, full_trace: bool) -> None:
    s = decision.shipment
    console.print(f"{decision.product} -> {s.to} · {s.date} · from {s.ship_from or 'where made'} · "
                  f"end use: {s.end_use or 'not stated'} · end user: {s.end_user.value}", style="bold")
    console.print(f"Overall: {decision.outcome.value} (confidence {decision.confidence.value}) · value "
                  f"{decision.total_value:,.2f} {decision.currency}")
    table = make_table(f"{len(decision.results)} measures in force on {s.date}", "measure", "outcome",
                       "ratio", "threshold", "confidence")
    for column in table.columns[:4]:
        column.no_wrap = True
    for r in decision.results:
        table.add_row(r.measure, r.outcome.value, _pct(r.ratio),
                      f"{r.comparison} {_pct(r.threshold)}" if r.threshold is not None else "",
                      r.confidence.value)
    console.print(table)
    shown = [r for r in decision.results if full_trace or r.applies or r.outcome.value != "not-controlled"]
    for r in shown:
        console.print(f"{r.measure} — {r.outcome.value}", style="bold")
        for number, step in enumerate(r.trace, start=1):
            console.print(f"  {number}. {step}")
        for item in r.missing:
            console.print(f"  missing: {item}")
    quiet = [r for r in decision.results if r not in shown]
    if quiet:
        console.print("Not applicable (--trace shows every step):", style="bold")
        for r in quiet:
            console.print(f"  {r.measure}: {r.trace[-2] if len(r.trace) >= 2 else ''}")
    if decision.not_in_force:
        console.print(f"Not in force on {s.date}:", style="bold")
        for line in decision.not_in_force:
            console.print(f"  {line}")
    print_sources(console, kb, (sid for r in decision.results if r.outcome.value != "not-controlled"
                                for sid in r.sources))


ROW_FIELDS = ("bom", "product", "to", "from", "date", "end_user", "outcome", "confidence", "measures",
              "max_ratio", "missing", "error")


def _row(bom: str, decision: Any) -> dict[str, Any]:
    flagged = [r for r in decision.results if r.outcome.value != "not-controlled"]
    ratios = [r.ratio for r in decision.results if r.ratio is not None]
    return {"bom": bom, "product": decision.product, "to": decision.shipment.to,
            "from": decision.shipment.ship_from or "", "date": decision.shipment.date.isoformat(),
            "end_user": decision.shipment.end_user.value, "outcome": decision.outcome.value,
            "confidence": decision.confidence.value,
            "measures": "; ".join(f"{r.measure}={r.outcome.value}" for r in flagged),
            "max_ratio": round(max(ratios), 8) if ratios else "",
            "missing": "; ".join(dict.fromkeys(m for r in flagged for m in r.missing)), "error": ""}


def _write_rows(rows: Iterable[dict[str, Any]], out: Path | None, fmt: str) -> None:
    rows = list(rows)
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _batch(path: Path, kb: KnowledgeBase, defaults: dict[str, str | None], out: Path | None,
           fmt: str, quiet: bool) -> int:
    from critmin.rules import engine, load_rules
    from critmin.rules.bom import batch_jobs, make_shipment, parse_date, read_bom

    rules = load_rules()
    jobs = batch_jobs(path)
    rows: list[dict[str, Any]] = []
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), disable=quiet or len(jobs) < 2) as progress:
        task = progress.add_task("checking", total=len(jobs))
        for job in jobs:
            try:
                to = job.to or defaults["to"]
                if not to:
                    raise UsageError(f"{job.where}: no destination (a 'to' column or --to)")
                shipment = make_shipment(kb, to=to, on=parse_date(job.on or defaults["on"]),
                                         end_use=job.end_use or defaults["end_use"] or "",
                                         end_user=job.end_user or defaults["end_user"] or "unknown",
                                         ship_from=job.ship_from or defaults["from"], where=job.where)
                decision = engine.check(read_bom(job.bom, kb), shipment, rules, kb)
                rows.append(_row(str(job.bom), decision))
            except CritminError as exc:
                failed += 1
                rows.append({**dict.fromkeys(ROW_FIELDS, ""), "bom": str(job.bom), "outcome": "error",
                             "error": exc.message})
                typer.echo(f"error: {exc.message}", err=True)
            progress.advance(task)
    _write_rows(rows, out, fmt)
    if out is not None:
        typer.echo(f"checked {len(jobs) - failed} of {len(jobs)} BOMs, {failed} failed; wrote {out}",
                   err=True)
    return EXIT_USER_ERROR if failed else 0


@app.command(name="check")
def check_command(
    path: Annotated[Path, typer.Argument(metavar="BOM_FILE|DIR|CSV",
                                         help="A BOM (YAML/JSON), a folder of BOMs, or a CSV listing BOMs.")],
    to: Annotated[str | None, typer.Option("--to", help="Destination country (name or code).")] = None,
    end_use: Annotated[str, typer.Option("--end-use", help="End use in words.")] = "",
    end_user: Annotated[str, typer.Option("--end-user", help="civil, military or unknown.")] = "unknown",
    on: OnOption = None,
    ship_from: Annotated[str | None, typer.Option(
        "--from", help="Country the shipment leaves (default: where the product is made).")] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Show the trace of every measure.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Batch: write rows to this file.")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Batch: csv or json (default: from --out).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check a BOM and shipment against every measure in force that day, line by line, with sources.

    A folder or a CSV runs a batch: one row per BOM. Exit 0 when every BOM was checked (whatever
    the outcomes), 1 on bad input (and in a batch when any BOM failed; the others are written).
    """
    from critmin.rules import engine, load_rules
    from critmin.rules.bom import make_shipment, parse_date, read_bom

    kb = load_kb()
    if path.is_dir() or path.suffix.lower() == ".csv":
        chosen = (fmt or ("json" if as_json or (out and out.suffix.lower() == ".json") else "csv")).lower()
        if chosen not in ("csv", "json"):
            raise UsageError(f"--format {fmt!r}: expected csv or json")
        defaults = {"to": to, "on": on, "end_use": end_use, "end_user": end_user, "from": ship_from}
        code = _batch(path, kb, defaults, out, chosen, quiet=False)
        if code:
            raise typer.Exit(code)
        return
    if to is None:
        raise UsageError("--to is required: the destination country")
    shipment = make_shipment(kb, to=to, on=parse_date(on), end_use=end_use, end_user=end_user,
                             ship_from=ship_from)
    decision = engine.check(read_bom(path, kb), shipment, load_rules(), kb)
    if as_json:
        payload = decision.model_dump(mode="json", by_alias=True)
        payload["sources"] = {sid: kb.sources[sid].citation()
                              for sid in dict.fromkeys(s for r in decision.results for s in r.sources)}
        emit_json(payload)
        return
    _print_decision(make_console(), kb, decision, trace)
