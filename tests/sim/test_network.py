"""The network built from the knowledge base: conservation, trade figures, controlled flows."""

from __future__ import annotations

from collections import defaultdict

import pytest

from critmin.kb import KnowledgeBase
from critmin.sim import load_scenario
from critmin.sim.network import Network, build_network
from critmin.sim.parameters import load_parameters


@pytest.fixture(scope="module")
def april(kb: KnowledgeBase) -> Network:
    return build_network(kb, load_scenario("april-2025-seven-rare-earths", kb), load_parameters(kb))


def test_each_slot_takes_all_of_its_input(april: Network) -> None:
    totals: dict[int, float] = defaultdict(float)
    for edge in april.edges:
        totals[edge.slot] += edge.weight
    fed = [
        k
        for k, s in enumerate(april.slots)
        if s.group is not None or april.nodes[s.node].kind != "producer"
    ]
    assert fed and all(abs(totals[k] - 1.0) < 1e-9 for k in fed)


def test_producer_shares_come_from_the_knowledge_base(kb: KnowledgeBase, april: Network) -> None:
    magnets = {n.country: n.share for n in april.nodes if n.material == "NdFeB" and n.stage == "magnet"}
    series = [s for s in kb.shares(kb.material("NdFeB")) if s.stage.value == "magnet"]
    latest = max(series, key=lambda s: s.year)
    assert magnets == {r.country: r.share for r in latest.rows}


def test_trade_figures_are_used_where_bundled(april: Network) -> None:
    assert any(n.startswith("USA imports of NdFeB: trade figures") for n in april.notes)
    assert "usgs-mcs2025-rare-earths" in april.sources


def test_only_the_exporters_flows_abroad_are_controlled(april: Network) -> None:
    assert april.controlled
    for c in april.controlled:
        edge = april.edges[c.edge]
        src, dst = april.nodes[edge.src], april.nodes[april.slots[edge.slot].node]
        assert src.country == "CHN" and dst.country != "CHN"
        assert src.stage in {"refining", "metal", "magnet"}
    eu = [p for p in april.pairs if p.destination == "EU"]
    usa = [p for p in april.pairs if p.destination == "USA"]
    assert eu and usa and eu[0].approval == 0.6 and usa[0].approval == 0.15 and usa[0].delay_days == 90


def test_magnet_makers_abroad_need_the_restricted_additives(april: Network) -> None:
    row_magnet = next(
        i
        for i, n in enumerate(april.nodes)
        if n.material == "NdFeB" and n.stage == "magnet" and n.country == "ROW"
    )
    inputs = {s.material for s in april.slots if s.node == row_magnet}
    assert inputs == {"Dy", "Tb"}


def test_reexport_rule_reaches_third_country_magnets(kb: KnowledgeBase) -> None:
    net = build_network(kb, load_scenario("october-2025-package", kb), load_parameters(kb))
    reexport = [c for c in net.controlled if net.pairs[c.pair].reexport]
    assert reexport
    for c in reexport:
        src = net.nodes[net.edges[c.edge].src]
        assert src.country != "CHN" and src.stage == "magnet" and 0 < c.factor <= 1


def test_facility_capacity_counted_only_when_comparable(april: Network) -> None:
    counted = {a.label for a in april.additions}
    assert "Independence rare earth metal, alloy and magnet facility" in counted
    assert any("not comparable" in n or "no start year" in n for n in april.notes)
    assert all(a.group == "NdFeB/magnet" and 0 < a.share_of_world < 0.05 for a in april.additions)
