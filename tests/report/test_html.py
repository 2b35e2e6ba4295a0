"""Reports: one self-contained HTML file (no CDN) and Markdown with the same facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.report import simulation_markdown, write_simulation_html
from critmin.report.figures import exposure_bars, price_timeline, shortfall_timeline
from critmin.sim import SimulationResult, load_scenario, simulate


@pytest.fixture(scope="module")
def result(kb: KnowledgeBase) -> SimulationResult:
    scenario = load_scenario("us-rare-earth-embargo-1y", kb).model_copy(update={"horizon_days": 120})
    return simulate(kb, scenario, runs=16, seed=0, sensitivity_runs=8)


def test_html_is_self_contained(result: SimulationResult, tmp_path: Path) -> None:
    path = write_simulation_html(result, tmp_path / "report.html")
    text = path.read_text("utf-8")
    assert "<script src=" not in text and "cdn.plot.ly/plotly" not in text
    assert "Plotly.newPlot" in text and len(text) > 1_000_000  # plotly.js inlined
    assert result.scenario.name in text
    assert "Ranked exposures" in text and "Sensitivity" in text and "Sources" in text
    assert "usgs-mcs2025-rare-earths" in text
    assert "NdFeB outside CHN" in text and "NdFeB inside CHN" in text  # both markets in the figure
    assert "<td>inside CHN</td>" in text


def test_unwritable_report_is_a_user_error(result: SimulationResult, tmp_path: Path) -> None:
    with pytest.raises(CritminError, match=r"report\.html: cannot write: the folder .* does not exist"):
        write_simulation_html(result, tmp_path / "missing" / "report.html")


def test_figures_have_bands_and_bars(result: SimulationResult) -> None:
    fig = shortfall_timeline(result, "NdFeB")
    destinations = [s for s in result.series if s.material == "NdFeB" and s.kind == "destination"]
    assert len(fig.data) == 3 * len(destinations)  # p95, p5 (filled band), p50 per destination
    assert fig.data[1].fill == "tonexty"
    prices = price_timeline(result)
    assert len(prices.data) == 3 * len(result.prices)  # a band and a median per (material, market)
    dashed = {t.name for t in prices.data if t.name and t.line.dash == "dash"}
    assert dashed == {f"{p.material} inside CHN" for p in result.prices if p.market == "domestic"}
    bars = exposure_bars(result)
    assert len(bars.data[0].y) == min(15, len(result.exposures))


def test_markdown_lists_exposures_and_sources(result: SimulationResult) -> None:
    text = simulation_markdown(result)
    assert text.startswith(f"# {result.scenario.name}")
    top = result.exposures[0]
    assert f"| 1 | {top.material} | {top.kind} | {top.key} |" in text
    assert "## Sources" in text and "[usgs-mcs2025-rare-earths]" in text
    world, home = result.price("NdFeB"), result.price("NdFeB", "domestic")
    assert world is not None and home is not None and home.trough is not None
    assert f"| NdFeB | outside CHN | {world.peak.p5} |" in text
    peak = home.peak
    assert f"| NdFeB | inside CHN | {peak.p5} | {peak.p50} | {peak.p95} | {home.trough.p50} |" in text
