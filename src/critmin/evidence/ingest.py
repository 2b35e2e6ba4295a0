"""Ingest: files -> parsed documents -> prepared (linked, extracted, tokenised) -> stored.

A failed file is reported as `file: reason` and the batch goes on; a failed document writes
nothing. Exact re-ingests are skipped by content hash and republished stories are linked to the
original as near-duplicates, so running the same batch twice (or again after an interruption)
ends with every document stored once.

Preparing a document costs several times more than writing it, and needs no database, so large
batches prepare in worker processes (one per core) while this process writes, in file order:
the store sees exactly the sequence a single process would have written.
"""

from __future__ import annotations

import contextlib
import marshal
import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from critmin.errors import CritminError
from critmin.evidence.link import Linker
from critmin.evidence.models import ParsedDocument
from critmin.evidence.parse import DocumentError, parse_text, read_document_bytes, read_document_file
from critmin.evidence.prepare import PreparedDocument, from_wire, prepare_document, to_wire
from critmin.evidence.writer import DocumentWriter, Outcome

DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ""}
EXIT_SOME_FAILED = 3
#: Below this many files (or documents) a worker pool costs more than it saves.
POOL_THRESHOLD = 64
_CHUNK = 32

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class IngestReport:
    """What a batch did: counts, and each failure as `file: reason`."""

    ingested: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    failed: list[str] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_SOME_FAILED if self.failed else 0

    def count(self, outcome: Outcome, doc_id: int) -> None:
        if outcome == "ingested":
            self.ingested += 1
            self.document_ids.append(doc_id)
        elif outcome == "duplicate":
            self.duplicates += 1
        else:
            self.near_duplicates += 1


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """A file's prepared documents, and why it stopped if it failed part-way."""

    path: Path
    documents: list[PreparedDocument]
    failure: str | None


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and folders walked recursively (hidden files skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # hidden below the folder given (.git, .DS_Store); `..` or a hidden folder in the
            # path the user typed does not count
            found += sorted(p for p in path.rglob("*") if p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            found.append(path)
    return found


def default_workers() -> int:
    """One preparing process per core; the writer shares the cores with them."""
    return max(1, os.cpu_count() or 1)


def ingest_paths(
    conn: sqlite3.Connection,
    linker: Linker,
    paths: Sequence[Path],
    *,
    on_file: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest every file; `on_file` is called after each (for progress bars).

    `workers`: preparing processes; None picks one per core for batches of POOL_THRESHOLD files
    or more and none (everything in this process) below that; 0 or 1 forces a single process.
    """
    report = IngestReport()
    prepared = _in_order(_prepare_files, paths, linker, _pool_size(workers, len(paths)))
    with DocumentWriter(conn) as writer:
        for item in prepared:
            _store_file(writer, item, report)
            if on_file is not None:
                on_file(item.path)
    return report


def ingest_documents(
    conn: sqlite3.Connection,
    linker: Linker,
    documents: Sequence[ParsedDocument],
    *,
    source_file: str | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest already parsed documents (from an API or a generator) the same way as files."""
    report = IngestReport()
    prepared = _in_order(_prepare_documents, documents, linker, _pool_size(workers, len(documents)))
    with DocumentWriter(conn) as writer:
        for doc in prepared:
            report.count(*writer.write(doc, source_file))
    return report


def ingest_uploads(
    conn: sqlite3.Connection, linker: Linker, uploads: Sequence[tuple[str, bytes]]
) -> IngestReport:
    """Ingest documents held in memory as (name, bytes), like files: nothing touches the disk.

    The name only labels the document (source `upload:NAME`) and its failures (`NAME: reason`);
    it is never used as a path.
    """
    report = IngestReport()
    with DocumentWriter(conn) as writer:
        for name, data in uploads:
            prepared = _prepare(linker, Path(name), partial(read_document_bytes, data, name))
            _store_file(writer, prepared, report, source_file=f"upload:{name}")
    return report


def ingest_document(
    conn: sqlite3.Connection, linker: Linker, document: ParsedDocument, *, source_file: str | None
) -> tuple[Outcome, int]:
    """Store one document (or record it as a duplicate); returns the outcome and the id."""
    with DocumentWriter(conn) as writer:
        return writer.write(prepare_document(linker, document), source_file)


def prepare_file(linker: Linker, path: Path) -> PreparedFile:
    """Read, parse and prepare one file; failures become `file: reason`, never exceptions."""
    return _prepare(linker, path, lambda: _read_existing(path))


def _read_existing(path: Path) -> str:
    if not path.exists():
        raise CritminError(f"{path}: no such file")
    return read_document_file(path)


def _prepare(linker: Linker, path: Path, read: Callable[[], str]) -> PreparedFile:
    documents: list[PreparedDocument] = []
    try:
        for document in parse_text(read(), path.name):
            documents.append(prepare_document(linker, document))
    except DocumentError as exc:
        return PreparedFile(path, documents, f"{path}: {exc.reason}")
    except CritminError as exc:
        reason = exc.message if exc.message.startswith(str(path)) else f"{path}: {exc.message}"
        return PreparedFile(path, documents, reason)
    except (OSError, ValueError) as exc:
        return PreparedFile(path, documents, f"{path}: {type(exc).__name__}: {exc}")
    return PreparedFile(path, documents, None)


def _store_file(
    writer: DocumentWriter, item: PreparedFile, report: IngestReport, source_file: str | None = None
) -> None:
    try:
        for doc in item.documents:
            report.count(*writer.write(doc, source_file or str(item.path)))
    except sqlite3.DatabaseError as exc:
        report.failed.append(f"{item.path}: {type(exc).__name__}: {exc}")
        return
    if item.failure is not None:
        report.failed.append(item.failure)


def _pool_size(workers: int | None, items: int) -> int:
    if workers is None:
        return default_workers() if items >= POOL_THRESHOLD and default_workers() > 1 else 0
    return workers if workers > 1 else 0


# --- the worker pool ----------------------------------------------------------------------------

_worker_linker: Linker | None = None


def _set_worker_linker(linker: Linker) -> None:
    """Worker start-up: keep the linker, and yield the CPU to the writer.

    The single writer is the pipeline's narrow end; when preparing processes compete with it for
    the cores on equal terms, it falls behind and they wait on a full queue. Measured on two
    cores: 30-50% more documents/s with the workers at a lower priority.
    """
    global _worker_linker
    _worker_linker = linker
    with contextlib.suppress(AttributeError, OSError):  # os.nice: Unix only
        os.nice(10)


def _prepare_files(linker: Linker, paths: list[Path]) -> list[PreparedFile]:
    return [prepare_file(linker, path) for path in paths]


def _prepare_documents(linker: Linker, documents: list[ParsedDocument]) -> list[PreparedDocument]:
    return [prepare_document(linker, document) for document in documents]


def _encode(item: object) -> tuple[object, ...]:
    if isinstance(item, PreparedFile):
        return ("file", str(item.path), [to_wire(d) for d in item.documents], item.failure)
    assert isinstance(item, PreparedDocument)
    return ("document", to_wire(item))


def _decode(row: tuple[Any, ...]) -> Any:
    if row[0] == "file":
        return PreparedFile(Path(row[1]), [from_wire(d) for d in row[2]], row[3])
    return from_wire(row[1])


def _in_worker(prepare: Callable[[Linker, list[T]], list[R]], chunk: list[T]) -> bytes:
    """Prepare a chunk in a worker; results travel as marshal bytes (plain tuples)."""
    assert _worker_linker is not None, "worker started without its linker"
    return marshal.dumps([_encode(item) for item in prepare(_worker_linker, chunk)])


def _results(future: Future[bytes]) -> list[Any]:
    return [_decode(row) for row in marshal.loads(future.result())]


def _in_order(
    prepare: Callable[[Linker, list[T]], list[R]], items: Sequence[T], linker: Linker, workers: int
) -> Iterator[R]:
    """prepare(linker, chunk) over chunks of items, results in order; in `workers` processes
    when workers > 1 (`prepare` must then be a module-level function, to reach the workers).

    At most a few chunks per worker are in flight, so memory stays flat however long the batch.
    """
    chunks = (list(items[i:i + _CHUNK]) for i in range(0, len(items), _CHUNK))
    if workers <= 1:
        for chunk in chunks:
            yield from prepare(linker, chunk)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                          else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_set_worker_linker,
                             initargs=(linker,)) as pool:
        in_flight: deque[Future[bytes]] = deque()
        for chunk in chunks:
            in_flight.append(pool.submit(_in_worker, prepare, chunk))
            if len(in_flight) >= workers * 4:
                yield from _results(in_flight.popleft())
        while in_flight:
            yield from _results(in_flight.popleft())
