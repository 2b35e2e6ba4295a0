"""simulate(): scenario -> network -> batches -> bands, ranked exposures and sensitivity.

The one service the command line and any script call. Randomness comes in as a seed; the
executor only decides where batches run, never what they compute.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from pydantic import BaseModel

from critmin.errors import UsageError
from critmin.kb import KnowledgeBase
from critmin.sim.engine import compile_network
from critmin.sim.executors import DEFAULT_BATCH, Plan, run_dask, run_local
from critmin.sim.network import Network, build_network
from critmin.sim.parameters import Parameters, Provenance, Value, apply_overrides, load_parameters
from critmin.sim.results import (
    Mitigation,
    NetworkInfo,
    ParameterUsed,
    ScenarioInfo,
    SimulationResult,
    combine,
    rank_exposures,
    summarise,
    summarise_flows,
)
from critmin.sim.scenario import MAX_HORIZON_DAYS, Scenario
from critmin.sim.sensitivity import sensitivity_table

EXECUTORS = ("local", "dask")

#: Most Monte Carlo runs one simulation may ask for, from the command line or the web API
#: (per sensitivity case as well); documented in docs/scenarios.md.
MAX_RUNS = 5000

#: Largest seed accepted (numpy takes any non-negative integer; 32 bits is plenty and is what
#: the web API accepts).
MAX_SEED = 2**32 - 1

#: Most worker processes (local pool or LocalCluster) one simulation may start.
MAX_WORKERS = 64


def check_run_options(*, runs: int | None = None, seed: int | None = None, horizon: int | None = None,
                      sensitivity_runs: int | None = None, workers: int | None = None,
                      top: int | None = None) -> None:
    """Refuse out-of-range run options with a `UsageError` naming the option (exit code 2).

    Only the options given are checked; the CLI calls this before reading anything, so a bad
    option fails at once.
    """
    checks: list[tuple[str, int | None, int, int]] = [
        ("--runs", runs, 1, MAX_RUNS),
        ("--seed", seed, 0, MAX_SEED),
        ("--horizon", horizon, 1, MAX_HORIZON_DAYS),
        ("--sensitivity-runs", sensitivity_runs, 0, MAX_RUNS),
        ("--workers", workers, 1, MAX_WORKERS),
    ]
    for option, value, low, high in checks:
        if value is not None and not low <= value <= high:
            raise UsageError(f"{option} must be between {low:,} and {high:,} (got {value:,})")
    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1 (got {top:,})")


def parameters_used(params: Parameters) -> list[ParameterUsed]:
    """Every single value, flattened with its path, for the report."""
    out: list[ParameterUsed] = []

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, Value):
            out.append(ParameterUsed(path=prefix, value=node.value, unit=node.unit, kind=node.kind.value,
                                     confidence=node.confidence, sources=list(node.sources)))
            return
        if isinstance(node, Provenance):
            return
        if isinstance(node, dict):
            for key, item in node.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(f"{prefix}.{name}" if prefix else name, getattr(node, name))

    walk("", params)
    return out


def run_network(net: Network, params: Parameters, scenario: Scenario, plan: Plan, *,
                executor: str = "local", address: str | None = None, workers: int = 1,
                report_every: int = 7) -> tuple[Any, Any]:
    """Compile and run a built network; returns (compiled, combined batch output)."""
    use = {**params.consumption_shares.value, **(scenario.consumption_shares or {})}
    compiled = compile_network(net, params, scenario.horizon_days, report_every, domestic_use=use)
    if executor == "local":
        outputs = run_local(compiled, plan, workers)
    elif executor == "dask":
        outputs = run_dask(compiled, plan, address, max(workers, 2))
    else:
        raise UsageError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}")
    return compiled, combine(outputs)


def simulate(
    kb: KnowledgeBase,
    scenario: Scenario,
    *,
    runs: int = 1000,
    seed: int = 0,
    horizon: int | None = None,
    executor: str = "local",
    address: str | None = None,
    workers: int = 1,
    batch_size: int = DEFAULT_BATCH,
    sensitivity_runs: int = 0,
) -> SimulationResult:
    """Run a resolved scenario (see load_scenario) and summarise it."""
    began = time.perf_counter()
    if runs < 1:
        raise UsageError("--runs must be at least 1")
    check_run_options(seed=seed, horizon=horizon, workers=workers)
    if sensitivity_runs < 0:
        raise UsageError("--sensitivity-runs must not be negative")
    if horizon is not None:
        scenario = scenario.model_copy(update={"horizon_days": horizon})
    params = apply_overrides(load_parameters(kb), scenario.parameters)
    net = build_network(kb, scenario, params)
    plan = Plan(runs=runs, seed=seed, batch_size=batch_size)
    compiled, out = run_network(net, params, scenario, plan, executor=executor, address=address,
                                workers=workers)
    series, prices = summarise(compiled, out, scenario.start)
    flows = summarise_flows(compiled, out, scenario.start, net.world_output)
    table = sensitivity_table(net, params, scenario, seed, sensitivity_runs) if sensitivity_runs > 0 else []
    mitigation = [Mitigation(label=a.label, group=a.group, country=a.country,
                             share_of_world=round(a.share_of_world, 6),
                             start=(scenario.start + dt.timedelta(days=a.start_day)).isoformat(),
                             kind=a.kind, sources=a.sources) for a in net.additions]
    mitigation += [Mitigation(label=r.label, group=f"{net.nodes[net.slots[r.slot].node].material}/import",
                              country=net.nodes[net.slots[r.slot].node].country, share_of_world=None,
                              start=(scenario.start + dt.timedelta(days=r.start_day)).isoformat(),
                              kind="stockpile" if r.rate > 0 else "state purchase", sources=[])
                  for r in net.stock_releases]
    used = parameters_used(params)
    source_ids = list(dict.fromkeys([*scenario.sources, *net.sources,
                                     *(s for p in used for s in p.sources)]))
    return SimulationResult(
        scenario=ScenarioInfo(name=scenario.name, description=" ".join(scenario.description.split()),
                              measures=list(scenario.measures), sources=list(scenario.sources),
                              start=scenario.start.isoformat(), horizon_days=scenario.horizon_days,
                              validation=" ".join(scenario.validation.split())),
        runs=runs, seed=seed, executor=executor, batch_size=batch_size,
        days=[int(d) for d in compiled.report_days],
        dates=[(scenario.start + dt.timedelta(days=int(d))).isoformat() for d in compiled.report_days],
        series=series, prices=prices, exposures=rank_exposures(series), flows=flows,
        sensitivity=table,
        mitigation=mitigation,
        network=NetworkInfo(nodes=len(net.nodes), slots=len(net.slots), edges=len(net.edges),
                            controlled_flows=len(net.controlled), notes=list(dict.fromkeys(net.notes))),
        parameters=used,
        sources={s: kb.sources[s].citation() for s in source_ids if s in kb.sources},
        elapsed_seconds=round(time.perf_counter() - began, 3),
    )
