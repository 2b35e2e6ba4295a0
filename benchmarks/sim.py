"""Disruption simulator: how fast the daily Monte Carlo engine is, against a discrete-event baseline.

Run: python benchmarks/sim.py [--quick] [--workers N]
Prints, in one run:
  1. the bundled headline network (april-2025-seven-rare-earths), 365 daily steps, 10,000 runs
     (target <= 10 s), in one process and in N worker processes;
  2. a synthetic network of 10,000 nodes and 50,000 edges, 365 steps, 1,000 runs (target
     <= 120 s and <= 4 GB peak; peak measured with tracemalloc and the process's max RSS);
  3. a SimPy model of a small network with one event per shipment, against the engine on the
     same network, reported as a ratio of time per run.
--quick shrinks every size by 10x (runs) so the script finishes in well under a minute.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from critmin.kb import load_kb
from critmin.sim import load_scenario
from critmin.sim.engine import compile_network, run_batch
from critmin.sim.executors import Plan, run_local
from critmin.sim.network import ControlledEdge, Edge, LicencePair, Network, Node, Slot, build_network
from critmin.sim.parameters import Parameters, load_parameters

HEADLINE = "april-2025-seven-rare-earths"
SECTOR = "industrial_motors"


def bundled(params: Parameters, runs: int, workers: int) -> None:
    kb = load_kb()
    scenario = load_scenario(HEADLINE, kb)
    net = build_network(kb, scenario, params)
    compiled = compile_network(net, params, 365)
    print(
        f"1. bundled network ({HEADLINE}): {len(net.nodes)} nodes, {len(net.slots)} slots, "
        f"{len(net.edges)} edges; 365 steps x {runs:,} runs (target <= 10 s)"
    )
    for w in sorted({1, workers}):
        start = time.perf_counter()
        run_local(compiled, Plan(runs=runs, seed=0), workers=w)
        elapsed = time.perf_counter() - start
        print(f"   {w} process(es): {elapsed:6.2f} s  ({runs * 365 / elapsed / 1e6:.2f} M run-days/s)")


def synthetic_network(n_nodes: int, n_edges: int, rng: np.random.Generator) -> Network:
    """Layers mining -> refining -> metal -> magnet -> importers -> users; 10% of producers restricted."""
    countries = [f"C{i:02d}" for i in range(20)]
    n_importers = n_nodes // 60
    n_users = n_importers * 4
    producers = n_nodes - n_users - n_importers
    layers = [
        ("mining", producers * 2 // 9),
        ("refining", producers * 3 // 9),
        ("metal", producers * 3 // 9),
    ]
    layers.append(("magnet", producers - sum(n for _, n in layers)))
    net = Network(
        materials=["X"], destinations=[], exporters={"X": {"C00"}}, stages={"X": [s for s, _ in layers]}
    )
    net.sector_params[SECTOR] = {
        "elasticity": -0.1,
        "substitution_share": 0.2,
        "substitution_lag_days": 60,
        "substitution_ramp_days": 90,
    }
    previous: list[int] = []
    fed_edges = n_edges - n_users - n_importers * 25
    fed_nodes = sum(n for _, n in layers[1:])
    per_node, extra = divmod(fed_edges, fed_nodes)
    fed = 0
    for stage, count in layers:
        current = []
        for _ in range(count):
            node = net.add_node(Node(str(rng.choice(countries)), stage, "X", "producer", 1.0 / count))
            current.append(node)
            if not previous:
                net.add_slot(Slot(node, "X", None, 0.0, 1.0 / count))
                continue
            slot = net.add_slot(Slot(node, "X", f"X/{stage}", 30.0, 1.0 / count))
            k = per_node + (1 if fed < extra else 0)
            fed += 1
            src = rng.choice(previous, size=k, replace=False)
            weights = rng.random(k)
            for s, w in zip(src, weights / weights.sum(), strict=True):
                net.edges.append(Edge(int(s), slot, float(w)))
        previous = current
    net.pairs.append(LicencePair(0, "ALL", 0, 30, None, 0.3, 45.0, 0.4, False))
    for _ in range(n_importers):
        country = str(rng.choice(countries[1:]))
        if country not in net.destinations:
            net.destinations.append(country)
        imp = net.add_node(Node(country, "import", "X", "import", 1.0 / n_importers))
        slot = net.add_slot(Slot(imp, "X", "X/magnet", 0.0, 1.0 / n_importers))
        src = rng.choice(previous, size=25, replace=False)
        for s in src:
            net.edges.append(Edge(int(s), slot, 1.0 / 25))
        for _ in range(n_users // n_importers):
            user = net.add_node(Node(country, SECTOR, "X", "sector", 1.0 / n_users))
            sink = net.add_slot(Slot(user, "X", None, 21.0, 1.0 / n_users))
            net.edges.append(Edge(imp, sink, 1.0))
    for e, edge in enumerate(net.edges):
        src, dst = net.nodes[edge.src], net.nodes[net.slots[edge.slot].node]
        if src.country == "C00" and dst.country != "C00" and src.kind == "producer":
            net.controlled.append(ControlledEdge(e, 0, 1.0))
    return net


def synthetic(params: Parameters, runs: int, n_nodes: int, n_edges: int) -> None:
    net = synthetic_network(n_nodes, n_edges, np.random.default_rng(0))
    print(
        f"2. synthetic network: {len(net.nodes):,} nodes, {len(net.edges):,} edges "
        f"({len(net.controlled):,} controlled); 365 steps x {runs:,} runs (target <= 120 s, <= 4 GB)"
    )
    tracemalloc.start()
    start = time.perf_counter()
    compiled = compile_network(net, params, 365)
    run_local(compiled, Plan(runs=runs, seed=0))
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"   {elapsed:6.2f} s; peak traced allocations {peak / 2**20:,.0f} MiB; process max RSS "
        f"{rss:,.0f} MiB"
    )


def simpy_baseline(params: Parameters, runs: int) -> None:
    """One event per shipment on the gallium network; the engine on the same network."""
    import simpy

    kb = load_kb()
    scenario = load_scenario("gallium-germanium-2023", kb)
    net = build_network(kb, scenario, params)
    horizon = 365
    out_edges: dict[int, list[Edge]] = {}
    for edge in net.edges:
        out_edges.setdefault(edge.src, []).append(edge)
    controlled = {c.edge for c in net.controlled}
    edge_index = {id(e): i for i, e in enumerate(net.edges)}

    def one_run(seed: int) -> float:
        rng = np.random.default_rng(seed)
        approval, delay = rng.beta(5, 5), 63 * np.exp(0.4 * rng.standard_normal())
        env = simpy.Environment()
        arrived = [0.0] * len(net.slots)
        stock = [s.cover_days for s in net.slots]
        output = [1.0] * len(net.nodes)
        lost = [0.0]
        slots_of: dict[int, list[int]] = {}
        for k, s in enumerate(net.slots):
            slots_of.setdefault(s.node, []).append(k)

        def ship(edge: Edge, amount: float):  # type: ignore[no-untyped-def]
            yield env.timeout(1)
            arrived[edge.slot] += amount

        def node(i: int):  # type: ignore[no-untyped-def]
            while True:
                yield env.timeout(1)
                used = 1.0
                for k in slots_of[i]:
                    supply = (
                        1.0
                        if net.slots[k].group is None and net.nodes[i].kind == "producer"
                        else arrived[k]
                    )
                    available = supply + stock[k]
                    take = min(1.0, available)
                    stock[k] = min(available - take, net.slots[k].cover_days)
                    arrived[k] = 0.0
                    used = min(used, take)
                output[i] = used
                if net.nodes[i].kind == "sector":
                    lost[0] += 1.0 - used
                for edge in out_edges.get(i, []):
                    factor = 1.0
                    if edge_index[id(edge)] in controlled and env.now >= 0:
                        factor = 0.0 if env.now < delay else approval
                    env.process(ship(edge, edge.weight * output[i] * factor))

        for i in range(len(net.nodes)):
            env.process(node(i))
        env.run(until=horizon)
        return lost[0]

    start = time.perf_counter()
    for seed in range(runs):
        one_run(seed)
    simpy_per_run = (time.perf_counter() - start) / runs
    compiled = compile_network(net, params, horizon)
    engine_runs = max(runs * 50, 500)
    start = time.perf_counter()
    run_batch(compiled, engine_runs, np.random.SeedSequence(0))
    engine_per_run = (time.perf_counter() - start) / engine_runs
    shipments = len(net.edges) * horizon
    print(
        f"3. SimPy baseline (gallium network: {len(net.nodes)} nodes, {len(net.edges)} edges, "
        f"{shipments:,} shipment events per run)"
    )
    print(
        f"   SimPy: {simpy_per_run * 1e3:8.2f} ms per run ({runs} runs); "
        f"engine: {engine_per_run * 1e3:8.3f} ms per run ({engine_runs} runs); "
        f"ratio SimPy / engine = {simpy_per_run / engine_per_run:,.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10x fewer runs everywhere")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the bundled case")
    args = parser.parse_args()
    params = load_parameters(load_kb())
    scale = 10 if args.quick else 1
    bundled(params, 10_000 // scale, args.workers)
    synthetic(params, 1_000 // scale, 10_000, 50_000)
    simpy_baseline(params, 20 // (2 if args.quick else 1))


if __name__ == "__main__":
    main()
