"""The EU Critical Raw Materials (2023 methodology) supply-risk indicator, computed from inputs.

    SR = [HHI_WGI,t(GS) * IR/2 + HHI_WGI,t(EUs) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR
    HHI_WGI,t = sum_c (share_c^2 * WGI_c * t_c)      (shares as fractions, WGI on 0-10)

GS is global supply and EUs EU sourcing at one stage (E = extraction, P = processing), both with
the study's trade-related variable t per country (Appendix 7 of the 2023 study, bundled in
critmin/risk/data). IR is import reliance, EoL_RIR the end-of-life recycling input rate, SI_SR the
substitution index. The study assesses the bottleneck stage; when the stage is not given with the
inputs, SR is computed at every stage that has inputs and the highest is reported.

Nothing is estimated: a missing input is named instead. A supplier without a governance score
only blocks the result when its largest possible contribution (share^2 x 10 x t) could move SR
by more than WGI_TOLERANCE; below that it is named and its bound reported.

`shares="latest"` swaps the study's GS for the latest bundled production series of the matching
stage (mining for E, refining for P), keeping EUs, IR, EoL-RIR, SI_SR and the study's t per
country (t = 1 for a country the study did not list for that material and stage).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from critmin.errors import UsageError
from critmin.inputs import load_yaml
from critmin.kb import KnowledgeBase, Measure, Stage
from critmin.kb.models import CriticalityInput
from critmin.kb.series import REST_OF_WORLD

#: Largest HHI_WGI,t contribution that unscored suppliers may hold without blocking SR.
WGI_TOLERANCE = 0.005
#: Worst score on the 0-10 governance scale, used only to bound unscored suppliers.
WGI_WORST = 10.0
#: Where the shares tables come from (the study, as transcribed).
STUDY_STAGES = {"E": "extraction", "P": "processing"}
KB_STAGE = {"E": Stage.MINING, "P": Stage.REFINING}
SHARES_CHOICES = ("study", "latest")
_DATA = "data"


class SupplyRow(BaseModel):
    """One supplier in a shares table: ISO-3 code (or the raw name when unresolved)."""

    model_config = ConfigDict(frozen=True)

    country: str
    resolved: bool
    share: float
    """Fraction 0-1; for "<x%" entries the bound x."""
    below: bool = False
    """The table gave only an upper bound ("<0.1%")."""
    t: float = 1.0


class GovernanceWeightedHHI(BaseModel):
    """HHI_WGI,t of one set of supplier shares, and how much of it had a governance score."""

    model_config = ConfigDict(frozen=True)

    value: float
    """sum of share^2 x scaled WGI x t over suppliers with a score (0-10 scale)."""
    covered_share: float
    """Fraction of supply whose country has a governance score (ROW excluded)."""
    missing_countries: list[str]
    """Named suppliers without a governance score (or an unresolved name)."""
    missing_bound: float = 0.0
    """Largest contribution the unscored suppliers could add (share^2 x 10 x t)."""


class InputValue(BaseModel):
    """One input of the formula: its value and where it comes from."""

    model_config = ConfigDict(frozen=True)

    value: Any
    sources: list[str] = Field(default_factory=list)
    note: str | None = None
    suppliers: list[dict[str, Any]] | None = None
    """For a shares input: each supplier's ISO-3 code, share (fraction) and t."""


class StageRisk(BaseModel):
    """SR at one stage: both concentrations and, when every input is there, the score."""

    model_config = ConfigDict(frozen=True)

    stage: str
    """E (extraction) or P (processing)."""
    gs_basis: str
    """study (Appendix 7 global supply) or latest (bundled production series)."""
    gs_year: int | None
    hhi_wgi_gs: float | None
    hhi_wgi_eus: float | None
    computed_sr: float | None
    missing: list[str] = Field(default_factory=list)


class SupplyRisk(BaseModel):
    """One material's supply-risk assessment: published figures, inputs and our computation."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    material: str
    material_name: str
    eu_sr: float | None
    """Supply risk published by the European Commission (2023)."""
    published_sr: float | None
    """Same as eu_sr, named beside computed_sr."""
    eu_ei: float | None
    """Economic importance published by the European Commission (2023)."""
    import_reliance: float | None
    eol_rir: float | None
    si_sr: float | None
    stage: str | None
    """Stage the SR refers to (extraction or processing): the given or the bottleneck stage."""
    year: int | None
    """Year of the global shares used (None for the study's own shares)."""
    gs_basis: str
    hhi_wgi_gs: float | None
    """Governance- and trade-weighted HHI of global supply at that stage."""
    hhi_wgi_eus: float | None
    """Governance- and trade-weighted HHI of EU sourcing at that stage."""
    computed_sr: float | None
    """Our computation; None unless every input is available."""
    difference: float | None
    """computed_sr - published_sr."""
    missing: list[str] = Field(default_factory=list)
    """Inputs not bundled: IR, EoL-RIR, SI_SR, "E: GS shares", "P: WGI XXX/YYY"..."""
    stages: list[StageRisk] = Field(default_factory=list)
    inputs: dict[str, InputValue] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    confidence: str
    note: str | None = None


class MaterialInputs(BaseModel):
    """A material's row in risk/data/eu_crm_2023.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    material: str
    study_name: str
    stage: str | None = Field(default=None, pattern="^[EP]$")
    import_reliance: float | None = Field(default=None, ge=0, le=1)
    eol_rir: float | None = Field(default=None, ge=0, le=1)
    si_sr: float | None = Field(default=None, ge=0, le=1)
    sources: list[str] = Field(default_factory=list)
    note: str | None = None


class StudyData(BaseModel):
    """The bundled study inputs: per-material figures, shares tables and name fixes."""

    model_config = ConfigDict(frozen=True)

    tables_sources: list[str]
    materials: list[MaterialInputs]
    country_aliases: dict[str, str]
    global_supply: dict[tuple[str, str], list[tuple[str, str, float]]]
    """(study material, stage) -> [(country name, share text, t)]."""
    eu_sourcing: dict[tuple[str, str], list[tuple[str, str, float]]]


def _read_table(name: str) -> dict[tuple[str, str], list[tuple[str, str, float]]]:
    text = (resources.files("critmin.risk") / _DATA / name).read_text("utf-8")
    out: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault((row["Material"].strip(), row["Stage"].strip()), []).append(
            (row["Country"].strip(), row["Share"].strip(), float(row["t"])))
    return out


@lru_cache(maxsize=1)
def study_data() -> StudyData:
    """The bundled EU CRM 2023 inputs (read once)."""
    path = resources.files("critmin.risk") / _DATA / "eu_crm_2023.yaml"
    raw = load_yaml(path.read_text("utf-8"), "critmin/risk/data/eu_crm_2023.yaml")
    return StudyData(
        tables_sources=raw["tables_sources"],
        materials=[MaterialInputs.model_validate(m) for m in raw["materials"]],
        country_aliases=raw.get("country_aliases") or {},
        global_supply=_read_table("global_supply_shares_t.csv"),
        eu_sourcing=_read_table("eu_sourcing_shares_t.csv"))


def parse_share(text: str) -> tuple[float, bool]:
    """"45%" -> (0.45, False); "<0.1%" -> (0.001, True): an upper bound."""
    below = text.startswith("<")
    number = text.lstrip("<").rstrip("%").strip()
    return float(number) / 100.0, below


def _rows(kb: KnowledgeBase, table: list[tuple[str, str, float]],
          aliases: dict[str, str]) -> list[SupplyRow]:
    rows = []
    for name, share_text, t in table:
        code = aliases.get(name) or kb.country_names.lookup(name)
        share, below = parse_share(share_text)
        rows.append(SupplyRow(country=code or name, resolved=code is not None, share=share,
                              below=below, t=t))
    return rows


def governance_weighted_hhi(
    shares: Iterable[tuple[str, float]] | Iterable[SupplyRow], governance: dict[str, float]
) -> GovernanceWeightedHHI:
    """HHI_WGI,t over suppliers; countries without a score are listed and bounded, not guessed.

    Accepts (country, share) pairs (t = 1) or SupplyRow items (with t and "<x%" bounds).
    """
    value = 0.0
    covered = 0.0
    bound = 0.0
    missing: list[str] = []
    for item in shares:
        row = item if isinstance(item, SupplyRow) else SupplyRow(
            country=item[0], resolved=True, share=item[1])
        if row.country == REST_OF_WORLD:
            continue
        score = governance.get(row.country) if row.resolved else None
        if score is None:
            missing.append(row.country)
            bound += row.share * row.share * WGI_WORST * row.t
            continue
        if not row.below:  # "<0.1%" adds under 1e-5: counted in neither value nor coverage
            value += row.share * row.share * score * row.t
            covered += row.share
    return GovernanceWeightedHHI(value=round(value, 4), covered_share=round(covered, 4),
                                 missing_countries=missing, missing_bound=round(bound, 5))


def sr_formula(hhi_gs: float, hhi_eus: float, ir: float, eol_rir: float, si_sr: float) -> float:
    """The EU 2023 supply-risk formula on its five inputs (unrounded)."""
    return (hhi_gs * ir / 2 + hhi_eus * (1 - ir / 2)) * (1 - eol_rir) * si_sr


#: Sources of the bundled WGI table (risk/data/wgi_2022.csv).
WGI_TABLE_SOURCES = ["gh-pytradeshifts-wgi-2022", "wb-wgi-2023-update"]


@lru_cache(maxsize=1)
def wgi_table() -> dict[str, float]:
    """Raw WGI 2022 means (-2.5 .. 2.5) per ISO-3 code, from risk/data/wgi_2022.csv."""
    text = (resources.files("critmin.risk") / _DATA / "wgi_2022.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {row["country"]: float(row["wgi_raw"]) for row in csv.DictReader(lines)}


def scale_wgi(raw: float) -> float:
    """WGI mean (-2.5 best .. 2.5 worst reversed) onto 0 (best) - 10 (worst), linearly."""
    return (2.5 - raw) * 2.0


def _scores(kb: KnowledgeBase) -> dict[str, float]:
    """0-10 governance per country: the KB's scores, then the bundled WGI table for the rest."""
    scores = {code: scale_wgi(raw) for code, raw in wgi_table().items()}
    scores.update({code: g.scaled for code, g in kb.governance.items() if g.scaled is not None})
    return scores


def _gaps(label: str, result: GovernanceWeightedHHI) -> list[str]:
    """Named WGI gaps that could matter (bound above the tolerance)."""
    if result.missing_countries and result.missing_bound > WGI_TOLERANCE:
        return [f"{label} WGI " + "/".join(result.missing_countries)]
    return []


def _latest_gs(kb: KnowledgeBase, material_id: str, stage: str,
               study_t: dict[str, float]) -> tuple[list[SupplyRow], int, list[str]] | None:
    material = kb.materials[material_id]
    series = kb.shares(material, stage=KB_STAGE[stage], measure=Measure.PRODUCTION)
    if not series:
        return None
    latest = max(series, key=lambda s: s.year)
    rows = [SupplyRow(country=r.country, resolved=True, share=r.share,
                      t=study_t.get(r.country, 1.0)) for r in latest.rows]
    return rows, latest.year, list(latest.sources)


def supply_risk(kb: KnowledgeBase, entry: CriticalityInput, *,
                shares: str = "study", data: StudyData | None = None) -> SupplyRisk:
    """Assess one material from the study's inputs (or the latest global shares).

    `data` replaces the bundled study inputs (tests pass explicit small tables).
    """
    if shares not in SHARES_CHOICES:
        raise UsageError(f"--shares: unknown value {shares!r}; expected one of: "
                         f"{', '.join(SHARES_CHOICES)}")
    data = data or study_data()
    material = kb.materials[entry.material]
    own = next((m for m in data.materials if m.material == entry.material), None)
    scores = _scores(kb)
    inputs: dict[str, InputValue] = {
        "published_sr": InputValue(value=entry.eu_sr, sources=list(entry.sources))}

    missing: list[str] = []
    values: dict[str, float] = {}
    for field_name, label in (("import_reliance", "IR"), ("eol_rir", "EoL-RIR"),
                              ("si_sr", "SI_SR")):
        mine = getattr(own, field_name) if own else None
        kb_value = getattr(entry, field_name)
        if mine is not None and own is not None:
            values[label] = mine
            inputs[label] = InputValue(value=mine, sources=list(own.sources))
        elif kb_value is not None:
            values[label] = kb_value
            inputs[label] = InputValue(value=kb_value, sources=list(entry.sources))
        else:
            missing.append(label)
            inputs[label] = InputValue(value=None, note="not found in the sources searched")
    given_stage = own.stage if own else None
    inputs["stage"] = InputValue(
        value=STUDY_STAGES[given_stage] if given_stage else None,
        sources=list(own.sources) if own and given_stage else [],
        note=None if given_stage else "not given: the highest SR over the stages is used")
    used: set[str] = set()

    stages: list[StageRisk] = []
    if own is None:
        missing.append("GS shares")
        missing.append("EUs shares")
    else:
        for stage in ("E", "P"):
            if given_stage and stage != given_stage:
                continue
            stage_risk = _stage(kb, own, stage, data, scores, values, shares, inputs, used)
            if stage_risk is not None:
                stages.append(stage_risk)
        if not stages:
            missing.append("GS shares")
            missing.append("EUs shares")

    gov_sources = sorted({s for c in used if c in kb.governance
                          for s in kb.governance[c].sources} | set(WGI_TABLE_SOURCES))
    inputs["WGI"] = InputValue(
        value={c: round(scores[c], 3) for c in sorted(used) if c in scores},
        sources=gov_sources if used else [],
        note="mean of the six World Bank WGI 2022 estimates x, scaled to 0 (best) - 10 (worst) "
             "as (2.5 - x) * 2; the study's own scaled values were not found")
    computed = [s for s in stages if s.computed_sr is not None]
    chosen = max(computed, key=lambda s: s.computed_sr or 0.0) if computed else (
        stages[0] if len(stages) == 1 else None)
    if not computed:
        for s in stages:
            missing += [f"{s.stage}: {m}" for m in s.missing if m not in missing]
    sr = chosen.computed_sr if chosen else None
    sources = [*entry.sources, *(data.tables_sources if own else []),
               *(own.sources if own else [])]
    for item in inputs.values():
        sources += item.sources
    return SupplyRisk(
        material=entry.material, material_name=material.names.en,
        eu_sr=entry.eu_sr, published_sr=entry.eu_sr, eu_ei=entry.eu_ei,
        import_reliance=values.get("IR"), eol_rir=values.get("EoL-RIR"),
        si_sr=values.get("SI_SR"),
        stage=STUDY_STAGES[chosen.stage] if chosen else None,
        year=chosen.gs_year if chosen else None, gs_basis=shares,
        hhi_wgi_gs=chosen.hhi_wgi_gs if chosen else None,
        hhi_wgi_eus=chosen.hhi_wgi_eus if chosen else None,
        computed_sr=sr,
        difference=round(sr - entry.eu_sr, 2) if sr is not None and entry.eu_sr is not None
        else None,
        missing=list(dict.fromkeys(missing)), stages=stages, inputs=inputs,
        sources=list(dict.fromkeys(sources)),
        confidence=entry.confidence.value, note=entry.note)


def _stage(kb: KnowledgeBase, own: MaterialInputs, stage: str, data: StudyData,
           scores: dict[str, float], values: dict[str, float], shares: str,
           inputs: dict[str, InputValue], used: set[str]) -> StageRisk | None:
    key = (own.study_name, stage)
    study_gs = data.global_supply.get(key)
    eus_table = data.eu_sourcing.get(key)
    if study_gs is None and eus_table is None:
        return None
    missing: list[str] = []
    gs_rows: list[SupplyRow] | None = None
    gs_year: int | None = None
    gs_sources = list(data.tables_sources)
    if shares == "latest":
        study_t = {r.country: r.t for r in _rows(kb, study_gs or [], data.country_aliases)}
        found = _latest_gs(kb, own.material, stage, study_t)
        if found is None:
            missing.append(f"GS shares ({KB_STAGE[stage].value}, bundled series)")
        else:
            gs_rows, gs_year, gs_sources = found
    elif study_gs is None:
        missing.append("GS shares")
    else:
        gs_rows = _rows(kb, study_gs, data.country_aliases)
    gs = governance_weighted_hhi(gs_rows, scores) if gs_rows is not None else None
    if gs is not None and gs_rows is not None:
        used.update(r.country for r in gs_rows if r.resolved)
        missing += _gaps("GS", gs)
        inputs[f"HHI_WGI,t GS ({stage})"] = InputValue(
            value=gs.value, sources=gs_sources,
            note=f"{shares} shares{f' {gs_year}' if gs_year else ''}; "
                 f"unscored: {', '.join(gs.missing_countries) or 'none'} "
                 f"(bound {gs.missing_bound})", suppliers=_detail(gs_rows))
    eus = None
    if eus_table is None:
        missing.append("EUs shares")
    else:
        eus_rows = _rows(kb, eus_table, data.country_aliases)
        used.update(r.country for r in eus_rows if r.resolved)
        eus = governance_weighted_hhi(eus_rows, scores)
        missing += _gaps("EUs", eus)
        inputs[f"HHI_WGI,t EUs ({stage})"] = InputValue(
            value=eus.value, sources=list(data.tables_sources),
            note=f"unscored: {', '.join(eus.missing_countries) or 'none'} "
                 f"(bound {eus.missing_bound})", suppliers=_detail(eus_rows))
    computed = None
    if (gs is not None and eus is not None and not missing
            and {"IR", "EoL-RIR", "SI_SR"} <= set(values)):
        computed = round(sr_formula(gs.value, eus.value, values["IR"], values["EoL-RIR"],
                                    values["SI_SR"]), 2)
    return StageRisk(stage=stage, gs_basis=shares, gs_year=gs_year,
                     hhi_wgi_gs=gs.value if gs else None, hhi_wgi_eus=eus.value if eus else None,
                     computed_sr=computed, missing=missing)


def _detail(rows: list[SupplyRow]) -> list[dict[str, Any]]:
    return [{"country": r.country, "share": round(r.share, 6), "below": r.below, "t": r.t}
            for r in rows]


def supply_risks(kb: KnowledgeBase, *, shares: str = "study") -> list[SupplyRisk]:
    """Every bundled material's assessment, highest published supply risk first."""
    results = [supply_risk(kb, entry, shares=shares) for entry in kb.criticality.values()]
    return sorted(results, key=lambda r: (-(r.eu_sr or -1.0), r.material))
