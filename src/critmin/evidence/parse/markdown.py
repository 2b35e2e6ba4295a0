"""Bilingual Markdown posts: a knowledge-base entry written from a talk or an article.

Each post opens with a YAML front matter block that already names what the post is about
(companies, people, products), so those lists become entity hints instead of being guessed
again from the text. The body is Chinese, split by `###` headings, and each paragraph is
followed by its English original inside a collapsed `<details>` block. Keeping each Chinese
paragraph with its English twin lets a figure found in one be checked against the other.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time
from typing import Any

from critmin import inputs
from critmin.evidence.models import EntityHint, ParsedDocument, ParsedParagraph
from critmin.evidence.parse.detect import DocumentError, language_of
from critmin.evidence.parse.plain import fallback_title

_OPENING = re.compile(r"---[ \t]*\n")
#: A first YAML line that is a key, so an unclosed block is recognisably front matter.
_KEY_LINE = re.compile(r"(?:[ \t]*(?:#.*)?\n)*[ \t]*[\w\"'-][^\n:]*:(?:[ \t]|$)", re.MULTILINE)
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

_DETAILS = re.compile(r"<details\b[^>]*>(?P<inner>.*?)</details\s*>", re.IGNORECASE | re.DOTALL)
_ENGLISH_P = re.compile(
    r"<p\b[^>]*class\s*=\s*[\"'][^\"']*\benglish-text\b[^\"']*[\"'][^>]*>(?P<text>.*?)</p\s*>",
    re.IGNORECASE | re.DOTALL,
)
_SUMMARY = re.compile(r"<summary\b[^>]*>.*?</summary\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
_RULE = re.compile(r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_URL = re.compile(r"https?://\S+$", re.IGNORECASE)

#: Front-matter keys with a field of their own in ParsedDocument.
_OWN_FIELDS = frozenset({"title", "date", "source", "summary", "publisher"})

#: Largest integer a front-matter value may be: YAML 1.1 reads `1:2:3:…` (base 60) and `1_000_…`
#: into integers of any size, which Python refuses to print beyond 4,300 digits.
_MAX_INT_BITS = 333  # about 100 decimal digits, as critmin.inputs.MAX_DIGITS


def has_front_matter(text: str) -> bool:
    """True when `text` opens with a `---` fence that is closed, or followed by a YAML key.

    The second case sends a post whose closing fence was forgotten to the error it deserves,
    while a file that merely starts with a `---` rule and prose stays plain text.
    """
    opening = _OPENING.match(text)
    if opening is None:
        return False
    rest = text[opening.end() :]
    return _CLOSING.search(rest) is not None or _KEY_LINE.match(rest) is not None


def parse_markdown(text: str, name: str) -> ParsedDocument:
    """Read a post with front matter; broken front matter is an error, not plain text."""
    fields, body = _split_front_matter(text, name)
    paragraphs, first_title = _paragraphs(body)
    published, raw_date = _published(fields.get("date"))
    source = _scalar(fields.get("source"))
    metadata = {
        str(key): value
        for key, raw in fields.items()
        if str(key) not in _OWN_FIELDS and (value := _scalar(raw)) is not None
    }
    if raw_date is not None:
        metadata["date"] = raw_date
    source_url = None
    if source is not None and _URL.match(source):
        source_url = source
    elif source is not None:
        metadata["source"] = source
    title = _scalar(fields.get("title")) or first_title or fallback_title(name)
    primary = "\n".join(paragraph.text for paragraph in paragraphs)
    return ParsedDocument(
        title=title,
        publisher=_scalar(fields.get("publisher")),
        published=published,
        language=language_of(primary or body or title),
        body=body,
        paragraphs=paragraphs,
        summary=_scalar(fields.get("summary")),
        entities=_entities(fields),
        source_url=source_url,
        format="markdown",
        metadata=metadata,
    )


def _split_front_matter(text: str, name: str) -> tuple[dict[Any, Any], str]:
    """The front matter as a mapping and the body after it, or a DocumentError saying what is wrong."""
    opening = _OPENING.match(text)
    if opening is None:
        raise DocumentError(name, "broken front matter: no opening `---` line")
    rest = text[opening.end() :]
    closing = _CLOSING.search(rest)
    if closing is None:
        raise DocumentError(name, "broken front matter: no closing `---` line")
    block = rest[: closing.start()]
    try:
        # the newline keeps line numbers those of the file: the front matter starts on line 2
        loaded = inputs.load_yaml("\n" + block, name)
    except inputs.InputError as exc:
        raise DocumentError(name, f"broken front matter: {exc.reason}") from None
    body = rest[closing.end() :].strip()
    if loaded is None:
        return {}, body
    if not isinstance(loaded, dict):
        kind = "a list" if isinstance(loaded, list) else "a single value"
        raise DocumentError(name, f"broken front matter: expected key: value pairs, found {kind}")
    for key, value in loaded.items():
        for item in [key, *(value if isinstance(value, list) else [value])]:
            if isinstance(item, int) and item.bit_length() > _MAX_INT_BITS:
                raise DocumentError(name, f"broken front matter: field {_key_text(key)!r}: a number "
                                    f"with more than {inputs.MAX_DIGITS} digits")
    return loaded, body


def _key_text(key: object) -> str:
    if isinstance(key, int) and key.bit_length() > _MAX_INT_BITS:
        return "(a huge number)"
    return str(key)[:80]


def _published(value: object) -> tuple[datetime | None, str | None]:
    """(publication time, raw text when it could not be read as a date).

    YAML already turns `2025-11-03` into a date; quoted or partial stamps arrive as text.
    Time zones are dropped, keeping the wall-clock time as written, as ParsedDocument expects.
    """
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), None
    if isinstance(value, date):
        return datetime.combine(value, time()), None
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None), None
    except ValueError:
        return None, text


def _scalar(value: object) -> str | None:
    """A front-matter value as text; None for missing values, lists and mappings."""
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _entities(fields: dict[Any, Any]) -> list[EntityHint]:
    """Every list in the front matter, one hint an item; items that are not plain values are skipped."""
    hints: list[EntityHint] = []
    for key, value in fields.items():
        if not isinstance(value, list):
            continue
        seen: set[str] = set()
        for item in value:
            name = _scalar(item)
            if name is not None and name not in seen:
                seen.add(name)
                hints.append(EntityHint(kind=str(key), name=name))
    return hints


def _paragraphs(body: str) -> tuple[list[ParsedParagraph], str | None]:
    """Body paragraphs with their English twins and headings, and the first `#` title if any."""
    paragraphs: list[ParsedParagraph] = []
    heading: str | None = None
    first_title: str | None = None
    position = 0
    for match in [*_DETAILS.finditer(body), None]:
        segment = body[position : match.start() if match else len(body)]
        for block in _BLANK_LINES.split(segment):
            lines: list[str] = []
            for line in block.split("\n"):
                found = _HEADING.match(line.strip())
                if found is None:
                    lines.append(line)
                    continue
                _flush(lines, heading, paragraphs)
                lines = []
                if len(found["marks"]) == 1:
                    first_title = first_title or found["text"].strip() or None
                else:
                    heading = found["text"].strip() or None
            _flush(lines, heading, paragraphs)
        if match is None:
            break
        _attach_english(_english_of(match["inner"]), heading, paragraphs)
        position = match.end()
    return paragraphs, first_title


def _flush(lines: list[str], heading: str | None, paragraphs: list[ParsedParagraph]) -> None:
    """Add the collected lines as a paragraph, unless they hold no prose (rules, bare tags)."""
    kept = [line.rstrip() for line in lines if line.strip() and not _RULE.match(line.strip())]
    text = "\n".join(kept).strip()
    if text and _TAG.sub("", text).strip():
        paragraphs.append(ParsedParagraph(text=text, heading=heading))


def _english_of(details: str) -> str:
    """The English text of a `<details>` block: its `english-text` paragraph, else all its text."""
    found = _ENGLISH_P.search(details)
    raw = found["text"] if found else _SUMMARY.sub("", details)
    return " ".join(html.unescape(_TAG.sub(" ", raw)).split())


def _attach_english(english: str, heading: str | None, paragraphs: list[ParsedParagraph]) -> None:
    """Pair the English with the paragraph just before it; an orphan becomes its own paragraph."""
    if not english:
        return
    if paragraphs and paragraphs[-1].english is None and paragraphs[-1].heading == heading:
        paragraphs[-1].english = english
    else:
        paragraphs.append(ParsedParagraph(text=english, heading=heading))
