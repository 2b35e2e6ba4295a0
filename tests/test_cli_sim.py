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
    # one price entry per market: each restricted material inside China (held back, falls) and
    # outside it (rises)
    markets = {(p["material"], p["market"]): p for p in data["prices"]}
    assert len(markets) == len(data["prices"])
    assert set(markets) == {(m, k) for m, _ in markets for k in ("domestic", "world")}
    assert ("Ga", "world") in markets
    assert markets["Ga", "world"]["label"] == "outside CHN" and markets["Ga", "world"]["peak"]["p50"] > 1
    home = markets["Ga", "domestic"]
    assert home["label"] == "inside CHN" and home["trough"]["p50"] < 1
    assert markets["Ga", "world"]["trough"] is None
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
    assert "outside CHN" in out and "inside CHN" in out


def test_bad_scenarios_exit_1_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    base = {"name": "x", "start": "2026-01-01",
            "restrictions": [{"exporter": "CHN", "materials": ["Dy"], "start": "2026-01-01",
                              "licensing": {"approval_probability": 2}}]}
    path.write_text(yaml.safe_dump(base), "utf-8")
    code, _, err = run(capsys, "simulate", str(path))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"error: {path}: restrictions[0].licensing.approval_probability")
    base["restrictions"][0]["licensing"] = {}  # type: ignore[index]
    base["restrictions"][0]["exporter"] = "Chna"  # type: ignore[index]
    path.write_text(yaml.safe_dump(base), "utf-8")
    code, _, err = run(capsys, "simulate", str(path))
    assert code == 1 and "restrictions[0].exporter: unknown country 'Chna'; did you mean" in err
    code, _, err = run(capsys, "simulate", "no-such-scenario")
    assert code == 1 and err.startswith("error: unknown scenario")
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", "--runs", "0")
    assert code == 2 and "--runs must be between 1 and 5,000 (got 0)" in err


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


# ---------------------------------------------------------------------------------------------
# hostile options, inputs and outputs: one line, the documented exit code, nothing half-written

SMALL = ("--runs", "5", "--sensitivity-runs", "0", "--horizon", "20")


def one_error_line(err: str) -> str:
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def never_simulate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a simulation starts: the checks under test must come first."""
    import critmin.cli.sim_commands as commands

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before the check")

    monkeypatch.setattr(commands, "simulate", refuse)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--runs", "5001", "--runs must be between 1 and 5,000 (got 5,001)"),
        ("--runs", "-3", "--runs must be between 1 and 5,000 (got -3)"),
        ("--seed", "-1", "--seed must be between 0 and 4,294,967,295 (got -1)"),
        ("--seed", str(2**32), "--seed must be between 0 and 4,294,967,295 (got 4,294,967,296)"),
        ("--top", "-1", "--top must be at least 1 (got -1)"),
        ("--top", "0", "--top must be at least 1 (got 0)"),
        ("--sensitivity-runs", "-1", "--sensitivity-runs must be between 0 and 5,000 (got -1)"),
        ("--workers", "-2", "--workers must be between 1 and 64 (got -2)"),
        ("--workers", "1000", "--workers must be between 1 and 64 (got 1,000)"),
        ("--horizon", "-5", "--horizon must be between 1 and 3,650 (got -5)"),
        ("--horizon", "0", "--horizon must be between 1 and 3,650 (got 0)"),
    ],
)
def test_out_of_range_options_are_usage_errors(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               option: str, value: str, expected: str) -> None:
    never_simulate(monkeypatch)
    # the scenario does not exist: the option is checked before anything is read
    code, out, err = run(capsys, "simulate", "no-such-scenario", option, value)
    assert code == 2 and out == ""
    assert one_error_line(err) == f"error: {expected}"


def test_backtest_and_report_share_the_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "backtest", "--runs", "999999")
    assert code == 2 and "--runs must be between 1 and 5,000" in one_error_line(err)
    code, _, err = run(capsys, "backtest", "--seed", "-1")
    assert code == 2 and "--seed must be between 0" in one_error_line(err)
    code, _, err = run(capsys, "report", "gallium-germanium-2023", "--sensitivity-runs", "-4")
    assert code == 2 and "--sensitivity-runs must be between 0 and 5,000" in one_error_line(err)


def test_the_cli_cap_is_the_web_cap() -> None:
    from critmin.sim.simulation import MAX_RUNS
    from critmin.web.settings import Settings

    assert Settings().max_runs == MAX_RUNS


def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import signal

    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("simulate blocked on a named pipe"))
    signal.alarm(20)
    try:
        code, _, err = run(capsys, "simulate", str(pipe), *SMALL)
    finally:
        signal.alarm(0)
    assert code == 1
    assert one_error_line(err) == f"error: {pipe}: is a named pipe, not a regular file (it would block)"


def test_unknown_stage_names_file_and_field_and_exits_1(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("name: x\nstart: 2026-01-01\nrestrictions:\n"
                    "  - {exporter: CHN, materials: [Ga], stages: [minning], start: 2026-01-01}\n", "utf-8")
    code, _, err = run(capsys, "simulate", str(path), *SMALL)
    assert code == 1
    assert one_error_line(err).startswith(
        f"error: {path}: restrictions[0].stages[0]: unknown stage 'minning'; "
        "did you mean: mining, refining? (expected one of: mining, refining")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: " + "[" * 3000 + "]" * 3000 + "\n", "nested deeper than 100 levels"),
        ("name: x\nyear: " + "9" * 4400 + "\n", "line 2: a number with more than 100 digits"),
        ("name: x\nstart: 2026-01-01\nrestrictions:\n  - {exporter: CHN, materials: [Ga], "
         "start: 2026-01-01, duration_days: 999999999}\n",
         "restrictions[0].duration_days: Input should be less than or equal to 7305"),
        ("name: x\nstart: 0001-01-01\nrestrictions:\n"
         "  - {exporter: CHN, materials: [Ga], start: 2026-01-01}\n",
         "start: 0001-01-01 is outside the supported range 1990-01-01 to 2100-12-31"),
        ("name: x\nstart: 2026-01-01\ndestinations: []\nrestrictions:\n"
         "  - {exporter: CHN, materials: [Ga], start: 2026-01-01}\n",
         "destinations: give at least one, or omit for all"),
        ("name: x\nstart: 2026-01-01\nparameters: {prices.flexibility: .nan}\nrestrictions:\n"
         "  - {exporter: CHN, materials: [Ga], start: 2026-01-01}\n",
         "'parameters.prices.flexibility': nan is not a finite number"),
    ],
)
def test_hostile_scenarios_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               text: str, expected: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, "utf-8")
    report = tmp_path / "r.html"
    code, out, err = run(capsys, "simulate", str(path), *SMALL, "--json", "--report", str(report))
    assert code == 1 and out == "" and not report.exists()
    line = one_error_line(err)
    assert line.startswith(f"error: {path}: ") and expected in line


@pytest.mark.parametrize("encoding", ["utf-16", "gb18030"])
def test_scenarios_in_other_encodings_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          encoding: str) -> None:
    path = tmp_path / "scenario.yaml"
    text = ("name: 镓出口管制\nstart: 2026-01-01\nhorizon_days: 20\nmaterials: [镓]\nrestrictions:\n"
            "  - {exporter: 中国, materials: [镓], start: 2026-01-01}\n")
    path.write_bytes(text.encode(encoding))
    code, out, err = run(capsys, "simulate", str(path), *SMALL, "--json")
    assert code == 0, err
    assert json.loads(out)["scenario"]["name"] == "镓出口管制"


def test_json_output_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, "--json")

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in the JSON output")

    assert code == 0 and json.loads(out, parse_constant=refuse)["runs"] == 5


@pytest.mark.parametrize("option", ["--report", "--markdown"])
def test_output_targets_are_checked_before_simulating(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, option: str) -> None:
    never_simulate(monkeypatch)
    missing = tmp_path / "no-such-folder" / "out.file"
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, option, str(missing))
    assert code == 1
    assert one_error_line(err) == (f"error: {missing}: cannot write: the folder {missing.parent} "
                                   "does not exist")
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, option, str(tmp_path))
    assert code == 1
    assert one_error_line(err) == f"error: {tmp_path}: cannot write: is a folder (give a file name)"
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, option, "/dev/full")
    assert code == 1 and one_error_line(err) == "error: /dev/full: cannot write: not a regular file"
    assert list(tmp_path.iterdir()) == []


def test_same_file_for_both_reports_is_a_usage_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "r.out")
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, "--report", target,
                       "--markdown", target)
    assert code == 2 and "--report and --markdown name the same file" in one_error_line(err)


def test_a_full_disk_leaves_no_partial_report(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    import critmin.inputs

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(critmin.inputs.os, "fsync", full)
    report = tmp_path / "r.html"
    report.write_text("the previous report", "utf-8")
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, "--report", str(report))
    assert code == 1
    assert one_error_line(err) == f"error: {report}: cannot write: no space left on the device"
    assert report.read_text("utf-8") == "the previous report"  # untouched, not truncated
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


def test_the_exposure_table_says_how_many_rows_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    """Fewer exposures than --top are counted as they are."""
    options = ("--runs", "5", "--sensitivity-runs", "0", "--horizon", "120")
    code, out, _ = run(capsys, "simulate", "gallium-germanium-2023", *options, "--json")
    total = len(json.loads(out)["exposures"])
    assert 2 < total < 40
    code, out, _ = run(capsys, "simulate", "gallium-germanium-2023", *options, "--top", "40")
    assert code == 0 and f"Ranked exposures (all {total};" in out and "top 40" not in out
    code, out, _ = run(capsys, "simulate", "gallium-germanium-2023", *options, "--top", "2")
    assert code == 0 and f"Ranked exposures (top 2 of {total};" in out
    code, out, _ = run(capsys, "simulate", "gallium-germanium-2023", *SMALL)  # 20 days: nobody short
    assert code == 0 and "Ranked exposures (none: nothing ran short within the horizon" in out


# ---------------------------------------------------------------------------------------------
# found by fuzzing


def test_a_malformed_dask_address_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    code, out, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, "--executor", "dask",
                         "--address", "garbage", "--json")
    assert code == 2 and out == ""
    assert one_error_line(err).startswith("error: --address 'garbage': missing port number")


def test_address_without_dask_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, "--address", "tcp://h:8786")
    assert code == 2 and one_error_line(err) == "error: --address is only used with --executor dask"


def test_an_output_never_overwrites_the_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    text = ("name: x\nstart: 2026-01-01\nrestrictions:\n"
            "  - {exporter: CHN, materials: [Ga], start: 2026-01-01}\n")
    path.write_text(text, "utf-8")
    for option in ("--report", "--markdown"):
        code, _, err = run(capsys, "simulate", str(path), *SMALL, option, str(path))
        assert code == 2
        assert one_error_line(err) == f"error: {path}: an output would overwrite the scenario file"
    code, _, err = run(capsys, "report", str(path), "--out", str(path), "--md")
    assert code == 2 and one_error_line(err) == f"error: {path}: --out would overwrite the scenario file"
    assert path.read_text("utf-8") == text


def test_names_too_long_for_the_file_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_name = "a" * 300  # one component over the usual 255-byte limit: ENAMETOOLONG, not a crash
    code, _, err = run(capsys, "simulate", long_name, *SMALL)
    assert code == 1 and one_error_line(err).startswith("error: unknown scenario")
    code, _, err = run(capsys, "simulate", "gallium-germanium-2023", *SMALL, "--report",
                       str(tmp_path / f"{long_name}.html"))
    assert code == 1 and one_error_line(err).endswith(": cannot write: the path is too long")
