"""Measure files: the bundled ones load; broken ones are reported as `file: field: message`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from critmin.errors import DataError
from critmin.kb import KnowledgeBase
from critmin.rules import RuleSet
from critmin.rules.load import bundled_rules_dir, check_measures, load_measures

REQUIRED = {"CN-MOFCOM-GAC-2023-23", "CN-MOFCOM-GAC-2023-39", "CN-MOFCOM-GAC-2024-33",
            "CN-MOFCOM-2024-46-ART1", "CN-MOFCOM-2024-46-ART2", "CN-MOFCOM-GAC-2025-10",
            "CN-MOFCOM-GAC-2025-18", "CN-MOFCOM-GAC-2025-55", "CN-MOFCOM-GAC-2025-56",
            "CN-MOFCOM-GAC-2025-57", "CN-MOFCOM-GAC-2025-58", "CN-MOFCOM-2025-61", "CN-MOFCOM-2025-62",
            "US-BIS-EAR-734-4"}


def test_bundled_measures_cover_the_required_set(rules: RuleSet, kb: KnowledgeBase) -> None:
    assert set(rules.by_id) >= REQUIRED
    for measure in rules.measures:
        assert measure.sources and all(s in kb.sources for s in measure.sources)
        assert all(i.material is None or i.material in kb.materials for i in measure.items)


def test_unconfirmed_facts_stay_marked(rules: RuleSet) -> None:
    no61 = rules.by_id["CN-MOFCOM-2025-61"]
    assert no61.thresholds[0].ratio == 0.001 and no61.thresholds[0].comparison == ">="
    assert {i.material for i in no61.items if i.confidence.value == "low"} == {"Ho", "Er", "Tm", "Eu", "Yb"}
    assert all(n.confidence.value == "low" and n.note for n in no61.status_notes)
    no18 = rules.by_id["CN-MOFCOM-GAC-2025-18"]
    inferred = {i.material for i in no18.items if not i.code_confirmed}
    assert inferred == {"Dy", "Lu", "Sc", "Y"}
    no10 = rules.by_id["CN-MOFCOM-GAC-2025-10"]
    assert {i.material for i in no10.items if i.forms is None} == {"Bi", "Mo", "In"}


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "measures"
    shutil.copytree(bundled_rules_dir(), target)
    return target


def test_unknown_material_names_file_and_nearest_ids(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy(tmp_path)
    path = folder / "cn-2023-23-gallium-germanium.yaml"
    path.write_text(path.read_text("utf-8").replace("material: Ge\n", "material: Gee\n", 1), "utf-8")
    _, problems = check_measures(folder, kb)
    assert len(problems) == 1
    assert problems[0].startswith("cn-2023-23-gallium-germanium.yaml: items[8].material: unknown material "
                                  "'Gee'; nearest ids: Ge, ")
    with pytest.raises(DataError, match=r"cn-2023-23-gallium-germanium\.yaml: items\[8\]\.material"):
        load_measures(folder, kb)


def test_schema_errors_name_file_and_field(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy(tmp_path)
    (folder / "cn-2023-39-graphite.yaml").write_text(
        (folder / "cn-2023-39-graphite.yaml").read_text("utf-8")
        .replace("effective: 2023-12-01", "effective: soon")
        + "colour: blue\n", "utf-8")
    (folder / "broken.yaml").write_text("id: [unclosed\n", "utf-8")
    _, problems = check_measures(folder, kb)
    assert any(p.startswith("cn-2023-39-graphite.yaml: effective: ") for p in problems)
    assert "cn-2023-39-graphite.yaml: colour: Extra inputs are not permitted" in problems
    assert any(p.startswith("broken.yaml: line ") and "invalid YAML" in p for p in problems)


def test_unknown_source_and_duplicate_id(tmp_path: Path, kb: KnowledgeBase) -> None:
    folder = _copy(tmp_path)
    text = (folder / "cn-2024-33-antimony.yaml").read_text("utf-8")
    (folder / "zz-copy.yaml").write_text(text.replace("xinhua-2024-antimony-superhard]", "xinhua-antimony]"),
                                         "utf-8")
    _, problems = check_measures(folder, kb)
    assert any("zz-copy.yaml: sources: unknown source id 'xinhua-antimony'; nearest ids: " in p
               for p in problems)
    assert any(p.startswith("zz-copy.yaml: id: duplicate measure id 'CN-MOFCOM-GAC-2024-33'")
               for p in problems)
