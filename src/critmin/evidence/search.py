"""Search the evidence store: BM25 over our own token streams, cross-lingual through names.

A query is split into terms; a run of words that names a material, country or company (in any
language) becomes an OR over all that entity's names, and glossary words over their
translations, so `dysprosium price` finds Chinese documents about 镝 and 价格. Every piece of
user text reaches FTS5 only as a quoted token string (see tokens.py): FTS syntax typed by a user
is searched for as text.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from critmin.errors import UsageError
from critmin.evidence.tokens import phrase_query, query_terms, term_query
from critmin.kb import KnowledgeBase
from critmin.kb.gazetteer import normalise

MAX_PHRASE_WORDS = 4
SNIPPET_RADIUS = 70


class SearchHit(BaseModel):
    """One document matching a query, best first."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    publisher: str | None
    published: str | None
    language: str
    score: float
    """BM25 score (higher is better)."""
    snippet: str
    """Text around the first match, matches marked «like this»."""
    source_file: str | None


@cache
def glossary() -> dict[str, tuple[str, ...]]:
    """Each glossary word (normalised) -> every word of its group."""
    text = (resources.files("critmin.evidence") / "glossary.yaml").read_text("utf-8")
    groups: list[list[str]] = yaml.safe_load(text)
    index: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for word in group:
            index[normalise(word)] = tuple(group)
    return index


def expand(kb: KnowledgeBase, query: str) -> list[list[str]]:
    """The query as a list of concepts, each a list of surface forms to OR together."""
    words = query.split()
    concepts: list[list[str]] = []
    i = 0
    while i < len(words):
        for width in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + width])
            forms = _entity_forms(kb, phrase) or glossary().get(normalise(phrase))
            if forms:
                concepts.append(list(dict.fromkeys([phrase, *forms])))
                i += width
                break
        else:
            concepts.append([words[i]])
            i += 1
    return concepts


def _entity_forms(kb: KnowledgeBase, phrase: str) -> list[str] | None:
    key = normalise(phrase)
    if not key or (key.isascii() and len(key) < 2):
        return None
    for gazetteer, table in ((kb.material_names, kb.materials), (kb.country_names, kb.countries),
                             (kb.company_names, kb.companies)):
        found = gazetteer.lookup(phrase)
        if found is not None:
            entity = table[found]
            names = [entity.names.en, entity.names.zh, *entity.aliases]
            return [n for n in names if len(normalise(n)) >= 2 or not n.isascii()]
    return None


def fts_expression(concepts: list[list[str]]) -> str | None:
    """AND of concepts, each an OR of its forms' phrase queries."""
    parts = []
    for forms in concepts:
        alternatives = [q for q in (phrase_query(f) for f in forms) if q]
        if alternatives:
            parts.append("(" + " OR ".join(dict.fromkeys(alternatives)) + ")")
    return " AND ".join(parts) if parts else None


def search(
    conn: sqlite3.Connection,
    kb: KnowledgeBase,
    query: str,
    *,
    since: date | None = None,
    until: date | None = None,
    lang: str | None = None,
    material: str | None = None,
    country: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """BM25-ranked documents with highlighted snippets."""
    if lang is not None and lang not in {"zh", "en"}:
        raise UsageError(f"unknown language {lang!r}; expected zh or en")
    concepts = expand(kb, query)
    expression = fts_expression(concepts)
    if expression is None:
        raise UsageError("the query has no words to search for")
    where = ["search MATCH ?"]
    params: list[object] = [expression]
    if since is not None:
        where.append("d.published >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("d.published < date(?, '+1 day')")
        params.append(until.isoformat())
    if lang is not None:
        where.append("d.language IN (?, 'mixed')")
        params.append(lang)
    for entity in (material, country):
        if entity is not None:
            where.append("d.id IN (SELECT document_id FROM mentions WHERE entity_id = ?)")
            params.append(entity)
    params.append(limit)
    rows = conn.execute(
        "SELECT d.id, d.title, d.publisher, d.published, d.language, d.body, d.source_file,"
        " bm25(search, 5.0, 1.0, 1.0) AS rank FROM search JOIN documents d ON d.id = search.rowid"
        f" WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?", params).fetchall()
    surface = [form for forms in concepts for form in forms]
    return [SearchHit(id=r["id"], title=r["title"], publisher=r["publisher"],
                      published=r["published"], language=r["language"], score=round(-r["rank"], 4),
                      snippet=snippet(f"{r['title']}\n{r['body']}", surface),
                      source_file=r["source_file"]) for r in rows]


def snippet(text: str, forms: list[str]) -> str:
    """A window of text around the earliest match of any form, every match marked «»."""
    terms = sorted({t for f in forms for t in ([f] if not f.isascii() else [f, *query_terms(f)])
                    if len(t) >= 1}, key=len, reverse=True)
    if not terms:
        return text[: 2 * SNIPPET_RADIUS]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return " ".join(text[: 2 * SNIPPET_RADIUS].split())
    start = max(0, first.start() - SNIPPET_RADIUS)
    end = min(len(text), first.end() + SNIPPET_RADIUS)
    window = " ".join(text[start:end].split())
    marked = pattern.sub(lambda m: f"«{m.group(0)}»", window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")


def term_only_query(text: str) -> str | None:
    """An FTS expression for plain terms without expansion (for benchmarks and tests)."""
    parts = [q for q in (term_query(t) for t in text.split()) if q]
    return " AND ".join(parts) if parts else None
