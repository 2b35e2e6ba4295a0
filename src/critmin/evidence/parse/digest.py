"""Digest pages: news-digest exports that hold many articles, each as title, byline and body.

This is the shape our research corpus arrives in: a page copied from a news-digest site, with a
few page-header lines (the topic, `Search documents`...), then for each article a title line, a
`Publisher· YYYY-MM-DD HH:MM` byline and a body. The body is either the site's machine summary
(`Core Viewpoint - … Group 1: heading - point [3][7] - …`) or the article text itself.

The summary is the valuable part, and it is flattened onto one line with ` - ` between points,
so its structure has to be recovered from cues: the `Group N` labels, the `[n]` reference markers
that end each point, and line breaks when a summary was saved one item a line. The cues are
heuristics; the body is always kept verbatim so nothing is lost when a cue misleads.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from critmin.evidence.models import ParsedDocument, ParsedParagraph, SummaryPoint
from critmin.evidence.parse.detect import language_of

#: `Sou Hu Cai Jing· 2025-10-26 05:56`: a publisher, a middle dot (U+00B7), a date and maybe a time.
_BYLINE = re.compile(
    r"^(?P<publisher>[^·\n]{0,99}[^\s·])[ \t]*·[ \t]*"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:[ \tT]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?[ \t]*$"
)

#: What separates summary items: ` - ` inside a line, or `- ` opening a line.
_SEPARATOR = re.compile(r"(?m)(?:^[ \t]*|[ \t]+)-[ \t]+")

#: Most digits a group number or a reference marker may have. Real ones are below 100; a longer
#: run is not a label (and a number beyond SQLite's 64-bit integers could not be stored).
MAX_LABEL_DIGITS = 6

_VIEWPOINT_LABEL = re.compile(r"Core\s+(?:Viewpoints?|Insights?)", re.IGNORECASE)
_GROUP_LABEL = re.compile(rf"Group\s+(?P<number>\d{{1,{MAX_LABEL_DIGITS}}})(?:\s*:\s*(?P<heading>.*))?",
                          re.DOTALL)
_GROUP_WORD = re.compile(rf"\bGroup\s+\d{{1,{MAX_LABEL_DIGITS}}}\b")
_SUMMARY_START = re.compile(rf"\s*(?:Core\s+(?:Viewpoints?|Insights?)|Group\s+\d{{1,{MAX_LABEL_DIGITS}}})\b",
                            re.IGNORECASE)

#: The digest site's own section label; it carries no meaning of its own.
_SITE_LABEL = re.compile(r"[ \t]*\bSummary by Sections\b[ \t]*")

_MARKER = re.compile(rf"\[(\d{{1,{MAX_LABEL_DIGITS}}})\]")
_MARKER_RUN_STOP = re.compile(rf"(?:\s*\[\d{{1,{MAX_LABEL_DIGITS}}}\])+(?P<stop>[.。]?)")
_MARKER_RUN = re.compile(rf"(?:\s*\[\d{{1,{MAX_LABEL_DIGITS}}}\])+")
_SENTENCE_BREAK = re.compile(r"[.!?。！？]\s+")

#: Punctuation that ends a sentence or a point, so text ending in it is not a heading.
_END_PUNCTUATION = ".!?;,:。！？；，："
#: Characters that may end a point right before a `Group N` label.
_POINT_END = "].!?;:\"”')。！？；"

#: Headings are short; a longer fragment is prose.
MAX_HEADING_WORDS = 15
MAX_HEADING_CHARS = 120


@dataclass(frozen=True)
class _Chunk:
    """A piece of a summary between two separators."""

    text: str
    inline: bool
    """True when the separator before it was ` - ` inside a line, not a line-opening `- `."""


@dataclass(frozen=True)
class _Start:
    """Where a document starts: its title line and its byline, read."""

    title_line: int
    byline_line: int
    publisher: str
    published: datetime


def looks_like_digest(text: str) -> bool:
    """True when `text` has at least one title line followed by a `Publisher· date` byline."""
    return bool(_starts(text.split("\n")))


def parse_digest(text: str) -> list[ParsedDocument]:
    """Split a digest page into its documents; page-header lines before the first title are dropped."""
    lines = text.split("\n")
    starts = _starts(lines)
    documents: list[ParsedDocument] = []
    for start, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.title_line if following else len(lines)
        body = "\n".join(lines[start.byline_line + 1 : end]).strip()
        title = lines[start.title_line].strip()
        documents.append(_document(title, start.publisher, start.published, body))
    return documents


def _starts(lines: list[str]) -> list[_Start]:
    """Every document start, in order.

    A title is the last non-blank line before a byline; a byline with no such line, or whose
    line before is itself a byline or the previous document's byline, starts nothing.
    """
    starts: list[_Start] = []
    for index, line in enumerate(lines):
        byline = _parse_byline(line)
        if byline is None:
            continue
        title_line = index - 1
        while title_line >= 0 and not lines[title_line].strip():
            title_line -= 1
        floor = starts[-1].byline_line if starts else -1
        if title_line <= floor or _parse_byline(lines[title_line]) is not None:
            continue
        starts.append(_Start(title_line, index, *byline))
    return starts


def parse_summary(body: str) -> tuple[str | None, list[SummaryPoint]] | None:
    """The viewpoint and points of a structured summary, or None when `body` is not one."""
    cleaned = _SITE_LABEL.sub(" ", body).strip()
    chunks = list(_split_chunks(cleaned))
    if len(chunks) < 2 or not _is_summary(cleaned, chunks[0].text):
        return None
    viewpoint_parts: list[str] = []
    points: list[SummaryPoint] = []
    label: str | None = chunks[0].text or None
    in_viewpoint = False
    group: int | None = None
    heading: str | None = None
    fresh_heading = False
    for index, chunk in enumerate(chunks[1:], start=1):
        if label is not None:
            in_viewpoint, group, heading = _apply_label(label)
            label = None
            fresh_heading = heading is not None
        if fresh_heading and _continues_heading(chunk, index, chunks):
            # `Group 2: Lithium - Cobalt - point [4]`: the heading itself held a spaced hyphen.
            heading = f"{heading} - {chunk.text}"
            continue
        fresh_heading = False
        is_last = index == len(chunks) - 1
        content, label = (chunk.text, None) if is_last else split_trailing_label(chunk.text)
        if not content:
            continue
        if in_viewpoint:
            viewpoint_parts.append(content)
        else:
            points.append(_point(content, group, heading))
    viewpoint = _join_viewpoint(viewpoint_parts) if viewpoint_parts else None
    return viewpoint, points


def split_trailing_label(chunk: str) -> tuple[str, str | None]:
    """Split a chunk into the point it ends and the label of the next item, if it carries one.

    In a one-line summary the label of the next group rides at the end of the previous point:
    `… directives [4][5]. Group 2: Economic Dependencies`. It is found, in order of trust, by a
    line break (a summary saved one item a line), an explicit `Group N` label, the text after the
    last reference markers, and the last sentence when it is short and unpunctuated.
    """
    if "\n" in chunk:
        head, _, tail = chunk.rpartition("\n")
        tail = tail.strip()
        if head.strip() and (_GROUP_LABEL.fullmatch(tail) or _looks_like_heading(tail)):
            return head.strip(), tail
    chunk = chunk.strip()
    for match in _GROUP_WORD.finditer(chunk):
        before = _char_before(chunk, match.start())
        if (not before or before in _POINT_END) and _GROUP_LABEL.fullmatch(chunk, match.start()):
            return chunk[: match.start()].rstrip(), chunk[match.start() :]
    runs = list(_MARKER_RUN.finditer(chunk))
    if runs:
        end = runs[-1].end()
        rest = chunk[end:]
        punctuation = re.match(r"[.;,。；]?", rest)
        cut = end + (punctuation.end() if punctuation else 0)
        tail = chunk[cut:].strip()
        if _looks_like_heading(tail):
            return chunk[:cut].strip(), tail
        return chunk.strip(), None
    breaks = list(_SENTENCE_BREAK.finditer(chunk))
    if breaks:
        cut = breaks[-1].end()
        tail = chunk[cut:].strip()
        if _looks_like_heading(tail):
            return chunk[:cut].strip(), tail
    return chunk.strip(), None


def strip_markers(text: str) -> str:
    """Text without its `[n]` reference markers (`directives [4][5].` -> `directives.`).

    A period right after the markers is dropped when the text before them already ended in one
    (`to the U.S. [13].` -> `to the U.S.`), so removing markers never doubles a full stop.
    """

    def replace(match: re.Match[str]) -> str:
        if match["stop"] and _char_before(text, match.start()) in (".", "。"):
            return ""
        return match["stop"]

    return _MARKER_RUN_STOP.sub(replace, text).strip()


def marker_numbers(text: str) -> list[int]:
    """The `[n]` markers in `text`, in order, each once."""
    return list(dict.fromkeys(int(number) for number in _MARKER.findall(text)))


def _document(title: str, publisher: str, published: datetime, body: str) -> ParsedDocument:
    summary = parse_summary(body)
    viewpoint: str | None = None
    points: list[SummaryPoint] = []
    if summary is not None:
        viewpoint, points = summary
        paragraphs = [ParsedParagraph(text=viewpoint)] if viewpoint else []
        paragraphs += [ParsedParagraph(text=point.text, heading=point.heading) for point in points]
    else:
        # Article text in a digest page is scraped one paragraph a line and never hard-wrapped.
        paragraphs = [ParsedParagraph(text=line.strip()) for line in body.split("\n") if line.strip()]
    return ParsedDocument(
        title=title,
        publisher=publisher,
        published=published,
        language=language_of(body or title),
        body=body,
        paragraphs=paragraphs,
        viewpoint=viewpoint,
        points=points,
        format="digest",
    )


def _parse_byline(line: str) -> tuple[str, datetime] | None:
    match = _BYLINE.match(line.strip())
    if match is None:
        return None
    stamp = match["date"] + (" " + match["time"] if match["time"] else "")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return match["publisher"].strip(), datetime.strptime(stamp, pattern)
        except ValueError:
            continue
    return None


def _split_chunks(text: str) -> Iterator[_Chunk]:
    """Cut a summary at its separators, leaving spaced hyphens between digits (`2020 - 2025`)."""
    start = 0
    inline = False
    for match in _SEPARATOR.finditer(text):
        at_line_start = match.start() == 0 or text[match.start() - 1] == "\n"
        digit_before = match.start() > 0 and text[match.start() - 1].isdigit()
        digit_after = match.end() < len(text) and text[match.end()].isdigit()
        if not at_line_start and digit_before and digit_after:
            continue
        yield _Chunk(text[start : match.start()].strip(), inline)
        start = match.end()
        inline = not at_line_start
    yield _Chunk(text[start:].strip(), inline)


def _join_viewpoint(parts: list[str]) -> str:
    """One viewpoint paragraph from its items, without their markers.

    `Core Insights - A [1][2] - B [1][4]` lists several complete items, which are kept one a line
    since they need not end in a full stop; a part that does not end like an item was cut at a
    spaced hyphen in prose, and the hyphen is put back.
    """
    text = strip_markers(parts[0])
    for previous, part in itertools.pairwise(parts):
        complete = previous.rstrip().endswith(("]", *_END_PUNCTUATION))
        text = f"{text}\n{strip_markers(part)}" if complete else f"{text} - {strip_markers(part)}"
    return text


def _is_summary(text: str, first_label: str) -> bool:
    """A body is a summary when it opens with a summary label, or with a heading and cited items."""
    if _SUMMARY_START.match(text):
        return True
    return (not first_label or _looks_like_heading(first_label)) and _MARKER.search(text) is not None


def _apply_label(label: str) -> tuple[bool, int | None, str | None]:
    """(in viewpoint, group number, heading) after a label."""
    if _VIEWPOINT_LABEL.fullmatch(label):
        return True, None, None
    group = _GROUP_LABEL.fullmatch(label)
    if group is not None:
        heading = (group["heading"] or "").strip() or None
        return False, int(group["number"]), heading
    return False, None, label


def _continues_heading(chunk: _Chunk, index: int, chunks: list[_Chunk]) -> bool:
    """True when a chunk right after a heading is really the heading's second half."""
    if not chunk.inline or index == len(chunks) - 1 or _MARKER.search(chunk.text):
        return False
    return _looks_like_heading(chunk.text) and split_trailing_label(chunk.text)[1] is None


def _char_before(text: str, index: int) -> str:
    """The last non-space character before `index`, or "" at the start.

    Walking back instead of slicing keeps the per-marker and per-label checks linear.
    """
    while index > 0 and text[index - 1].isspace():
        index -= 1
    return text[index - 1] if index > 0 else ""


def _looks_like_heading(text: str) -> bool:
    if not text or len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS:
        return False
    if text[-1] in _END_PUNCTUATION or _MARKER.search(text) or "\n" in text:
        return False
    return not text[0].islower()


def _point(content: str, group: int | None, heading: str | None) -> SummaryPoint:
    return SummaryPoint(
        group=group, heading=heading, text=strip_markers(content), refs=marker_numbers(content)
    )
