"""Everything ingest computes about a document before it touches the database.

Parsing aside, the expensive work of ingest (entity linking, figure extraction, search tokens,
the MinHash signature) needs no database at all. Doing it here, into plain tuples, lets the
pipeline run it in worker processes while one writer holds the database, and keeps the writer's
transaction short.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from critmin.evidence.dedupe import band_keys, content_hash, minhash_tokens, to_blob
from critmin.evidence.extract import extract_figures
from critmin.evidence.link import Linker, Mention
from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.parse.detect import language_of
from critmin.evidence.tokens import entity_token, index_streams

#: Front-matter fields that name who and what a post is about; indexed as text, so a search for a
#: post's speaker finds it although the body never names them.
META_FIELDS = ("speaker", "people", "companies_orgs", "products_models")

#: (kind, entity_id, name, start, end, field) of one mention in a paragraph.
MentionRow = tuple[str, str | None, str, int, int, str]
#: (kind, value, unit, currency, original, sentence, start, end, material_id, country_id).
FigureRow = tuple[str, float, str, str | None, str, str, int, int, str | None, str | None]


@dataclass(frozen=True, slots=True)
class PreparedParagraph:
    """One paragraph row with its mentions and figures, ready to insert."""

    position: int
    heading: str | None
    text: str
    english: str | None
    group_no: int | None
    refs: str
    mentions: list[MentionRow]
    figures: list[FigureRow]
    language: str
    """The language of `text` (zh, en or mixed); the English twin is English."""


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document as rows: what the writer inserts, and the keys it checks for duplicates."""

    digest: str
    minhash: bytes
    band_keys: list[int]
    title: str
    publisher: str | None
    published: str | None
    language: str
    format: str
    body: str
    viewpoint: str | None
    summary: str | None
    source_url: str | None
    metadata: str
    paragraphs: list[PreparedParagraph]
    meta_mentions: list[tuple[str, str | None, str]]
    search_row: tuple[str, str, str, str]
    """(title words and title entities, body words, characters, body entities) for FTS5."""


def to_wire(doc: PreparedDocument) -> tuple[object, ...]:
    """Plain tuples (marshal-able): half the cost of pickling the dataclasses between processes."""
    paragraphs = [(p.position, p.heading, p.text, p.english, p.group_no, p.refs, p.mentions, p.figures,
                   p.language) for p in doc.paragraphs]
    return (doc.digest, doc.minhash, doc.band_keys, doc.title, doc.publisher, doc.published, doc.language,
            doc.format, doc.body, doc.viewpoint, doc.summary, doc.source_url, doc.metadata, paragraphs,
            doc.meta_mentions, doc.search_row)


def from_wire(row: tuple[Any, ...]) -> PreparedDocument:
    """The inverse of `to_wire`."""
    (digest, minhash, keys, title, publisher, published, language, format_, body, viewpoint, summary,
     source_url, metadata, paragraphs, meta_mentions, search_row) = row
    return PreparedDocument(digest, minhash, keys, title, publisher, published, language, format_, body,
                            viewpoint, summary, source_url, metadata,
                            [PreparedParagraph(*p) for p in paragraphs], meta_mentions, search_row)


def prepare_document(linker: Linker, document: ParsedDocument) -> PreparedDocument:
    """Link, extract, tokenise and sign one document (pure: no database, no clock)."""
    title_words, title_chars = index_streams(document.title)
    body_words, body_chars = index_streams(_searchable_body(document))
    paragraphs = [_prepare_paragraph(linker, *item) for item in _paragraphs(document)]
    meta_mentions = [(hint.kind, _resolve_hint(linker, hint.name), hint.name) for hint in document.entities]
    title_entities = entity_tokens((m[0], m[1]) for p in paragraphs if p.position == 0 for m in p.mentions)
    body_entities = entity_tokens([*((m[0], m[1]) for p in paragraphs if p.position > 0 for m in p.mentions),
                                   *((kind, entity_id) for kind, entity_id, _ in meta_mentions)])
    # signed before the front-matter names join the index: dedupe compares what documents say
    signature = minhash_tokens(f"{title_words} {body_words}")
    meta = meta_text(document.metadata, (name for kind, _, name in meta_mentions if kind in META_FIELDS))
    if meta:
        meta_words, meta_chars = index_streams(meta)
        body_words, body_chars = f"{body_words} {meta_words}", f"{body_chars} {meta_chars}".strip()
    published = document.published.isoformat(sep=" ") if document.published else None
    return PreparedDocument(
        digest=content_hash(document.title, document.body),
        minhash=to_blob(signature),
        band_keys=band_keys(signature),
        title=document.title,
        publisher=document.publisher,
        published=published,
        language=document.language,
        format=document.format,
        body=document.body,
        viewpoint=document.viewpoint,
        summary=document.summary,
        source_url=document.source_url,
        metadata=json.dumps(document.metadata, ensure_ascii=False),
        paragraphs=paragraphs,
        meta_mentions=meta_mentions,
        search_row=(f"{title_words} {title_entities}".strip(), body_words, f"{title_chars} {body_chars}",
                    body_entities),
    )


def meta_text(metadata: dict[str, str], names: Iterable[str]) -> str:
    """The front-matter names a document is searched by: its speaker, then the people,
    organisations and products its front matter lists, one a line."""
    speaker = metadata.get("speaker")
    return "\n".join(dict.fromkeys([*([str(speaker)] if speaker else []), *names]))


def entity_tokens(mentions: Iterable[tuple[str, str | None]]) -> str:
    """One search token per linked mention (repeats kept: they count for ranking)."""
    return " ".join(entity_token(kind, entity_id) for kind, entity_id in mentions if entity_id)


def _searchable_body(document: ParsedDocument) -> str:
    """Paragraphs with their English twins and the summary: what search and dedupe see."""
    parts = [t for p in document.paragraphs for t in (p.text, p.english) if t]
    if document.summary:
        parts.append(document.summary)
    return "\n".join(parts)


def _paragraphs(document: ParsedDocument) -> Iterator[tuple[int, ParsedParagraph, int | None, list[int]]]:
    """Position 0 is the title (headlines carry figures too); the body follows from 1."""
    yield 0, ParsedParagraph(text=document.title, heading="title"), None, []
    points = {point.text: point for point in document.points}
    for position, paragraph in enumerate(document.paragraphs, start=1):
        point = points.get(paragraph.text)
        refs = point.refs if point else []
        yield position, paragraph, (point.group if point else None), refs


def _prepare_paragraph(
    linker: Linker, position: int, paragraph: ParsedParagraph, group_no: int | None, refs: list[int]
) -> PreparedParagraph:
    mention_rows: list[MentionRow] = []
    figure_rows: list[FigureRow] = []
    for field_name, text in (("text", paragraph.text), ("english", paragraph.english)):
        if not text:
            continue
        mentions = linker.mentions(text)
        mention_rows += [(m.kind, m.entity_id, m.name, m.start, m.end, field_name) for m in mentions]
        nearest = NearestEntity(mentions)
        for figure in extract_figures(text):
            # the sentence starts at most its own length before the figure: searching only there
            # keeps this linear in the paragraph
            sentence_start = (text.rfind(figure.sentence, max(0, figure.start - len(figure.sentence)),
                                         figure.start + len(figure.sentence)) if figure.sentence else -1)
            span = ((sentence_start, sentence_start + len(figure.sentence)) if sentence_start >= 0
                    else (figure.start, figure.end))
            figure_rows.append((
                figure.kind, figure.value, figure.unit, figure.currency, figure.original, figure.sentence,
                figure.start, figure.end, nearest.find("material", span, figure.start),
                nearest.find("country", span, figure.start)))
    return PreparedParagraph(position, paragraph.heading, paragraph.text, paragraph.english, group_no,
                             json.dumps(refs) if refs else "[]", mention_rows, figure_rows,
                             language_of(paragraph.text))


class NearestEntity:
    """The linked entity of a kind mentioned nearest to a figure, within the figure's sentence.

    Built once per paragraph from its mentions (sorted by position, as the linker returns them):
    each kind's linked mentions are kept in position order, and a figure's question is answered
    by bisecting to its position and stepping outward to the first mention inside the sentence on
    each side. Scanning every mention for every figure made a long paragraph quadratic (a 1 MB
    paragraph holds thousands of each).
    """

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        self._ids: dict[str, list[str]] = {}
        for m in sorted((m for m in mentions if m.entity_id), key=lambda m: m.start):
            self._starts.setdefault(m.kind, []).append(m.start)
            self._ends.setdefault(m.kind, []).append(m.end)
            self._ids.setdefault(m.kind, []).append(m.entity_id or "")

    def find(self, kind: str, span: tuple[int, int], at: int) -> str | None:
        """The entity of `kind` mentioned inside `span` whose start is closest to `at`; of two
        equally close, the earlier (as `min` over mentions in order would pick)."""
        starts = self._starts.get(kind)
        if not starts:
            return None
        ends = self._ends[kind]
        low, high = span
        first = bisect_left(starts, low)
        middle = bisect_left(starts, at, lo=first)
        # before the figure: mentions starting in [low, at), nearest first; one that runs past the
        # sentence's end can only be followed (going left) by ones that end earlier
        left = middle - 1
        while left >= first and ends[left] > high:
            left -= 1
        # at or after the figure: mentions starting in [at, high]
        right = middle
        while right < len(starts) and starts[right] <= high and ends[right] > high:
            right += 1
        has_left = left >= first
        has_right = right < len(starts) and starts[right] <= high
        if not has_left and not has_right:
            return None
        if has_left and (not has_right or at - starts[left] <= starts[right] - at):
            # the earliest of mentions sharing that start, as `min` would pick
            same = bisect_left(starts, starts[left], lo=first)
            while ends[same] > high:
                same += 1
            return self._ids[kind][same]
        return self._ids[kind][right]


def _resolve_hint(linker: Linker, name: str) -> str | None:
    found = [m for m in linker.mentions(name) if m.entity_id and m.start == 0 and m.end == len(name)]
    return found[0].entity_id if found else None
