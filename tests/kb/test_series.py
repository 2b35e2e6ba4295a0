"""Share series: computed shares, published shares, and the aggregate fallback."""

from __future__ import annotations

import pytest

from critmin.kb import KnowledgeBase, Measure, Stage


def test_quantity_series_shares_exclude_world_total(minimal_kb: KnowledgeBase) -> None:
    ree = minimal_kb.material("REE")
    [series] = minimal_kb.shares(ree, stage=Stage.MINING, year=2024)
    assert [r.country for r in series.rows] == ["CHN", "USA", "AUS", "ROW"]
    assert [r.share for r in series.rows] == pytest.approx([0.6, 0.2, 0.1, 0.1])
    assert series.world_total == 1000
    assert series.unit == "t REO"
    assert series.sources == ["src-a"]


def test_share_series_keeps_published_fractions(minimal_kb: KnowledgeBase) -> None:
    ree = minimal_kb.material("REE")
    [series] = minimal_kb.shares(ree, stage=Stage.REFINING)
    assert series.unit is None
    assert {r.country: r.share for r in series.rows} == {"CHN": 0.9, "ROW": 0.1}
    assert series.rows[0].note == "secondary summary"


def test_element_falls_back_to_aggregate_labelled(minimal_kb: KnowledgeBase) -> None:
    dy = minimal_kb.material("镝")
    series = minimal_kb.shares(dy, stage=Stage.MINING)
    assert {s.year for s in series} == {2023, 2024}
    assert all(s.material == "REE" and s.aggregate_for == "Dy" for s in series)


def test_own_figures_win_over_aggregate(minimal_kb: KnowledgeBase) -> None:
    ga = minimal_kb.material("Ga")
    [series] = minimal_kb.shares(ga)
    assert series.aggregate_for is None and series.material == "Ga"


def test_filters(minimal_kb: KnowledgeBase) -> None:
    ree = minimal_kb.material("REE")
    assert minimal_kb.shares(ree, measure=Measure.RESERVES) == []
    assert len(minimal_kb.shares(ree)) == 3


def test_facility_filters_follow_aggregates(minimal_kb: KnowledgeBase) -> None:
    dy = minimal_kb.material("Dy")
    assert {f.id for f in minimal_kb.facilities_for(material=dy)} == {"plant-a", "plant-b"}
    ree = minimal_kb.material("REE")
    assert {f.id for f in minimal_kb.facilities_for(material=ree)} == {"plant-a", "plant-b"}
    usa = minimal_kb.country("美国")
    assert [f.id for f in minimal_kb.facilities_for(country=usa)] == ["plant-a"]
    assert [f.id for f in minimal_kb.facilities_for(status="planned")] == ["plant-b"]
