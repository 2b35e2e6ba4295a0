"""End to end in headless Chromium: the overview's map and a scenario run draw their charts offline.

Driven by Selenium through the system chromedriver (Debian packages chromium and chromium-driver,
installed by .ci/run). Screenshots are kept in the test's tmp_path; set CRITMIN_SCREENSHOTS to a
folder to copy them there as well (docs/img holds the README's).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(CHROMIUM is None or not Path(CHROMEDRIVER).exists(),
                                reason="chromium and chromedriver are not installed (.ci/run installs them)")

uvicorn = pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.chrome.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from critmin.web.app import create_app  # noqa: E402
from critmin.web.settings import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(evidence_db: Path) -> Iterator[str]:
    port = free_port()
    app = create_app(Settings(db=evidence_db, sensitivity_runs=4, default_runs=40))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--disable-gpu"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM or ""
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def requested_hosts(driver: WebDriver) -> set[str]:
    hosts = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith("data:"):
                hosts.add(urlparse(url).netloc)
    return hosts


def keep(driver: WebDriver, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
    target = os.environ.get("CRITMIN_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / name)
    return shot


def test_overview_map_then_a_scenario_run(server: str, browser: WebDriver, tmp_path: Path) -> None:
    wait = WebDriverWait(browser, 60)
    browser.get(f"{server}/")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#map .plot[data-drawn=yes] .main-svg"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map .choroplethlocation")) >= 10
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chokepoints tbody tr")) >= 20
    keep(browser, tmp_path, "dashboard.png")
    # another material and stage, swapped in by htmx, drawn on the same offline base map
    Select(browser.find_element(By.ID, "map-choice")).select_by_value("Ga|refining")
    title = "var t = document.querySelector('#map .plot[data-drawn=yes] .gtitle'); return t && t.textContent;"
    wait.until(lambda d: "gallium" in (d.execute_script(title) or ""))
    assert requested_hosts(browser) == {urlparse(server).netloc}  # nothing from a CDN
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []

    browser.get(f"{server}/scenario")
    Select(browser.find_element(By.ID, "scenario-name")).select_by_value("april-2025-seven-rare-earths")
    browser.find_element(By.ID, "run-button").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".job.running, .job.done"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".job.done .plot[data-drawn=yes] .main-svg"))
    drawn = "return Array.from(document.querySelectorAll('.job.done .plot'), p => p.dataset.drawn);"
    wait.until(lambda d: all(state == "yes" for state in d.execute_script(drawn)))
    assert len(browser.execute_script(drawn)) >= 3
    assert browser.find_elements(By.CSS_SELECTOR, ".job.done .scatterlayer .trace")  # timelines with bands
    assert len(browser.find_elements(By.CSS_SELECTOR, "#exposures tbody tr")) >= 5
    assert requested_hosts(browser) == {urlparse(server).netloc}
    keep(browser, tmp_path, "scenario.png")


def test_material_page_draws_its_history_and_price_charts(server: str, browser: WebDriver,
                                                          tmp_path: Path) -> None:
    wait = WebDriverWait(browser, 60)
    drawn = "return Array.from(document.querySelectorAll('.plot'), p => p.dataset.drawn);"
    for name in ("gallium", "Nd"):
        browser.get(f"{server}/materials/{name}")
        wait.until(lambda d: all(state in ("yes", "failed") for state in d.execute_script(drawn)))
        assert set(browser.execute_script(drawn)) == {"yes"}
        assert browser.find_elements(By.CSS_SELECTOR, "#trends .plot .scatterlayer .trace")
        assert browser.find_elements(By.CSS_SELECTOR, "#prices .plot .scatterlayer .trace")
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
        keep(browser, tmp_path, f"material-{name}.png")
    assert requested_hosts(browser) == {urlparse(server).netloc}
    browser.get(f"{server}/search")  # no chart on the page: plotly.js is not loaded
    assert browser.execute_script("return typeof Plotly;") == "undefined"
