"""The loaded knowledge base: validated records, name lookups and share series.

Loading is all-or-nothing: any problem in the data raises a DataError listing it, so nothing
downstream ever computes on half-valid figures.
"""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from critmin.config import data_dir
from critmin.errors import DataError, NotFoundError, UnknownValueError, UsageError
from critmin.kb.check import check
from critmin.kb.gazetteer import Gazetteer, gazetteer_for
from critmin.kb.load import Problem, RawData, read_data
from critmin.kb.models import (
    PARTIAL_DATE,
    STAGE_ALIASES,
    Company,
    Country,
    CriticalityInput,
    ElementContent,
    EndUse,
    Facility,
    Governance,
    ImportReliance,
    ImportShare,
    Market,
    Material,
    MaterialKind,
    Measure,
    PriceKind,
    PricePoint,
    ShareRow,
    Source,
    Stage,
)
from critmin.kb.series import ShareSeries, build_series


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything bundled, validated and indexed; build it with `load_kb`."""

    root: Path
    sources: dict[str, Source]
    materials: dict[str, Material]
    countries: dict[str, Country]
    companies: dict[str, Company]
    share_rows: tuple[ShareRow, ...]
    series: tuple[ShareSeries, ...]
    facilities: tuple[Facility, ...]
    end_uses: tuple[EndUse, ...]
    criticality: dict[str, CriticalityInput]
    governance: dict[str, Governance]
    imports: tuple[ImportShare, ...]
    price_points: tuple[PricePoint, ...]
    material_names: Gazetteer = field(repr=False)
    country_names: Gazetteer = field(repr=False)
    company_names: Gazetteer = field(repr=False)
    reliance: tuple[ImportReliance, ...] = ()
    element_content: tuple[ElementContent, ...] = ()

    def material(self, name: str) -> Material:
        """Resolve any name, alias or id of a material (English or Chinese, any case)."""
        found = self.material_names.lookup(name)
        if found is None:
            raise NotFoundError("material", name, self.material_names.suggest(name))
        return self.materials[found]

    def country(self, name: str) -> Country:
        """Resolve an ISO-3 code or a country name in English or Chinese."""
        found = self.country_names.lookup(name)
        if found is None:
            raise NotFoundError("country", name, self.country_names.suggest(name))
        return self.countries[found]

    def source(self, source_id: str) -> Source:
        try:
            return self.sources[source_id]
        except KeyError:
            close = difflib.get_close_matches(source_id, list(self.sources), n=5, cutoff=0.5)
            raise NotFoundError("source", source_id, close) from None

    def country_name(self, code: str) -> str:
        """English name for display; ROW and WLD read as words."""
        if code == "ROW":
            return "Rest of world"
        if code == "WLD":
            return "World"
        country = self.countries.get(code)
        return country.names.en if country else code

    def shares(
        self,
        material: Material,
        *,
        stage: Stage | None = None,
        year: int | None = None,
        measure: Measure | None = None,
    ) -> list[ShareSeries]:
        """Series for a material; each (stage, measure) it has no figures for (after the filters)
        falls back to its aggregate's series, labelled with `aggregate_for`.

        An element with its own refining figures but none for mining shows its own refining
        series and the aggregate's mining series. Upstream stages come first, then measure, year.
        """
        own = self._select(material.id, stage, year, measure)
        if material.parent is None:
            return own
        covered = {(s.stage, s.measure) for s in own}
        inherited = [s.model_copy(update={"aggregate_for": material.id})
                     for s in self._select(material.parent, stage, year, measure)
                     if (s.stage, s.measure) not in covered]
        if not inherited:
            return own
        stages = list(Stage)
        return sorted(own + inherited, key=lambda s: (stages.index(s.stage), s.measure, s.year))

    def _select(
        self, material_id: str, stage: Stage | None, year: int | None, measure: Measure | None
    ) -> list[ShareSeries]:
        return [s for s in self.series
                if s.material == material_id
                and (stage is None or s.stage == stage)
                and (year is None or s.year == year)
                and (measure is None or s.measure == measure)]

    def facilities_for(
        self,
        *,
        country: Country | None = None,
        material: Material | None = None,
        status: str | None = None,
    ) -> list[Facility]:
        """Facilities matching every filter given; a material also matches via its aggregate."""
        wanted: set[str] = set()
        if material is not None:
            wanted = {material.id}
            if material.parent:
                wanted.add(material.parent)
            wanted |= {m.id for m in self.materials.values() if m.parent == material.id}
        out = []
        for f in self.facilities:
            if country is not None and f.country != country.id:
                continue
            if material is not None and not wanted.intersection(f.materials):
                continue
            if status is not None and f.status.value != status:
                continue
            out.append(f)
        return out


    def prices(
        self,
        material: Material,
        *,
        market: Market | str | None = None,
        product: str | None = None,
        since: date | str | None = None,
        kind: PriceKind | None = None,
    ) -> list[PricePoint]:
        """A material's price points, sorted by product, market and date.

        `market` accepts a Market or its name; `product` matches any product whose name contains
        it (any case); `since` (a date or YYYY[-MM[-DD]]) keeps the points whose period reaches
        that day, so the 2024 annual average is kept by since=2024-06.
        """
        wanted_market = parse_market(market) if isinstance(market, str) else market
        start = parse_since(since) if isinstance(since, str) else since
        needle = product.strip().casefold() if product else None
        found = [p for p in self.price_points
                 if p.material == material.id
                 and (wanted_market is None or p.market is wanted_market)
                 and (needle is None or needle in p.product.casefold())
                 and (kind is None or p.kind is kind)
                 and (start is None or period_end(p.date) >= start)]
        return sorted(found, key=lambda p: (p.product.casefold(), p.market.value, p.date,
                                             p.kind.value))

    def import_reliance(
        self, *, importer: Country | None = None, material: Material | None = None
    ) -> list[ImportReliance]:
        """Net import reliance rows matching the filters, by importer, material and year.

        A material with no rows of its own falls back to its aggregate (REE for Dy): the rows
        returned then carry the aggregate's id, so a caller can say so.
        """
        def select(material_id: str | None) -> list[ImportReliance]:
            return [r for r in self.reliance
                    if (importer is None or r.importer == importer.id)
                    and (material_id is None or r.material == material_id)]

        found = select(material.id if material else None)
        if not found and material is not None and material.parent:
            found = select(material.parent)
        return sorted(found, key=lambda r: (r.importer, r.material.casefold(), r.year))

    def element_content_for(self, material: Material | None = None) -> list[ElementContent]:
        """Element fractions of deposits' rare-earth oxide, by element then largest fraction.

        An element selects its own rows; an aggregate (REE, HREE) or none selects every row.
        """
        rows = [c for c in self.element_content
                if material is None or material.kind is MaterialKind.AGGREGATE
                or c.element == material.id]
        return sorted(rows, key=lambda c: (c.element, -c.fraction_of_reo, c.deposit.casefold()))

    def price_products(self, material: Material) -> list[str]:
        """The products of a material that have prices, in name order."""
        return sorted({p.product for p in self.price_points if p.material == material.id},
                      key=str.casefold)


def parse_market(text: str) -> Market:
    """A market from what a user typed (any case; a hyphen or space reads as an underscore)."""
    cleaned = text.strip().casefold().replace("-", "_").replace(" ", "_")
    try:
        return Market(cleaned)
    except ValueError:
        known = [m.value for m in Market]
        raise UnknownValueError("market", text, known,
                                difflib.get_close_matches(cleaned, known, n=3, cutoff=0.5)) from None


def parse_since(text: str) -> date:
    """The first day of YYYY, YYYY-MM or YYYY-MM-DD; anything else is a usage error."""
    raw = text.strip()
    if not PARTIAL_DATE.match(raw):
        raise UsageError(f"bad date {text!r}; expected YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(x) for x in raw.split("-")]
    try:
        return date(parts[0], *[*parts[1:], 1, 1][:2])
    except ValueError:
        raise UsageError(f"bad date {text!r}: no such day") from None


def period_end(text: str) -> date:
    """The last day a partial ISO date covers: 2024 -> 2024-12-31, 2024-02 -> 2024-02-29."""
    parts = [int(x) for x in text.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], parts[1], parts[2])


def parse_stage(text: str) -> Stage:
    """A stage from what a user typed (separation -> refining, magnets -> magnet)."""
    stage = STAGE_ALIASES.get(text.strip().casefold())
    if stage is None:
        close = difflib.get_close_matches(text.strip().casefold(), list(STAGE_ALIASES), n=5,
                                          cutoff=0.6)
        suggestions = list(dict.fromkeys(STAGE_ALIASES[c].value for c in close))
        raise UnknownValueError("stage", text, [s.value for s in Stage], suggestions,
                                note="separation, alloy and component are accepted too")
    return stage


def build(raw: RawData) -> KnowledgeBase:
    """Index validated records. Callers must have checked `raw` first."""
    material_names = gazetteer_for("material", (item.record for item in raw.materials))
    country_names = gazetteer_for("country", (item.record for item in raw.countries))
    company_names = gazetteer_for("company", (item.record for item in raw.companies))
    rows = tuple(item.record for item in raw.shares)
    return KnowledgeBase(
        root=raw.root,
        sources={s.record.id: s.record for s in raw.sources},
        materials={m.record.id: m.record for m in raw.materials},
        countries={c.record.id: c.record for c in raw.countries},
        companies={c.record.id: c.record for c in raw.companies},
        share_rows=rows,
        series=tuple(raw.built_series if raw.built_series is not None
                     else build_series(rows, (n.record for n in raw.series_notes))),
        facilities=tuple(f.record for f in raw.facilities),
        end_uses=tuple(e.record for e in raw.end_uses),
        criticality={c.record.material: c.record for c in raw.criticality},
        governance={g.record.country: g.record for g in raw.governance},
        imports=tuple(i.record for i in raw.imports),
        price_points=tuple(p.record for p in raw.prices),
        material_names=material_names,
        country_names=country_names,
        company_names=company_names,
        reliance=tuple(r.record for r in raw.reliance),
        element_content=tuple(c.record for c in raw.element_content),
    )


def check_data(root: Path | None = None) -> tuple[RawData, Sequence[Problem]]:
    """Read and check a data folder; return every problem instead of raising."""
    raw = read_data(root or data_dir())
    return raw, [*raw.problems, *check(raw)]


@lru_cache(maxsize=4)
def _load_cached(root: str) -> KnowledgeBase:
    raw, problems = check_data(Path(root))
    if problems:
        raise DataError(problems)
    return build(raw)


def load_kb(root: Path | None = None) -> KnowledgeBase:
    """The knowledge base from `root` (default: CRITMIN_DATA_DIR or the bundled data), cached."""
    return _load_cached(str((root or data_dir()).resolve()))
