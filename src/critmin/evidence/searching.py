"""Search the evidence store: BM25 over our own token streams, cross-lingual through names.

A query is read as concepts. Chinese typed without spaces is split first (names.segment:
dictionary words longest-match first, the rest in pairs of characters), so 稀土价格 is 稀土 + 价格.
A run of words that names a material, country or company (in any language) is searched as that
entity's linked token, together with the compounds, alloys and magnets of its family (钕 also
finds 钕铁硼); people, places and agencies of people_places.yaml as an OR of their names in both
languages; glossary words as an OR of their translations, so `dysprosium price` finds Chinese
documents about 镝 and 价格. Every piece of user text reaches FTS5 only as a quoted token string
(see tokens.py): FTS syntax typed by a user is searched for as text.

Documents holding every concept come first (`match: all`); when they are fewer than asked for,
documents holding some of them follow, most concepts first (`match: partial`), so two words that
never meet in one document still find both. Each hit's snippet comes from the paragraph that
matches best, in the language asked for: an English query over a Chinese paragraph shows the
paragraph's English twin where the document has one, and otherwise glosses the matched words.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from critmin.errors import UsageError
from critmin.evidence.link import AMBIGUOUS
from critmin.evidence.names import chinese_words, extra_names, named_thing, segment
from critmin.evidence.parse.detect import language_of
from critmin.evidence.prepare import META_FIELDS, meta_text
from critmin.evidence.tokens import entity_query, entity_token, is_cjk, phrase_query, query_terms, term_query
from critmin.kb import KnowledgeBase
from critmin.kb.gazetteer import normalise

MAX_PHRASE_WORDS = 4
SNIPPET_RADIUS = 70
#: Candidates read at most when a language filter or partial matches are ranked in Python.
MAX_CANDIDATES = 2000
#: Partial matches are added when fewer documents than this hold every concept: padding every
#: short list of full matches with documents holding one word of two raised recall@10 on the
#: judged tuning queries from 0.964 to 0.981 but cut precision@10 from 0.965 to 0.671.
PARTIAL_BELOW = 1

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_OR_NOT = re.compile(f"[{_CJK_CLASS}]+|[^{_CJK_CLASS}]+")


class SearchHit(BaseModel):
    """One document matching a query, best first."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    publisher: str | None
    published: str | None
    language: str
    """The document's language as a whole (zh, en or mixed)."""
    score: float
    """BM25 score (higher is better), unrounded: a term found in most documents gets FTS5's
    floor IDF of 1e-6, so whole result lists can score around 0.000002."""
    relevance: float
    """The score relative to the best hit of the same search (1.0 for the best): comparable
    within one result list, and readable however small the raw scores are."""
    snippet: str
    """Text around the first match in the best-matching paragraph, matches marked «like this»;
    for an English query over Chinese text, the paragraph's English twin or a gloss of the
    matched words."""
    source_file: str | None
    match: Literal["all", "partial"] = "all"
    """`all` when the document holds every concept of the query, `partial` when only some."""
    matched: int = 0
    """How many of the query's concepts the document holds."""
    lang: str | None = None
    """Language of the paragraph the snippet comes from (zh, en or mixed)."""
    read_as: str = ""
    """How the query was read: its concepts joined by ` + `, each with its gloss."""


@cache
def glossary() -> dict[str, tuple[str, ...]]:
    """Each glossary word (normalised) -> every word of its group."""
    groups = _glossary_groups()
    index: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for word in group:
            index[normalise(word)] = group
    return index


@cache
def _glossary_groups() -> tuple[tuple[str, ...], ...]:
    text = (resources.files("critmin.evidence") / "glossary.yaml").read_text("utf-8")
    groups: list[list[str]] = yaml.safe_load(text)
    return tuple(tuple(group) for group in groups)


@dataclass(frozen=True)
class Concept:
    """One thing the user asked for: its surface forms, and the entity it names, if any."""

    forms: list[str]
    """The user's words first, then every name of the entity or glossary translation."""
    entity: str | None = None
    """The entity's search token (see tokens.entity_token), when the words name one."""
    tokens: tuple[str, ...] = ()
    """Every entity token that counts as a match: the entity's, then its family's (钕铁硼 for 钕)
    or a glossary word's materials (NdFeB and SmCo magnets for 磁体)."""
    text_forms: tuple[str, ...] = ()
    """Forms an entity concept also searches as text: the character itself for a one-character
    query, names people_places.yaml adds to the entity."""
    gloss: str | None = None
    """The concept in the other language, for `read_as` and snippets."""
    entity_ids: tuple[str, ...] = ()
    """The knowledge-base ids behind `tokens`, to read only the mentions that matter."""
    segmented: bool = False
    """True when the words came from splitting a Chinese run typed without spaces."""

    @property
    def label(self) -> str:
        return self.forms[0]


def concepts(kb: KnowledgeBase, query: str) -> list[Concept]:
    """The query as concepts: Chinese runs segmented, then the longest runs of words naming an
    entity, a person or place, or a glossary word."""
    units = _units(kb, query)
    found: list[Concept] = []
    i = 0
    while i < len(units):
        for width in range(min(MAX_PHRASE_WORDS, len(units) - i), 0, -1):
            group = units[i:i + width]
            if width > 1 and any(is_cjk(text) for text, _ in group):
                continue  # Chinese pieces are already the longest dictionary words
            phrase = " ".join(text for text, _ in group)
            concept = _concept(kb, phrase, segmented=group[0][1])
            if concept is not None:
                found.append(concept)
                i += width
                break
        else:
            text, segmented = units[i]
            found.append(Concept([text], segmented=segmented))
            i += 1
    return found


def _units(kb: KnowledgeBase, query: str) -> list[tuple[str, bool]]:
    """Words of the query, each Chinese run split into dictionary words: (text, segmented)."""
    words = chinese_words(kb, tuple(w for g in _glossary_groups() for w in g))
    units: list[tuple[str, bool]] = []
    for word in query.split():
        for run in _CJK_OR_NOT.findall(word):
            if not is_cjk(run):
                units.append((run, False))
                continue
            pieces = segment(unicodedata.normalize("NFKC", run), words)
            if len(pieces) <= 1:
                units.append((pieces[0][0] if pieces else run, False))
            else:
                units += [(piece, True) for piece, _known in pieces]
    return units


def _concept(kb: KnowledgeBase, phrase: str, *, segmented: bool) -> Concept | None:
    """The concept a phrase names (entity, person or place, glossary word), or None."""
    single = len(phrase) == 1 and is_cjk(phrase) and not segmented
    entity = _entity(kb, phrase)
    if entity is not None:
        names, token, kind, entity_id, gloss = entity
        family = _family(kb).get(entity_id, ()) if kind == "material" else ()
        extra = tuple(extra_names(entity_id))
        return Concept(list(dict.fromkeys([phrase, *names, *extra])), token,
                       (token, *(entity_token("material", m) for m in family)),
                       ((phrase,) if single else ()) + extra, gloss, (entity_id, *family), segmented)
    thing = named_thing(phrase)
    if thing is not None:
        tokens: tuple[str, ...] = ()
        ids: tuple[str, ...] = ()
        if thing.same_as and thing.same_as in kb.companies:
            tokens, ids = (entity_token(kb.companies[thing.same_as].kind, thing.same_as),), (thing.same_as,)
        gloss = thing.en if is_cjk(phrase[:1]) else thing.zh
        names = [*thing.names, *(_names_of(kb, thing.same_as) if thing.same_as else [])]
        return Concept(list(dict.fromkeys([phrase, *names])), None, tokens, (), gloss, ids, segmented)
    group = glossary().get(normalise(phrase))
    groups = [group] if group else (_groups_with(phrase) if single else [])
    if groups:
        forms = list(dict.fromkeys([phrase, *(w for g in groups for w in g)]))
        ids = tuple(dict.fromkeys(m for g in groups for m in _group_materials(kb, g)))
        return Concept(forms, None, tuple(entity_token("material", m) for m in ids), (),
                       _gloss_of(phrase, forms), ids, segmented)
    return None


def _names_of(kb: KnowledgeBase, entity_id: str) -> list[str]:
    company = kb.companies.get(entity_id)
    return [company.names.en, company.names.zh, *company.aliases] if company else []


def _gloss_of(phrase: str, forms: Sequence[str]) -> str | None:
    """The first form in the other script than the phrase's."""
    chinese = is_cjk(phrase[:1])
    return next((f for f in forms if f != phrase and is_cjk(f[:1]) != chinese), None)


def _groups_with(character: str) -> list[tuple[str, ...]]:
    """Glossary groups with a Chinese word containing a character (磁 -> magnet: 磁体, 磁铁, 永磁)."""
    return [g for g in _glossary_groups() if any(is_cjk(w[:1]) and character in w for w in g)]


_FAMILIES: dict[int, dict[str, tuple[str, ...]]] = {}
_GROUP_MATERIALS: dict[tuple[int, tuple[str, ...]], tuple[str, ...]] = {}


def _family(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Element id -> the ids of the compounds, alloys and magnets named with its character.

    The linker links the longest name, so a document about 钕铁硼 carries the NdFeB token and not
    neodymium's, and one about 氧化镨钕 carries NdPr's: searching an element searches them too
    (and a compound finds its element's documents only through its own names, which hold the
    element's character: 钕铁硼 is found by 钕). Groups are not widened to their members: an OR
    over the 20 rare-earth tokens made every `rare earth` search 2-3x slower for one more hit on
    the judged queries.
    """
    families = _FAMILIES.get(id(kb))
    if families is None:
        families = {}
        for element in kb.materials.values():
            char = element.names.zh
            if len(char) != 1:
                continue
            members = tuple(m.id for m in kb.materials.values() if m.id != element.id and char in m.names.zh)
            if members:
                families[element.id] = members
        _FAMILIES[id(kb)] = families
    return families


def _group_materials(kb: KnowledgeBase, group: tuple[str, ...]) -> tuple[str, ...]:
    """Ids of the materials whose English name holds a word of the glossary group (magnet ->
    NdFeB magnets, SmCo magnets), so the word and its materials find each other."""
    key = (id(kb), group)
    found = _GROUP_MATERIALS.get(key)
    if found is None:
        latin = [w for w in group if not is_cjk(w[:1])]
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in latin) + r")\b", re.IGNORECASE)
        found = tuple(m.id for m in kb.materials.values() if latin and pattern.search(m.names.en))
        _GROUP_MATERIALS[key] = found
    return found


def expand(kb: KnowledgeBase, query: str) -> list[list[str]]:
    """The query as a list of concepts, each a list of surface forms to OR together."""
    return [concept.forms for concept in concepts(kb, query)]


def read_as(query_concepts: Sequence[Concept]) -> str:
    """How the query was read, for people: `稀土 (rare earths) + 价格 (price)`."""
    return " + ".join(f"{c.label} ({c.gloss})" if c.gloss else c.label for c in query_concepts)


def _entity(kb: KnowledgeBase, phrase: str) -> tuple[list[str], str, str, str, str | None] | None:
    """The names, search token, kind, id and gloss of the entity a phrase names, if it names one."""
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
            if key.isascii() and not _names_itself(key, [*names, entity.id]):
                continue
            gloss = entity.names.en if is_cjk(phrase[:1]) else entity.names.zh
            return ([n for n in names if len(normalise(n)) >= 2 or not n.isascii()],
                    entity_token(kind, entity.id), kind, entity.id, gloss)
    return None


def _names_itself(key: str, names: list[str]) -> bool:
    """True when a Latin key is one of the names, or the plural of one longer than three letters:
    the gazetteer also strips plural endings, which read `James` as `JAM`, Jamaica's code."""
    keys = {normalise(n) for n in names}
    if key in keys:
        return True
    stems = [key[:-3] + "y"] if key.endswith("ies") else []
    stems += [key[:-2], key[:-1]] if key.endswith("es") else [key[:-1]] if key.endswith("s") else []
    return any(len(stem) > 3 and stem in keys for stem in stems)


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


def _text_forms(concept: Concept) -> list[str]:
    """The forms a concept searches as text (after pruning)."""
    if concept.entity is not None:
        return prune_forms(list(concept.text_forms), keep=concept.label) if concept.text_forms else []
    return prune_forms(concept.forms, keep=concept.label)


def concept_expression(concept: Concept) -> str | None:
    """One concept as FTS5: its entity tokens (ingest linked every spelling of them) OR its text
    forms' phrase queries."""
    alternatives: list[str] = []
    tokens = list(dict.fromkeys(concept.tokens or ((concept.entity,) if concept.entity else ())))
    if len(tokens) == 1:
        alternatives.append(entity_query(tokens[0]))
    elif tokens:
        quoted = " OR ".join('"' + t + '"' for t in tokens)  # tokens are letters and digits only
        alternatives.append(f"{{title entities}} : ({quoted})")
    alternatives += [q for q in (phrase_query(f) for f in _text_forms(concept)) if q]
    alternatives = list(dict.fromkeys(alternatives))
    if not alternatives:
        return None
    if len(alternatives) == 1 and concept.entity is not None:
        return alternatives[0]
    return "(" + " OR ".join(alternatives) + ")"


def fts_expression(query_concepts: list[Concept]) -> str | None:
    """AND of concepts (see concept_expression)."""
    parts = [p for p in (concept_expression(c) for c in query_concepts) if p]
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
    """BM25-ranked documents with highlighted snippets: every concept first, then partial matches.

    With `lang`, a document counts when its paragraphs in that language hold the concepts (a
    digest's Chinese title is a Chinese paragraph even when its body is English).
    """
    if lang is not None and lang not in {"zh", "en"}:
        raise UsageError(f"unknown language {lang!r}; expected zh or en")
    query_concepts = [c for c in concepts(kb, query) if concept_expression(c)]
    expression = fts_expression(query_concepts)
    if expression is None:
        raise UsageError("the query has no words to search for")
    filters, filter_params = _filters(since, until, material, country)
    matcher = _Matcher(query_concepts)
    reading = read_as(query_concepts)
    hits: list[SearchHit] = []
    seen: set[int] = set()
    runs: list[tuple[str, Literal["all", "partial"]]] = [(expression, "all")]
    if len(query_concepts) > 1:
        runs.append((" OR ".join(p for p in (concept_expression(c) for c in query_concepts) if p), "partial"))
    for run_expression, kind in runs:
        if len(hits) >= limit or (kind == "partial" and len(hits) >= PARTIAL_BELOW):
            break
        want = limit - len(hits)
        # partial matches and language filters are decided per paragraph, in Python: read more
        fetch = want if (kind == "all" and lang is None) else min(MAX_CANDIDATES, max(4 * limit, 50))
        rows = _ranked(conn, run_expression, filters, filter_params, fetch + len(seen))
        rows = [r for r in rows if r["id"] not in seen]
        found = _hits(conn, rows, matcher, kind, lang, reading, query)
        if kind == "partial":
            found.sort(key=lambda h: -h.matched)  # stable: BM25 order within equal coverage
        for hit in found[:want]:
            seen.add(hit.id)
            hits.append(hit)
    # relative to the best full match; partial matches (scored by another expression) never above it
    best = max((h.score for h in hits if h.match == "all"), default=0.0) or max(
        (h.score for h in hits), default=0.0)
    return [h.model_copy(update={"relevance": min(1.0, h.score / best) if best > 0 else 1.0}) for h in hits]


def _filters(since: date | None, until: date | None, material: str | None,
             country: str | None) -> tuple[list[str], list[object]]:
    """SQL conditions on documents (dates) and FTS conditions (entity filters ride on the index)."""
    where: list[str] = []
    params: list[object] = []
    if since is not None:
        where.append("d.published >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("d.published < date(?, '+1 day')")
        params.append(until.isoformat())
    for kind, entity in (("material", material), ("country", country)):
        if entity is not None:
            where.append("MATCH:" + entity_query(entity_token(kind, entity)))
    return where, params


def _ranked(conn: sqlite3.Connection, expression: str, filters: list[str], params: list[object],
            limit: int) -> list[sqlite3.Row]:
    """The top documents for an FTS expression, BM25 with the title weighted 5x; ranking the
    matches first and joining only the top ones keeps document bodies out of the sort (FTS5's
    configurable `rank` column measured slower)."""
    match = expression
    for condition in filters:
        if condition.startswith("MATCH:"):
            match = f"({match}) AND {condition[6:]}"
    dated = [c for c in filters if not c.startswith("MATCH:")]
    restricted = (" AND search.rowid IN (SELECT d.id FROM documents d WHERE " + " AND ".join(dated) + ")"
                  if dated else "")
    return conn.execute(
        "SELECT d.id, d.title, d.publisher, d.published, d.language, d.format, d.body, d.summary, d.metadata,"
        " d.source_file,"
        " top.rank FROM (SELECT search.rowid AS id, bm25(search, 5.0, 1.0, 1.0, 1.0) AS rank FROM search"
        f" WHERE search MATCH ?{restricted} ORDER BY rank LIMIT ?) AS top"
        " JOIN documents d ON d.id = top.id ORDER BY top.rank", [match, *params, limit]).fetchall()


@dataclass
class _Field:
    """One searchable piece of a document: a paragraph's text or English twin, the summary or the
    front matter, with its language and the entity tokens linked in it."""

    position: int
    text: str
    language: str
    tokens: set[str] = field(default_factory=set)
    names: list[tuple[str, str]] = field(default_factory=list)
    """(token, name as written) of each linked mention, to mark the matched ones."""
    twin: str | None = None
    """The English twin of a Chinese paragraph."""
    linked: bool = True
    """False for the summary and the front matter, which have no linked mentions."""


def _fields(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row],
            matcher: _Matcher) -> dict[int, list[_Field]]:
    """The fields of each document, read in two statements for all of them (of the mentions,
    only the front matter's and those of the query's entities)."""
    ids = [int(r["id"]) for r in rows]
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    wanted = sorted({e for c in matcher.concepts for e in c.entity_ids})
    entity_marks = ", ".join("?" * len(wanted))
    by_paragraph: dict[tuple[int, str], _Field] = {}
    out: dict[int, list[_Field]] = {i: [] for i in ids}
    for p in conn.execute(f"SELECT id, document_id, position, text, english, language FROM paragraphs"
                          f" WHERE document_id IN ({marks}) ORDER BY document_id, position", ids):
        text_field = _Field(p["position"], p["text"], p["language"] or language_of(p["text"]),
                            twin=p["english"])
        out[p["document_id"]].append(text_field)
        by_paragraph[(p["id"], "text")] = text_field
        if p["english"]:
            twin = _Field(p["position"], p["english"], "en")
            out[p["document_id"]].append(twin)
            by_paragraph[(p["id"], "english")] = twin
    meta_names: dict[int, list[str]] = {}
    for m in conn.execute(f"SELECT document_id, paragraph_id, field, kind, entity_id, name FROM mentions"
                          f" WHERE document_id IN ({marks}) AND (paragraph_id IS NULL"
                          f" OR entity_id IN ({entity_marks}))", [*ids, *wanted]):
        if m["paragraph_id"] is None:
            if m["kind"] in META_FIELDS:
                meta_names.setdefault(m["document_id"], []).append(m["name"])
            continue
        target = by_paragraph.get((m["paragraph_id"], m["field"]))
        if target is not None and m["entity_id"]:
            token = entity_token(m["kind"], m["entity_id"])
            target.tokens.add(token)
            target.names.append((token, m["name"]))
    for r in rows:
        doc_id = int(r["id"])
        if r["summary"]:
            out[doc_id].append(_Field(10**6, r["summary"], language_of(r["summary"]), linked=False))
        meta = meta_text(json.loads(r["metadata"] or "{}"), meta_names.get(doc_id, []))
        if meta:
            out[doc_id].append(_Field(10**6 + 1, meta, language_of(meta), linked=False))
    return out


class _Matcher:
    """Which concepts a field holds, decided the way the index does: in a paragraph, an entity by
    its linked token (ingest found every spelling) and other concepts by their forms as text
    (Chinese anywhere, Latin words on word boundaries); in the summary and the front matter,
    which carry no linked mentions, every concept by its names."""

    def __init__(self, query_concepts: Sequence[Concept]) -> None:
        self.concepts = list(query_concepts)
        self._linked = [self._pattern(c, list(c.text_forms) if c.entity else _text_forms(c))
                        for c in self.concepts]
        self._unlinked = [self._pattern(c, [*_text_forms(c), *c.forms]) if c.entity else pattern
                          for c, pattern in zip(self.concepts, self._linked, strict=True)]
        self.query_language = _query_language(c.label for c in self.concepts)
        self.marks = tuple(dict.fromkeys(f for c in self.concepts for f in (*_text_forms(c), *c.forms)))

    @staticmethod
    def _pattern(concept: Concept, forms: list[str]) -> re.Pattern[str] | None:
        parts = []
        for form in sorted(dict.fromkeys(forms), key=len, reverse=True):
            folded = unicodedata.normalize("NFKC", form).casefold()
            if folded and all(is_cjk(ch) for ch in folded):
                parts.append(re.escape(folded))
            else:
                terms = query_terms(folded)
                if not terms or (len(terms) == 1 and len(terms[0]) <= 2 and form != concept.label):
                    continue  # `us`, `Ga`: matched through the entity token, not as text
                parts.append(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(t) for t in terms) + r"(?![^\W_])")
        return re.compile("|".join(parts)) if parts else None

    def matches(self, piece: _Field) -> list[int]:
        """Indexes of the concepts the field holds."""
        folded: str | None = None
        patterns = self._linked if piece.linked else self._unlinked
        held = []
        for index, concept in enumerate(self.concepts):
            if concept.tokens and not piece.tokens.isdisjoint(concept.tokens):
                held.append(index)
                continue
            pattern = patterns[index]
            if pattern is not None:
                if folded is None:
                    folded = unicodedata.normalize("NFKC", piece.text).casefold()
                if pattern.search(folded):
                    held.append(index)
        return held

    def surface(self, piece: _Field, held: Sequence[int]) -> list[str]:
        """The words to mark in a field: the linked names of the matched concepts, then all forms."""
        tokens = {t for i in held for t in self.concepts[i].tokens}
        return [*(name for token, name in piece.names if token in tokens), *self.marks]


def _query_language(labels: Iterable[str]) -> str:
    kinds = {is_cjk(label[:1]) for label in labels}
    return "mixed" if len(kinds) > 1 else ("zh" if kinds == {True} else "en")


def _hits(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row], matcher: _Matcher,
          kind: Literal["all", "partial"], lang: str | None, reading: str, query: str) -> list[SearchHit]:
    """Hits for ranked rows: the best field of each picked for the snippet; with `lang`, only
    documents whose fields in that language hold the concepts (all of them, or one for partial).

    Fields are tried in the order a snippet prefers them (the language asked for or the query's,
    then reading order) and the walk stops at the first one holding every concept: most
    documents answer at their first or second paragraph.
    """
    total = len(matcher.concepts)
    # only bilingual posts (Markdown) have English twins: without a language filter the others'
    # snippets come from one scan of title and body, as before paragraphs were read
    quick = lang is None and kind == "all"
    fields = _fields(conn, [r for r in rows if not quick or r["format"] == "markdown"], matcher)
    preferred = lang or matcher.query_language
    out: list[SearchHit] = []
    for r in rows:
        if quick and r["format"] != "markdown":
            out.append(_quick_hit(r, matcher, reading or query))
            continue
        pieces = fields.get(int(r["id"]), [])
        if lang is not None:
            pieces = [p for p in pieces if p.language in (lang, "mixed")]
        pieces.sort(key=lambda p: (p.language != preferred, p.position))
        best: tuple[_Field, list[int]] | None = None
        held_any: set[int] = set()
        for piece in pieces:
            held = matcher.matches(piece)
            held_any.update(held)
            if held and (best is None or len(held) > len(best[1])):
                best = (piece, held)
            if len(held) == total and (kind == "all" or lang is not None):
                break
        if lang is not None and ((kind == "all" and len(held_any) < total) or not held_any):
            continue
        text, gloss = f"{r['title']}", ""
        piece_lang: str | None = None
        marks: list[str] = list(matcher.marks)
        if best is not None:
            piece, held = best
            text, piece_lang, marks = piece.text, piece.language, matcher.surface(piece, held)
            if piece.position == 0:  # the title is shown anyway: continue into the body
                text += "\n" + next((p.text for p in fields[int(r["id"])] if p.position == 1), "")
            if lang is None and matcher.query_language == "en" and piece.language == "zh":
                if piece.twin:
                    text, piece_lang = piece.twin, "en"
                else:
                    gloss = "; ".join(_gloss_in(piece.text, matcher.concepts[i]) for i in held)
        shown = snippet(text, marks) + (f" ({gloss})" if gloss else "")
        out.append(SearchHit(id=r["id"], title=r["title"], publisher=r["publisher"], published=r["published"],
                             language=r["language"], score=-r["rank"], relevance=1.0, snippet=shown,
                             source_file=r["source_file"], match=kind,
                             matched=len(held_any) if kind == "partial" else total, lang=piece_lang,
                             read_as=reading or query))
    return out


def _quick_hit(r: sqlite3.Row, matcher: _Matcher, reading: str) -> SearchHit:
    """A full match's hit with its snippet from the title and body, glossed for an English
    query when the window is Chinese."""
    shown = snippet(f"{r['title']}\n{r['body']}", list(matcher.marks))
    piece_lang = language_of(shown.replace("«", "").replace("»", ""))
    if matcher.query_language == "en" and piece_lang == "zh":
        glosses = [_gloss_in(shown, c) for c in matcher.concepts
                   if any(is_cjk(f[:1]) and f in shown for f in c.forms)]
        if glosses:
            shown += f" ({'; '.join(glosses)})"
    return SearchHit(id=r["id"], title=r["title"], publisher=r["publisher"], published=r["published"],
                     language=r["language"], score=-r["rank"], relevance=1.0, snippet=shown,
                     source_file=r["source_file"], match="all", matched=len(matcher.concepts),
                     lang=piece_lang, read_as=reading)


def _gloss_in(text: str, concept: Concept) -> str:
    """What a Chinese text's words mean in the user's English: `特朗普 = Trump`."""
    found = next((f for f in sorted(concept.forms, key=len, reverse=True) if is_cjk(f[:1]) and f in text),
                 concept.gloss)
    return f"{found} = {concept.label}" if found else concept.label


@lru_cache(maxsize=256)  # the hits of one search share their terms
def _mark_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(
        re.escape(t) if not t.isascii() else r"(?<![A-Za-z0-9])" + re.escape(t) + r"(?![A-Za-z0-9])"
        for t in terms), re.IGNORECASE)


def snippet(text: str, forms: list[str]) -> str:
    """A window of text around the earliest match of any form, every match marked «».

    Latin forms are marked as whole words (`mine` is not marked inside `mines`), Chinese ones
    wherever they occur.
    """
    terms = tuple(sorted({f.strip() for f in forms if f.strip()}, key=lambda t: (-len(t), t)))
    if not terms:
        return text[: 2 * SNIPPET_RADIUS]
    pattern = _mark_pattern(terms)
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
