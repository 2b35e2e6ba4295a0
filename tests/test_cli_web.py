"""`critmin report` and `critmin serve`'s refusal without the web extra."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from critmin.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_html_is_self_contained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code, stdout, _ = run(capsys, "report", "gallium-germanium-2023", "--out", str(out), "--runs", "12",
                          "--seed", "2", "--sensitivity-runs", "0")
    assert code == 0 and str(out) in stdout.replace("\n", "")
    text = out.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Plotly.newPlot" in text
    # nothing is fetched when the file opens: no external script, stylesheet or CDN
    assert not re.search(r"<(script|link)[^>]+(src|href)=['\"]?https?:", text)
    assert "12 runs" in text


def test_report_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.md"
    code, _, _ = run(capsys, "report", "gallium-germanium-2023", "--md", "--out", str(out), "--runs", "8",
                     "--sensitivity-runs", "0")
    text = out.read_text("utf-8")
    assert code == 0 and text.startswith("# ") and "## Ranked exposures" in text and "8 runs" in text


def test_report_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "no-such-scenario", "--out", str(tmp_path / "x.html"))
    assert code == 1 and err.startswith("error: unknown scenario") and "Traceback" not in err
    code, _, err = run(capsys, "report", "gallium-germanium-2023", "--runs", "0")
    assert code == 2 and "--runs" in err


def test_serve_without_the_web_extra_names_it(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if fastapi were not installed
    code, out, err = run(capsys, "serve", "--port", "1")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: critmin serve needs the web extra: pip install 'critmin[web]' (missing: fastapi)"]


def test_report_target_is_checked_before_simulating(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import critmin.sim

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before the target was checked")

    monkeypatch.setattr(critmin.sim, "simulate", refuse)
    missing = tmp_path / "nowhere" / "r.html"
    for target, expected in [
        (missing, f"error: {missing}: cannot write: the folder {missing.parent} does not exist"),
        (tmp_path, f"error: {tmp_path}: cannot write: is a folder (give a file name)"),
        (Path("/dev/full"), "error: /dev/full: cannot write: not a regular file"),
    ]:
        code, out, err = run(capsys, "report", "gallium-germanium-2023", "--out", str(target), "--md")
        assert code == 1 and out == "" and "Traceback" not in err
        assert err.strip().splitlines() == [expected]
    assert list(tmp_path.iterdir()) == []


def test_report_on_a_full_disk_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    import critmin.inputs

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(critmin.inputs.os, "fsync", full)
    out = tmp_path / "r.md"
    code, _, err = run(capsys, "report", "gallium-germanium-2023", "--md", "--out", str(out), "--runs", "4",
                       "--sensitivity-runs", "0")
    assert code == 1
    assert err.strip().splitlines() == [f"error: {out}: cannot write: no space left on the device"]
    assert list(tmp_path.iterdir()) == []
