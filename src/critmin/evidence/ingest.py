"""Ingest: files -> parsed documents -> linked, extracted, stored, one transaction a document.

A failed file is reported as `file: reason` and the batch goes on; a failed document writes
nothing. Exact re-ingests are skipped by content hash and republished stories are linked to the
original as near-duplicates, so running the same batch twice (or again after an interruption)
ends with every document stored once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from critmin.errors import CritminError
from critmin.evidence.dedupe import (
    NEAR_DUPLICATE_JACCARD,
    Signature,
    band_keys,
    content_hash,
    from_blob,
    minhash_of,
    similarity,
    to_blob,
)
from critmin.evidence.extract import extract_figures
from critmin.evidence.link import Linker, Mention
from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.parse import DocumentError, parse_text, read_document_file
from critmin.evidence.store import batch, transaction
from critmin.evidence.tokens import index_streams

Outcome = Literal["ingested", "duplicate", "near-duplicate"]
DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ""}
EXIT_SOME_FAILED = 3


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


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and folders walked recursively (hidden files skipped), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.is_file() and not any(part.startswith(".") for part in p.parts))
        else:
            found.append(path)
    return found


def ingest_paths(
    conn: sqlite3.Connection,
    linker: Linker,
    paths: Iterable[Path],
    *,
    on_file: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingest every file; `on_file` is called after each (for progress bars)."""
    report = IngestReport()
    with batch(conn) as unit_done:
        for path in paths:
            _ingest_file(conn, linker, path, report, unit_done)
            if on_file is not None:
                on_file(path)
    return report


def _ingest_file(
    conn: sqlite3.Connection, linker: Linker, path: Path, report: IngestReport,
    unit_done: Callable[[], None],
) -> None:
    try:
        if not path.exists():
            raise CritminError(f"{path}: no such file")
        text = read_document_file(path)
        documents = parse_text(text, path.name)
        for document in documents:
            outcome, doc_id = ingest_document(conn, linker, document, source_file=str(path))
            unit_done()
            if outcome == "ingested":
                report.ingested += 1
                report.document_ids.append(doc_id)
            elif outcome == "duplicate":
                report.duplicates += 1
            else:
                report.near_duplicates += 1
    except DocumentError as exc:
        report.failed.append(f"{path}: {exc.reason}")
    except CritminError as exc:
        report.failed.append(exc.message if exc.message.startswith(str(path)) else
                             f"{path}: {exc.message}")
    except (OSError, sqlite3.DatabaseError, ValueError) as exc:
        report.failed.append(f"{path}: {type(exc).__name__}: {exc}")


def ingest_document(
    conn: sqlite3.Connection, linker: Linker, document: ParsedDocument, *, source_file: str
) -> tuple[Outcome, int]:
    """Store one document (or record it as a duplicate); returns the outcome and the id."""
    digest = content_hash(document.title, document.body)
    existing = conn.execute("SELECT id FROM documents WHERE content_hash = ?", (digest,)).fetchone()
    if existing is not None:
        return "duplicate", int(existing["id"])
    known_near = conn.execute("SELECT original_id FROM near_duplicates WHERE content_hash = ?",
                              (digest,)).fetchone()
    if known_near is not None:
        return "duplicate", int(known_near["original_id"])
    title_words, title_chars = index_streams(document.title)
    body_words, body_chars = index_streams(_searchable_body(document))
    signature = minhash_of({*title_words.split(), *body_words.split()})
    keys = band_keys(signature)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    original = _near_duplicate_of(conn, signature, keys)
    published = document.published.isoformat(sep=" ") if document.published else None
    with transaction(conn):
        if original is not None:
            original_id, score = original
            conn.execute(
                "INSERT INTO near_duplicates (original_id, content_hash, title, publisher, published,"
                " source_file, similarity, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (original_id, digest, document.title, document.publisher, published, source_file,
                 score, now))
            return "near-duplicate", original_id
        cursor = conn.execute(
            "INSERT INTO documents (content_hash, minhash, title, publisher,"
            " published, language, format, body, viewpoint, summary, source_url, source_file, metadata,"
            " ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (digest, to_blob(signature), document.title, document.publisher,
             published, document.language, document.format, document.body, document.viewpoint,
             document.summary, document.source_url, source_file,
             json.dumps(document.metadata, ensure_ascii=False), now))
        doc_id = int(cursor.lastrowid or 0)
        conn.executemany("INSERT INTO minhash_bands (band, key, document_id) VALUES (?, ?, ?)",
                         [(band, key, doc_id) for band, key in enumerate(keys)])
        for position, paragraph, group_no, refs in _paragraphs(document):
            para_id = int(conn.execute(
                "INSERT INTO paragraphs (document_id, position, heading, text, english, group_no, refs)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, position, paragraph.heading, paragraph.text, paragraph.english, group_no,
                 json.dumps(refs))).lastrowid or 0)
            _store_paragraph_facts(conn, linker, doc_id, para_id, paragraph)
        for hint in document.entities:
            conn.execute(
                "INSERT INTO mentions (document_id, paragraph_id, kind, entity_id, name, field)"
                " VALUES (?, NULL, ?, ?, ?, 'meta')",
                (doc_id, hint.kind, _resolve_hint(linker, hint.name), hint.name))
        conn.execute("INSERT INTO search (rowid, title, words, chars) VALUES (?, ?, ?, ?)",
                     (doc_id, title_words, body_words, f"{title_chars} {body_chars}"))
    return "ingested", doc_id


def _searchable_body(document: ParsedDocument) -> str:
    """Paragraphs with their English twins and the summary: what search and dedupe see."""
    parts = [t for p in document.paragraphs for t in (p.text, p.english) if t]
    if document.summary:
        parts.append(document.summary)
    return "\n".join(parts)


def _near_duplicate_of(
    conn: sqlite3.Connection, signature: Signature, keys: list[int]
) -> tuple[int, float] | None:
    """The most similar stored document above the near-duplicate threshold, if any."""
    clauses = " OR ".join("(band = ? AND key = ?)" for _ in keys)
    params = [value for band, key in enumerate(keys) for value in (band, key)]
    candidates = conn.execute(
        f"SELECT DISTINCT d.id, d.minhash FROM minhash_bands b JOIN documents d ON d.id = b.document_id"
        f" WHERE {clauses}", params).fetchall()
    best: tuple[int, float] | None = None
    for row in candidates:
        score = similarity(signature, from_blob(row["minhash"]))
        if score >= NEAR_DUPLICATE_JACCARD and (best is None or score > best[1]):
            best = (int(row["id"]), score)
    return best


def _paragraphs(document: ParsedDocument) -> Iterator[tuple[int, ParsedParagraph, int | None, list[int]]]:
    """Position 0 is the title (headlines carry figures too); the body follows from 1."""
    yield 0, ParsedParagraph(text=document.title, heading="title"), None, []
    points = {point.text: point for point in document.points}
    for position, paragraph in enumerate(document.paragraphs, start=1):
        point = points.get(paragraph.text)
        refs = point.refs if point else []
        yield position, paragraph, (point.group if point else None), refs


def _store_paragraph_facts(
    conn: sqlite3.Connection, linker: Linker, doc_id: int, para_id: int, paragraph: ParsedParagraph
) -> None:
    for field_name, text in (("text", paragraph.text), ("english", paragraph.english)):
        if not text:
            continue
        mentions = linker.mentions(text)
        conn.executemany(
            "INSERT INTO mentions (document_id, paragraph_id, kind, entity_id, name, start, end, field)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, para_id, m.kind, m.entity_id, m.name, m.start, m.end, field_name)
             for m in mentions])
        rows = []
        for figure in extract_figures(text):
            sentence_start = (text.rfind(figure.sentence, 0, figure.start + len(figure.sentence))
                              if figure.sentence else -1)
            span = ((sentence_start, sentence_start + len(figure.sentence)) if sentence_start >= 0
                    else (figure.start, figure.end))
            material = _nearest(mentions, "material", span, figure.start)
            country = _nearest(mentions, "country", span, figure.start)
            rows.append((doc_id, para_id, figure.kind, figure.value, figure.unit, figure.currency,
                         figure.original, figure.sentence, figure.start, figure.end, material, country))
        conn.executemany(
            "INSERT INTO figures (document_id, paragraph_id, kind, value, unit, currency, original,"
            " sentence, start, end, material_id, country_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows)


def _nearest(mentions: list[Mention], kind: str, span: tuple[int, int], at: int) -> str | None:
    """The entity of that kind mentioned in the same sentence closest to the figure."""
    candidates = [m for m in mentions
                  if m.kind == kind and m.entity_id and span[0] <= m.start and m.end <= span[1]]
    if not candidates:
        return None
    return min(candidates, key=lambda m: abs(m.start - at)).entity_id


def _resolve_hint(linker: Linker, name: str) -> str | None:
    found = [m for m in linker.mentions(name) if m.entity_id and m.start == 0 and m.end == len(name)]
    return found[0].entity_id if found else None
