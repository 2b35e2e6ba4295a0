"""Licensing terms that change over time: periods built from the changes, and their effect."""

from __future__ import annotations

from typing import Any

import pytest

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.sim import load_scenario_data, simulate
from critmin.sim.network import build_network, licence_windows
from critmin.sim.parameters import load_parameters


def test_windows_by_hand() -> None:
    # restriction from day 10 to day 100, changes on day 40 (0.5) and day 70 (0.9, 5 days' delay)
    assert licence_windows(10, 100, 0.0, 63.0, [(40, 0.5, 0.0), (70, 0.9, 5.0)]) == [
        (10, 40, 0.0, 63.0), (40, 70, 0.5, 0.0), (70, 100, 0.9, 5.0)]
    # a change before the start replaces the first terms; one after the end is dropped
    assert licence_windows(10, 100, 0.0, 63.0, [(5, 0.5, 0.0), (120, 1.0, 0.0)]) == [
        (10, 100, 0.5, 0.0)]
    # open-ended restriction: the last period has no end
    assert licence_windows(0, None, 0.2, 0.0, [(30, 1.0, 0.0)]) == [(0, 30, 0.2, 0.0),
                                                                      (30, None, 1.0, 0.0)]


def scenario(changes: list[dict[str, Any]] | None) -> dict[str, Any]:
    licensing: dict[str, Any] = {"approval_probability": 0.0, "delay_days": 0, "delay_sigma": 0}
    if changes is not None:
        licensing["changes"] = changes
    return {
        "name": "gallium with changing approvals", "start": "2025-01-01", "horizon_days": 240,
        "materials": ["Ga"], "destinations": ["USA", "EU", "JPN", "ROW"],
        "restrictions": [{"exporter": "CHN", "materials": ["Ga"], "stages": ["refining"],
                          "start": "2025-01-01", "licensing": licensing}],
    }


def test_each_period_is_its_own_licence_pair(kb: KnowledgeBase) -> None:
    s = load_scenario_data(scenario([{"from": "2025-04-01", "approval_probability": 1.0}]),
                           "test", kb)
    net = build_network(kb, s, load_parameters(kb))
    by_dest: dict[str, list[tuple[int, int | None, float]]] = {}
    for p in net.pairs:
        by_dest.setdefault(p.destination, []).append((p.start_day, p.end_day, p.approval))
    assert by_dest and all(v == [(0, 90, 0.0), (90, None, 1.0)] for v in by_dest.values())
    # every controlled flow is controlled once per period
    periods = {e.edge for e in net.controlled}
    assert len(net.controlled) == 2 * len(periods)


def test_approvals_arriving_later_end_the_shortfall(kb: KnowledgeBase) -> None:
    banned = simulate(kb, load_scenario_data(scenario(None), "test", kb), runs=8, seed=3)
    eased = simulate(kb, load_scenario_data(
        scenario([{"from": "2025-03-01", "approval_probability": 1.0}]), "test", kb), runs=8, seed=3)

    def usa(result: Any) -> list[float]:
        return next(s.p50 for s in result.series if s.kind == "destination" and s.key == "USA")

    day_200 = min(range(len(banned.days)), key=lambda i: abs(banned.days[i] - 200))
    assert usa(banned)[day_200] > 0.2  # a ban with no approvals leaves the US short
    assert usa(eased)[day_200] < 0.02  # full approvals from March restore supply


@pytest.mark.parametrize("changes", [
    [{"from": "2025-05-01", "approval_probability": 0.5},
     {"from": "2025-03-01", "approval_probability": 1.0}],
    [{"from": "2025-03-01", "approval_probability": 1.5}],
    [{"from": "2025-03-01"}],
])
def test_bad_changes_name_the_field(kb: KnowledgeBase, changes: list[dict[str, Any]]) -> None:
    with pytest.raises(CritminError) as info:
        load_scenario_data(scenario(changes), "scenario.yaml", kb)
    assert "restrictions[0].licensing.changes" in str(info.value)
