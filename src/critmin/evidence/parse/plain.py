"""The fallback reader: any text we do not recognise is still evidence.

Notes pasted from a chat, a saved article without its page, plain Markdown without front matter:
all of these are one document whose first line is usually its title. Getting a usable title and
paragraphs out of them matters more than getting their structure exactly right.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.parse.detect import language_of

#: A first line longer than this is prose, not a title (a one-line article, a pasted paragraph);
#: then the file name becomes the title and the whole text is the body.
MAX_TITLE_CHARS = 200

_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n")
_HEADING_MARKS = re.compile(r"^#+[ \t]*")


def parse_plain(text: str, name: str) -> ParsedDocument:
    """Read text as one document: first non-empty line as title, the rest as body."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    title = _HEADING_MARKS.sub("", first).strip()
    if not title or len(title) > MAX_TITLE_CHARS:
        title = fallback_title(name)
        body = stripped
    else:
        body = rest.strip("\n").rstrip()
    paragraphs = [ParsedParagraph(text=part) for part in split_paragraphs(body)]
    return ParsedDocument(
        title=title,
        language=language_of(body or title),
        body=body,
        paragraphs=paragraphs,
        format="text",
    )


def split_paragraphs(text: str) -> list[str]:
    """Split prose into paragraphs on blank lines, or on line breaks when it has no blank lines.

    Chinese web text is usually saved one paragraph a line with no blank lines between, while
    English prose is usually hard-wrapped with blank lines between paragraphs; choosing by
    whether any blank line exists handles both without a setting.
    """
    text = text.strip()
    if not text:
        return []
    parts = _BLANK_LINES.split(text) if _BLANK_LINES.search(text) else text.split("\n")
    return [part.strip() for part in parts if part.strip()]


def fallback_title(name: str) -> str:
    """A title made from the file name, for documents that do not state one."""
    stem = PurePath(name).stem.strip()
    return stem or name or "untitled"
