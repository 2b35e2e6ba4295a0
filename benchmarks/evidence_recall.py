"""Evidence search: recall@10 and precision@10 on a judged query set.

Run: python benchmarks/evidence_recall.py [--queries tests/fixtures/evidence_queries.yaml]
                                         [--show-held-out] [--verbose]

The documents of ../shared/corpus, examples/documents and tests/fixtures/evidence_search are
ingested into a temporary store; each judged query (tests/fixtures/evidence_queries.yaml) is run
with `critmin.evidence.search` (limit 10) and its hits compared with the documents judged relevant.

- recall@10: relevant documents among the first 10 hits / min(10, relevant documents), so a query
  with more than ten relevant documents can still reach 1.0;
- precision@10: relevant documents among the first 10 hits / hits returned (at most 10); a query
  that returns nothing scores 0 on both.

Both are averaged over queries, separately for tuning queries and for held-out ones (`held_out:
true`). Per-query lines are printed for tuning queries only (--verbose); the held-out queries'
hits are shown only with --show-held-out, so they can be kept out of tuning.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from critmin.evidence.ingest import expand_paths, ingest_paths
from critmin.evidence.link import linker_for
from critmin.evidence.searching import search
from critmin.evidence.store import connect
from critmin.kb import load_kb

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT.parent / "shared" / "corpus", ROOT / "examples" / "documents",
           ROOT / "tests" / "fixtures" / "evidence_search"]
QUERIES = ROOT / "tests" / "fixtures" / "evidence_queries.yaml"
K = 10


@dataclass
class Outcome:
    query: str
    held_out: bool
    relevant: set[str]
    found: list[str]

    @property
    def recall(self) -> float:
        hits = len(self.relevant & set(self.found[:K]))
        return hits / min(K, len(self.relevant))

    @property
    def precision(self) -> float:
        shown = self.found[:K]
        return len(self.relevant & set(shown)) / len(shown) if shown else 0.0


def run(queries_path: Path) -> list[Outcome]:
    judged = yaml.safe_load(queries_path.read_text("utf-8"))
    by_title = {title: key for key, title in judged["documents"].items()}
    kb = load_kb()
    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "recall.db")
        report = ingest_paths(conn, linker_for(kb), expand_paths([f for f in FOLDERS if f.is_dir()]))
        if report.failed:
            raise SystemExit("\n".join(report.failed))
        stored = {row[0] for row in conn.execute("SELECT title FROM documents")}
        missing = sorted(set(by_title) - stored)
        if missing:
            raise SystemExit(f"judged documents not in the store: {missing}")
        outcomes = []
        for item in judged["queries"]:
            hits = search(conn, kb, str(item["q"]), limit=K)
            outcomes.append(Outcome(str(item["q"]), bool(item.get("held_out", False)), set(item["relevant"]),
                                    [by_title.get(h.title, f"?{h.title}") for h in hits]))
        conn.close()
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--verbose", action="store_true", help="one line per tuning query")
    parser.add_argument("--show-held-out", action="store_true", help="one line per held-out query too")
    args = parser.parse_args()
    outcomes = run(args.queries)
    for label, held in (("tuning", False), ("held-out", True)):
        group = [o for o in outcomes if o.held_out is held]
        recall = sum(o.recall for o in group) / len(group)
        precision = sum(o.precision for o in group) / len(group)
        print(f"{label:9s} {len(group):3d} queries   recall@10 {recall:.3f}   precision@10 {precision:.3f}")
        if (args.verbose and not held) or (args.show_held_out and held):
            for o in group:
                missed = sorted(o.relevant - set(o.found[:K]))
                extra = [f for f in o.found[:K] if f not in o.relevant]
                print(f"  {o.query:24s} R {o.recall:.2f} P {o.precision:.2f}  missed {missed}  not judged "
                      f"relevant {extra}")


if __name__ == "__main__":
    main()
