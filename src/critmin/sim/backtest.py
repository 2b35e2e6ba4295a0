"""Backtest: replay the 2010-2011 rare-earth quota cuts and compare the price index with the record.

The recorded series (data/records.yaml) is indexed to its start-of-2010 level; the model's index
starts at 1 on the scenario's first day, so the two are directly comparable. The error at each
recorded date is the log ratio ln(model / recorded); the summary says in plain words where the
model is wrong, from the numbers, not from a fixed script.
"""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from critmin.errors import CritminError, DataError
from critmin.inputs import display_path, load_yaml, read_text
from critmin.kb import KnowledgeBase
from critmin.sim.scenario import load_scenario
from critmin.sim.simulation import simulate

#: Largest records file read.
MAX_RECORDS_BYTES = 2 * 1024 * 1024


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              allow_inf_nan=False)


class RecordPoint(_In):
    """One recorded price."""

    date: dt.date
    """Approximate date of the observation."""
    usd_per_kg: float = Field(gt=0)
    """Price as reported, or derived as the note shows."""
    sources: list[str] = Field(min_length=1)
    """Source ids."""
    note: str
    """How the figure was read or derived."""


class CrossCheck(_In):
    """Another basis for the same episode, shown beside the comparison."""

    material: str
    basis: str
    values: dict[str, float]
    sources: list[str] = Field(min_length=1)
    note: str = ""


class Records(_In):
    """The recorded episode."""

    episode: str
    scenario: str
    """Bundled scenario that replays it."""
    basis: str
    series: dict[str, list[RecordPoint]]
    cross_check: list[CrossCheck] = Field(default_factory=list)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class ComparisonPoint(_Out):
    material: str
    date: str
    recorded_usd_per_kg: float
    recorded_index: float
    model_p5: float
    model_p50: float
    model_p95: float
    log_error: float
    """ln(model p50 / recorded index): positive = model too high."""


class MaterialSummary(_Out):
    material: str
    recorded_peak: float
    recorded_peak_date: str
    model_peak_p50: float
    model_peak_date: str
    mean_abs_log_error: float
    """Mean |ln(model / recorded)| over the recorded dates."""


class BacktestResult(_Out):
    episode: str
    scenario: str
    basis: str
    runs: int
    seed: int
    points: list[ComparisonPoint]
    summaries: list[MaterialSummary]
    findings: list[str]
    """Where the model is wrong, in words."""
    cross_check: list[CrossCheck]
    sources: dict[str, str]


def records_path() -> Path:
    return Path(str(resources.files("critmin.sim") / "data" / "records.yaml"))


def read_records(kb: KnowledgeBase, path: Path | None = None) -> Records:
    path = path or records_path()
    origin = path.name if path == records_path() else display_path(path)
    data = load_yaml(read_text(path, MAX_RECORDS_BYTES), origin)
    try:
        records = Records.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CritminError(
            f"{origin}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        ) from None
    ids = {s for pts in records.series.values() for p in pts for s in p.sources}
    ids |= {s for c in records.cross_check for s in c.sources}
    missing = sorted(ids - set(kb.sources))
    if missing:
        raise DataError([f"{origin}: unknown source id {m!r}" for m in missing])
    return records


def backtest(kb: KnowledgeBase, *, runs: int = 300, seed: int = 0) -> BacktestResult:
    """Run the episode's scenario and compare its price index with the record."""
    records = read_records(kb)
    scenario = load_scenario(records.scenario, kb)
    result = simulate(kb, scenario, runs=runs, seed=seed)
    start = dt.date.fromisoformat(result.dates[0])
    days = np.array(result.days)
    by_material = {p.material: p for p in result.prices if p.market == "world"}
    points: list[ComparisonPoint] = []
    summaries: list[MaterialSummary] = []
    findings: list[str] = []
    restriction_end = max((r.end_date for r in scenario.restrictions if r.end_date), default=None)
    for material, recorded in records.series.items():
        if material not in by_material:
            raise CritminError(f"records.yaml: {material} is not simulated by {records.scenario}")
        price = by_material[material]
        base = recorded[0].usd_per_kg
        errors = []
        for point in recorded:
            day = (point.date - start).days
            i = int(np.argmin(np.abs(days - day)))
            index = point.usd_per_kg / base
            error = math.log(price.p50[i] / index)
            errors.append(error)
            points.append(
                ComparisonPoint(
                    material=material,
                    date=point.date.isoformat(),
                    recorded_usd_per_kg=point.usd_per_kg,
                    recorded_index=round(index, 3),
                    model_p5=price.p5[i],
                    model_p50=price.p50[i],
                    model_p95=price.p95[i],
                    log_error=round(error, 3),
                )
            )
        top = max(recorded, key=lambda p: p.usd_per_kg)
        model_peak_i = int(np.argmax(price.p50))
        model_peak = price.p50[model_peak_i]
        recorded_peak = top.usd_per_kg / base
        summary = MaterialSummary(
            material=material,
            recorded_peak=round(recorded_peak, 2),
            recorded_peak_date=top.date.isoformat(),
            model_peak_p50=model_peak,
            model_peak_date=result.dates[model_peak_i],
            mean_abs_log_error=round(float(np.mean(np.abs(errors))), 3),
        )
        summaries.append(summary)
        findings += _findings(material, summary, recorded, price.p50, result.dates, restriction_end, base)
    sources = {
        s: kb.sources[s].citation() for pts in records.series.values() for p in pts for s in p.sources
    }
    sources.update({s: kb.sources[s].citation() for c in records.cross_check for s in c.sources})
    sources.update({s: kb.sources[s].citation() for s in scenario.sources})
    return BacktestResult(
        episode=records.episode,
        scenario=records.scenario,
        basis=records.basis,
        runs=runs,
        seed=seed,
        points=points,
        summaries=summaries,
        findings=findings,
        cross_check=list(records.cross_check),
        sources=sources,
    )


def _findings(
    material: str,
    s: MaterialSummary,
    recorded: list[RecordPoint],
    model: list[float],
    dates: list[str],
    restriction_end: dt.date | None,
    base: float,
) -> list[str]:
    out = []
    ratio = s.recorded_peak / max(s.model_peak_p50, 1e-9)
    if ratio > 1.5:
        out.append(
            f"{material}: the model's peak ({s.model_peak_p50:.1f}x) is {ratio:.1f} times below the "
            f"recorded peak ({s.recorded_peak:.1f}x). The model prices the flow gap, buyers' "
            "stock cover and their precautionary stock building; the 2010-2011 spike also "
            "carried speculative buying beyond that, export-licence premiums and China's domestic "
            "production cuts, which this scenario does not represent."
        )
    elif ratio < 1 / 1.5:
        out.append(
            f"{material}: the model's peak ({s.model_peak_p50:.1f}x) overshoots the recorded peak "
            f"({s.recorded_peak:.1f}x) by {1 / ratio:.1f} times."
        )
    else:
        out.append(
            f"{material}: peak height within a factor 1.5 of the record "
            f"({s.model_peak_p50:.1f}x vs {s.recorded_peak:.1f}x)."
        )
    model_peak = dt.date.fromisoformat(s.model_peak_date)
    recorded_peak = dt.date.fromisoformat(s.recorded_peak_date)
    lag = (model_peak - recorded_peak).days
    if abs(lag) > 60:
        word = "after" if lag > 0 else "before"
        out.append(
            f"{material}: the model peaks on {s.model_peak_date}, {abs(lag)} days {word} the recorded "
            f"peak ({s.recorded_peak_date})."
        )
    last = recorded[-1]
    last_i = min(range(len(dates)), key=lambda i: abs((dt.date.fromisoformat(dates[i]) - last.date).days))
    recorded_fall = last.usd_per_kg / base / s.recorded_peak
    model_fall = model[last_i] / max(s.model_peak_p50, 1e-9)
    if recorded_fall < 0.8 and model_fall > recorded_fall + 0.15:
        held = (
            f" while the quota was still in force (it ends {restriction_end})"
            if restriction_end and last.date < restriction_end
            else ""
        )
        out.append(
            f"{material}: recorded prices fell to {recorded_fall:.0%} of the peak by {last.date}{held}; "
            f"the model stays at {model_fall:.0%}. Demand destruction, thrifting (less Dy per "
            "magnet) and destocking were faster and larger than the model's elasticities and "
            "substitution lags allow."
        )
    return out
