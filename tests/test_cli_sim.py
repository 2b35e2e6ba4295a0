"""The simulator's commands end to end: simulate, backtest, scenarios, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from critmin.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_simulate_json_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.html"
    code, out, _ = run(capsys, "simulate", "gallium-germanium-2023", "--runs", "20", "--seed", "3",
                       "--sensitivity-runs", "0", "--json", "--report", str(report))
    assert code == 0
    data = json.loads(out)
    assert {"scenario", "runs", "seed", "days", "dates", "series", "prices", "exposures", "sensitivity",
            "mitigation", "network", "parameters", "sources"} <= set(data)
    assert data["runs"] == 20 and data["scenario"]["measures"] == ["CN-MOFCOM-GAC-2023-23"]
    series = data["series"][0]
    assert {"kind", "material", "key", "p5", "p50", "p95", "first_shortfall_day", "lost_days"} <= set(series)
    assert report.read_text("utf-8").startswith("<!DOCTYPE html>")
    code, again, _ = run(capsys, "simulate", "gallium-germanium-2023", "--runs", "20", "--seed", "3",
                         "--sensitivity-runs", "0", "--json")
    first, second = json.loads(again), data
    assert first["series"] == second["series"]


def test_simulate_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", "us-rare-earth-embargo-1y", "--runs", "10", "--horizon", "90",
                       "--sensitivity-runs", "4")
    assert code == 0
    assert "Ranked exposures" in out and "USA" in out and "What matters most" in out


def test_bad_scenarios_exit_1_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    base = {"name": "x", "start": "2026-01-01",
            "restrictions": [{"exporter": "CHN", "materials": ["Dy"], "start": "2026-01-01",
                              "licensing": {"approval_probability": 2}}]}
    path.write_text(yaml.safe_dump(base), "utf-8")
    code, _, err = run(capsys, "simulate", str(path))
    assert code == 1 and "Traceback" not in err
    assert err.startswith("error: bad.yaml: restrictions[0].licensing.approval_probability")
    base["restrictions"][0]["licensing"] = {}  # type: ignore[index]
    base["restrictions"][0]["exporter"] = "Chna"  # type: ignore[index]
    path.write_text(yaml.safe_dump(base), "utf-8")
    code, _, err = run(capsys, "simulate", str(path))
    assert code == 1 and "restrictions[0].exporter: unknown country 'Chna'; did you mean" in err
    code, _, err = run(capsys, "simulate", "no-such-scenario")
    assert code == 1 and err.startswith("error: unknown scenario")
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", "--runs", "0")
    assert code == 2 and "--runs must be at least 1" in err


def test_backtest_prints_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backtest", "--runs", "12")
    assert code == 0
    assert "Model vs recorded price index" in out and "Where the model is wrong" in out
    code, out, _ = run(capsys, "backtest", "--runs", "12", "--json")
    data = json.loads(out)
    assert data["findings"] and {p["material"] for p in data["points"]} == {"Nd", "Dy"}


def test_scenarios_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenarios", "--json")
    assert code == 0
    assert "april-2025-seven-rare-earths" in {row["name"] for row in json.loads(out)}


def test_demo_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "demo.html"
    code, out, _ = run(capsys, "demo", "--out", str(out_path))
    assert code == 0
    assert "chokepoint" in out.lower() or "concentrated" in out
    assert "April 2025 licensing" in out and str(out_path.resolve()) in out.replace("\n", "")
    assert out_path.stat().st_size > 1_000_000
