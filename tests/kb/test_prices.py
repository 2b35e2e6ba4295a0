"""Price points: the loader refuses bad rows with file and line, the bundled series load, and the
KnowledgeBase API filters by market, product and date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from critmin.errors import UnknownValueError, UsageError
from critmin.kb import KnowledgeBase, Market, PriceKind, check_data, load_kb, parse_since
from critmin.kb.base import period_end

HEADER = "material,product,market,date,kind,value,unit,currency,sources,confidence,note\n"
GOOD = (
    "Ga,metal 99.99%,china_domestic,2023,annual_average,240,$/kg,USD,src-a,high,\n"
    "Ga,metal 99.99%,china_domestic,2024,annual_average,380,$/kg,USD,src-a,high,\n"
    "Ga,metal 99.99%,china_domestic,2024-10,point,420,$/kg,USD,src-a,high,\n"
    "Ga,metal 99.99%,europe,2025-05-06,point,725,$/kg,USD,src-b,low,secondary quote\n"
    "Dy,Dy oxide 99.5%,world,2024,annual_average,260,$/kg,USD,src-a;src-b,high,\n"
)


def write_prices(folder: Path, rows: str) -> Path:
    (folder / "prices").mkdir(exist_ok=True)
    path = folder / "prices" / "test.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def problems_in(folder: Path) -> list[str]:
    _, problems = check_data(folder)
    return [str(p) for p in problems]


def test_good_prices_load(minimal_dir: Path) -> None:
    write_prices(minimal_dir, GOOD)
    assert problems_in(minimal_dir) == []
    kb = load_kb(minimal_dir)
    assert len(kb.price_points) == 5


def test_unit_mix_within_a_series_is_refused(minimal_dir: Path) -> None:
    write_prices(minimal_dir,
                 GOOD + "Ga,metal 99.99%,china_domestic,2022,annual_average,0.3,$/g,USD,src-a,high,\n")
    found = problems_in(minimal_dir)
    assert len(found) == 1
    assert found[0].startswith("prices/test.csv:7 (Ga/metal 99.99%/china_domestic/2022/annual_average): ")
    assert "unit $/g USD differs from $/kg USD at prices/test.csv:2" in found[0]


def test_other_market_may_use_another_unit(minimal_dir: Path) -> None:
    write_prices(minimal_dir, GOOD + "Ga,metal 99.99%,us,2024,annual_average,2000,CNY/kg,CNY,src-a,high,\n")
    assert problems_in(minimal_dir) == []


def test_currency_mix_within_a_series_is_refused(minimal_dir: Path) -> None:
    write_prices(minimal_dir, GOOD + "Dy,Dy oxide 99.5%,world,2023,annual_average,300,$/kg,EUR,src-a,high,\n")
    assert any("differs from $/kg USD" in p for p in problems_in(minimal_dir))


def test_unknown_source_and_material(minimal_dir: Path) -> None:
    write_prices(minimal_dir, "Xx,metal,world,2024,annual_average,5,$/kg,USD,src-zzz,high,\n")
    found = problems_in(minimal_dir)
    assert "prices/test.csv:2 (Xx/metal/world/2024/annual_average): unknown material 'Xx'" in found
    assert "prices/test.csv:2 (Xx/metal/world/2024/annual_average): unknown source id 'src-zzz'" in found


@pytest.mark.parametrize("value", ["0", "-5", "inf", "nan", "abc"])
def test_value_must_be_positive_and_finite(minimal_dir: Path, value: str) -> None:
    write_prices(minimal_dir, f"Ga,metal,world,2024,annual_average,{value},$/kg,USD,src-a,high,\n")
    found = problems_in(minimal_dir)
    assert len(found) == 1 and found[0].startswith("prices/test.csv:2 ") and "'value'" in found[0]


def test_duplicate_point_is_refused(minimal_dir: Path) -> None:
    write_prices(minimal_dir,
                 GOOD + "Ga,metal 99.99%,china_domestic,2024,annual_average,381,$/kg,USD,src-b,high,\n")
    found = problems_in(minimal_dir)
    assert found == ["prices/test.csv:7 (Ga/metal 99.99%/china_domestic/2024/annual_average): "
                     "duplicate price point (first at prices/test.csv:3 "
                     "(Ga/metal 99.99%/china_domestic/2024/annual_average))"]


def test_same_date_of_another_kind_is_not_a_duplicate(minimal_dir: Path) -> None:
    write_prices(minimal_dir,
                 GOOD + "Ga,metal 99.99%,china_domestic,2024-10,monthly_average,410,$/kg,USD,src-a,high,\n")
    assert problems_in(minimal_dir) == []


@pytest.mark.parametrize(("when", "kind", "message"), [
    ("2024-06", "annual_average", "needs a date written YYYY"),
    ("2024", "monthly_average", "needs a date written YYYY-MM"),
    ("2024", "point", "needs a date written YYYY-MM or YYYY-MM-DD"),
    ("2024-02-30", "point", "is not a day of the calendar"),
    ("24-06", "point", "is not YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_date_must_fit_the_kind(minimal_dir: Path, when: str, kind: str, message: str) -> None:
    write_prices(minimal_dir, f"Ga,metal,world,{when},{kind},5,$/kg,USD,src-a,high,\n")
    found = problems_in(minimal_dir)
    assert len(found) == 1 and message in found[0], found


def test_bad_enums_and_missing_reason(minimal_dir: Path) -> None:
    write_prices(minimal_dir,
                 "Ga,metal,mars,2024,annual_average,5,$/kg,USD,src-a,high,\n"
                 "Ga,metal,world,2024,annual_average,5,$/kg,GBP,src-a,high,\n"
                 "Ga,metal,world,2023,annual_average,5,$/kg,USD,src-a,medium,\n"
                 "Ga,metal,world,2022,annual_average,5,$/kg,USD,,high,\n")
    found = problems_in(minimal_dir)
    assert len(found) == 4
    assert "'market'" in found[0] and "'currency'" in found[1]
    assert "needs a note giving the reason" in found[2] and "'sources'" in found[3]


def test_wrong_header(minimal_dir: Path) -> None:
    (minimal_dir / "prices").mkdir()
    (minimal_dir / "prices" / "x.csv").write_text("material,value\nGa,5\n", encoding="utf-8")
    assert problems_in(minimal_dir) == [
        "prices/x.csv:1: header must be exactly: " + HEADER.strip()]


def test_price_assertions(minimal_dir: Path) -> None:
    write_prices(minimal_dir, GOOD)
    (minimal_dir / "assertions.yaml").write_text(
        "minimum_counts: {prices: 5, annual_prices.Ga: 3, annual_prices.REE: 1}\n")
    assert problems_in(minimal_dir) == [
        "assertions.yaml: annual_prices.Ga: 2 records, at least 3 expected",
        "assertions.yaml: annual_prices.REE: 0 records, at least 1 expected"]


def test_api_filters(minimal_dir: Path) -> None:
    write_prices(minimal_dir, GOOD)
    kb = load_kb(minimal_dir)
    ga = kb.material("镓")
    assert [(p.market.value, p.date) for p in kb.prices(ga)] == [
        ("china_domestic", "2023"), ("china_domestic", "2024"), ("china_domestic", "2024-10"),
        ("europe", "2025-05-06")]
    assert [p.date for p in kb.prices(ga, market="europe")] == ["2025-05-06"]
    assert [p.date for p in kb.prices(ga, market=Market.CHINA_DOMESTIC, since="2024-06")] == [
        "2024", "2024-10"]
    assert [p.date for p in kb.prices(ga, since=date(2025, 1, 1))] == ["2025-05-06"]
    assert [p.date for p in kb.prices(ga, kind=PriceKind.POINT)] == ["2024-10", "2025-05-06"]
    assert kb.prices(ga, product="OXIDE") == []
    assert [p.material for p in kb.prices(kb.material("Dy2O3"), product="oxide")] == ["Dy"]
    assert kb.price_products(ga) == ["metal 99.99%"]
    with pytest.raises(UnknownValueError, match=r"unknown market 'mars' \(expected one of: china_domestic"):
        kb.prices(ga, market="mars")


def test_parse_since_and_period_end() -> None:
    assert parse_since("2024") == date(2024, 1, 1)
    assert parse_since("2024-06") == date(2024, 6, 1)
    assert parse_since(" 2024-06-15 ") == date(2024, 6, 15)
    for bad in ("2024-13", "2024-02-30", "June 2024", "", "2024-6"):
        with pytest.raises(UsageError):
            parse_since(bad)
    assert period_end("2024") == date(2024, 12, 31)
    assert period_end("2024-02") == date(2024, 2, 29)
    assert period_end("2024-02-03") == date(2024, 2, 3)


def test_minimal_fixture_has_no_prices(minimal_kb: KnowledgeBase) -> None:
    assert minimal_kb.price_points == ()
    assert minimal_kb.prices(minimal_kb.material("Ga")) == []


# ---------------------------------------------------------------------------------------------
# bundled data


def test_bundled_prices_load(kb: KnowledgeBase) -> None:
    assert len(kb.price_points) >= 180
    sb = kb.prices(kb.material("antimony"), kind=PriceKind.ANNUAL_AVERAGE)
    assert [p.date for p in sb] == [str(y) for y in range(2018, 2026)]
    assert {p.unit for p in sb} == {"$/lb"}
    by_year = {p.date: p for p in sb}
    assert (by_year["2022"].value, by_year["2024"].value, by_year["2025"].value) == (6.18, 10.24, 25)
    # a year a later edition revised cites both editions and says what the earlier one printed
    assert by_year["2024"].sources == ["usgs-mcs2026-antimony", "usgs-mcs2025-antimony"]
    assert "revised from 9.50 in MCS 2025" in (by_year["2024"].note or "")
    assert by_year["2025"].confidence.value == "medium"


def test_bundled_annual_averages_come_from_the_latest_edition_read(kb: KnowledgeBase) -> None:
    for p in kb.price_points:
        if p.kind is not PriceKind.ANNUAL_AVERAGE:
            continue
        edition = int(p.sources[0].split("-")[1].removeprefix("mcs"))
        assert int(p.date) + 1 <= edition <= int(p.date) + 5, p
        if edition == int(p.date) + 1:  # an estimate: the next edition was not read for it
            assert p.confidence.value == "medium", p


def test_bundled_prices_cite_known_sources_and_explain_doubt(kb: KnowledgeBase) -> None:
    for p in kb.price_points:
        assert p.sources and all(s in kb.sources for s in p.sources), p
        assert p.confidence.value == "high" or p.note, p
        assert p.material in kb.materials


def test_bundled_rare_earth_oxides(kb: KnowledgeBase) -> None:
    dy = {p.date: p.value for p in kb.prices(kb.material("氧化镝"), market="world")}
    assert (dy["2017"], dy["2021"], dy["2024"]) == (187, 410, 260)
    tb = kb.prices(kb.material("Tb"), market="europe", since="2025-04")
    assert [p.date for p in tb] == ["2025-04", "2025-05-06"]
    assert all(p.confidence.value == "low" for p in tb)


def test_bundled_gallium_export_control_points(kb: KnowledgeBase) -> None:
    china = kb.prices(kb.material("Ga"), market="china_domestic", product="low-purity")
    assert [(p.date, p.value) for p in china] == [
        ("2023-06", 240), ("2024-01", 325), ("2024-06", 380), ("2024-10", 420)]
    assert all(s.startswith("usgs-") for p in china for s in p.sources)


def test_bundled_points_in_another_currency_and_around_the_2024_antimony_ban(kb: KnowledgeBase) -> None:
    ga = kb.prices(kb.material("gallium"), market="china_domestic", product="ex-works")
    assert [(p.date, p.value, p.unit, p.currency.value) for p in ga] == [
        ("2022-01-20", 1950, "CNY/kg", "CNY")]
    rotterdam = kb.prices(kb.material("Sb"), market="europe")
    assert {p.unit for p in rotterdam} == {"$/t"} and len(rotterdam) >= 3
    assert all(p.note and "midpoint" in p.note for p in rotterdam)
