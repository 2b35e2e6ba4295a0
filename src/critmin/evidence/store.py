"""The evidence store: one SQLite file (WAL, foreign keys on) with a versioned schema.

Each document is written in one transaction with its paragraphs, mentions, figures and search
entry, so an interrupted ingest leaves either the whole document or nothing; a content hash
makes a second ingest of the same text a no-op.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from critmin.errors import CritminError
from critmin.inputs import MAX_PATH_BYTES, display_path, os_reason

SCHEMA_VERSION = 3
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

_V2 = """
CREATE TABLE minhash_keys (
    key INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (key, document_id)
) WITHOUT ROWID;
DROP TABLE minhash_bands;
DROP INDEX mentions_entity;
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    title, words, chars, entities,
    content='',
    tokenize='unicode61 remove_diacritics 2'
);
"""


def _reindex_documents(conn: sqlite3.Connection) -> None:
    """v2 signs documents by shingles and indexes linked entities: rebuild both for stored ones.

    Signatures of single tokens cannot be compared with signatures of shingles, and the search
    index gained a column of entity tokens; both are rebuilt from what ingest stored (title,
    paragraphs with their English twins, summary, mentions), so an upgraded store searches and
    finds near-duplicates like a new one.
    """
    from critmin.evidence.dedupe import band_keys, minhash, to_blob
    from critmin.evidence.prepare import entity_tokens
    from critmin.evidence.tokens import index_streams

    for doc_id, title, summary in conn.execute("SELECT id, title, summary FROM documents").fetchall():
        parts = [t for row in conn.execute(
            "SELECT text, english FROM paragraphs WHERE document_id = ? AND position > 0 ORDER BY position",
            (doc_id,)) for t in row if t]
        if summary:
            parts.append(summary)
        body = "\n".join(parts)
        signature = minhash(title + "\n" + body)
        conn.execute("UPDATE documents SET minhash = ? WHERE id = ?", (to_blob(signature), doc_id))
        conn.executemany("INSERT OR IGNORE INTO minhash_keys (key, document_id) VALUES (?, ?)",
                         [(key, doc_id) for key in band_keys(signature)])
        mentions = conn.execute(
            "SELECT m.kind, m.entity_id, COALESCE(p.position, -1) FROM mentions m LEFT JOIN paragraphs p"
            " ON p.id = m.paragraph_id WHERE m.document_id = ? ORDER BY m.id", (doc_id,)).fetchall()
        title_words, title_chars = index_streams(title)
        body_words, body_chars = index_streams(body)
        title_entities = entity_tokens((kind, entity) for kind, entity, position in mentions if position == 0)
        body_entities = entity_tokens((kind, entity) for kind, entity, position in mentions if position != 0)
        conn.execute("INSERT INTO search (rowid, title, words, chars, entities) VALUES (?, ?, ?, ?, ?)",
                     (doc_id, f"{title_words} {title_entities}".strip(), body_words,
                      f"{title_chars} {body_chars}", body_entities))


_V3 = """
ALTER TABLE paragraphs ADD COLUMN language TEXT;
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    title, words, chars, entities,
    content='',
    tokenize='unicode61 remove_diacritics 2'
);
"""


def _tag_and_reindex(conn: sqlite3.Connection) -> None:
    """v3 tags each paragraph with its language (a `--lang` search matches paragraphs, not whole
    documents) and indexes the front-matter names (speaker, people, organisations, products) as
    text, so the search rows of stored documents are built again the way ingest builds them now."""
    from critmin.evidence.parse.detect import language_of
    from critmin.evidence.prepare import META_FIELDS, entity_tokens, meta_text
    from critmin.evidence.tokens import index_streams

    rows = conn.execute("SELECT id, text FROM paragraphs").fetchall()
    conn.executemany("UPDATE paragraphs SET language = ? WHERE id = ?",
                     [(language_of(text), pid) for pid, text in rows])
    for doc_id, title, summary, metadata in conn.execute(
            "SELECT id, title, summary, metadata FROM documents").fetchall():
        parts = [t for row in conn.execute(
            "SELECT text, english FROM paragraphs WHERE document_id = ? AND position > 0 ORDER BY position",
            (doc_id,)) for t in row if t]
        if summary:
            parts.append(summary)
        mentions = conn.execute(
            "SELECT m.kind, m.entity_id, m.name, COALESCE(p.position, -1) FROM mentions m LEFT JOIN"
            " paragraphs p ON p.id = m.paragraph_id WHERE m.document_id = ? ORDER BY m.id",
            (doc_id,)).fetchall()
        try:
            fields = json.loads(metadata or "{}")
        except ValueError:
            fields = {}
        meta = meta_text(fields if isinstance(fields, dict) else {},
                         (name for kind, _, name, at in mentions if at == -1 and kind in META_FIELDS))
        title_words, title_chars = index_streams(title)
        body_words, body_chars = index_streams("\n".join(parts))
        if meta:  # as prepare_document appends them
            meta_words, meta_chars = index_streams(meta)
            body_words, body_chars = f"{body_words} {meta_words}", f"{body_chars} {meta_chars}".strip()
        title_entities = entity_tokens((kind, entity) for kind, entity, _, at in mentions if at == 0)
        body_entities = entity_tokens((kind, entity) for kind, entity, _, at in mentions if at != 0)
        conn.execute("INSERT INTO search (rowid, title, words, chars, entities) VALUES (?, ?, ?, ?, ?)",
                     (doc_id, f"{title_words} {title_entities}".strip(), body_words,
                      f"{title_chars} {body_chars}", body_entities))


Migration = str | Callable[[sqlite3.Connection], None]

#: Migrations by target version, each a list of SQL scripts and Python steps run in order in
#: one transaction.
MIGRATIONS: dict[int, list[Migration]] = {1: [_V1], 2: [_V2, _reindex_documents], 3: [_V3, _tag_and_reindex]}


class StoreError(CritminError):
    """The evidence database cannot be opened or is from a newer critmin."""


def connect(path: Path | None = None, *, read_only: bool = False) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the evidence database.

    Every way this can fail (a folder that cannot be created or written, a path too long, a
    folder or a pipe where the file should be, a file that is not a database) is a StoreError
    naming the database: `<path>: cannot open the database: <reason>`.
    """
    target = path or default_db_path()
    shown = display_path(target)
    if len(os.fsencode(target)) > MAX_PATH_BYTES:
        raise StoreError(f"{shown}: cannot open the database: the path is too long")
    try:
        exists = target.exists()
        if exists and target.is_dir():
            raise StoreError(f"{shown}: cannot open the database: is a folder, not a file")
        if exists and not target.is_file():
            raise StoreError(f"{shown}: cannot open the database: not a regular file")
        if read_only and not exists:
            raise StoreError(f"{shown}: no evidence database yet; run `critmin ingest PATH` first")
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StoreError(f"{shown}: cannot open the database: {_blocking_file(target)} is a file, "
                         "not a folder") from None
    except OSError as exc:
        raise StoreError(f"{shown}: cannot open the database: {os_reason(exc)}") from None
    try:
        conn = sqlite3.connect(target, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"{shown}: cannot open the database: {_open_reason(target, exc)}") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn, target)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _not_a_database(exc):
            raise StoreError(f"{shown}: not a critmin evidence database ({exc})") from None
        raise StoreError(f"{shown}: cannot open the database: {_open_reason(target, exc)}") from None
    except StoreError:
        conn.close()
        raise
    return conn


def _blocking_file(target: Path) -> str:
    """The first part of the database's folder path that exists but is a file."""
    for parent in reversed(target.parents):
        if parent.exists() and not parent.is_dir():
            return display_path(parent)
    return display_path(target.parent)


def _not_a_database(exc: sqlite3.Error) -> bool:
    """True for the errors of a file that is not an SQLite database (or is a damaged one)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "not a database" in str(exc)


def _open_reason(target: Path, exc: sqlite3.Error) -> str:
    """SQLite's reason, with the usual cause named: a folder or a file we may not write."""
    folder = target.parent if str(target.parent) else Path(".")
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"permission denied (cannot write in {display_path(folder)})"
    if target.exists() and not os.access(target, os.R_OK | os.W_OK):
        return "permission denied"
    return str(exc)


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
            for step in MIGRATIONS[version]:
                if isinstance(step, str):
                    for statement in _statements(step):
                        conn.execute(statement)
                else:
                    step(conn)
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
    """All or nothing: BEGIN IMMEDIATE ... COMMIT, or a SAVEPOINT inside an open transaction.

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
