"""Disruption simulator: what happens, to whom and when, if a country restricts a material.

Public entry points: `load_scenario` (a bundled name or a YAML path, validated and resolved
against the knowledge base), `load_scenario_data` (the same for data already loaded, such as an
upload), `simulate` (Monte Carlo over a network built from the knowledge base; deterministic for
a seed, locally or on Dask), `backtest` (the 2010-2011 rare-earth episode against recorded
prices) and `run_episode` / `run_all` (the library of recorded episodes, replayed from their
trigger facts and scored figure by figure). Equations: docs/methods.md; schema:
docs/scenarios.md.
"""

from critmin.sim.backtest import BacktestResult, backtest
from critmin.sim.episodes import EpisodeResult, episode_ids, run_all, run_episode
from critmin.sim.results import SimulationResult
from critmin.sim.scenario import (
    MAX_HORIZON_DAYS,
    Scenario,
    bundled_scenarios,
    load_scenario,
    load_scenario_data,
    read_scenario,
)
from critmin.sim.simulation import EXECUTORS, MAX_RUNS, MAX_SEED, check_run_options, simulate

__all__ = [
    "EXECUTORS",
    "MAX_HORIZON_DAYS",
    "MAX_RUNS",
    "MAX_SEED",
    "BacktestResult",
    "EpisodeResult",
    "Scenario",
    "SimulationResult",
    "backtest",
    "bundled_scenarios",
    "check_run_options",
    "episode_ids",
    "load_scenario",
    "load_scenario_data",
    "read_scenario",
    "run_all",
    "run_episode",
    "simulate",
]
