"""Reading the store back: stored documents, one document in full, and numeric claims.

Every fact row carries what a reader needs to check it: the value and unit, the verbatim
sentence, and the document's title, publisher, date and paragraph number.
"""

from __future__ import annotations

import json
import sqlite3

from pydantic import BaseModel, ConfigDict

from critmin.errors import CritminError, UsageError

FIGURE_KINDS = ("percent", "mass", "money", "count", "date", "purity", "change", "range", "multiple",
                "fraction", "duration", "price")


class DocumentSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    publisher: str | None
    published: str | None
    language: str
    format: str
    paragraphs: int
    figures: int
    near_duplicates: int
    """Republished copies linked to this document."""
    source_file: str | None


class ParagraphView(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    """0 is the title; the body starts at 1."""
    heading: str | None
    text: str
    english: str | None
    group_no: int | None
    refs: list[int]


class DocumentView(BaseModel):
    model_config = ConfigDict(frozen=True)

    summary: DocumentSummary
    viewpoint: str | None
    source_url: str | None
    metadata: dict[str, str]
    paragraphs: list[ParagraphView]
    entities: list[dict[str, str | None]]
    """Distinct linked or recorded mentions: kind, entity_id, name."""
    duplicates: list[dict[str, str | float | None]]


class Fact(BaseModel):
    """A numeric claim and where it was said."""

    model_config = ConfigDict(frozen=True)

    kind: str
    value: float
    unit: str
    currency: str | None
    original: str
    sentence: str
    material: str | None
    country: str | None
    document_id: int
    title: str
    publisher: str | None
    published: str | None
    paragraph: int


_SUMMARY_SQL = """
SELECT d.id, d.title, d.publisher, d.published, d.language, d.format, d.source_file,
       (SELECT count(*) FROM paragraphs p WHERE p.document_id = d.id) - 1 AS paragraphs,
       (SELECT count(*) FROM figures f WHERE f.document_id = d.id) AS figures,
       (SELECT count(*) FROM near_duplicates n WHERE n.original_id = d.id) AS near_duplicates
FROM documents d
"""


def _summary(row: sqlite3.Row) -> DocumentSummary:
    return DocumentSummary(**{k: row[k] for k in row.keys()})  # noqa: SIM118


def list_documents(conn: sqlite3.Connection, limit: int | None = None) -> list[DocumentSummary]:
    """Stored documents, newest publication first."""
    sql = _SUMMARY_SQL + " ORDER BY d.published DESC, d.id" + (" LIMIT ?" if limit else "")
    return [_summary(r) for r in conn.execute(sql, (limit,) if limit else ()).fetchall()]


#: Largest id SQLite can hold (a signed 64-bit integer); a larger number names no document.
MAX_ID = 2**63 - 1


def show_document(conn: sqlite3.Connection, doc_id: int) -> DocumentView:
    row = (conn.execute(_SUMMARY_SQL + " WHERE d.id = ?", (doc_id,)).fetchone()
           if -MAX_ID <= doc_id <= MAX_ID else None)
    if row is None:
        raise CritminError(f"no document with id {doc_id} (see `critmin docs`)")
    extra = conn.execute("SELECT viewpoint, source_url, metadata FROM documents WHERE id = ?",
                         (doc_id,)).fetchone()
    paragraphs = [ParagraphView(position=p["position"], heading=p["heading"], text=p["text"],
                                english=p["english"], group_no=p["group_no"], refs=json.loads(p["refs"]))
                  for p in conn.execute("SELECT * FROM paragraphs WHERE document_id = ? ORDER BY position",
                                        (doc_id,))]
    entities = [dict(r) for r in conn.execute(
        "SELECT kind, entity_id, min(name) AS name FROM mentions WHERE document_id = ?"
        " GROUP BY kind, coalesce(entity_id, name) ORDER BY kind, name", (doc_id,))]
    duplicates = [dict(r) for r in conn.execute(
        "SELECT title, publisher, published, source_file, similarity FROM near_duplicates"
        " WHERE original_id = ?", (doc_id,))]
    return DocumentView(summary=_summary(row), viewpoint=extra["viewpoint"],
                        source_url=extra["source_url"], metadata=json.loads(extra["metadata"]),
                        paragraphs=paragraphs, entities=entities, duplicates=duplicates)


def facts(
    conn: sqlite3.Connection,
    *,
    materials: set[str] | None = None,
    country: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[Fact]:
    """Numeric claims, optionally about a material (or its family) or a country, or of a kind."""
    if kind is not None and kind not in FIGURE_KINDS:
        raise UsageError(f"unknown figure kind {kind!r}; expected one of: {', '.join(FIGURE_KINDS)}")
    where = []
    params: list[object] = []
    if materials:
        where.append(f"f.material_id IN ({','.join('?' * len(materials))})")
        params += sorted(materials)
    if country is not None:
        where.append("f.country_id = ?")
        params.append(country)
    if kind is not None:
        where.append("f.kind = ?")
        params.append(kind)
    sql = ("SELECT f.kind, f.value, f.unit, f.currency, f.original, f.sentence, f.material_id AS material,"
           " f.country_id AS country, d.id AS document_id, d.title, d.publisher, d.published,"
           " p.position AS paragraph FROM figures f JOIN documents d ON d.id = f.document_id"
           " JOIN paragraphs p ON p.id = f.paragraph_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY d.published DESC, d.id, p.position, f.start"
           + (" LIMIT ?" if limit else ""))
    if limit:
        params.append(limit)
    return [Fact(**dict(r)) for r in conn.execute(sql, params).fetchall()]
