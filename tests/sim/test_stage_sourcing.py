"""Plants use their own country's upstream output first; an ore ban reaches only ore importers."""

from __future__ import annotations

from typing import Any

import pytest

from critmin.kb import KnowledgeBase, Stage
from critmin.sim import load_scenario_data, simulate
from critmin.sim.network import build_network, stage_sourcing
from critmin.sim.parameters import load_parameters


def test_sourcing_by_hand() -> None:
    upstream = {"A": (0, 0.6), "B": (1, 0.3), "C": (2, 0.1)}
    downstream = {"A": 0.8, "D": 0.2}
    # A needs 0.8: 0.6 of its own (0.75 of its input), 0.2 from the surplus of B (0.3) and C (0.1)
    assert stage_sourcing("A", 0.8, upstream, downstream) == pytest.approx(
        {0: 0.75, 1: 0.25 * 0.75, 2: 0.25 * 0.25})
    # D mines nothing: all of its input from the surplus, 3:1
    assert stage_sourcing("D", 0.2, upstream, downstream) == pytest.approx({1: 0.75, 2: 0.25})
    # each upstream country's output is used exactly once: B 0.8*0.1875 + 0.2*0.75 = 0.3
    used_b = 0.8 * 0.25 * 0.75 + 0.2 * 0.75
    assert used_b == pytest.approx(0.3)


def ore_ban(kb: KnowledgeBase) -> dict[str, Any]:
    return {"name": "ore-only ban", "start": "2025-01-01", "horizon_days": 180,
            "materials": ["REE"], "destinations": ["USA", "EU", "JPN", "ROW"],
            "restrictions": [{"exporter": "CHN", "materials": ["REE"], "stages": ["mining"],
                              "start": "2025-01-01",
                              "licensing": {"approval_probability": 0.0, "delay_days": 0}}]}


def test_an_ore_ban_leaves_refiners_that_use_other_ore(kb: KnowledgeBase) -> None:
    scenario = load_scenario_data(ore_ban(kb), "test", kb)
    net = build_network(kb, scenario, load_parameters(kb))
    refiners = {i: n for i, n in enumerate(net.nodes)
                if n.kind == "producer" and n.stage == Stage.REFINING.value and n.country != "CHN"}
    assert refiners, "no refiners outside China in the bundled REE network"
    china_mines = {i for i, n in enumerate(net.nodes)
                   if n.kind == "producer" and n.stage == Stage.MINING.value and n.country == "CHN"}
    # China refines more than it mines, so it has no ore to spare: no foreign refiner draws on it
    for e in net.edges:
        if net.slots[e.slot].node in refiners:
            assert e.src not in china_mines
    result = simulate(kb, scenario, runs=6, seed=2)
    refining = [s for s in result.series if s.kind == "stage" and s.key == Stage.REFINING.value]
    assert refining and max(refining[0].p50) < 0.01
