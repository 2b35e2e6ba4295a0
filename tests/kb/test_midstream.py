"""Refining/processing-stage shares in shares/midstream_history.csv reach the loaded knowledge base.

Expected values are read from the CSV itself, so these tests check that what was encoded is what
the knowledge base serves (series grouping, ROW handling, no fallback to an aggregate), not the
figures themselves.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from critmin.cli import main
from critmin.kb import KnowledgeBase, Measure, Stage

#: (material, year) -> the least number of named countries (ROW excluded) the series must have.
EXPECTED = {
    ("Co", 2017): 1,
    ("Co", 2020): 12,
    ("Ni", 2020): 20,
    ("Ni", 2023): 2,
    ("Li", 2020): 4,
    ("W", 2020): 6,
    ("Sb", 2020): 25,
    ("LREE", 2020): 7,
    ("HREE", 2020): 1,
}


def _csv_rows(kb: KnowledgeBase) -> list[dict[str, str]]:
    path = Path(kb.root) / "shares" / "midstream_history.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv_share(kb: KnowledgeBase, material: str, year: int, country: str) -> float:
    found = [float(r["share"]) for r in _csv_rows(kb)
             if (r["material"], r["stage"], r["year"], r["country"])
             == (material, "refining", str(year), country)]
    assert len(found) == 1, (material, year, country)
    return found[0]


def test_every_encoded_series_is_listed_here(kb: KnowledgeBase) -> None:
    encoded = {(r["material"], int(r["year"])) for r in _csv_rows(kb)}
    assert encoded == set(EXPECTED)
    assert {r["stage"] for r in _csv_rows(kb)} == {"refining"}


@pytest.mark.parametrize(("material", "year"), sorted(EXPECTED))
def test_series_is_served_with_chinas_encoded_share(
    kb: KnowledgeBase, material: str, year: int
) -> None:
    series = kb.shares(kb.material(material), stage=Stage.REFINING, year=year,
                       measure=Measure.PRODUCTION)
    assert len(series) == 1
    one = series[0]
    assert one.material == material and one.aggregate_for is None and not one.partial
    assert len(one.countries()) >= EXPECTED[(material, year)]
    assert abs(one.share_sum() - 1) <= 0.005
    china = [r.share for r in one.rows if r.country == "CHN"]
    assert china == [pytest.approx(_csv_share(kb, material, year, "CHN"))]
    assert set(one.sources) <= set(kb.sources)


def test_rows_carry_a_reason_for_their_confidence(kb: KnowledgeBase) -> None:
    for row in _csv_rows(kb):
        assert row["confidence"] in {"medium", "low"} and row["note"], row
        if row["country"] != "WLD":  # share-only series; a reported world total has a quantity
            assert row["quantity"] == "" and row["unit"] == "", row


def test_nickel_and_cobalt_have_history(kb: KnowledgeBase) -> None:
    years = [s.year for s in kb.shares(kb.material("nickel"), stage=Stage.REFINING)]
    assert years == sorted(years) and {2020, 2023} <= set(years)
    cobalt = {s.year: s for s in kb.shares(kb.material("cobalt"), stage=Stage.REFINING)}
    assert {2017, 2020} <= set(cobalt)
    assert cobalt[2017].world_total == pytest.approx(
        next(float(r["quantity"]) for r in _csv_rows(kb)
             if (r["material"], r["year"], r["country"]) == ("Co", "2017", "WLD")))
    latest = kb.shares(kb.material("Ni"), stage=Stage.REFINING, year=2023)[0]
    assert {r.country: r.share for r in latest.rows}["IDN"] == pytest.approx(
        _csv_share(kb, "Ni", 2023, "IDN"))


def test_elements_still_fall_back_to_the_rare_earth_aggregate(kb: KnowledgeBase) -> None:
    # the heavy/light group series are their own materials; elements without refining figures
    # of their own keep inheriting REE (Dy has its own: see tests/kb/test_ree_elements.py)
    for symbol in ("Tb", "Nd", "Pr"):
        series = kb.shares(kb.material(symbol), stage=Stage.REFINING)
        assert series and all(s.material == "REE" and s.aggregate_for == symbol for s in series)


def test_chokepoints_rank_the_new_refining_series(capsys: pytest.CaptureFixture[str],
                                                  kb: KnowledgeBase) -> None:
    assert main(["chokepoints", "--json"]) == 0
    rows = {(r["material"], r["stage"]): r for r in json.loads(capsys.readouterr().out)}
    for material in ("Co", "Li", "W", "Sb", "LREE", "HREE", "Ni"):
        row = rows[(material, "refining")]
        latest = max(s.year for s in kb.series if s.material == material
                     and s.stage is Stage.REFINING and s.measure is Measure.PRODUCTION)
        assert row["year"] == latest
        assert row["top_country"] == ("IDN" if material == "Ni" else "CHN")
    assert main(["chokepoints", "--top", "5"]) == 0
    assert "HHI" in capsys.readouterr().out
