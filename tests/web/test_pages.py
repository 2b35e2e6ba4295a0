"""Every page renders with real data, escapes what users type, and fails with a 4xx page."""

from __future__ import annotations

import html
import re
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from critmin.kb import KnowledgeBase, Measure, Stage
from critmin.risk import chokepoints
from tests.web.conftest import EXAMPLES


def test_overview_has_chokepoints_and_a_map(client: TestClient, kb: KnowledgeBase) -> None:
    page = client.get("/")
    assert page.status_code == 200
    top = chokepoints(kb, top=1)[0]
    assert top.material_name in page.text and f"{top.hhi:,.0f}" in page.text
    figure = re.search(r'class="plot" data-figure="([^"]+)"', page.text)
    assert figure is not None and '"type":"choropleth"' in html.unescape(figure.group(1))
    from critmin.web.overview import map_series

    for source in map_series(kb, "REE", "mining").sources:  # the map's sources are listed
        assert f'id="src-{source}"' in page.text
    assert "cdn.plot.ly" not in page.text and "https://" not in page.text.split("<main>")[0]


def test_map_partial_follows_the_choice(client: TestClient, kb: KnowledgeBase) -> None:
    from critmin.web.overview import map_series

    part = client.get("/partials/map", params={"choice": "Ga|refining"})
    sources = map_series(kb, "Ga", "refining").sources
    assert part.status_code == 200 and "gallium" in part.text and sources
    assert all(source in part.text for source in sources)
    assert client.get("/partials/map", params={"choice": "Ga|mining"}).status_code == 404
    assert client.get("/partials/map", params={"choice": "nonsense"}).status_code == 422


def test_material_page_shows_every_section_with_sources(client: TestClient, kb: KnowledgeBase) -> None:
    page = client.get("/materials/镝")
    assert page.status_code == 200
    text = page.text
    assert "dysprosium" in text and '"type":"sankey"' in html.unescape(text)
    # the Sankey's links are proportional allocations, and their hover says so
    assert "not a recorded trade flow" in html.unescape(text)
    mining = max(kb.shares(kb.material("REE"), stage=Stage.MINING, measure=Measure.PRODUCTION),
                 key=lambda s: s.year)
    assert f"{mining.rows[0].share * 100:.1f}%" in text
    assert 'class="cite" href="#src-' in text and 'id="src-usgs-mcs2025-rare-earths"' in text
    assert "Mountain Pass" in text  # facilities of the aggregate count for the element
    assert "CN-MOFCOM-GAC-2025-18" in text  # the April 2025 licensing names dysprosium
    assert "Latest evidence" in text and "No evidence database yet" not in text


def test_material_page_empty_state_without_evidence(bare_client: TestClient) -> None:
    page = bare_client.get("/materials/gallium")
    assert page.status_code == 200 and "No evidence database yet" in page.text


def test_unknown_material_is_a_404_page_with_suggestions(client: TestClient) -> None:
    page = client.get("/materials/dysprosum")
    assert page.status_code == 404 and "did you mean" in page.text and "dysprosium" in page.text
    # a 404 page is a page: it fits a phone and keeps the navigation
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert '<a href="/materials">Materials</a>' in page.text and '<a href="/search">Evidence</a>' in page.text
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and '<a href="/">Overview</a>' in missing.text


def test_user_strings_are_escaped(client: TestClient) -> None:
    attack = "<img src=x onerror=alert(1)>"
    page = client.get(f"/materials/{attack}")
    assert page.status_code == 404
    assert attack not in page.text and html.escape(attack, quote=False) in page.text
    hits = client.get("/search/results", params={"q": attack})
    assert hits.status_code == 200 and attack not in hits.text and "&lt;img src=x" in hits.text


def test_other_pages_render(client: TestClient) -> None:
    for path, needle in (("/materials", "dysprosium"), ("/scenario", "april-2025-seven-rare-earths"),
                         ("/search", "Digest of a topic"), ("/check", 'name="bom"')):
        page = client.get(path)
        assert page.status_code == 200 and needle in page.text, path


def test_search_page_partials(client: TestClient) -> None:
    hits = client.get("/search/results", params={"q": "gallium", "since": "", "lang": "", "material": ""})
    assert hits.status_code == 200 and "Gallium export licences tighten" in hits.text
    assert "<mark>" in hits.text
    facts = client.get("/search/facts", params={"material": "Ga", "kind": "change"})
    assert facts.status_code == 200 and "rose 12%" in facts.text  # a rise, with its direction
    # the form's default kind is "any", sent as an empty value: every kind, not a 422
    every = client.get("/search/facts", params={"material": "Ga", "kind": "", "country": ""})
    assert every.status_code == 200 and "figures" in every.text
    # dates read as dates, not as the number that stores them
    assert "e+07" not in every.text
    digest = client.get("/search/digest", params={"topic": "gallium"})
    assert digest.status_code == 200 and "Core Viewpoint" in digest.text and 'id="ref-1"' in digest.text


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "<script>" not in client.get("/").text  # no inline script to allow


def test_vendored_scripts_are_served_locally(client: TestClient) -> None:
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert client.get("/static/htmx.min.js").text.startswith("var htmx=")
    topo = client.get("/static/topojson/world_110m.json").json()
    ids = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
    assert {"CHN", "USA", "MMR", "AUS"} <= ids  # the map's ISO-3 locations exist offline


def test_check_form_shows_the_decision_trace(client: TestClient) -> None:
    bom = (EXAMPLES / "boms" / "magnet-0.1pct-over.yaml").read_bytes()
    page = client.post("/check", files={"bom": ("../../magnet.yaml", bom, "text/yaml")},
                       data={"to": "Germany", "on": "2026-11-23", "end_user": "civil",
                             "end_use": "servo motors"},
                       headers={"hx-request": "true"})
    assert page.status_code == 200 and "<html" not in page.text  # a fragment for htmx
    assert "Overall: <strong>licence-required</strong>" in page.text and "CN-MOFCOM-2025-61" in page.text
    assert "Decision trace" in page.text and "0.101%" in page.text
    assert "magnet.yaml" in page.text and "../" not in page.text


def test_check_form_errors_are_4xx_fragments(client: TestClient) -> None:
    broken = client.post("/check", files={"bom": ("bom.yaml", b"product: [unclosed", "text/yaml")},
                         data={"to": "DEU"}, headers={"hx-request": "true"})
    assert broken.status_code == 400 and broken.text.startswith('<div class="error"')
    assert "bom.yaml: line" in broken.text
    binary = client.post("/check", files={"bom": ("bom.yaml", b"\x00\x01\x02garbage", "text/yaml")},
                         data={"to": "DEU"})
    assert binary.status_code == 400 and "bom.yaml: binary file, not text" in binary.text
    bad_date = client.post("/check", files={"bom": ("b.yaml", b"product: x", "text/yaml")},
                           data={"to": "DEU", "on": "23/11/2026"})
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.text
    assert client.post("/check", data={"to": "DEU"}).status_code == 422  # no BOM file


TUNGSTEN = (b"name: Two-month tungsten stop\nstart: 2026-03-01\nhorizon_days: 60\nrestrictions:\n"
            b"  - {exporter: CHN, materials: [W], start: 2026-03-01,\n"
            b"     licensing: {approval_probability: 0.1}}\n")


def _assert_figures(text: str) -> None:
    assert "Two-month tungsten stop" in text and 'class="job done"' in text
    assert text.count('class="plot"') >= 2 and 'id="exposures"' in text
    assert "6 runs" in text
    # the price table has both markets of tungsten: outside China and inside it
    assert '<tr data-market="world"><td>W</td><td>outside CHN</td>' in text
    assert '<tr data-market="domestic"><td>W</td><td>inside CHN</td>' in text
    # the plain-language headline and the trade flows, with country names
    assert 'class="headline"' in text and "Outside China, the tungsten price index" in text
    assert 'id="flows"' in text and "<td>China</td>" in text


def test_scenario_form_runs_an_upload_and_polls_to_the_figures(client: TestClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The run is held until the form's answer has arrived, so the page always starts polling."""
    import critmin.web.scenarios

    release = threading.Event()
    real = critmin.web.scenarios.simulate

    def held(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30), "the test never released the run"
        return real(*args, **kwargs)

    monkeypatch.setattr(critmin.web.scenarios, "simulate", held)
    started = client.post("/scenario/run", files={"upload": ("../w.yaml", TUNGSTEN, "text/yaml")},
                          data={"runs": "6", "seed": "1"}, headers={"hx-request": "true"})
    assert started.status_code == 200 and 'class="job running"' in started.text
    job = re.search(r'hx-get="/scenario/jobs/([A-Za-z0-9_-]+)"', started.text)
    assert job is not None
    release.set()
    deadline = time.monotonic() + 60
    while True:
        part = client.get(f"/scenario/jobs/{job.group(1)}", headers={"hx-request": "true"})
        assert part.status_code == 200
        if "job running" not in part.text:
            break
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.1)
    _assert_figures(part.text)


def test_a_run_that_finishes_before_the_form_answers_shows_its_figures(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the form's answer rendered _job.html without the figures when the run had
    already finished (jinja2 UndefinedError: 'exposures' is undefined); both routes now build
    the same context."""
    import critmin.web.routes.scenario as routes

    real = routes._submit

    def finished(*args: Any, **kwargs: Any) -> Any:
        job = real(*args, **kwargs)
        deadline = time.monotonic() + 60
        while job.status == "running":
            assert time.monotonic() < deadline, "the run did not finish"
            time.sleep(0.05)
        return job

    monkeypatch.setattr(routes, "_submit", finished)
    started = client.post("/scenario/run", files={"upload": ("w.yaml", TUNGSTEN, "text/yaml")},
                          data={"runs": "6", "seed": "1"}, headers={"hx-request": "true"})
    assert started.status_code == 200, started.text
    _assert_figures(started.text)


def test_scenario_form_errors(client: TestClient) -> None:
    assert client.post("/scenario/run", data={"scenario": ""}).status_code == 400
    missing = client.post("/scenario/run", data={"scenario": "/etc/passwd"}, headers={"hx-request": "true"})
    assert missing.status_code == 404 and "unknown scenario" in missing.text
    aliases = client.post("/scenario/run", files={"upload": ("a.yaml", b"a: &x [1]\nb: *x\n", "text/yaml")})
    assert aliases.status_code == 400 and "aliases" in aliases.text
    assert client.get("/scenario/jobs/not-a-job-id-123").status_code == 404
    assert client.get("/scenario/jobs/bad id!").status_code == 422


def test_search_partials_without_a_database_say_so(bare_client: TestClient) -> None:
    page = bare_client.get("/search")
    assert page.status_code == 200 and "No evidence database yet" in page.text
    part = bare_client.get("/search/results", params={"q": "gallium"}, headers={"hx-request": "true"})
    assert part.status_code == 404 and "no evidence database yet" in part.text


def test_figures_print_as_written() -> None:
    from critmin.web.templating import figure

    assert figure({"kind": "date", "value": 20250600, "unit": "date"}) == "2025-06"
    assert figure({"kind": "date", "value": 1026, "unit": "date"}) == "10-26"  # year not given
    assert figure({"kind": "date", "value": 20251009.0, "unit": "date"}) == "2025-10-09"
    assert figure({"kind": "mass", "value": 12000.0, "unit": "t"}) == "12,000 t"


def test_search_is_a_permalink(client: TestClient) -> None:
    page = client.get("/search", params={"q": "gallium"})
    assert page.status_code == 200 and "Gallium export licences tighten" in page.text
    assert 'value="gallium"' in page.text  # the form shows the query it ran
    part = client.get("/search/results", params={"q": "gallium", "lang": ""},
                      headers={"hx-request": "true"})
    assert part.headers["hx-push-url"] == "/search?q=gallium"
    assert "Gallium export licences" not in client.get("/search").text  # no query, no results
