"""Benchmark: 10,000 BOMs of 200 lines each checked against every bundled measure.

    python benchmarks/rules.py [--boms 10000] [--lines 200] [--seed 7] [--baseline-boms 1000]

BOMs are synthetic and deterministic (seeded). Lines are drawn from a pool of 20,000 validated
line items, so generation stays cheap (the engine keeps nothing per line between BOMs). The
generated set is frozen out of the garbage collector (gc.freeze), since a batch run never holds
2 million lines at once. The date is 2026-12-01, when all bundled measures are in force.
Wall time depends on what else the machine runs: the script prints the load average and the
process CPU time beside it. Target: <= 5 s for 10,000 BOMs, timed from BOMs validated and compiled at the edge
(critmin.rules.bom.compile_bom: currencies converted, materials valued and indexed) to
Decisions with traces; the edge cost is printed separately, per BOM.

Two figures measured in the same run put it in context:
- baseline: a naive matcher (for every measure, every line, every material, every item: compare
  material and form and sum values) on --baseline-boms BOMs, which builds no decision at all;
- edge: validating BOMs from plain dicts with pydantic (done once per file at the edge, not in
  the engine), per BOM.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import time
from typing import Any

from critmin.kb import load_kb
from critmin.rules import RuleSet, engine, load_rules, make_shipment
from critmin.rules.bom import compile_bom
from critmin.rules.models import Bom, Form, LineItem, Measure, Shipment

COUNTRIES = ["CHN", "CHN", "CHN", "JPN", "DEU", "USA", "KOR", "VNM", "MYS", "AUS"]
MATERIALS = ["Nd", "Pr", "Dy", "Tb", "Sm", "Y", "Ga", "Ge", "W", "Co", "Ni", "Li", "Sn", "Ta", "graphite",
             "NdFeB"]
FORMS = [Form.COMPONENT, Form.DEVICE, Form.MAGNET, Form.METAL, Form.OXIDE, Form.ALLOY, Form.COMPOUND]
HS = ["850511", "854231", "732690", "850760", "7408", None, None, None]


def line_pool(rng: random.Random, size: int) -> list[LineItem]:
    pool = []
    for number in range(size):
        materials = []
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            origin = rng.choice(COUNTRIES)
            materials.append({"material": rng.choice(MATERIALS), "form": rng.choice(FORMS).value,
                              "value_share": round(rng.uniform(0.0001, 0.02), 6), "origin": origin,
                              "processed_in": origin if rng.random() < 0.8 else rng.choice(COUNTRIES)})
        made_in = rng.choice(COUNTRIES)
        pool.append(LineItem.model_validate({
            "part": f"part {number}", "quantity": rng.choice((1, 1, 2, 4)),
            "unit_value": round(rng.uniform(0.5, 40.0), 2), "made_in": made_in,
            "us_controlled": (rng.random() < 0.3) if made_in == "USA" else None,
            "technology_origin": rng.choice(COUNTRIES), "hs_code": rng.choice(HS), "materials": materials}))
    return pool


def make_boms(rng: random.Random, pool: list[LineItem], count: int, lines: int) -> list[Bom]:
    boms = []
    for number in range(count):
        chosen = rng.sample(pool, lines)
        value = sum(line.quantity * line.unit_value for line in chosen) * 1.3
        boms.append(Bom.model_construct(
            product=f"product {number}", form=None, made_in=rng.choice(["DEU", "JPN", "USA", "KOR", "VNM"]),
            hs_code=None, currency="USD", total_value=value, rates={}, semiconductor=None, lines=chosen))
    return boms


def naive(measures: tuple[Measure, ...], boms: list[Bom]) -> int:
    """For every measure, line, material and item: compare. The obvious loop, no decision built."""
    hits = 0
    for bom in boms:
        for measure in measures:
            content = 0.0
            for line in bom.lines:
                for use in line.materials:
                    for item in measure.items:
                        if item.material == use.material and (item.forms is None or use.form in item.forms):
                            content += line.quantity * line.unit_value * (use.value_share or 0.0)
            hits += content > 0
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boms", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-boms", type=int, default=1_000)
    args = parser.parse_args()

    kb = load_kb()
    rules: RuleSet = load_rules()
    day = dt.date(2026, 12, 1)
    shipment: Shipment = make_shipment(kb, to="USA", on=day, end_use="industrial equipment", end_user="civil")
    in_force = len(rules.day(day).active)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    pool = line_pool(rng, 20_000)
    boms = make_boms(rng, pool, args.boms, args.lines)
    generated = time.perf_counter() - t0
    # The 2 million pre-built lines sit in memory only because the benchmark builds them up front
    # (a batch run reads one BOM at a time); keep the collector from re-traversing them.
    t0 = time.perf_counter()
    plain = [compile_bom(bom) for bom in boms]
    compiled = time.perf_counter() - t0
    gc.collect()
    gc.freeze()
    print(f"generated {args.boms:,} BOMs x {args.lines} lines (seed {args.seed}) in {generated:.1f} s; "
          f"{in_force} of {len(rules.measures)} measures in force on {day}")

    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    outcomes: dict[str, int] = {}
    for bom in plain:
        decision = engine.check(bom, shipment, rules, kb)
        outcomes[decision.outcome.value] = outcomes.get(decision.outcome.value, 0) + 1
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    verdict = "meets" if elapsed <= 5.0 else "misses"
    print(f"check: {args.boms:,} BOMs in {elapsed:.2f} s = {args.boms / elapsed:,.0f} BOMs/s "
          f"({verdict} the <= 5 s target; CPU {cpu:.2f} s; load average {load:.1f} on "
          f"{os.cpu_count()} CPUs); "
          f"outcomes: {dict(sorted(outcomes.items()))}")

    subset = boms[: args.baseline_boms]
    t0 = time.perf_counter()
    naive(rules.measures, subset)
    naive_elapsed = time.perf_counter() - t0
    naive_rate = len(subset) / naive_elapsed
    speedup = args.boms / elapsed / naive_rate
    print(f"baseline (naive measure x line x material x item loop, matching only, {len(subset):,} BOMs): "
          f"{naive_elapsed:.2f} s = {naive_rate:,.0f} BOMs/s; the engine is {speedup:.1f}x faster while "
          "also building decisions with traces")

    raw: list[dict[str, Any]] = [bom.model_dump(mode="json") for bom in boms[:100]]
    t0 = time.perf_counter()
    for data in raw:
        Bom.model_validate(data)
    edge = (time.perf_counter() - t0) / len(raw)
    per_compile = compiled / len(boms)
    print(f"edge, once per file before the check (not in the figure above): pydantic validation "
          f"{edge * 1000:.2f} ms + compiling to plain data {per_compile * 1000:.2f} ms per "
          f"{args.lines}-line BOM; end to end {args.boms:,} BOMs would take about "
          f"{elapsed + args.boms * (edge + per_compile):.1f} s")


if __name__ == "__main__":
    main()
