"""Scenario page: pick or upload, run in the background, poll, show figures; the API for runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse

from critmin.kb import KnowledgeBase
from critmin.sim import MAX_SEED, Scenario
from critmin.web import scenarios
from critmin.web.errors import WebError, error_responses
from critmin.web.routes.deps import jobs, kb, page, settings
from critmin.web.scenarios import JOB_ID_PATTERN, Jobs, JobView, RunRequest, ScenarioSummary
from critmin.web.settings import Settings
from critmin.web.uploads import safe_name, text_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["scenarios"])

JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN)]


def _runs(config: Settings, runs: int | None) -> int:
    chosen = runs or config.default_runs
    if chosen > config.max_runs:
        raise WebError(400, f"runs: at most {config.max_runs} per request (got {chosen})")
    return chosen


def _submit(registry: Jobs, base: KnowledgeBase, config: Settings, scenario: Scenario, runs: int | None,
            seed: int, horizon: int | None) -> scenarios.Job:
    return registry.submit(base, scenario, runs=_runs(config, runs), seed=seed, horizon=horizon,
                           sensitivity_runs=config.sensitivity_runs)


@pages.get("/scenario", response_class=HTMLResponse)
def scenario_page(request: Request, config: Annotated[Settings, Depends(settings)]) -> HTMLResponse:
    return page(request, "scenario.html", scenarios=scenarios.bundled(), default_runs=config.default_runs,
                max_runs=config.max_runs)


@pages.post("/scenario/run", response_class=HTMLResponse)
async def scenario_run(
    request: Request,
    base: Annotated[KnowledgeBase, Depends(kb)],
    config: Annotated[Settings, Depends(settings)],
    registry: Annotated[Jobs, Depends(jobs)],
    scenario: Annotated[str, Form(max_length=200)] = "",
    runs: Annotated[int | None, Form(ge=1)] = None,
    seed: Annotated[int, Form(ge=0, le=MAX_SEED)] = 0,
    upload: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Start a run from the page's form: an uploaded file wins over the picked name."""
    if upload is not None and upload.filename:
        name = safe_name(upload.filename, "scenario.yaml")
        chosen = scenarios.uploaded_scenario(base, text_of(await upload.read(), name), name)
    elif scenario:
        chosen = scenarios.bundled_scenario(base, scenario)
    else:
        raise WebError(400, "pick a bundled scenario or upload a scenario file")
    job = _submit(registry, base, config, chosen, runs, seed, None)
    return page(request, "_job.html", **scenarios.job_context(job))


@pages.get("/scenario/jobs/{job_id}", response_class=HTMLResponse)
def scenario_job(request: Request, job_id: JobId, registry: Annotated[Jobs, Depends(jobs)]) -> HTMLResponse:
    """The job's progress (polled by the page) or, once done, its figures and tables."""
    return page(request, "_job.html", **scenarios.job_context(registry.get(job_id)))


@api.get("/scenarios")
def scenario_list() -> list[ScenarioSummary]:
    """The bundled scenarios, by name."""
    return scenarios.bundled()


@api.post("/scenarios/runs", status_code=202, response_model=JobView,
          responses=error_responses(400, 404, 413, 422))
def start_run(body: RunRequest, base: Annotated[KnowledgeBase, Depends(kb)],
              config: Annotated[Settings, Depends(settings)],
              registry: Annotated[Jobs, Depends(jobs)]) -> JSONResponse:
    """Start a run of a bundled scenario (`scenario`) or of a scenario file's text (`yaml`).

    Returns 202 with the run's id; poll GET /api/v1/scenarios/runs/{id} until `status` is done.
    """
    if body.scenario is not None:
        chosen = scenarios.bundled_scenario(base, body.scenario)
    else:
        chosen = scenarios.uploaded_scenario(base, body.yaml or "", "scenario.yaml")
    job = _submit(registry, base, config, chosen, body.runs, body.seed, body.horizon)
    view = scenarios.view(job, with_result=False)
    return JSONResponse(view.model_dump(mode="json"), status_code=202,
                        headers={"location": f"/api/v1/scenarios/runs/{job.id}"})


@api.get("/scenarios/runs/{job_id}", responses=error_responses(404, 422))
def run_status(job_id: JobId, registry: Annotated[Jobs, Depends(jobs)]) -> JobView:
    """A run's status; once done, `result` holds every band, exposure and sensitivity row."""
    return scenarios.view(registry.get(job_id))
