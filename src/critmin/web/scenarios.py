"""Scenario runs in the background, keyed by id, so a page can show progress while one runs.

A run is a bundled scenario (by name only: a name is never taken as a path) or an uploaded YAML
file, validated and resolved exactly as `critmin simulate` does. Runs execute one at a time on a
worker thread (the engine is numpy-bound and already uses the machine); the page polls the job
and shows the result's figures when it is done. Finished jobs are kept up to a bound, oldest
forgotten first.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.sim import (
    MAX_HORIZON_DAYS,
    MAX_SEED,
    Scenario,
    SimulationResult,
    bundled_scenarios,
    load_scenario,
    load_scenario_data,
    read_scenario,
    simulate,
)
from critmin.web.errors import WebError
from critmin.web.uploads import load_structured

JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{8,32}$"


class ScenarioSummary(BaseModel):
    """A bundled scenario, for the picker and GET /api/v1/scenarios."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    start: str
    horizon_days: int
    measures: list[str]


def bundled() -> list[ScenarioSummary]:
    """The bundled scenarios' names and headlines, read from their files."""
    out = []
    for name, path in bundled_scenarios().items():
        scenario, _ = read_scenario(str(path))
        out.append(ScenarioSummary(name=name, title=scenario.name, start=scenario.start.isoformat(),
                                   horizon_days=scenario.horizon_days, measures=list(scenario.measures)))
    return out


def bundled_scenario(kb: KnowledgeBase, name: str) -> Scenario:
    """A bundled scenario by name; anything else is a 404 listing the nearest names."""
    import difflib

    from critmin.errors import NotFoundError

    known = bundled_scenarios()
    if name not in known:
        raise NotFoundError("scenario", name, difflib.get_close_matches(name, list(known), n=3, cutoff=0.4))
    return load_scenario(str(known[name]), kb)


def uploaded_scenario(kb: KnowledgeBase, text: str, name: str) -> Scenario:
    """An uploaded scenario file: YAML (no aliases), validated and resolved; errors name the field."""
    data = load_structured(text, name)
    if not isinstance(data, dict):
        raise WebError(400, f"{name}: expected a mapping of scenario fields")
    return load_scenario_data(data, name, kb)


class RunRequest(BaseModel):
    """A scenario run: exactly one of a bundled scenario's name (`scenario`) or a scenario file's
    YAML text (`yaml`)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False,
        json_schema_extra={"oneOf": [
            {"title": "bundled scenario", "required": ["scenario"], "not": {"required": ["yaml"]}},
            {"title": "scenario file", "required": ["yaml"], "not": {"required": ["scenario"]}},
        ]},
    )

    scenario: str | None = Field(default=None, max_length=200)
    """Name of a bundled scenario (see GET /api/v1/scenarios)."""
    yaml: str | None = Field(default=None, max_length=1_000_000)
    """A scenario file's text (schema: docs/scenarios.md); use instead of `scenario`."""
    runs: int | None = Field(default=None, ge=1)
    """Monte Carlo runs (default: the server's, small enough to finish in seconds)."""
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    """Random seed: same seed, same numbers."""
    horizon: int | None = Field(default=None, ge=1, le=MAX_HORIZON_DAYS)
    """Days to simulate (default: the scenario's)."""

    @model_validator(mode="after")
    def _one_source(self) -> RunRequest:
        if (self.scenario is None) == (self.yaml is None):
            raise ValueError("give exactly one of 'scenario' (a bundled name) or 'yaml' "
                             "(a scenario file's text)")
        return self


@dataclass
class Job:
    """One run: its state, and its result or error once finished."""

    id: str
    label: str
    runs: int
    status: Literal["running", "done", "failed"] = "running"
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: SimulationResult | None = None
    error: str | None = None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


class JobView(BaseModel):
    """A run as the API reports it; `result` is the full simulation (see critmin simulate --json)."""

    model_config = ConfigDict(frozen=True)

    id: str
    scenario: str
    runs: int
    status: Literal["running", "done", "failed"]
    elapsed_seconds: float
    error: str | None = None
    result: dict[str, Any] | None = None


def job_context(job: Job) -> dict[str, Any]:
    """Everything `_job.html` needs, for the page that starts a run and the one that polls it.

    The status is read once, before the result: the worker sets the result first, so a job seen
    as done always has one, and a job that finishes while the page renders is shown as it was
    when read (running, polled again) rather than as done without its figures.
    """
    from critmin.report import (
        exposure_bars,
        headline,
        price_timeline,
        sensitivity_bars,
        shortfall_timeline,
    )
    from critmin.web.figures import figure_json

    state = job.status
    result = job.result if state == "done" else None
    context: dict[str, Any] = {"job": job, "state": state, "result": result, "exposures": None,
                               "timelines": [], "more_materials": [], "prices": None,
                               "sensitivity": None, "headline": None,
                               "country_name": _country_name}
    if result is not None:
        materials = list(dict.fromkeys(s.material for s in result.series if s.kind == "destination"))
        context.update({
            "exposures": figure_json(exposure_bars(result)) if result.exposures else None,
            "timelines": [figure_json(shortfall_timeline(result, m, "destination")) for m in materials[:4]],
            "more_materials": materials[4:],
            "prices": figure_json(price_timeline(result)) if result.prices else None,
            "sensitivity": figure_json(sensitivity_bars(result)) if result.sensitivity else None,
            "headline": headline(result),
        })
    return context


def _country_name(code: str) -> str:
    from critmin.kb import load_kb

    return load_kb().country_name(code)


def view(job: Job, *, with_result: bool = True) -> JobView:
    result = job.result.model_dump(mode="json") if with_result and job.result is not None else None
    return JobView(id=job.id, scenario=job.label, runs=job.runs, status=job.status,
                   elapsed_seconds=round(job.elapsed, 2), error=job.error, result=result)


def _strict_json(result: SimulationResult) -> bool:
    try:
        json.dumps(result.model_dump(mode="json"), allow_nan=False)
    except ValueError:
        return False
    return True


class Jobs:
    """The registry of runs, and the single worker thread that executes them."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="critmin-sim")

    def submit(self, kb: KnowledgeBase, scenario: Scenario, *, runs: int, seed: int,
               horizon: int | None, sensitivity_runs: int) -> Job:
        job = Job(id=secrets.token_urlsafe(12), label=scenario.name, runs=runs)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)

        def work() -> None:
            try:
                result = simulate(kb, scenario, runs=runs, seed=seed, horizon=horizon,
                                  sensitivity_runs=sensitivity_runs)
                if not _strict_json(result):  # the API answers strict JSON: a NaN would be a 500
                    raise CritminError("the run's result holds a number that is not finite")
                job.result = result  # before the status: a job seen as done has its result
                job.status = "done"
            except CritminError as exc:
                job.error = exc.message
                job.status = "failed"
            except Exception as exc:  # a bug in a run must not leave the page polling forever
                job.error = f"the run failed: {type(exc).__name__}"
                job.status = "failed"
            finally:
                job.finished = time.monotonic()

        self._pool.submit(work)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise WebError(404, f"no scenario run {job_id!r} (runs are kept in memory until the "
                                "server restarts; the oldest are dropped)")
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
