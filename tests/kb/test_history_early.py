"""Years 2010, 2015 and 2019 from the earlier USGS Mineral Commodity Summaries editions.

Each year comes from the edition two years later where a copy of its table was read, else from
the edition one year later (estimate column). The expected shares below are the ones the USGS
tables give (country quantity over the sum of the listed rows, 'Other countries' included).
"""

from __future__ import annotations

import pytest

from critmin.kb import KnowledgeBase, Measure, Stage

EARLY = [
    # material, stage, year, edition read, unit
    ("Ni", Stage.MINING, 2010, 2012, "t Ni"),
    ("Co", Stage.MINING, 2010, 2011, "t Co"),
    ("Mn", Stage.MINING, 2015, 2016, "t Mn"),
    ("Mo", Stage.MINING, 2010, 2011, "t Mo"),
]


def series_for(kb: KnowledgeBase, material: str, stage: Stage, year: int):
    found = [s for s in kb.shares(kb.material(material), stage=stage, measure=Measure.PRODUCTION)
             if s.year == year]
    assert found, f"no {material} {stage} production series for {year}"
    return found[0]


@pytest.mark.parametrize(("material", "stage", "year", "edition", "unit"), EARLY)
def test_early_year_exists_and_closes(kb: KnowledgeBase, material: str, stage: Stage, year: int,
                                      edition: int, unit: str) -> None:
    series = series_for(kb, material, stage, year)
    assert series.unit == unit
    assert len(series.rows) >= 8
    assert abs(series.share_sum() - 1.0) <= 0.02
    # MCS 2011's molybdenum table has no 'Other countries' row (its countries sum to the total)
    assert material == "Mo" or any(r.country == "ROW" for r in series.rows)
    for row in series.rows:
        assert row.sources[0] == f"usgs-mcs{edition}-" + row.sources[0].split("-", 2)[2]
        if edition == year + 1:
            assert "estimate" in (row.note or "")


@pytest.mark.parametrize(("material", "stage", "year", "country", "expected"), [
    ("Ni", Stage.MINING, 2010, "RUS", 269000 / 1594100),
    ("Ni", Stage.MINING, 2010, "IDN", 232000 / 1594100),
    ("Co", Stage.MINING, 2010, "COD", 45000 / 88300),
    ("Mn", Stage.MINING, 2015, "ZAF", 6200000 / 18490000),
    ("Mo", Stage.MINING, 2010, "CHN", 94000 / 234000),
])
def test_leading_producer_share(kb: KnowledgeBase, material: str, stage: Stage, year: int,
                                country: str, expected: float) -> None:
    series = series_for(kb, material, stage, year)
    share = next(r.share for r in series.rows if r.country == country)
    assert share == pytest.approx(expected, abs=0.005)


def test_leaders_as_usgs_printed(kb: KnowledgeBase) -> None:
    assert series_for(kb, "Ni", Stage.MINING, 2010).rows[0].country == "RUS"
    assert series_for(kb, "Co", Stage.MINING, 2010).rows[0].country == "COD"
    assert series_for(kb, "Mn", Stage.MINING, 2015).rows[0].country == "ZAF"
    cobalt = series_for(kb, "Co", Stage.MINING, 2010)
    assert next(r.share for r in cobalt.rows if r.country == "COD") == pytest.approx(0.51, abs=0.005)
