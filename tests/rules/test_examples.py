"""The example BOMs give their documented outcomes (examples/boms/README.md lists the commands)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from critmin.kb import KnowledgeBase
from critmin.rules import RuleSet, engine, make_shipment, read_bom
from critmin.rules.models import Confidence, Decision, Outcome

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "boms"
N61 = "CN-MOFCOM-2025-61"


def run(kb: KnowledgeBase, rules: RuleSet, name: str, to: str, end_use: str, end_user: str,
        day: str) -> Decision:
    shipment = make_shipment(kb, to=to, on=dt.date.fromisoformat(day), end_use=end_use, end_user=end_user)
    return engine.check(read_bom(EXAMPLES / name, kb), shipment, rules, kb)


def flagged(decision: Decision) -> dict[str, Outcome]:
    return {r.measure: r.outcome for r in decision.results if r.outcome is not Outcome.NOT_CONTROLLED}


CASES = [
    # file, to, end use, end user, date, overall, measures that flag it
    ("ev-traction-motor.yaml", "USA", "passenger electric vehicle", "civil", "2026-11-23",
     Outcome.LICENCE_REQUIRED, {N61: Outcome.LICENCE_REQUIRED}),
    ("ev-traction-motor.yaml", "USA", "passenger electric vehicle", "civil", "2026-01-15",
     Outcome.NOT_CONTROLLED, {}),
    ("wind-generator.yaml", "DEU", "onshore wind farm", "civil", "2026-01-15", Outcome.NOT_CONTROLLED, {}),
    ("smartphone.json", "DEU", "consumer electronics", "civil", "2026-11-23", Outcome.NOT_CONTROLLED, {}),
    ("defence-fin-actuator.yaml", "USA", "guided munition fin actuation", "military", "2026-01-15",
     Outcome.PRESUMPTION_OF_DENIAL, {"CN-MOFCOM-2024-46-ART1": Outcome.PRESUMPTION_OF_DENIAL}),
    ("defence-fin-actuator.yaml", "USA", "guided munition fin actuation", "military", "2026-11-23",
     Outcome.PRESUMPTION_OF_DENIAL, {"CN-MOFCOM-2024-46-ART1": Outcome.PRESUMPTION_OF_DENIAL,
                                     N61: Outcome.PRESUMPTION_OF_DENIAL}),
    ("logic-wafer-5nm.yaml", "USA", "production of 5 nm logic chips", "civil", "2026-11-23",
     Outcome.CASE_BY_CASE, {N61: Outcome.CASE_BY_CASE}),
    ("nand-300-layer.yaml", "USA", "data-centre storage", "civil", "2026-11-23",
     Outcome.CASE_BY_CASE, {N61: Outcome.CASE_BY_CASE}),
    ("magnet-0.1pct-under.yaml", "DEU", "industrial servo motors", "civil", "2026-11-23",
     Outcome.NOT_CONTROLLED, {}),
    ("magnet-0.1pct-over.yaml", "DEU", "industrial servo motors", "civil", "2026-11-23",
     Outcome.LICENCE_REQUIRED, {N61: Outcome.LICENCE_REQUIRED}),
    # before, during and after the suspension of No. 46 Art. 2 by No. 72
    ("gaas-wafers-to-us.yaml", "USA", "RF power amplifier production", "civil", "2025-06-01",
     Outcome.PRESUMPTION_OF_DENIAL, {"CN-MOFCOM-GAC-2023-23": Outcome.LICENCE_REQUIRED,
                                     "CN-MOFCOM-2024-46-ART2": Outcome.PRESUMPTION_OF_DENIAL}),
    ("gaas-wafers-to-us.yaml", "USA", "RF power amplifier production", "civil", "2026-01-15",
     Outcome.LICENCE_REQUIRED, {"CN-MOFCOM-GAC-2023-23": Outcome.LICENCE_REQUIRED}),
    ("gaas-wafers-to-us.yaml", "USA", "RF power amplifier production", "civil", "2026-12-01",
     Outcome.PRESUMPTION_OF_DENIAL, {"CN-MOFCOM-GAC-2023-23": Outcome.LICENCE_REQUIRED,
                                     "CN-MOFCOM-2024-46-ART2": Outcome.PRESUMPTION_OF_DENIAL}),
]


@pytest.mark.parametrize(("name", "to", "end_use", "end_user", "day", "overall", "measures"), CASES)
def test_example_outcomes(kb: KnowledgeBase, rules: RuleSet, name: str, to: str, end_use: str, end_user: str,
                          day: str, overall: Outcome, measures: dict[str, Outcome]) -> None:
    decision = run(kb, rules, name, to, end_use, end_user, day)
    assert decision.outcome is overall
    assert flagged(decision) == measures


def test_just_under_and_over_the_threshold(kb: KnowledgeBase, rules: RuleSet) -> None:
    under = run(kb, rules, "magnet-0.1pct-under.yaml", "DEU", "servo", "civil", "2026-11-23")
    over = run(kb, rules, "magnet-0.1pct-over.yaml", "DEU", "servo", "civil", "2026-11-23")
    r_under = next(r for r in under.results if r.measure == N61)
    r_over = next(r for r in over.results if r.measure == N61)
    assert r_under.ratio == pytest.approx(0.00099) and r_over.ratio == pytest.approx(0.00101)
    assert r_under.threshold == r_over.threshold == 0.001 and r_over.comparison == ">="
    assert [(c.line, c.material) for c in r_over.contributing] == [(1, "Dy")]
    assert any("named in scope by the text" in step for step in r_over.trace)


def test_ev_motor_ratio_lines_and_unconfirmed_status(kb: KnowledgeBase, rules: RuleSet) -> None:
    decision = run(kb, rules, "ev-traction-motor.yaml", "USA", "passenger electric vehicle", "civil",
                   "2026-11-23")
    result = next(r for r in decision.results if r.measure == N61)
    assert result.ratio == pytest.approx((0.045 * 280 + 0.012 * 1100) / 1500)
    assert sorted(c.material or "" for c in result.contributing) == ["Dy", "Tb"]
    assert result.confidence is Confidence.LOW and decision.confidence is Confidence.LOW
    assert any(step.startswith("Status on 2026-11-23 unconfirmed (low)") for step in result.trace)
    ear = next(r for r in decision.results if r.measure == "US-BIS-EAR-734-4")
    assert ear.outcome is Outcome.NOT_CONTROLLED and ear.threshold == 0.25
    assert any("CN-MOFCOM-2024-46-ART2: suspended" in line for line in decision.not_in_force)


def test_wind_generator_components_are_explained(kb: KnowledgeBase, rules: RuleSet) -> None:
    decision = run(kb, rules, "wind-generator.yaml", "DEU", "wind", "civil", "2026-01-15")
    no18 = next(r for r in decision.results if r.measure == "CN-MOFCOM-GAC-2025-18")
    assert not no18.applies
    assert any("Dy (dysprosium) as component is not in a controlled form" in s for s in no18.trace)
