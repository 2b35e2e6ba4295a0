"""Net import reliance: the loader refuses bad rows with file and line, the bundled USGS figures
load, and the KnowledgeBase filters by importer and material (falling back to the aggregate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin.kb import ImportReliance, check_data, load_kb

HEADER = "importer,material,year,value,bound,net_exporter,sources,confidence,note\n"
GOOD = (
    "USA,Ga,2023,1,,,src-a,high,\n"
    "USA,Ga,2024,0.95,>,,src-a,high,\n"
    "USA,REE,2024,,,true,src-b,high,concentrates\n"
    "EU,Ga,2023,0.98,,,src-a;src-b,medium,study average\n"
)


def write_reliance(folder: Path, rows: str) -> Path:
    path = folder / "import_reliance.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def problems_in(folder: Path) -> list[str]:
    _, problems = check_data(folder)
    return [str(p) for p in problems]


def test_good_rows_load(minimal_dir: Path) -> None:
    write_reliance(minimal_dir, GOOD)
    assert problems_in(minimal_dir) == []
    kb = load_kb(minimal_dir)
    assert len(kb.reliance) == 4
    above = next(r for r in kb.reliance if r.year == 2024 and r.material == "Ga")
    assert (above.value, above.bound and above.bound.value, above.label()) == (0.95, ">", ">95%")
    exporter = next(r for r in kb.reliance if r.material == "REE")
    assert exporter.net_exporter and exporter.value is None and exporter.label() == "E (net exporter)"


def test_the_file_is_optional(minimal_dir: Path) -> None:
    assert problems_in(minimal_dir) == []
    assert load_kb(minimal_dir).reliance == ()


@pytest.mark.parametrize(("row", "expected"), [
    ("USA,Ga,2023,1.2,,,src-a,high,\n", "field 'value': Input should be less than or equal to 1"),
    ("USA,Ga,2023,-0.1,,,src-a,high,\n", "field 'value': Input should be greater than or equal to 0"),
    ("USA,Ga,2023,,,,src-a,high,\n", "needs a value, or net_exporter true"),
    ("USA,Ga,2023,0.5,,true,src-a,high,\n", "a net exporter row takes no value or bound"),
    ("USA,Ga,2023,0.5,~,,src-a,high,\n", "field 'bound'"),
    ("USA,Ga,2023,0.5,,,src-a,low,\n", "confidence low needs a note"),
    ("USA,Ga,2023,0.5,,,,high,\n", "field 'sources'"),
    ("USA,Ga,20x3,0.5,,,src-a,high,\n", "field 'year'"),
])
def test_bad_rows_are_refused_with_file_and_line(minimal_dir: Path, row: str, expected: str) -> None:
    write_reliance(minimal_dir, GOOD + row)
    found = problems_in(minimal_dir)
    assert len(found) == 1, found
    assert found[0].startswith("import_reliance.csv:6 ")
    assert expected in found[0]


@pytest.mark.parametrize(("row", "expected"), [
    ("USA,Xx,2023,0.5,,,src-a,high,\n", "unknown material 'Xx'"),
    ("FRA,Ga,2023,0.5,,,src-a,high,\n", "unknown importer 'FRA'"),
    ("USA,Ga,2022,0.5,,,src-z,high,\n", "unknown source id 'src-z'"),
    ("USA,Ga,2023,0.5,,,src-a,high,\n", "duplicate import reliance row for USA/Ga/2023 "
                                        "(first at import_reliance.csv:2"),
])
def test_cross_record_problems(minimal_dir: Path, row: str, expected: str) -> None:
    write_reliance(minimal_dir, GOOD + row)
    found = problems_in(minimal_dir)
    assert len(found) == 1, found
    assert expected in found[0]


def test_wrong_header_is_one_problem(minimal_dir: Path) -> None:
    (minimal_dir / "import_reliance.csv").write_text("importer,material,year,value\nUSA,Ga,2023,1\n")
    assert problems_in(minimal_dir) == [
        "import_reliance.csv:1: header must be exactly: " + HEADER.strip()]


def test_minimum_count_assertion(minimal_dir: Path) -> None:
    write_reliance(minimal_dir, GOOD)
    (minimal_dir / "assertions.yaml").write_text("minimum_counts: {import_reliance: 5}\n")
    assert problems_in(minimal_dir) == [
        "assertions.yaml: import_reliance: 4 records, at least 5 expected"]


def test_filters_and_aggregate_fallback(minimal_dir: Path) -> None:
    write_reliance(minimal_dir, GOOD)
    kb = load_kb(minimal_dir)
    usa = kb.country("USA")
    ga = kb.import_reliance(importer=usa, material=kb.material("Ga"))
    assert [r.year for r in ga] == [2023, 2024]
    dy = kb.import_reliance(importer=usa, material=kb.material("Dy"))
    assert [(r.material, r.year) for r in dy] == [("REE", 2024)]
    assert {r.importer for r in kb.import_reliance()} == {"EU", "USA"}


def test_bundled_figures() -> None:
    kb = load_kb()
    rows = kb.reliance
    assert len(rows) >= 200
    assert all(isinstance(r, ImportReliance) and r.importer == "USA" for r in rows)
    by_key = {r.key: r for r in rows}
    assert by_key[("USA", "Ga", 2025)].value == 1.0
    assert by_key[("USA", "Sb", 2024)].value == pytest.approx(0.86)
    ge = by_key[("USA", "Ge", 2024)]
    assert (ge.value, ge.bound and ge.bound.value) == (0.5, ">")
    assert by_key[("USA", "Mo", 2023)].net_exporter
    assert by_key[("USA", "REE", 2024)].value == pytest.approx(0.53)
    # each year's figure is from the latest edition read: MCS 2026 for 2021-25
    assert by_key[("USA", "Co", 2022)].sources == ["usgs-mcs2026-cobalt"]
    materials = {r.material for r in rows}
    assert {"Ga", "Ge", "Sb", "W", "graphite", "Li", "Co", "Ni", "REE"} <= materials
