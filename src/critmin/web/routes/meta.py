"""Health, version, and plotly.js served from the plotly package (no copy, no CDN)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from critmin import __version__
from critmin.web import evidence
from critmin.web.routes.deps import settings
from critmin.web.settings import Settings

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["meta"])


def plotly_js() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@pages.get("/vendor/plotly.min.js")
def plotly_bundle() -> FileResponse:
    return FileResponse(plotly_js(), media_type="text/javascript",
                        headers={"cache-control": "public, max-age=86400"})


@api.get("/health")
def health(config: Annotated[Settings, Depends(settings)]) -> dict[str, Any]:
    """Liveness, version, whether an evidence database exists and whether writes are enabled."""
    return {"status": "ok", "version": __version__, "evidence": evidence.exists(config.db),
            "writes": config.token is not None}
