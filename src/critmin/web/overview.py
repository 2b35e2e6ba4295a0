"""The overview: chokepoints and the world map of one material's shares at one stage.

Pure functions over the knowledge base; the routes render what they return.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from critmin.kb import KnowledgeBase, Measure, ShareSeries, parse_stage
from critmin.risk import Concentration, chokepoints
from critmin.web.errors import WebError


class MapChoice(BaseModel):
    """A material and stage that has production shares, for the map's pickers."""

    model_config = ConfigDict(frozen=True)

    material: str
    material_name: str
    stage: str
    year: int


def map_choices(kb: KnowledgeBase) -> list[MapChoice]:
    """Every material x stage with production shares (latest year), for the map's picker."""
    latest: dict[tuple[str, str], ShareSeries] = {}
    for s in kb.series:
        if s.measure is Measure.PRODUCTION:
            key = (s.material, s.stage.value)
            if key not in latest or s.year > latest[key].year:
                latest[key] = s
    return sorted((MapChoice(material=s.material, material_name=kb.materials[s.material].names.en,
                             stage=s.stage.value, year=s.year) for s in latest.values()),
                  key=lambda c: (c.material_name.casefold(), c.stage))


def map_series(kb: KnowledgeBase, material: str, stage: str) -> ShareSeries:
    """The latest production series of a material (or its aggregate) at a stage."""
    found = kb.material(material)
    wanted = parse_stage(stage)
    series = [s for s in kb.shares(found, stage=wanted, measure=Measure.PRODUCTION)]
    if not series:
        stages = sorted({s.stage.value for s in kb.shares(found, measure=Measure.PRODUCTION)})
        hint = f"; it has: {', '.join(stages)}" if stages else "; it has no production shares"
        raise WebError(404, f"no production shares for {found.names.en} at stage {wanted.value}{hint}")
    return max(series, key=lambda s: s.year)


def ranked(kb: KnowledgeBase, top: int | None = None) -> list[Concentration]:
    """Chokepoints: material x stage pairs ranked by HHI (latest year each)."""
    return chokepoints(kb, top=top)
