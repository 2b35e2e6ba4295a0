"""One material in one page: shares stage by stage and over time, prices, facilities, rules in
force, latest evidence.

Everything is read from the knowledge base, the rule engine and (when one exists) the evidence
store; each number keeps its source ids so the page can cite it on hover and click.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from critmin.kb import KnowledgeBase, Material, Measure, PricePoint, ShareSeries, Stage, as_of_line
from critmin.kb.models import STAGE_LABELS, Facility
from critmin.risk import concentration
from critmin.web import evidence
from critmin.web.errors import WebError

STAGES = [Stage.MINING, Stage.REFINING, Stage.METAL, Stage.MAGNET]
#: Rare-earth materials flow on into magnets; the knowledge base's magnet stage is NdFeB's.
MAGNET_MATERIAL = "NdFeB"
RARE_EARTH_GROUPS = {"ree", "light_ree", "heavy_ree"}
RARE_EARTHS = "REE"


class MeasureInForce(BaseModel):
    """An export-control measure in force on a day that lists the material (or its family)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    jurisdiction: str
    status: str
    detail: str
    items: list[str]
    """Descriptions of the measure's items naming the material or its family."""
    sources: list[str]


class TrendYear(BaseModel):
    """One year of a stage's history: its top supplier and HHI, as `critmin trend` reports them."""

    model_config = ConfigDict(frozen=True)

    year: int
    top_country: str
    top_country_name: str
    top_share: float
    hhi: float
    """HHI over named countries, 0-10,000 (the rest of world counted as fragmented)."""
    partial: bool
    partial_note: str | None
    sources: list[str]


class ShareTrend(BaseModel):
    """One stage's production shares year by year (only stages with more than one year)."""

    model_config = ConfigDict(frozen=True)

    stage: Stage
    material: str
    """Material id of the figures (the aggregate's when `aggregate_for` is set)."""
    material_name: str
    aggregate_for: str | None
    years: list[TrendYear]
    """Oldest first."""


class MaterialPage(BaseModel):
    """Everything the material page shows, with source ids beside each figure."""

    model_config = ConfigDict(frozen=True)

    material: str
    name_en: str
    name_zh: str
    group: str
    family: list[str]
    """The material, its aggregate and its elements: what rules and evidence are matched on."""
    chain: list[ShareSeries]
    """Latest production series per stage, upstream first (the Sankey's columns)."""
    chain_note: str | None
    year: int | None = None
    """The year asked for (`?year=`); None shows each stage's latest year."""
    years: list[int] = Field(default_factory=list)
    """Every year with production shares at some stage of the chain, oldest first."""
    missing: list[str] = Field(default_factory=list)
    """Stages with figures, but none for the year asked for."""
    trends: list[ShareTrend] = Field(default_factory=list)
    prices: list[PricePoint] = Field(default_factory=list)
    """The material's own price points by product, market and date (none are inherited)."""
    facilities: list[Facility]
    on: dt.date
    measures: list[MeasureInForce]
    evidence: evidence.MaterialEvidence
    sources: dict[str, str] = Field(default_factory=dict)
    """Every source id on the page -> its citation."""
    as_of: dict[str, str] = Field(default_factory=dict)
    """Section (shares, trends, prices, facilities) -> how old its figures are, one sentence."""


def family(kb: KnowledgeBase, material: Material) -> set[str]:
    """The material, its aggregate and its own elements."""
    out = {material.id}
    if material.parent:
        out.add(material.parent)
    out |= {m.id for m in kb.materials.values() if m.parent == material.id}
    return out


def _history(kb: KnowledgeBase, material: Material, stage: Stage) -> list[ShareSeries]:
    series = kb.shares(material, stage=stage, measure=Measure.PRODUCTION)
    return sorted(series, key=lambda s: s.year)


def stage_history(kb: KnowledgeBase, material: Material) -> tuple[list[list[ShareSeries]], str | None]:
    """Every year of production shares per stage, upstream first; rare earths continue into
    NdFeB magnets. Each list is one stage, oldest year first; stages with no figures are left out.
    """
    stages = [h for stage in STAGES if (h := _history(kb, material, stage))]
    note = None
    is_rare_earth = material.group in RARE_EARTH_GROUPS or material.id == RARE_EARTHS
    if material.id == MAGNET_MATERIAL and RARE_EARTHS in kb.materials:
        upstream = [h for stage in STAGES[:3] if (h := _history(kb, kb.materials[RARE_EARTHS], stage))]
        stages = upstream + stages
        note = "Upstream stages are total rare earths (REO), the magnets' rare-earth input."
    elif (is_rare_earth and MAGNET_MATERIAL in kb.materials
          and not any(h[0].stage is Stage.MAGNET for h in stages)):
        magnet = _history(kb, kb.materials[MAGNET_MATERIAL], Stage.MAGNET)
        if magnet:
            stages.append(magnet)
            note = "The magnet stage is NdFeB magnets, where most rare-earth output ends up."
    borrowed = [h[0] for h in stages if h[0].aggregate_for]
    if borrowed:
        aggregate = borrowed[0].material
        where = ("" if len(borrowed) == len(stages)
                 else " at the " + ", ".join(STAGE_LABELS[h.stage] for h in borrowed)
                 + " stage" + ("s" if len(borrowed) > 1 else ""))
        extra = (f"No element-level shares for {material.names.en}{where}: the figures shown there "
                 f"are those of {kb.materials[aggregate].names.en}.")
        note = f"{extra} {note}" if note else extra
    return stages, note


def stage_chain(kb: KnowledgeBase, material: Material,
                year: int | None = None) -> tuple[list[ShareSeries], str | None]:
    """The production shares per stage in `year` (default: each stage's latest year)."""
    stages, note = stage_history(kb, material)
    if year is None:
        return [h[-1] for h in stages], note
    return [s for h in stages for s in h if s.year == year], note


def share_trends(kb: KnowledgeBase, stages: list[list[ShareSeries]]) -> list[ShareTrend]:
    """Per stage with more than one year: top supplier, its share and HHI each year."""
    out = []
    for history in stages:
        if len(history) < 2:
            continue
        years = []
        for s in history:
            c = concentration(kb, s)
            years.append(TrendYear(year=c.year, top_country=c.top_country,
                                   top_country_name=c.top_country_name, top_share=c.top_share,
                                   hhi=c.hhi, partial=c.partial, partial_note=s.partial_note,
                                   sources=c.sources))
        first = history[0]
        out.append(ShareTrend(stage=first.stage, material=first.material,
                              material_name=kb.materials[first.material].names.en,
                              aggregate_for=first.aggregate_for, years=years))
    return out


def measures_in_force(kb: KnowledgeBase, wanted: set[str], on: dt.date) -> list[MeasureInForce]:
    """Measures in force on `on` with an item naming one of `wanted` materials."""
    from critmin.rules import measures_on

    out = []
    for status in measures_on(on):
        if not status.in_force:
            continue
        items = [i.description for i in status.measure.items if i.material in wanted]
        if items:
            out.append(MeasureInForce(id=status.measure.id, title=status.measure.title,
                                      jurisdiction=status.measure.jurisdiction, status=status.label,
                                      detail=status.detail, items=items,
                                      sources=list(status.measure.sources)))
    return out


def material_page(kb: KnowledgeBase, name: str, *, on: dt.date, db: Path | None,
                  year: int | None = None) -> MaterialPage:
    """The material page's data; `name` is any id, name or alias (404 with suggestions if unknown).

    `year` picks the year of the stage-by-stage shares; a year no stage has figures for is a 404
    naming the years there are.
    """
    material = kb.material(name)
    wanted = family(kb, material)
    stages, note = stage_history(kb, material)
    years = sorted({s.year for h in stages for s in h})
    if year is not None and year not in years:
        have = ", ".join(map(str, years)) or "none"
        raise WebError(404, f"no production shares for {material.names.en} in {year} "
                            f"(years with figures: {have})")
    chain, _ = stage_chain(kb, material, year)
    missing = [STAGE_LABELS[h[0].stage] for h in stages if year is not None
               and not any(s.year == year for s in h)]
    trends = share_trends(kb, stages)
    prices = kb.prices(material)
    facilities = kb.facilities_for(material=material)
    measures = measures_in_force(kb, wanted, on)
    found = evidence.material_evidence(kb, material, wanted, db)
    ids: list[str] = []
    for s in chain:
        ids += s.sources
    for t in trends:
        for y in t.years:
            ids += y.sources
    for p in prices:
        ids += p.sources
    for f in facilities:
        ids += f.sources
    for m in measures:
        ids += m.sources
    sources = {sid: kb.sources[sid].citation() for sid in dict.fromkeys(ids) if sid in kb.sources}
    as_of = {
        "shares": as_of_line(kb, "shares", (i for s in chain for i in s.sources)),
        "trends": as_of_line(kb, "shares", (i for t in trends for y in t.years for i in y.sources)),
        "prices": as_of_line(kb, "prices", (i for p in prices for i in p.sources)),
        "facilities": as_of_line(kb, "facilities", (i for f in facilities for i in f.sources)),
    }
    return MaterialPage(material=material.id, name_en=material.names.en, name_zh=material.names.zh,
                        group=material.group, family=sorted(wanted), chain=chain, chain_note=note,
                        year=year, years=years, missing=missing, trends=trends, prices=prices,
                        facilities=facilities, on=on, measures=measures, evidence=found,
                        sources=sources, as_of=as_of)
