"""Knowledge-base load and chokepoint ranking: how long a cold CLI start spends on data.

Run: python benchmarks/kb.py [--repeat N]
Prints the time to read + validate + check the bundled data, to rank chokepoints, and, as a
baseline in the same run, the time to merely parse the same YAML/CSV files without validation.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from critmin.config import bundled_data_dir
from critmin.kb import KnowledgeBase
from critmin.kb.base import build, check_data
from critmin.risk import chokepoints


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples)


def parse_only(root: Path) -> None:
    """Baseline: the cost of parsing the files at all."""
    for path in root.rglob("*.yaml"):
        yaml.safe_load(path.read_text("utf-8"))
    for path in root.rglob("*.csv"):
        list(csv.reader(path.read_text("utf-8").splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = bundled_data_dir()

    def load() -> KnowledgeBase:
        raw, problems = check_data(root)
        assert not problems
        return build(raw)

    kb = load()
    baseline, _ = timed(lambda: parse_only(root), args.repeat)
    full, worst = timed(load, args.repeat)
    rank, _ = timed(lambda: chokepoints(kb), args.repeat)
    print(f"parse only (baseline)       median {baseline * 1000:8.1f} ms")
    print(f"load + validate + check     median {full * 1000:8.1f} ms  (max {worst * 1000:.1f} ms, "
          f"{full / baseline:.1f}x baseline)")
    print(f"chokepoints (all pairs)     median {rank * 1000:8.1f} ms")
    print(f"rows: {len(kb.share_rows)} shares, {len(kb.sources)} sources, "
          f"{len(kb.materials)} materials, {len(kb.facilities)} facilities")


if __name__ == "__main__":
    main()
