"""Copper and aluminium by country (shares/usgs_cu_al.csv), recent refining and magnet series
(shares/midstream_2024.csv), rare-earth element series (shares/ree_elements.csv) and the
element content of rare-earth deposits (ree_content.csv).

Expected figures are the ones encoded from the sources: a change to the data that moves them has
to change this file too.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from critmin.kb import KnowledgeBase, Measure, Stage

DATA = Path(__file__).resolve().parents[2] / "src" / "critmin" / "kb" / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _series(kb: KnowledgeBase, material: str, stage: Stage, year: int):
    found = kb.shares(kb.material(material), stage=stage, year=year, measure=Measure.PRODUCTION)
    assert len(found) == 1, (material, stage, year)
    return found[0]


def _share(series, country: str) -> float:
    return next(r.share for r in series.rows if r.country == country)


# --- copper and aluminium (USGS MCS 2024-2026) ---------------------------------------------

@pytest.mark.parametrize(("material", "stage", "year"), [
    ("Cu", Stage.MINING, 2022), ("Cu", Stage.REFINING, 2022), ("Al", Stage.METAL, 2022),
    ("Cu", Stage.MINING, 2023), ("Cu", Stage.REFINING, 2023), ("Cu", Stage.REFINING, 2024),
    ("Cu", Stage.REFINING, 2025), ("Al", Stage.METAL, 2023), ("Al", Stage.METAL, 2024),
    ("Al", Stage.METAL, 2025), ("Al", Stage.REFINING, 2022), ("Al", Stage.REFINING, 2023),
    ("Al", Stage.MINING, 2022), ("Al", Stage.MINING, 2023)])
def test_copper_and_aluminium_series_are_the_copper_or_aluminium_own(
        kb: KnowledgeBase, material: str, stage: Stage, year: int) -> None:
    series = _series(kb, material, stage, year)
    assert series.material == material and series.aggregate_for is None
    assert len(series.countries()) >= 10
    # listed countries plus USGS "Other countries" come within 2% of the rounded world total
    listed = sum(r.quantity for r in series.rows)
    assert abs(listed / series.world_total - 1) <= 0.02
    assert abs(series.share_sum() - 1) <= 0.005


def test_china_refines_copper_as_encoded(kb: KnowledgeBase) -> None:
    # MCS 2026: China 12,400 of 27,600 kt refined copper in 2024 (45%); 14,000 of 29,000 in 2025
    assert _share(_series(kb, "Cu", Stage.REFINING, 2024), "CHN") == pytest.approx(12400 / 27600,
                                                                                  abs=0.005)
    assert _series(kb, "Cu", Stage.REFINING, 2025).world_total == 29_000_000
    # MCS 2025: Chile mined 5,250 kt in 2023, the largest producer
    mine = _series(kb, "Cu", Stage.MINING, 2023)
    assert mine.rows[0].country == "CHL" and mine.rows[0].quantity == 5_250_000


def test_china_smelts_most_primary_aluminium(kb: KnowledgeBase) -> None:
    metal = _series(kb, "Al", Stage.METAL, 2025)
    assert metal.rows[0].country == "CHN"
    assert _share(metal, "CHN") == pytest.approx(45000 / 74210, abs=0.005)
    alumina = _series(kb, "Al", Stage.REFINING, 2023)
    assert alumina.rows[0].country == "CHN" and alumina.rows[0].quantity == 82_000_000


def test_copper_and_aluminium_rows_cite_usgs_and_keep_one_unit() -> None:
    rows = _rows("shares/usgs_cu_al.csv")
    assert {r["material"] for r in rows} == {"Cu", "Al"}
    units = {(r["material"], r["stage"]): set() for r in rows}
    for r in rows:
        units[(r["material"], r["stage"])].add(r["unit"])
        assert all(s.startswith("usgs-mcs") for s in r["sources"].split(";")), r
        assert r["quantity"] and not r["share"], r
        if r["confidence"] != "high":
            assert r["note"], r
    assert all(len(u) == 1 for u in units.values()), units


# --- refining shares for recent years (shares/midstream_2024.csv) --------------------------

def test_nickel_refining_2021_2022_come_from_bgs_and_close_to_one(kb: KnowledgeBase) -> None:
    for year, indonesia, china in ((2021, 0.33, 0.25), (2022, 0.37, 0.27)):
        series = _series(kb, "Ni", Stage.REFINING, year)
        assert series.material == "Ni" and not series.partial
        assert len(series.countries()) >= 15
        assert abs(series.share_sum() - 1) <= 0.005
        assert series.rows[0].country == "IDN"
        assert _share(series, "IDN") == pytest.approx(indonesia)
        assert _share(series, "CHN") == pytest.approx(china)
        assert "bgs-world-mineral-statistics" in series.sources


def test_graphite_refining_2024_is_chinas(kb: KnowledgeBase) -> None:
    series = _series(kb, "graphite", Stage.REFINING, 2024)
    assert _share(series, "CHN") == pytest.approx(0.957, abs=0.0005)
    assert abs(series.share_sum() - 1) <= 0.005
    assert "iea-critical-minerals-dataset-2025" in series.sources


def test_midstream_2024_rows_are_shares_with_reasons() -> None:
    rows = _rows("shares/midstream_2024.csv")
    assert rows and {r["stage"] for r in rows} == {"refining"}
    for r in rows:
        assert r["share"] and not r["quantity"], r
        assert r["confidence"] in {"medium", "low"} and r["note"], r
        if r["country"] == "ROW":
            assert "residual" in r["note"], r


# --- element content of deposits (ree_content.csv) ------------------------------------------

def test_mountain_pass_is_a_light_rare_earth_deposit(kb: KnowledgeBase) -> None:
    rows = {r.element: r for r in kb.element_content if r.deposit == "Mountain Pass"}
    assert set(rows) >= {"La", "Ce", "Nd", "Pr"}
    assert rows["Ce"].fraction_of_reo == pytest.approx(0.502)
    assert rows["La"].fraction_of_reo == pytest.approx(0.323)
    # MP's distribution table gives Nd+Pr together as 15.7%; the resource grades imply 16.2%
    assert rows["Nd"].fraction_of_reo + rows["Pr"].fraction_of_reo == pytest.approx(0.157, abs=0.01)
    assert sum(r.fraction_of_reo for r in rows.values()) <= 1.0
    assert all(r.deposit_type.value == "bastnaesite" and r.country == "USA" for r in rows.values())


def test_ree_content_header_is_the_agreed_one() -> None:
    with (DATA / "ree_content.csv").open(encoding="utf-8") as handle:
        header = handle.readline().strip()
    assert header == "deposit,country,deposit_type,element,fraction_of_reo,sources,confidence,note"
    for r in _rows("ree_content.csv"):
        if r["confidence"] != "high":
            assert r["note"], r


def test_ionic_clay_is_heavy_and_bastnaesite_light(kb: KnowledgeBase) -> None:
    content = {(r.deposit, r.element): r for r in kb.element_content}
    longnan = content[("Longnan", "Y")]
    assert longnan.deposit_type.value == "ionic_clay" and longnan.fraction_of_reo == pytest.approx(0.6483)
    assert content[("Bayan Obo", "Ce")].fraction_of_reo == pytest.approx(0.50)
    # yttrium dominates the ionic clay; cerium the bastnaesite ores
    assert longnan.fraction_of_reo > max(content[(d, "Ce")].fraction_of_reo
                                         for d in ("Bayan Obo", "Mianning", "Weishan", "Mountain Pass"))
