"""Check page: upload a BOM, fill in the shipment, read the decision trace; the check API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from critmin.kb import KnowledgeBase
from critmin.web import check
from critmin.web.check import CheckRequest, ShipmentIn
from critmin.web.errors import WebError, error_responses
from critmin.web.routes.deps import kb, page
from critmin.web.uploads import safe_name

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["export controls"])


@pages.get("/check", response_class=HTMLResponse)
def check_page(request: Request) -> HTMLResponse:
    return page(request, "check.html", today=dt.date.today().isoformat())


@pages.post("/check", response_class=HTMLResponse)
async def check_form(
    request: Request,
    base: Annotated[KnowledgeBase, Depends(kb)],
    bom: Annotated[UploadFile, File()],
    to: Annotated[str, Form(min_length=1, max_length=100)],
    on: Annotated[str, Form(max_length=10)] = "",
    end_use: Annotated[str, Form(max_length=500)] = "",
    end_user: Annotated[str, Form(pattern="^(civil|military|unknown)$")] = "unknown",
    ship_from: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    name = safe_name(bom.filename, "bom.yaml")
    try:
        day = dt.date.fromisoformat(on) if on.strip() else None
    except ValueError:
        raise WebError(400, f"date {on!r} is not YYYY-MM-DD") from None
    shipment = ShipmentIn.model_validate({"to": to, "on": day, "end_use": end_use, "end_user": end_user,
                                          "from": ship_from.strip() or None})
    decision = check.run_check(base, check.bom_from_upload(await bom.read(), name), shipment, name)
    return page(request, "_decision.html", d=decision, bom_name=name, sources=decision["sources"])


@api.post("/check", responses=error_responses(400, 413, 422))
def check_bom(body: CheckRequest, base: Annotated[KnowledgeBase, Depends(kb)]) -> dict[str, Any]:
    """A BOM and a shipment checked against every measure in force that day, with traces and sources.

    The response has the keys of `critmin check --json`: product, currency, total_value, shipment,
    outcome, confidence, results (measure, applies, outcome, ratio, threshold, contributing,
    missing, trace, sources, confidence), not_in_force, sources (id -> citation).
    """
    return check.run_check(base, body.bom, body.shipment)
