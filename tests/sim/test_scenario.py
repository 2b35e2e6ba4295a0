"""Scenario validation: bad input fails with the file and the field named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from critmin.errors import CritminError, NotFoundError
from critmin.kb import KnowledgeBase
from critmin.sim import bundled_scenarios, load_scenario
from critmin.sim.scenario import scenario_path
from tests.sim.conftest import BASE


def restriction(**fields: object) -> list[dict[str, object]]:
    r = copy.deepcopy(BASE["restrictions"][0])  # type: ignore[index]
    r.update(fields)
    return [r]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"restrictions": restriction(licensing={"approval_probability": 1.5})},
            "restrictions[0].licensing.approval_probability: Input should be less than or equal to 1",
        ),
        (
            {"restrictions": restriction(coverage=-0.1)},
            "restrictions[0].coverage: Input should be greater than or equal to 0",
        ),
        (
            {"restrictions": restriction(end="2025-12-01")},
            "restrictions[0]: end 2025-12-01 must be after start 2026-01-01",
        ),
        (
            {
                "mitigation": {
                    "capacity": [
                        {
                            "country": "USA",
                            "material": "NdFeB",
                            "stage": "magnet",
                            "share_of_world": -0.2,
                            "start": "2026-02-01",
                        }
                    ]
                }
            },
            "mitigation.capacity[0].share_of_world: Input should be greater than or equal to 0",
        ),
        (
            {"inventories": [{"sector": "defence", "days": -3}]},
            "inventories[0].days: Input should be greater than or equal to 0",
        ),
        ({"horizon": 10}, "horizon: unknown field"),
    ],
)
def test_field_errors_name_the_field(
    kb: KnowledgeBase,
    write_scenario,
    fields: dict[str, object],  # type: ignore[no-untyped-def]
    expected: str,
) -> None:
    path: Path = write_scenario(**fields)
    with pytest.raises(CritminError) as err:
        load_scenario(str(path), kb)
    assert str(err.value).startswith("scenario.yaml: ")
    assert expected in str(err.value)


def test_unknown_names_suggest_the_nearest(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CritminError) as err:
        load_scenario(str(write_scenario(restrictions=restriction(materials=["dysprosum"]))), kb)
    assert (
        "restrictions[0].materials[0]: unknown material 'dysprosum'; did you mean: dysprosium (Dy)"
        in str(err.value)
    )
    with pytest.raises(CritminError) as err:
        load_scenario(str(write_scenario(destinations=["USA", "Japn"])), kb)
    assert "destinations[1]: unknown country 'Japn'" in str(err.value)
    assert "Japan" in str(err.value)


def test_measures_must_name_rule_engine_measures(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CritminError) as err:
        load_scenario(str(write_scenario(measures=["CN-MOFCOM-GAC-2025-8"])), kb)
    assert "measures[0]: unknown measure 'CN-MOFCOM-GAC-2025-8'; did you mean:" in str(err.value)
    assert "CN-MOFCOM-GAC-2025-18" in str(err.value)
    ok = load_scenario(str(write_scenario(measures=["CN-MOFCOM-GAC-2025-18"])), kb)
    assert ok.measures == ["CN-MOFCOM-GAC-2025-18"]


def test_names_resolve_to_ids(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(
        str(
            write_scenario(
                restrictions=restriction(exporter="China", materials=["钕铁硼"]),
                destinations=["United States", "日本"],
            )
        ),
        kb,
    )
    assert scenario.restrictions[0].exporter == "CHN"
    assert scenario.restrictions[0].materials == ["NdFeB"]
    assert scenario.destinations == ["USA", "JPN"]


def test_bundled_names_and_unknown_scenarios(kb: KnowledgeBase) -> None:
    names = bundled_scenarios()
    assert {
        "april-2025-seven-rare-earths",
        "october-2025-package",
        "us-rare-earth-embargo-1y",
        "gallium-germanium-2023",
        "backtest-2010-rare-earth-quotas",
    } <= set(names)
    assert scenario_path("april-2025-seven-rare-earths") == names["april-2025-seven-rare-earths"]
    with pytest.raises(NotFoundError) as err:
        scenario_path("april-2025")
    assert "april-2025-seven-rare-earths" in str(err.value)


def test_bundled_scenarios_cite_known_sources(kb: KnowledgeBase) -> None:
    for name in bundled_scenarios():
        scenario = load_scenario(name, kb)
        assert scenario.sources, name
        assert all(s in kb.sources for s in scenario.sources)
