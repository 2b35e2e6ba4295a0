"""The daily Monte Carlo engine: array code over (runs x slots) per day, no loop over runs or nodes.

`compile_network` turns a built network into arrays (sparse matrices for the flows); `run_batch`
simulates one batch of runs from its own seed and returns only what results need: per-run
paths of the reported series at the reporting interval, days to first shortfall, cumulative
lost output, and price paths per market (each material's world market, and the domestic market
of each restricted material). Batches are independent, so any executor that runs the same
batches with the same seeds gets the same numbers. Equations: docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from critmin.sim.flows import FlowKey, plan_flows
from critmin.sim.mitigation import pool_schedule, stock_schedule, substitution
from critmin.sim.network import Network, Slot
from critmin.sim.parameters import Parameters
from critmin.sim.prices import follow, log_domestic_target, log_world_target, market_cover, stock_demand

F = npt.NDArray[np.floating[Any]]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

DT = np.float32
"""State arrays are single precision: half the memory traffic; shortfalls need no more digits."""
SHORTFALL_EPS = 0.005
"""A day counts as short when unmet demand exceeds 0.5% of normal demand."""
NEVER = np.iinfo(np.int32).max
MIN_DOMESTIC_USE = 0.01
"""Floor of a restricting country's own use (share of world use): a country with no consumption
share (a mine-only exporter) still has a finite home market for what it holds back."""


@dataclass(frozen=True)
class SeriesKey:
    """One reported series: kind (destination, sector, stage), material and the key within it."""

    kind: str
    material: str
    key: str


@dataclass(frozen=True)
class Compiled:
    """A network as arrays, ready for any number of batches (picklable for Dask).

    Flow nodes (producers, importers) and their input slots carry goods; sinks (sector users)
    only consume, each from one importer, so they are kept apart.
    """

    horizon: int
    report_days: I64
    n_nodes: int
    """Flow nodes."""
    n_slots: int
    """Flow nodes' input slots."""
    flows_t: sparse.csr_matrix
    """(slots, nodes): baseline flow weights."""
    source_supply: F
    node_starts: I64
    extra_slots: list[tuple[int, I64]]
    """(rank, nodes having a slot of that rank): nodes with several input slots."""
    cover: F
    size: F
    ctrl_src: I64
    ctrl_weight: F
    ctrl_pair: I64
    ctrl_t: sparse.csr_matrix
    """(slots, controlled edges)."""
    pair_draw: I64
    pair_start: I64
    pair_end: I64
    draw_approval: F
    draw_delay: F
    draw_sigma: F
    concentration: float
    pool: F
    pool_slots: I64
    pool_group: I64
    pool_from_slots: sparse.csr_matrix
    """(groups, pool slots)."""
    stock_slots: I64
    stock: F
    sink_src: I64
    """Flow node (an importer) feeding each sink."""
    sink_cover: F
    sink_material: I64
    sink_pe_index: I64
    """Row of the (material x distinct elasticity) price-response table for each sink."""
    elasticities: F
    """Distinct elasticities."""
    sub_rows: I64
    """Sinks that can substitute."""
    sub_share: F
    sub_lag: F
    sub_ramp: F
    materials: list[str]
    imp_slots: I64
    imp_weight_t: sparse.csr_matrix
    """(materials, import slots): market weights, columns normalised per material."""
    sink_weight_t: sparse.csr_matrix
    """(materials, sinks)."""
    has_market: B
    cover_ref: F
    """(materials, 1): world-market users' normal cover in days, weighted as the market."""
    group_t: sparse.csr_matrix
    """(2 x groups, controlled edges): the receiving slot's size (share of the group's world
    flow), groups being the (material, stage) of the controlled producers, ordered by material;
    the second block counts direct exports only (re-exported flows are held back abroad)."""
    ctrl_base: F
    """(controlled edges,): baseline controlled flow, coverage x weight."""
    group_outside: F
    """(groups, 1): the group's normal flow to slots outside the restricting countries."""
    group_material: I64
    """Material of each group."""
    group_starts: I64
    """First group of each material in group_materials (for a max over a material's stages)."""
    group_materials: I64
    """Materials having at least one controlled group, ascending."""
    one_group_each: bool
    """Every such material has a single controlled stage (no max over stages needed)."""
    domestic: I64
    """Materials with a domestic market (those with a restricting country), ascending."""
    domestic_use: F
    """(domestic markets, 1): the restricting countries' own use, share of world use."""
    exporters: dict[str, list[str]]
    """Material -> restricting countries, for labels."""
    flexibility: float
    adjustment_days: float
    price_cap: float
    cover_exponent: float
    cover_floor: float
    precaution: float
    stock_build_days: float
    reference_days: float
    domestic_absorption: float
    sink_series_t: sparse.csr_matrix
    """(destination and sector series, sinks)."""
    stage_nodes: I64
    """Flow nodes reported in stage series (producers outside restricting countries)."""
    stage_series_t: sparse.csr_matrix
    """(stage series, stage_nodes)."""
    members: list[I64]
    """Per series, the rows (sinks, or positions in stage_nodes) whose first shortfall counts."""
    series: list[SeriesKey]
    pair_review: F = field(default_factory=lambda: np.zeros((0, 1)))
    """Per licence pair: the share shipped before the first decision."""
    pair_quota: F = field(default_factory=lambda: np.zeros(0))
    """Per licence pair: an export quota as a share of baseline exports (inf: no quota)."""
    pair_quota_material: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ann_start: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Announcements: first day, start of the restriction, material index and level."""
    ann_end: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ann_material: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ann_level: F = field(default_factory=lambda: np.zeros((0, 1)))
    draw_fixed: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Draws whose approved share is the same in every run (an export duty)."""
    cap_node: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Domestic quotas: capped flow node, share of normal output, first and end day."""
    cap_share: F = field(default_factory=lambda: np.zeros((0, 1)))
    cap_start: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cap_end: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rush_ctrl: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Controlled edges shipping extra between an announcement and the start."""
    rush_start: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rush_end: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    front_loading: float = 0.0
    flow_keys: list[FlowKey] = field(default_factory=list)
    """Reported trade flows (exporter -> destination per material and stage)."""
    flow_baseline: F = field(default_factory=lambda: np.zeros(0))
    """Each flow's baseline volume, as a share of world output of its stage."""
    flow_src: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Flow node shipping on each cross-border edge the flows are made of."""
    flow_inv_weight: F = field(default_factory=lambda: np.zeros((0, 1)))
    """1 / the edge's baseline weight in its slot, so a loss converts to a share of the edge."""
    flow_ctrl_t: sparse.csr_matrix = field(default_factory=lambda: sparse.csr_matrix((0, 0)))
    """(flow edges, controlled edges): which licence losses fall on which flow edge."""
    flow_series_t: sparse.csr_matrix = field(default_factory=lambda: sparse.csr_matrix((0, 0)))
    """(flows, flow edges): each edge's baseline share of its flow."""
    flow_days: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Days the flows are recorded (monthly and the last day)."""


@dataclass
class BatchOutput:
    """What one batch returns: per-run arrays, batch order preserved by the executors."""

    paths: npt.NDArray[np.float32]
    """(runs, report points, series) shortfall fractions of normal demand."""
    prices: npt.NDArray[np.float32]
    """(runs, report points, markets) price index: world per material, then domestic markets."""
    first_short: npt.NDArray[np.int32]
    """(runs, series) first day any member is short, NEVER when never."""
    lost: F
    """(runs, series) cumulative shortfall in days of normal output."""
    peak_price: F
    """(runs, markets) highest price index."""
    trough_price: F
    """(runs, markets) lowest price index."""
    flows: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0, 0), np.float32))
    """(runs, flow days, flows) each trade flow as an index of its baseline (1 = before)."""


def _matrix(
    rows: list[int], cols: list[int], vals: list[float], shape: tuple[int, int]
) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (np.asarray(vals, dtype=DT), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
        shape=shape,
    )


def _normalise_columns(m: F) -> F:
    sums = m.sum(axis=0)
    return np.asarray(np.divide(m, sums, out=np.zeros_like(m), where=sums > 0), dtype=np.float64)


def compile_network(net: Network, params: Parameters, horizon: int, report_every: int = 7,
                    domestic_use: dict[str, float] | None = None) -> Compiled:
    """Arrays for the engine: flow nodes and slots renumbered, sinks apart.

    `domestic_use` gives countries' shares of world use (the scenario's consumption shares);
    it sizes each restricting country's home market. Default: parameters.yaml's shares.
    """
    flow_nodes = [i for i, nd in enumerate(net.nodes) if nd.kind != "sector"]
    fnode = {i: j for j, i in enumerate(flow_nodes)}
    flow_slots = [k for k, s in enumerate(net.slots) if net.nodes[s.node].kind != "sector"]
    fslot = {k: j for j, k in enumerate(flow_slots)}
    sink_slots = [k for k, s in enumerate(net.slots) if net.nodes[s.node].kind == "sector"]
    n, k = len(flow_nodes), len(flow_slots)
    slot_node = np.array([fnode[net.slots[s].node] for s in flow_slots], dtype=np.int64)
    if k == 0 or np.any(np.diff(slot_node) < 0) or len(np.unique(slot_node)) != n:
        raise ValueError("every flow node needs at least one slot, and slots must be in node order")
    node_starts = np.searchsorted(slot_node, np.arange(n)).astype(np.int64)
    counts = np.diff(np.append(node_starts, k))
    extra_slots = [
        (rank, np.flatnonzero(counts > rank).astype(np.int64)) for rank in range(1, int(counts.max()))
    ]
    flow_edges = [e for e in net.edges if e.slot in fslot]
    flows_t = _matrix(
        [fslot[e.slot] for e in flow_edges],
        [fnode[e.src] for e in flow_edges],
        [e.weight for e in flow_edges],
        (k, n),
    )
    slots = [net.slots[s] for s in flow_slots]
    source_supply = np.array([[1.0] if s.group is None else [0.0] for s in slots], dtype=DT)
    cover = np.array([[s.cover_days] for s in slots], dtype=DT)
    size = np.array([s.size for s in slots], dtype=DT)

    edges = net.edges
    ctrl_src = np.array([fnode[edges[c.edge].src] for c in net.controlled], dtype=np.int64)
    ctrl_weight = np.array([[edges[c.edge].weight * c.factor] for c in net.controlled], dtype=DT)
    ctrl_pair = np.array([c.pair for c in net.controlled], dtype=np.int64)
    ctrl_t = _matrix(
        [fslot[edges[c.edge].slot] for c in net.controlled],
        list(range(len(net.controlled))),
        [1.0] * len(net.controlled),
        (k, len(net.controlled)),
    )
    n_draws = max([p.draw for p in net.pairs], default=-1) + 1
    draw_approval = np.zeros(n_draws)
    draw_delay = np.zeros(n_draws)
    draw_sigma = np.zeros(n_draws)
    for p in net.pairs:
        draw_approval[p.draw], draw_delay[p.draw], draw_sigma[p.draw] = (
            p.approval,
            p.delay_days,
            p.delay_sigma,
        )

    groups = sorted({a.group for a in net.additions})
    group_index = {g: i for i, g in enumerate(groups)}
    pool = pool_schedule(net.additions, group_index, horizon).astype(DT)
    exporters = net.exporters
    pool_slots = np.array(
        [
            j
            for j, s in enumerate(slots)
            if s.group in group_index and net.nodes[s.node].country not in exporters.get(s.material, set())
        ],
        dtype=np.int64,
    )
    pool_group = np.array([group_index[slots[j].group or ""] for j in pool_slots], dtype=np.int64)
    pool_from_slots = _matrix(
        pool_group.tolist(),
        list(range(len(pool_slots))),
        [1.0] * len(pool_slots),
        (len(groups), len(pool_slots)),
    )
    stock_slot_ids, stock = stock_schedule(net.stock_releases, horizon)
    stock_slots = np.array([fslot[int(s)] for s in stock_slot_ids], dtype=np.int64)

    materials = net.materials
    m_index = {m: i for i, m in enumerate(materials)}
    sink_nodes = [net.nodes[net.slots[s].node] for s in sink_slots]
    feeder = {e.slot: e.src for e in edges if e.slot not in fslot}
    sink_src = np.array([fnode[feeder[s]] for s in sink_slots], dtype=np.int64)
    sink_cover = np.array([[net.slots[s].cover_days] for s in sink_slots], dtype=DT)
    sink_material = np.array([m_index[nd.material] for nd in sink_nodes], dtype=np.int64)
    sp = net.sector_params
    raw_elasticity = [sp[nd.stage]["elasticity"] for nd in sink_nodes]
    elasticities = np.array(sorted(set(raw_elasticity)) or [0.0], dtype=DT)
    e_index = {float(e): i for i, e in enumerate(elasticities)}
    sink_pe_index = np.array(
        [
            m * len(elasticities) + e_index[float(np.float32(e))]
            for m, e in zip(sink_material, raw_elasticity, strict=True)
        ],
        dtype=np.int64,
    )
    share = np.array([sp[nd.stage]["substitution_share"] for nd in sink_nodes])
    sub_rows = np.flatnonzero(share > 0).astype(np.int64)
    sub_share = share[sub_rows][:, None].astype(DT)
    sub_lag = np.array([[sp[sink_nodes[i].stage]["substitution_lag_days"]] for i in sub_rows], dtype=DT)
    sub_ramp = np.array(
        [[max(sp[sink_nodes[i].stage]["substitution_ramp_days"], 1.0)] for i in sub_rows], dtype=DT
    )

    imp_slots = np.array(
        [j for j, s in enumerate(slots) if net.nodes[s.node].kind == "import"], dtype=np.int64
    )
    imp_nodes = [net.nodes[slots[j].node] for j in imp_slots]

    def market(country: str, material: str) -> bool:
        return country not in exporters.get(material, set())

    imp_weight = np.zeros((len(imp_slots), len(materials)))
    for row, nd in enumerate(imp_nodes):
        if market(nd.country, nd.material):
            imp_weight[row, m_index[nd.material]] = nd.share
    sink_weight = np.zeros((len(sink_slots), len(materials)))
    for row, nd in enumerate(sink_nodes):
        if market(nd.country, nd.material):
            sink_weight[row, m_index[nd.material]] = nd.share
    has_market = imp_weight.sum(axis=0) > 0
    cover_ref = _normalise_columns(sink_weight).T @ sink_cover.astype(np.float64)
    markets = _markets(net, params, slots, m_index, domestic_use)

    series: list[SeriesKey] = []
    members: list[I64] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for material in materials:
        for dest in net.destinations:
            found = [
                (j, nd.share)
                for j, nd in enumerate(sink_nodes)
                if nd.material == material and nd.country == dest
            ]
            _add_series(series, members, rows, cols, vals, SeriesKey("destination", material, dest), found)
        for sector in dict.fromkeys(nd.stage for nd in sink_nodes if nd.material == material):
            found = [
                (j, nd.share)
                for j, nd in enumerate(sink_nodes)
                if nd.material == material and nd.stage == sector
            ]
            _add_series(series, members, rows, cols, vals, SeriesKey("sector", material, sector), found)
    sink_series_t = _matrix(rows, cols, vals, (len(series), len(sink_slots)))
    stage_nodes_list = [
        j
        for j, i in enumerate(flow_nodes)
        if net.nodes[i].kind == "producer" and market(net.nodes[i].country, net.nodes[i].material)
    ]
    position = {j: p for p, j in enumerate(stage_nodes_list)}
    rows, cols, vals = [], [], []
    stage_series: list[SeriesKey] = []
    for material in materials:
        for stage in net.stages[material]:
            found = [
                (position[j], net.nodes[flow_nodes[j]].share)
                for j in stage_nodes_list
                if net.nodes[flow_nodes[j]].material == material and net.nodes[flow_nodes[j]].stage == stage
            ]
            _add_series(stage_series, members, rows, cols, vals, SeriesKey("stage", material, stage), found)
    stage_series_t = _matrix(rows, cols, vals, (len(stage_series), len(stage_nodes_list)))
    report_days = np.unique(np.append(np.arange(0, horizon, max(report_every, 1)), horizon - 1))
    flows = _compile_flows(net, fnode, fslot, horizon)
    m_of = {m: i for i, m in enumerate(net.materials)}
    timing: dict[str, Any] = {
        "pair_review": np.array([[p.review] for p in net.pairs], dtype=DT).reshape(-1, 1),
        "pair_quota": np.array([np.inf if p.quota_ratio is None else p.quota_ratio
                                for p in net.pairs], dtype=np.float64),
        "pair_quota_material": np.array([m_of.get(p.material, 0) for p in net.pairs], dtype=np.int64),
        "ann_start": np.array([a.start_day for a in net.announcements], dtype=np.int64),
        "ann_end": np.array([a.end_day for a in net.announcements], dtype=np.int64),
        "ann_material": np.array([m_of[a.material] for a in net.announcements], dtype=np.int64),
        "ann_level": np.array([[a.level] for a in net.announcements], dtype=DT).reshape(-1, 1),
        "rush_ctrl": np.array([i for i, _, _ in net.rush], dtype=np.int64),
        "rush_start": np.array([b for _, b, _ in net.rush], dtype=np.int64),
        "rush_end": np.array([e for _, _, e in net.rush], dtype=np.int64),
        "front_loading": params.licensing.front_loading.value,
        "draw_fixed": _fixed_draws(net),
        "cap_node": np.array([fnode[i] for i, _, _, _ in net.caps], dtype=np.int64),
        "cap_share": np.array([[v] for _, _, _, v in net.caps], dtype=DT).reshape(-1, 1),
        "cap_start": np.array([b for _, b, _, _ in net.caps], dtype=np.int64),
        "cap_end": np.array([NEVER if e is None else e for _, _, e, _ in net.caps], dtype=np.int64),
    }

    return Compiled(
        horizon=horizon,
        report_days=report_days.astype(np.int64),
        n_nodes=n,
        n_slots=k,
        flows_t=flows_t,
        source_supply=source_supply,
        node_starts=node_starts,
        extra_slots=extra_slots,
        cover=cover,
        size=size,
        ctrl_src=ctrl_src,
        ctrl_weight=ctrl_weight,
        ctrl_pair=ctrl_pair,
        ctrl_t=ctrl_t,
        pair_draw=np.array([p.draw for p in net.pairs], dtype=np.int64),
        pair_start=np.array([p.start_day for p in net.pairs], dtype=np.int64),
        pair_end=np.array([NEVER if p.end_day is None else p.end_day for p in net.pairs], dtype=np.int64),
        draw_approval=draw_approval,
        draw_delay=draw_delay,
        draw_sigma=draw_sigma,
        concentration=params.licensing.approval_concentration.value,
        pool=pool,
        pool_slots=pool_slots,
        pool_group=pool_group,
        pool_from_slots=pool_from_slots,
        stock_slots=stock_slots,
        stock=stock.astype(DT),
        sink_src=sink_src,
        sink_cover=sink_cover,
        sink_material=sink_material,
        sink_pe_index=sink_pe_index,
        elasticities=elasticities,
        sub_rows=sub_rows,
        sub_share=sub_share,
        sub_lag=sub_lag,
        sub_ramp=sub_ramp,
        materials=list(materials),
        imp_slots=imp_slots,
        imp_weight_t=sparse.csr_matrix(_normalise_columns(imp_weight).T.astype(DT)),
        sink_weight_t=sparse.csr_matrix(_normalise_columns(sink_weight).T.astype(DT)),
        has_market=has_market,
        cover_ref=np.maximum(cover_ref, 1e-6).astype(DT),
        **markets,
        exporters={m: sorted(exporters[m]) for m in materials if m in exporters},
        flexibility=params.prices.flexibility.value,
        adjustment_days=params.prices.adjustment_days.value,
        price_cap=params.prices.cap.value,
        cover_exponent=params.prices.cover_exponent.value,
        cover_floor=params.prices.cover_floor.value,
        precaution=params.prices.precaution.value,
        stock_build_days=params.prices.stock_build_days.value,
        reference_days=params.prices.reference_days.value,
        domestic_absorption=params.prices.domestic_absorption.value,
        sink_series_t=sink_series_t,
        stage_nodes=np.array(stage_nodes_list, dtype=np.int64),
        stage_series_t=stage_series_t,
        members=members,
        series=series + stage_series,
        **flows,
        **timing,
    )


def _markets(net: Network, params: Parameters, slots: list[Slot], m_index: dict[str, int],
             domestic_use: dict[str, float] | None) -> dict[str, Any]:
    """What the markets need of the controls: held-back flow per (material, stage), home markets.

    A controlled edge's loss is in days of its receiving slot's input; times the slot's size it
    becomes a share of the stage's world flow, so losses to different buyers add up.
    """
    edges, nodes = net.edges, net.nodes
    exporters = net.exporters
    keys = sorted(
        {(m_index[nodes[edges[c.edge].src].material], nodes[edges[c.edge].src].stage) for c in net.controlled}
    )
    g_index = {k: i for i, k in enumerate(keys)}
    rows, cols, vals, dom_rows, dom_cols, dom_vals = [], [], [], [], [], []
    for col, c in enumerate(net.controlled):
        src = nodes[edges[c.edge].src]
        row = g_index[(m_index[src.material], src.stage)]
        size = net.slots[edges[c.edge].slot].size
        rows.append(row)
        cols.append(col)
        vals.append(size)
        if not net.pairs[c.pair].reexport:
            dom_rows.append(row)
            dom_cols.append(col)
            dom_vals.append(size)
    shape = (len(keys), len(net.controlled))
    outside = np.zeros((len(keys), 1))
    for s in slots:
        material, _, stage = (s.group or "").partition("/")
        key = (m_index.get(material, -1), stage)
        if key in g_index and nodes[s.node].country not in exporters.get(material, set()):
            outside[g_index[key], 0] += s.size
    group_material = np.array([m for m, _ in keys], dtype=np.int64)
    group_materials, group_starts = np.unique(group_material, return_index=True)
    shares = dict(params.consumption_shares.value if domestic_use is None else domestic_use)
    domestic = np.array(sorted(m_index[m] for m in exporters if m in m_index), dtype=np.int64)
    use = [
        max(sum(shares.get(x, 0.0) for x in exporters[net.materials[m]]), MIN_DOMESTIC_USE) for m in domestic
    ]
    return {
        "group_t": sparse.vstack([_matrix(rows, cols, vals, shape),
                                  _matrix(dom_rows, dom_cols, dom_vals, shape)], format="csr"),
        "ctrl_base": np.array([edges[c.edge].weight * c.factor for c in net.controlled], dtype=DT),
        "group_outside": np.maximum(outside, 1e-9).astype(DT),
        "group_material": group_material,
        "group_starts": group_starts.astype(np.int64),
        "group_materials": group_materials.astype(np.int64),
        "one_group_each": len(group_materials) == len(group_material),
        "domestic": domestic,
        "domestic_use": np.array(use, dtype=DT).reshape(-1, 1),
    }


def _by_material(c: Compiled, per_group: F, runs: int) -> F:
    """(materials, runs): the largest value over each material's controlled stages, 0 elsewhere."""
    out = np.zeros((len(c.materials), runs), dtype=DT)
    if c.one_group_each:
        out[c.group_materials] = per_group
    elif len(c.group_materials):
        out[c.group_materials] = np.maximum.reduceat(per_group, c.group_starts, axis=0)
    return out


def _fixed_draws(net: Network) -> npt.NDArray[np.bool_]:
    n_draws = max([p.draw for p in net.pairs], default=-1) + 1
    fixed = np.zeros(n_draws, dtype=bool)
    for p in net.pairs:
        fixed[p.draw] |= p.fixed
    return fixed


def _compile_flows(net: Network, fnode: dict[int, int], fslot: dict[int, int],
                   horizon: int) -> dict[str, Any]:
    """The arrays behind the trade-flow outputs (sim/flows.py chooses the edges)."""
    plan = plan_flows(net, lambda country: net.regions.get(country, country))
    edges = [int(e) for e in plan.edges]
    column = {e: j for j, e in enumerate(edges)}
    ctrl_rows = [column[c.edge] for c in net.controlled if c.edge in column]
    ctrl_cols = [i for i, c in enumerate(net.controlled) if c.edge in column]
    weight = np.array([[net.edges[e].weight] for e in edges], dtype=np.float64).reshape(-1, 1)
    return {
        "flow_keys": plan.keys,
        "flow_baseline": plan.baseline,
        "flow_src": np.array([fnode[net.edges[e].src] for e in edges], dtype=np.int64),
        "flow_inv_weight": (1.0 / np.maximum(weight, 1e-12)).astype(DT),
        "flow_ctrl_t": _matrix(ctrl_rows, ctrl_cols, [1.0] * len(ctrl_rows),
                               (len(edges), len(net.controlled))),
        "flow_series_t": sparse.csr_matrix(plan.edge_series.astype(DT)),
        "flow_days": np.unique(np.append(np.arange(0, horizon, 30), horizon - 1)).astype(np.int64),
    }


def _add_series(
    series: list[SeriesKey],
    members: list[I64],
    rows: list[int],
    cols: list[int],
    vals: list[float],
    key: SeriesKey,
    found: list[tuple[int, float]],
) -> None:
    total = sum(w for _, w in found)
    if not found or total <= 0:
        return
    row = len(series)
    series.append(key)
    members.append(np.array([i for i, _ in found], dtype=np.int64))
    for index, weight in found:
        rows.append(row)
        cols.append(index)
        vals.append(weight / total)


def draw_licences(c: Compiled, runs: int, rng: np.random.Generator) -> tuple[F, F]:
    """Per (restriction, destination) and run: approved share (Beta) and delay in days (lognormal)."""
    q = len(c.draw_approval)
    p = np.clip(c.draw_approval, 0.0, 1.0)[:, None]
    interior = (p > 0) & (p < 1)
    a = np.where(interior, c.concentration * p, 1.0)
    b = np.where(interior, c.concentration * (1 - p), 1.0)
    approval = np.where(interior, rng.beta(a, b, size=(q, runs)), p)
    if len(c.draw_fixed) == q and c.draw_fixed.any():
        approval = np.where(c.draw_fixed[:, None], p, approval)
    delay = c.draw_delay[:, None] * np.exp(c.draw_sigma[:, None] * rng.standard_normal((q, runs)))
    return approval.astype(DT), delay


def run_batch(c: Compiled, runs: int, seed: np.random.SeedSequence) -> BatchOutput:
    """Simulate `runs` runs day by day; deterministic for a seed.

    Arrays are (rows, runs): runs are the contiguous axis, so sparse products and row gathers
    work on whole rows, and no Python loop touches a run or a node.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    approval, delay = draw_licences(c, runs, rng)
    pair_approval = approval[c.pair_draw]
    pair_open = c.pair_start[:, None] + delay[c.pair_draw]
    n_first = len(c.series)
    n_sink_series = c.sink_series_t.shape[0]
    n_mat = len(c.materials)
    n_sinks = len(c.sink_src)
    points = len(c.report_days)
    paths = np.zeros((points, n_first, runs), dtype=np.float32)
    n_dom = len(c.domestic)
    prices = np.ones((points, n_mat + n_dom, runs), dtype=np.float32)
    peak = np.ones((n_mat + n_dom, runs), dtype=DT)
    trough = np.ones((n_mat + n_dom, runs), dtype=DT)

    output = np.ones((c.n_nodes, runs), dtype=DT)
    stock = np.repeat(c.cover, runs, axis=1)
    sink_stock = np.repeat(c.sink_cover, runs, axis=1)
    # ln of every market's index (world per material, then domestic markets) and its target
    log_price = np.zeros((n_mat + n_dom, runs), dtype=DT)
    log_target = np.zeros_like(log_price)
    price_all = np.ones_like(log_price)
    price = price_all[:n_mat]
    inv_tau = DT(1.0 / max(c.adjustment_days, 1.0))
    n_groups = c.group_t.shape[0] // 2
    cover = np.repeat(c.cover_ref, runs, axis=1)
    reference = np.ones((n_mat, runs), dtype=DT)
    uncertainty = np.zeros((n_mat, runs), dtype=DT)
    held_back = np.zeros((n_dom, runs), dtype=DT)
    sink_first = np.full((n_sinks, runs), NEVER, dtype=np.int32)
    node_first = np.full((len(c.stage_nodes), runs), NEVER, dtype=np.int32)
    cum_sink = np.zeros((n_sinks, runs), dtype=np.float64)
    cum_nodes = np.zeros((len(c.stage_nodes), runs), dtype=np.float64)
    sub_factor = np.ones((n_sinks, runs), dtype=DT)
    elasticities = c.elasticities[None, :, None]
    report = {int(d): i for i, d in enumerate(c.report_days)}
    flow_report = {int(d): i for i, d in enumerate(c.flow_days)} if len(c.flow_keys) else {}
    flows = np.ones((len(flow_report), len(c.flow_keys), runs), dtype=np.float32)
    loss: F = np.zeros((len(c.ctrl_src), runs), dtype=DT)
    quota_pairs = np.flatnonzero(np.isfinite(c.pair_quota))
    quota_ratio = c.pair_quota[quota_pairs][:, None].astype(DT)
    demand_now = np.ones((n_mat, runs), dtype=DT)
    has_rush = len(c.rush_ctrl) > 0
    rush_cap = c.cover * DT(1.0 + c.front_loading)
    active = np.zeros(len(c.pair_start), dtype=bool)
    has_controls = len(c.ctrl_src) > 0
    market_mask = c.has_market[:, None].astype(DT)
    substituting = False
    never = np.int32(NEVER)

    for t in range(c.horizon):
        supply = c.flows_t @ output
        supply += c.source_supply
        if has_controls:
            np.logical_and(c.pair_start <= t, t < c.pair_end, out=active)
            if active.any():
                licence = np.where(t < pair_open, c.pair_review, pair_approval)
                if len(quota_pairs):
                    # under a quota exporters ship what buyers ask for, up to the quota
                    asked = demand_now[c.pair_quota_material[quota_pairs]]
                    licence[quota_pairs] = np.minimum(licence[quota_pairs],
                                                      np.minimum(quota_ratio, asked))
                licence[~active] = 1.0
                loss = (1.0 - licence[c.ctrl_pair]) * c.ctrl_weight * output[c.ctrl_src]
                supply -= c.ctrl_t @ loss
                # unlicensed share of the flow outside buyers normally get, per material (max
                # over its controlled stages), and the direct exports held back at home
                by_group = c.group_t @ loss
                unlicensed = by_group[:n_groups] / c.group_outside
                uncertainty = _by_material(c, np.minimum(unlicensed, 1.0), runs)
                if n_dom:
                    held_back = _by_material(c, by_group[n_groups:], runs)[c.domestic]
            else:
                uncertainty[:] = 0.0
                held_back[:] = 0.0
                loss[:] = 0.0
        rushing = False
        if has_rush:
            on = (c.rush_start <= t) & (t < c.rush_end)
            if on.any():
                # announced, not yet in force: controlled shipments rush out, buyers stock up
                rows = c.rush_ctrl[on]
                extra = np.zeros((len(c.ctrl_src), runs), dtype=DT)
                extra[rows] = c.front_loading * c.ctrl_weight[rows] * output[c.ctrl_src[rows]]
                supply += c.ctrl_t @ extra
                loss = loss - extra
                rushing = True
        if len(c.ann_start):
            on_ann = (c.ann_start <= t) & (t < c.ann_end)
            if on_ann.any():
                news = np.zeros_like(uncertainty)
                np.maximum.at(news, c.ann_material[on_ann], np.broadcast_to(
                    c.ann_level[on_ann], (int(on_ann.sum()), runs)))
                uncertainty = np.maximum(uncertainty, news)
        if len(c.pool_slots) and c.pool[t].any():
            gap = np.maximum(1.0 - supply[c.pool_slots], 0.0)
            need = c.pool_from_slots @ (gap * c.size[c.pool_slots, None])
            fill = np.minimum(1.0, c.pool[t][:, None] / np.maximum(need, 1e-12))
            supply[c.pool_slots] += gap * fill[c.pool_group]
        if len(c.stock_slots):
            supply[c.stock_slots] += c.stock[t][:, None]
        np.maximum(supply, 0.0, out=supply)

        available = supply + stock
        used = np.minimum(available, 1.0)
        np.subtract(available, used, out=stock)
        np.minimum(stock, rush_cap if rushing else c.cover, out=stock)
        output = used[c.node_starts]
        for rank, nodes in c.extra_slots:
            output[nodes] = np.minimum(output[nodes], used[c.node_starts[nodes] + rank])
        if len(c.cap_node):
            capped = (c.cap_start <= t) & (t < c.cap_end)
            if capped.any():
                rows = c.cap_node[capped]
                output[rows] = np.minimum(output[rows], c.cap_share[capped])

        # users: demand responds to price, part switches away after a lag
        response = np.power(price[:, None, :], elasticities).reshape(-1, runs)
        sink_demand = response[c.sink_pe_index]
        if substituting and len(c.sub_rows):
            sub_factor[c.sub_rows] = 1.0 - substitution(
                t, sink_first[c.sub_rows], c.sub_share, c.sub_lag, c.sub_ramp
            )
            sink_demand *= sub_factor
        sink_available = output[c.sink_src] + sink_stock
        used_sink = np.minimum(sink_available, sink_demand)
        np.subtract(sink_available, used_sink, out=sink_stock)
        np.minimum(sink_stock, c.sink_cover, out=sink_stock)
        short = sink_demand - used_sink
        cum_sink += short
        is_short = short > SHORTFALL_EPS
        if is_short.any():
            np.minimum(sink_first, np.where(is_short, np.int32(t), never), out=sink_first)
            substituting = True
        short_nodes = 1.0 - output[c.stage_nodes]
        cum_nodes += short_nodes
        np.minimum(node_first, np.where(short_nodes > SHORTFALL_EPS, np.int32(t), never), out=node_first)

        # world market: flow gap, buyers' cover and their bid for stock (sim/prices.py)
        market_supply = c.imp_weight_t @ supply[c.imp_slots]
        market_demand = c.sink_weight_t @ sink_demand
        demand_now = market_demand
        cover = market_cover(c.sink_weight_t @ sink_stock, cover, c.cover_ref, market_supply,
                             market_demand, c.stock_build_days)
        build = stock_demand(cover, c.cover_ref, uncertainty, c.precaution, c.stock_build_days)
        log_target[:n_mat] = log_world_target(
            market_demand, build, reference, market_supply, cover, c.cover_ref,
            flexibility=c.flexibility, cover_exponent=c.cover_exponent, cover_floor=c.cover_floor,
            cap=c.price_cap,
        )
        log_target[:n_mat] *= market_mask  # no world market: the index stays at 1
        reference = follow(reference, market_demand, c.reference_days)
        # domestic market: held-back exports stay at home
        if n_dom:
            log_target[n_mat:] = log_domestic_target(held_back, c.domestic_use, c.domestic_absorption,
                                                     c.flexibility, c.price_cap)
        # every index moves 1/tau of the way to its target, in logs: P <- P (P*/P)^(1/tau)
        log_price += (log_target - log_price) * inv_tau
        np.exp(log_price, out=price_all)
        np.maximum(peak, price_all, out=peak)
        np.minimum(trough, price_all, out=trough)
        month = flow_report.get(t)
        if month is not None:
            # each cross-border edge's flow relative to its baseline: the shipper's output
            # less the licence loss on that edge, added up into exporter -> destination flows
            shipped = output[c.flow_src] - (c.flow_ctrl_t @ loss) * c.flow_inv_weight
            flows[month] = c.flow_series_t @ np.maximum(shipped, 0.0)
        point = report.get(t)
        if point is not None:
            paths[point, :n_sink_series] = c.sink_series_t @ short
            paths[point, n_sink_series:] = c.stage_series_t @ short_nodes
            prices[point] = price_all

    lost = np.concatenate([c.sink_series_t @ cum_sink, c.stage_series_t @ cum_nodes], axis=0)
    first = np.empty((n_first, runs), dtype=np.int32)
    for row, rows in enumerate(c.members):
        source = sink_first if row < n_sink_series else node_first
        first[row] = source[rows].min(axis=0)
    return BatchOutput(
        paths=np.ascontiguousarray(paths.transpose(2, 0, 1)),
        prices=np.ascontiguousarray(prices.transpose(2, 0, 1)),
        first_short=np.ascontiguousarray(first.T),
        lost=np.ascontiguousarray(lost.T),
        peak_price=np.ascontiguousarray(peak.T, dtype=np.float64),
        trough_price=np.ascontiguousarray(trough.T, dtype=np.float64),
        flows=np.ascontiguousarray(flows.transpose(2, 0, 1)),
    )
