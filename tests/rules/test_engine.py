"""The check's logic on small BOMs written for each rule: thresholds, origins, conditions, currencies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.rules import RuleSet, check, engine, make_shipment, read_bom
from critmin.rules.models import Decision, MeasureResult, Outcome

N61 = "CN-MOFCOM-2025-61"
EAR = "US-BIS-EAR-734-4"
TODAY = dt.date(2026, 11, 23)


def bom_file(tmp_path: Path, lines: list[dict[str, Any]], **top: Any) -> Path:
    data = {"product": "test product", "currency": "USD", "made_in": "JPN", "lines": lines, **top}
    path = tmp_path / "bom.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def dy_line(value: float, **material: Any) -> dict[str, Any]:
    use = {"material": "Dy", "form": "metal", "value_share": 1.0, "origin": "CHN", "processed_in": "CHN",
           **material}
    return {"part": "dysprosium", "unit_value": value, "made_in": "CHN", "materials": [use]}


def run(kb: KnowledgeBase, rules: RuleSet, path: Path, to: str = "DEU", end_user: str = "civil",
        end_use: str = "industrial motors", day: dt.date = TODAY, **extra: Any) -> Decision:
    shipment = make_shipment(kb, to=to, on=day, end_use=end_use, end_user=end_user, **extra)
    return engine.check(read_bom(path, kb), shipment, rules, kb)


def result(decision: Decision, measure: str) -> MeasureResult:
    return next(r for r in decision.results if r.measure == measure)


def test_exactly_the_threshold_is_controlled(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    path = bom_file(tmp_path, [dy_line(1.0), {"part": "rest", "unit_value": 999}], total_value=1000)
    r = result(run(kb, rules, path), N61)
    assert r.ratio == pytest.approx(0.001) and r.outcome is Outcome.LICENCE_REQUIRED


def test_missing_origin_is_cannot_determine_naming_what(tmp_path: Path, kb: KnowledgeBase,
                                                        rules: RuleSet) -> None:
    line = dy_line(50.0)
    del line["materials"][0]["processed_in"]
    line["materials"][0]["origin"] = "MMR"
    path = bom_file(tmp_path, [line, {"part": "rest", "unit_value": 950}])
    r = result(run(kb, rules, path), N61)
    assert r.outcome is Outcome.CANNOT_DETERMINE
    assert r.missing == ["processed_in of Dy on line 1 (dysprosium)"]


def test_missing_origin_that_cannot_matter_is_not_controlled(tmp_path: Path, kb: KnowledgeBase,
                                                             rules: RuleSet) -> None:
    line = dy_line(0.5)
    del line["materials"][0]["origin"]
    del line["materials"][0]["processed_in"]
    path = bom_file(tmp_path, [line, {"part": "rest", "unit_value": 999.5}])
    r = result(run(kb, rules, path), N61)
    assert r.outcome is Outcome.NOT_CONTROLLED and r.missing == []
    assert any("Even counting every line of unknown origin" in s for s in r.trace)


def test_non_chinese_content_is_not_counted(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    path = bom_file(tmp_path, [dy_line(50.0, origin="AUS", processed_in="MYS"),
                               {"part": "rest", "unit_value": 950}])
    r = result(run(kb, rules, path), N61)
    assert r.outcome is Outcome.NOT_CONTROLLED and r.ratio == 0


def test_military_end_user_and_advanced_chips(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    lines = [dy_line(10.0), {"part": "rest", "unit_value": 990}]
    military = run(kb, rules, bom_file(tmp_path, lines), end_user="military")
    assert result(military, N61).outcome is Outcome.PRESUMPTION_OF_DENIAL
    unknown = run(kb, rules, bom_file(tmp_path, lines), end_user="unknown")
    assert result(unknown, N61).outcome is Outcome.CANNOT_DETERMINE
    assert "the end user (civil or military)" in result(unknown, N61).missing
    at_14 = run(kb, rules, bom_file(tmp_path, lines, semiconductor={"logic_node_nm": 14}))
    at_16 = run(kb, rules, bom_file(tmp_path, lines, semiconductor={"logic_node_nm": 16}))
    layers_255 = run(kb, rules, bom_file(tmp_path, lines, semiconductor={"memory_layers": 255}))
    layers_256 = run(kb, rules, bom_file(tmp_path, lines, semiconductor={"memory_layers": 256}))
    assert result(at_14, N61).outcome is Outcome.CASE_BY_CASE
    assert result(at_16, N61).outcome is Outcome.LICENCE_REQUIRED
    assert result(layers_255, N61).outcome is Outcome.LICENCE_REQUIRED
    assert result(layers_256, N61).outcome is Outcome.CASE_BY_CASE


def test_direct_product_rule(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    line = {"part": "magnet made with Chinese technology", "unit_value": 100, "made_in": "VNM",
            "technology_origin": "CHN",
            "materials": [{"material": "Tb", "form": "magnet", "value_share": 0.001, "origin": "AUS",
                           "processed_in": "MYS"}]}
    r = result(run(kb, rules, bom_file(tmp_path, [line], total_value=1000)), N61)
    assert r.outcome is Outcome.LICENCE_REQUIRED and any("Direct-product rule" in s for s in r.trace)
    del line["technology_origin"]
    r = result(run(kb, rules, bom_file(tmp_path, [line], total_value=1000)), N61)
    assert r.outcome is Outcome.CANNOT_DETERMINE
    assert r.missing == ["technology_origin of line 1 (magnet made with Chinese technology)"]


def test_made_in_china_is_not_foreign_made(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    path = bom_file(tmp_path, [dy_line(10.0), {"part": "rest", "unit_value": 990}], made_in="CHN")
    decision = run(kb, rules, path, ship_from="CHN")
    assert result(decision, N61).outcome is Outcome.NOT_CONTROLLED
    no18 = result(decision, "CN-MOFCOM-GAC-2025-18")
    assert no18.outcome is Outcome.LICENCE_REQUIRED
    assert [c.line for c in no18.contributing] == [1]


def test_unconfirmed_forms_and_parameters_cannot_be_determined(tmp_path: Path, kb: KnowledgeBase,
                                                               rules: RuleSet) -> None:
    indium = {"part": "indium ingot", "unit_value": 100, "made_in": "CHN", "materials": [
        {"material": "In", "form": "metal", "value_share": 1.0, "origin": "CHN", "processed_in": "CHN"}]}
    oxide = {"part": "antimony trioxide", "unit_value": 100, "made_in": "CHN", "materials": [
        {"material": "Sb", "form": "oxide", "value_share": 1.0, "origin": "CHN", "processed_in": "CHN"}]}
    decision = run(kb, rules, bom_file(tmp_path, [indium, oxide], made_in="CHN"), day=dt.date(2026, 1, 15))
    assert result(decision, "CN-MOFCOM-GAC-2025-10").outcome is Outcome.CANNOT_DETERMINE
    no33 = result(decision, "CN-MOFCOM-GAC-2024-33")
    assert no33.outcome is Outcome.CANNOT_DETERMINE
    assert any("meets: purity >= 99.99%" in m for m in no33.missing)
    oxide["materials"][0]["meets_parameters"] = True
    indium["materials"][0]["material"] = "Te"
    decision = run(kb, rules, bom_file(tmp_path, [indium, oxide], made_in="CHN"), day=dt.date(2026, 1, 15))
    assert result(decision, "CN-MOFCOM-GAC-2024-33").outcome is Outcome.LICENCE_REQUIRED
    assert result(decision, "CN-MOFCOM-GAC-2025-10").outcome is Outcome.LICENCE_REQUIRED
    assert decision.outcome is Outcome.LICENCE_REQUIRED


def test_hs_codes_match_items_without_a_material(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    grinder = {"part": "diamond grinding wheel", "unit_value": 50, "hs_code": "6804211000"}
    decision = run(kb, rules, bom_file(tmp_path, [grinder], made_in="CHN"))
    r = result(decision, "CN-MOFCOM-GAC-2025-55")
    assert r.outcome is Outcome.CANNOT_DETERMINE
    assert any("bond hardness <= 30 HRB" in m for m in r.missing)
    decision = run(kb, rules, bom_file(tmp_path, [grinder], made_in="CHN"), day=dt.date(2026, 1, 15))
    assert all(x.measure != "CN-MOFCOM-GAC-2025-55" for x in decision.results)


def test_ear_de_minimis_by_destination(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    lines = [{"part": "US controller", "unit_value": 200, "made_in": "USA", "us_controlled": True},
             {"part": "rest", "unit_value": 800, "made_in": "DEU"}]
    path = bom_file(tmp_path, lines, made_in="DEU")
    assert result(run(kb, rules, path, to="CHN"), EAR).outcome is Outcome.NOT_CONTROLLED
    to_iran = result(run(kb, rules, path, to="IRN"), EAR)
    assert to_iran.outcome is Outcome.LICENCE_REQUIRED and to_iran.threshold == 0.10
    assert to_iran.confidence.value == "low"
    lines[0]["unit_value"] = 250
    lines[1]["unit_value"] = 750
    assert result(run(kb, rules, bom_file(tmp_path, lines, made_in="DEU"), to="CHN"), EAR).outcome \
        is Outcome.NOT_CONTROLLED  # exactly 25% does not exceed 25%
    del lines[1]["made_in"]
    r = result(run(kb, rules, bom_file(tmp_path, lines, made_in="DEU"), to="CHN"), EAR)
    assert r.outcome is Outcome.CANNOT_DETERMINE and r.missing == ["made_in of line 2 (rest)"]


def test_mixed_currencies_convert_with_given_rates(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    line = dy_line(1.0)
    line["currency"] = "EUR"
    path = bom_file(tmp_path, [line, {"part": "rest", "unit_value": 998}], total_value=1000,
                    rates={"EUR": 1.5})
    r = result(run(kb, rules, path), N61)
    assert r.ratio == pytest.approx(0.0015)
    path = bom_file(tmp_path, [line, {"part": "rest", "unit_value": 998}], total_value=1000)
    with pytest.raises(CritminError, match=r"line item 1 \('dysprosium'\): currency EUR has no rate"):
        read_bom(path, kb)


def test_python_api_with_names(kb: KnowledgeBase) -> None:
    data = {"product": "magnet", "currency": "USD", "made_in": "Japan", "total_value": 100,
            "lines": [{"part": "Dy", "unit_value": 1, "materials": [
                {"material": "dysprosium", "form": "metal", "value_share": 1.0, "origin": "China",
                 "processed_in": "中国"}]}]}
    shipment = make_shipment(kb, to="Germany", on=TODAY, end_user="civil")
    decision = check(data, shipment)
    r = result(decision, N61)
    assert decision.outcome is Outcome.LICENCE_REQUIRED and r.contributing[0].material == "Dy"
    assert decision.model_dump(mode="json")["results"][0]["measure"]
