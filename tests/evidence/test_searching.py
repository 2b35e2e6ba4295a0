"""Search: both languages, cross-lingual through the gazetteer, filters, hostile input."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from critmin.errors import UsageError
from critmin.evidence.searching import concepts, expand, fts_expression, prune_forms, search
from critmin.kb import KnowledgeBase


def titles(hits: list[object]) -> list[str]:
    return [h.title for h in hits]  # type: ignore[attr-defined]


@pytest.mark.parametrize("term", ["镓", "稀土", "钨", "出口管制", "gallium", "Gallium", "TSMC", "台积电"])
def test_terms_are_found(loaded: sqlite3.Connection, kb: KnowledgeBase, term: str) -> None:
    assert search(loaded, kb, term), term


def test_chinese_query_finds_english_text(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    hits = search(loaded, kb, "钨")
    assert any("Kazakhstan" in h.snippet or "tungsten" in h.snippet.lower() for h in hits)
    english_only = search(loaded, kb, "tungsten", lang="en")
    assert english_only and all(h.language in {"en", "mixed"} for h in english_only)


def test_english_query_finds_chinese_documents(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    hits = search(loaded, kb, "rare earths", lang="zh")
    # matched per paragraph: a digest's Chinese title counts as Chinese text
    assert hits and all(h.lang in {"zh", "mixed"} for h in hits)
    assert all("稀土" in h.snippet for h in hits)


def test_dysprosium_price_across_languages(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    concepts = expand(kb, "dysprosium price")
    assert "镝" in concepts[0] and "价格" in concepts[1]


def test_ranking_prefers_title_matches(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    hits = search(loaded, kb, "镓")
    assert hits[0].title.startswith("镓价一周上涨12%")
    assert hits == sorted(hits, key=lambda h: -h.score)
    assert "«镓»" in hits[0].snippet


def test_filters(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    since = search(loaded, kb, "rare earth", since=date(2025, 10, 25))
    assert since and all(h.published and h.published >= "2025-10-25" for h in since)
    until = search(loaded, kb, "rare earth", until=date(2025, 10, 1))
    assert until and all(h.published and h.published < "2025-10-02" for h in until)
    kazakh = search(loaded, kb, "tungsten", country="KAZ")
    assert kazakh and all("哈萨克斯坦" in h.title or "Kazakh" in h.snippet for h in kazakh)
    assert len(search(loaded, kb, "rare earth", limit=2)) == 2
    lithium = search(loaded, kb, "investment", material="Li")
    assert lithium and any("锂" in h.title for h in lithium)


@pytest.mark.parametrize("hostile", ['"', 'rare" OR "x', "*", "NEAR(rare earth)", "title:稀土", "(稀土",
                                     "稀土) OR (", "AND", "-稀土", "^x", "col:* NOT"])
def test_any_query_is_safe(loaded: sqlite3.Connection, kb: KnowledgeBase, hostile: str) -> None:
    try:
        search(loaded, kb, hostile)
    except UsageError as exc:  # only "no words" is allowed to be refused
        assert "no words" in exc.message


def test_bad_language(loaded: sqlite3.Connection, kb: KnowledgeBase) -> None:
    with pytest.raises(UsageError):
        search(loaded, kb, "稀土", lang="fr")


def test_forms_implied_by_shorter_ones_and_ambiguous_words_are_dropped() -> None:
    forms = ["稀土", "rare earth", "rare earth elements", "稀土元素", "REE", "us", "金属镓", "镓"]
    assert prune_forms(forms, keep="稀土") == [
        "稀土", "rare earth", "REE", "镓"]
    assert prune_forms(["us", "United States"], keep="us") == ["us", "United States"]


def test_named_entities_are_searched_by_their_linked_token(loaded: sqlite3.Connection,
                                                          kb: KnowledgeBase) -> None:
    query = concepts(kb, "dysprosium price")
    assert query[0].entity == "kbmdy" and query[1].entity is None
    expression = fts_expression(query) or ""
    assert '"kbmdy"' in expression and 'chars : "价"' in expression  # 价 covers 价格
    # every spelling the linker resolved counts: an English query finds 美国 and 美國 in Chinese text
    hits = search(loaded, kb, "United States", lang="zh")
    assert hits and all(any(name in h.title + h.snippet for name in ("美国", "美國")) for h in hits)
