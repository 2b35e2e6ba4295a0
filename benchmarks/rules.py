"""Benchmark: 10,000 BOMs of 200 lines each checked against every bundled measure, and
counterparty screening (alone, and inside the check with 3 parties a shipment).

    python benchmarks/rules.py [--boms 10000] [--lines 200] [--seed 7] [--baseline-boms 1000]
                               [--entries 10000] [--names 10000] [--parties 3]

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

Screening: --entries synthetic listed entities (seeded; Latin names with legal suffixes, one in
ten a Chinese name with 有限公司) indexed once, then --names distinct names screened, one in five a
listed name written differently (suffix changed, case, a typo, pinyin for a Chinese name), the
rest unlisted. Target >= 10,000 names/s. Baseline: rapidfuzz's process.extract of each name
against every listed name (no index), on 200 names. Then the BOM check again with --parties
parties a shipment (in the BOM, drawn from --party-pool names, 5,000 by default, so repeated
names are served from the screener's cache as in a real batch), target <= 5 s for 10,000 BOMs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import os
import random
import time
from typing import Any

from rapidfuzz import fuzz, process

from critmin.kb import load_kb
from critmin.rules import RuleSet, engine, load_rules, make_shipment
from critmin.rules.bom import compile_bom
from critmin.rules.models import Bom, Form, LineItem, Measure, Party, PartyRole, Shipment
from critmin.rules.screening import PartyList, Screener, compact, normalise

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


#: Syllables of the made-up distinctive words: consonant, vowel, optional consonant (about 2,000).
SYLLABLES = [a + v + z for a in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")
             for z in ("", "n", "r", "l", "s", "x", "m", "t")]
WORDS = ["Technology", "Trading", "Materials", "Metals", "Electronics", "Industrial", "Aerospace", "Systems",
         "Precision", "Logistics", "Optics", "Energy", "International", "Holdings", "Research"]
SUFFIXES = ["Co., Ltd.", "Inc.", "LLC", "Ltd", "GmbH", "Corporation", "Limited", ""]
HANZI = "华中金泰达通新科航宇鑫盛隆兴恒瑞安德利昌源光电材料稀土镓锗钨锑"


def synthetic_name(rng: random.Random) -> str:
    if rng.random() < 0.1:
        core = "".join(rng.choice(HANZI) for _ in range(rng.randint(4, 6)))
        return core + rng.choice(["有限公司", "集团", ""])
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    generic = rng.sample(WORDS, rng.randint(1, 2))
    return " ".join(x for x in (word, *generic, rng.choice(SUFFIXES)) if x)


def variant(rng: random.Random, name: str) -> str:
    """A listed name as a user might type it: other suffix, other case, a typo, or pinyin."""
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        if rng.random() < 0.5:
            return normalise(name).title()
        return name.removesuffix("有限公司") + "股份有限公司"
    base = " ".join(w for w in name.split() if w.rstrip(".,") not in ("Co", "Ltd", "Inc", "LLC", "GmbH",
                                                                      "Corporation", "Limited"))
    choice = rng.random()
    if choice < 0.3:
        return base.upper() + " CO., LTD."
    if choice < 0.6:
        i = rng.randrange(1, len(base) - 1)
        return base[:i] + base[i + 1:]
    return base + " " + rng.choice(SUFFIXES)


def synthetic_list(rng: random.Random, entries: int) -> PartyList:
    entities = [{"names_en" if not any("\u4e00" <= c <= "\u9fff" for c in n) else "names_zh": [n],
                 "country": "CHN"} for n in (synthetic_name(rng) for _ in range(entries))]
    return PartyList.model_validate({
        "id": "BENCH-LIST", "title": "synthetic", "authority": "benchmark", "jurisdiction": "CHN",
        "outcome": "presumption-of-denial", "effect": "synthetic entries",
        "notices": [{"number": "synthetic", "date": "2020-01-01", "entities": entities}]})


def bench_screening(args: argparse.Namespace, day: dt.date) -> Screener:
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    screener = Screener([synthetic_list(rng, args.entries)])
    indexed = time.perf_counter() - t0
    listed = [lst.entity.shown for lst in screener.listings]
    queries = list(dict.fromkeys(variant(rng, rng.choice(listed)) if rng.random() < 0.2
                                 else synthetic_name(rng) for _ in range(args.names)))
    t0 = time.perf_counter()
    found = sum(1 for q in queries if screener.screen(q, day))
    elapsed = time.perf_counter() - t0
    rate = len(queries) / elapsed
    verdict = "meets" if rate >= 10_000 else "misses"
    sample = queries[:200]
    keys = [compact(normalise(n)) for n in listed]
    t0 = time.perf_counter()
    for q in sample:
        process.extract(compact(normalise(q)), keys, scorer=fuzz.ratio, limit=5, score_cutoff=60)
    naive = len(sample) / (time.perf_counter() - t0)
    print(f"screening: {len(queries):,} distinct names against {screener.size:,} entries (indexed in "
          f"{indexed:.2f} s) in {elapsed:.2f} s = {rate:,.0f} names/s ({verdict} the >= 10,000 names/s "
          "target); "
          f"{found:,} with a match; baseline (process.extract against every entry, no index, "
          f"{len(sample)} names): {naive:,.0f} names/s, the index is {rate / naive:.0f}x faster")
    return screener


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boms", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-boms", type=int, default=1_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--parties", type=int, default=3)
    parser.add_argument("--party-pool", type=int, default=5_000,
                        help="distinct party names the shipments draw from (30000 = no repeats)")
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
    screener = bench_screening(args, day)
    prng = random.Random(args.seed + 1)
    roles = [PartyRole.CONSIGNEE, PartyRole.END_USER, PartyRole.INTERMEDIARY]
    listed = [item.entity.shown for item in screener.listings]
    pool = [Party(name=variant(prng, prng.choice(listed)) if prng.random() < 0.02 else synthetic_name(prng),
                  role=roles[n % 3]) for n in range(args.party_pool)]
    with_parties = [dataclasses.replace(bom, parties=tuple(prng.sample(pool, args.parties))) for bom in plain]
    party_rules = RuleSet(rules.measures, screener=screener)
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    outcomes = {}
    for bom in with_parties:
        decision = engine.check(bom, shipment, party_rules, kb)
        outcomes[decision.outcome.value] = outcomes.get(decision.outcome.value, 0) + 1
    screened, cpu_screened = time.perf_counter() - t0, time.process_time() - c0
    verdict = "meets" if screened <= 5.0 else "misses"
    print(f"check with {args.parties} parties a shipment (from {args.party_pool:,} names) screened against "
          f"{screener.size:,} entries: "
          f"{args.boms:,} BOMs in {screened:.2f} s = {args.boms / screened:,.0f} BOMs/s ({verdict} the "
          "<= 5 s "
          f"target; CPU {cpu_screened:.2f} s; load average {load:.1f}); without parties {elapsed:.2f} s; "
          f"outcomes: {dict(sorted(outcomes.items()))}")

    print(f"edge, once per file before the check (not in the figure above): pydantic validation "
          f"{edge * 1000:.2f} ms + compiling to plain data {per_compile * 1000:.2f} ms per "
          f"{args.lines}-line BOM; end to end {args.boms:,} BOMs would take about "
          f"{elapsed + args.boms * (edge + per_compile):.1f} s")


if __name__ == "__main__":
    main()
