"""Search tokens for mixed Chinese/English text: words for Latin script, bigrams and characters
for Chinese.

SQLite's tokenizers do not fit Chinese (SEARCH_NOTES.md): `unicode61` keeps a run of Chinese
characters as one token, `trigram` cannot match the one- and two-character terms that matter
most here (镓, 镝, 稀土). Segmenting with a dictionary (jieba) keeps 氧化镝 whole, so a search
for 镝 misses it unless every character is indexed as well, and it is slow at ingest.
So critmin writes its own token streams and lets FTS5 index them with `unicode61`:

- `words`: Latin words (case-folded, NFKC) and, for every run of Chinese characters, its
  overlapping character bigrams in order — a Chinese term of two or more characters becomes a
  phrase of consecutive bigrams, which finds it anywhere inside longer text;
- `chars`: every Chinese character on its own, for one-character terms (镓, 锑, 钨).

The same functions build queries, so indexing and searching can never disagree.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")


def is_cjk(text: str) -> bool:
    return bool(_CJK_RUN.match(text))


def _runs(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def index_streams(text: str) -> tuple[str, str]:
    """The (words, chars) streams FTS5 indexes for a text."""
    words: list[str] = []
    chars: list[str] = []
    for run in _runs(text):
        if is_cjk(run):
            chars.extend(run)
            if len(run) == 1:
                words.append(run)
            else:
                words.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            words.append(run)
    return " ".join(words), " ".join(chars)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def term_query(term: str) -> str | None:
    """An FTS5 expression matching one user term anywhere, or None if it has no letters.

    The user's text only ever reaches FTS5 inside double-quoted strings built from our own
    tokens, so `"`, `*`, `NEAR`, `:` or parentheses in a query are plain text, never syntax.
    """
    parts: list[str] = []
    for run in _runs(term):
        if is_cjk(run):
            if len(run) == 1:
                parts.append(f"chars : {_quote(run)}")
            else:
                bigrams = " ".join(run[i:i + 2] for i in range(len(run) - 1))
                parts.append(f"{{title words}} : {_quote(bigrams)}")
        else:
            parts.append(f"{{title words}} : {_quote(run)}")
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def phrase_query(phrase: str) -> str | None:
    """An FTS5 expression for a multi-word name (`rare earths`) as one phrase."""
    runs = _runs(phrase)
    if not runs:
        return None
    if len(runs) == 1 or any(is_cjk(r) for r in runs):
        return term_query(phrase)
    return f"{{title words}} : {_quote(' '.join(runs))}"


def query_terms(text: str) -> list[str]:
    """The user's query split into terms: Latin words and Chinese runs."""
    return _runs(text)
