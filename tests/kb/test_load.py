"""Reading data files: every defect is reported with its file and line, none stops the read."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin.errors import DataError
from critmin.kb import check_data, load_kb


def problems_in(folder: Path) -> list[str]:
    _, problems = check_data(folder)
    return [str(p) for p in problems]


def test_minimal_fixture_is_clean(minimal_dir: Path) -> None:
    assert problems_in(minimal_dir) == []


def test_unknown_source_is_reported_with_file_and_line(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text().replace("REE,mining,production,2024,USA,200,t REO,,src-a",
                                           "REE,mining,production,2024,USA,200,t REO,,src-zzz"))
    found = problems_in(minimal_dir)
    assert found == ["shares/main.csv:3 (REE/mining/production/2024/USA): "
                     "unknown source id 'src-zzz'"]


def test_bad_field_names_the_field_and_row(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text().replace("Ga,refining,production,2024,JPN,10,kg",
                                           "Ga,refining,production,2024,JPN,-10,kg"))
    found = problems_in(minimal_dir)
    assert len(found) == 1
    assert found[0].startswith("shares/main.csv:12 ")
    assert "'quantity'" in found[0]


def test_wrong_column_count(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text() + "Ga,refining,production,2023,CHN,1,kg\n")
    assert any("shares/main.csv:13" in p and "expected 11 columns" in p
               for p in problems_in(minimal_dir))


def test_unknown_country_and_material(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text() + "Xx,mining,production,2024,XYZ,1,t,,src-a,high,\n")
    found = problems_in(minimal_dir)
    assert "shares/main.csv:13 (Xx/mining/production/2024/XYZ): unknown material 'Xx'" in found
    assert "shares/main.csv:13 (Xx/mining/production/2024/XYZ): unknown country 'XYZ'" in found


def test_shares_that_do_not_sum(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text().replace("REE,refining,production,2024,ROW,,,0.1",
                                           "REE,refining,production,2024,ROW,,,0.3"))
    found = problems_in(minimal_dir)
    assert len(found) == 1
    assert "shares/main.csv:9" in found[0] and "sum to 1.200" in found[0]


def test_partial_series_may_fall_short(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text().replace("REE,refining,production,2024,ROW,,,0.1,src-b,medium,"
                                           "secondary summary\n", ""))
    assert any("sum to 0.900" in p for p in problems_in(minimal_dir))
    (minimal_dir / "series.yaml").write_text(
        "- {material: REE, stage: refining, measure: production, year: 2024, partial: true, "
        "note: only China known}\n")
    assert problems_in(minimal_dir) == []


def test_mixed_quantity_and_share_rows(minimal_dir: Path) -> None:
    csv = minimal_dir / "shares" / "main.csv"
    csv.write_text(csv.read_text() + "Ga,refining,production,2024,USA,,,0.1,src-a,high,\n")
    assert any("mixes rows with and without quantities" in p for p in problems_in(minimal_dir))


def test_duplicate_ids(minimal_dir: Path) -> None:
    sources = minimal_dir / "sources" / "main.yaml"
    sources.write_text(sources.read_text() + sources.read_text().split("- id: src-b")[0])
    found = problems_in(minimal_dir)
    assert any(p.startswith("sources/main.yaml:13 (entry 3 'src-a'): duplicate source id 'src-a'")
               for p in found), found


def test_yaml_record_errors_carry_line_numbers(minimal_dir: Path) -> None:
    facilities = minimal_dir / "facilities.yaml"
    facilities.write_text(facilities.read_text().replace("status: planned", "status: dreaming"))
    found = problems_in(minimal_dir)
    assert len(found) == 1
    assert found[0].startswith("facilities.yaml:11 (entry 2 'plant-b'): field 'status'")


def test_low_confidence_needs_a_reason(minimal_dir: Path) -> None:
    facilities = minimal_dir / "facilities.yaml"
    facilities.write_text(facilities.read_text().replace("  note: capacity not stated\n", ""))
    found = problems_in(minimal_dir)
    assert len(found) == 1 and "needs a note giving the reason" in found[0]


def test_invalid_yaml_reports_the_line(minimal_dir: Path) -> None:
    (minimal_dir / "end_uses.yaml").write_text("- id: x\n  product: [unclosed\n")
    found = problems_in(minimal_dir)
    assert any(p.startswith("end_uses.yaml:") and "invalid YAML" in p for p in found)


def test_missing_required_file(minimal_dir: Path) -> None:
    (minimal_dir / "countries.yaml").unlink()
    found = problems_in(minimal_dir)
    assert "countries.yaml: required file is missing" in found


def test_bad_source_date(minimal_dir: Path) -> None:
    sources = minimal_dir / "sources" / "main.yaml"
    sources.write_text(sources.read_text().replace('"2025-01-31"', '"31/01/2025"'))
    found = problems_in(minimal_dir)
    assert found[0] == ("sources/main.yaml:1 (entry 1 'src-a'): field 'date': "
                        "date '31/01/2025' is not YYYY, YYYY-MM or YYYY-MM-DD")
    # rows citing the rejected source are reported too, so nothing cites a broken source
    assert any("unknown source id 'src-a'" in p for p in found[1:])


def test_alias_claimed_by_two_materials(minimal_dir: Path) -> None:
    materials = minimal_dir / "materials" / "main.yaml"
    materials.write_text(materials.read_text().replace("group: minor_metal",
                                                       "group: minor_metal\n  aliases: [氧化镝]"))
    assert any("name '氧化镝' already belongs to material 'Dy'" in p
               for p in problems_in(minimal_dir))


def test_import_shares_must_sum(minimal_dir: Path) -> None:
    imports = minimal_dir / "imports.csv"
    imports.write_text(imports.read_text().replace("DEU,0.3", "DEU,0.2"))
    assert any("import shares for EU/gallium_refined/2016-2020 sum to 0.900" in p
               for p in problems_in(minimal_dir))


def test_minimum_counts(minimal_dir: Path) -> None:
    (minimal_dir / "assertions.yaml").write_text("minimum_counts: {facilities: 3}\n")
    assert problems_in(minimal_dir) == [
        "assertions.yaml: facilities: 2 records, at least 3 expected"]


def test_load_refuses_bad_data(minimal_dir: Path) -> None:
    (minimal_dir / "countries.yaml").unlink()
    with pytest.raises(DataError) as info:
        load_kb(minimal_dir)
    assert "countries.yaml: required file is missing" in info.value.message
