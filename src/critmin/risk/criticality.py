"""The EU Critical Raw Materials (2023 methodology) supply-risk indicator.

    SR = [HHI_WGI(GS) * IR/2 + HHI_WGI(EUS) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR
    HHI_WGI = sum_c (share_c^2 * WGI_c * t_c)          (shares as fractions, WGI on 0-10)

GS is global supply (our share series), EUS is EU sourcing (EU imports by supplier), IR import
reliance, EoL_RIR the end-of-life recycling input rate, SI_SR the substitution index. We show
the Commission's published score beside our own recomputation, and we recompute only when every
input is bundled: a missing input is named in the output, never filled with a guess.
The trade-restriction factor t is taken as 1 (not modelled), so a recomputed SR is a lower
bound where a supplier restricts exports.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from critmin.kb import KnowledgeBase, Measure, ShareSeries
from critmin.kb.models import CriticalityInput
from critmin.kb.series import REST_OF_WORLD
from critmin.risk.exposure import supplier_shares


class GovernanceWeightedHHI(BaseModel):
    """HHI_WGI of one set of supplier shares, and how much of it had a governance score."""

    model_config = ConfigDict(frozen=True)

    value: float
    """sum of share^2 x scaled WGI over suppliers with a score (0-10 scale)."""
    covered_share: float
    """Fraction of supply whose country has a governance score (ROW excluded)."""
    missing_countries: list[str]
    """Named suppliers without a governance score."""


class SupplyRisk(BaseModel):
    """One material's supply-risk assessment: published figures, inputs and our recomputation."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    material: str
    material_name: str
    eu_sr: float | None
    """Supply risk published by the European Commission (2023)."""
    eu_ei: float | None
    """Economic importance published by the European Commission (2023)."""
    import_reliance: float | None
    eol_rir: float | None
    si_sr: float | None
    stage: str | None
    """Stage whose global supply was used for HHI_WGI(GS) (the bottleneck stage)."""
    year: int | None
    hhi_wgi_gs: float | None
    """Governance-weighted HHI of global supply."""
    hhi_wgi_eus: float | None
    """Governance-weighted HHI of EU sourcing (EU imports by supplier)."""
    computed_sr: float | None
    """Our recomputation; None unless every input is available."""
    missing: list[str] = Field(default_factory=list)
    """Inputs that are not bundled: IR, EoL-RIR, SI_SR, GS shares, EUS shares, or
    "WGI XXX/YYY" for suppliers without a governance score."""
    sources: list[str] = Field(default_factory=list)
    confidence: str
    note: str | None = None


def governance_weighted_hhi(
    shares: Iterable[tuple[str, float]], governance: dict[str, float]
) -> GovernanceWeightedHHI:
    """HHI_WGI over (country, share) pairs; countries without a score are listed, not guessed."""
    value = 0.0
    covered = 0.0
    missing: list[str] = []
    for country, share in shares:
        if country == REST_OF_WORLD:
            continue
        score = governance.get(country)
        if score is None:
            missing.append(country)
            continue
        value += share * share * score
        covered += share
    return GovernanceWeightedHHI(value=round(value, 3), covered_share=round(covered, 4),
                                 missing_countries=missing)


def supply_risk(kb: KnowledgeBase, entry: CriticalityInput) -> SupplyRisk:
    """Assess one material from its bundled inputs."""
    material = kb.materials[entry.material]
    scores = {code: g.scaled for code, g in kb.governance.items() if g.scaled is not None}
    missing: list[str] = []
    for field_name, label in (("import_reliance", "IR"), ("eol_rir", "EoL-RIR"),
                              ("si_sr", "SI_SR")):
        if getattr(entry, field_name) is None:
            missing.append(label)

    gs_series = _bottleneck(kb, material_id=entry.material, scores=scores)
    gs = None
    if gs_series is None:
        missing.append("GS shares")
    else:
        gs = governance_weighted_hhi(((r.country, r.share) for r in gs_series.rows), scores)
        if gs.missing_countries:
            missing.append("WGI " + "/".join(gs.missing_countries))

    eus_rows = supplier_shares(kb, importer="EU", material=entry.material)
    eus = None
    if not eus_rows:
        missing.append("EUS shares")
    else:
        eus = governance_weighted_hhi(eus_rows, scores)
        if eus.missing_countries:
            missing.append("WGI (EUS) " + "/".join(eus.missing_countries))

    computed = None
    if not missing and gs is not None and eus is not None:
        ir = entry.import_reliance or 0.0
        computed = round((gs.value * ir / 2 + eus.value * (1 - ir / 2))
                         * (1 - (entry.eol_rir or 0.0)) * (entry.si_sr or 0.0), 2)
    return SupplyRisk(
        material=entry.material, material_name=material.names.en,
        eu_sr=entry.eu_sr, eu_ei=entry.eu_ei,
        import_reliance=entry.import_reliance, eol_rir=entry.eol_rir, si_sr=entry.si_sr,
        stage=gs_series.stage.value if gs_series else None,
        year=gs_series.year if gs_series else None,
        hhi_wgi_gs=gs.value if gs else None, hhi_wgi_eus=eus.value if eus else None,
        computed_sr=computed, missing=missing,
        sources=list(dict.fromkeys([*entry.sources, *(gs_series.sources if gs_series else [])])),
        confidence=entry.confidence.value, note=entry.note)


def _bottleneck(
    kb: KnowledgeBase, *, material_id: str, scores: dict[str, float]
) -> ShareSeries | None:
    """Latest production series of the stage with the highest governance-weighted HHI."""
    material = kb.materials[material_id]
    candidates = kb.shares(material, measure=Measure.PRODUCTION)
    latest: dict[str, ShareSeries] = {}
    for series in candidates:
        if series.stage.value not in latest or series.year > latest[series.stage.value].year:
            latest[series.stage.value] = series
    if not latest:
        return None
    return max(latest.values(), key=lambda s: governance_weighted_hhi(
        ((r.country, r.share) for r in s.rows), scores).value)


def supply_risks(kb: KnowledgeBase) -> list[SupplyRisk]:
    """Every bundled material's assessment, highest published supply risk first."""
    results = [supply_risk(kb, entry) for entry in kb.criticality.values()]
    return sorted(results, key=lambda r: (-(r.eu_sr or -1.0), r.material))
