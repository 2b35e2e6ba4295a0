"""The engine: deterministic for a seed, and its shortfalls follow from stocks and licences."""

from __future__ import annotations

import numpy as np

from critmin.kb import KnowledgeBase
from critmin.sim import bundled_scenarios, load_scenario, simulate
from critmin.sim.engine import NEVER, compile_network, run_batch
from critmin.sim.network import build_network
from critmin.sim.parameters import load_parameters
from critmin.sim.scenario import Scenario


def _compile(kb: KnowledgeBase, scenario: Scenario):  # type: ignore[no-untyped-def]
    params = load_parameters(kb)
    return compile_network(build_network(kb, scenario, params), params, scenario.horizon_days)


def test_same_seed_same_numbers_other_seed_other_numbers(kb: KnowledgeBase) -> None:
    scenario = load_scenario("april-2025-seven-rare-earths", kb).model_copy(update={"horizon_days": 90})
    c = _compile(kb, scenario)
    a = run_batch(c, 64, np.random.SeedSequence(7))
    b = run_batch(c, 64, np.random.SeedSequence(7))
    other = run_batch(c, 64, np.random.SeedSequence(8))
    assert np.array_equal(a.paths, b.paths) and np.array_equal(a.lost, b.lost)
    assert not np.array_equal(a.lost, other.lost)


def test_full_embargo_bites_when_stocks_run_out(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(
        str(
            write_scenario(
                inventories=[
                    {"sector": s, "days": 20}
                    for s in (
                        "ev_motor",
                        "industrial_motors",
                        "wind",
                        "consumer_electronics",
                        "robotics",
                        "defence",
                    )
                ]
            )
        ),
        kb,
    )
    c = _compile(kb, scenario)
    out = run_batch(c, 16, np.random.SeedSequence(1))
    usa = c.series.index(next(s for s in c.series if s.kind == "destination" and s.key == "USA"))
    jpn = c.series.index(next(s for s in c.series if s.kind == "destination" and s.key == "JPN"))
    first = out.first_short[:, usa]
    # Chinese magnets are 94% of US supply by proportional allocation and trade shares; 20 days of
    # cover cannot bridge that, so the US runs short within a month in every run, Japan never
    assert np.all((first >= 15) & (first <= 30))
    assert np.all(out.first_short[:, jpn] == NEVER)
    assert np.all(out.lost[:, usa] > 50)


def test_more_cover_delays_the_first_shortfall(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    sectors = ("ev_motor", "industrial_motors", "wind", "consumer_electronics", "robotics", "defence")
    short = load_scenario(str(write_scenario(inventories=[{"sector": s, "days": 10} for s in sectors])), kb)
    long = load_scenario(str(write_scenario(inventories=[{"sector": s, "days": 60} for s in sectors])), kb)
    r_short = simulate(kb, short, runs=8, seed=3)
    r_long = simulate(kb, long, runs=8, seed=3)
    day = {r.scenario.name + str(i): 0 for i, r in enumerate((r_short, r_long))}
    assert day
    usa_short = next(s for s in r_short.series if s.kind == "destination" and s.key == "USA")
    usa_long = next(s for s in r_long.series if s.kind == "destination" and s.key == "USA")
    assert usa_short.first_shortfall_day.p50 is not None and usa_long.first_shortfall_day.p50 is not None
    assert usa_long.first_shortfall_day.p50 - usa_short.first_shortfall_day.p50 >= 40
    assert usa_long.lost_days_mean < usa_short.lost_days_mean


def test_approval_without_delay_means_no_shortfall(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    restrictions = [
        {
            "exporter": "CHN",
            "materials": ["NdFeB"],
            "stages": ["magnet"],
            "start": "2026-01-01",
            "licensing": {"approval_probability": 1.0, "delay_days": 0, "delay_sigma": 0},
        }
    ]
    result = simulate(kb, load_scenario(str(write_scenario(restrictions=restrictions)), kb), runs=8, seed=0)
    assert all(s.lost_days_mean == 0 for s in result.series)
    assert all(p.peak.p50 is not None and abs(p.peak.p50 - 1.0) < 1e-6 for p in result.prices)


def test_prices_rise_with_the_gap(kb: KnowledgeBase) -> None:
    result = simulate(kb, load_scenario("april-2025-seven-rare-earths", kb), runs=32, seed=0)
    ndfeb = result.price("NdFeB")
    assert ndfeb is not None and ndfeb.label == "outside CHN"
    assert ndfeb.peak.p50 is not None and ndfeb.peak.p50 > 1.5
    assert ndfeb.p50[0] < 1.1
    # inside China the held-back magnets press the index below 1
    home = result.price("NdFeB", "domestic")
    assert home is not None and home.trough is not None and home.trough.p50 is not None
    assert home.trough.p50 < 1.0 and home.p50[-1] < 1.0
    assert [p.market for p in result.prices if p.material == "NdFeB"] == ["domestic", "world"]


def test_every_bundled_scenario_runs(kb: KnowledgeBase) -> None:
    for name in bundled_scenarios():
        result = simulate(kb, load_scenario(name, kb), runs=16, seed=1)
        assert result.exposures, name
        assert result.days[-1] == result.scenario.horizon_days - 1
        assert all(len(s.p50) == len(result.days) for s in result.series)


def test_sensitivity_ranks_parameters(kb: KnowledgeBase) -> None:
    scenario = load_scenario("april-2025-seven-rare-earths", kb).model_copy(update={"horizon_days": 150})
    result = simulate(kb, scenario, runs=16, seed=0, sensitivity_runs=16)
    swings = [r.swing for r in result.sensitivity]
    assert len(swings) >= 6 and swings == sorted(swings, reverse=True)
    cover = next(r for r in result.sensitivity if r.parameter.startswith("days of cover"))
    assert cover.outcome_high < cover.outcome_low
    # the price-formation parameters are varied too; without an announcement, front-loading is not
    names = {r.parameter for r in result.sensitivity}
    assert {"price flexibility (x0.5 / x2)", "buyers' precautionary stock building (x0 / x2)",
            "weight of stock cover in the price (x0.5 / x2)"} <= names
    assert not any("front-loading" in n for n in names)
