"""The evidence store seen from the web: search, facts, digests, and document uploads.

Each read opens its own connection and closes it, so concurrent requests never share one; the
store runs in WAL mode, so reads go on while an upload is being ingested. Uploads are ingested
one at a time per process (one writer), from memory: nothing uploaded is written to disk except
into the database. User text reaches the search engine only through `critmin.evidence.searching`,
which passes it to FTS5 as quoted tokens, never as query syntax.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase, Material
from critmin.web.errors import WebError

_writer = threading.Lock()


def db_path(db: Path | None) -> Path:
    """The configured database, else CRITMIN_DB, else the default in the user data folder."""
    from critmin.evidence import default_db_path

    return db or default_db_path()


def exists(db: Path | None) -> bool:
    return db_path(db).is_file()


@contextmanager
def reading(db: Path | None) -> Iterator[sqlite3.Connection]:
    """A read connection for one request; 404 with what to do when there is no database yet."""
    from critmin.evidence import connect

    path = db_path(db)
    if not path.is_file():
        raise WebError(404, "no evidence database yet: ingest documents first "
                            "(`critmin ingest PATH`, or POST /api/v1/documents)")
    with closing(connect(path, read_only=True)) as conn:
        yield conn


class SearchFilters(BaseModel):
    """Filters of an evidence search, as validated at the edge."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    q: str = Field(min_length=1, max_length=500)
    """Words in English or Chinese; any text is searched as text."""
    since: dt.date | None = None
    """Published on or after this date."""
    until: dt.date | None = None
    """Published on or before this date."""
    lang: str | None = Field(default=None, pattern="^(zh|en)$")
    """zh or en."""
    material: str | None = Field(default=None, max_length=100)
    """Only documents mentioning this material (any name)."""
    country: str | None = Field(default=None, max_length=100)
    """Only documents mentioning this country (any name)."""
    limit: int = Field(default=20, ge=1, le=100)
    """Most hits returned."""

    @field_validator("since", "until", "lang", "material", "country", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An empty form field means no filter."""
        return None if isinstance(value, str) and not value.strip() else value


def search(kb: KnowledgeBase, db: Path | None, filters: SearchFilters) -> list[Any]:
    """BM25-ranked hits with snippets (critmin.evidence.searching)."""
    from critmin.evidence import search as run_search

    material = kb.material(filters.material).id if filters.material else None
    country = kb.country(filters.country).id if filters.country else None
    with reading(db) as conn:
        hits: list[Any] = run_search(conn, kb, filters.q, since=filters.since, until=filters.until,
                                     lang=filters.lang, material=material, country=country,
                                     limit=filters.limit)
    return hits


def facts(kb: KnowledgeBase, db: Path | None, *, material: str | None, country: str | None,
          kind: str | None, limit: int) -> list[Any]:
    """Numeric claims with their sentences; a material includes its family."""
    from critmin.evidence import facts as read_facts

    materials: set[str] | None = None
    if material:
        found = kb.material(material)
        materials = {found.id} | {m.id for m in kb.materials.values() if m.parent == found.id}
    country_id = kb.country(country).id if country else None
    with reading(db) as conn:
        rows: list[Any] = read_facts(conn, materials=materials, country=country_id, kind=kind, limit=limit)
    return rows


def digest(kb: KnowledgeBase, db: Path | None, topic: str, since: dt.date | None) -> Any:
    """A cited digest of a topic."""
    from critmin.evidence import digest as make_digest

    with reading(db) as conn:
        return make_digest(conn, kb, topic, since=since)


class Snippet(BaseModel):
    """A passage of a stored document that mentions the material, with its citation."""

    model_config = ConfigDict(frozen=True)

    document_id: int
    title: str
    publisher: str | None
    published: str | None
    snippet: str


class MaterialEvidence(BaseModel):
    """What the evidence store says about a material, or why it says nothing."""

    model_config = ConfigDict(frozen=True)

    available: bool
    """False when there is no evidence database yet."""
    snippets: list[Snippet] = Field(default_factory=list)
    facts: list[dict[str, Any]] = Field(default_factory=list)
    """Numeric claims (see critmin facts), newest document first."""


def material_evidence(kb: KnowledgeBase, material: Material, family: set[str], db: Path | None,
                      limit: int = 5) -> MaterialEvidence:
    """Latest snippets and figures mentioning the material; an empty state without a database."""
    from critmin.evidence import facts as read_facts
    from critmin.evidence import search as run_search

    if not exists(db):
        return MaterialEvidence(available=False)
    with reading(db) as conn:
        try:
            hits = run_search(conn, kb, material.names.en, limit=limit)
        except CritminError:
            hits = []
        # counts ("17 companies") say little on their own: the page shows the other kinds
        rows = [r for r in read_facts(conn, materials=family, limit=limit * 6)
                if r.kind != "count"][:limit]
    newest = sorted(hits, key=lambda h: h.published or "", reverse=True)
    return MaterialEvidence(
        available=True,
        snippets=[Snippet(document_id=h.id, title=h.title, publisher=h.publisher, published=h.published,
                          snippet=h.snippet) for h in newest],
        facts=[r.model_dump(mode="json") for r in rows])


class IngestResult(BaseModel):
    """What an upload did: counts, and each failed file as `name: reason`."""

    model_config = ConfigDict(frozen=True)

    ingested: int
    duplicates: int
    near_duplicates: int
    failed: list[str]
    document_ids: list[int]


def ingest_upload(kb: KnowledgeBase, db: Path | None, files: list[tuple[str, bytes]]) -> IngestResult:
    """Parse and store uploaded documents (name, bytes), one writer at a time, nothing on disk."""
    from critmin.evidence import connect, ingest_uploads, linker_for

    with _writer, closing(connect(db_path(db))) as conn:
        report = ingest_uploads(conn, linker_for(kb), files)
    return IngestResult(ingested=report.ingested, duplicates=report.duplicates,
                        near_duplicates=report.near_duplicates, failed=report.failed,
                        document_ids=report.document_ids)
