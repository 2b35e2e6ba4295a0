"""Saved HTML article pages: the article's text and byline, without the page around it.

A saved news page is mostly navigation, adverts and related links; feeding all of it to the
figure extractor would attach page furniture to the evidence. Boilerplate removal is a solved
problem we do not re-solve: trafilatura finds the main text and the metadata (title, site,
author, date, canonical URL) and this module maps its answer onto ParsedDocument.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath
from typing import Any

import trafilatura

from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.parse.detect import DocumentError, language_of
from critmin.evidence.parse.plain import fallback_title

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})

#: What may come before `<!doctype html>` in a saved page: an XML declaration, comments (browsers
#: write `<!-- saved from url=... -->`), whitespace.
_PROLOGUE = re.compile(r"(?:\s+|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)
_HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_PAGE_TAG = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")

#: trafilatura's metadata fields we keep as document metadata.
_METADATA_FIELDS = ("author", "hostname", "description", "categories", "tags", "language")


def looks_like_html(text: str, name: str) -> bool:
    """True for a page that declares itself HTML, or a `.html` file that contains tags."""
    prologue = _PROLOGUE.match(text)
    start = prologue.end() if prologue else 0
    if _HTML_START.match(text, start):
        return True
    return PurePath(name).suffix.lower() in HTML_SUFFIXES and _ANY_TAG.search(text) is not None


def parse_html(text: str, name: str) -> ParsedDocument:
    """Extract the article from a page; a page with no article text is an error."""
    fields = _extract(text)
    article = str(fields.get("text") or "").strip()
    if not article:
        raise DocumentError(name, "no article text found in HTML")
    lines = [line.strip() for line in article.split("\n") if line.strip()]
    title = _text(fields.get("title"))
    if title is not None and lines and lines[0] == title and len(lines) > 1:
        # The page's <h1> repeats the title as the first line of the text.
        lines = lines[1:]
    body = "\n".join(lines)
    metadata = {key: value for key in _METADATA_FIELDS if (value := _text(fields.get(key))) is not None}
    return ParsedDocument(
        title=title or fallback_title(name),
        publisher=_text(fields.get("sitename")) or _text(fields.get("author")),
        published=_published(fields.get("date")),
        language=language_of(body),
        body=body,
        paragraphs=[ParsedParagraph(text=line) for line in lines],
        source_url=_text(fields.get("url")),
        format="html",
        metadata=metadata,
    )


def _extract(text: str) -> dict[str, Any]:
    """trafilatura's reading of the page as a plain dict (empty when it found nothing)."""
    date_params = {
        "original_date": True,
        "extensive_search": True,
        "outputformat": _DATE_FORMATS[0],
        "max_date": datetime.now().strftime("%Y-%m-%d"),
    }
    result = trafilatura.bare_extraction(
        _as_page(text),
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=date_params,
    )
    if result is None:
        return {}
    if isinstance(result, dict):
        return result
    return result.as_dict()


def _as_page(text: str) -> str:
    """The page in a shape trafilatura reads: no prologue, and fragments wrapped in a body.

    lxml refuses a `str` that still declares its byte encoding, a leading `<!-- saved from -->`
    comment makes trafilatura find nothing, and so does a fragment (`<p>…</p>` saved from a
    clipboard) with no `<body>` around it.
    """
    prologue = _PROLOGUE.match(text)
    text = text[prologue.end() :] if prologue else text
    if _PAGE_TAG.search(text) is None:
        text = f"<html><body>{text}</body></html>"
    return text


def _text(value: object) -> str | None:
    """A metadata value as one line of text; lists (categories, tags) are joined with commas."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(item).strip() for item in value if str(item).strip())
    text = " ".join(str(value).split())
    return text or None


def _published(value: object) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None
