"""Material pages: the list, and one material in full; the matching API endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from critmin.kb import KnowledgeBase
from critmin.kb.models import STAGE_LABELS
from critmin.web import material
from critmin.web.errors import error_responses
from critmin.web.figures import figure_json, price_chart, share_trend, stage_sankey
from critmin.web.routes.deps import kb, page, settings
from critmin.web.settings import Settings

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["knowledge base"])

Name = Annotated[str, Path(min_length=1, max_length=100)]
Year = Annotated[int | None, Query(
    ge=1900, le=2100, description="Year of the stage-by-stage shares; default each stage's latest.")]


def _materials(base: KnowledgeBase) -> list[dict[str, Any]]:
    return [{"id": m.id, "name_en": m.names.en, "name_zh": m.names.zh, "kind": m.kind.value,
             "group": m.group, "parent": m.parent} for m in base.materials.values()]


@pages.get("/materials", response_class=HTMLResponse)
def materials_page(request: Request, base: Annotated[KnowledgeBase, Depends(kb)]) -> HTMLResponse:
    return page(request, "materials.html", materials=_materials(base))


@pages.get("/materials/{name}", response_class=HTMLResponse)
def material_page(request: Request, name: Name, base: Annotated[KnowledgeBase, Depends(kb)],
                  config: Annotated[Settings, Depends(settings)], year: Year = None) -> HTMLResponse:
    data = material.material_page(base, name, on=dt.date.today(), db=config.db, year=year)
    sankey = figure_json(stage_sankey(base, data.chain)) if len(data.chain) > 1 else None
    stages, _ = material.stage_history(base, base.material(name))
    trends = [figure_json(share_trend(base, h)) for h in stages if len(h) > 1]
    prices = figure_json(price_chart(data.prices)) if data.prices else None
    return page(request, "material.html", m=data, sources=data.sources, sankey=sankey,
                trends=list(zip(data.trends, trends, strict=True)), prices=prices,
                charts=bool(sankey or trends or prices), stage_labels=STAGE_LABELS,
                country_name=base.country_name)


@api.get("/materials")
def materials(base: Annotated[KnowledgeBase, Depends(kb)]) -> list[dict[str, Any]]:
    """Every material: id, English and Chinese names, kind, group, aggregate."""
    return _materials(base)


@api.get("/materials/{name}", responses=error_responses(404, 422))
def material_detail(name: Name, base: Annotated[KnowledgeBase, Depends(kb)],
                    config: Annotated[Settings, Depends(settings)],
                    year: Year = None) -> material.MaterialPage:
    """One material: shares per stage (in `year`, default the latest), shares by year, prices,
    facilities, measures in force today, latest evidence, sources."""
    return material.material_page(base, name, on=dt.date.today(), db=config.db, year=year)
