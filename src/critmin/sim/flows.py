"""Trade flows as outputs: which cross-border edges make up each exporter -> destination flow.

The commonest recorded figure of an export control is a trade flow ("exports to the US fell 93%
in month two"), so the simulator reports, per material and stage, each exporter's shipments to
each destination as an index of the baseline flow (1 = before the scenario) with its baseline
volume. A flow is the sum of the network's edges from one country's producers at one stage to
nodes of another country (its plants at the next stage, or its importer); members of a bloc that
is a scenario destination (the EU) count as the bloc.

`plan_flows` only decides which edges add up to which flow and with what weights; the engine
evaluates the edges' flows at the reporting days (engine.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from critmin.sim.network import Network

I64 = npt.NDArray[np.int64]
F = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class FlowKey:
    """One reported trade flow."""

    material: str
    stage: str
    """Stage of the exporting producers."""
    exporter: str
    destination: str


@dataclass(frozen=True)
class FlowPlan:
    """The edges behind each flow and how to add them up."""

    keys: list[FlowKey]
    edges: I64
    """Network edge indices that cross a border, in the order of `edge_series`'s columns."""
    edge_series: sparse.csr_matrix
    """(flows, edges): each edge's baseline share of its flow, so a flow's index is the sum of
    its edges' flows relative to their baselines, weighted by these shares."""
    baseline: F
    """Each flow's baseline volume as a share of world output of its stage."""


def plan_flows(net: Network, region: Callable[[str], str]) -> FlowPlan:
    """Group the network's cross-border producer edges into exporter -> destination flows.

    `region` maps a node's country to the reporting unit (a bloc member to its bloc).
    """
    totals: dict[FlowKey, float] = {}
    members: list[tuple[FlowKey, int, float]] = []
    for e, edge in enumerate(net.edges):
        src = net.nodes[edge.src]
        if src.kind != "producer":
            continue
        slot = net.slots[edge.slot]
        dst = net.nodes[slot.node]
        if dst.kind == "sector":
            continue
        exporter, destination = region(src.country), region(dst.country)
        if exporter == destination:
            continue
        volume = edge.weight * slot.size
        if volume <= 0:
            continue
        key = FlowKey(src.material, src.stage, exporter, destination)
        totals[key] = totals.get(key, 0.0) + volume
        members.append((key, e, volume))
    keys = sorted(totals, key=lambda k: (k.material, k.stage, k.exporter, k.destination))
    row = {k: i for i, k in enumerate(keys)}
    edges = sorted({e for _, e, _ in members})
    col = {e: j for j, e in enumerate(edges)}
    rows = [row[k] for k, _, _ in members]
    cols = [col[e] for _, e, _ in members]
    vals = [v / totals[k] for k, _, v in members]
    matrix = sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)),
                               shape=(len(keys), len(edges)))
    return FlowPlan(keys=keys, edges=np.asarray(edges, dtype=np.int64), edge_series=matrix,
                    baseline=np.asarray([totals[k] for k in keys], dtype=np.float64))
