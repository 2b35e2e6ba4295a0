"""Search page: evidence search with filters, the figures list, a topic's digest; their API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from critmin.kb import KnowledgeBase
from critmin.web import evidence
from critmin.web.downloads import Format, FormatQuery, csv_response, rows_of
from critmin.web.errors import error_responses
from critmin.web.evidence import SearchFilters
from critmin.web.routes.deps import kb, page, settings
from critmin.web.settings import Settings

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["evidence"])

Text = Annotated[str | None, Query(max_length=100)]
#: A figure kind; empty means any (the form's default). Unknown kinds are refused by
#: critmin.evidence.facts with the list of kinds (400), so new kinds need no change here.
Kind = Annotated[str | None, Query(pattern="^[a-z_]{0,20}$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Topic = Annotated[str, Query(min_length=1, max_length=300)]


def _blank(value: str | None) -> str | None:
    """Empty form fields mean 'no filter'."""
    return value.strip() or None if value is not None else None


@pages.get("/search", response_class=HTMLResponse)
def search_page(request: Request, base: Annotated[KnowledgeBase, Depends(kb)],
                config: Annotated[Settings, Depends(settings)],
                q: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    """The search page; with `q` (and the other filters) it renders those results, so a search
    is a permalink: copy the address, get the same results."""
    hits = None
    filters = None
    available = evidence.exists(config.db)
    if q and q.strip() and available:
        filters = SearchFilters.model_validate({k: v for k, v in request.query_params.items()
                                                if k in SearchFilters.model_fields})
        hits = evidence.search(base, config.db, filters)
    return page(request, "search.html", available=available, hits=hits, filters=filters,
                materials=sorted(base.materials.values(), key=lambda m: m.names.en.casefold()))


@pages.get("/search/results", response_class=HTMLResponse)
def search_results(request: Request, filters: Annotated[SearchFilters, Query()],
                   base: Annotated[KnowledgeBase, Depends(kb)],
                   config: Annotated[Settings, Depends(settings)]) -> HTMLResponse:
    response = page(request, "_hits.html", hits=evidence.search(base, config.db, filters),
                    query=filters.q)
    # the address bar keeps the search, so it can be shared (htmx reads this header)
    params = "&".join(f"{k}={quote(str(v))}" for k, v in filters.model_dump().items()
                      if v not in (None, "") and k != "limit")
    response.headers["HX-Push-Url"] = f"/search?{params}"
    return response


@pages.get("/search/facts", response_class=HTMLResponse)
def facts_partial(request: Request, base: Annotated[KnowledgeBase, Depends(kb)],
                  config: Annotated[Settings, Depends(settings)], material: Text = None,
                  country: Text = None, kind: Kind = None, limit: Limit = 50) -> HTMLResponse:
    rows = evidence.facts(base, config.db, material=_blank(material), country=_blank(country),
                          kind=kind or None, limit=limit)
    return page(request, "_facts.html", facts=rows)


@pages.get("/search/digest", response_class=HTMLResponse)
def digest_partial(request: Request, topic: Topic, base: Annotated[KnowledgeBase, Depends(kb)],
                   config: Annotated[Settings, Depends(settings)]) -> HTMLResponse:
    return page(request, "_digest.html", digest=evidence.digest(base, config.db, topic, None))


@api.get("/search", responses=error_responses(404, 422))
def search(filters: Annotated[SearchFilters, Query()], base: Annotated[KnowledgeBase, Depends(kb)],
           config: Annotated[Settings, Depends(settings)]) -> list[dict[str, Any]]:
    """BM25-ranked documents with «highlighted» snippets; any text is searched as text, never as syntax."""
    return [h.model_dump(mode="json") for h in evidence.search(base, config.db, filters)]


@api.get("/facts", responses=error_responses(404, 422))
def facts(base: Annotated[KnowledgeBase, Depends(kb)], config: Annotated[Settings, Depends(settings)],
          material: Text = None, country: Text = None, kind: Kind = None,
          limit: Limit = 50, format: Format = FormatQuery) -> Any:
    """Numeric claims with their sentence, document, publisher, date and paragraph;
    `format=csv` gives the same rows as CSV."""
    rows = evidence.facts(base, config.db, material=_blank(material), country=_blank(country),
                          kind=kind or None, limit=limit)
    if format == "csv":
        return csv_response(rows_of(rows), "facts.csv")
    return [r.model_dump(mode="json") for r in rows]


@api.get("/digest", responses=error_responses(400, 404, 422))
def digest(topic: Topic, base: Annotated[KnowledgeBase, Depends(kb)],
           config: Annotated[Settings, Depends(settings)],
           since: Annotated[dt.date | None, Query()] = None) -> dict[str, Any]:
    """A cited digest of a topic: core viewpoint, themed groups of points, numbered references."""
    result: dict[str, Any] = evidence.digest(base, config.db, topic, since).model_dump(mode="json")
    return result
