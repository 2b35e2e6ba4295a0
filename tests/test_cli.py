"""Every command, its --json shape, and how errors reach the user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from critmin.cli import main
from critmin.kb import Stage, load_kb

MINIMAL = Path(__file__).parent / "fixtures" / "kb_minimal"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_materials(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "materials")
    assert len(data) >= 28
    dy = next(m for m in data if m["id"] == "Dy")
    assert set(dy) == {"id", "name_en", "name_zh", "kind", "group", "parent", "aliases", "hs_codes"}
    assert (dy["name_zh"], dy["group"], dy["parent"]) == ("镝", "heavy_ree", "REE")
    code, out, _ = run(capsys, "materials")
    assert code == 0 and "dysprosium" in out and "镝" in out


def test_shares_same_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    chinese = run_json(capsys, "shares", "稀土", "--stage", "mining")
    english = run_json(capsys, "shares", "rare earths", "--stage", "mining")
    assert chinese == english
    assert chinese["material"] == "REE" and chinese["series"]
    series = chinese["series"][0]
    assert set(series) >= {"material", "stage", "measure", "year", "unit", "rows", "sources",
                           "partial", "aggregate_for", "world_total"}
    row = series["rows"][0]
    assert set(row) == {"country", "country_name", "quantity", "share", "sources",
                        "confidence", "note"}
    assert all(sid in chinese["sources"] for s in chinese["series"] for sid in s["sources"])


def test_element_shows_aggregate_labelled(capsys: pytest.CaptureFixture[str]) -> None:
    by_symbol = run_json(capsys, "shares", "镝")
    by_name = run_json(capsys, "shares", "dysprosium")
    assert by_symbol == by_name
    assert by_symbol["material"] == "Dy"
    # Dy has its own refining series; every other stage is the aggregate's, labelled
    assert all(s["aggregate_for"] is None and s["material"] == "Dy"
               if s["stage"] == "refining" else s["aggregate_for"] == "Dy" and s["material"] == "REE"
               for s in by_symbol["series"])
    assert {s["stage"] for s in by_symbol["series"]} >= {"mining", "refining"}
    terbium = run_json(capsys, "shares", "铽")
    assert terbium["series"] and all(s["aggregate_for"] == "Tb" and s["material"] == "REE"
                                     for s in terbium["series"])
    code, out, _ = run(capsys, "shares", "Dy2O3", "--stage", "mining", "--year", "2024")
    assert code == 0 and "aggregate figures" in out and "China" in out


def test_shares_filters(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "shares", "graphite", "--stage", "mining", "--year", "2024",
                    "--measure", "reserves")
    assert [(s["year"], s["measure"]) for s in data["series"]] == [(2024, "reserves")]
    data = run_json(capsys, "shares", "rare earths", "--stage", "separation")
    assert data["series"] and all(s["stage"] == "refining" for s in data["series"])


def test_unknown_material_is_one_line_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "shares", "dysprosum")
    assert code == 1 and out == ""
    assert err == "error: unknown material 'dysprosum'; did you mean: dysprosium (Dy)?\n"


def test_unknown_stage_is_a_user_error_with_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "shares", "Ga", "--stage", "smelting")
    assert code == 1 and err.startswith("error: unknown stage 'smelting'")
    assert "expected one of: mining, refining" in err
    code, _, err = run(capsys, "shares", "Ga", "--stage", "refning")
    assert code == 1 and "did you mean: refining" in err
    assert "Traceback" not in err


def test_parser_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "chokepoints", "--top", "zero")
    assert code == 2 and "Traceback" not in err


def test_debug_shows_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--debug", "shares", "dysprosum")
    assert code == 1 and "Traceback" in err and err.rstrip().endswith(
        "error: unknown material 'dysprosum'; did you mean: dysprosium (Dy)?")


def test_chokepoints(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "chokepoints")
    assert len(data) >= 20
    for row in data:
        assert {"material", "stage", "year", "top_country", "top_share", "hhi", "sources"} <= set(row)
        assert 0 <= row["top_share"] <= 1 and 0 <= row["hhi"] <= 10_000 and row["sources"]
    assert [r["hhi"] for r in data] == sorted((r["hhi"] for r in data), reverse=True)
    assert len(run_json(capsys, "chokepoints", "--top", "5")) == 5
    code, out, _ = run(capsys, "chokepoints", "--top", "3")
    assert code == 0 and "HHI" in out


def _bundled_years(material: str, stage: str, measure: str = "production") -> list[int]:
    from critmin.kb import load_kb

    return sorted(s.year for s in load_kb().series
                  if (s.material, s.stage.value, s.measure.value) == (material, stage, measure))


def test_shares_years_range(capsys: pytest.CaptureFixture[str]) -> None:
    bundled = _bundled_years("REE", "mining")
    first, last = bundled[0], bundled[-1]
    data = run_json(capsys, "shares", "REE", "--stage", "mining", "--measure", "production",
                    "--years", f"{first}:{last}")
    assert [s["year"] for s in data["series"]] == bundled and len(bundled) >= 3
    tail = run_json(capsys, "shares", "REE", "--stage", "mining", "--measure", "production",
                    "--years", f"{last}:")
    assert [s["year"] for s in tail["series"]] == [last]
    head = run_json(capsys, "shares", "REE", "--stage", "mining", "--measure", "production",
                    "--years", f":{first}")
    assert [s["year"] for s in head["series"]] == [first]
    one = run_json(capsys, "shares", "Ga", "--years", str(last))
    assert one == run_json(capsys, "shares", "Ga", "--year", str(last))
    assert all(sid in data["sources"] for s in data["series"] for sid in s["sources"])
    code, out, err = run(capsys, "shares", "Ga", "--years", "1990:1995")
    assert (code, out) == (1, "")
    assert err.startswith("error: no share figures for gallium (Ga) in 1990:1995; years with figures")


@pytest.mark.parametrize("years", ["2025:2015", "abc", "2015-2025", "20x5:2020", "1800:2020", ":", ""])
def test_bad_years_are_usage_errors(capsys: pytest.CaptureFixture[str], years: str) -> None:
    for command in ("shares", "trend"):
        code, out, err = run(capsys, command, "Ga", "--years", years)
        assert code == 2 and out == "" and "Traceback" not in err, (command, years, err)
        assert err.startswith(f"error: bad --years {years!r}") and err.count("\n") == 1


def test_year_and_years_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "shares", "Ga", "--year", "2024", "--years", "2023:2025")
    assert code == 2 and err == "error: give --year or --years, not both\n"


def test_trend_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "trend", "gallium", "--stage", "refining")
    assert set(data) == {"material", "material_name", "series", "sources", "trend", "as_of", "dataset"}
    years = [s["year"] for s in data["series"]]
    assert years == _bundled_years("Ga", "refining") and len(years) >= 3
    assert [t["year"] for t in data["trend"]] == years
    for series, point in zip(data["series"], data["trend"], strict=True):
        named = [r for r in series["rows"] if r["country"] != "ROW"]
        shares = sorted((r["share"] for r in named), reverse=True)
        assert point["top_country"] == named[0]["country"]
        assert point["top_share"] == pytest.approx(shares[0], abs=1e-4)
        assert point["top3_share"] == pytest.approx(sum(shares[:3]), abs=1e-4)
        assert point["hhi"] == pytest.approx(sum((100 * x) ** 2 for x in shares), abs=0.2)
        assert point["countries"] == len(named) and point["sources"] == series["sources"]
        assert {"stage", "measure", "partial", "band", "aggregate_for"} <= set(point)
    partial = run_json(capsys, "trend", "Li", "--stage", "mining", "--years", "2024:2025")
    assert [t["partial"] for t in partial["trend"]] == [True, True]


def test_trend_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "trend", "REE", "--stage", "mining")
    assert code == 0
    for heading in ("year", "top country", "top share", "top 3", "HHI", "countries"):
        assert heading in out
    for year in _bundled_years("REE", "mining"):
        assert str(year) in out
    assert "China (CHN)" in out and "usgs-mcs2026-rare-earths" in out
    code, out, _ = run(capsys, "trend", "dysprosium", "--years", "2025")
    assert code == 0 and "aggregate figures" in out
    code, out, _ = run(capsys, "trend", "Ga", "--measure", "reserves")
    assert code == 0 and out.startswith("No share figures for gallium (Ga)")


def test_trend_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "trend", "dysprosum")
    assert (code, out) == (1, "")
    assert err == "error: unknown material 'dysprosum'; did you mean: dysprosium (Dy)?\n"
    code, _, err = run(capsys, "trend", "Ga", "--stage", "smelting")
    assert code == 1 and err.startswith("error: unknown stage 'smelting'") and err.count("\n") == 1
    code, _, err = run(capsys, "trend", "Ga", "--measure", "output")
    assert code == 1 and err.startswith("error: unknown measure 'output'")
    code, _, err = run(capsys, "trend", "Ga", "--stage", "refining", "--years", "1990:2000")
    have = sorted({s.year for s in load_kb().shares(load_kb().material("Ga"), stage=Stage.REFINING)})
    assert code == 1 and err.startswith(
        "error: no share figures for gallium (Ga) at stage refining in 1990:2000; years with figures: ")
    assert str(have[0]) in err and str(have[-1]) in err


def test_chokepoints_rank_the_latest_year(capsys: pytest.CaptureFixture[str]) -> None:
    for row in run_json(capsys, "chokepoints"):
        assert row["year"] == _bundled_years(row["material"], row["stage"])[-1], row


def test_criticality(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "criticality")
    assert data and {"material", "eu_sr", "eu_ei", "import_reliance", "eol_rir", "si_sr",
                     "hhi_wgi_gs", "hhi_wgi_eus", "computed_sr", "missing"} <= set(data[0])
    code, out, _ = run(capsys, "criticality")
    assert code == 0 and "n/a" in out


def test_facilities(capsys: pytest.CaptureFixture[str]) -> None:
    everything = run_json(capsys, "facilities")
    assert len(everything) >= 30
    chinese = run_json(capsys, "facilities", "--country", "中国")
    assert chinese and all(f["country"] == "CHN" for f in chinese)
    magnets = run_json(capsys, "facilities", "--material", "钕铁硼")
    assert magnets and all("NdFeB" in f["materials"] for f in magnets)
    planned = run_json(capsys, "facilities", "--status", "planned")
    assert planned and all(f["status"] == "planned" for f in planned)
    code, _, err = run(capsys, "facilities", "--status", "dreaming")
    assert code == 1 and "unknown status" in err
    code, _, err = run(capsys, "facilities", "--country", "Atlantis")
    assert code == 1 and err.startswith("error: unknown country 'Atlantis'")


def test_imports_and_end_uses(capsys: pytest.CaptureFixture[str]) -> None:
    usa = run_json(capsys, "imports", "美国", "--material", "rare earths")
    assert usa and all(d["importer"] == "USA" and d["material"] == "REE" for d in usa)
    assert {"china_share", "suppliers", "top_supplier", "hhi", "sources"} <= set(usa[0])
    uses = run_json(capsys, "end-uses")
    assert any("F-35" in e["product"] for e in uses)
    code, out, _ = run(capsys, "end-uses")
    assert code == 0 and "F-35" in out


def test_sources(capsys: pytest.CaptureFixture[str]) -> None:
    one = run_json(capsys, "sources", "usgs-mcs2025-rare-earths")
    assert one["publisher"] == "U.S. Geological Survey" and one["identifier"].startswith("http")
    code, out, _ = run(capsys, "sources", "usgs-mcs2025-rare-earths")
    assert code == 0 and "Mineral Commodity Summaries 2025" in out
    code, _, err = run(capsys, "sources", "usgs-mcs2025-rare-earth")
    assert code == 1 and "did you mean: usgs-mcs2025-rare-earths" in err


def test_data_check_passes_on_bundled_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "data", "check")
    assert code == 0 and out.startswith("data check passed:")


def test_data_check_lists_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    csv = data / "shares" / "main.csv"
    csv.write_text(csv.read_text().replace(",src-a,high,\nREE,mining,production,2024,USA",
                                           ",src-nope,high,\nREE,mining,production,2024,USA"))
    code, _, err = run(capsys, "data", "check", "--data-dir", str(data))
    assert code == 1
    assert "shares/main.csv:2 (REE/mining/production/2024/CHN): unknown source id 'src-nope'" in err
    assert err.rstrip().endswith("error: data check failed with 1 problem(s)")
    report = json.loads(run(capsys, "data", "check", "--data-dir", str(data), "--json")[1])
    assert report["ok"] is False and report["problems"][0]["line"] == 2


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "most concentrated" in out and "gallium" in out and "Rare-earth mine production" in out


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("critmin ")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "chokepoints" in out


def test_console_script_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "critmin.cli", "shares", "nosuchthing"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: unknown material 'nosuchthing'")
    assert "Traceback" not in result.stderr


def test_prices_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "prices", "锑")
    assert data and {"date", "value", "unit", "currency", "market", "product", "kind", "sources",
                     "confidence", "note"} <= set(data[0])
    annual = [p for p in data if p["kind"] == "annual_average"]
    assert [p["date"] for p in annual] == [str(y) for y in range(2018, 2026)]
    assert {(p["unit"], p["currency"], p["market"]) for p in annual} == {("$/lb", "USD", "world")}
    assert data == run_json(capsys, "prices", "antimony") == run_json(capsys, "prices", "Sb")
    keys = [(p["product"], p["market"], p["date"]) for p in run_json(capsys, "prices", "Ga")]
    assert keys == sorted(keys, key=lambda k: (k[0].casefold(), k[1], k[2]))


def test_prices_filters(capsys: pytest.CaptureFixture[str]) -> None:
    europe = run_json(capsys, "prices", "Ge", "--market", "Europe")
    assert europe and {p["market"] for p in europe} == {"europe"}
    dioxide = run_json(capsys, "prices", "Ge", "--product", "DIOXIDE")
    assert dioxide and {p["product"] for p in dioxide} == {"dioxide 99.999%"}
    recent = run_json(capsys, "prices", "Ge", "--since", "2024-06", "--market", "europe")
    assert {p["date"] for p in recent} == {"2024", "2024-09", "2025"}
    china = run_json(capsys, "prices", "锗", "--market", "fob_china", "--since", "2024-07")
    assert [(p["date"], p["value"]) for p in china] == [("2024-09-30", 2630)]
    assert run_json(capsys, "prices", "Ga", "--since", "2030") == []


def test_prices_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "prices", "Dy", "--market", "europe")
    assert code == 0 and out.startswith("dysprosium (Dy) prices: 2 points")
    assert "2025-04" in out and "europe" in out and "850" in out
    assert "gmteight-2025-05-09-overseas-rare-earths" in out and "below high confidence" in out
    code, out, _ = run(capsys, "prices", "Ga", "--product", "oxide")
    assert code == 0 and out.startswith("No price points for gallium (Ga) for products matching")
    assert "products with prices:" in out


def test_prices_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "prices", "antimny")
    assert (code, out) == (1, "") and err.startswith("error: unknown material 'antimny'; did you mean:")
    assert "antimony (Sb)" in err
    code, _, err = run(capsys, "prices", "Sb", "--market", "asia")
    assert code == 1 and err.count("\n") == 1
    assert err == ("error: unknown market 'asia' (expected one of: china_domestic, fob_china, "
                   "europe, us, world)\n")
    for bad in ("2024-13", "last year", "2024-02-30"):
        code, _, err = run(capsys, "prices", "Sb", "--since", bad)
        assert code == 2 and err.startswith(f"error: bad date {bad!r}"), err


def test_reliance_json_has_stable_keys(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "reliance", "USA", "--material", "Ga")
    assert [r["year"] for r in data] == sorted(r["year"] for r in data)
    assert set(data[0]) == {"importer", "material", "year", "value", "bound", "net_exporter",
                            "label", "aggregate_for", "sources", "confidence", "note"}
    latest = data[-1]
    assert (latest["importer"], latest["material"], latest["value"], latest["label"]) == (
        "USA", "Ga", 1.0, "100%")
    germanium = run_json(capsys, "reliance", "USA", "--material", "germanium", "--years", "2024")
    assert [(r["year"], r["value"], r["bound"]) for r in germanium] == [(2024, 0.5, ">")]


def test_reliance_net_exporter_and_aggregate(capsys: pytest.CaptureFixture[str]) -> None:
    mo = run_json(capsys, "reliance", "--material", "Mo", "--years", "2023")
    assert [(r["net_exporter"], r["value"], r["label"]) for r in mo] == [
        (True, None, "E (net exporter)")]
    dy = run_json(capsys, "reliance", "USA", "--material", "Dy", "--years", "2024")
    assert [(r["material"], r["aggregate_for"]) for r in dy] == [("REE", "Dy")]
    code, out, _ = run(capsys, "reliance", "USA", "--material", "Dy")
    assert code == 0 and "showing its aggregate REE" in out


def test_reliance_table_and_imports_view(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reliance", "USA", "--material", "Ge")
    assert code == 0 and "Net import reliance" in out and ">50%" in out
    assert "usgs-mcs2026-germanium" in out
    code, out, _ = run(capsys, "imports", "USA", "--material", "Ga")
    assert code == 0 and "Import dependence by supplier" in out
    assert "Net import reliance" in out and "100%" in out


def test_reliance_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "reliance", "Atlantis")
    assert code == 1 and err.startswith("error: unknown country 'Atlantis'")
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "reliance", "--material", "unobtainium")
    assert code == 1 and "unknown material" in err
    code, _, err = run(capsys, "reliance", "--years", "2025:2019")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "is after" in err
    code, out, _ = run(capsys, "reliance", "JPN")
    assert code == 0 and out.startswith("No import reliance figures for JPN")
