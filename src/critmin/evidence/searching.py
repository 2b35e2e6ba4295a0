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
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from critmin.errors import UsageError
from critmin.evidence.link import AMBIGUOUS
from critmin.evidence.tokens import entity_query, entity_token, is_cjk, phrase_query, query_terms, term_query
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
    """BM25 score (higher is better), unrounded: a term found in most documents gets FTS5's
    floor IDF of 1e-6, so whole result lists can score around 0.000002."""
    relevance: float
    """The score relative to the best hit of the same search (1.0 for the best): comparable
    within one result list, and readable however small the raw scores are."""
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


@dataclass(frozen=True)
class Concept:
    """One thing the user asked for: its surface forms, and the entity it names, if any."""

    forms: list[str]
    """The user's words first, then every name of the entity or glossary translation."""
    entity: str | None = None
    """The entity's search token (see tokens.entity_token), when the words name one."""


def concepts(kb: KnowledgeBase, query: str) -> list[Concept]:
    """The query as concepts: the longest runs of words naming an entity or a glossary word."""
    words = query.split()
    found: list[Concept] = []
    i = 0
    while i < len(words):
        for width in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + width])
            entity = _entity(kb, phrase)
            forms = entity[0] if entity else glossary().get(normalise(phrase))
            if forms:
                found.append(Concept(list(dict.fromkeys([phrase, *forms])), entity[1] if entity else None))
                i += width
                break
        else:
            found.append(Concept([words[i]]))
            i += 1
    return found


def expand(kb: KnowledgeBase, query: str) -> list[list[str]]:
    """The query as a list of concepts, each a list of surface forms to OR together."""
    return [concept.forms for concept in concepts(kb, query)]


def _entity(kb: KnowledgeBase, phrase: str) -> tuple[list[str], str] | None:
    """The names and search token of the entity a phrase names, if it names one."""
    key = normalise(phrase)
    if not key or (key.isascii() and len(key) < 2):
        return None
    for gazetteer, table, kind in ((kb.material_names, kb.materials, "material"),
                                   (kb.country_names, kb.countries, "country"),
                                   (kb.company_names, kb.companies, "company")):
        found = gazetteer.lookup(phrase)
        if found is not None:
            entity = table[found]
            names = [entity.names.en, entity.names.zh, *entity.aliases]
            return ([n for n in names if len(normalise(n)) >= 2 or not n.isascii()],
                    entity_token(kind, entity.id))
    return None


def _shape(form: str) -> tuple[str, ...] | str | None:
    """What a form matches, for pruning: a Chinese run (str), Latin words (tuple), or None (mixed)."""
    runs = query_terms(form)
    if len(runs) == 1 and is_cjk(runs[0]):
        return runs[0]
    if runs and not any(is_cjk(r) for r in runs):
        return tuple(runs)
    return None


def _covers(general: tuple[str, ...] | str, specific: tuple[str, ...] | str) -> bool:
    """True when every text matching `specific` also matches `general`."""
    if isinstance(general, str) and isinstance(specific, str):
        return general in specific  # a character, or a run of consecutive bigrams
    if isinstance(general, tuple) and isinstance(specific, tuple):
        width = len(general)
        return any(specific[i:i + width] == general for i in range(len(specific) - width + 1))
    return False


def prune_forms(forms: list[str], *, keep: str | None = None) -> list[str]:
    """The forms worth searching for: distinct, not implied by a shorter form, not ambiguous.

    `金属镓` adds nothing once `镓` is searched, nor `rare earth elements` once `rare earth` is: an
    OR over them matches the same documents, and each extra phrase costs FTS5 a pass over its
    postings when ranking. Expanded names that are common words in a case-folded index (`us` for
    the USA, `apt` for ammonium paratungstate) are dropped; the user's own words (`keep`) never are.
    """
    shapes: dict[tuple[str, ...] | str | None, str] = {}
    mixed: list[str] = []
    for form in forms:
        shape = _shape(form)
        if shape is None:
            mixed.append(form)
            continue
        ambiguous = (isinstance(shape, tuple) and len(shape) == 1
                     and (len(shape[0]) <= 2 or shape[0] in AMBIGUOUS))
        if ambiguous and form != keep:
            continue
        shapes.setdefault(shape, form)
    kept = [form for shape, form in shapes.items()
            if shape is not None and not any(other != shape and other is not None and _covers(other, shape)
                                             for other in shapes)]
    return kept + mixed


def fts_expression(query_concepts: list[Concept]) -> str | None:
    """AND of concepts: an entity as its one entity token (ingest linked every spelling of it),
    anything else as an OR of its forms' phrase queries (the first form is the user's)."""
    parts = []
    for concept in query_concepts:
        if concept.entity is not None:
            parts.append(entity_query(concept.entity))
            continue
        forms = concept.forms
        alternatives = [q for q in (phrase_query(f) for f in prune_forms(forms, keep=forms[0])) if q]
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
    query_concepts = concepts(kb, query)
    expression = fts_expression(query_concepts)
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
    # entity filters ride on the index too: the document must carry the entity's token
    for kind, entity in (("material", material), ("country", country)):
        if entity is not None:
            params[0] = f"({params[0]}) AND {entity_query(entity_token(kind, entity))}"
    params.append(limit)
    # bm25 with the title weighted 5x; ranking the matches first and joining only the top ones
    # keeps document bodies out of the sort (FTS5's configurable `rank` column measured slower).
    filtered = (" AND search.rowid IN (SELECT d.id FROM documents d WHERE " + " AND ".join(where[1:]) + ")"
                if len(where) > 1 else "")
    rows = conn.execute(
        "SELECT d.id, d.title, d.publisher, d.published, d.language, d.body, d.source_file, top.rank"
        " FROM (SELECT search.rowid AS id, bm25(search, 5.0, 1.0, 1.0, 1.0) AS rank FROM search"
        f" WHERE search MATCH ?{filtered} ORDER BY rank LIMIT ?) AS top"
        " JOIN documents d ON d.id = top.id ORDER BY top.rank", params).fetchall()
    surface = [form for concept in query_concepts for form in concept.forms]
    best = -rows[0]["rank"] if rows else 0.0
    return [SearchHit(id=r["id"], title=r["title"], publisher=r["publisher"],
                      published=r["published"], language=r["language"], score=-r["rank"],
                      relevance=(-r["rank"] / best) if best > 0 else 1.0,
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
