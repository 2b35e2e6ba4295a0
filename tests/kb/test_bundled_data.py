"""The data shipped in the wheel passes every check and meets the documented minimums."""

from __future__ import annotations

from critmin.kb import KnowledgeBase, Measure, Stage, check_data
from critmin.kb.models import MaterialKind

RARE_EARTH_ELEMENTS = {"La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er",
                       "Tm", "Yb", "Lu", "Sc", "Y"}
CONTROLLED = {"Ga", "Ge", "Sb", "W", "graphite", "Li", "Co", "Te", "Bi", "Mo", "In"}


def test_bundled_data_has_no_problems() -> None:
    _, problems = check_data()
    assert [str(p) for p in problems] == []


def test_materials_cover_the_rare_earths_and_controlled_metals(kb: KnowledgeBase) -> None:
    assert len(kb.materials) >= 28
    assert RARE_EARTH_ELEMENTS | CONTROLLED | {"REE", "NdFeB", "SmCo"} <= set(kb.materials)
    for symbol in RARE_EARTH_ELEMENTS:
        material = kb.materials[symbol]
        assert material.parent == "REE"
        assert material.names.zh and material.group in {"light_ree", "heavy_ree", "ree"}
    assert kb.materials["REE"].kind is MaterialKind.AGGREGATE


def test_facilities_cover_both_sides(kb: KnowledgeBase) -> None:
    assert len(kb.facilities) >= 30
    countries = {f.country for f in kb.facilities}
    assert "CHN" in countries and len(countries - {"CHN"}) >= 5
    statuses = {f.status.value for f in kb.facilities}
    assert {"operating", "planned"} <= statuses


def test_every_cited_source_resolves(kb: KnowledgeBase) -> None:
    cited = {s for row in kb.share_rows for s in row.sources}
    cited |= {s for f in kb.facilities for s in f.sources}
    cited |= {s for e in kb.end_uses for i in e.intensities for s in i.sources}
    assert cited <= set(kb.sources)


def test_rare_earth_mining_has_a_trend(kb: KnowledgeBase) -> None:
    ree = kb.material("REE")
    years = {s.year for s in kb.shares(ree, stage=Stage.MINING, measure=Measure.PRODUCTION)}
    assert len(years) >= 2
    reserves = kb.shares(ree, stage=Stage.MINING, measure=Measure.RESERVES)
    assert reserves and reserves[0].rows[0].country == "CHN"


def test_required_stages_are_covered(kb: KnowledgeBase) -> None:
    pairs = {(s.material, s.stage) for s in kb.series if s.measure is Measure.PRODUCTION}
    for needed in [("REE", Stage.MINING), ("REE", Stage.REFINING), ("NdFeB", Stage.MAGNET),
                   ("Ga", Stage.REFINING), ("W", Stage.MINING), ("Sb", Stage.MINING),
                   ("graphite", Stage.MINING), ("Li", Stage.MINING)]:
        assert needed in pairs


def test_f35_end_use(kb: KnowledgeBase) -> None:
    f35 = [e for e in kb.end_uses if "F-35" in e.product]
    assert f35 and f35[0].intensities[0].kg_per_unit == 417
