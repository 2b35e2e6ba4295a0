"""World and domestic markets: calibration targets on small networks, each answer worked by hand.

The networks here have one material X and one stage: CHN makes 90% of it, AUS 10%; one importer
(USA, all of the world's use outside China, size 1) buys from both in proportion; one user
sector behind it. CHN's exports to the USA are controlled. With the defaults (k = 0.8, g = 0.5,
f = 0.1, pi = 1, T_b = 60 d, T = 30 d, cap 50, a = 0.5, CHN's own use 0.6 of world use):
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from critmin.kb import KnowledgeBase
from critmin.sim.engine import BatchOutput, Compiled, compile_network, run_batch
from critmin.sim.network import ControlledEdge, Edge, LicencePair, Network, Node, Slot
from critmin.sim.parameters import Parameters, load_parameters
from critmin.sim.prices import (
    adjust,
    domestic_target,
    follow,
    market_cover,
    stock_demand,
    world_target,
)
from critmin.sim.results import summarise

SECTOR = "inelastic"


def x_network(*, approval: float, delay: float, end: int | None, cover: float,
              elasticity: float = 0.0, substitution: float = 0.0) -> Network:
    net = Network(materials=["X"], destinations=["USA"], exporters={"X": {"CHN"}},
                  stages={"X": ["refining"]})
    net.sector_params[SECTOR] = {"elasticity": elasticity, "substitution_share": substitution,
                                 "substitution_lag_days": 30.0, "substitution_ramp_days": 30.0}
    chn = net.add_node(Node("CHN", "refining", "X", "producer", 0.9))
    net.add_slot(Slot(chn, "X", None, 0.0, 0.9))
    aus = net.add_node(Node("AUS", "refining", "X", "producer", 0.1))
    net.add_slot(Slot(aus, "X", None, 0.0, 0.1))
    imp = net.add_node(Node("USA", "import", "X", "import", 1.0))
    slot = net.add_slot(Slot(imp, "X", "X/refining", 0.0, 1.0))
    net.edges += [Edge(chn, slot, 0.9), Edge(aus, slot, 0.1)]
    user = net.add_node(Node("USA", SECTOR, "X", "sector", 1.0))
    sink = net.add_slot(Slot(user, "X", None, cover, 1.0))
    net.edges.append(Edge(imp, sink, 1.0))
    net.pairs.append(LicencePair(0, "USA", 0, 0, end, approval, delay, 0.0, False))
    net.controlled.append(ControlledEdge(0, 0, 1.0))
    return net


def run(params: Parameters, net: Network, horizon: int, runs: int = 4) -> tuple[Compiled, BatchOutput]:
    c = compile_network(net, params, horizon, report_every=1)
    return c, run_batch(c, runs, np.random.SeedSequence(0))


@pytest.fixture
def params(kb: KnowledgeBase) -> Parameters:
    return load_parameters(kb)


def test_defaults_are_the_ones_worked_by_hand(params: Parameters) -> None:
    p = params.prices
    assert (p.flexibility.value, p.cover_exponent.value, p.cover_floor.value, p.precaution.value,
            p.stock_build_days.value, p.adjustment_days.value, p.cap.value,
            p.domestic_absorption.value) == (0.8, 0.5, 0.1, 1.0, 60, 30, 50, 0.5)
    assert params.consumption_shares.value["CHN"] == 0.6


def test_the_functions_by_hand() -> None:
    one = np.ones((1, 1))
    # cover empty (floored at 0.1 x 30 = 3 days), all supply unlicensed: B = 30 x 2 / 60 = 1;
    # ((1 + 1) / (1 x 0.1))^0.8 x (30 / 3)^0.5 = 10.99 x 3.162 = 34.75
    build = stock_demand(0 * one, 30 * one, one, 1.0, 60)
    assert build[0, 0] == pytest.approx(1.0)
    target = world_target(one, build, one, 0.1 * one, 0 * one, 30 * one, flexibility=0.8,
                          cover_exponent=0.5, cover_floor=0.1, cap=50)
    assert target[0, 0] == pytest.approx(20**0.8 * 10**0.5, rel=1e-6)
    # normal state: no gap, full cover, no bid -> 1; the cap binds on a total cut
    calm = world_target(one, 0 * one, one, one, 30 * one, 30 * one, flexibility=0.8,
                        cover_exponent=0.5, cover_floor=0.1, cap=50)
    assert calm[0, 0] == pytest.approx(1.0)
    cut = world_target(one, build, one, 0 * one, 0 * one, 30 * one, flexibility=0.8,
                       cover_exponent=0.5, cover_floor=0.1, cap=50)
    assert cut[0, 0] == pytest.approx(50.0)
    # demand down to 0.85 for good, reference adapted to it: no lasting fall below 1
    adapted = world_target(0.85 * one, 0 * one, 0.85 * one, one, 30 * one, 30 * one, flexibility=0.8,
                           cover_exponent=0.5, cover_floor=0.1, cap=50)
    assert adapted[0, 0] == pytest.approx(1.0)
    assert follow(one, 0.85 * one, 365)[0, 0] == pytest.approx(1 - 0.15 / 365)
    # short supply: cover is the physical one; supply back: +1/60 of the gap a day
    assert market_cover(5 * one, 10 * one, 30 * one, 0.5 * one, one, 60)[0, 0] == 5
    assert market_cover(5 * one, 10 * one, 30 * one, one, one, 60)[0, 0] == pytest.approx(10 + 20 / 60)
    # 0.9 of world flow held back, CHN uses 0.6, half absorbed: (1 + 0.45 / 0.6)^-0.8 = 0.639
    assert domestic_target(0.9 * one, 0.6 * one, 0.5, 0.8, 50)[0, 0] == pytest.approx(1.75**-0.8)
    # one day toward a target 50 with tau 30: 50^(1/30) = 1.139
    assert adjust(one, 50 * one, 30)[0, 0] == pytest.approx(50 ** (1 / 30))


def test_a_near_monopoly_cut_of_an_inelastic_market_goes_past_10x(params: Parameters) -> None:
    # No approvals for 240 days, 30 days of cover, elasticity 0. Supply outside China 0.1; cover
    # lasts 30 / 0.9 = 33 days, then the target is 34.75 (above). ln P follows ln P* with
    # tau = 30 d, so by day 200 the index is within a few percent of ~34: well past 10x
    c, out = run(params, x_network(approval=0.0, delay=0.0, end=240, cover=30), 240)
    world = c.materials.index("X")
    assert np.all(out.peak_price[:, world] > 10)
    assert np.all(out.peak_price[:, world] < 40)
    # the index is still rising at day 150 (no peak inside a licence window)
    assert np.all(out.prices[:, 150, world] > out.prices[:, 60, world])


def test_instant_approvals_with_ample_cover_give_next_to_no_spike(params: Parameters) -> None:
    # approval 1, delay 0: nothing is held back, U = 0, B = 0, S = 1 -> the index stays at 1
    _, out = run(params, x_network(approval=1.0, delay=0.0, end=None, cover=60), 120)
    assert np.allclose(out.peak_price, 1.0)
    # a one-day delay: P* = ((1 + 1.98) / 0.1)^0.8 x (60 / 59.1)^0.5 = 15.3 for one day, so the
    # index moves 15.3^(1/30) = 1.095, then decays as cover is rebuilt
    _, out = run(params, x_network(approval=1.0, delay=1.0, end=None, cover=60), 120)
    assert np.all(out.peak_price[:, 0] < 1.3)
    assert np.all(out.peak_price[:, 0] > 1.05)
    assert np.all(out.prices[:, -1, 0] < 1.02)


def test_a_binding_control_splits_the_markets(params: Parameters) -> None:
    # held back: 0.9 of the world's flow -> domestic target 1.75^-0.8 = 0.639 (above); each day
    # ln P moves 1/30 of the way, so on day 60 (61 steps) the index is
    # 0.639^(1 - (29/30)^61) = 0.652, while the world index is far above 1
    c, out = run(params, x_network(approval=0.0, delay=0.0, end=None, cover=30), 120)
    world, domestic = 0, len(c.materials)
    assert list(c.domestic) == [0]
    at60 = out.prices[:, 60]
    assert np.all(at60[:, domestic] < 1.0) and np.all(at60[:, world] > 1.0)
    assert at60[0, domestic] == pytest.approx(1.75 ** (-0.8 * (1 - (1 - 1 / 30) ** 61)), rel=0.02)
    assert np.all(out.trough_price[:, domestic] < 0.7)
    _, prices = summarise(c, out, dt.date(2026, 1, 1))
    assert [(p.market, p.label) for p in prices] == [("domestic", "inside CHN"), ("world", "outside CHN")]
    assert prices[0].trough is not None and prices[0].trough.p50 is not None
    assert prices[0].trough.p50 < 0.7 and prices[1].trough is None


def test_after_the_restriction_the_world_index_returns_toward_1(params: Parameters) -> None:
    # 180 days of no approvals, then free trade; users switch 30% away after a month and respond
    # to price (elasticity -0.1), so demand ends near 0.7 of normal. With the old rule,
    # P* = (0.7 / 1)^0.8 = 0.75 for good. Here supply 1 covers use, cover rebuilds at 1/60 of the
    # gap a day (5% of it left after 180 days) and the reference demand follows use over 365
    # days, so a year after the end the index is within [0.9, 1.15] and never far below 1
    horizon = 180 + 365
    c, out = run(params, x_network(approval=0.0, delay=0.0, end=180, cover=30, elasticity=-0.1,
                                   substitution=0.3), horizon)
    world, domestic = 0, len(c.materials)
    assert np.all(out.peak_price[:, world] > 5)
    after = out.prices[:, 180 + 90:, world]
    assert np.all(after > 0.85)
    assert np.all((out.prices[:, -1, world] > 0.9) & (out.prices[:, -1, world] < 1.15))
    # the domestic glut ends with the control: its index is back within 2% of 1
    assert np.all(np.abs(out.prices[:, -1, domestic] - 1.0) < 0.02)


def test_an_unrestricted_material_has_one_market(kb: KnowledgeBase, params: Parameters) -> None:
    net = x_network(approval=0.0, delay=0.0, end=None, cover=30)
    net.exporters = {}
    c, out = run(params, net, 30)
    assert len(c.domestic) == 0 and out.prices.shape[2] == 1
    _, prices = summarise(c, out, dt.date(2026, 1, 1))
    assert [(p.market, p.label, p.countries) for p in prices] == [("world", "world", [])]
