"""Knowledge-base load and chokepoint ranking: how long a cold CLI start spends on data.

Run: python benchmarks/kb.py [--repeat N] [--scales 1,5]
Prints the time to read + validate + check the bundled data, to rank chokepoints, and, as a
baseline in the same run, the time to merely parse the same YAML/CSV files without validation.
Each scale N > 1 repeats the work on a copy of the data whose share, price and import-reliance
rows are N times today's (each extra copy shifted back by 20*k years, so the rows stay distinct
and every series still sums to 1): the ratio to the parse-only baseline must stay under 2x as the
data grows, and the time should grow no faster than the rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import tempfile
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


def _shift_year(text: str, years: int) -> str:
    head, _, tail = text.partition("-")
    return str(int(head) - years) + ("-" + tail if tail else "")


def _scaled_csv(path: Path, copies: int, column: str) -> None:
    """Append `copies - 1` shifted copies of every row to a CSV file, in place."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for k in range(copies):
        for row in rows:
            writer.writerow({**row, column: _shift_year(row[column], 20 * k)})
    path.write_text(out.getvalue(), "utf-8")


def scaled_copy(root: Path, copies: int, into: Path) -> Path:
    """A copy of the data folder with N times the share, price and reliance rows."""
    target = into / f"data-x{copies}"
    shutil.copytree(root, target)
    for path in (target / "shares").glob("*.csv"):
        _scaled_csv(path, copies, "year")
    for path in (target / "prices").glob("*.csv"):
        _scaled_csv(path, copies, "date")
    _scaled_csv(target / "import_reliance.csv", copies, "year")
    notes = yaml.safe_load((target / "series.yaml").read_text("utf-8")) or []
    shifted = [{**n, "year": n["year"] - 20 * k} for k in range(copies) for n in notes]
    (target / "series.yaml").write_text(yaml.safe_dump(shifted, allow_unicode=True), "utf-8")
    return target


def measure(root: Path, repeat: int, label: str) -> None:
    def load() -> KnowledgeBase:
        raw, problems = check_data(root)
        assert not problems, problems[:3]
        return build(raw)

    kb = load()
    baseline, _ = timed(lambda: parse_only(root), repeat)
    full, worst = timed(load, repeat)
    rank, _ = timed(lambda: chokepoints(kb), repeat)
    rows = len(kb.share_rows) + len(kb.price_points) + len(kb.reliance)
    print(f"[{label}] rows: {len(kb.share_rows)} shares, {len(kb.price_points)} prices, "
          f"{len(kb.reliance)} import reliance, {len(kb.sources)} sources, "
          f"{len(kb.materials)} materials, {len(kb.facilities)} facilities")
    print(f"[{label}] parse only (baseline)    median {baseline * 1000:8.1f} ms")
    print(f"[{label}] load + validate + check  median {full * 1000:8.1f} ms  "
          f"(max {worst * 1000:.1f} ms, {full / baseline:.2f}x baseline, "
          f"{full / rows * 1e6:.0f} us per row)")
    print(f"[{label}] chokepoints (all pairs)  median {rank * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scales", default="1,5",
                        help="comma-separated multiples of today's rows (default 1,5)")
    args = parser.parse_args()
    root = bundled_data_dir()
    scales = [int(x) for x in args.scales.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for n in scales:
            data = root if n == 1 else scaled_copy(root, n, Path(tmp))
            measure(data, args.repeat, f"x{n}")


if __name__ == "__main__":
    main()
