"""How search reads queries: each failure class of the judged query set, on a small document
written in its shape (tests/fixtures/evidence_search)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from critmin.evidence.ingest import expand_paths, ingest_paths
from critmin.evidence.link import linker_for
from critmin.evidence.names import people_places, segment
from critmin.evidence.searching import SearchHit, concepts, search
from critmin.evidence.store import SCHEMA_VERSION, connect, schema_version
from critmin.kb import KnowledgeBase

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "evidence_search"


@pytest.fixture
def shapes(tmp_path: Path, kb: KnowledgeBase) -> sqlite3.Connection:
    conn = connect(tmp_path / "shapes.db")
    report = ingest_paths(conn, linker_for(kb), expand_paths([SHAPES]))
    assert report.failed == [] and report.ingested == 5
    return conn


def titles(hits: list[SearchHit]) -> list[str]:
    return [h.title for h in hits]


def by_title(hits: list[SearchHit], start: str) -> SearchHit:
    return next(h for h in hits if h.title.startswith(start))


# (1) Chinese typed without spaces


def test_a_chinese_compound_of_two_words_is_segmented(shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    # 稀土 and 关税 both stand in the title, never side by side
    hits = search(shapes, kb, "稀土关税")
    assert titles(hits) == ["特朗普关税与稀土反制"] and hits[0].match == "all"
    assert hits[0].read_as == "稀土 (rare earths) + 关税 (tariff)"
    # a word no dictionary holds is kept as a pair of characters: 精矿 + 分离
    assert [c.label for c in concepts(kb, "精矿分离")] == ["精矿", "分离"]
    assert titles(search(shapes, kb, "精矿分离")) == ["特朗普关税与稀土反制"]


def test_segmenting_keeps_the_longest_dictionary_word() -> None:
    words = frozenset({"美国", "美国国防部", "国防", "稀土", "价格", "价"})
    assert segment("美国国防部稀土价格", words) == [("美国国防部", True), ("稀土", True), ("价格", True)]
    assert segment("稀土的价格", words) == [("稀土", True), ("价格", True)]  # 的 is dropped
    assert segment("被抢疯了稀土", words) == [("被抢", False), ("疯了", False), ("稀土", True)]


# (2) words that never meet in one document


def test_words_in_different_documents_fall_back_to_partial_matches(
        shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    hits = search(shapes, kb, "NdFeB Trump")
    assert {h.title for h in hits} >= {"Sintered NdFeB: where the magnets are made", "特朗普关税与稀土反制"}
    assert all(h.match == "partial" and h.matched == 1 for h in hits)
    assert all(0 < h.relevance <= 1 for h in hits)
    # when some document holds every word, only those are returned
    full = search(shapes, kb, "Trump 芒廷帕斯")
    assert titles(full) == ["特朗普关税与稀土反制"] and full[0].match == "all"


# (3) one character, and material families


def test_an_element_finds_the_compounds_named_with_its_character(
        shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    # nd-alloy-zh names 钕 only inside 钕铁硼 and 镨钕, ndfeb-magnets only as NdFeB
    for query in ("钕", "neodymium"):
        found = set(titles(search(shapes, kb, query)))
        assert {"钕铁硼与镨钕金属", "Sintered NdFeB: where the magnets are made"} <= found, query


def test_one_character_for_magnet_finds_what_the_word_finds(
        shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    one = set(titles(search(shapes, kb, "磁")))
    two = set(titles(search(shapes, kb, "磁体")))
    assert two <= one and "Sintered NdFeB: where the magnets are made" in one
    assert "稀土永磁出口回落" in one  # English body, Chinese title: 永磁 holds the character


# (4) people, places and agencies across languages


@pytest.mark.parametrize(("query", "title"), [
    ("Trump", "特朗普关税与稀土反制"), ("特朗普", "特朗普关税与稀土反制"),
    ("Mountain Pass", "特朗普关税与稀土反制"), ("芒廷帕斯", "国防部入股MP Materials:稀土价格有了底线"),
    ("Ministry of Commerce", "特朗普关税与稀土反制")])
def test_people_and_places_are_found_in_the_other_language(
        shapes: sqlite3.Connection, kb: KnowledgeBase, query: str, title: str) -> None:
    assert title in titles(search(shapes, kb, query))


def test_every_name_entry_cites_a_known_source(kb: KnowledgeBase) -> None:
    entries = people_places()
    assert len(entries) >= 30
    assert all(entry.source in kb.sources for entry in entries)
    assert all(entry.same_as is None or entry.same_as in kb.companies for entry in entries)
    assert all(entry.en and entry.zh for entry in entries)


# (5) front matter


def test_a_first_name_is_not_read_as_a_country_code(kb: KnowledgeBase) -> None:
    # the gazetteer strips plural endings: `James` would be `JAM`, Jamaica
    assert [c.entity for c in concepts(kb, "James Litinsky")] == [None, None]
    assert concepts(kb, "USA")[0].entity == "kbcusa" and concepts(kb, "rare earths")[0].entity == "kbmree"


def test_a_posts_speaker_is_searchable(shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    # the speaker is named only in the front matter
    assert (SHAPES / "speaker-post.md").read_text("utf-8").count("Litinsky") == 2
    hits = search(shapes, kb, "James Litinsky")
    assert titles(hits) == ["国防部入股MP Materials:稀土价格有了底线"]
    assert "«James» «Litinsky»" in hits[0].snippet
    assert "国防部入股MP Materials:稀土价格有了底线" in titles(search(shapes, kb, "NdPr oxide"))


# (6) snippets for English queries over Chinese text


def test_english_query_shows_the_english_twin_or_a_gloss(
        shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    hits = search(shapes, kb, "Mountain Pass")
    post = by_title(hits, "国防部入股")
    assert "«Mountain Pass mine»" in post.snippet and post.lang == "en" and post.language == "zh"
    trump = by_title(search(shapes, kb, "Trump"), "特朗普")
    assert "«特朗普»" in trump.snippet and trump.snippet.endswith("(特朗普 = Trump)")


# (7) --lang per paragraph


def test_language_filter_matches_paragraphs(shapes: sqlite3.Connection, kb: KnowledgeBase) -> None:
    digest = by_title(search(shapes, kb, "稀土", lang="zh"), "稀土永磁出口回落")
    assert digest.language == "en" and digest.lang == "zh"  # English body, Chinese title
    assert "稀土永磁出口回落" in titles(search(shapes, kb, "licensing", lang="en"))
    assert "稀土永磁出口回落" not in titles(search(shapes, kb, "licensing", lang="zh"))
    # a Chinese post with English twins is English where its twins are
    english = search(shapes, kb, "Mountain Pass", lang="en")
    assert by_title(english, "国防部入股").lang == "en"
    assert "特朗普关税与稀土反制" not in titles(english)


def test_a_version_2_store_is_upgraded_to_tag_paragraphs_and_index_front_matter(
        tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "v2.db"
    conn = connect(path)
    ingest_paths(conn, linker_for(kb), expand_paths([SHAPES / "speaker-post.md"]))
    # as a v2 store held it: no paragraph languages, front matter not in the index
    conn.execute("ALTER TABLE paragraphs DROP COLUMN language")
    conn.execute("DROP TABLE search")
    conn.execute("CREATE VIRTUAL TABLE search USING fts5(title, words, chars, entities, content='')")
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    upgraded = connect(path)
    assert schema_version(upgraded) == SCHEMA_VERSION == 3
    languages = {row[0] for row in upgraded.execute("SELECT language FROM paragraphs")}
    assert languages == {"zh", "mixed"}  # the title mixes 国防部入股 and MP Materials
    assert titles(search(upgraded, kb, "James Litinsky")) == ["国防部入股MP Materials:稀土价格有了底线"]
    assert titles(search(upgraded, kb, "稀土")) == ["国防部入股MP Materials:稀土价格有了底线"]
