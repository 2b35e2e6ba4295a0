"""The material page's history and prices: shares year by year with their HHI, prices with their
sources, and the `year=` choice of the stage-by-stage shares. Expected values come from the
knowledge base and critmin.risk, never from numbers written here."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import plotly.io as pio
import pytest
from fastapi.testclient import TestClient

from critmin.kb import KnowledgeBase, Material, Measure, ShareSeries, Stage
from critmin.kb.models import STAGE_LABELS
from critmin.risk import concentration

MATERIAL_STAGES = [Stage.MINING, Stage.REFINING, Stage.METAL, Stage.MAGNET]


def history(kb: KnowledgeBase, material: Material, stage: Stage) -> list[ShareSeries]:
    return sorted(kb.shares(material, stage=stage, measure=Measure.PRODUCTION), key=lambda s: s.year)


def block(text: str, element_id: str) -> str:
    """The page from the element with this id to the end of its first table."""
    start = text.index(f'id="{element_id}"')
    return text[start:text.index("</table>", start)]


def figures(text: str) -> list[dict[str, Any]]:
    found = [json.loads(html.unescape(raw)) for raw in re.findall(r'data-figure="([^"]+)"', text)]
    assert found
    return found


def figure_in(text: str, element_id: str) -> dict[str, Any]:
    return figures(block(text, element_id))[0]


def table_years(part: str) -> list[int]:
    body = part.split("<tbody>", 1)[1]
    return [int(y) for y in re.findall(r'<tr><td class="num">(\d{4})</td>', body)]


@pytest.mark.parametrize("name", ["gallium", "rare earths"])
def test_share_history_chart_and_table_per_stage(client: TestClient, kb: KnowledgeBase, name: str) -> None:
    material = kb.material(name)
    text = client.get(f"/materials/{name}").text
    stages = {stage: h for stage in MATERIAL_STAGES if len(h := history(kb, material, stage)) > 1}
    assert stages, f"{name} has no stage with more than one year of production shares"
    for stage, series in stages.items():
        part = block(text, f"trend-{stage.value}")
        assert 'class="plot" data-figure="' in part and 'class="trend-table"' in part
        assert table_years(part) == [s.year for s in series]
        for s in series:
            c = concentration(kb, s)
            row = part.split(f'<td class="num">{s.year}</td>', 1)[1].split("</tr>", 1)[0]
            assert f"({c.top_country})" in row and f"{c.top_share * 100:.1f}%" in row
            assert f"{c.hhi:,.0f}" in row
            assert all(f'href="#src-{sid}"' in row for sid in s.sources)
            assert all(f'id="src-{sid}"' in text for sid in s.sources)  # listed with its citation
    for stage in MATERIAL_STAGES:
        if stage not in stages and material.id != "REE":
            assert f'id="trend-{stage.value}"' not in text


def test_rare_earths_continue_into_the_magnet_history(client: TestClient, kb: KnowledgeBase) -> None:
    magnets = history(kb, kb.material("NdFeB"), Stage.MAGNET)
    text = client.get("/materials/rare earths").text
    if len(magnets) > 1:
        part = block(text, "trend-magnet")
        assert table_years(part) == [s.year for s in magnets] and "(NdFeB)" in part


def test_the_trend_figure_is_valid_and_cites_each_point(client: TestClient, kb: KnowledgeBase) -> None:
    material = kb.material("gallium")
    text = client.get("/materials/gallium").text
    for fig in figures(text):
        pio.from_json(json.dumps(fig), skip_invalid=False)  # plotly accepts every figure as sent
    series = history(kb, material, Stage.REFINING)
    fig = figure_in(text, "trend-refining")
    latest = series[-1]
    top = [kb.country_name(r.country) for r in latest.countries()[:5]]
    assert [t["name"] for t in fig["data"]] == [*top, "rest"]
    first = fig["data"][0]
    assert first["x"] == [s.year for s in series]
    code = latest.countries()[0].country
    for s, y, hover in zip(series, first["y"], first["text"], strict=True):
        row = next(r for r in s.rows if r.country == code)
        assert y == pytest.approx(row.share * 100, abs=0.01)
        assert all(sid in hover for sid in row.sources)
    assert all(sid in h for s, h in zip(series, fig["data"][-1]["text"], strict=True) for sid in s.sources)


def test_partial_years_are_marked(client: TestClient, kb: KnowledgeBase) -> None:
    found = next(((m, stage, h) for m in kb.materials.values() for stage in MATERIAL_STAGES
                  if len(h := history(kb, m, stage)) > 1 and any(s.partial for s in h)
                  and not h[0].aggregate_for), None)
    if found is None:
        pytest.skip("no bundled history has a partial year")
    material, stage, series = found
    text = client.get(f"/materials/{material.id}").text
    fig = figure_in(text, f"trend-{stage.value}")
    symbols = fig["data"][0]["marker"]["symbol"]
    assert symbols == ["circle-open" if s.partial else "circle" for s in series]
    assert "partial coverage" in fig["layout"]["title"]["text"]
    part = text[text.index(f'id="trend-{stage.value}"'):]
    part = part[:part.index('<div class="trend"', 1) if '<div class="trend"' in part[1:] else None]
    for s in series:
        if s.partial:
            assert f"* {s.year} partial coverage" in part


def test_aggregate_history_stays_labelled(client: TestClient, kb: KnowledgeBase) -> None:
    element = kb.material("Nd")
    series = history(kb, element, Stage.MINING)
    assert series and series[0].aggregate_for == "Nd"
    text = client.get("/materials/Nd").text
    part = text[text.index('id="trend-mining"'):]
    assert "Aggregate figures: no element-level shares for neodymium" in part.split("<table", 1)[0]
    title = figure_in(text, "trend-mining")["layout"]["title"]["text"]
    assert kb.materials[series[0].material].names.en in title and "aggregate figures shown" in title


def test_prices_table_and_chart(client: TestClient, kb: KnowledgeBase) -> None:
    material = next(m for m in kb.materials.values() if kb.prices(m))
    points = kb.prices(material)
    text = client.get(f"/materials/{material.id}").text
    part = block(text, "prices")
    rows = part.split("<tbody>", 1)[1].split("<tr>")[1:]
    assert len(rows) == len(points)
    for p, row in zip(points, rows, strict=True):
        cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)).split()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells[0] == [p.date] and " ".join(cells[1]) == p.product
        assert cells[3] == [f"{p.value:,.6g}"] and " ".join(cells[4]) == p.unit
        assert cells[5] == [p.currency.value] and cells[6] == p.kind.value.split("_")
        assert [c for c in cells[7] if c != ","] == p.sources
        assert cells[8][0] == p.confidence.value
    fig = figure_in(text, "prices")
    pio.from_json(json.dumps(fig), skip_invalid=False)
    axis_titles = {v["title"]["text"] for k, v in fig["layout"].items() if k.startswith("yaxis")}
    assert axis_titles == {f"{p.unit} ({p.currency.value})" for p in points}
    plotted = sum(len(t["y"]) for t in fig["data"])
    assert plotted == len(points)
    for trace in fig["data"]:
        assert trace["mode"] == ("markers" if "quotes" in trace["name"] else "lines+markers")
        assert all("source: " in h for h in trace["text"])
    assert "No bundled prices" not in text


def test_no_bundled_prices(client: TestClient, kb: KnowledgeBase) -> None:
    material = next(m for m in kb.materials.values() if not kb.prices(m))
    text = client.get(f"/materials/{material.id}").text
    assert f"No bundled prices for {material.names.en}" in text and 'id="price-table"' not in text


def test_year_parameter_picks_the_stage_shares(client: TestClient, kb: KnowledgeBase) -> None:
    material = kb.material("gallium")
    series = history(kb, material, Stage.REFINING)
    chosen = series[0]
    assert chosen.year != series[-1].year
    page = client.get("/materials/gallium", params={"year": chosen.year})
    assert page.status_code == 200
    text = page.text
    assert f"Shares stage by stage in {chosen.year}" in text
    assert f"{STAGE_LABELS[Stage.REFINING]} · {chosen.year}</h3>" in text
    assert f'<strong aria-current="page">{chosen.year}</strong>' in text
    assert f'href="?year={series[-1].year}#shares"' in text and 'href="?#shares">latest' in text
    stage_tables = text.split('<div class="stages">', 1)[1].split("</section>", 1)[0]
    assert f"{chosen.rows[0].share * 100:.1f}%" in stage_tables
    latest = client.get("/materials/gallium").text
    assert f"{STAGE_LABELS[Stage.REFINING]} · {series[-1].year}</h3>" in latest
    assert '<strong aria-current="page">latest</strong>' in latest
    data = client.get("/api/v1/materials/gallium", params={"year": chosen.year}).json()
    assert data["year"] == chosen.year and {s["year"] for s in data["chain"]} == {chosen.year}


def test_year_missing_at_some_stages_is_said(client: TestClient, kb: KnowledgeBase) -> None:
    material = kb.material("rare earths")
    by_stage = {stage: {s.year for s in history(kb, material, stage)} for stage in MATERIAL_STAGES}
    by_stage = {k: v for k, v in by_stage.items() if v}
    year = next((y for years in by_stage.values() for y in sorted(years)
                 if any(y not in other for other in by_stage.values())), None)
    if year is None:
        pytest.skip("every rare-earth stage has the same years")
    text = client.get("/materials/rare earths", params={"year": year}).text
    missing = [STAGE_LABELS[k] for k, v in by_stage.items() if year not in v]
    assert f"No figures for {year} at: " in text and all(label in text for label in missing)


@pytest.mark.parametrize("year", ["abc", "2020.5", "1800", "99999", "-1", ""])
def test_bad_year_is_a_422(client: TestClient, year: str) -> None:
    page = client.get("/materials/gallium", params={"year": year})
    assert page.status_code == 422 and "year" in page.text
    api = client.get("/api/v1/materials/gallium", params={"year": year})
    assert api.status_code == 422 and "error" in api.json()


def test_year_without_figures_is_a_404_naming_the_years(client: TestClient, kb: KnowledgeBase) -> None:
    years = sorted({s.year for s in kb.shares(kb.material("gallium"), measure=Measure.PRODUCTION)})
    absent = next(y for y in range(2100, 1900, -1) if y not in years)
    page = client.get("/materials/gallium", params={"year": absent})
    assert page.status_code == 404 and str(years[-1]) in page.text
    api = client.get("/api/v1/materials/gallium", params={"year": absent})
    assert api.status_code == 404 and str(absent) in api.json()["error"]


def test_plotly_js_only_on_pages_with_charts(client: TestClient) -> None:
    script = '<script src="/vendor/plotly.min.js">'
    for path in ("/", "/scenario", "/materials/gallium"):
        assert script in client.get(path).text, path
    for path in ("/materials", "/search", "/check"):
        assert script not in client.get(path).text, path


def test_sections_say_how_old_their_figures_are(client: TestClient, kb: KnowledgeBase) -> None:
    from critmin.kb import dataset_age

    text = client.get("/materials/antimony").text
    lines = re.findall(r'<p class="muted as-of">([^<]+)</p>', text)
    assert len(lines) >= 3  # shares, trends, prices (facilities when the material has some)
    shares_age = dataset_age(kb, "shares")
    assert any(f"shares dataset as of {shares_age.as_of}" in html.unescape(line) for line in lines)
    prices_age = dataset_age(kb, "prices")
    assert any(f"prices dataset as of {prices_age.as_of}" in html.unescape(line) for line in lines)


def test_facilities_show_the_day_their_status_was_checked(client: TestClient, kb: KnowledgeBase) -> None:
    seadrift = next(f for f in kb.facilities if f.id == "lynas-seadrift")
    text = client.get("/materials/dysprosium").text
    assert f"checked {seadrift.checked}" in text
    assert "on hold" in text
