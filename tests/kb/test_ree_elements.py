"""Rare earths by element: an element's own series stage by stage, the aggregate's elsewhere.

`KnowledgeBase.shares` falls back to the aggregate per (stage, measure): an element with its own
refining figures but no mining figures shows its own refining series and the aggregate's mining
series, the latter labelled with `aggregate_for`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from critmin.kb import KnowledgeBase, load_kb
from critmin.kb.models import Measure, Stage
from critmin.kb.series import ShareSeries

DATA = Path(__file__).resolve().parents[2] / "src" / "critmin" / "kb" / "data"
ELEMENT_CSV = DATA / "shares" / "ree_elements.csv"

TB = """- id: Tb
  kind: element
  names: {en: terbium, zh: 铽}
  group: heavy_ree
  parent: REE
- id: Nd
  kind: element
  names: {en: neodymium, zh: 钕}
  group: light_ree
  parent: REE
"""

DY_ROWS = """Dy,refining,production,2024,CHN,,,0.99,src-b,medium,secondary summary
Dy,refining,production,2024,ROW,,,0.01,src-b,medium,secondary summary
Dy,refining,capacity,2025,CHN,,,0.95,src-b,medium,secondary summary
Dy,refining,capacity,2025,USA,,,0.05,src-b,medium,secondary summary
REE,refining,production,2023,CHN,,,0.95,src-b,medium,secondary summary
REE,refining,production,2023,ROW,,,0.05,src-b,medium,secondary summary
Nd,refining,capacity,2024,CHN,,,0.9,src-b,medium,secondary summary
Nd,refining,capacity,2024,ROW,,,0.1,src-b,medium,secondary summary
"""


@pytest.fixture
def element_kb(minimal_dir: Path) -> KnowledgeBase:
    """The minimal fixture plus own refining series for Dy (production 2024, capacity 2025), REE
    refining for 2023, Nd with refining capacity only, and an element (Tb) with no series of its
    own."""
    with (minimal_dir / "materials" / "main.yaml").open("a", encoding="utf-8") as f:
        f.write(TB)
    with (minimal_dir / "shares" / "main.csv").open("a", encoding="utf-8") as f:
        f.write(DY_ROWS)
    return load_kb(minimal_dir)


def keys(series: list[ShareSeries]) -> list[tuple[str, str, str, int, str | None]]:
    return [(s.material, s.stage.value, s.measure.value, s.year, s.aggregate_for) for s in series]


def test_own_refining_and_aggregate_mining(element_kb: KnowledgeBase) -> None:
    dy = element_kb.material("Dy")
    assert keys(element_kb.shares(dy)) == [
        ("REE", "mining", "production", 2023, "Dy"),
        ("REE", "mining", "production", 2024, "Dy"),
        ("Dy", "refining", "capacity", 2025, None),
        ("Dy", "refining", "production", 2024, None),
    ]
    refining = element_kb.shares(dy, stage=Stage.REFINING, measure=Measure.PRODUCTION)
    assert [(r.country, r.share) for r in refining[0].rows] == [("CHN", 0.99), ("ROW", 0.01)]
    mining = element_kb.shares(dy, stage=Stage.MINING, year=2024)
    assert keys(mining) == [("REE", "mining", "production", 2024, "Dy")]
    assert mining[0].rows[0].country == "CHN" and mining[0].rows[0].share == pytest.approx(0.6)


def test_fallback_is_per_measure_and_after_the_filters(element_kb: KnowledgeBase) -> None:
    # Nd's own refining capacity does not hide the aggregate's refining production
    assert keys(element_kb.shares(element_kb.material("Nd"), stage=Stage.REFINING)) == [
        ("Nd", "refining", "capacity", 2024, None),
        ("REE", "refining", "production", 2023, "Nd"),
        ("REE", "refining", "production", 2024, "Nd")]
    dy = element_kb.material("Dy")
    assert keys(element_kb.shares(dy, stage=Stage.REFINING, measure=Measure.CAPACITY)) == [
        ("Dy", "refining", "capacity", 2025, None)]
    # The aggregate's refining production is not mixed into a stage and measure Dy has...
    assert keys(element_kb.shares(dy, stage=Stage.REFINING, measure=Measure.PRODUCTION)) == [
        ("Dy", "refining", "production", 2024, None)]
    # ...but a year filter that leaves Dy no refining figures falls back for that year.
    assert keys(element_kb.shares(dy, stage=Stage.REFINING, year=2023)) == [
        ("REE", "refining", "production", 2023, "Dy")]
    assert keys(element_kb.shares(dy, year=2024)) == [
        ("REE", "mining", "production", 2024, "Dy"),
        ("Dy", "refining", "production", 2024, None)]


def test_element_with_no_own_series_shows_all_aggregate(element_kb: KnowledgeBase) -> None:
    tb = element_kb.material("Tb")
    ree = element_kb.material("REE")
    inherited = element_kb.shares(tb)
    assert keys(inherited) == [(s.material, s.stage.value, s.measure.value, s.year, "Tb")
                               for s in element_kb.shares(ree)]
    assert [s.rows for s in inherited] == [s.rows for s in element_kb.shares(ree)]
    assert element_kb.shares(ree) and all(s.aggregate_for is None for s in element_kb.shares(ree))


def test_material_without_parent_is_unchanged(element_kb: KnowledgeBase) -> None:
    ga = element_kb.material("Ga")
    assert keys(element_kb.shares(ga)) == [("Ga", "refining", "production", 2024, None)]
    assert element_kb.shares(ga, stage=Stage.MINING) == []


def _bundled_element_series() -> dict[tuple[str, str, str, int], dict[str, float]]:
    """The element-level rows of shares/ree_elements.csv, read straight from the file."""
    out: dict[tuple[str, str, str, int], dict[str, float]] = defaultdict(dict)
    with ELEMENT_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["country"] != "WLD":
                key = (row["material"], row["stage"], row["measure"], int(row["year"]))
                out[key][row["country"]] = float(row["share"])
    return out


def test_bundled_element_data_is_returned_as_the_elements_own(kb: KnowledgeBase) -> None:
    expected = _bundled_element_series()
    assert expected, "shares/ree_elements.csv has no rows"
    for (material_id, stage, measure, year), shares in expected.items():
        material = kb.material(material_id)
        found = kb.shares(material, stage=Stage(stage), measure=Measure(measure), year=year)
        assert len(found) == 1
        series = found[0]
        assert series.material == material_id and series.aggregate_for is None
        assert {r.country: r.share for r in series.rows} == pytest.approx(shares)
        assert all(kb.source(sid) for sid in series.sources)


def test_bundled_dysprosium_keeps_the_aggregate_for_mining(kb: KnowledgeBase) -> None:
    dy = kb.material("Dy")
    ree = kb.material("REE")
    every = kb.shares(dy, measure=Measure.PRODUCTION)
    refining = [s for s in every if s.stage is Stage.REFINING]
    mining = [s for s in every if s.stage is Stage.MINING]
    assert refining and all(s.material == "Dy" and s.aggregate_for is None for s in refining)
    assert [s.year for s in mining] == [s.year for s in
                                        kb.shares(ree, stage=Stage.MINING, measure=Measure.PRODUCTION)]
    assert mining and all(s.material == "REE" and s.aggregate_for == "Dy" for s in mining)
