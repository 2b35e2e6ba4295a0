"""Names in both languages, any case, oxides and misspellings resolve to one id."""

from __future__ import annotations

import pytest

from critmin.errors import NotFoundError
from critmin.kb import KnowledgeBase
from critmin.kb.gazetteer import Gazetteer, normalise


@pytest.mark.parametrize("name", ["Dy", "dy", "DY", "Dysprosium", "dysprosium", "镝", "氧化镝",
                                  "Dy2O3", "dy2o3", "dysprosium oxide", "disprosium"])
def test_dysprosium_names(kb: KnowledgeBase, name: str) -> None:
    assert kb.material(name).id == "Dy"


@pytest.mark.parametrize("name", ["REE", "rare earths", "Rare Earths", "rare-earth", "稀土",
                                  "rare earth elements", "REO"])
def test_rare_earth_names(kb: KnowledgeBase, name: str) -> None:
    assert kb.material(name).id == "REE"


@pytest.mark.parametrize(("name", "expected"), [
    ("钕铁硼", "NdFeB"), ("neodymium magnets", "NdFeB"), ("NdFeB", "NdFeB"),
    ("镓", "Ga"), ("gallium", "Ga"), ("锗", "Ge"), ("锑", "Sb"), ("钨", "W"), ("wolfram", "W"),
    ("石墨", "graphite"), ("natural graphite", "graphite"), ("碳酸锂", "Li"), ("铟", "In"),
    ("钐钴", "SmCo"), ("Tb4O7", "Tb"), ("氧化铽", "Tb"), ("钇", "Y"),
])
def test_other_material_names(kb: KnowledgeBase, name: str, expected: str) -> None:
    assert kb.material(name).id == expected


@pytest.mark.parametrize("name", ["USA", "US", "U.S.", "united states", "美国",
                                  "United States of America"])
def test_united_states(kb: KnowledgeBase, name: str) -> None:
    assert kb.country(name).id == "USA"


@pytest.mark.parametrize(("name", "expected"), [
    ("中国", "CHN"), ("china", "CHN"), ("Burma", "MMR"), ("缅甸", "MMR"), ("DRC", "COD"),
    ("South Korea", "KOR"), ("韩国", "KOR"), ("欧盟", "EU"), ("EU", "EU"), ("日本", "JPN"),
])
def test_country_names(kb: KnowledgeBase, name: str, expected: str) -> None:
    assert kb.country(name).id == expected


def test_unknown_material_suggests_nearest(kb: KnowledgeBase) -> None:
    with pytest.raises(NotFoundError) as info:
        kb.material("dysprosum")
    assert info.value.suggestions[0] == "dysprosium (Dy)"
    assert "did you mean: dysprosium (Dy)" in info.value.message
    assert info.value.exit_code == 1


def test_unknown_name_without_neighbours(kb: KnowledgeBase) -> None:
    with pytest.raises(NotFoundError) as info:
        kb.material("qqqqqqqq")
    assert info.value.suggestions == []
    assert info.value.message == "unknown material 'qqqqqqqq'"


def test_normalise_folds_width_case_and_punctuation() -> None:
    assert normalise("Ｕ.Ｓ.") == normalise("us")
    assert normalise("Rare-Earth  Oxides") == "rareearthoxides"


def test_collisions_are_recorded() -> None:
    gazetteer = Gazetteer("material")
    gazetteer.add("A", ["alpha"])
    gazetteer.add("B", ["Alpha", "beta"])
    assert gazetteer.lookup("ALPHA") == "A"
    assert gazetteer.collisions == [("Alpha", "A", "B")]
