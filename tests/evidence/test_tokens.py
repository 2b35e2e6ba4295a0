"""Token streams: one- and two-character Chinese terms and substrings must be findable."""

from __future__ import annotations

import re
import sqlite3
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from critmin.evidence.tokens import index_streams, phrase_query, term_query


def test_streams() -> None:
    words, chars = index_streams("稀土出口管制 affects NdFeB Magnets")
    assert words == "affects ndfeb magnets 稀土 土出 出口 口管 管制"
    assert chars == "稀 土 出 口 管 制"


def table(texts: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE search USING fts5(title, words, chars, content='')")
    for rowid, text in enumerate(texts, start=1):
        words, chars = index_streams(text)
        conn.execute("INSERT INTO search (rowid, title, words, chars) VALUES (?, '', ?, ?)",
                     (rowid, words, chars))
    return conn


def matching(conn: sqlite3.Connection, term: str) -> list[int]:
    query = term_query(term)
    assert query is not None
    return [r[0] for r in conn.execute("SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid",
                                       (query,))]


@pytest.mark.parametrize(("term", "expected"), [
    ("镓", [1]), ("稀土", [1, 2]), ("出口管制", [1]), ("镝", [2]), ("氧化镝", [2]),
    ("gallium", [3]), ("GALLIUM", [3]), ("管制出口", []),
])
def test_short_chinese_terms_are_found(term: str, expected: list[int]) -> None:
    conn = table(["中国宣布对镓和稀土实施出口管制", "氧化镝价格上涨,稀土市场紧张", "Gallium prices rose"])
    assert matching(conn, term) == expected


@pytest.mark.parametrize("hostile", ['"', "*", "NEAR(a b)", "title:x", "(", ")", "a OR", "-x", "^"])
def test_fts_syntax_is_plain_text(hostile: str) -> None:
    conn = table(["NEAR the title: a (test) OR x"])
    query = term_query(hostile)
    if query is not None:
        conn.execute("SELECT rowid FROM search WHERE search MATCH ?", (query,)).fetchall()


def test_phrase_query_for_names() -> None:
    conn = table(["rare earths exports", "earths are rare"])
    query = phrase_query("rare earths")
    assert query is not None
    assert [r[0] for r in conn.execute("SELECT rowid FROM search WHERE search MATCH ?", (query,))] == [1]


_REF_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_REF_BIGRAM = re.compile(rf"(?=([{_REF_CJK}]{{2}}))")
_REF_SINGLE = re.compile(rf"(?<![{_REF_CJK}])[{_REF_CJK}](?![{_REF_CJK}])")
_REF_LATIN = re.compile(rf"[^\W_{_REF_CJK}]+")


_PIECES = [*"稀土镓镝钨出口 ab1é,.-\n氧化", "Dy2O3 ", "ＡＢ", "稀"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_streams_are_overlapping_bigrams_lone_characters_and_every_character(text: str) -> None:
    """The streams equal their definition by whole-text scans (lookahead bigrams, isolated chars)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words, chars = index_streams(text)
    expected = [*_REF_LATIN.findall(folded), *_REF_BIGRAM.findall(folded), *_REF_SINGLE.findall(folded)]
    assert words.split() == expected
    assert chars.split() == re.findall(rf"[{_REF_CJK}]", folded)
