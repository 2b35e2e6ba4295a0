"""Evidence store: ingest throughput and search latency, against a bare FTS5 table.

Run: python benchmarks/evidence.py [--docs 100000] [--queries 200] [--compare-tokenizers]

A generator builds a synthetic bilingual corpus (about 2 KB a document) from the sample
corpus' own sentences and titles, shuffled and recombined with a fixed seed. The same documents
go into (a) critmin's store with parsing skipped but linking, figure extraction, MinHash,
near-duplicate checks, FTS and a savepoint a document (worker processes prepare, one writes),
and (b) a bare FTS5 table (unicode61 over the raw text, one batch transaction) as the baseline.
Then the same queries (one- and two-character Chinese terms, English words, mixed) run three
ways: critmin's search (expansion, filters, BM25, snippets); the bare table; and a bare FTS5
query of the user's words alone on critmin's own index (no expansion, no join, no snippets),
which is the like-for-like baseline: unicode61 on raw text keeps a Chinese run as one token, so
it is fast on Chinese queries because it finds almost nothing (the match counts are printed).

A single long paragraph (250 KB and 1 MB of the same sentences, no paragraph breaks) is prepared
beside the same text split into ~2 KB paragraphs: linking figures to the entities nearest them
was quadratic in a paragraph's length, so the two columns show whether one long paragraph still
costs what ordinary text of the same size costs, and whether 4x the text takes ~4x the time.

--compare-tokenizers also measures, on the sample corpus, recall (against plain substring
matching) and index size for FTS5's trigram tokenizer, jieba segmentation (if installed) and
critmin's bigram/character streams: the measurement behind the choice in docs/evidence.md.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from critmin.evidence.ingest import default_workers, ingest_documents
from critmin.evidence.link import linker_for
from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.parse import parse_text
from critmin.evidence.searching import search, term_only_query
from critmin.evidence.store import connect
from critmin.kb import load_kb

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
QUERIES = ["镓", "稀土", "钨", "出口管制", "台积电", "rare earth", "gallium", "export controls",
           "tungsten Kazakhstan", "稀土 price", "lithium", "semiconductor", "镝", "magnet", "美国"]


def sample_documents() -> list[ParsedDocument]:
    docs: list[ParsedDocument] = []
    for path in sorted(CORPUS.glob("*.txt")):
        docs += parse_text(path.read_text("utf-8"), path.name)
    return docs


def synthetic(n: int, seed: int = 7) -> list[ParsedDocument]:
    """n documents of ~2 KB recombined from the sample corpus' sentences, deterministic."""
    rng = random.Random(seed)
    samples = sample_documents()
    sentences = [s.strip() for d in samples for s in d.body.replace(" - ", ". ").split(". ") if len(s) > 30]
    titles = [d.title for d in samples]
    publishers = ["Sou Hu Cai Jing", "Jin Tou Wang", "Cai Lian She", "Minerals Wire"]
    start = datetime(2023, 1, 1)
    out = []
    for i in range(n):
        body_parts: list[str] = []
        while sum(len(p) for p in body_parts) < 1900:
            body_parts.append(rng.choice(sentences))
        paragraphs = [". ".join(body_parts[j:j + 3]) + "." for j in range(0, len(body_parts), 3)]
        title = f"{rng.choice(titles)} #{i}"
        out.append(ParsedDocument(
            title=title, publisher=rng.choice(publishers),
            published=start + timedelta(minutes=37 * i), language="mixed",
            body="\n".join(paragraphs), paragraphs=[ParsedParagraph(text=p) for p in paragraphs],
            format="text"))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_critmin(
    docs: list[ParsedDocument], folder: Path, queries: list[str], workers: int | None
) -> tuple[float, list[float], list[float], dict[str, int]]:
    kb = load_kb()
    linker = linker_for(kb)
    conn = connect(folder / "critmin.db")
    began = time.perf_counter()
    report = ingest_documents(conn, linker, docs, source_file="synthetic", workers=workers)
    assert report.ingested + report.duplicates + report.near_duplicates == len(docs)
    ingest_seconds = time.perf_counter() - began
    latencies = []
    for query in queries:
        t0 = time.perf_counter()
        search(conn, kb, query, limit=20)
        latencies.append(time.perf_counter() - t0)
    same_index = []
    matches: dict[str, int] = {}
    for query in queries:
        expression = term_only_query(query)
        t0 = time.perf_counter()
        conn.execute("SELECT rowid, bm25(search) AS r FROM search WHERE search MATCH ? ORDER BY r LIMIT 20",
                     (expression,)).fetchall()
        same_index.append(time.perf_counter() - t0)
        matches[query] = conn.execute("SELECT count(*) FROM search WHERE search MATCH ?",
                                      (expression,)).fetchone()[0]
    conn.close()
    return ingest_seconds, latencies, same_index, matches


def bench_bare(
    docs: list[ParsedDocument], folder: Path, queries: list[str]
) -> tuple[float, list[float], dict[str, int]]:
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
    began = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t (title, body) VALUES (?, ?)", ((d.title, d.body) for d in docs))
    conn.execute("COMMIT")
    ingest_seconds = time.perf_counter() - began
    latencies = []
    for query in queries:
        expression = " ".join('"' + w.replace('"', '""') + '"' for w in query.split())
        t0 = time.perf_counter()
        conn.execute("SELECT rowid, bm25(t) AS r FROM t WHERE t MATCH ? ORDER BY r LIMIT 20",
                     (expression,)).fetchall()
        latencies.append(time.perf_counter() - t0)
    matches = {q: conn.execute("SELECT count(*) FROM t WHERE t MATCH ?",
                               (" ".join('"' + w.replace('"', '""') + '"' for w in q.split()),)).fetchone()[0]
               for q in dict.fromkeys(queries)}
    conn.close()
    return ingest_seconds, latencies, matches


def bench_long_paragraph(sizes: tuple[int, ...] = (250_000, 1_000_000)) -> list[tuple[int, float, float]]:
    """(bytes, seconds as one paragraph, seconds as ~2 KB paragraphs) for each size."""
    from critmin.evidence.prepare import prepare_document

    linker = linker_for(load_kb())
    sentences = " ".join(d.body.replace("\n", " ") for d in synthetic(700, seed=11))
    out = []
    for size in sizes:
        text = sentences.encode("utf-8")[:size].decode("utf-8", errors="ignore")
        pieces = [text[i:i + 700] for i in range(0, len(text), 700)]  # ~2 KB of mixed text each
        timings = []
        for paragraphs in ([text], pieces):
            document = ParsedDocument(title="long", language="mixed", body=text, format="text",
                                      paragraphs=[ParsedParagraph(text=p) for p in paragraphs])
            t0 = time.perf_counter()
            prepare_document(linker, document)
            timings.append(time.perf_counter() - t0)
        out.append((size, timings[0], timings[1]))
    return out


def compare_tokenizers(folder: Path) -> None:
    from critmin.evidence.tokens import index_streams, term_query

    docs = sample_documents()
    texts = [f"{d.title}\n{d.body}" for d in docs]
    terms = ["镓", "锗", "锑", "镝", "钨", "稀土", "磁体", "台积电", "出口管制", "哈萨克斯坦", "钨矿",
             "rare", "tungsten", "lithium"]
    truth = {t: {i for i, x in enumerate(texts) if t.lower() in x.lower()} for t in terms}
    print(f"\ntokenizer comparison on the sample corpus ({len(texts)} documents, "
          f"{sum(len(x) for x in texts):,} characters); recall against substring matching")
    rows = []
    for name in ("trigram", "jieba", "critmin"):
        db = folder / f"tok-{name}.db"
        conn = sqlite3.connect(db)
        if name == "trigram":
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
            conn.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)", enumerate(texts))
        elif name == "jieba":
            try:
                import jieba
            except ImportError:
                print("  jieba: not installed (pip install jieba) - skipped")
                continue
            jieba.setLogLevel(60)
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
            conn.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)",
                             ((i, " ".join(jieba.cut_for_search(x))) for i, x in enumerate(texts)))
        else:
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, words, chars)")
            conn.executemany("INSERT INTO t (rowid, title, words, chars) VALUES (?, '', ?, ?)",
                             ((i, *index_streams(x)) for i, x in enumerate(texts)))
        conn.commit()
        found = 0
        expected = 0
        for term in terms:
            if name == "critmin":
                query = term_query(term) or ""
                query = query.replace("{title words}", "words")
            else:
                query = '"' + term + '"'
            try:
                hits = {r[0] for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,))}
            except sqlite3.OperationalError:
                hits = set()
            found += len(hits & truth[term])
            expected += len(truth[term])
        conn.close()
        rows.append((name, found / max(1, expected), db.stat().st_size))
    for name, recall, size in rows:
        print(f"  {name:8s} recall {recall:6.1%}   index file {size / 1024:8.1f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--compare-tokenizers", action="store_true")
    parser.add_argument("--workers", type=int, default=None,
                        help="preparing processes (default: one per core; 0 = all in one process)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        docs = synthetic(args.docs)
        size = sum(len(d.body.encode("utf-8")) for d in docs) / len(docs)
        print(f"synthetic corpus: {len(docs):,} documents, mean {size:,.0f} bytes "
              f"(generated in {time.perf_counter() - t0:.1f} s)")
        queries = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
        workers = args.workers if args.workers is not None else default_workers()
        c_ingest, c_lat, same_lat, c_matches = bench_critmin(docs, folder, queries, workers)
        b_ingest, b_lat, b_matches = bench_bare(docs, folder, queries)
        print(f"critmin ingest   {len(docs) / c_ingest:9,.0f} docs/s  ({c_ingest:.1f} s; {workers} preparing "
              "processes + 1 writer: linking, figures, MinHash, FTS, a savepoint a document)")
        print(f"bare FTS5 ingest {len(docs) / b_ingest:9,.0f} docs/s  ({b_ingest:.1f} s; raw text, "
              "one batch)")
        rows = (("critmin search", c_lat), ("same index, bare", same_lat), ("bare FTS5 (raw)", b_lat))
        for label, lat in rows:
            print(f"{label:17s} p50 {percentile(lat, 0.5) * 1000:7.2f} ms   "
                  f"p95 {percentile(lat, 0.95) * 1000:7.2f} ms")
        print(f"search p95 ratio critmin / bare query on the same index: "
              f"{percentile(c_lat, 0.95) / max(1e-9, percentile(same_lat, 0.95)):.1f}x; "
              f"/ bare raw-text table: {percentile(c_lat, 0.95) / max(1e-9, percentile(b_lat, 0.95)):.1f}x "
              f"(targets: >= 1,000 docs/s, p95 <= 50 ms, within 2x)")
        print("documents matched (user's words on critmin's index / bare raw-text table):")
        for query in dict.fromkeys(queries):
            print(f"  {query:22s} {c_matches[query]:8,d} / {b_matches[query]:8,d}")
        rows_long = bench_long_paragraph()
        for size, single, split in rows_long:
            print(f"one {size / 1e6:g} MB paragraph {single:6.2f} s   same text in 2 KB paragraphs "
                  f"{split:6.2f} s   ({single / max(1e-9, split):.2f}x)")
        (small, small_s, _), (large, large_s, _) = rows_long[0], rows_long[-1]
        print(f"one paragraph, {large / small:.0f}x the text: {large_s / max(1e-9, small_s):.1f}x the time "
              "(linear: ~4x; scanning every mention for every figure, as before, grew ~16x)")
        if args.compare_tokenizers:
            compare_tokenizers(folder)


if __name__ == "__main__":
    main()
