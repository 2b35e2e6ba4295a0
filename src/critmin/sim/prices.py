"""Price formation in two markets: outside the restricting country (world) and inside it (domestic).

The recorded export-control episodes share two features a flow-only rule misses. Outside the
restricting country prices rise far above what the lost flow alone explains (rare-earth oxides
went 10-25x in 2011) because buyers price their dwindling stock cover and add precautionary
stock-building while licences are uncertain; inside it the price stays flat or falls because the
exports held back stay at home. So the world index moves toward

    P* = ((D + B) / (D_ref * S))^k * (K_ref / max(K, f K_ref))^g,   clipped to [1/cap, cap]

with D buyers' use, B their demand for stock, S fresh supply (all as fractions of normal flow),
D_ref the demand the market has adapted to, K the market's stock cover and K_ref its normal cover
(days of use), while the domestic index moves toward (1 + (1 - a) H / Q)^-k, H the held-back
exports and Q the restricting country's own use. Each function works elementwise on
(materials x runs) arrays. docs/methods.md gives the equations and parameters.yaml the defaults.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.floating[Any]]

MIN_SUPPLY = 1e-3
"""Floor of the supply ratio so a total cut gives the cap, not a division by zero."""


def stock_demand(cover: F, cover_ref: F, uncertainty: F, precaution: float, build_days: float) -> F:
    """Buyers' demand for stock, B = max(K_ref (1 + pi U) - K, 0) / T_b, in fractions of daily use.

    The target cover K_ref (1 + pi U) rises with the share U of supply still unlicensed, so buyers
    bid for more than they use while licences are uncertain and stop as approvals arrive.
    """
    target = cover_ref * (1.0 + precaution * uncertainty)
    return np.maximum(target - cover, 0.0) / max(build_days, 1.0)


def market_cover(physical: F, previous: F, cover_ref: F, supply: F, demand: F, build_days: float) -> F:
    """The stock cover the market prices: buyers' stocks, rebuilt once fresh supply covers use.

    While supply is short it is buyers' physical cover. Once supply covers use again, the stocks
    held back by the exporter and producers' spare capacity (neither carried by the flows, which
    never exceed normal) refill it at the rate buyers ask for, K <- K + (K_ref - K) / T_b; without
    this a market with no demand response would price empty stocks forever after an episode.
    """
    rebuilt = np.maximum(physical, previous + (cover_ref - previous) / max(build_days, 1.0))
    return np.asarray(np.where(supply >= demand, rebuilt, physical), dtype=physical.dtype)


def log_world_target(demand: F, stock_build: F, reference: F, supply: F, cover: F, cover_ref: F, *,
                     flexibility: float, cover_exponent: float, cover_floor: float, cap: float) -> F:
    """ln P* = clip(k ln((D + B) / (D_ref S)) + g ln(K_ref / max(K, f K_ref)), -ln cap, ln cap).

    Logs because the index moves in logs (see `adjust`): the engine keeps ln P as its state and
    saves a power per step.
    """
    flow = (demand + stock_build) / (np.maximum(reference, MIN_SUPPLY) * np.maximum(supply, MIN_SUPPLY))
    scarcity = cover_ref / np.maximum(cover, cover_floor * cover_ref)
    log_index: F = flexibility * np.log(np.maximum(flow, 1e-12)) + cover_exponent * np.log(scarcity)
    bound = float(np.log(cap))
    return np.clip(log_index, -bound, bound)


def world_target(demand: F, stock_build: F, reference: F, supply: F, cover: F, cover_ref: F, *,
                 flexibility: float, cover_exponent: float, cover_floor: float, cap: float) -> F:
    """P* = clip(((D + B) / (D_ref S))^k (K_ref / max(K, f K_ref))^g, 1/cap, cap)."""
    return np.exp(log_world_target(demand, stock_build, reference, supply, cover, cover_ref,
                                   flexibility=flexibility, cover_exponent=cover_exponent,
                                   cover_floor=cover_floor, cap=cap))


def log_domestic_target(held_back: F, domestic_use: F, absorption: float, flexibility: float,
                        cap: float) -> F:
    """ln P*_dom = clip(-k ln(1 + (1 - a) H / Q), -ln cap, ln cap)."""
    log_index: F = -flexibility * np.log1p((1.0 - absorption) * held_back / domestic_use)
    bound = float(np.log(cap))
    return np.clip(log_index, -bound, bound)


def domestic_target(held_back: F, domestic_use: F, absorption: float, flexibility: float, cap: float) -> F:
    """P*_dom = clip((1 + (1 - a) H / Q)^-k, 1/cap, cap): held-back exports flood the home market.

    A share a of what is held back never reaches domestic buyers (output cuts, state stockpiling).
    """
    return np.exp(log_domestic_target(held_back, domestic_use, absorption, flexibility, cap))


def follow(reference: F, value: F, days: float) -> F:
    """Exponential smoothing, R <- R + (V - R) / T: the demand a market has adapted to."""
    return reference + (value - reference) / max(days, 1.0)


def adjust(price: F, target: F, adjustment_days: float) -> F:
    """One day's move of the index toward its target, in logs: P <- P (P*/P)^(1/tau)."""
    return price * (target / price) ** (1.0 / max(adjustment_days, 1.0))
