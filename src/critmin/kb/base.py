"""The loaded knowledge base: validated records, name lookups and share series.

Loading is all-or-nothing: any problem in the data raises a DataError listing it, so nothing
downstream ever computes on half-valid figures.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from critmin.config import data_dir
from critmin.errors import DataError, NotFoundError, UsageError
from critmin.kb.check import check
from critmin.kb.gazetteer import Gazetteer, gazetteer_for
from critmin.kb.load import Problem, RawData, read_data
from critmin.kb.models import (
    STAGE_ALIASES,
    Company,
    Country,
    CriticalityInput,
    EndUse,
    Facility,
    Governance,
    ImportShare,
    Material,
    Measure,
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
    material_names: Gazetteer = field(repr=False)
    country_names: Gazetteer = field(repr=False)
    company_names: Gazetteer = field(repr=False)

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
        """Series for a material, falling back to its aggregate (labelled) when it has none."""
        own = self._select(material.id, stage, year, measure)
        if own or material.parent is None:
            return own
        inherited = self._select(material.parent, stage, year, measure)
        return [s.model_copy(update={"aggregate_for": material.id}) for s in inherited]

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


def parse_stage(text: str) -> Stage:
    """A stage from what a user typed (separation -> refining, magnets -> magnet)."""
    stage = STAGE_ALIASES.get(text.strip().casefold())
    if stage is None:
        choices = ", ".join(s.value for s in Stage)
        raise UsageError(f"unknown stage {text!r}; expected one of: {choices} "
                         "(separation, alloy and component are accepted too)")
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
        series=tuple(build_series(rows, (n.record for n in raw.series_notes))),
        facilities=tuple(f.record for f in raw.facilities),
        end_uses=tuple(e.record for e in raw.end_uses),
        criticality={c.record.material: c.record for c in raw.criticality},
        governance={g.record.country: g.record for g in raw.governance},
        imports=tuple(i.record for i in raw.imports),
        material_names=material_names,
        country_names=country_names,
        company_names=company_names,
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
