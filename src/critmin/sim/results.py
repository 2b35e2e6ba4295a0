"""What a simulation answers, as models: bands over time, first shortfall, lost output, prices.

Every band is the 5th, 50th and 95th percentile across runs. Shortfalls are fractions of normal
demand (0 = fully supplied, 1 = nothing arrives); lost output is the sum of daily shortfalls, in
days of normal output. The JSON document of `critmin simulate --json` is `SimulationResult`
dumped as it is (keys listed in docs/cli.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from critmin.sim.engine import NEVER, BatchOutput, Compiled

QUANTILES = (5.0, 50.0, 95.0)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class Band(_Out):
    """5th, 50th and 95th percentiles across runs; None where the percentile is 'never'."""

    p5: float | None
    p50: float | None
    p95: float | None


class SeriesResult(_Out):
    """Shortfall of one material at one destination, sector or (foreign) stage."""

    kind: str
    """destination, sector or stage."""
    material: str
    """Material id."""
    key: str
    """Destination id, sector id or stage name."""
    p5: list[float]
    """Shortfall fraction on each reported day, 5th percentile."""
    p50: list[float]
    """Median shortfall fraction on each reported day."""
    p95: list[float]
    """Shortfall fraction on each reported day, 95th percentile."""
    first_shortfall_day: Band
    """Day (from the scenario start) of the first shortfall above 0.5% of demand."""
    first_shortfall_date: str | None
    """Median first-shortfall day as a date."""
    share_of_runs_short: float
    """Fraction of runs with any shortfall."""
    lost_days: Band
    """Cumulative lost output, in days of normal output."""
    lost_days_mean: float
    """Mean of lost_days across runs."""
    peak_shortfall: Band
    """Largest reported shortfall fraction."""


class PriceResult(_Out):
    """A material's price index in one market (1 = before the scenario).

    A restricted material has two: `world` (buyers outside the restricting countries) and
    `domestic` (inside them, where held-back exports stay); any other material has `world` only.
    """

    material: str
    market: Literal["world", "domestic"] = "world"
    """world: outside the restricting countries; domestic: inside them."""
    countries: list[str] = Field(default_factory=list)
    """The restricting countries the market is defined against (empty: no restriction)."""
    label: str = "world"
    """'outside CHN', 'inside CHN', or 'world' for a material no one restricts."""
    p5: list[float]
    p50: list[float]
    p95: list[float]
    peak: Band
    """Highest daily index."""
    trough: Band | None = None
    """Lowest daily index (domestic markets, whose index falls)."""


class FlowResult(_Out):
    """One exporter's shipments of one material at one stage to one destination, by month."""

    material: str
    stage: str
    """Stage of the exporting producers (ore from mining, oxide from refining...)."""
    exporter: str
    destination: str
    """A country or a destination bloc of the scenario (EU members count as EU)."""
    baseline_share: float
    """Baseline flow as a share of world output of the stage."""
    baseline_volume: float | None = None
    """Baseline flow per year in `unit` where the world output of the stage is known."""
    unit: str | None = None
    days: list[int]
    """Days from the start the flow is recorded (monthly and the last day)."""
    dates: list[str]
    p5: list[float]
    p50: list[float]
    p95: list[float]
    """The flow as an index of its baseline (1 = before the scenario, 0 = stopped)."""
    lowest_p50: float
    """The lowest monthly median: how far the flow fell."""


class Exposure(_Out):
    """One row of the ranking: who loses most."""

    rank: int
    kind: str
    material: str
    key: str
    lost_days_mean: float
    lost_days_p50: float | None
    first_shortfall_p50: float | None
    peak_shortfall_p50: float | None


class SensitivityRow(_Out):
    """How far one parameter, moved between a low and a high value, moves the headline outcome."""

    parameter: str
    """What was varied."""
    low: float
    high: float
    outcome_low: float
    """Headline outcome (mean lost days, all destinations) at the low value."""
    outcome_high: float
    swing: float
    """|outcome_high - outcome_low|; rows are sorted by it."""


class Mitigation(_Out):
    """Capacity or stock the simulation counted."""

    label: str
    group: str
    """material/stage it adds to (or the importer for a stockpile)."""
    country: str
    share_of_world: float | None
    """Full-rate output as a share of the stage's world output."""
    start: str
    kind: str
    sources: list[str]


class ParameterUsed(_Out):
    """A parameter value in force, with where it comes from."""

    path: str
    value: float
    unit: str
    kind: str
    confidence: str
    sources: list[str]


class ScenarioInfo(_Out):
    name: str
    description: str
    measures: list[str]
    sources: list[str]
    start: str
    horizon_days: int
    validation: str


class NetworkInfo(_Out):
    nodes: int
    slots: int
    edges: int
    controlled_flows: int
    notes: list[str]


class SimulationResult(_Out):
    """Everything `critmin simulate` reports."""

    scenario: ScenarioInfo
    runs: int
    seed: int
    executor: str
    batch_size: int
    days: list[int]
    """Reported days from the start (weekly and the last day)."""
    dates: list[str]
    series: list[SeriesResult]
    prices: list[PriceResult]
    """One entry per (material, market); a material's domestic entry comes before its world
    entry, so a {material: entry} mapping built from the list keeps the world one."""
    exposures: list[Exposure]
    """Destination, sector and stage series ranked by mean lost days (those with any loss)."""
    flows: list[FlowResult] = Field(default_factory=list)
    """Exporter -> destination trade flows per material and stage, monthly, with bands."""
    sensitivity: list[SensitivityRow] = Field(default_factory=list)
    mitigation: list[Mitigation]
    network: NetworkInfo
    parameters: list[ParameterUsed]
    sources: dict[str, str]
    """Source id -> citation, for every figure behind the network, parameters and scenario."""
    elapsed_seconds: float

    def price(self, material: str, market: str = "world") -> PriceResult | None:
        """The price entry of one material in one market, if modelled."""
        return next((p for p in self.prices if p.material == material and p.market == market), None)

    def headline(self) -> float:
        """Mean lost days summed over destinations: the outcome the sensitivity table moves."""
        return sum(s.lost_days_mean for s in self.series if s.kind == "destination")


def _band(values: npt.NDArray[np.floating[Any]], never: float | None = None) -> Band:
    """Percentiles; with `never`, values at or above it mean 'never' and give None."""
    q = np.percentile(values, QUANTILES, method="lower" if never is not None else "linear")
    return Band(**{name: (None if never is not None and v >= never else round(float(v), 4))
                   for name, v in zip(("p5", "p50", "p95"), q, strict=True)})


def combine(outputs: list[BatchOutput]) -> BatchOutput:
    """Batches joined in order (the same arrays whichever executor ran them)."""
    return BatchOutput(
        paths=np.concatenate([o.paths for o in outputs]),
        prices=np.concatenate([o.prices for o in outputs]),
        first_short=np.concatenate([o.first_short for o in outputs]),
        lost=np.concatenate([o.lost for o in outputs]),
        peak_price=np.concatenate([o.peak_price for o in outputs]),
        trough_price=np.concatenate([o.trough_price for o in outputs]),
        flows=np.concatenate([o.flows for o in outputs]),
    )


def summarise(c: Compiled, out: BatchOutput, start: dt.date) -> tuple[list[SeriesResult], list[PriceResult]]:
    """Bands per series and per material price."""
    q = np.percentile(out.paths, QUANTILES, axis=0)
    first = out.first_short.astype(np.float64)
    peak_short = out.paths.max(axis=1)
    series = []
    for i, key in enumerate(c.series):
        band = _band(first[:, i], never=float(NEVER))
        date = None if band.p50 is None else (start + dt.timedelta(days=int(band.p50))).isoformat()
        series.append(SeriesResult(
            kind=key.kind, material=key.material, key=key.key,
            p5=[round(float(v), 4) for v in q[0, :, i]], p50=[round(float(v), 4) for v in q[1, :, i]],
            p95=[round(float(v), 4) for v in q[2, :, i]],
            first_shortfall_day=band, first_shortfall_date=date,
            share_of_runs_short=round(float((out.first_short[:, i] != NEVER).mean()), 4),
            lost_days=_band(out.lost[:, i]), lost_days_mean=round(float(out.lost[:, i].mean()), 3),
            peak_shortfall=_band(peak_short[:, i].astype(np.float64)),
        ))
    pq = np.percentile(out.prices, QUANTILES, axis=0)

    def entry(j: int, material: str, market: Literal["world", "domestic"]) -> PriceResult:
        countries = list(c.exporters.get(material, []))
        where = "outside" if market == "world" else "inside"
        return PriceResult(material=material, market=market, countries=countries,
                           label=f"{where} {', '.join(countries)}" if countries else "world",
                           p5=[round(float(v), 4) for v in pq[0, :, j]],
                           p50=[round(float(v), 4) for v in pq[1, :, j]],
                           p95=[round(float(v), 4) for v in pq[2, :, j]],
                           peak=_band(out.peak_price[:, j]),
                           trough=_band(out.trough_price[:, j]) if market == "domestic" else None)

    home = {int(m): len(c.materials) + i for i, m in enumerate(c.domestic)}
    prices = []
    for j, material in enumerate(c.materials):
        if j in home:
            prices.append(entry(home[j], material, "domestic"))
        prices.append(entry(j, material, "world"))
    return series, prices


def summarise_flows(c: Compiled, out: BatchOutput, start: dt.date,
                    world_output: dict[str, tuple[float, str]]) -> list[FlowResult]:
    """Bands per trade flow; flows whose median never moves by 0.5% are left out (unchanged)."""
    if not len(c.flow_keys) or out.flows.size == 0:
        return []
    q = np.percentile(out.flows, QUANTILES, axis=0)
    days = [int(d) for d in c.flow_days]
    dates = [(start + dt.timedelta(days=d)).isoformat() for d in days]
    found = []
    for i, key in enumerate(c.flow_keys):
        p50 = q[1, :, i]
        if float(np.max(np.abs(p50 - 1.0))) < 0.005:
            continue
        share = float(c.flow_baseline[i])
        world = world_output.get(f"{key.material}/{key.stage}")
        found.append(FlowResult(
            material=key.material, stage=key.stage, exporter=key.exporter,
            destination=key.destination, baseline_share=round(share, 6),
            baseline_volume=round(world[0] * share, 3) if world else None,
            unit=world[1] if world else None, days=days, dates=dates,
            p5=[round(float(v), 4) for v in q[0, :, i]], p50=[round(float(v), 4) for v in p50],
            p95=[round(float(v), 4) for v in q[2, :, i]], lowest_p50=round(float(p50.min()), 4)))
    return sorted(found, key=lambda f: (f.lowest_p50, -f.baseline_share))


def rank_exposures(series: list[SeriesResult]) -> list[Exposure]:
    """Series with any loss, largest mean lost days first."""
    lossy = sorted((s for s in series if s.lost_days_mean > 0.05), key=lambda s: -s.lost_days_mean)
    return [Exposure(rank=i + 1, kind=s.kind, material=s.material, key=s.key,
                     lost_days_mean=s.lost_days_mean, lost_days_p50=s.lost_days.p50,
                     first_shortfall_p50=s.first_shortfall_day.p50, peak_shortfall_p50=s.peak_shortfall.p50)
            for i, s in enumerate(lossy)]
