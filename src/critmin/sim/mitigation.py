"""Mitigation as schedules and switching curves the engine adds to supply or takes off demand.

New capacity and recycling join a free pool per upstream group (material/stage) that follows a
linear ramp from each plant's start; stockpile releases add a fixed daily amount to one
importer; substitution takes a growing share of a sector's demand once it has been short for
its lag. Each is a pure function of the day, so batches and executors agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from critmin.sim.network import CapacityAdd, StockRelease

F = npt.NDArray[np.float64]


def ramp(days: npt.NDArray[np.int64], start: int, ramp_days: float) -> F:
    """0 before start, rising linearly to 1 over ramp_days (a step when ramp_days is 0)."""
    elapsed = (days - start).astype(np.float64)
    if ramp_days <= 0:
        return (elapsed >= 0).astype(np.float64)
    return np.clip((elapsed + 1.0) / ramp_days, 0.0, 1.0) * (elapsed >= 0)


def pool_schedule(additions: Sequence[CapacityAdd], group_index: dict[str, int], horizon: int) -> F:
    """(days, groups): free output joining each group's pool, as a share of its world output."""
    days = np.arange(horizon, dtype=np.int64)
    pool = np.zeros((horizon, len(group_index)))
    for add in additions:
        pool[:, group_index[add.group]] += add.share_of_world * ramp(days, add.start_day, add.ramp_days)
    return pool


def stock_schedule(releases: Sequence[StockRelease], horizon: int) -> tuple[npt.NDArray[np.int64], F]:
    """Slots receiving stockpile releases and (days, slots) daily amounts in days of their demand."""
    slots = sorted({r.slot for r in releases})
    index = {s: i for i, s in enumerate(slots)}
    amounts = np.zeros((horizon, len(slots)))
    for r in releases:
        lo, hi = max(r.start_day, 0), min(r.start_day + r.days, horizon)
        if hi > lo:
            amounts[lo:hi, index[r.slot]] += r.rate
    return np.array(slots, dtype=np.int64), amounts


def substitution(t: int, first_short: npt.NDArray[np.int32], share: npt.NDArray[np.floating[Any]],
                 lag: npt.NDArray[np.floating[Any]],
                 ramp_days: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
    """Share of each sector's demand switched away on day t, per run.

    first_short is the day the sector first ran short in that run (a huge number if never), so
    the share is 0 until first_short + lag and then ramps linearly to its full value.
    """
    started = (np.float32(t) - first_short.astype(np.float32)) - lag
    return np.asarray(share * np.clip(started / ramp_days, 0.0, 1.0), dtype=np.float32)
