"""Digests ("workflows"): a topic summarised in the house style, every point cited.

    Core Viewpoint - <the most relevant, most central sentence> [1][2]
    Group 1: <theme> - <point> [3] - <point> [1][4]
    ...
    References: [n] title, publisher, date, paragraph p

Offline and deterministic by default: sentences of the documents that match the topic are
ranked by relevance (how many of the topic's concepts they mention, in either language) and
centrality (how much they share with the other candidates), near-duplicate points are dropped,
and the rest are grouped by the entity they are mostly about. A `Summariser` may rewrite the
result's wording later (an OpenAI-compatible endpoint, off unless configured); the citations
stay those of the extractive digest.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from critmin.errors import CritminError
from critmin.evidence.link import linker_for
from critmin.evidence.searching import expand, search
from critmin.evidence.sentences import split_sentences
from critmin.evidence.tokens import index_streams
from critmin.kb import KnowledgeBase

_MARKERS = re.compile(r"\s*(?:\[\d+\])+")
_FIGURE_HINT = re.compile(r"\d")
NEAR_DUPLICATE_POINT = 0.5
OTHER_THEME = "Other developments"


class Reference(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    document_id: int
    title: str
    publisher: str | None
    published: str | None
    paragraph: int


class Point(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    refs: list[int]
    """Reference numbers, resolving to `Digest.references`."""


class Group(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    heading: str
    points: list[Point]


class Digest(BaseModel):
    """A topic digest: one viewpoint, themed groups of points, numbered references."""

    model_config = ConfigDict(frozen=True)

    topic: str
    viewpoint: Point
    groups: list[Group] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    documents_considered: int


class Summariser(Protocol):
    """Rewrites a digest's wording; must keep every point's references."""

    def rewrite(self, digest: Digest) -> Digest: ...


@dataclass
class _Candidate:
    text: str
    document_id: int
    paragraph_id: int
    position: int
    tokens: frozenset[str]
    relevance: float
    entities: Counter[str]
    score: float = 0.0


def digest(
    conn: sqlite3.Connection,
    kb: KnowledgeBase,
    topic: str,
    *,
    since: date | None = None,
    max_documents: int = 30,
    max_groups: int = 5,
    points_per_group: int = 4,
    summariser: Summariser | None = None,
) -> Digest:
    """Build the digest of a topic from the store."""
    hits = search(conn, kb, topic, since=since, limit=max_documents)
    if not hits:
        raise CritminError(f"no stored document matches {topic!r}; ingest documents first "
                           "or try other words")
    concepts = expand(kb, topic)
    candidates = _candidates(conn, kb, [h.id for h in hits], concepts)
    if not candidates:
        raise CritminError(f"the documents matching {topic!r} have no usable sentences")
    _score(candidates)
    chosen = _select(candidates, limit=1 + max_groups * points_per_group)
    topic_entities = {m.entity_id for m in linker_for(kb).mentions(topic) if m.entity_id}
    references: dict[tuple[int, int], int] = {}

    def cite(candidate: _Candidate) -> Point:
        key = (candidate.document_id, candidate.position)
        if key not in references:
            references[key] = len(references) + 1
        return Point(text=candidate.text, refs=[references[key]])

    viewpoint = cite(chosen[0])
    themes: dict[str, list[_Candidate]] = {}
    for candidate in chosen[1:]:
        themes.setdefault(_theme(kb, candidate, topic_entities), []).append(candidate)
    ordered = sorted(themes.items(), key=lambda kv: (kv[0] == OTHER_THEME,
                                                     -sum(c.score for c in kv[1]), kv[0]))
    groups = [Group(number=n, heading=heading,
                    points=[cite(c) for c in members[:points_per_group]])
              for n, (heading, members) in enumerate(ordered[:max_groups], start=1)]
    result = Digest(topic=topic, viewpoint=viewpoint, groups=groups,
                    references=_references(conn, references), documents_considered=len(hits))
    return summariser.rewrite(result) if summariser is not None else result


def _candidates(
    conn: sqlite3.Connection, kb: KnowledgeBase, doc_ids: list[int], concepts: list[list[str]]
) -> list[_Candidate]:
    linker = linker_for(kb)
    lowered_concepts = [[f.lower() for f in forms] for forms in concepts]
    placeholders = ",".join("?" * len(doc_ids))
    rows = conn.execute(
        f"SELECT id, document_id, position, text, english FROM paragraphs WHERE document_id IN"
        f" ({placeholders}) AND position > 0 ORDER BY document_id, position", doc_ids).fetchall()
    out: list[_Candidate] = []
    for row in rows:
        for source in (row["english"], row["text"]):
            if not source:
                continue
            for start, end in split_sentences(source):
                sentence = _MARKERS.sub("", source[start:end]).strip(" -")
                if len(sentence) < 12:
                    continue
                lowered = sentence.lower()
                hits = sum(1 for forms in lowered_concepts if any(f in lowered for f in forms))
                words, _ = index_streams(sentence)
                entities = Counter(m.entity_id for m in linker.mentions(sentence) if m.entity_id)
                out.append(_Candidate(
                    text=sentence, document_id=row["document_id"], paragraph_id=row["id"],
                    position=row["position"], tokens=frozenset(words.split()),
                    relevance=hits / max(1, len(lowered_concepts)), entities=entities))
            if row["english"]:
                break  # the English twin and its Chinese original say the same thing
    relevant = [c for c in out if c.relevance > 0]
    return relevant if len(relevant) >= 3 else out


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _score(candidates: list[_Candidate]) -> None:
    document_frequency: Counter[str] = Counter()
    for c in candidates:
        document_frequency.update(c.tokens)
    total = len(candidates)
    for c in candidates:
        # centrality: how much of this sentence's vocabulary the other candidates share
        shared = sum(document_frequency[t] - 1 for t in c.tokens) / max(1, len(c.tokens))
        centrality = shared / max(1, total - 1)
        has_figure = 0.2 if _FIGURE_HINT.search(c.text) else 0.0
        c.score = 2.0 * c.relevance + centrality + has_figure


def _select(candidates: list[_Candidate], *, limit: int) -> list[_Candidate]:
    ranked = sorted(candidates, key=lambda c: (-c.score, c.document_id, c.position, c.text))
    chosen: list[_Candidate] = []
    for candidate in ranked:
        if any(_jaccard(candidate.tokens, c.tokens) > NEAR_DUPLICATE_POINT for c in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) >= limit:
            break
    return chosen


def _theme(kb: KnowledgeBase, candidate: _Candidate, topic_entities: set[str]) -> str:
    for entity_id, _ in candidate.entities.most_common():
        if entity_id in topic_entities:
            continue
        for table in (kb.countries, kb.materials, kb.companies):
            if entity_id in table:
                return str(table[entity_id].names.en)
    return OTHER_THEME


def _references(conn: sqlite3.Connection, numbers: dict[tuple[int, int], int]) -> list[Reference]:
    out = []
    for (doc_id, position), number in sorted(numbers.items(), key=lambda kv: kv[1]):
        row = conn.execute("SELECT title, publisher, published FROM documents WHERE id = ?",
                           (doc_id,)).fetchone()
        out.append(Reference(number=number, document_id=doc_id, title=row["title"],
                             publisher=row["publisher"], published=row["published"],
                             paragraph=position))
    return out


def render_markdown(result: Digest) -> str:
    """The digest as Markdown in the house style."""

    def marks(point: Point) -> str:
        return "".join(f"[{n}]" for n in point.refs)

    lines = [f"# {result.topic}", "", f"Core Viewpoint - {result.viewpoint.text} {marks(result.viewpoint)}",
             ""]
    for group in result.groups:
        lines.append(f"Group {group.number}: {group.heading}")
        lines += [f"- {p.text} {marks(p)}" for p in group.points]
        lines.append("")
    lines.append("References")
    for ref in result.references:
        when = (ref.published or "undated")[:10]
        lines.append(f"[{ref.number}] {ref.title}, {ref.publisher or 'unknown publisher'}, {when}, "
                     f"paragraph {ref.paragraph}")
    return "\n".join(lines) + "\n"
