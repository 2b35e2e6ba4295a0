"""The supply network a scenario runs on, built from the knowledge base.

Nodes are (country, stage, material) producers with their share of world output, one import node
per destination and material, and one sector node per destination, sector and material. Every
node consumes through input slots (one per input material), each with its own stock in days of
cover; edges carry baseline flows from producers to slots as weights that sum to 1 per slot.

Flows follow bundled trade figures where they exist (`imports.csv`, by importer and supplier).
Between stages, a country's plants use their own country's upstream output first and take the
rest from countries with output to spare, in proportion to that surplus (`stage_sourcing`);
importers otherwise take from each final-stage producer in proportion to its share of world
output. docs/methods.md gives the equations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase, Measure, ShareSeries, Stage
from critmin.kb.models import CapacityStatus
from critmin.kb.series import REST_OF_WORLD
from critmin.sim.parameters import Parameters
from critmin.sim.scenario import LicenceChange, Licensing, Restriction, Scenario

STAGE_ORDER = [Stage.MINING, Stage.REFINING, Stage.METAL, Stage.MAGNET]
IMPORT = "import"
NEW_STATUSES = {CapacityStatus.COMMISSIONING, CapacityStatus.UNDER_CONSTRUCTION, CapacityStatus.PLANNED}


@dataclass(frozen=True)
class Node:
    """A producer, an importer or a using sector."""

    country: str
    stage: str
    """A stage value for producers, 'import' for importers, a sector id for users."""
    material: str
    kind: str
    """producer, import or sector."""
    share: float
    """Producers: share of world output of the stage; others: share of world consumption."""


@dataclass(frozen=True)
class Slot:
    """One input buffer of a node: a material it consumes, from one upstream group."""

    node: int
    material: str
    group: str | None
    """'material/stage' of the producers feeding it; None for a source (mine) slot."""
    cover_days: float
    size: float
    """Share of the upstream group's world output it takes at baseline."""


@dataclass(frozen=True)
class Edge:
    src: int
    slot: int
    weight: float


@dataclass(frozen=True)
class ControlledEdge:
    """An edge whose flow needs a licence: from the exporter, or re-exported under its rule."""

    edge: int
    pair: int
    factor: float
    """coverage x share of the flow subject to the rule (1 for direct exports)."""


@dataclass(frozen=True)
class LicencePair:
    """One restriction's treatment of one destination country (direct or re-export)."""

    restriction: int
    destination: str
    draw: int
    """Index of the (restriction, destination) random draw shared by direct and re-export pairs."""
    start_day: int
    end_day: int | None
    approval: float
    delay_days: float
    delay_sigma: float
    reexport: bool
    quota_ratio: float | None = None
    """An export quota as a share of the baseline controlled exports (None: no quota)."""
    fixed: bool = False
    """The approved share is the same in every run (an export duty's effect), not a draw."""
    review: float = 0.0
    """Share of the flow that still leaves before the first decision."""
    material: str = ""
    """The material a quota is counted in."""


@dataclass(frozen=True)
class CapacityAdd:
    """New output joining an upstream group's free pool."""

    group: str
    country: str
    label: str
    share_of_world: float
    start_day: int
    ramp_days: float
    kind: str
    sources: list[str]


@dataclass(frozen=True)
class StockRelease:
    slot: int
    start_day: int
    days: int
    rate: float
    label: str


@dataclass(frozen=True)
class Announcement:
    """A restriction announced before it starts: buyers stock up, exporters rush shipments."""

    material: str
    start_day: int
    """Day of the announcement (may be before the scenario's first day)."""
    end_day: int
    """Day the restriction starts."""
    level: float
    """Share of the world's supply of the material that the restriction will hold back."""


@dataclass
class Network:
    """Everything the engine needs, in plain lists; `engine.compile_network` makes arrays of it."""

    materials: list[str]
    destinations: list[str]
    exporters: dict[str, set[str]]
    """Material -> countries restricting it (their own markets are left out of prices)."""
    stages: dict[str, list[str]]
    """Material -> modelled stages, upstream first."""
    nodes: list[Node] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    controlled: list[ControlledEdge] = field(default_factory=list)
    pairs: list[LicencePair] = field(default_factory=list)
    additions: list[CapacityAdd] = field(default_factory=list)
    stock_releases: list[StockRelease] = field(default_factory=list)
    sector_params: dict[str, dict[str, float]] = field(default_factory=dict)
    """Sector -> elasticity, substitution_share, substitution_lag_days, substitution_ramp_days."""
    world_output: dict[str, tuple[float, str]] = field(default_factory=dict)
    """'material/stage' -> (world output, unit) where known."""
    announcements: list[Announcement] = field(default_factory=list)
    caps: list[tuple[int, int, int | None, float]] = field(default_factory=list)
    """(producer node, first day, end day, share of normal output) of domestic quotas."""
    rush: list[tuple[int, int, int]] = field(default_factory=list)
    """(controlled edge index, first day, end day) of shipments rushed out before a start."""
    regions: dict[str, str] = field(default_factory=dict)
    """Country -> the scenario destination bloc it belongs to (EU members -> EU), for flows."""
    notes: list[str] = field(default_factory=list)
    """How the network was built: fallbacks, trade figures used, capacity counted or left out."""
    sources: list[str] = field(default_factory=list)
    """Every source id the network's figures came from."""

    def add_node(self, node: Node) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1

    def add_slot(self, slot: Slot) -> int:
        self.slots.append(slot)
        return len(self.slots) - 1

    def cite(self, ids: list[str]) -> None:
        for source_id in ids:
            if source_id not in self.sources:
                self.sources.append(source_id)


# ---------------------------------------------------------------------------------------------
# helpers


def _in(country: str, places: list[str] | None, kb: KnowledgeBase) -> bool:
    """Whether a country is among places (a bloc such as EU includes its members)."""
    if places is None:
        return True
    if country in places:
        return True
    for place in places:
        bloc = kb.countries.get(place)
        if bloc is not None and country in bloc.members:
            return True
    return False


def _same_country(a: str, b: str, kb: KnowledgeBase) -> bool:
    return a == b or _in(a, [b], kb) or _in(b, [a], kb)


def _series_by_stage(
    kb: KnowledgeBase, material: str, year: int | None, notes: list[str]
) -> dict[Stage, ShareSeries]:
    found = kb.shares(kb.materials[material], measure=Measure.PRODUCTION)
    by_stage: dict[Stage, list[ShareSeries]] = defaultdict(list)
    for series in found:
        if series.stage in STAGE_ORDER:
            by_stage[series.stage].append(series)
    chosen: dict[Stage, ShareSeries] = {}
    for stage, options in by_stage.items():
        exact = [s for s in options if year is not None and s.year == year]
        pick = exact[0] if exact else max(options, key=lambda s: s.year)
        if year is not None and not exact:
            notes.append(f"{material} {stage.value}: no {year} shares; {pick.year} used")
        if pick.aggregate_for:
            notes.append(f"{material} {stage.value}: {pick.material} (aggregate) shares stand in")
        chosen[stage] = pick
    return chosen


def _order_materials(materials: list[str], params: Parameters) -> list[str]:
    """Inputs before the materials that consume them."""
    ordered: list[str] = []

    def visit(m: str, stack: set[str]) -> None:
        if m in ordered or m in stack:
            return
        link = params.inputs.get(m)
        for dep in link.materials if link else []:
            if dep in materials:
                visit(dep, stack | {m})
        ordered.append(m)

    for m in materials:
        visit(m, set())
    return ordered


def _import_weights(
    kb: KnowledgeBase,
    destination: str,
    material: str,
    suppliers: dict[str, int],
    shares: dict[int, float],
    net: Network,
) -> dict[int, float]:
    """Supplier weights for an importer: bundled trade figures, else proportional allocation."""
    parent = kb.materials[material].parent
    rows = [r for r in kb.imports if r.importer == destination and r.material == material]
    if not rows and parent:
        rows = [r for r in kb.imports if r.importer == destination and r.material == parent]
    if rows:
        latest = max(r.period for r in rows)
        product = sorted({r.product for r in rows if r.period == latest})[0]
        rows = [r for r in rows if r.period == latest and r.product == product]
        weights: dict[int, float] = defaultdict(float)
        unmatched = 0.0
        for row in rows:
            node = suppliers.get(row.supplier)
            if node is None:
                node = suppliers.get(REST_OF_WORLD)
            if node is None:
                unmatched += row.share
            else:
                weights[node] += row.share
            net.cite(row.sources)
        total = sum(weights.values()) + unmatched
        if unmatched:
            for node, share in shares.items():
                weights[node] += unmatched * share
        net.notes.append(f"{destination} imports of {material}: trade figures ({product}, {latest})")
        return {n: w / total for n, w in weights.items() if w > 0}
    return dict(shares)


# ---------------------------------------------------------------------------------------------
# building


def build_network(kb: KnowledgeBase, scenario: Scenario, params: Parameters) -> Network:
    """The network of a resolved scenario (ids only; see scenario.resolve_names)."""
    materials = list(
        dict.fromkeys(scenario.materials or [m for r in scenario.restrictions for m in r.materials])
    )
    materials = _order_materials(materials, params)
    exporters: dict[str, set[str]] = defaultdict(set)
    for restriction in scenario.restrictions:
        for m in restriction.materials:
            exporters[m].add(restriction.exporter)
    net = Network(
        materials=materials, destinations=list(scenario.destinations), exporters=dict(exporters), stages={}
    )
    for dest in scenario.destinations:
        bloc = kb.countries.get(dest)
        for member in (bloc.members if bloc is not None else ()):
            net.regions.setdefault(member, dest)
    consumption = dict(params.consumption_shares.value)
    if scenario.consumption_shares:
        consumption.update(scenario.consumption_shares)
    for i, dest in enumerate(scenario.destinations):
        if dest not in consumption:
            raise CritminError(
                f"destinations[{i}]: {dest} has no consumption share; set consumption_shares.{dest}"
            )

    final_nodes: dict[str, dict[str, int]] = {}
    final_shares: dict[str, dict[int, float]] = {}
    for material in materials:
        series = _series_by_stage(kb, material, scenario.year, net.notes)
        if not series:
            year = f" for {scenario.year}" if scenario.year is not None else ""
            raise CritminError(
                f"{_material_field(scenario, material)}: no production shares for {material}{year} "
                "in the knowledge base; it cannot be simulated"
            )
        stages = [s for s in STAGE_ORDER if s in series]
        net.stages[material] = [s.value for s in stages]
        previous_by_country: dict[str, tuple[int, float]] = {}
        previous_group: str | None = None
        for position, stage in enumerate(stages):
            s = series[stage]
            net.cite(s.sources)
            group = f"{material}/{stage.value}"
            if s.world_total and s.unit:
                net.world_output[group] = (s.world_total, s.unit)
            elif group in params.world_output:
                value = params.world_output[group]
                net.world_output[group] = (value.value, value.unit)
                net.cite(value.sources)
            current: dict[int, float] = {}
            by_country: dict[str, int] = {}
            cover = _stage_cover(params, scenario, stage.value, material)
            shares_now = {row.country: row.share for row in s.rows if row.share > 0}
            for row in s.rows:
                if row.share <= 0:
                    continue
                node = net.add_node(Node(row.country, stage.value, material, "producer", row.share))
                current[node] = row.share
                by_country[row.country] = node
                days = cover(row.country)
                if position == 0:
                    inputs = [
                        m
                        for m in (params.inputs[material].materials if material in params.inputs else [])
                        if m in final_nodes
                    ]
                    if not inputs:
                        net.add_slot(Slot(node, material, None, 0.0, row.share))
                    for dep in inputs:
                        slot = net.add_slot(Slot(node, dep, _final_group(net, dep), days, row.share))
                        for src, w in final_shares[dep].items():
                            net.edges.append(Edge(src, slot, w))
                else:
                    slot = net.add_slot(Slot(node, material, previous_group, days, row.share))
                    for src, w in stage_sourcing(row.country, row.share, previous_by_country,
                                                 shares_now).items():
                        net.edges.append(Edge(src, slot, w))
            previous_group = group
            previous_by_country = {net.nodes[n].country: (n, w) for n, w in current.items()}
            final_nodes[material] = by_country
            final_shares[material] = current
        if material in params.inputs and any(m in materials for m in params.inputs[material].materials):
            net.notes.append(
                f"{material} first stage consumes "
                f"{', '.join(m for m in params.inputs[material].materials if m in materials)}"
            )

        # importers and sectors
        sectors = params.sectors_for(material)
        for dest in scenario.destinations:
            imp = net.add_node(Node(dest, IMPORT, material, "import", consumption[dest]))
            slot = net.add_slot(Slot(imp, material, _final_group(net, material), 0.0, consumption[dest]))
            weights = _import_weights(
                kb, dest, material, final_nodes[material], final_shares[material], net
            )
            for src, w in weights.items():
                net.edges.append(Edge(src, slot, w))
            for sector in sectors:
                node = net.add_node(
                    Node(dest, sector, material, "sector", consumption[dest] / len(sectors))
                )
                days = _sector_cover(params, scenario, sector, dest, material)
                sink = net.add_slot(Slot(node, material, None, days, consumption[dest] / len(sectors)))
                net.edges.append(Edge(imp, sink, 1.0))

    for sector in {n.stage for n in net.nodes if n.kind == "sector"}:
        if sector not in params.sectors:
            raise CritminError(f"sector {sector!r} has no parameters in parameters.yaml")
        p = params.sectors[sector]
        net.sector_params[sector] = {
            "elasticity": p.elasticity.value,
            "substitution_share": p.substitution_share.value,
            "substitution_lag_days": p.substitution_lag_days.value,
            "substitution_ramp_days": p.substitution_ramp_days.value,
        }
    for i, override in enumerate(scenario.mitigation.substitution):
        if override.sector not in net.sector_params:
            raise CritminError(
                f"mitigation.substitution[{i}].sector: {override.sector!r} is not in this network "
                f"(sectors: {', '.join(sorted(net.sector_params))})"
            )
        net.sector_params[override.sector].update(
            {
                "substitution_share": override.share,
                "substitution_lag_days": override.lag_days,
                "substitution_ramp_days": override.ramp_days,
            }
        )

    _controls(net, kb, scenario, params)
    _additions(net, kb, scenario, params)
    _stockpiles(net, scenario)
    return net


def stage_sourcing(country: str, need: float, upstream: dict[str, tuple[int, float]],
                   downstream: dict[str, float]) -> dict[int, float]:
    """Where one country's plants at a stage get their input from the stage before: weights
    (summing to 1) over upstream producer nodes.

    Plants use their own country's upstream output first (a refiner in a mining country refines
    its own ore); the rest comes from countries with more upstream output than their own plants
    use, in proportion to that surplus. So the whole of each country's output is used, once, and
    a ban on one country's ore reaches only the plants that actually import it: Malaysia's
    refinery draws on Australian ore, not on China's, which China's own refiners use up.
    Shares are of world output at each stage, so one unit of upstream share feeds one unit of
    downstream share.
    """
    own_node, own_share = upstream.get(country, (-1, 0.0))
    own = min(need, own_share)
    weights: dict[int, float] = {}
    if own > 0:
        weights[own_node] = own / need
    rest = need - own
    if rest <= 1e-12:
        return weights
    surplus = {node: max(0.0, share - downstream.get(c, 0.0))
               for c, (node, share) in upstream.items() if c != country}
    total = sum(surplus.values())
    if total <= 1e-12:  # nobody has output to spare: fall back to proportional allocation
        surplus = {node: share for c, (node, share) in upstream.items() if c != country}
        total = sum(surplus.values())
    for node, spare in surplus.items():
        if spare > 0:
            weights[node] = weights.get(node, 0.0) + rest / need * spare / total
    return weights


def _final_group(net: Network, material: str) -> str:
    return f"{material}/{net.stages[material][-1]}"


def _stage_cover(
    params: Parameters, scenario: Scenario, stage: str, material: str
) -> Callable[[str], float]:
    default = params.inventory_days.stage[stage].value if stage in params.inventory_days.stage else 0.0

    def cover(country: str) -> float:
        days = default
        for o in scenario.inventories:
            if (
                o.stage is not None
                and o.stage.value == stage
                and o.country in (None, country)
                and o.material in (None, material)
            ):
                days = o.days
        return days

    return cover


def _sector_cover(
    params: Parameters, scenario: Scenario, sector: str, country: str, material: str
) -> float:
    days = params.inventory_days.sector[sector].value if sector in params.inventory_days.sector else 30.0
    for o in scenario.inventories:
        if o.sector == sector and o.country in (None, country) and o.material in (None, material):
            days = o.days
    return days


def _licence(
    restriction: Restriction, dest: str, params: Parameters, kb: KnowledgeBase
) -> tuple[float, float, float, list[LicenceChange]]:
    lic = restriction.licensing
    for place, specific in restriction.by_destination.items():
        if _in(dest, [place], kb):
            lic = _merge(lic, specific)
    approval = lic.approval_probability
    delay = lic.delay_days
    sigma = lic.delay_sigma
    if restriction.quota is not None:  # the quota is the instrument: no licence lottery unless set
        approval = 1.0 if approval is None else approval
        delay = 0.0 if delay is None else delay
    if restriction.export_duty is not None:  # exports fall to (1 + d)^-e, the same in every run
        factor = (1.0 + restriction.export_duty) ** -params.licensing.duty_elasticity.value
        approval = factor if approval is None else approval * factor
        delay = 0.0 if delay is None else delay
        sigma = 0.0 if sigma is None else sigma
    return (
        params.licensing.approval_probability.value if approval is None else approval,
        params.licensing.delay_median_days.value if delay is None else delay,
        params.licensing.delay_sigma.value if sigma is None else sigma,
        list(lic.changes or []),
    )


def _review_share(restriction: Restriction, dest: str, params: Parameters,
                  kb: KnowledgeBase) -> float:
    """The share shipped while applications await a decision, per destination if set."""
    lic = restriction.licensing
    for place, specific in restriction.by_destination.items():
        if _in(dest, [place], kb):
            lic = _merge(lic, specific)
    if lic.during_review is not None:
        return lic.during_review
    return params.licensing.during_review.value


def _merge(base: Licensing, specific: Licensing) -> Licensing:
    """Fields set on the destination override the restriction's default."""
    return base.model_copy(update={k: getattr(specific, k) for k in type(specific).model_fields
                                   if getattr(specific, k) is not None})


def licence_windows(start_day: int, end_day: int | None, approval: float, delay: float,
                    changes: list[tuple[int, float, float]]) -> list[tuple[int, int | None, float, float]]:
    """(start, end, approval, delay) per period of unchanged terms, empty periods dropped.

    The first period runs from the restriction's start under its own terms; each change opens a
    period from its day (never before the start) until the next change or the restriction's end.
    """
    edges = [(start_day, approval, delay)] + [(max(day, start_day), a, d) for day, a, d in changes]
    out: list[tuple[int, int | None, float, float]] = []
    for i, (day, a, d) in enumerate(edges):
        nxt = edges[i + 1][0] if i + 1 < len(edges) else end_day
        if nxt is not None and end_day is not None:
            nxt = min(nxt, end_day)
        if nxt is not None and nxt <= day:
            continue
        out.append((day, nxt, a, d))
    return out


def _controls(net: Network, kb: KnowledgeBase, scenario: Scenario, params: Parameters) -> None:
    """Mark every edge a restriction reaches, directly or through its re-export rule."""
    by_slot_edges: dict[int, list[int]] = defaultdict(list)
    for e, edge in enumerate(net.edges):
        by_slot_edges[edge.slot].append(e)
    slots_of: dict[int, list[int]] = defaultdict(list)
    for k, slot in enumerate(net.slots):
        slots_of[slot.node].append(k)
    draws: dict[tuple[int, str, int], int] = {}
    pairs: dict[tuple[int, str, bool], list[int]] = {}

    def pair(r: int, dest: str, reexport: bool, start_day: int) -> list[int]:
        """The licence pairs (one per period of unchanged terms) of a restriction and destination."""
        key = (r, dest, reexport)
        if key not in pairs:
            restriction = scenario.restrictions[r]
            approval, delay, sigma, changes = _licence(restriction, dest, params, kb)
            end = restriction.end_date
            windows = licence_windows(
                start_day, None if end is None else scenario.day(end), approval, delay,
                [(scenario.day(c.from_), c.approval_probability, c.delay_days) for c in changes])
            made = []
            fixed = (restriction.export_duty is not None
                     and restriction.licensing.approval_probability is None)
            review = _review_share(restriction, dest, params, kb)
            for w, (w_start, w_end, w_approval, w_delay) in enumerate(windows):
                draw = draws.setdefault((r, dest, w), len(draws))
                net.pairs.append(LicencePair(r, dest, draw, w_start, w_end, w_approval, w_delay,
                                             sigma, reexport, fixed=fixed and w == 0,
                                             review=review))
                made.append(len(net.pairs) - 1)
            pairs[key] = made
        return pairs[key]

    for r, restriction in enumerate(scenario.restrictions):
        stages = {s.value for s in restriction.stages}
        start = scenario.day(restriction.start)
        controlled = set(restriction.materials)
        direct_ctrl: list[int] = []
        for e, edge in enumerate(net.edges):
            src = net.nodes[edge.src]
            dst = net.nodes[net.slots[edge.slot].node]
            if (
                src.country == restriction.exporter
                and src.material in controlled
                and src.kind == "producer"
                and src.stage in stages
                and not _same_country(dst.country, restriction.exporter, kb)
                and _in(dst.country, restriction.destinations, kb)
            ):
                first = len(net.controlled)
                net.controlled.extend(
                    ControlledEdge(e, p, restriction.coverage)
                    for p in pair(r, dst.country, False, start))
                direct_ctrl.extend(range(first, len(net.controlled)))
        _quota_and_announcement(net, scenario, r, direct_ctrl, pairs)
        _domestic_quota(net, scenario, r)
        if restriction.reexport is None:
            continue
        rule = restriction.reexport
        segregation = (
            params.extraterritorial.segregation.value if rule.segregation is None else rule.segregation
        )
        rule_start = scenario.day(rule.start) if rule.start else start
        # content of the exporter's controlled material in each node's output, in network order
        content = [0.0] * len(net.nodes)
        for i, node in enumerate(net.nodes):
            if node.kind != "producer" or node.country == restriction.exporter:
                continue
            best = 0.0
            for k in slots_of[i]:
                part = 0.0
                for e in by_slot_edges[k]:
                    edge = net.edges[e]
                    src = net.nodes[edge.src]
                    direct = (
                        src.country == restriction.exporter
                        and src.material in controlled
                        and src.kind == "producer"
                    )
                    part += edge.weight * (1.0 if direct else content[edge.src])
                best = max(best, part)
            content[i] = best
        rule_stages = {s.value for s in rule.stages}
        counted = 0
        for e, edge in enumerate(net.edges):
            src = net.nodes[edge.src]
            dst = net.nodes[net.slots[edge.slot].node]
            if (
                src.kind == "producer"
                and src.stage in rule_stages
                and content[edge.src] > 0
                and not _same_country(dst.country, src.country, kb)
                and not _same_country(dst.country, restriction.exporter, kb)
                and _in(dst.country, restriction.destinations, kb)
            ):
                x = content[edge.src]
                subject = (1 - segregation) * (1.0 if x >= rule.threshold else 0.0) + segregation * x
                if subject > 0:
                    net.controlled.extend(
                        ControlledEdge(e, p, restriction.coverage * subject)
                        for p in pair(r, dst.country, True, rule_start))
                    counted += 1
        net.notes.append(
            f"restriction {restriction.id or r}: re-export rule reaches {counted} flows "
            f"from third countries (threshold {rule.threshold:.1%})"
        )


def _quota_and_announcement(net: Network, scenario: Scenario, r: int, direct: list[int],
                            pairs: dict[tuple[int, str, bool], list[int]]) -> None:
    """A restriction's quota as a share of its baseline exports, and its announcement window.

    The baseline exports are the controlled edges' baseline volumes, a_e x size_j (shares of
    world output of the shipping stage), times that stage's world output: a quota needs the
    world output in the knowledge base (or parameters.yaml) to turn tonnes into a share.
    """
    restriction = scenario.restrictions[r]
    edges = [net.controlled[i].edge for i in dict.fromkeys(direct)]
    unique_edges = list(dict.fromkeys(edges))
    volume: dict[str, float] = defaultdict(float)
    by_stage: dict[tuple[str, str], float] = defaultdict(float)
    for e in unique_edges:
        edge = net.edges[e]
        src = net.nodes[edge.src]
        share = edge.weight * net.slots[edge.slot].size
        by_stage[(src.material, src.stage)] += share
        world = net.world_output.get(f"{src.material}/{src.stage}")
        volume[src.material] += share * (world[0] if world else float("nan"))
    label = restriction.id or f"restrictions[{r}]"
    if restriction.quota is not None:
        material = restriction.materials[0]
        tonnes = volume.get(material, 0.0)
        if tonnes != tonnes:  # NaN: a controlled stage without a world output
            raise CritminError(f"{label}: quota needs the world output of every controlled stage "
                               f"of {material}; the knowledge base has none for some of them")
        if tonnes <= 0:
            raise CritminError(f"{label}: quota on {material}, but the restriction controls no "
                               "exports in this network")
        ratio = restriction.quota.tonnes_per_year / tonnes
        for (pr, _dest, _reexport), made in pairs.items():
            if pr == r:
                for k in made:
                    net.pairs[k] = replace(net.pairs[k], quota_ratio=ratio, material=material)
        net.notes.append(f"{label}: quota {restriction.quota.tonnes_per_year:,.0f} a year is "
                         f"{ratio:.0%} of the baseline controlled exports ({tonnes:,.0f})")
    if restriction.announced is not None and restriction.announced < restriction.start:
        begin, end = scenario.day(restriction.announced), scenario.day(restriction.start)
        for material in dict.fromkeys(m for (m, _s) in by_stage):
            level = min(1.0, max(v for (m, _s), v in by_stage.items() if m == material))
            net.announcements.append(Announcement(material, begin, end, level))
        net.rush.extend((i, begin, end) for i in dict.fromkeys(direct))


def _domestic_quota(net: Network, scenario: Scenario, r: int) -> None:
    """The exporter's producers of the controlled materials at the capped stage, from start to end."""
    restriction = scenario.restrictions[r]
    cap = restriction.domestic_quota
    if cap is None:
        return
    stage = (cap.stage or restriction.stages[0]).value
    nodes = [i for i, n in enumerate(net.nodes) if n.kind == "producer"
             and n.country == restriction.exporter and n.material in restriction.materials
             and n.stage == stage]
    if not nodes:
        label = restriction.id or f"restrictions[{r}]"
        raise CritminError(f"{label}: domestic_quota: {restriction.exporter} has no {stage} output "
                           f"of {', '.join(restriction.materials)} in this network")
    end = restriction.end_date
    net.caps.extend((i, scenario.day(restriction.start), None if end is None else scenario.day(end),
                     cap.share_of_output) for i in nodes)


def _ramp_days(months: float | None, params: Parameters) -> float:
    return (params.capacity.ramp_months.value if months is None else months) * 365.25 / 12


def _additions(net: Network, kb: KnowledgeBase, scenario: Scenario, params: Parameters) -> None:
    """New capacity: the facilities registry (stated capacity and start year) and the scenario's own."""
    utilisation = params.capacity.utilisation.value
    if scenario.mitigation.facilities:
        for material in net.materials:
            for stage in net.stages[material]:
                group = f"{material}/{stage}"
                if group not in net.world_output:
                    continue
                world, unit = net.world_output[group]
                for f in kb.facilities:
                    if (
                        f.status not in NEW_STATUSES
                        or f.capacity is None
                        or stage not in f.stages
                        or material not in f.materials
                    ):
                        continue
                    if f.country in net.exporters.get(material, set()):
                        net.notes.append(f"{f.name}: not counted (in a restricting country)")
                        continue
                    if f.start_year is None:
                        net.notes.append(f"{f.name}: not counted (no start year)")
                        continue
                    if not _comparable(material, f.capacity.product, f.capacity.unit, unit):
                        net.notes.append(
                            f"{f.name}: not counted ({f.capacity.product} in {f.capacity.unit} "
                            f"is not comparable with world output in {unit})"
                        )
                        continue
                    start = max(dt.date(f.start_year, 1, 1), scenario.start - dt.timedelta(days=3650))
                    share = f.capacity.value * utilisation / world
                    net.additions.append(
                        CapacityAdd(
                            group,
                            f.country,
                            f.name,
                            share,
                            scenario.day(start),
                            _ramp_days(None, params),
                            "new",
                            list(f.sources),
                        )
                    )
                    net.cite(f.sources)
    for i, c in enumerate(scenario.mitigation.capacity):
        group = f"{c.material}/{c.stage.value}"
        if c.material not in net.stages or c.stage.value not in net.stages[c.material]:
            raise CritminError(
                f"mitigation.capacity[{i}]: {group} is not in this network "
                f"(stages of {c.material}: {', '.join(net.stages.get(c.material, [])) or 'none'})"
            )
        net.additions.append(
            CapacityAdd(
                group,
                c.country,
                f"{c.kind} capacity {c.country}",
                c.share_of_world,
                scenario.day(c.start),
                _ramp_days(c.ramp_months, params),
                c.kind,
                [],
            )
        )


def _material_field(scenario: Scenario, material: str) -> str:
    """The field a material came from, for messages: `materials[i]` or a restriction's."""
    if material in scenario.materials:
        return f"materials[{scenario.materials.index(material)}]"
    for i, r in enumerate(scenario.restrictions):
        if material in r.materials:
            return f"restrictions[{i}].materials[{r.materials.index(material)}]"
    return "materials"


def _comparable(material: str, product: str, capacity_unit: str, world_unit: str) -> bool:
    """Capacity counts only when stated in the unit of the world figure it is divided by."""
    text = product.lower()
    if not capacity_unit.startswith("t"):
        return False
    if material == "NdFeB":
        return "ndfeb" in text and "alloy" not in text
    if "REO" in world_unit:
        return "reo" in text or "oxide" in text
    return material.lower() in text


def _stockpiles(net: Network, scenario: Scenario) -> None:
    """Stockpile releases add to one importer's supply; state purchases take from it (and so
    from the market the world price is set in)."""
    plans = [("stockpiles", r, 1.0) for r in scenario.mitigation.stockpiles]
    plans += [("purchases", r, -1.0) for r in scenario.mitigation.purchases]
    counters: dict[str, int] = defaultdict(int)
    for field_name, release, sign in plans:
        i = counters[field_name]
        counters[field_name] += 1
        slot = next(
            (
                k
                for k, s in enumerate(net.slots)
                if net.nodes[s.node].kind == "import"
                and net.nodes[s.node].country == release.country
                and net.nodes[s.node].material == release.material
            ),
            None,
        )
        if slot is None:
            raise CritminError(
                f"mitigation.{field_name}[{i}]: {release.country} is not a destination for "
                f"{release.material} in this scenario"
            )
        what = "stockpile" if sign > 0 else "state purchase"
        net.stock_releases.append(
            StockRelease(
                slot,
                scenario.day(release.start),
                release.over_days,
                sign * release.days_of_demand / release.over_days,
                f"{release.country} {release.material} {what}",
            )
        )
        net.cite(release.sources)
