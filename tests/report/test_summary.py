"""The opening paragraph: every number in it comes from the result, codes become names."""

from __future__ import annotations

import pytest

from critmin.kb import KnowledgeBase
from critmin.report import headline, simulation_html, simulation_markdown
from critmin.sim import SimulationResult, load_scenario, simulate


@pytest.fixture(scope="module")
def result(kb: KnowledgeBase) -> SimulationResult:
    return simulate(kb, load_scenario("gallium-germanium-2023", kb), runs=12, seed=2,
                    sensitivity_runs=6)


def test_headline_states_the_result_in_words(result: SimulationResult) -> None:
    text = headline(result)
    world = result.price("Ga", "world")
    assert world is not None and world.peak.p50 is not None
    assert f"Outside China, the gallium price index peaks at {world.peak.p50:.1f}x" in text
    home = result.price("Ga", "domestic")
    assert home is not None and home.trough is not None and home.trough.p50 is not None
    assert f"inside China it falls to {home.trough.p50:.2f}x" in text
    short = [e for e in result.exposures if e.kind in ("destination", "sector")
             and e.first_shortfall_p50 is not None]
    first = min(short, key=lambda e: e.first_shortfall_p50 or 0)
    assert f"from day {first.first_shortfall_p50:.0f}" in text
    assert f"What matters most: {result.sensitivity[0].parameter}" in text
    assert "CHN" not in text  # names, not codes


def test_reports_open_with_it(result: SimulationResult) -> None:
    text = headline(result)
    assert text.split(".")[0] in simulation_markdown(result).split("\n")[2]
    html = simulation_html(result)
    assert "class='headline'" in html and html.index("class='headline'") < html.index("Ranked")
    assert "<h2>Trade flows</h2>" in html and "## Trade flows" in simulation_markdown(result)


def test_nobody_short_says_so(kb: KnowledgeBase) -> None:
    # ten days: licences are still pending but stocks last longer than that
    calm = simulate(kb, load_scenario("gallium-germanium-2023", kb), runs=4, seed=1, horizon=10)
    assert calm.exposures == []
    assert "Nobody runs short within the horizon" in headline(calm)
