"""EU supply risk (2023 method): the formula by hand, the bundled study inputs, and honesty."""

from __future__ import annotations

import pytest

from critmin.errors import UsageError
from critmin.kb import KnowledgeBase, Measure, Stage
from critmin.risk import governance_weighted_hhi, supply_risk, supply_risks
from critmin.risk.criticality import (
    WGI_TOLERANCE,
    MaterialInputs,
    StudyData,
    SupplyRow,
    parse_share,
    study_data,
    wgi_table,
)

#: How close a computed SR must come to the published one (published to one decimal).
TOLERANCE = 0.1


def _data(materials: list[MaterialInputs], gs: dict, eus: dict) -> StudyData:
    return StudyData(tables_sources=["src-b"], materials=materials,
                     country_aliases={"China": "CHN", "Japan": "JPN", "Germany": "DEU"},
                     global_supply=gs, eu_sourcing=eus)


def test_governance_weighted_hhi_skips_row_and_names_gaps() -> None:
    result = governance_weighted_hhi(
        [("CHN", 0.5), ("USA", 0.3), ("XXX", 0.1), ("ROW", 0.1)], {"CHN": 6.0, "USA": 2.0})
    assert result.value == pytest.approx(0.25 * 6 + 0.09 * 2)
    assert result.covered_share == pytest.approx(0.8)
    assert result.missing_countries == ["XXX"]
    assert result.missing_bound == pytest.approx(0.01 * 10)


def test_trade_variable_multiplies_each_supplier() -> None:
    rows = [SupplyRow(country="CHN", resolved=True, share=0.5, t=1.2),
            SupplyRow(country="DEU", resolved=True, share=0.5, t=0.8)]
    result = governance_weighted_hhi(rows, {"CHN": 6.0, "DEU": 1.0})
    assert result.value == pytest.approx(0.25 * 6.0 * 1.2 + 0.25 * 1.0 * 0.8)


def test_shares_are_read_as_fractions_and_bounds() -> None:
    assert parse_share("45%") == (pytest.approx(0.45), False)
    assert parse_share("<0.1%") == (pytest.approx(0.001), True)


def test_sr_by_hand_from_explicit_small_inputs(minimal_kb: KnowledgeBase) -> None:
    inputs = MaterialInputs(material="Ga", study_name="Testium", stage="P",
                            import_reliance=0.6, eol_rir=0.25, si_sr=0.8, sources=["src-b"])
    data = _data([inputs],
                 gs={("Testium", "P"): [("China", "90%", 1.2), ("Japan", "10%", 1.0)]},
                 eus={("Testium", "P"): [("China", "50%", 1.2), ("Germany", "50%", 0.8)]})
    result = supply_risk(minimal_kb, minimal_kb.criticality["Ga"], data=data)
    # WGI (0-10): CHN 6.0, JPN raw 1.5 -> (2.5 - 1.5) * 2 = 2.0, DEU 1.0
    # GS  = 0.9^2 * 6.0 * 1.2 + 0.1^2 * 2.0 * 1.0 = 5.832 + 0.02 = 5.852
    # EUs = 0.5^2 * 6.0 * 1.2 + 0.5^2 * 1.0 * 0.8 = 1.8 + 0.2 = 2.0
    # SR  = (5.852 * 0.3 + 2.0 * 0.7) * 0.75 * 0.8 = 3.1556 * 0.6 = 1.89336
    assert result.missing == []
    assert result.hhi_wgi_gs == pytest.approx(5.852)
    assert result.hhi_wgi_eus == pytest.approx(2.0)
    assert result.computed_sr == pytest.approx(1.89, abs=0.005)
    assert result.difference == pytest.approx(1.89 - 3.9, abs=0.005)
    assert result.stage == "processing"
    assert result.inputs["IR"].value == 0.6 and result.inputs["IR"].sources == ["src-b"]
    gs_input = result.inputs["HHI_WGI,t GS (P)"]
    assert gs_input.suppliers and {"country": "CHN", "share": 0.9, "below": False,
                                   "t": 1.2} in gs_input.suppliers


def test_bottleneck_is_the_highest_stage_when_none_is_given(minimal_kb: KnowledgeBase) -> None:
    inputs = MaterialInputs(material="Ga", study_name="Testium", import_reliance=1.0,
                            eol_rir=0.0, si_sr=1.0, sources=["src-b"])
    data = _data([inputs],
                 gs={("Testium", "E"): [("Japan", "100%", 1.0)],
                     ("Testium", "P"): [("China", "100%", 1.0)]},
                 eus={("Testium", "E"): [("Japan", "100%", 1.0)],
                      ("Testium", "P"): [("Germany", "100%", 1.0)]})
    result = supply_risk(minimal_kb, minimal_kb.criticality["Ga"], data=data)
    # E: (2.0 * 0.5 + 2.0 * 0.5) = 2.0; P: (6.0 * 0.5 + 1.0 * 0.5) = 3.5 -> P is the bottleneck
    assert [s.computed_sr for s in result.stages] == [pytest.approx(2.0), pytest.approx(3.5)]
    assert result.stage == "processing" and result.computed_sr == pytest.approx(3.5)


def test_unscored_supplier_blocks_only_when_it_could_matter(minimal_kb: KnowledgeBase) -> None:
    inputs = MaterialInputs(material="Ga", study_name="Testium", stage="P",
                            import_reliance=0.5, eol_rir=0.0, si_sr=1.0, sources=["src-b"])
    small = _data([inputs],
                  gs={("Testium", "P"): [("China", "99.9%", 1.0), ("Atlantis", "<0.1%", 1.0)]},
                  eus={("Testium", "P"): [("China", "100%", 1.0)]})
    result = supply_risk(minimal_kb, minimal_kb.criticality["Ga"], data=small)
    assert result.computed_sr is not None  # bound 0.001^2 * 10 = 1e-5 <= WGI_TOLERANCE
    assert WGI_TOLERANCE >= 0.001**2 * 10
    big = _data([inputs],
                gs={("Testium", "P"): [("China", "70%", 1.0), ("Atlantis", "30%", 1.0)]},
                eus={("Testium", "P"): [("China", "100%", 1.0)]})
    result = supply_risk(minimal_kb, minimal_kb.criticality["Ga"], data=big)
    assert result.computed_sr is None
    assert "P: GS WGI Atlantis" in result.missing


def test_missing_inputs_are_named_not_invented(kb: KnowledgeBase) -> None:
    by_id = {r.material: r for r in supply_risks(kb)}
    for r in by_id.values():
        assert r.computed_sr is not None or r.missing, r.material
        if r.computed_sr is None:
            assert r.difference is None
    # the study's IR, EoL-RIR and SI_SR are not bundled: each is named, none is filled in
    gallium = by_id["Ga"]
    assert {"IR", "EoL-RIR", "SI_SR"} <= set(gallium.missing)
    assert gallium.inputs["IR"].value is None
    # the concentrations themselves are computed from Appendix 7 (processing for gallium)
    assert [s.stage for s in gallium.stages] == ["P"]
    assert gallium.hhi_wgi_gs == pytest.approx(4.99, abs=0.01)
    assert gallium.hhi_wgi_eus == pytest.approx(2.75, abs=0.01)
    # the rare-earth groups have no group rows in the study's tables
    assert {"GS shares", "EUs shares"} <= set(by_id["LREE"].missing)


def test_published_sr_reproduced_within_tolerance(kb: KnowledgeBase) -> None:
    computed = [r for r in supply_risks(kb) if r.computed_sr is not None]
    for r in computed:
        assert r.published_sr is not None
        assert abs(r.computed_sr - r.published_sr) <= TOLERANCE, r.material  # type: ignore[operator]


def test_latest_shares_replace_only_global_supply(kb: KnowledgeBase) -> None:
    study = {r.material: r for r in supply_risks(kb)}
    latest = {r.material: r for r in supply_risks(kb, shares="latest")}
    gallium = latest["Ga"]
    series = kb.shares(kb.materials["Ga"], stage=Stage.REFINING, measure=Measure.PRODUCTION)
    assert gallium.year == max(s.year for s in series)
    assert gallium.gs_basis == "latest" and study["Ga"].year is None
    assert gallium.hhi_wgi_eus == study["Ga"].hhi_wgi_eus
    assert gallium.hhi_wgi_gs != study["Ga"].hhi_wgi_gs
    for r in latest.values():
        for s in r.stages:
            assert s.gs_year is not None or s.hhi_wgi_gs is None, r.material


def test_unknown_shares_value_is_a_usage_error(kb: KnowledgeBase) -> None:
    with pytest.raises(UsageError, match="--shares"):
        supply_risk(kb, kb.criticality["Ga"], shares="2019")


def test_bundled_inputs_resolve(kb: KnowledgeBase) -> None:
    data = study_data()
    for source_id in data.tables_sources:
        kb.source(source_id)
    for m in data.materials:
        assert m.material in kb.criticality, m.material
        assert any(key[0] == m.study_name for key in data.global_supply), m.study_name
        for source_id in m.sources:
            kb.source(source_id)
    assert set(data.country_aliases.values()) <= set(kb.countries)
    # the WGI table agrees with the KB's own governance figures where both exist
    table = wgi_table()
    for code, g in kb.governance.items():
        if g.wgi_raw is not None and code in table:
            assert table[code] == pytest.approx(g.wgi_raw, abs=0.0015), code


def test_cli_criticality_text_json_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from critmin.cli import main

    assert main(["criticality", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"computed_sr", "published_sr", "eu_sr", "inputs", "missing", "stages",
            "hhi_wgi_gs", "hhi_wgi_eus", "import_reliance", "eol_rir", "si_sr"} <= set(rows[0])
    assert main(["criticality", "--shares", "latest"]) == 0
    out = capsys.readouterr().out
    assert "Missing inputs:" in out and "latest bundled production series" in out
    assert main(["criticality", "--shares", "bogus"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
