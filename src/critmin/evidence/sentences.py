"""Sentence spans in mixed Chinese/English text, so a figure can be quoted with its context.

The extractor keeps, for every number it finds, the whole sentence around it; a reader judges a
claim by that sentence, so a cut in the wrong place (inside `U.S.` or `92.3`) loses meaning and a
missed cut quotes a paragraph. The rules, in the order a reader would apply them:

- a line break always ends a sentence (titles, bylines and one-item-a-line summaries);
- `。！？` end one, with any closing quotes, brackets and `[n]` reference markers that follow;
- `!` and `?` end one unless a lower-case word, a digit or a URL character follows;
- `.` ends one only before white space and a capital, an opening quote or bracket, or a CJK
  character (or at the very end), and not after an abbreviation (`U.S.`, `e.g.`, `Inc.`, `No.`,
  initials). Numbers (`92.3`) never qualify: a digit follows the point;
- a run of reference markers followed by a capital ends one (`... [2][5][18] Group 1: ...`), as the
  digest summaries often drop the full stop there;
- ` - ` (or ` – `) before a capital, a quote or a CJK character separates the points of a
  flattened summary (`Core Viewpoint - A [1]. Group 1: heading - B [3] - C`): each point, and each
  heading, is its own span. A hyphen between digits (`18 - 24`) is a range, not a separator.

Semicolons do not split: the clauses they join usually share a subject, and a figure quoted
without that subject is harder to judge. Spans are verbatim; only surrounding white space and a
leading list bullet (`- `, `• `) are trimmed by moving the span's ends.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_LINE_BREAKS = "\r\n\u2028\u2029\x0b\x0c\x85"
#: What may follow a sentence's last mark and still belong to it: closers and `[n]` markers.
_TAIL = r"[\"'”’）)」』】》〉]*(?:\[\d+(?:[,，、\-–]\d+)*\])*"
_SPACE = r"[ \t\u00a0\u3000]"
#: What may open the next sentence after a full stop or a list separator.
_OPENER = rf"[A-Z\"“‘'(\[{_CJK}]"

#: Every candidate boundary starts with one of a few characters, so the pattern opens with that
#: class and the engine can skip quickly to them; lookbehinds then say which rule applies.
_BOUNDARY = re.compile(
    rf"[{_LINE_BREAKS}。！？!?.\]\-–]"
    r"(?:"
    rf"(?<=[{_LINE_BREAKS}])"
    rf"|(?<=[。！？])[。！？!?]*{_TAIL}"
    rf"|(?<=[!?])[!?。！？]*{_TAIL}(?!{_SPACE}*[a-z0-9=&/_])"
    rf"|(?<=\.){_TAIL}(?={_SPACE}+{_OPENER}|[{_CJK}]|{_SPACE}*$)"
    rf"|(?<=\d\])(?={_SPACE}+[A-Z{_CJK}])"
    rf"|(?<={_SPACE}[-–]){_SPACE}+(?={_OPENER})"
    r")"
)

#: Words that end in a full stop without ending the sentence (compared in lower case).
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "capt", "sgt",
    "gov", "sen", "rep", "pres", "hon", "rev", "inc", "corp", "co", "ltd", "bros", "llc", "plc", "dept",
    "univ", "assn", "est", "approx", "ca", "cf", "vs", "al", "fig", "figs", "no", "nos", "vol", "vols",
    "art", "sec", "ch", "pp", "ed", "eds", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
})  # fmt: skip
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_BULLETS = "-–•*·●▪"
_TRIM = frozenset(" \t\u00a0\u3000\ufeff\u200b" + _LINE_BREAKS)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans `(start, end)` of the sentences of `text`, in order, none empty.

    `text[start:end]` is the sentence exactly as written, without surrounding white space.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _BOUNDARY.finditer(text):
        mark = match.start()
        char = text[mark]
        if char in _LINE_BREAKS or char in "-–":
            cut, resume = mark, match.end()
        elif char == "." and _ends_abbreviation(text, mark):
            continue
        else:
            cut = resume = match.end()
        _add_span(text, position, cut, spans)
        position = resume
    _add_span(text, position, len(text), spans)
    return spans


def _ends_abbreviation(text: str, dot: int) -> bool:
    """Whether the word just before the full stop at `dot` is an abbreviation or an initial."""
    start = dot
    while start > 0 and dot - start < 12:
        char = text[start - 1]
        if not (char.isascii() and (char.isalpha() or char == ".")):
            break
        start -= 1
    word = text[start:dot]
    if not word:
        return False
    if len(word) == 1:
        return word.isupper()
    return word.lower() in _ABBREVIATIONS or _DOTTED.fullmatch(word) is not None


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append `text[start:end]` trimmed of white space and a leading bullet, unless empty."""
    while start < end and text[start] in _TRIM:
        start += 1
    if start + 1 < end and text[start] in _BULLETS and text[start + 1] in _TRIM:
        start += 1
        while start < end and text[start] in _TRIM:
            start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if start < end:
        spans.append((start, end))
