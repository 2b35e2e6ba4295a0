"""Cross-record checks: what no single row can know is wrong on its own.

A row can be well-formed and still cite a source nobody defined, name a country we do not
know, or belong to a series whose shares add up to 130%. These checks run on every load and
are what `critmin data check` reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from critmin.kb.gazetteer import gazetteer_for
from critmin.kb.load import Located, Location, Problem, RawData
from critmin.kb.models import Market, MaterialKind, PriceKind, PricePoint, ShareRow
from critmin.kb.series import REST_OF_WORLD, WORLD_TOTAL, SeriesKey, build_series

#: Published shares of a series must close to 1 within this (the rest of world closes the gap).
SHARE_SUM_TOLERANCE = 0.005
#: Listed quantities may differ from a reported world total by this much (sources round totals).
WORLD_TOTAL_TOLERANCE = 0.05
SPECIAL_COUNTRIES = {REST_OF_WORLD, WORLD_TOTAL}


def check(raw: RawData) -> list[Problem]:
    """Every cross-record problem in `raw`, in file order."""
    problems: list[Problem] = []
    problems += _duplicates(raw)
    sources = {s.record.id for s in raw.sources}
    materials = {m.record.id for m in raw.materials}
    countries = {c.record.id for c in raw.countries}
    problems += _material_links(raw, materials)
    problems += _names(raw)
    problems += _references(raw, sources, materials, countries)
    problems += _series(raw)
    problems += _imports(raw)
    problems += _prices(raw)
    problems += _assertions(raw)
    return problems


def _duplicates(raw: RawData) -> list[Problem]:
    out: list[Problem] = []
    collections: list[tuple[str, list[Located[Any]], str]] = [
        ("source", list(raw.sources), "id"),
        ("material", list(raw.materials), "id"),
        ("country", list(raw.countries), "id"),
        ("company", list(raw.companies), "id"),
        ("facility", list(raw.facilities), "id"),
        ("end use", list(raw.end_uses), "id"),
        ("criticality entry", list(raw.criticality), "material"),
        ("governance entry", list(raw.governance), "country"),
    ]
    for kind, items, attr in collections:
        first: dict[str, Location] = {}
        for item in items:
            key = getattr(item.record, attr)
            if key in first:
                out.append(Problem(item.location, f"duplicate {kind} id {key!r} "
                                                  f"(first defined at {first[key]})"))
            else:
                first[key] = item.location
    seen_rows: dict[tuple[SeriesKey, str], Location] = {}
    for share in raw.shares:
        row_key = (share.record.series_key, share.record.country)
        if row_key in seen_rows:
            out.append(Problem(share.location, f"duplicate share row (first at {seen_rows[row_key]})"))
        else:
            seen_rows[row_key] = share.location
    seen_reliance: dict[tuple[str, str, int], Location] = {}
    for r in raw.reliance:
        if r.record.key in seen_reliance:
            out.append(Problem(r.location, f"duplicate import reliance row for "
                                           f"{'/'.join(str(k) for k in r.record.key)} "
                                           f"(first at {seen_reliance[r.record.key]})"))
        else:
            seen_reliance[r.record.key] = r.location
    seen_content: dict[tuple[str, str], Location] = {}
    content_total: dict[str, float] = {}
    for c in raw.element_content:
        if c.record.key in seen_content:
            out.append(Problem(c.location, f"duplicate element content for {c.record.deposit} / "
                                           f"{c.record.element} (first at {seen_content[c.record.key]})"))
        else:
            seen_content[c.record.key] = c.location
        deposit = c.record.deposit.casefold()
        content_total[deposit] = content_total.get(deposit, 0.0) + c.record.fraction_of_reo
        if content_total[deposit] > 1 + SHARE_SUM_TOLERANCE:
            out.append(Problem(c.location, f"element fractions of {c.record.deposit} add up to "
                                           f"{content_total[deposit]:.3f}, more than its total REO"))
    seen_prices: dict[tuple[str, str, Market, str, PriceKind], Location] = {}
    for price in raw.prices:
        price_key = price.record.point_key
        if price_key in seen_prices:
            out.append(Problem(price.location,
                               f"duplicate price point (first at {seen_prices[price_key]})"))
        else:
            seen_prices[price_key] = price.location
    return out


def _material_links(raw: RawData, materials: set[str]) -> list[Problem]:
    kinds = {m.record.id: m.record.kind for m in raw.materials}
    out = []
    for item in raw.materials:
        parent = item.record.parent
        if parent is None:
            continue
        if parent not in materials:
            out.append(Problem(item.location, f"parent {parent!r} is not a known material"))
        elif kinds[parent] is not MaterialKind.AGGREGATE:
            out.append(Problem(item.location, f"parent {parent!r} is not an aggregate"))
    return out


def _names(raw: RawData) -> list[Problem]:
    """Two materials (or two countries) answering to one name would make lookups ambiguous."""
    out = []
    groups = (("material", list(raw.materials)), ("country", list(raw.countries)),
              ("company", list(raw.companies)))
    for kind, items in groups:
        locations = {item.record.id: item.location for item in items}
        gazetteer = gazetteer_for(kind, (item.record for item in items))
        for name, first, second in gazetteer.collisions:
            out.append(Problem(locations[second], f"name {name!r} already belongs to {kind} {first!r}"))
    return out


def _references(
    raw: RawData, sources: set[str], materials: set[str], countries: set[str]
) -> list[Problem]:
    out: list[Problem] = []

    def need(location: Location, kind: str, value: str, known: set[str]) -> None:
        if value not in known:
            out.append(Problem(location, f"unknown {kind} {value!r}"))

    def cite(location: Location, ids: Iterable[str]) -> None:
        for source_id in ids:
            need(location, "source id", source_id, sources)

    country_codes = countries | SPECIAL_COUNTRIES
    for s in raw.shares:
        need(s.location, "material", s.record.material, materials)
        need(s.location, "country", s.record.country, country_codes)
        cite(s.location, s.record.sources)
    for n in raw.series_notes:
        need(n.location, "material", n.record.material, materials)
    for f in raw.facilities:
        need(f.location, "country", f.record.country, countries)
        for material in f.record.materials:
            need(f.location, "material", material, materials)
        cite(f.location, f.record.sources)
    for e in raw.end_uses:
        for intensity in e.record.intensities:
            need(e.location, "material", intensity.material, materials)
            cite(e.location, intensity.sources)
    for c in raw.criticality:
        need(c.location, "material", c.record.material, materials)
        cite(c.location, c.record.sources)
    for g in raw.governance:
        need(g.location, "country", g.record.country, countries)
        cite(g.location, g.record.sources)
    for i in raw.imports:
        need(i.location, "importer", i.record.importer, countries)
        need(i.location, "supplier", i.record.supplier, country_codes)
        need(i.location, "material", i.record.material, materials)
        cite(i.location, i.record.sources)
    for p in raw.prices:
        need(p.location, "material", p.record.material, materials)
        cite(p.location, p.record.sources)
    for r in raw.reliance:
        need(r.location, "importer", r.record.importer, countries)
        need(r.location, "material", r.record.material, materials)
        cite(r.location, r.record.sources)
    for content in raw.element_content:
        need(content.location, "element", content.record.element, materials)
        need(content.location, "country", content.record.country, countries)
        cite(content.location, content.record.sources)
    for company in raw.companies:
        if company.record.country is not None:
            need(company.location, "country", company.record.country, countries)
    for country in raw.countries:
        for member in country.record.members:
            need(country.location, "member country", member, countries)
    return out


def _series(raw: RawData) -> list[Problem]:
    out: list[Problem] = []
    first_row: dict[SeriesKey, Location] = {}
    members: dict[SeriesKey, list[Located[ShareRow]]] = defaultdict(list)
    for s in raw.shares:
        first_row.setdefault(s.record.series_key, s.location)
        members[s.record.series_key].append(s)
    for key, rows in members.items():
        suppliers = [r for r in rows if r.record.country != WORLD_TOTAL]
        with_quantity = [r for r in suppliers if r.record.quantity is not None]
        if with_quantity and len(with_quantity) != len(suppliers):
            out.append(Problem(first_row[key], "series mixes rows with and without quantities; "
                                               "give every row a quantity or none"))
        units = Counter(r.record.unit for r in rows if r.record.unit)
        if len(units) > 1:
            out.append(Problem(first_row[key], f"series mixes units: {', '.join(sorted(units))}"))
        for r in rows:
            if r.record.country == WORLD_TOTAL and r.record.quantity is None:
                out.append(Problem(r.location, "a WLD (world total) row needs a quantity"))
    partial = {(n.record.material, n.record.stage, n.record.measure, n.record.year)
               for n in raw.series_notes if n.record.partial}
    # Built with the notes, as `build` needs them, and kept so loading builds the series once.
    raw.built_series = build_series((s.record for s in raw.shares),
                                    (n.record for n in raw.series_notes))
    for series in raw.built_series:
        location = first_row[series.key]
        if not series.rows:
            out.append(Problem(location, "series has a world total but no countries"))
            continue
        total = series.share_sum()
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE and series.key not in partial:
            out.append(Problem(location, f"shares sum to {total:.3f}, not 1 within "
                                         f"{SHARE_SUM_TOLERANCE} (add a ROW row or mark the "
                                         "series partial in series.yaml)"))
        listed = sum(r.quantity or 0.0 for r in series.rows)
        if series.world_total and series.rows[0].quantity is not None:
            gap = abs(listed - series.world_total) / series.world_total
            if gap > WORLD_TOTAL_TOLERANCE and series.key not in partial:
                out.append(Problem(location, f"listed quantities sum to {listed:,.0f} but the "
                                             f"world total is {series.world_total:,.0f} "
                                             f"({gap:.1%} apart)"))
    return out


def _imports(raw: RawData) -> list[Problem]:
    out = []
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    where: dict[tuple[str, str, str], Location] = {}
    for i in raw.imports:
        key = (i.record.importer, i.record.product, i.record.period)
        totals[key] += i.record.share
        where.setdefault(key, i.location)
    for key, total in totals.items():
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            out.append(Problem(where[key], f"import shares for {'/'.join(key)} sum to "
                                           f"{total:.3f}, not 1 (add a ROW row)"))
    return out


def _prices(raw: RawData) -> list[Problem]:
    """One unit and one currency per (material, product, market), so a series can be compared."""
    out = []
    first: dict[tuple[str, str, Market], Located[PricePoint]] = {}
    for p in raw.prices:
        key = p.record.series_key
        if key not in first:
            first[key] = p
            continue
        head = first[key].record
        if (p.record.unit, p.record.currency) != (head.unit, head.currency):
            out.append(Problem(p.location, f"unit {p.record.unit} {p.record.currency} differs from "
                                           f"{head.unit} {head.currency} at {first[key].location} "
                                           f"for {'/'.join(str(k) for k in key)}; one unit per "
                                           "material, product and market"))
    return out


#: Assertion names counting one material's annual average prices: annual_prices.Sb.
ANNUAL_PRICES = "annual_prices."


def _assertions(raw: RawData) -> list[Problem]:
    counts = {
        "sources": len(raw.sources), "materials": len(raw.materials),
        "countries": len(raw.countries), "companies": len(raw.companies), "shares": len(raw.shares),
        "facilities": len(raw.facilities), "end_uses": len(raw.end_uses),
        "criticality": len(raw.criticality), "imports": len(raw.imports),
        "prices": len(raw.prices), "import_reliance": len(raw.reliance),
        "element_content": len(raw.element_content),
    }
    for m in raw.materials:
        counts[ANNUAL_PRICES + m.record.id] = 0
    for p in raw.prices:
        if p.record.kind is PriceKind.ANNUAL_AVERAGE:
            name = ANNUAL_PRICES + p.record.material
            counts[name] = counts.get(name, 0) + 1
    out = []
    for dataset, minimum in raw.assertions.items():
        if dataset not in counts:
            out.append(Problem(Location("assertions.yaml"), f"unknown dataset {dataset!r}"))
        elif counts[dataset] < minimum:
            out.append(Problem(Location("assertions.yaml"),
                               f"{dataset}: {counts[dataset]} records, at least {minimum} expected"))
    return out
