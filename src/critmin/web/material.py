"""One material in one page: shares stage by stage, facilities, rules in force, latest evidence.

Everything is read from the knowledge base, the rule engine and (when one exists) the evidence
store; each number keeps its source ids so the page can cite it on hover and click.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from critmin.kb import KnowledgeBase, Material, Measure, ShareSeries, Stage
from critmin.kb.models import Facility
from critmin.web import evidence

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
    facilities: list[Facility]
    on: dt.date
    measures: list[MeasureInForce]
    evidence: evidence.MaterialEvidence
    sources: dict[str, str] = Field(default_factory=dict)
    """Every source id on the page -> its citation."""


def family(kb: KnowledgeBase, material: Material) -> set[str]:
    """The material, its aggregate and its own elements."""
    out = {material.id}
    if material.parent:
        out.add(material.parent)
    out |= {m.id for m in kb.materials.values() if m.parent == material.id}
    return out


def _latest(kb: KnowledgeBase, material: Material, stage: Stage) -> ShareSeries | None:
    series = kb.shares(material, stage=stage, measure=Measure.PRODUCTION)
    return max(series, key=lambda s: s.year) if series else None


def stage_chain(kb: KnowledgeBase, material: Material) -> tuple[list[ShareSeries], str | None]:
    """The latest production shares per stage; rare earths continue into NdFeB magnets."""
    chain = [s for stage in STAGES if (s := _latest(kb, material, stage)) is not None]
    note = None
    is_rare_earth = material.group in RARE_EARTH_GROUPS or material.id == RARE_EARTHS
    if material.id == MAGNET_MATERIAL and RARE_EARTHS in kb.materials:
        upstream = [s for stage in STAGES[:3] if (s := _latest(kb, kb.materials[RARE_EARTHS], stage))]
        chain = upstream + chain
        note = "Upstream stages are total rare earths (REO), the magnets' rare-earth input."
    elif (is_rare_earth and MAGNET_MATERIAL in kb.materials
          and not any(s.stage is Stage.MAGNET for s in chain)):
        magnet = _latest(kb, kb.materials[MAGNET_MATERIAL], Stage.MAGNET)
        if magnet is not None:
            chain.append(magnet)
            note = "The magnet stage is NdFeB magnets, where most rare-earth output ends up."
    if any(s.aggregate_for for s in chain):
        aggregate = next(s.material for s in chain if s.aggregate_for)
        extra = (f"No element-level shares for {material.names.en}: the figures shown are those of "
                 f"{kb.materials[aggregate].names.en}.")
        note = f"{extra} {note}" if note else extra
    return chain, note


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


def material_page(kb: KnowledgeBase, name: str, *, on: dt.date, db: Path | None) -> MaterialPage:
    """The material page's data; `name` is any id, name or alias (404 with suggestions if unknown)."""
    material = kb.material(name)
    wanted = family(kb, material)
    chain, note = stage_chain(kb, material)
    facilities = kb.facilities_for(material=material)
    measures = measures_in_force(kb, wanted, on)
    found = evidence.material_evidence(kb, material, wanted, db)
    ids: list[str] = []
    for s in chain:
        ids += s.sources
    for f in facilities:
        ids += f.sources
    for m in measures:
        ids += m.sources
    sources = {sid: kb.sources[sid].citation() for sid in dict.fromkeys(ids) if sid in kb.sources}
    return MaterialPage(material=material.id, name_en=material.names.en, name_zh=material.names.zh,
                        group=material.group, family=sorted(wanted), chain=chain, chain_note=note,
                        facilities=facilities, on=on, measures=measures, evidence=found, sources=sources)
