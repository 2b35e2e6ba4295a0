"""The single writer: prepared documents into the store, each all-or-nothing, many per commit.

Three costs dominated a naive writer and are designed out here:
- a COMMIT per document (a WAL sync each): documents are grouped into one transaction of up to
  `commit_every` documents, each inside its own SAVEPOINT, so a failed document still leaves
  nothing and an interrupted batch keeps every document it finished;
- FTS5 flushing its in-memory index to a new on-disk segment at every SAVEPOINT, which made
  ingest and later searches slow: search rows are held back and inserted just before each
  COMMIT, in the same transaction as their documents, so they stay atomic with them;
- a statement per paragraph: paragraph ids are allocated here (the writer holds the write lock)
  so paragraphs, mentions and figures go in with one executemany per table and document.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal

from critmin.evidence.dedupe import NEAR_DUPLICATE_JACCARD, from_blob, similarity
from critmin.evidence.prepare import PreparedDocument

Outcome = Literal["ingested", "duplicate", "near-duplicate"]
COMMIT_EVERY = 512


class DocumentWriter:
    """Use as a context manager around a batch; `write` one prepared document at a time."""

    def __init__(self, conn: sqlite3.Connection, *, commit_every: int = COMMIT_EVERY) -> None:
        self._conn = conn
        self._commit_every = commit_every
        self._pending = 0
        self._search_rows: list[tuple[int, str, str, str, str]] = []
        self._next_paragraph_id = 0

    def __enter__(self) -> DocumentWriter:
        self._begin()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        # finished documents are kept even when the batch is interrupted
        if self._conn.in_transaction:
            self._commit()

    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        last = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM paragraphs").fetchone()[0]
        self._next_paragraph_id = int(last) + 1

    def _commit(self) -> None:
        if self._search_rows:
            self._conn.executemany(
                "INSERT INTO search (rowid, title, words, chars, entities) VALUES (?, ?, ?, ?, ?)",
                self._search_rows)
            self._search_rows = []
        self._conn.execute("COMMIT")
        self._pending = 0

    def write(self, doc: PreparedDocument, source_file: str | None) -> tuple[Outcome, int]:
        """Store one document, or record it as an exact or near duplicate of a stored one."""
        outcome = self._write_one(doc, source_file)
        self._count(1)
        return outcome

    def write_file(
        self, docs: Sequence[PreparedDocument], source_file: str | None
    ) -> list[tuple[Outcome, int]]:
        """Store the documents of one file all together or not at all (a SAVEPOINT around them).

        A file is what a user names and is told about (`file: reason`), so a file that fails part
        of the way leaves nothing behind, not its first few documents.
        """
        if len(docs) == 1:
            return [self.write(docs[0], source_file)]
        conn = self._conn
        first_paragraph_id = self._next_paragraph_id
        held = len(self._search_rows)
        conn.execute("SAVEPOINT file")
        try:
            outcomes = [self._write_one(doc, source_file) for doc in docs]
        except BaseException:
            conn.execute("ROLLBACK TO file")
            conn.execute("RELEASE file")
            self._next_paragraph_id = first_paragraph_id
            del self._search_rows[held:]
            raise
        conn.execute("RELEASE file")
        self._count(len(docs))
        return outcomes

    def _count(self, documents: int) -> None:
        self._pending += documents
        if self._pending >= self._commit_every:
            self._commit()
            self._begin()

    def _write_one(self, doc: PreparedDocument, source_file: str | None) -> tuple[Outcome, int]:
        conn = self._conn
        # stored, or recorded as a near-duplicate of a stored document: either way seen before
        seen = conn.execute("SELECT id FROM documents WHERE content_hash = ?1 UNION ALL"
                            " SELECT original_id FROM near_duplicates WHERE content_hash = ?1 LIMIT 1",
                            (doc.digest,)).fetchone()
        if seen is not None:
            return "duplicate", int(seen[0])
        now = datetime.now(UTC).isoformat(timespec="seconds")
        original = self._near_duplicate_of(doc)
        first_paragraph_id = self._next_paragraph_id
        held = len(self._search_rows)
        conn.execute("SAVEPOINT document")
        try:
            if original is not None:
                original_id, score = original
                conn.execute(
                    "INSERT INTO near_duplicates (original_id, content_hash, title, publisher, published,"
                    " source_file, similarity, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (original_id, doc.digest, doc.title, doc.publisher, doc.published, source_file,
                     score, now))
                outcome: tuple[Outcome, int] = ("near-duplicate", original_id)
            else:
                outcome = ("ingested", self._insert(doc, source_file, now))
        except BaseException:
            conn.execute("ROLLBACK TO document")
            conn.execute("RELEASE document")
            self._next_paragraph_id = first_paragraph_id
            del self._search_rows[held:]
            raise
        conn.execute("RELEASE document")
        return outcome

    def _insert(self, doc: PreparedDocument, source_file: str | None, now: str) -> int:
        conn = self._conn
        cursor = conn.execute(
            "INSERT INTO documents (content_hash, minhash, title, publisher, published, language, format,"
            " body, viewpoint, summary, source_url, source_file, metadata, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.digest, doc.minhash, doc.title, doc.publisher, doc.published, doc.language, doc.format,
             doc.body, doc.viewpoint, doc.summary, doc.source_url, source_file, doc.metadata, now))
        doc_id = int(cursor.lastrowid or 0)
        conn.executemany("INSERT OR IGNORE INTO minhash_keys (key, document_id) VALUES (?, ?)",
                         [(key, doc_id) for key in doc.band_keys])
        paragraphs = []
        mentions: list[tuple[object, ...]] = [
            (doc_id, None, kind, entity_id, name, None, None, "meta")
            for kind, entity_id, name in doc.meta_mentions]
        figures: list[tuple[object, ...]] = []
        for paragraph in doc.paragraphs:
            para_id = self._next_paragraph_id
            self._next_paragraph_id += 1
            paragraphs.append((para_id, doc_id, paragraph.position, paragraph.heading, paragraph.text,
                               paragraph.english, paragraph.group_no, paragraph.refs, paragraph.language))
            mentions += [(doc_id, para_id, *row) for row in paragraph.mentions]
            figures += [(doc_id, para_id, *row) for row in paragraph.figures]
        conn.executemany(
            "INSERT INTO paragraphs (id, document_id, position, heading, text, english, group_no, refs,"
            " language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", paragraphs)
        conn.executemany(
            "INSERT INTO mentions (document_id, paragraph_id, kind, entity_id, name, start, end, field)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", mentions)
        conn.executemany(
            "INSERT INTO figures (document_id, paragraph_id, kind, value, unit, currency, original,"
            " sentence, start, end, material_id, country_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            figures)
        self._search_rows.append((doc_id, *doc.search_row))
        return doc_id

    def _near_duplicate_of(self, doc: PreparedDocument) -> tuple[int, float] | None:
        """The most similar stored document above the near-duplicate threshold, if any."""
        marks = ", ".join("?" * len(doc.band_keys))
        candidates = self._conn.execute(
            f"SELECT d.id, d.minhash FROM documents d WHERE d.id IN"
            f" (SELECT document_id FROM minhash_keys WHERE key IN ({marks}))", doc.band_keys).fetchall()
        if not candidates:
            return None
        signature = from_blob(doc.minhash)
        best: tuple[int, float] | None = None
        for doc_id, blob in candidates:
            score = similarity(signature, from_blob(blob))
            if score >= NEAR_DUPLICATE_JACCARD and (best is None or score > best[1]):
                best = (int(doc_id), score)
        return best
