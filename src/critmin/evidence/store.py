"""The evidence store: one SQLite file (WAL, foreign keys on) with a versioned schema.

Each document is written in one transaction with its paragraphs, mentions, figures and search
entry, so an interrupted ingest leaves either the whole document or nothing; a content hash
makes a second ingest of the same text a no-op.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from critmin.errors import CritminError

SCHEMA_VERSION = 1
DB_FILE_NAME = "evidence.db"


def default_db_path() -> Path:
    """CRITMIN_DB if set, else evidence.db in the user data folder (platformdirs)."""
    override = os.environ.get("CRITMIN_DB")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("critmin", appauthor=False)) / DB_FILE_NAME


_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    minhash BLOB NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT,
    published TEXT,
    language TEXT NOT NULL,
    format TEXT NOT NULL,
    body TEXT NOT NULL,
    viewpoint TEXT,
    summary TEXT,
    source_url TEXT,
    source_file TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL
);
CREATE INDEX documents_published ON documents(published);

CREATE TABLE minhash_bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
);
CREATE INDEX minhash_bands_key ON minhash_bands(band, key);

CREATE TABLE near_duplicates (
    id INTEGER PRIMARY KEY,
    original_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    publisher TEXT,
    published TEXT,
    source_file TEXT,
    similarity REAL NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    heading TEXT,
    text TEXT NOT NULL,
    english TEXT,
    group_no INTEGER,
    refs TEXT NOT NULL DEFAULT '[]',
    UNIQUE (document_id, position)
);

CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    paragraph_id INTEGER REFERENCES paragraphs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    entity_id TEXT,
    name TEXT NOT NULL,
    start INTEGER,
    end INTEGER,
    field TEXT NOT NULL
);
CREATE INDEX mentions_entity ON mentions(entity_id, document_id);
CREATE INDEX mentions_document ON mentions(document_id);

CREATE TABLE figures (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value REAL NOT NULL,
    unit TEXT NOT NULL,
    currency TEXT,
    original TEXT NOT NULL,
    sentence TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    material_id TEXT,
    country_id TEXT
);
CREATE INDEX figures_material ON figures(material_id);
CREATE INDEX figures_country ON figures(country_id);
CREATE INDEX figures_document ON figures(document_id);

CREATE TABLE workflows (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE VIRTUAL TABLE search USING fts5(
    title, words, chars,
    content='',
    tokenize='unicode61 remove_diacritics 2'
);
"""

#: Migrations by target version; each runs in its own transaction.
MIGRATIONS: dict[int, str] = {1: _V1}


class StoreError(CritminError):
    """The evidence database cannot be opened or is from a newer critmin."""


def connect(path: Path | None = None, *, read_only: bool = False) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the evidence database."""
    target = path or default_db_path()
    if read_only and not target.exists():
        raise StoreError(f"{target}: no evidence database yet; run `critmin ingest PATH` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(target, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"{target}: cannot open database: {exc}") from exc
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    try:
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn, target)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{target}: not a critmin evidence database ({exc})") from exc
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION, one transaction per step."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(f"{path}: database schema v{current} is newer than this critmin "
                         f"(v{SCHEMA_VERSION}); upgrade critmin")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with transaction(conn):
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement:
                yield statement


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: BEGIN IMMEDIATE ... COMMIT, or a SAVEPOINT inside an open batch.

    Either way an exception undoes exactly this unit's writes and nothing else.
    """
    if conn.in_transaction:
        conn.execute("SAVEPOINT unit")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO unit")
            conn.execute("RELEASE unit")
            raise
        conn.execute("RELEASE unit")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def batch(conn: sqlite3.Connection, every: int = 256) -> Iterator[Callable[[], None]]:
    """Group many units in one transaction, committing every `every` units.

    FTS5 writes an index segment per commit, so one commit per document costs more than the
    document itself; units inside a batch are savepoints, so a failed one still leaves nothing.
    Units already finished are committed even when the batch is interrupted.
    """
    pending = 0
    conn.execute("BEGIN IMMEDIATE")

    def done() -> None:
        nonlocal pending
        pending += 1
        if pending >= every:
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
            pending = 0

    try:
        yield done
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
