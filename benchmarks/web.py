"""Dashboard API under load: N concurrent searches for M seconds against a local server.

    python benchmarks/web.py [--clients 8] [--seconds 10] [--docs 2000]

Bounded and loopback only: the script builds an evidence database of --docs synthetic documents
in a temporary folder, starts `critmin serve` on 127.0.0.1 on a free port in a child process,
and runs --clients threads (one keep-alive HTTP client each) for --seconds against
GET /api/v1/search, cycling through English and Chinese queries. It prints requests/s, p50 and
p95 latency and errors, beside two baselines measured in the same run:
- GET /api/v1/health under the same load: the cost of HTTP, routing and JSON alone;
- the same searches called in-process (critmin.evidence.searching, one thread, no HTTP): the cost
  of the search itself.
The server is one uvicorn process (the default of `critmin serve`); wall figures depend on what
else the machine runs, so the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx

from critmin.evidence.ingest import ingest_documents
from critmin.evidence.link import linker_for
from critmin.evidence.parse import parse_text
from critmin.evidence.searching import search
from critmin.evidence.store import connect
from critmin.kb import load_kb

HOST = "127.0.0.1"
QUERIES = ["gallium", "稀土", "镓", "export licence", "tungsten Kazakhstan", "dysprosium price",
           "magnet", "出口管制", "germanium", "NdFeB"]
SUBJECTS = ["Gallium", "Germanium", "Tungsten", "Dysprosium", "Terbium", "NdFeB magnet", "Antimony",
            "Graphite", "镓", "锗", "稀土", "钨"]
PLACES = ["China", "Kazakhstan", "Japan", "Germany", "the United States", "Vietnam", "中国", "日本"]
VERBS = ["prices rose", "exports fell", "output climbed", "licence approvals slowed", "inventories dropped"]


def synthetic_text(rng: random.Random, number: int) -> str:
    """A short plain-text news item; numbers and subjects vary so documents are not duplicates."""
    lines = [f"{rng.choice(SUBJECTS)} report {number}: {rng.choice(VERBS)} in {rng.choice(PLACES)}", ""]
    for _ in range(rng.randint(4, 9)):
        lines.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.randint(1, 60)}% in "
                     f"{rng.choice(PLACES)} during week {rng.randint(1, 52)} of {rng.randint(2019, 2025)}, "
                     f"traders said; document {number}.")
    return "\n".join(lines)


def build_db(path: Path, docs: int) -> None:
    kb = load_kb()
    rng = random.Random(11)
    documents = [d for i in range(docs) for d in parse_text(synthetic_text(rng, i), f"doc-{i}.txt")]
    with closing(connect(path)) as conn:
        report = ingest_documents(conn, linker_for(kb), documents)
    print(f"evidence database: {report.ingested} documents ({path.stat().st_size / 1e6:.1f} MB)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CRITMIN_TOKEN": ""}
    command = [sys.executable, "-m", "critmin.cli", "serve", "--host", HOST, "--port", str(port),
               "--db", str(db)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def load(base: str, path: str, params: list[dict[str, str]], clients: int, seconds: float) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, timeout=30) as client:
            i = offset
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = client.get(path, params=params[i % len(params)] if params else None)
                mine.append(time.perf_counter() - started)
                failed += response.status_code != 200
                i += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
    print(f"  {path:<16} {len(latencies) / elapsed:8.1f} req/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"
          f"   requests {len(latencies)}   errors {errors[0]}")


def in_process(db: Path, seconds: float) -> None:
    kb = load_kb()
    latencies: list[float] = []
    with closing(connect(db, read_only=True)) as conn:
        deadline = time.monotonic() + seconds
        i = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            search(conn, kb, QUERIES[i % len(QUERIES)], limit=20)
            latencies.append(time.perf_counter() - started)
            i += 1
    print(f"  {'in-process':<16} {len(latencies) / seconds:8.1f} calls/s p50 "
          f"{percentile(latencies, 0.5) * 1000:7.1f} ms   p95 {percentile(latencies, 0.95) * 1000:7.1f} ms"
          f"   calls {len(latencies)} (one thread, no HTTP)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (1-64)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per measurement (1-120)")
    parser.add_argument("--docs", type=int, default=2000, help="synthetic documents in the database")
    args = parser.parse_args()
    clients = max(1, min(args.clients, 64))
    seconds = max(1.0, min(args.seconds, 120.0))
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "evidence.db"
        build_db(db, args.docs)
        port = free_port()
        server = start_server(db, port)
        base = f"http://{HOST}:{port}"
        try:
            print(f"{clients} clients x {seconds:.0f} s against {base} (one uvicorn process); "
                  f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
            load(base, "/api/v1/search", [{"q": q} for q in QUERIES], clients, seconds)
            load(base, "/api/v1/health", [], clients, seconds)
            in_process(db, seconds)
            print(f"load average after: {os.getloadavg()[0]:.2f}")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
