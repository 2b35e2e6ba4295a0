"""Scenario instruments: an export quota that may go unused, and an announcement before the start."""

from __future__ import annotations

from typing import Any

import pytest

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.sim import load_scenario_data, simulate
from critmin.sim.network import build_network
from critmin.sim.parameters import load_parameters


def gallium(**restriction: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"exporter": "CHN", "materials": ["Ga"], "stages": ["refining"],
                            "start": "2025-03-02"}
    base.update(restriction)
    return {"name": "gallium instruments", "start": "2025-01-01", "horizon_days": 180,
            "materials": ["Ga"], "destinations": ["USA", "EU", "JPN", "ROW"],
            "restrictions": [base]}


def baseline_exports(kb: KnowledgeBase) -> float:
    """China's baseline controlled gallium exports in kg a year, from the network's own note."""
    net = build_network(kb, load_scenario_data(gallium(quota={"tonnes_per_year": 1000.0}),
                                               "test", kb), load_parameters(kb))
    note = next(n for n in net.notes if "quota" in n)
    ratio = next(p.quota_ratio for p in net.pairs if p.quota_ratio is not None)
    assert ratio is not None and "of the baseline controlled exports" in note
    return 1000.0 / ratio


def flow(result: Any, dest: str) -> Any:
    return next((f for f in result.flows if f.exporter == "CHN" and f.destination == dest), None)


def test_a_binding_quota_caps_exports_at_its_share(kb: KnowledgeBase) -> None:
    exports = baseline_exports(kb)
    # a quota of 60% of baseline exports: after the start, China ships 0.6 of its baseline
    result = simulate(kb, load_scenario_data(gallium(quota={"tonnes_per_year": 0.6 * exports}),
                                             "test", kb), runs=6, seed=1)
    to_jpn = flow(result, "JPN")
    assert to_jpn is not None
    after = [v for d, v in zip(to_jpn.days, to_jpn.p50, strict=True) if d >= 90]
    assert max(after) == pytest.approx(0.6, abs=0.02)


def test_a_quota_above_demand_is_left_unused(kb: KnowledgeBase) -> None:
    exports = baseline_exports(kb)
    # a quota of 150% of baseline: buyers want no more than before, so a third of it goes unused
    result = simulate(kb, load_scenario_data(gallium(quota={"tonnes_per_year": 1.5 * exports}),
                                             "test", kb), runs=6, seed=1)
    assert flow(result, "JPN") is None  # no flow changed: exports follow demand, not the quota
    assert all(max(s.p50) < 0.005 for s in result.series)  # nobody runs short


def test_an_announcement_brings_a_rush_before_the_start(kb: KnowledgeBase) -> None:
    result = simulate(kb, load_scenario_data(
        gallium(announced="2025-01-01", licensing={"approval_probability": 0.0, "delay_days": 0}),
        "test", kb), runs=6, seed=1)
    to_jpn = flow(result, "JPN")
    before = [v for d, v in zip(to_jpn.days, to_jpn.p50, strict=True) if 0 < d < 60]
    after = [v for d, v in zip(to_jpn.days, to_jpn.p50, strict=True) if d > 70]
    # shipments rush out at 1 + front_loading (0.25) before the start, then stop
    assert before and min(before) == pytest.approx(1.25, abs=0.01)
    assert after and max(after) < 0.01
    # buyers bid for stock on the news: the world price rises before the start, though the
    # rushed shipments add supply (so it rises little), and stays at 1 without an announcement
    world = result.price("Ga", "world")
    assert world is not None
    day_50 = min(range(len(result.days)), key=lambda i: abs(result.days[i] - 50))
    silent = simulate(kb, load_scenario_data(
        gallium(licensing={"approval_probability": 0.0, "delay_days": 0}), "test", kb),
        runs=6, seed=1).price("Ga", "world")
    assert silent is not None and silent.p50[day_50] == pytest.approx(1.0, abs=1e-3)
    assert world.p50[day_50] > silent.p50[day_50] + 0.002


@pytest.mark.parametrize(("fields", "message"), [
    ({"announced": "2025-04-01"}, "announced 2025-04-01 must not be after start"),
    ({"materials": ["Ga", "Ge"], "quota": {"tonnes_per_year": 10}}, "a quota is for one material"),
    ({"quota": {"tonnes_per_year": -5}}, "restrictions[0].quota.tonnes_per_year"),
])
def test_bad_instruments_name_the_field(kb: KnowledgeBase, fields: dict[str, Any],
                                        message: str) -> None:
    with pytest.raises(CritminError) as info:
        load_scenario_data(gallium(**fields), "scenario.yaml", kb)
    assert message in str(info.value)


def test_an_export_duty_cuts_exports_and_opens_a_price_wedge(kb: KnowledgeBase) -> None:
    result = simulate(kb, load_scenario_data(gallium(export_duty=0.1), "test", kb), runs=6, seed=1)
    to_jpn = flow(result, "JPN")
    assert to_jpn is not None
    after = [i for i, d in enumerate(to_jpn.days) if d >= 70]
    # exports fall to (1 + 0.1)^-1 of normal (duty_elasticity 1), the same in every run
    expected = 1 / 1.1
    assert all(to_jpn.p50[i] == pytest.approx(expected, abs=0.01) for i in after)
    assert all(to_jpn.p5[i] == pytest.approx(to_jpn.p95[i], abs=1e-3) for i in after)
    world, home = result.price("Ga", "world"), result.price("Ga", "domestic")
    assert world is not None and home is not None and home.trough is not None
    assert world.p50[-1] > 1.0 > home.p50[-1]  # dearer abroad, cheaper at home


def test_a_domestic_quota_caps_the_exporters_output(kb: KnowledgeBase) -> None:
    result = simulate(kb, load_scenario_data(
        gallium(domestic_quota={"share_of_output": 0.8},
                licensing={"approval_probability": 1.0, "delay_days": 0}), "test", kb),
        runs=6, seed=1)
    to_jpn = flow(result, "JPN")
    assert to_jpn is not None
    assert to_jpn.p50[-1] == pytest.approx(0.8, abs=0.01)  # what China makes, it ships pro rata
    world = result.price("Ga", "world")
    assert world is not None and world.peak.p50 is not None and world.peak.p50 > 1.05
    with pytest.raises(CritminError, match="domestic_quota: CHN has no mining output of Ga"):
        simulate(kb, load_scenario_data(gallium(domestic_quota={"share_of_output": 0.8,
                                                                "stage": "mining"}), "t", kb), runs=2)


def test_part_of_the_trade_leaves_during_review(kb: KnowledgeBase) -> None:
    lic = {"approval_probability": 1.0, "delay_days": 63, "delay_sigma": 0, "during_review": 0.3}
    result = simulate(kb, load_scenario_data(gallium(licensing=lic), "test", kb), runs=4, seed=1)
    to_jpn = flow(result, "JPN")
    assert to_jpn is not None
    # restriction from day 60; first decisions 63 days later, after which all is approved
    during = [v for d, v in zip(to_jpn.days, to_jpn.p50, strict=True) if 60 < d < 120]
    after = [v for d, v in zip(to_jpn.days, to_jpn.p50, strict=True) if d > 125]
    assert during and all(v == pytest.approx(0.3, abs=0.01) for v in during)
    assert after and all(v == pytest.approx(1.0, abs=0.01) for v in after)
    with pytest.raises(CritminError, match="during_review"):
        load_scenario_data(gallium(licensing={"during_review": 1.5}), "s.yaml", kb)


def test_state_buying_takes_supply_off_the_market(kb: KnowledgeBase) -> None:
    calm = gallium(licensing={"approval_probability": 1.0, "delay_days": 0}, destinations=["JPN"])
    plain = simulate(kb, load_scenario_data(calm, "test", kb), runs=4, seed=1)
    buying = dict(calm, mitigation={"purchases": [{"country": "USA", "material": "Ga",
                                                   "days_of_demand": 60, "start": "2025-02-01",
                                                   "over_days": 30}]})
    bought = simulate(kb, load_scenario_data(buying, "test", kb), runs=4, seed=1)
    assert any(m.kind == "state purchase" for m in bought.mitigation)
    before, after = plain.price("Ga", "world"), bought.price("Ga", "world")
    assert before is not None and after is not None and after.peak.p50 is not None
    assert before.peak.p50 == pytest.approx(1.0, abs=0.01) and after.peak.p50 > 1.05
    with pytest.raises(CritminError, match=r"mitigation\.purchases\[0\]: KOR is not a destination"):
        simulate(kb, load_scenario_data(dict(calm, mitigation={"purchases": [
            {"country": "KOR", "material": "Ga", "days_of_demand": 5, "start": "2025-02-01"}]}),
            "test", kb), runs=2)
