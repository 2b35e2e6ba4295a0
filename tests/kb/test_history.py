"""Several USGS editions in one knowledge base: years from each, revisions recorded, nothing doubled.

Expected values are read from the bundled CSV files themselves (not typed in here), so these tests
check that the loader and the series arithmetic keep what the files say, and that the files keep
the rules an edition history needs.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from critmin.config import data_dir
from critmin.kb import KnowledgeBase, Measure, Stage, check_data, load_kb

EDITION_SOURCE = re.compile(r"^usgs-mcs(\d{4})-")
REVISED = re.compile(r"revised from ([\d,]+) in MCS (\d{4})")
SHARE_TOLERANCE = 0.005
#: Years a later edition revised but the copy read did not hold (noted on the rows concerned).
NOT_IN_LATER_COPY = {("Pt", 2024)}
#: Years whose later edition is bundled for its prices only: MCS 2023 printed NA for every
#: country's germanium refinery production, so 2021 stays with MCS 2022.
NO_COUNTRY_FIGURES_LATER = {("Ge", 2021)}


def bundled_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted((data_dir() / "shares").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows += [{**row, "file": path.name} for row in csv.DictReader(fh)]
    return rows


def editions(row: dict[str, str]) -> list[int]:
    return [int(m.group(1)) for s in row["sources"].split(";") if (m := EDITION_SOURCE.match(s))]


def csv_share(material: str, stage: str, year: int, country: str) -> float:
    """A country's share of a quantity series, computed straight from the CSV rows."""
    members = [r for r in bundled_rows()
               if (r["material"], r["stage"], r["measure"], int(r["year"]))
               == (material, stage, "production", year) and r["country"] != "WLD"]
    total = sum(float(r["quantity"]) for r in members)
    return sum(float(r["quantity"]) for r in members if r["country"] == country) / total


def test_several_editions_are_bundled(kb: KnowledgeBase) -> None:
    cited = {int(m.group(1)) for sid in kb.sources if (m := EDITION_SOURCE.match(sid))}
    assert {2025, 2026} <= cited
    for sid, source in kb.sources.items():
        match = EDITION_SOURCE.match(sid)
        if match:
            edition = match.group(1)
            assert f"Mineral Commodity Summaries {edition}" in source.title
            assert source.date.startswith(edition) and source.publisher == "U.S. Geological Survey"
            assert source.identifier.startswith("https://")


def test_an_edition_gives_only_its_two_years() -> None:
    """MCS YYYY prints YYYY-2 and YYYY-1 (estimates); a row cannot cite it for any other year."""
    for row in bundled_rows():
        year = int(row["year"])
        for edition in editions(row):
            assert edition - 2 <= year <= edition - 1, row


def test_a_row_cites_the_latest_edition_first() -> None:
    """The figure kept is the later edition's: its source comes first on the row."""
    for row in bundled_rows():
        found = editions(row)
        if len(found) > 1:
            assert found[0] == max(found), row


def test_revision_notes_name_a_different_earlier_figure() -> None:
    revised = 0
    for row in bundled_rows():
        match = REVISED.search(row["note"])
        if not match:
            continue
        revised += 1
        earlier, edition = float(match.group(1).replace(",", "")), int(match.group(2))
        assert earlier != float(row["quantity"]), row
        assert edition in editions(row) and edition < editions(row)[0], row
    assert revised >= 50


def test_no_year_and_country_twice_across_files() -> None:
    seen: dict[tuple[str, ...], str] = {}
    for row in bundled_rows():
        key = (row["material"], row["stage"], row["measure"], row["year"], row["country"])
        assert key not in seen, f"{key} in {seen.get(key)} and {row['file']}"
        seen[key] = row["file"]


def test_each_year_closes_unless_partial(kb: KnowledgeBase) -> None:
    for series in kb.series:
        if not series.partial:
            assert abs(series.share_sum() - 1.0) <= SHARE_TOLERANCE, series.key


def test_units_stay_the_same_across_years(kb: KnowledgeBase) -> None:
    units: dict[tuple[str, Stage, Measure], set[str]] = defaultdict(set)
    for series in kb.series:
        if series.unit:
            units[(series.material, series.stage, series.measure)].add(series.unit)
    assert {k: v for k, v in units.items() if len(v) > 1} == {}


@pytest.mark.parametrize(("material", "stage"), [
    ("REE", Stage.MINING), ("Ga", Stage.REFINING), ("graphite", Stage.MINING), ("Sb", Stage.MINING),
    ("W", Stage.MINING), ("Co", Stage.MINING), ("Li", Stage.MINING)])
def test_priority_materials_have_three_years(kb: KnowledgeBase, material: str, stage: Stage) -> None:
    years = [s.year for s in kb.series
             if (s.material, s.stage, s.measure) == (material, stage, Measure.PRODUCTION)]
    assert len(years) >= 3 and years == sorted(years)
    assert max(years) >= 2025


def test_china_gallium_share_as_bundled(kb: KnowledgeBase) -> None:
    ga = {s.year: s for s in kb.shares(kb.material("Ga"), stage=Stage.REFINING,
                                       measure=Measure.PRODUCTION)}
    for year in sorted(ga):
        china = next(r for r in ga[year].rows if r.country == "CHN")
        assert china.share == pytest.approx(csv_share("Ga", "refining", year, "CHN"))
        assert ga[year].rows[0].country == "CHN"


def test_every_year_comes_from_the_latest_bundled_edition(kb: KnowledgeBase) -> None:
    """A year is read from MCS year+2 (the revised figure) unless that edition is not bundled for
    the chapter, in which case from MCS year+1 (the estimate). Reserves are dated by edition and
    not revised, so only production is checked."""
    for row in kb.share_rows:
        if row.measure is not Measure.PRODUCTION:
            continue
        cited = [s for s in row.sources if EDITION_SOURCE.match(s)]
        if not cited:
            continue
        primary = cited[0]
        edition = int(EDITION_SOURCE.match(primary).group(1))  # type: ignore[union-attr]
        chapter = primary.split("-", 2)[2]
        assert edition in (row.year + 1, row.year + 2), row
        if edition == row.year + 1 and (row.material, row.year) not in (
                NOT_IN_LATER_COPY | NO_COUNTRY_FIGURES_LATER):
            assert f"usgs-mcs{row.year + 2}-{chapter}" not in kb.sources, row


def test_germanium_refining_has_country_figures_where_usgs_gave_them(kb: KnowledgeBase) -> None:
    """USGS printed a germanium refinery table by country up to MCS 2022 (2020, 2021e); later
    editions give none. The other years come from BGS shares, never from an estimate here."""
    ge = kb.shares(kb.material("Ge"), stage=Stage.REFINING, measure=Measure.PRODUCTION)
    assert ge, "no germanium refining series"
    usgs = [s for s in ge if any(i.startswith("usgs-mcs") for i in s.sources)]
    assert {s.year for s in usgs} == {2020, 2021}
    for series in usgs:
        assert len(series.rows) >= 3 and series.rows[0].country == "CHN"
        assert series.partial and "withholds" in (series.partial_note or "")
        china = series.rows[0]
        assert china.share == pytest.approx(csv_share("Ge", "refining", series.year, "CHN"))
    for series in ge:
        if series in usgs:
            continue
        assert "bgs-world-mineral-statistics" in series.sources
        assert series.rows[0].country == "CHN" and series.rows[0].share >= 0.9


# ---------------------------------------------------------------------------------------------
# the loader with two edition files in a data folder


EDITION_2026 = """material,stage,measure,year,country,quantity,unit,share,sources,confidence,note
REE,mining,production,2025,CHN,700,t REO,,src-a,medium,later edition
REE,mining,production,2025,USA,300,t REO,,src-a,medium,later edition
"""


def test_loader_merges_edition_files(minimal_dir: Path) -> None:
    (minimal_dir / "shares" / "edition_2026.csv").write_text(EDITION_2026, encoding="utf-8")
    _, problems = check_data(minimal_dir)
    assert [str(p) for p in problems] == []
    kb = load_kb(minimal_dir)
    years = [s.year for s in kb.shares(kb.material("REE"), stage=Stage.MINING)]
    assert years == [2023, 2024, 2025]


def test_the_same_year_in_two_edition_files_is_a_problem(minimal_dir: Path) -> None:
    doubled = EDITION_2026.replace("2025,CHN,700", "2024,CHN,700")
    (minimal_dir / "shares" / "edition_2026.csv").write_text(doubled, encoding="utf-8")
    _, problems = check_data(minimal_dir)
    duplicates = [str(p) for p in problems if "duplicate share row" in str(p)]
    assert len(duplicates) == 1
    assert "shares/edition_2026.csv:2" in duplicates[0] and "shares/main.csv:2" in duplicates[0]
