"""Overview page: chokepoints table and the world map of shares; the matching API endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from critmin.kb import KnowledgeBase, ShareSeries
from critmin.risk import Concentration
from critmin.web import overview
from critmin.web.downloads import Format, FormatQuery, csv_response, rows_of
from critmin.web.errors import error_responses
from critmin.web.figures import figure_json, share_map
from critmin.web.routes.deps import kb, page

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["knowledge base"])

Name = Annotated[str, Query(min_length=1, max_length=100)]
DEFAULT_MATERIAL = "REE"
DEFAULT_STAGE = "mining"


def _map_context(base: KnowledgeBase, material: str, stage: str) -> dict[str, Any]:
    series = overview.map_series(base, material, stage)
    sources = {sid: base.sources[sid].citation() for sid in series.sources if sid in base.sources}
    return {"series": series, "figure": figure_json(share_map(base, series)), "map_sources": sources,
            "material_name": base.materials[series.material].names.en}


@pages.get("/", response_class=HTMLResponse)
def overview_page(request: Request, base: Annotated[KnowledgeBase, Depends(kb)],
                  material: Name = DEFAULT_MATERIAL, stage: Name = DEFAULT_STAGE) -> HTMLResponse:
    rows = overview.ranked(base)
    sources = {sid: base.sources[sid].citation() for r in rows for sid in r.sources if sid in base.sources}
    context = _map_context(base, material, stage)
    sources.update(context["map_sources"])
    return page(request, "overview.html", chokepoints=rows, sources=sources,
                choices=overview.map_choices(base), **context)


@pages.get("/partials/map", response_class=HTMLResponse)
def map_partial(request: Request, base: Annotated[KnowledgeBase, Depends(kb)],
                choice: Annotated[str, Query(max_length=200, pattern=r"^[^|]+\|[^|]+$")]) -> HTMLResponse:
    """The map for a `material|stage` choice (one select in the page)."""
    material, stage = choice.split("|")
    return page(request, "_map.html", **_map_context(base, material, stage))


@api.get("/chokepoints", responses=error_responses(422), response_model=list[Concentration])
def chokepoints(base: Annotated[KnowledgeBase, Depends(kb)],
                top: Annotated[int | None, Query(ge=1, le=500)] = None,
                format: Format = FormatQuery) -> Any:
    """Material x stage pairs (production, latest year each) ranked by HHI (0-10,000);
    `format=csv` gives the same rows as CSV."""
    ranked = overview.ranked(base, top)
    if format == "csv":
        return csv_response(rows_of(ranked), "chokepoints.csv")
    return ranked


@api.get("/shares", responses=error_responses(400, 404, 422), response_model=ShareSeries)
def shares(base: Annotated[KnowledgeBase, Depends(kb)], material: Name,
           stage: Name = DEFAULT_STAGE, format: Format = FormatQuery) -> Any:
    """The latest production shares of a material (or its aggregate, labelled) at a stage: the
    map's data; `format=csv` gives its country rows as CSV."""
    series = overview.map_series(base, material, stage)
    if format == "csv":
        head = {"material": series.material, "stage": series.stage.value, "year": series.year,
                "unit": series.unit}
        return csv_response([{**head, **r} for r in rows_of(series.rows)],
                            f"shares-{series.material}-{series.stage.value}-{series.year}.csv")
    return series
