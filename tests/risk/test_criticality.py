"""EU supply-risk: the formula on complete inputs, and honesty about missing ones."""

from __future__ import annotations

import pytest

from critmin.kb import KnowledgeBase
from critmin.risk import governance_weighted_hhi, supply_risk, supply_risks


def test_governance_weighted_hhi_skips_row_and_names_gaps() -> None:
    result = governance_weighted_hhi(
        [("CHN", 0.5), ("USA", 0.3), ("XXX", 0.1), ("ROW", 0.1)], {"CHN": 6.0, "USA": 2.0})
    assert result.value == pytest.approx(0.25 * 6 + 0.09 * 2)
    assert result.covered_share == pytest.approx(0.8)
    assert result.missing_countries == ["XXX"]


def test_supply_risk_recomputed_when_every_input_is_there(minimal_kb: KnowledgeBase) -> None:
    result = supply_risk(minimal_kb, minimal_kb.criticality["Ga"])
    # GS: refining 2024, CHN 0.99 (WGI 6.0), JPN 0.01 (raw 1.5 -> scaled 2.0)
    gs = 0.99**2 * 6.0 + 0.01**2 * 2.0
    # EUS: CHN 0.7 (6.0), DEU 0.3 (1.0)
    eus = 0.7**2 * 6.0 + 0.3**2 * 1.0
    expected = (round(gs, 3) * 0.98 / 2 + round(eus, 3) * (1 - 0.98 / 2)) * 1.0 * 0.99
    assert result.missing == []
    assert result.hhi_wgi_gs == pytest.approx(gs, abs=1e-3)
    assert result.hhi_wgi_eus == pytest.approx(eus, abs=1e-3)
    assert result.computed_sr == pytest.approx(expected, abs=0.01)
    assert (result.stage, result.year) == ("refining", 2024)
    assert result.eu_sr == 3.9


def test_missing_inputs_are_named_not_invented(minimal_kb: KnowledgeBase) -> None:
    result = supply_risk(minimal_kb, minimal_kb.criticality["REE"])
    assert result.computed_sr is None
    assert "IR" in result.missing
    assert "SI_SR" in result.missing
    assert "EUS shares" in result.missing
    # the bottleneck stage is refining (CHN 90%), whose suppliers all have governance scores
    assert result.stage == "refining"
    assert result.hhi_wgi_gs == pytest.approx(0.81 * 6.0)
    assert not any(m.startswith("WGI") for m in result.missing)
    assert result.eu_sr == 4.0


def test_supplier_without_governance_is_named(minimal_kb: KnowledgeBase) -> None:
    from critmin.risk.criticality import governance_weighted_hhi as weighted

    mining = next(r for r in minimal_kb.series if r.stage.value == "mining" and r.year == 2024)
    scores = {c: g.scaled for c, g in minimal_kb.governance.items() if g.scaled is not None}
    result = weighted(((r.country, r.share) for r in mining.rows), scores)  # type: ignore[misc]
    assert result.missing_countries == ["AUS"]


def test_bundled_supply_risks_report_published_scores(kb: KnowledgeBase) -> None:
    results = supply_risks(kb)
    assert len(results) >= 10
    by_id = {r.material: r for r in results}
    assert by_id["Ga"].eu_sr is not None and by_id["Ga"].hhi_wgi_gs is not None
    for r in results:
        assert r.computed_sr is not None or r.missing, r.material
