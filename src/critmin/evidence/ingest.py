"""Ingest: files -> parsed documents -> prepared (linked, extracted, tokenised) -> stored.

A failed file is reported as `file: reason` (one line, the name escaped if it is not valid
UTF-8) and the batch goes on; a failed file writes nothing. Only the errors a hostile file can
cause are turned into such lines (see `EXPECTED_ERRORS`); anything else is a bug and stops the
batch, after the files already finished were committed. Exact re-ingests are skipped by
content hash and republished stories are linked to the original as near-duplicates, so running
the same batch twice (or again after an interruption) ends with every document stored once.

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

from critmin.errors import CritminError, UsageError
from critmin.evidence.link import Linker
from critmin.evidence.models import ParsedDocument
from critmin.evidence.parse import DocumentError, parse_text, read_document_bytes, read_document_file
from critmin.evidence.prepare import PreparedDocument, from_wire, prepare_document, to_wire
from critmin.evidence.writer import DocumentWriter, Outcome
from critmin.inputs import InputError, display_path, list_files, os_reason

EXIT_SOME_FAILED = 3
#: Below this many files (or documents) a worker pool costs more than it saves.
POOL_THRESHOLD = 64
_CHUNK = 32
#: Longest reason kept in a `file: reason` line.
MAX_REASON_CHARS = 300

#: What reading, parsing or preparing a hostile file may raise; each becomes that file's
#: `file: reason` line. critmin's own errors (DocumentError, InputError) carry their reason; the
#: others are limits of the libraries underneath (a YAML composer's recursion, an int conversion,
#: a codec), which the parsers guard against but a new kind of input may still reach.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    CritminError, UnicodeError, ValueError, OverflowError, RecursionError, OSError)
#: What storing a prepared file may raise and still leave the store as it was (a savepoint).
_WRITE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, UnicodeError, ValueError,
                                                  OverflowError)

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
    """A file's prepared documents, or why it failed (then it has none: a file is stored whole)."""

    path: Path
    documents: list[PreparedDocument]
    failure: str | None


def failure_line(name: str | os.PathLike[str], reason: str) -> str:
    """`file: reason` on one line: the name escaped for printing, the reason flattened and capped."""
    flat = " ".join(reason.split())
    if len(flat) > MAX_REASON_CHARS:
        flat = flat[: MAX_REASON_CHARS - 1] + "…"
    return f"{display_path(name)}: {flat or 'failed'}"


def failure_reason(exc: BaseException) -> str:
    """What went wrong, in words, for one of `EXPECTED_ERRORS` (or a database error)."""
    if isinstance(exc, DocumentError | InputError):
        return exc.reason
    if isinstance(exc, CritminError):
        return exc.message
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, OSError):
        return f"cannot read: {os_reason(exc)}"
    return f"{type(exc).__name__}: {exc}"


def stored_name(name: str) -> str:
    """A name that can be stored and printed: bytes that are not UTF-8 (carried by Python as lone
    surrogates) become `\\xNN` escapes. Unlike `display_path`, nothing is shortened."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")
    return name


def collect_paths(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Files as given, and folders walked recursively (hidden names below them skipped, links to
    folders not followed), sorted; and a `file: reason` line for each entry that could not be
    listed (an unreadable sub-folder, a broken link, a link loop), so nothing is left out silently.
    """
    found: list[Path] = []
    failures: list[str] = []
    for path in paths:
        try:
            is_folder = path.is_dir()
        except (OSError, ValueError):  # too long, in a folder we may not enter, a NUL: reading says why
            is_folder = False
        if not is_folder:
            found.append(path)
            continue
        files, errors = list_files(path)
        found += files
        failures += [failure_line(error.file, error.reason) for error in errors]
    return found, failures


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """The files `collect_paths` finds (use that to hear about entries that could not be listed)."""
    return collect_paths(paths)[0]


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
    or more and none (everything in this process) below that; 0 or 1 forces a single process;
    more than the number of cores is capped at the number of cores.
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
            prepared = _prepare(linker, Path(stored_name(name)), partial(read_document_bytes, data, name),
                                name)
            _store_file(writer, prepared, report, source_file=f"upload:{stored_name(name)}")
    return report


def ingest_document(
    conn: sqlite3.Connection, linker: Linker, document: ParsedDocument, *, source_file: str | None
) -> tuple[Outcome, int]:
    """Store one document (or record it as a duplicate); returns the outcome and the id."""
    with DocumentWriter(conn) as writer:
        return writer.write(prepare_document(linker, document), source_file)


def prepare_file(linker: Linker, path: Path) -> PreparedFile:
    """Read, parse and prepare one file; failures become `file: reason`, never exceptions."""
    return _prepare(linker, path, partial(read_document_file, path), str(path))


def _prepare(linker: Linker, path: Path, read: Callable[[], str], label: str) -> PreparedFile:
    """Prepare one file's documents; an expected error is the file's failure, with its reason."""
    try:
        documents = [prepare_document(linker, document)
                     for document in parse_text(read(), stored_name(os.path.basename(label)))]
    except EXPECTED_ERRORS as exc:
        return PreparedFile(path, [], failure_line(label, failure_reason(exc)))
    return PreparedFile(path, documents, None)


def _store_file(
    writer: DocumentWriter, item: PreparedFile, report: IngestReport, source_file: str | None = None
) -> None:
    if item.failure is not None:
        report.failed.append(item.failure)
        return
    try:
        outcomes = writer.write_file(item.documents, source_file or stored_name(str(item.path)))
    except _WRITE_ERRORS as exc:
        report.failed.append(failure_line(str(item.path), failure_reason(exc)))
        return
    for outcome in outcomes:
        report.count(*outcome)


def _pool_size(workers: int | None, items: int) -> int:
    """Worker processes to start: never more than there are cores (each would only wait for one)."""
    cores = default_workers()
    if workers is None:
        return cores if items >= POOL_THRESHOLD and cores > 1 else 0
    if workers < 0:
        raise UsageError(f"--workers {workers}: expected 0 or more")
    workers = min(workers, cores)
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
