"""Which parameter moves the outcome most: one at a time, low and high, same seed.

Each row re-runs the scenario with one group of parameters set low, then high, keeping every
other value and the random numbers (common seed) fixed, and records the headline outcome: mean
cumulative lost output summed over destinations. Rows are sorted by the swing between the two.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from critmin.sim.engine import compile_network
from critmin.sim.executors import Plan, run_local
from critmin.sim.network import Network
from critmin.sim.parameters import Parameters, apply_overrides
from critmin.sim.results import SensitivityRow, combine
from critmin.sim.scenario import Scenario

Variation = Callable[[Network, float], Network]


def _pairs(field: str, cap: float | None = None) -> Variation:
    def vary(net: Network, factor: float) -> Network:
        pairs = []
        for p in net.pairs:
            value = getattr(p, field) * factor
            pairs.append(dataclasses.replace(p, **{field: min(value, cap) if cap is not None else value}))
        return dataclasses.replace(net, pairs=pairs)

    return vary


def _cover(net: Network, factor: float) -> Network:
    return dataclasses.replace(
        net, slots=[dataclasses.replace(s, cover_days=s.cover_days * factor) for s in net.slots]
    )


def _sector(key: str, cap: float | None = None) -> Variation:
    def vary(net: Network, factor: float) -> Network:
        params = {
            sector: {
                **values,
                key: (min(values[key] * factor, cap) if cap is not None else values[key] * factor),
            }
            for sector, values in net.sector_params.items()
        }
        return dataclasses.replace(net, sector_params=params)

    return vary


def _additions(net: Network, factor: float) -> Network:
    return dataclasses.replace(
        net,
        additions=[dataclasses.replace(a, share_of_world=a.share_of_world * factor) for a in net.additions],
    )


def _reexport(net: Network, factor: float) -> Network:
    reexport_pairs = {i for i, p in enumerate(net.pairs) if p.reexport}
    controlled = [
        dataclasses.replace(c, factor=min(c.factor * factor, 1.0)) if c.pair in reexport_pairs else c
        for c in net.controlled
    ]
    return dataclasses.replace(net, controlled=controlled)


VARIATIONS: list[tuple[str, Variation, float, float]] = [
    ("licence approval rate (x0.5 / x1.5)", _pairs("approval", cap=1.0), 0.5, 1.5),
    ("licence delay (x0.5 / x1.5)", _pairs("delay_days"), 0.5, 1.5),
    ("days of cover, all holders (x0.5 / x2)", _cover, 0.5, 2.0),
    ("substitution share, all sectors (x0 / x2)", _sector("substitution_share", cap=1.0), 0.0, 2.0),
    ("substitution lag (x0.5 / x2)", _sector("substitution_lag_days"), 0.5, 2.0),
    ("price elasticity of demand (x0 / x3)", _sector("elasticity"), 0.0, 3.0),
    ("new capacity from the registry (x0 / x2)", _additions, 0.0, 2.0),
    ("share of re-exports caught by the rule (x0.5 / x1.5)", _reexport, 0.5, 1.5),
]


#: Price-formation and front-loading parameters, varied in parameters.yaml rather than in the
#: network: (label, dotted path, low factor, high factor). Prices move the headline loss through
#: buyers' demand response and stock building.
PARAMETER_VARIATIONS: list[tuple[str, str, float, float]] = [
    ("price flexibility (x0.5 / x2)", "prices.flexibility", 0.5, 2.0),
    ("buyers' precautionary stock building (x0 / x2)", "prices.precaution", 0.0, 2.0),
    ("weight of stock cover in the price (x0.5 / x2)", "prices.cover_exponent", 0.5, 2.0),
    ("front-loading before the start (x0 / x2)", "licensing.front_loading", 0.0, 2.0),
]


def _value(params: Parameters, path: str) -> float:
    node: Any = params
    for part in path.split("."):
        node = getattr(node, part)
    return float(node.value)


def _headline(net: Network, params: Parameters, scenario: Scenario, seed: int, runs: int) -> float:
    compiled = compile_network(
        net, params, scenario.horizon_days, report_every=max(scenario.horizon_days, 1)
    )
    out = combine(run_local(compiled, Plan(runs=runs, seed=seed)))
    rows = [i for i, key in enumerate(compiled.series) if key.kind == "destination"]
    return float(np.asarray(out.lost[:, rows]).mean(axis=0).sum())


def sensitivity_table(
    net: Network, params: Parameters, scenario: Scenario, seed: int, runs: int
) -> list[SensitivityRow]:
    """One row per variation that applies to this network, largest swing first."""
    rows = []
    for label, vary, low, high in VARIATIONS:
        if "re-exports" in label and not any(p.reexport for p in net.pairs):
            continue
        if "new capacity" in label and not net.additions:
            continue
        outcome_low = _headline(vary(net, low), params, scenario, seed, runs)
        outcome_high = _headline(vary(net, high), params, scenario, seed, runs)
        rows.append(
            SensitivityRow(
                parameter=label,
                low=low,
                high=high,
                outcome_low=round(outcome_low, 2),
                outcome_high=round(outcome_high, 2),
                swing=round(abs(outcome_high - outcome_low), 2),
            )
        )
    for label, path, low, high in PARAMETER_VARIATIONS:
        if "front-loading" in label and not net.announcements:
            continue
        base = _value(params, path)
        outcome_low = _headline(net, apply_overrides(params, {path: base * low}), scenario, seed, runs)
        outcome_high = _headline(net, apply_overrides(params, {path: base * high}), scenario, seed,
                                 runs)
        rows.append(SensitivityRow(parameter=label, low=low, high=high,
                                   outcome_low=round(outcome_low, 2),
                                   outcome_high=round(outcome_high, 2),
                                   swing=round(abs(outcome_high - outcome_low), 2)))
    return sorted(rows, key=lambda r: -r.swing)
