"""Scenario runs in the background, keyed by id, so a page can show progress while one runs.

A run is a bundled scenario (by name only: a name is never taken as a path) or an uploaded YAML
file, validated and resolved exactly as `critmin simulate` does. Runs execute one at a time on a
worker thread (the engine is numpy-bound and already uses the machine); the page polls the job
and shows the result's figures when it is done. Finished jobs are kept up to a bound, oldest
forgotten first.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.sim import (
    Scenario,
    SimulationResult,
    bundled_scenarios,
    load_scenario,
    load_scenario_data,
    simulate,
)
from critmin.sim.scenario import read_scenario
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
    """A scenario run: a bundled scenario's name, or a scenario file's YAML text."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    scenario: str | None = Field(default=None, max_length=200)
    """Name of a bundled scenario (see GET /api/v1/scenarios)."""
    yaml: str | None = Field(default=None, max_length=1_000_000)
    """A scenario file's text (schema: docs/scenarios.md); use instead of `scenario`."""
    runs: int | None = Field(default=None, ge=1)
    """Monte Carlo runs (default: the server's, small enough to finish in seconds)."""
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    """Random seed: same seed, same numbers."""
    horizon: int | None = Field(default=None, ge=1, le=3650)
    """Days to simulate (default: the scenario's)."""


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


def view(job: Job, *, with_result: bool = True) -> JobView:
    result = job.result.model_dump(mode="json") if with_result and job.result is not None else None
    return JobView(id=job.id, scenario=job.label, runs=job.runs, status=job.status,
                   elapsed_seconds=round(job.elapsed, 2), error=job.error, result=result)


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
                job.result = simulate(kb, scenario, runs=runs, seed=seed, horizon=horizon,
                                      sensitivity_runs=sensitivity_runs)
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
