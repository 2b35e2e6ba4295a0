"""The application factory: settings in, a FastAPI app out, every page and endpoint mounted.

    from critmin.web.app import create_app
    from critmin.web.settings import Settings
    app = create_app(Settings(db=Path("evidence.db"), token="s3cret"))

The knowledge base is loaded (and validated) once, here, so a data problem stops the server at
start-up rather than on the first request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from critmin import __version__
from critmin.kb import load_kb
from critmin.web import errors
from critmin.web.limits import DOCUMENTS_PATH, BodyLimit
from critmin.web.routes import check, documents, feeds, material, meta, overview, scenario, search
from critmin.web.scenarios import Jobs
from critmin.web.security import SecurityHeaders
from critmin.web.settings import Settings
from critmin.web.templating import environment

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The dashboard and API for one set of settings (default: from the environment)."""
    settings = settings or Settings.from_env()
    jobs = Jobs(keep=settings.max_jobs)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="critmin",
        version=__version__,
        summary="Critical-minerals supply-chain intelligence: knowledge base, evidence, export "
                "controls and disruption scenarios.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the interactive docs load their JavaScript from a CDN; the dashboard never does
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.kb = load_kb()
    app.state.templates = environment()
    app.state.jobs = jobs
    errors.install(app)
    for module in (meta, overview, material, scenario, search, check, documents, feeds):
        app.include_router(module.pages)
        app.include_router(module.api, prefix=API_PREFIX)
    static = Path(str(resources.files("critmin.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")

    def limit_for(path: str) -> int:
        return settings.max_document_bytes if path == DOCUMENTS_PATH else settings.max_body_bytes

    app.add_middleware(BodyLimit, limit_for=limit_for)
    app.add_middleware(SecurityHeaders)
    # pages and plotly.js compress 4-6x; the middleware skips bodies under 1 kB
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app
