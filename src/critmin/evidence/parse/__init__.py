"""Reading evidence files into ParsedDocuments, whatever shape they arrived in.

Users drop in what they have: digest pages copied from a news-digest site, bilingual Markdown
posts, saved HTML pages, plain notes. The format is decided from the content, because file
names lie (a digest saved as `.md`, a post saved as `.txt`); the extension is only a hint for
HTML fragments.

Use `read_document_file` to get trustworthy text from a path (size limit, binary check,
encoding detection) and `parse_text` to turn it into one or more documents. Both raise
`DocumentError`, whose message names the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

from critmin.evidence.models import ParsedDocument
from critmin.evidence.parse.detect import (
    MAX_BYTES,
    DocumentError,
    decode_bytes,
    language_of,
    read_bytes,
    too_large,
)
from critmin.evidence.parse.digest import looks_like_digest, parse_digest
from critmin.evidence.parse.html import looks_like_html, parse_html
from critmin.evidence.parse.markdown import has_front_matter, parse_markdown
from critmin.evidence.parse.plain import parse_plain

__all__ = ["MAX_BYTES", "DocumentError", "language_of", "parse_text", "read_document_bytes",
           "read_document_file"]


def read_document_file(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a file, decoded and with `\\n` line ends.

    Refuses, with a DocumentError, files that are empty, larger than `max_bytes` (20 MiB by
    default), binary, or in no encoding we can identify.
    """
    return _normalise(decode_bytes(read_bytes(path, max_bytes), path))


def read_document_bytes(data: bytes, name: str, max_bytes: int = MAX_BYTES) -> str:
    """The text of a document held in memory (an upload), with the same checks as a file."""
    if len(data) > max_bytes:
        raise DocumentError(name, too_large(max_bytes))
    return _normalise(decode_bytes(data, name))


def parse_text(text: str, name: str) -> list[ParsedDocument]:
    """The documents in `text`, read in the format its content shows.

    `name` is the file name: it is used in error messages, as a hint for HTML fragments, and as
    the title of a document that states none. Formats are tried from the most to the least
    specific: front-matter Markdown, HTML, digest pages, then plain text, which always succeeds.
    """
    text = _normalise(text)
    if not text.strip():
        raise DocumentError(name, "empty file")
    if has_front_matter(text):
        return [parse_markdown(text, name)]
    if looks_like_html(text, name):
        return [parse_html(text, name)]
    if looks_like_digest(text):
        return parse_digest(text)
    return [parse_plain(text, name)]


def _normalise(text: str) -> str:
    """Drop a BOM and turn Windows and old Mac line ends into `\\n`, which every parser assumes."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
