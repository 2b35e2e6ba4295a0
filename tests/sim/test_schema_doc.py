"""docs/scenarios.md cannot fall behind the scenario models."""

from __future__ import annotations

from pathlib import Path

from critmin.sim.schema_doc import BEGIN, END, render

ROOT = Path(__file__).resolve().parents[2]


def test_scenario_reference_is_current() -> None:
    text = (ROOT / "docs" / "scenarios.md").read_text("utf-8")
    block = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert block == render(), "run: python -m critmin.sim.schema_doc and paste into docs/scenarios.md"
    assert "`approval_probability`" in block and "`reexport`" in block
