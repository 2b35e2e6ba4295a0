"""Scenario files written for the tests, in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

BASE = {
    "name": "test embargo",
    "start": "2026-01-01",
    "horizon_days": 120,
    "materials": ["NdFeB"],
    "destinations": ["USA", "JPN"],
    "restrictions": [{"exporter": "CHN", "materials": ["NdFeB"], "stages": ["magnet"],
                      "destinations": ["USA"], "start": "2026-01-01",
                      "licensing": {"approval_probability": 0.0, "delay_days": 0, "delay_sigma": 0}}],
}


@pytest.fixture
def write_scenario(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a scenario (BASE updated with the given fields) and return its path."""

    def write(**fields: object) -> Path:
        data = {**BASE, **fields}
        path = tmp_path / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
        return path

    return write
