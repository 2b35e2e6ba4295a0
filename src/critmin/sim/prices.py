"""The market-clearing rule: a shortage raises the price index through one exponent.

Outside the restricting country, the index moves toward the level at which demand and fresh
supply would clear, P* = (D / S)^k (k the price flexibility, bounded by a cap), at a speed set by
an adjustment time constant. Inventories do not enter S: buyers bid on the flow they can
secure, which is why prices move before stocks run out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.floating[Any]]

MIN_SUPPLY = 1e-3
"""Floor of the supply ratio so a total cut gives the cap, not a division by zero."""


def clearing_index(demand: F, supply: F, flexibility: float, cap: float) -> F:
    """P* = clip((D / S)^k, 1/cap, cap), elementwise."""
    ratio = demand / np.maximum(supply, MIN_SUPPLY)
    return np.clip(np.power(np.maximum(ratio, 1e-12), flexibility), 1.0 / cap, cap)


def adjust(price: F, target: F, adjustment_days: float) -> F:
    """One day's move of the index toward its target, in logs: P <- P (P*/P)^(1/tau)."""
    return price * (target / price) ** (1.0 / max(adjustment_days, 1.0))
