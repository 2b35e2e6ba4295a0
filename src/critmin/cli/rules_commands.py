"""Export-control commands: rules list, rules show, rules diff, and check (one BOM or a batch)."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from critmin.cli.app import JsonFlag, app, emit_json, json_text, make_console, make_table, print_sources
from critmin.errors import EXIT_USER_ERROR, CritminError, NotFoundError, UsageError
from critmin.inputs import check_writable_target, display_path, write_atomic
from critmin.kb import KnowledgeBase, load_kb

rules_app = typer.Typer(help="Export-control measures as dated, sourced data.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

OnOption = Annotated[str | None, typer.Option("--on", help="Date YYYY-MM-DD (default: today).")]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.4g}%"


def _count(number: int, word: str, plural: str | None = None) -> str:
    """`1 measure`, `3 measures`."""
    return f"{number:,} {word if number == 1 else plural or word + 's'}"


#: Longest country name or measure id taken from the command line before it is looked up.
_MAX_NAME_OPTION = 100


def _name_option(value: str | None, option: str) -> str | None:
    if value is not None and len(value) > _MAX_NAME_OPTION:
        raise UsageError(f"{option}: {len(value):,} characters; expected a name or code of at most "
                         f"{_MAX_NAME_OPTION}")
    return value


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
    from critmin.rules import load_rules, measures_on, parse_date

    kb = load_kb()
    day = parse_date(on)
    jurisdiction = _name_option(jurisdiction, "--jurisdiction")
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
    title = f"{_count(in_force, 'measure')} in force on {day}" + (f" ({wanted})" if wanted else "")
    table = make_table(title, "id", "status", "effective", "title")
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
    from critmin.rules import clip, load_rules

    rules = load_rules()
    _name_option(measure_id, "ID")
    for known in rules.measures:
        if known.id.casefold() == measure_id.strip().casefold():
            return known
    import difflib

    close = difflib.get_close_matches(measure_id.upper(), list(rules.by_id), n=5, cutoff=0.5)
    raise NotFoundError("measure", clip(measure_id, 80), close or sorted(rules.by_id))


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
    """What changed between two dates: measures entering or leaving force, and the events between.

    Dates given newest first are shown oldest first, and a note on stderr says so.
    """
    from critmin.rules import diff, parse_date

    start, end = parse_date(first, "DATE1"), parse_date(second, "DATE2")
    result = diff(start, end)
    if start > end:
        typer.echo(f"note: dates given newest first; showing {end} -> {start}", err=True)
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
# screen

PartyOption = Annotated[list[str] | None, typer.Option(
    "--party", help="A party to screen: NAME or ROLE=NAME (consignee, end-user, intermediary); repeatable.")]
ListFileOption = Annotated[list[Path] | None, typer.Option(
    "--list-file", help="A party list to screen against as well: the U.S. Consolidated Screening List "
                        "(CSV or JSON) or a list in critmin's YAML schema; repeatable.")]


def _list_files(paths: list[Path] | None) -> list[Path]:
    """List files as given, each checked to exist before any work."""
    from critmin.inputs import InputError

    for path in paths or []:
        if not path.is_file():
            reason = "no such file" if not path.exists() else "not a regular file"
            raise InputError(path, f"--list-file: {reason} (a Consolidated Screening List CSV/JSON or a "
                                   "party list YAML)")
    return list(paths or [])


def _match_row(match: Any) -> dict[str, Any]:
    row: dict[str, Any] = match.model_dump(mode="json", by_alias=True)
    return row


@app.command(name="screen")
def screen_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name to screen (English, Chinese, pinyin).")],
    country: Annotated[str | None, typer.Option(
        "--country", help="The party's country; a listed entity elsewhere is only a possible match.")] = None,
    on: OnOption = None,
    owner: Annotated[list[str] | None, typer.Option(
        "--owner", help="An owner and its share, NAME:0.6 or NAME:60% (the 50% rule); repeatable.")] = None,
    list_file: ListFileOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Screen a name against the party lists in force on a date: score, matched name, list, notice, date.

    Hits are at or above the hit score, possible matches (review) between the review and hit
    scores; listings suspended that day are shown and not applied. Exit 0 whatever is found.
    """
    from critmin.rules import (
        HIT_SCORE,
        REVIEW_SCORE,
        clip,
        load_screener,
        parse_date,
        parse_owner_option,
        screen,
    )

    if not name.strip():
        raise UsageError("NAME is empty: give the name to screen")
    if len(name) > 300:
        raise UsageError(f"NAME: {len(name):,} characters; at most 300")
    country = _name_option(country.strip() if country else None, "--country") or None
    kb = load_kb()
    if country:
        kb.country(country)
    day = parse_date(on)
    owners = [parse_owner_option(text) for text in owner or []]
    total = sum(o.share for o in owners)
    if total > 1 + 1e-9:
        raise UsageError(f"--owner: the shares add up to {total:.4g}, more than 1")
    screener = load_screener(_list_files(list_file), kb)
    matches = screen(name, day, country=country, owners=owners, screener=screener, kb=kb)
    if as_json:
        emit_json([_match_row(m) for m in matches])
        return
    console = make_console()
    hits = sum(1 for m in matches if m.kind.value == "hit")
    reviews = sum(1 for m in matches if m.kind.value == "review")
    found = f"{_count(hits, 'hit')}, {_count(reviews, 'possible match', 'possible matches')}"
    console.print(f"{clip(name)!r} on {day}: {found} "
                  f"(hit >= {HIT_SCORE:.0f}, review >= {REVIEW_SCORE:.0f}) against "
                  f"{_count(screener.size, 'listed entity', 'listed entities')} on "
                  f"{_count(len(screener.lists), 'list')}", style="bold")
    if not matches:
        console.print("No listed entity matches.")
        return
    table = make_table("Matches", "kind", "score", "list", "notice", "date", "matched", "status", "outcome")
    for m in matches:
        table.add_row(m.kind.value, f"{m.score:.0f}", m.list_id, m.notice, str(m.date or ""),
                      m.matched if m.matched == m.entity else f"{m.matched} ({m.entity})", m.status,
                      m.outcome.value)
    console.print(table)
    for m in matches:
        if m.via:
            console.print(f"{m.list_id}: {m.via}")
        if m.note:
            console.print(f"{m.list_id} · {m.entity}: {m.note}")
    print_sources(console, kb, (sid for m in matches for sid in m.sources))


# ---------------------------------------------------------------------------------------------
# check


def _print_decision(console: Console, kb: KnowledgeBase, decision: Any, full_trace: bool) -> None:
    s = decision.shipment
    console.print(f"{decision.product} -> {s.to} · {s.date} · from {s.ship_from or 'where made'} · "
                  f"end use: {s.end_use or 'not stated'} · end user: {s.end_user.value}", style="bold")
    console.print(f"Overall: {decision.outcome.value} (confidence {decision.confidence.value}) · value "
                  f"{decision.total_value:,.2f} {decision.currency}")
    table = make_table(f"{_count(len(decision.results), 'measure')} in force on {s.date}", "measure",
                       "outcome", "ratio", "threshold", "confidence")
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


@dataclass
class _Checked:
    """One BOM of a run: its decision, or the error that stopped it."""

    bom: str
    decision: Any = None
    error: CritminError | None = None


def _decision_json(kb: KnowledgeBase, decision: Any) -> dict[str, Any]:
    """The decision as `check --json` prints it, with every cited source's citation."""
    payload: dict[str, Any] = decision.model_dump(mode="json", by_alias=True)
    payload["sources"] = {sid: kb.sources[sid].citation()
                          for sid in dict.fromkeys(s for r in decision.results for s in r.sources)}
    return payload


def _entry(kb: KnowledgeBase, checked: _Checked) -> dict[str, Any]:
    """A batch JSON entry: the single-BOM JSON with `bom` and `error`, or the error and its problems."""
    from critmin.errors import ProblemsError, one_line

    if checked.error is not None:
        message = one_line(checked.error)
        problems = checked.error.problems if isinstance(checked.error, ProblemsError) else [message]
        return {"bom": checked.bom, "outcome": "error", "error": message, "problems": problems}
    return {"bom": checked.bom, **_decision_json(kb, checked.decision), "error": None}


def _row(checked: _Checked) -> dict[str, Any]:
    from critmin.errors import one_line

    if checked.error is not None:
        return {**dict.fromkeys(ROW_FIELDS, ""), "bom": checked.bom, "outcome": "error",
                "error": one_line(checked.error)}
    decision = checked.decision
    flagged = [r for r in decision.results if r.outcome.value != "not-controlled"]
    ratios = [r.ratio for r in decision.results if r.ratio is not None]
    return {"bom": checked.bom, "product": decision.product, "to": decision.shipment.to,
            "from": decision.shipment.ship_from or "", "date": decision.shipment.date.isoformat(),
            "end_user": decision.shipment.end_user.value, "outcome": decision.outcome.value,
            "confidence": decision.confidence.value,
            "measures": "; ".join(f"{r.measure}={r.outcome.value}" for r in flagged),
            "max_ratio": round(max(ratios), 8) if ratios else "",
            "missing": "; ".join(dict.fromkeys(m for r in flagged for m in r.missing)), "error": ""}


def _rows_text(kb: KnowledgeBase, checked: list[_Checked], fmt: str) -> str:
    if fmt == "json":
        return json_text([_entry(kb, c) for c in checked])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_row(c) for c in checked)
    return buffer.getvalue()


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)


def _prefixed(where: str, message: str) -> str:
    return message if message.startswith(where) else f"{where}: {message}"


def _run_batch(path: Path, kb: KnowledgeBase, defaults: dict[str, str | None], rules: Any,
               parties: list[Any]) -> list[_Checked]:
    from critmin.rules import batch_jobs, engine, make_shipment, parse_date, read_bom

    jobs = batch_jobs(path)
    if not defaults["to"] and all(job.to is None for job in jobs):
        raise UsageError("--to is required: the destination country (or a 'to' column in the CSV)")
    checked: list[_Checked] = []
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=len(jobs) < 2 or not console.is_terminal) as progress:
        task = progress.add_task("checking", total=len(jobs))
        for job in jobs:
            shown = display_path(job.bom)
            try:
                to = job.to or defaults["to"]
                if not to:
                    raise UsageError("no destination (a 'to' cell or --to)")
                day = parse_date(job.on, "'on' cell") if job.on else parse_date(defaults["on"])
                shipment = make_shipment(kb, to=to, on=day, end_use=job.end_use or defaults["end_use"] or "",
                                         end_user=job.end_user or defaults["end_user"] or "unknown",
                                         ship_from=job.ship_from or defaults["from"], parties=parties)
                checked.append(_Checked(shown, engine.check(read_bom(job.bom, kb), shipment, rules, kb)))
            except CritminError as exc:
                checked.append(_Checked(shown, error=exc))
                typer.echo(f"error: {_prefixed(job.where, exc.message)}", err=True)
            progress.advance(task)
    return checked


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except (OSError, RuntimeError, ValueError):
        return False


@app.command(name="check")
def check_command(
    given: Annotated[str, typer.Argument(metavar="BOM_FILE|DIR|CSV",
                                         help="A BOM (YAML/JSON), a folder of BOMs, or a CSV listing BOMs.")],
    to: Annotated[str | None, typer.Option("--to", help="Destination country (name or code).")] = None,
    end_use: Annotated[str, typer.Option("--end-use", help="End use in words.")] = "",
    end_user: Annotated[str, typer.Option("--end-user", help="civil, military or unknown.")] = "unknown",
    on: OnOption = None,
    ship_from: Annotated[str | None, typer.Option(
        "--from", help="Country the shipment leaves (default: where the product is made).")] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Show the trace of every measure.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write one row per BOM to this file (a batch, or a single BOM).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Rows as csv or json (default: from the --out suffix, json with --json).")] = None,
    party: PartyOption = None,
    list_file: ListFileOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Check a BOM and shipment against every measure in force that day, line by line, with sources.

    The shipment's parties (--party, and the BOM's `parties`) are screened against the party
    lists; a hit changes the outcome and names the notice. A folder or a CSV runs a batch: one
    row per BOM. Exit 0 when every BOM was checked (whatever the outcomes), 1 on bad input (and
    in a batch when any BOM failed; the others are written).
    """
    from critmin.rules import (
        check_shipment_options,
        engine,
        load_rules,
        make_shipment,
        parse_date,
        parse_party_option,
        read_bom,
    )

    if not given.strip():
        raise UsageError("BOM_FILE|DIR|CSV is empty: give a BOM file, a folder of BOMs or a batch CSV")
    path = Path(given)
    if fmt is not None and fmt.strip().lower() not in ("csv", "json"):
        raise UsageError(f"--format {fmt[:20]!r}: expected csv or json")
    batch = _is_dir(path) or path.suffix.lower() == ".csv"
    rows = batch or out is not None or fmt is not None
    json_out = as_json or (out is not None and out.suffix.lower() == ".json")
    chosen = (fmt or ("json" if json_out else "csv")).strip().lower()
    if out is not None:
        if _same_file(out, path):
            raise UsageError(f"--out {display_path(out)} is the input itself; give another file")
        check_writable_target(out)
    to = _name_option(to.strip() if to else None, "--to") or None
    ship_from = _name_option(ship_from.strip() if ship_from else None, "--from") or None
    kb = load_kb()
    if not batch and to is None:
        raise UsageError("--to is required: the destination country")
    day = parse_date(on)
    check_shipment_options(kb, to=to, end_use=end_use, end_user=end_user, ship_from=ship_from)
    parties = [parse_party_option(text) for text in party or []]
    rules = load_rules(list_files=_list_files(list_file))
    if batch:
        defaults = {"to": to, "on": on, "end_use": end_use, "end_user": end_user, "from": ship_from}
        checked = _run_batch(path, kb, defaults, rules, parties)
        failed = sum(1 for c in checked if c.error is not None)
        _write(_rows_text(kb, checked, chosen), out)
        if out is not None:
            typer.echo(f"checked {len(checked) - failed} of {_count(len(checked), 'BOM')}, {failed} failed; "
                       f"wrote {display_path(out)}", err=True)
        if failed:
            raise typer.Exit(EXIT_USER_ERROR)
        return
    assert to is not None
    shipment = make_shipment(kb, to=to, on=day, end_use=end_use, end_user=end_user, ship_from=ship_from,
                             parties=parties)
    decision = engine.check(read_bom(path, kb), shipment, rules, kb)
    if rows:
        _write(_rows_text(kb, [_Checked(display_path(path), decision)], chosen), out)
        if out is not None:
            typer.echo(f"checked 1 BOM; wrote {display_path(out)}", err=True)
        return
    if as_json:
        emit_json(_decision_json(kb, decision))
        return
    _print_decision(make_console(), kb, decision, trace)
