"""What every route needs from the application: the knowledge base, settings, templates, jobs."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from critmin.kb import KnowledgeBase
from critmin.web.scenarios import Jobs
from critmin.web.settings import Settings


def kb(request: Request) -> KnowledgeBase:
    found: KnowledgeBase = request.app.state.kb
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def jobs(request: Request) -> Jobs:
    found: Jobs = request.app.state.jobs
    return found


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered template; `fragment` tells layouts whether htmx asked for a part of a page."""
    env = request.app.state.templates
    fragment = request.headers.get("hx-request") == "true"
    html = env.get_template(template).render(request=request, fragment=fragment, **context)
    return HTMLResponse(html, status_code=status)
