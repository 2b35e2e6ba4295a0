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
    assert str(err.value).startswith(f"{path}: ")  # the file as given
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


# ---------------------------------------------------------------------------------------------
# hostile files: every failure is one CritminError naming the file (and the field, for data)


def write_raw(tmp_path: Path, data: bytes, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def base_text() -> str:
    import yaml

    return yaml.safe_dump(BASE, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested deeper than 100 levels"),
        (b"name: x\nyear: " + b"9" * 5000 + b"\n", "line 2: a number with more than 100 digits"),
        (b"name: x\nstart: 2026-01-01\x00\n", "binary file, not text"),
        (b"- a\n- b\n", "expected a mapping of scenario fields"),
        (b"# only a comment\n", "expected a mapping of scenario fields (name, start, restrictions...), "
                                "not an empty document"),
        (b"", "empty file"),
        (b"a: &x [1]\nb: *x\n", "aliases (*name) are not accepted"),
        (b"name: [unclosed\n", "invalid YAML"),
        (b"start: 2026-02-30\n", "invalid YAML value"),
    ],
)
def test_unreadable_files_name_the_file(kb: KnowledgeBase, tmp_path: Path, data: bytes,
                                        expected: str) -> None:
    path = write_raw(tmp_path, data)
    with pytest.raises(CritminError) as err:
        load_scenario(str(path), kb)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "gb18030", "utf-8-sig"])
def test_scenarios_in_other_encodings_are_read(kb: KnowledgeBase, tmp_path: Path, encoding: str) -> None:
    text = base_text().replace("name: test embargo", "name: 稀土磁体禁运情景（测试用）")
    scenario = load_scenario(str(write_raw(tmp_path, text.encode(encoding))), kb)
    assert scenario.name == "稀土磁体禁运情景（测试用）"


def test_a_named_pipe_or_a_folder_is_refused_without_blocking(kb: KnowledgeBase, tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(CritminError, match=r"pipe.yaml: is a named pipe, not a regular file"):
        load_scenario(str(pipe), kb)
    with pytest.raises(CritminError, match=r": is a folder, not a file"):
        load_scenario(str(tmp_path), kb)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"restrictions": restriction(duration_days=999_999_999)},
         "restrictions[0].duration_days: Input should be less than or equal to 7305"),
        ({"start": "0001-01-01"},
         "start: 0001-01-01 is outside the supported range 1990-01-01 to 2100-12-31"),
        ({"restrictions": restriction(end="9999-12-31")}, "restrictions[0].end: 9999-12-31 is outside"),
        ({"horizon_days": 99_999}, "horizon_days: Input should be less than or equal to 3650"),
        ({"restrictions": restriction(licensing={"delay_days": 1e300})},
         "restrictions[0].licensing.delay_days: Input should be less than or equal to 7305"),
        ({"restrictions": restriction(licensing={"delay_sigma": 1e300})},
         "restrictions[0].licensing.delay_sigma: Input should be less than or equal to 5"),
        ({"mitigation": {"stockpiles": [{"country": "USA", "material": "NdFeB", "days_of_demand": 30,
                                         "start": "2026-01-01", "over_days": 10**9}]}},
         "mitigation.stockpiles[0].over_days: Input should be less than or equal to 7305"),
    ],
)
def test_dates_and_durations_are_bounded(kb: KnowledgeBase, write_scenario, fields: dict[str, object],  # type: ignore[no-untyped-def]
                                         expected: str) -> None:
    path: Path = write_scenario(**fields)
    with pytest.raises(CritminError) as err:
        load_scenario(str(path), kb)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"destinations": []}, "destinations: give at least one, or omit for all"),
        ({"restrictions": restriction(destinations=[])},
         "restrictions[0].destinations: give at least one, or omit for all foreign destinations"),
        ({"restrictions": restriction(stages=[])}, "restrictions[0].stages: give at least one stage"),
        ({"restrictions": restriction(materials=[])},
         "restrictions[0].materials: give at least one material"),
        ({"restrictions": []}, "restrictions: give at least one restriction"),
    ],
)
def test_empty_lists_are_field_errors(kb: KnowledgeBase, write_scenario, fields: dict[str, object],  # type: ignore[no-untyped-def]
                                      expected: str) -> None:
    path: Path = write_scenario(**fields)
    with pytest.raises(CritminError) as err:
        load_scenario(str(path), kb)
    assert str(err.value) == f"{path}: {expected}" or str(err.value).startswith(f"{path}: {expected}")


def test_unknown_stage_is_a_data_error_naming_file_and_field(kb: KnowledgeBase, write_scenario) -> None:  # type: ignore[no-untyped-def]
    path: Path = write_scenario(restrictions=restriction(stages=["magnet", "minning"]))
    with pytest.raises(CritminError) as err:
        load_scenario(str(path), kb)
    assert err.value.exit_code == 1  # invalid data, not a usage error
    assert str(err.value).startswith(f"{path}: restrictions[0].stages[1]: unknown stage 'minning'; "
                                     "did you mean: mining, refining? (expected one of: mining, refining")
    path = write_scenario(inventories=[{"stage": "smelting", "days": 3}])
    with pytest.raises(CritminError, match=r"inventories\[0\]\.stage: unknown stage 'smelting'"):
        load_scenario(str(path), kb)


def test_non_finite_numbers_are_refused_by_field(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_raw(tmp_path, (base_text() + "parameters: {prices.flexibility: .nan}\n").encode())
    with pytest.raises(CritminError, match=r"'parameters.prices.flexibility': nan is not a finite number"):
        load_scenario(str(path), kb)
    from critmin.sim.scenario import parse_scenario

    data = {**BASE, "restrictions": restriction(coverage=float("inf"))}
    with pytest.raises(CritminError, match=r"^upload: restrictions\[0\]\.coverage: "):
        parse_scenario(data, "upload")  # data that did not come through the YAML reader


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"destinations": ["USA", "BRA"]},
         "destinations[1]: BRA has no consumption share; set consumption_shares.BRA"),
        ({"mitigation": {"capacity": [{"country": "USA", "material": "NdFeB", "stage": "mining",
                                       "share_of_world": 0.1, "start": "2026-02-01"}]}},
         "mitigation.capacity[0]: NdFeB/mining is not in this network"),
        ({"mitigation": {"substitution": [{"sector": "spaceships", "share": 0.5}]}},
         "mitigation.substitution[0].sector: 'spaceships' is not in this network"),
        ({"parameters": {"prices.cap": -1}}, "parameters.prices.cap: -1 is outside the range 1 to 1000"),
        ({"parameters": {"prices.flexibility": 1e300}}, "parameters.prices.flexibility: 1e+300 is outside"),
        ({"parameters": {"prices.nothing": 1}}, "parameters.prices.nothing: no such parameter"),
    ],
)
def test_network_and_parameter_errors_name_the_file(kb: KnowledgeBase, write_scenario,  # type: ignore[no-untyped-def]
                                                    fields: dict[str, object], expected: str) -> None:
    """What only the network can tell is found when the scenario is loaded, before any run."""
    path: Path = write_scenario(**fields)
    with pytest.raises(CritminError) as err:
        load_scenario(str(path), kb)
    assert str(err.value).startswith(f"{path}: {expected}")
