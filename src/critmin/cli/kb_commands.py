"""Knowledge-base commands: materials, shares, trend, prices, chokepoints, criticality,
facilities, imports, import reliance, end uses, sources and data check."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from critmin.cli.app import (
    JsonFlag,
    app,
    data_app,
    emit_json,
    make_console,
    make_table,
    pct,
    print_sources,
    qty,
)
from critmin.errors import EXIT_USER_ERROR, CritminError, UnknownValueError, UsageError
from critmin.kb import (
    ImportReliance,
    KnowledgeBase,
    Material,
    Measure,
    PricePoint,
    ShareSeries,
    Stage,
    as_of_line,
    check_data,
    dataset_age,
    dataset_ages,
    load_kb,
    newest_source_date,
    parse_market,
    parse_since,
    parse_stage,
)
from critmin.kb.models import STAGE_LABELS, CapacityStatus
from critmin.risk import Concentration, chokepoints, concentration, import_dependence, supply_risks

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
        emit_json(_material_json(kb))
        return
    table = make_table(f"{len(kb.materials)} materials", "id", "name", "中文", "kind", "group", "aggregate")
    for m in kb.materials.values():
        table.add_row(m.id, m.names.en, m.names.zh, m.kind.value, m.group, m.parent or "")
    make_console().print(table)


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
        known = [m.value for m in Measure]
        raise UnknownValueError("measure", text, known, difflib.get_close_matches(
            text.strip().lower(), known, n=3, cutoff=0.6)) from None


#: Years a --years range may name; anything outside is a typo, not a request.
YEAR_MIN, YEAR_MAX = 1900, 2100


def parse_years(text: str) -> tuple[int, int]:
    """A year range from what a user typed: "2015:2025", "2015:", ":2020" or one year "2024"."""
    raw = text.strip()
    start_text, sep, end_text = raw.partition(":")
    if not start_text.strip() and not end_text.strip():
        raise UsageError(f"bad --years {text!r}; give FROM:TO such as 2015:2025, an open end "
                         "(2019: or :2020) or one year")
    try:
        start = int(start_text) if start_text.strip() else YEAR_MIN
        end = (int(end_text) if end_text.strip() else YEAR_MAX) if sep else start
    except ValueError:
        raise UsageError(f"bad --years {text!r}; expected FROM:TO such as 2015:2025 "
                         "(either end may be left open) or one year") from None
    for year in (start, end):
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise UsageError(f"bad --years {text!r}: {year} is outside {YEAR_MIN}-{YEAR_MAX}")
    if start > end:
        raise UsageError(f"bad --years {text!r}: {start} is after {end}; write {end}:{start}")
    return start, end


def _years_label(span: tuple[int, int] | None) -> str:
    if span is None:
        return ""
    start, end = span
    if start == end:
        return f" in {start}"
    if start == YEAR_MIN:
        return f" up to {end}"
    if end == YEAR_MAX:
        return f" from {start}"
    return f" in {start}-{end}"


def _select_series(
    kb: KnowledgeBase,
    material: Material,
    *,
    stage: Stage | None,
    measure: Measure | None,
    year: int | None,
    years: str | None,
) -> tuple[list[ShareSeries], tuple[int, int] | None]:
    """Series for the command line's filters; --year and --years cannot both be given."""
    if year is not None and years is not None:
        raise UsageError("give --year or --years, not both")
    span = parse_years(years) if years is not None else None
    if year is not None:
        span = (year, year)
    series = kb.shares(material, stage=stage, measure=measure)
    if span is not None:
        series = [s for s in series if span[0] <= s.year <= span[1]]
    return series, span


def _shares_payload(kb: KnowledgeBase, material: Material, series: Sequence[ShareSeries]) -> dict[str, Any]:
    return {
        "material": material.id,
        "material_name": material.names.en,
        "series": [_series_json(kb, s) for s in series],
        "sources": {sid: kb.sources[sid].citation()
                    for sid in dict.fromkeys(i for s in series for i in s.sources)},
        "as_of": newest_source_date(kb, (i for s in series for i in s.sources)),
        "dataset": dataset_age(kb, "shares").model_dump(),
    }


def _no_figures(material: Material, stage: Stage | None, measure: Measure | None,
                span: tuple[int, int] | None) -> str:
    return (f"No share figures for {material.names.en} ({material.id})"
            + (f" at stage {stage.value}" if stage else "")
            + (f" for {measure.value}" if measure else "")
            + _years_label(span) + ".")


YearsOption = Annotated[str | None, typer.Option(
    "--years", help="A range of years, FROM:TO (e.g. 2015:2025; either end may be open).")]


def _series_query(material: str, stage: str | None, measure: str | None, *, year: int | None,
                  years: str | None) -> tuple[KnowledgeBase, Material, Stage | None, Measure | None,
                                             list[ShareSeries], tuple[int, int] | None]:
    """The share series `shares` and `trend` print: names resolved and options parsed once."""
    kb = load_kb()
    found = kb.material(material)
    wanted_stage = parse_stage(stage) if stage else None
    wanted_measure = _parse_measure(measure)
    series, span = _select_series(kb, found, stage=wanted_stage, measure=wanted_measure,
                                  year=year, years=years)
    if not series and span is not None:
        have = sorted({s.year for s in kb.shares(found, stage=wanted_stage, measure=wanted_measure)})
        if have:
            asked = str(span[0]) if span[0] == span[1] else str(years)
            where = f" at stage {wanted_stage.value}" if wanted_stage else ""
            raise CritminError(f"no share figures for {found.names.en} ({found.id}){where} in "
                               f"{asked}; years with figures: {_year_list(have)}")
    return kb, found, wanted_stage, wanted_measure, series, span


def _year_list(years: Sequence[int]) -> str:
    """2010, 2015, 2019-2025: consecutive years as ranges."""
    parts: list[str] = []
    start = prev = years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


@app.command()
def shares(
    material: Annotated[str, typer.Argument(help="Material name, alias or id, English or Chinese.")],
    stage: Annotated[str | None, typer.Option(help="mining, refining (separation), metal, magnet.")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    years: YearsOption = None,
    measure: Annotated[str | None, typer.Option(help="production, reserves or capacity.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Countries' quantities and shares for a material, stage by stage, with sources."""
    kb, found, wanted_stage, wanted_measure, series, span = _series_query(
        material, stage, measure, year=year, years=years)
    if as_json:
        emit_json(_shares_payload(kb, found, series))
        return
    console = make_console()
    if not series:
        console.print(_no_figures(found, wanted_stage, wanted_measure, span))
        return
    for s in series:
        title = (f"{kb.materials[s.material].names.en} · {STAGE_LABELS[s.stage]} · "
                 f"{s.measure.value} · {s.year}")
        if s.aggregate_for:
            title += (f"\naggregate figures: no element-level data for "
                      f"{found.names.en} at this stage; shown for {kb.materials[s.material].names.en}")
        quantity = f"quantity ({s.unit})" if s.unit else "quantity"
        table = make_table(title, "country", quantity, "share", "confidence", "sources",
                       right=(quantity, "share"))
        for r in s.rows:
            table.add_row(f"{kb.country_name(r.country)} ({r.country})", qty(r.quantity),
                          pct(r.share), r.confidence.value, ", ".join(r.sources))
        if s.world_total:
            table.add_row("World (as reported)", qty(s.world_total), "", "", "")
        console.print(table)
        if s.partial:
            console.print(f"  partial: {s.partial_note}", style="yellow")
    print_sources(console, kb, (i for s in series for i in s.sources), "shares")


# ---------------------------------------------------------------------------------------------
# trend


@app.command()
def trend(
    material: Annotated[str, typer.Argument(help="Material name, alias or id, English or Chinese.")],
    stage: Annotated[str | None, typer.Option(
        help="mining, refining (separation), metal, magnet; default: every stage with figures.")] = None,
    measure: Annotated[str, typer.Option(help="production, reserves or capacity.")] = "production",
    years: YearsOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Year by year: top country and its share, top-3 share, HHI and number of countries."""
    kb, found, wanted_stage, wanted_measure, series, span = _series_query(
        material, stage, measure, year=None, years=years)
    if as_json:
        payload = _shares_payload(kb, found, series)
        payload["trend"] = [{**_concentration_json(concentration(kb, s)),
                             "aggregate_for": s.aggregate_for} for s in series]
        emit_json(payload)
        return
    console = make_console()
    if not series:
        console.print(_no_figures(found, wanted_stage, wanted_measure, span))
        return
    by_stage: dict[Stage, list[ShareSeries]] = {}
    for s in series:
        by_stage.setdefault(s.stage, []).append(s)
    for stage_key, members in by_stage.items():
        first = members[0]
        title = (f"{kb.materials[first.material].names.en} · {STAGE_LABELS[stage_key]} · "
                 f"{first.measure.value} by year (HHI 0-10,000; * = partial coverage)")
        if first.aggregate_for:
            title += (f"\naggregate figures: no element-level data for "
                      f"{found.names.en} at this stage; shown for {kb.materials[first.material].names.en}")
        table = make_table(title, "year", "top country", "top share", "top 3", "HHI",
                           "countries", "sources",
                           right=("year", "top share", "top 3", "HHI", "countries"))
        for s in members:
            c = concentration(kb, s)
            table.add_row(str(c.year), f"{c.top_country_name} ({c.top_country})",
                          pct(c.top_share), pct(c.top3_share),
                          f"{c.hhi:,.0f}" + ("*" if c.partial else ""), str(c.countries),
                          ", ".join(c.sources))
        console.print(table)
        for s in members:
            if s.partial:
                console.print(f"  {s.year} partial: {s.partial_note}", style="yellow")
    print_sources(console, kb, (i for s in series for i in s.sources), "shares")


# ---------------------------------------------------------------------------------------------
# prices


def _price_json(p: PricePoint) -> dict[str, Any]:
    return {"material": p.material, "product": p.product, "market": p.market.value,
            "date": p.date, "kind": p.kind.value, "value": p.value, "unit": p.unit,
            "currency": p.currency.value, "sources": p.sources,
            "confidence": p.confidence.value, "note": p.note}


@app.command()
def prices(
    material: Annotated[str, typer.Argument(help="Material name, alias or id, English or Chinese.")],
    market: Annotated[str | None, typer.Option(
        help="china_domestic, fob_china, europe, us or world.")] = None,
    product: Annotated[str | None, typer.Option(
        help="Only products whose name contains this (any case), e.g. oxide, APT, metal.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only points whose period reaches this date: YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Sourced prices of a material: USGS annual averages and dated quotes, by product and market."""
    kb = load_kb()
    found = kb.material(material)
    wanted_market = parse_market(market) if market is not None else None
    start = parse_since(since) if since is not None else None
    points = kb.prices(found, market=wanted_market, product=product, since=start)
    if as_json:
        emit_json([_price_json(p) for p in points])
        return
    console = make_console()
    if not points:
        filters = "".join(part for part in (
            f" in market {wanted_market.value}" if wanted_market else "",
            f" for products matching {product!r}" if product else "",
            f" since {since}" if since else "") if part)
        console.print(f"No price points for {found.names.en} ({found.id}){filters}.")
        products = kb.price_products(found)
        if products:
            console.print(f"  products with prices: {'; '.join(products)}")
        return
    table = make_table(f"{found.names.en} ({found.id}) prices: {len(points)} points",
                       "date", "product", "market", "value", "unit", "currency", "kind",
                       "sources", "confidence", right=("value",))
    for p in points:
        table.add_row(p.date, p.product, p.market.value, qty(p.value), p.unit, p.currency.value,
                      p.kind.value.replace("_", " "), ", ".join(p.sources), p.confidence.value)
    console.print(table)
    notes = [p for p in points if p.confidence.value != "high"]
    if notes:
        console.print(f"  {len(notes)} point(s) below high confidence; --json gives each reason",
                      style="yellow")
    print_sources(console, kb, (i for p in points for i in p.sources), "prices")


# ---------------------------------------------------------------------------------------------
# chokepoints


def _concentration_json(c: Concentration) -> dict[str, Any]:
    return {"material": c.material, "material_name": c.material_name, "stage": c.stage.value,
            "measure": c.measure.value, "year": c.year, "top_country": c.top_country,
            "top_country_name": c.top_country_name, "top_share": c.top_share,
            "top3_share": c.top3_share, "hhi": c.hhi, "hhi_upper": c.hhi_upper,
            "band": c.band, "countries": c.countries, "partial": c.partial,
            "sources": c.sources}


def chokepoint_table(rows: Sequence[Concentration], title: str) -> Table:
    table = make_table(title, "#", "material", "stage", "year", "top country", "top share", "top 3",
                   "HHI", "sources", right=("#", "year", "top share", "top 3", "HHI"))
    for rank, c in enumerate(rows, start=1):
        table.add_row(str(rank), c.material_name, c.stage.value, str(c.year),
                      c.top_country_name, pct(c.top_share), pct(c.top3_share),
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
        emit_json([_concentration_json(c) for c in ranked])
        return
    console = make_console()
    console.print(chokepoint_table(ranked, "Chokepoints: production concentration by stage "
                                           "(HHI 0-10,000; * = partial coverage)"))


# ---------------------------------------------------------------------------------------------
# criticality


@app.command()
def criticality(
    shares: Annotated[str, typer.Option(
        help="Global supply shares for HHI_WGI,t(GS): study (the EU 2023 study's Appendix 7) "
             "or latest (the latest bundled production series).")] = "study",
    as_json: JsonFlag = False,
) -> None:
    """EU supply risk computed from its inputs beside the published score; gaps are named."""
    kb = load_kb()
    results = supply_risks(kb, shares=shares)
    if as_json:
        emit_json([r.model_dump(mode="json") for r in results])
        return
    basis = "latest bundled global shares" if shares == "latest" else "the study's shares"
    table = make_table(f"EU supply risk (2023 method) computed with {basis} vs published",
                       "material", "stage", "GS", "HHI GS", "HHI EUs", "SR", "EU SR", "diff")

    def num(value: float | None, digits: int = 2) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}"

    for r in results:
        for i, s in enumerate(r.stages or [None]):
            chosen = s is not None and r.stage is not None and r.stage[0].upper() == s.stage
            table.add_row(
                r.material if i == 0 else "", s.stage if s else "n/a",
                (str(s.gs_year) if s.gs_year else "study")
                if s and s.hhi_wgi_gs is not None else "n/a",
                num(s.hhi_wgi_gs if s else None), num(s.hhi_wgi_eus if s else None),
                num(s.computed_sr if s else None), num(r.published_sr, 1) if i == 0 else "",
                num(r.difference) if chosen and r.computed_sr is not None
                else ("n/a" if i == 0 and r.computed_sr is None else ""))
    console = make_console()
    console.print(table)
    computed = sum(r.computed_sr is not None for r in results)
    console.print(f"{computed} of {len(results)} materials computed. HHI = HHI_WGI,t (0-10); "
                  "E = extraction, P = processing; SR is taken at the stage the study gives, "
                  "else the highest. n/a = not bundled: critmin does not estimate it.")
    if shares == "latest":
        console.print("GS = year of the latest bundled production series used in place of the "
                      "study's global shares (mining for E, refining for P); EUs, IR, EoL-RIR, "
                      "SI_SR and the study's t are kept (t = 1 where the study lists none).")
    console.print("Missing inputs:")
    for r in results:
        if r.missing:
            console.print(f"  {r.material}: {', '.join(r.missing)}")
    print_sources(console, kb, (s for r in results for s in r.sources), "criticality")


# ---------------------------------------------------------------------------------------------
# facilities


@app.command()
def facilities(
    country: Annotated[str | None, typer.Option(help="Country name or ISO-3 code.")] = None,
    material: Annotated[str | None, typer.Option(help="Material name or id.")] = None,
    status: Annotated[str | None, typer.Option(
        help="operating, commissioning, under_construction, planned, tender, on_hold, idle, closed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mines, separation plants, metal and magnet works and recycling plants."""
    kb = load_kb()
    if status is not None and status not in {s.value for s in CapacityStatus}:
        known = [s.value for s in CapacityStatus]
        raise UnknownValueError("status", status, known,
                                difflib.get_close_matches(status, known, n=3, cutoff=0.6))
    found = kb.facilities_for(
        country=kb.country(country) if country else None,
        material=kb.material(material) if material else None,
        status=status)
    if as_json:
        emit_json([f.model_dump(mode="json") for f in found])
        return
    table = make_table(f"{len(found)} facilities", "name", "operator", "country", "stages",
                   "materials", "capacity", "status", "start", "sources")
    for f in found:
        capacity = (f"{qty(f.capacity.value)} {f.capacity.unit} {f.capacity.product}"
                    if f.capacity else "not stated")
        table.add_row(f.name, f.operator, f.country, ", ".join(s.value for s in f.stages),
                      ", ".join(f.materials), capacity, f.status.value,
                      str(f.start_year or ""), ", ".join(f.sources))
    console = make_console()
    console.print(table)
    console.print(as_of_line(kb, "facilities", (i for f in found for i in f.sources)), style="dim")


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
        emit_json([d.model_dump(mode="json") for d in found])
        return
    table = make_table("Import dependence by supplier", "importer", "product", "period", "from China",
                   "top supplier", "suppliers", "HHI", "sources", right=("from China", "HHI"))
    for d in found:
        listed = ", ".join(f"{s.supplier} {pct(s.share)}" for s in d.suppliers)
        table.add_row(d.importer, d.product, d.period, pct(d.china_share),
                      f"{d.top_supplier} {pct(d.top_share)}", listed, f"{d.hhi:,.0f}",
                      ", ".join(d.sources))
    console = make_console()
    console.print(table)
    console.print(as_of_line(kb, "imports", (i for d in found for i in d.sources)), style="dim")
    if importer_id or material_id:
        rows = kb.import_reliance(importer=kb.countries[importer_id] if importer_id else None,
                                  material=kb.materials[material_id] if material_id else None)
        if rows:
            console.print(_reliance_table(rows, "Net import reliance (share of apparent "
                                                "consumption met by net imports)"))
            print_sources(console, kb, (i for r in rows for i in r.sources))


def _reliance_json(row: ImportReliance, asked: str | None) -> dict[str, Any]:
    return {"importer": row.importer, "material": row.material, "year": row.year,
            "value": row.value, "bound": row.bound.value if row.bound else None,
            "net_exporter": row.net_exporter, "label": row.label(),
            "aggregate_for": asked if asked and asked != row.material else None,
            "sources": row.sources, "confidence": row.confidence.value, "note": row.note}


def _reliance_table(rows: Sequence[ImportReliance], title: str) -> Table:
    """One line per importer and material, one column per year, figures as the source prints them."""
    years = sorted({r.year for r in rows})
    table = make_table(title, "importer", "material", *map(str, years), right=map(str, years))
    cells: dict[tuple[str, str], dict[int, str]] = {}
    for r in rows:
        mark = "*" if r.confidence.value != "high" else ""
        cells.setdefault((r.importer, r.material), {})[r.year] = (
            "E" if r.net_exporter else r.label()) + mark
    for (importer, material), by_year in cells.items():
        table.add_row(importer, material, *(by_year.get(y, "") for y in years))
    return table


@app.command(name="reliance")
def reliance_command(
    importer: Annotated[str | None, typer.Argument(
        help="Importing country or bloc (USA, EU); all importers when left out.")] = None,
    material: Annotated[str | None, typer.Option(help="Material name, alias or id.")] = None,
    years: Annotated[str | None, typer.Option(
        help="Only these years: FROM:TO such as 2019:2023, an open end (2021:) or one year.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Net import reliance by year: the share of apparent consumption met by net imports
    (USGS Mineral Commodity Summaries), with bounds (>95%) and net exporters (E) as published."""
    kb = load_kb()
    country = kb.country(importer) if importer else None
    found = kb.material(material) if material else None
    span = parse_years(years) if years is not None else None
    rows = [r for r in kb.import_reliance(importer=country, material=found)
            if span is None or span[0] <= r.year <= span[1]]
    if as_json:
        emit_json([_reliance_json(r, found.id if found else None) for r in rows])
        return
    console = make_console()
    scope = " ".join(part for part in (country.id if country else "",
                                       found.id if found else "") if part)
    if not rows:
        console.print(f"No import reliance figures{' for ' + scope if scope else ''}"
                      f"{_years_label(span)}.")
        return
    if found is not None and rows[0].material != found.id:
        console.print(f"{found.names.en} ({found.id}) has no figures of its own; showing its "
                      f"aggregate {rows[0].material}.", style="yellow")
    console.print(_reliance_table(rows, f"Net import reliance{' ' + scope if scope else ''}"
                                        f"{_years_label(span)} (share of apparent consumption)"))
    console.print("  >N% / <N%: bound as published; E: net exporter; *: below high confidence "
                  "(--json gives the reason)")
    print_sources(console, kb, (i for r in rows for i in r.sources), "import_reliance")


@app.command(name="content")
def content_command(
    element: Annotated[str | None, typer.Argument(
        help="Rare-earth element (Dy, 镝, dysprosium); omit or give REE for every element.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Each deposit's element mix: the fraction of its rare-earth oxide that is Dy, Nd, Tb ...

    Mine statistics count total rare-earth oxide, so this is what separates the supply of one
    element from another: ionic clays carry far more dysprosium per tonne than bastnaesite.
    """
    kb = load_kb()
    found = kb.material(element) if element else None
    rows = kb.element_content_for(found)
    if as_json:
        emit_json([{**c.model_dump(mode="json"), "country_name": kb.country_name(c.country),
                    "citations": {s: kb.sources[s].citation() for s in c.sources}} for c in rows])
        return
    console = make_console()
    if not rows:
        name = f" for {found.names.en} ({found.id})" if found else ""
        console.print(f"No element-content figures{name}.")
        return
    table = make_table("Element content of deposits (fraction of total rare-earth oxide)",
                       "element", "deposit", "country", "type", "fraction of REO", "confidence",
                       "sources", right=("fraction of REO",))
    for c in rows:
        table.add_row(c.element, c.deposit, kb.country_name(c.country),
                      c.deposit_type.value.replace("_", " "), pct(c.fraction_of_reo),
                      c.confidence.value, ", ".join(c.sources))
    console.print(table)
    print_sources(console, kb, (i for c in rows for i in c.sources), "element_content")


@app.command(name="end-uses")
def end_uses(as_json: JsonFlag = False) -> None:
    """Material intensity per unit of products (F-35, EV motor, wind turbine per MW...)."""
    kb = load_kb()
    if as_json:
        emit_json([e.model_dump(mode="json") for e in kb.end_uses])
        return
    table = make_table("Material intensity of end uses", "product", "per", "sector", "material", "kg",
                   "basis", "confidence", "sources", right=("kg",))
    for e in kb.end_uses:
        for i in e.intensities:
            table.add_row(e.product, e.unit, e.sector, i.material, f"{i.kg_per_unit:g}", i.basis,
                          i.confidence.value, ", ".join(i.sources))
    make_console().print(table)


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
        emit_json(payload[0] if source_id else payload)
        return
    console = make_console()
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
              "criticality": len(raw.criticality), "imports": len(raw.imports),
              "prices": len(raw.prices), "import_reliance": len(raw.reliance),
              "element_content": len(raw.element_content)}
    if as_json:
        emit_json({"ok": not problems, "counts": counts,
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


@data_app.command("info")
def data_info(as_json: JsonFlag = False) -> None:
    """Each bundled dataset's row count, newest source date and latest period covered."""
    ages = dataset_ages(load_kb())
    if as_json:
        emit_json([a.model_dump() for a in ages])
        return
    table = make_table("Bundled datasets", "dataset", "rows", "as of (newest source)",
                       "figures to", right=("rows",))
    for a in ages:
        table.add_row(a.dataset, f"{a.rows:,}", a.as_of or "", a.latest_period or "")
    make_console().print(table)
