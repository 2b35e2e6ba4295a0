"""Executors agree: local and a 2-worker Dask LocalCluster give the same numbers for a seed."""

from __future__ import annotations

import numpy as np

from critmin.kb import KnowledgeBase
from critmin.sim import load_scenario, simulate
from critmin.sim.executors import Plan


def test_batches_are_fixed_by_the_plan() -> None:
    batches = Plan(runs=1050, seed=5, batch_size=500).batches()
    assert [n for n, _ in batches] == [500, 500, 50]
    again = Plan(runs=1050, seed=5, batch_size=500).batches()
    assert [s.entropy for _, s in batches] == [s.entropy for _, s in again]
    assert [s.spawn_key for _, s in batches] == [(0,), (1,), (2,)]


def test_dask_equals_local(kb: KnowledgeBase) -> None:
    scenario = load_scenario("april-2025-seven-rare-earths", kb).model_copy(update={"horizon_days": 60})
    local = simulate(kb, scenario, runs=60, seed=11, batch_size=20)
    dask = simulate(kb, scenario, runs=60, seed=11, batch_size=20, executor="dask", workers=2)
    assert dask.executor == "dask"
    assert [s.model_dump() for s in local.series] == [s.model_dump() for s in dask.series]
    assert [p.model_dump() for p in local.prices] == [p.model_dump() for p in dask.prices]
    assert np.isclose(local.headline(), dask.headline())


def test_local_process_pool_equals_single_process(kb: KnowledgeBase) -> None:
    scenario = load_scenario("gallium-germanium-2023", kb)
    one = simulate(kb, scenario, runs=40, seed=2, batch_size=10)
    pool = simulate(kb, scenario, runs=40, seed=2, batch_size=10, workers=2)
    assert [s.model_dump() for s in one.series] == [s.model_dump() for s in pool.series]
