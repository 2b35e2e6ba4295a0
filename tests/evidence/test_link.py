"""Entity linking in both languages, with the knowledge base's names."""

from __future__ import annotations

from critmin.evidence.link import linker_for
from critmin.kb import KnowledgeBase


def linked(kb: KnowledgeBase, text: str) -> list[tuple[str | None, str]]:
    return [(m.entity_id, m.name) for m in linker_for(kb).mentions(text)]


def test_materials_in_both_languages(kb: KnowledgeBase) -> None:
    text = "镝 / dysprosium / Dy2O3 / 氧化镝 and 钕铁硼 or NdFeB or neodymium magnets"
    assert [e for e, _ in linked(kb, text)] == ["Dy", "Dy", "Dy", "Dy", "NdFeB", "NdFeB", "NdFeB"]


def test_countries(kb: KnowledgeBase) -> None:
    text = "美国 and the U.S. and the United States and US officials"
    assert [e for e, _ in linked(kb, text)] == ["USA", "USA", "USA", "USA"]


def test_companies(kb: KnowledgeBase) -> None:
    assert [e for e, _ in linked(kb, "台积电 (TSMC) said")] == ["tsmc", "tsmc"]


def test_no_false_positives_from_short_words(kb: KnowledgeBase) -> None:
    assert linked(kb, "Let us see it in the car; as to the ore, tin cans are no use.") == []


def test_longest_name_wins(kb: KnowledgeBase) -> None:
    assert linked(kb, "氧化镝") == [("Dy", "氧化镝")]
    assert linked(kb, "rare earths") == [("REE", "rare earths")]


def test_unknown_organisations_still_recorded(kb: KnowledgeBase) -> None:
    found = linker_for(kb).mentions("Zenith Magnetics and 某某矿业公司 signed a deal")
    assert [(m.kind, m.entity_id, m.name) for m in found] == [
        ("organisation", None, "Zenith Magnetics"), ("organisation", None, "某某矿业公司")]


def test_offsets_point_at_the_text(kb: KnowledgeBase) -> None:
    text = "In 2025 中国 restricted 镓 exports to the U.S."
    for m in linker_for(kb).mentions(text):
        assert text[m.start:m.end] == m.name
