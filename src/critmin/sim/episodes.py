"""The backtest library: recorded export-restriction episodes replayed from their trigger facts.

Each episode file (data/episodes/*.yaml) holds what a user could have known when the measure was
announced (who restricts what, from when, for whom: the `trigger`) and what then happened
(`records`: price ratios read from the knowledge base's price dataset, trade-flow changes from
customs data, directions of a market). `scenario_for` writes the scenario a user would write from
the trigger alone, with the simulator's default parameters: nothing is tuned per episode.
`run_episode` runs it and scores every record against pass bands that are fixed here, before any
run, and documented in docs/methods.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from critmin.errors import CritminError, DataError, NotFoundError
from critmin.inputs import load_yaml, read_text
from critmin.kb import KnowledgeBase
from critmin.sim.results import SimulationResult
from critmin.sim.scenario import load_scenario, load_scenario_data
from critmin.sim.simulation import simulate

MAX_EPISODE_BYTES = 1024 * 1024

#: Episodes whose records may inform the choice of default parameters; every other episode is
#: out of sample. At most two, as docs/methods.md states.
CALIBRATION_EPISODES: tuple[str, ...] = ("rare-earths-2010", "graphite-2023")

#: A price ratio passes when the model's median is within this factor of the record.
PRICE_RATIO_FACTOR = 1.5
#: A market "moved" when its index changed by more than this fraction over the period.
DIRECTION_THRESHOLD = 0.05
#: A trade change passes when the model's median is within this many points (fraction) of it.
TRADE_CHANGE_TOLERANCE = 0.25
#: Largest model change of a flow reported (a rebound from zero has no finite ratio).
MAX_TRADE_CHANGE = 10.0
#: Days simulated after the last recorded date.
TAIL_DAYS = 30


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _as_text(value: object) -> object:
    """YAML reads 2025-05-15 as a date and 2023 as a number; records keep them as written."""
    return value.isoformat() if isinstance(value, dt.date) else (
        str(value) if isinstance(value, int) else value)


class PriceRef(_In):
    """A price point of the knowledge base's price dataset."""

    material: str
    product: str
    market: str
    date: str

    _text = field_validator("date", mode="before")(_as_text)


class Trigger(_In):
    announced: dt.date
    effective: dt.date
    ended: dt.date | None = None
    instrument: Literal["licence", "ban", "quota", "duty", "suspension", "ore_ban"]
    stages: list[str] = Field(min_length=1)
    destinations: Literal["all"] | list[str] = "all"
    quota_tonnes_per_year: float | None = None
    duty_fraction: float | None = None
    licence_review_days: float | None = None
    sources: list[str] = Field(min_length=1)
    note: str = ""


class EpisodeRecord(_In):
    id: str
    kind: Literal["price_ratio", "trade_change", "price_direction"]
    market: Literal["world", "domestic"] | None = None
    from_: PriceRef | None = Field(default=None, alias="from")
    to: PriceRef | None = None
    exporter: str | None = None
    destination: str | None = None
    stage: str | None = None
    period: str | None = None
    baseline: str | None = None
    value: float | Literal["up", "down", "flat"] | None = None
    sources: list[str] = Field(default_factory=list)
    confidence: str | None = None
    note: str = ""

    _text = field_validator("period", "baseline", mode="before")(_as_text)


class ContextFact(BaseModel):
    """A dated fact useful for modelling (first licences, stock cover ...); extra keys allowed."""

    model_config = ConfigDict(extra="allow", frozen=True)

    fact: str
    date: str | None = None
    value: Any = None
    sources: list[str] = Field(default_factory=list)
    note: str = ""

    _text = field_validator("date", mode="before")(_as_text)


class Episode(_In):
    id: str
    title: str
    material: str
    restricting_country: str
    trigger: Trigger
    records: list[EpisodeRecord] = Field(min_length=1)
    context: list[ContextFact] = Field(default_factory=list)
    scenario: str | None = None
    """A bundled scenario written from the trigger, for instruments scenario_for cannot write."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RecordResult(_Out):
    id: str
    kind: str
    what: str
    """The record in words: market or flow, and period."""
    recorded: float | str
    model_p5: float | None = None
    model_p50: float | None = None
    model_p95: float | None = None
    model: str | None = None
    """The model's value in words where it is a direction."""
    band: str
    """The pass rule, fixed before running."""
    status: Literal["pass", "fail", "not-modelled"]
    reason: str = ""
    sources: list[str]


class EpisodeResult(_Out):
    id: str
    title: str
    material: str
    calibration: bool
    """True for the (at most two) episodes the default parameters may have been chosen on."""
    scenario: str
    runs: int
    seed: int
    records: list[RecordResult]
    passed: int
    failed: int
    not_modelled: int
    sources: dict[str, str]


def episodes_dir() -> Path:
    return Path(str(resources.files("critmin.sim") / "data" / "episodes"))


def episode_ids() -> list[str]:
    return sorted(p.stem for p in episodes_dir().glob("*.yaml"))


def read_episode(kb: KnowledgeBase, episode_id: str) -> Episode:
    """One bundled episode, validated; its sources and price references must resolve."""
    known = episode_ids()
    if episode_id not in known:
        import difflib

        raise NotFoundError("episode", episode_id,
                            difflib.get_close_matches(episode_id, known, n=3, cutoff=0.4))
    path = episodes_dir() / f"{episode_id}.yaml"
    origin = f"episodes/{path.name}"
    data = load_yaml(read_text(path, MAX_EPISODE_BYTES), origin)
    try:
        episode = Episode.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CritminError(f"{origin}: {'.'.join(str(p) for p in first['loc'])}: "
                           f"{first['msg']}") from None
    ids = set(episode.trigger.sources) | {s for r in episode.records for s in r.sources}
    missing = sorted(ids - set(kb.sources))
    problems = [f"{origin}: unknown source id {m!r}" for m in missing]
    for record in episode.records:
        for ref in (record.from_, record.to):
            if ref is not None and _price(kb, ref) is None:
                problems.append(f"{origin}: {record.id}: no price point {ref.material} / "
                                f"{ref.product} / {ref.market} / {ref.date} in the price dataset")
    if problems:
        raise DataError(problems)
    return episode


def _price(kb: KnowledgeBase, ref: PriceRef) -> float | None:
    for p in kb.price_points:
        if (p.material == ref.material and p.product == ref.product
                and p.market.value == ref.market and p.date == ref.date):
            return p.value
    return None


def _mid(text: str) -> dt.date:
    """The middle of a partial ISO date or quarter: 2024 -> 07-01, 2024-10 -> 10-15, 2024-Q4."""
    text = text.strip()
    if "-Q" in text:
        year, quarter = text.split("-Q")
        return dt.date(int(year), 3 * int(quarter) - 1, 15)
    parts = [int(x) for x in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 7, 1)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], min(15, calendar.monthrange(parts[0], parts[1])[1]))
    return dt.date(parts[0], parts[1], parts[2])


def _span(period: str) -> tuple[dt.date, dt.date]:
    first, _, last = period.partition(":")
    return _mid(first), _mid(last or first)


def _record_dates(episode: Episode) -> list[dt.date]:
    out = []
    for r in episode.records:
        for ref in (r.from_, r.to):
            if ref is not None:
                out.append(_mid(ref.date))
        if r.period:
            out += list(_span(r.period))
    return out


def scenario_for(episode: Episode, kb: KnowledgeBase) -> dict[str, Any]:
    """The scenario a user would write from the trigger facts: default licensing parameters.

    The scenario starts at the announcement (or the first recorded date, if earlier) and runs
    to a month after the last record; the restriction starts on the effective date and carries
    the announcement date (buyers stock up, shipments rush out in between) and any quota.
    """
    trig = episode.trigger
    start = min([trig.announced, *_record_dates(episode)])
    end = max([trig.effective, *_record_dates(episode)]) + dt.timedelta(days=TAIL_DAYS)
    material = kb.material(episode.material)
    have = {s.stage.value for s in kb.shares(material)}
    # every stage the trigger names that the network models (an ore ban names mining only);
    # with plants sourcing their own country's ore first, a mining-stage control reaches only
    # ore that actually crosses the border
    stages = [s for s in trig.stages if s in have] or sorted(have)
    restriction: dict[str, Any] = {
        "id": episode.id, "exporter": episode.restricting_country,
        "materials": [material.id], "stages": stages, "start": trig.effective.isoformat(),
    }
    if trig.announced < trig.effective:
        restriction["announced"] = trig.announced.isoformat()
    if trig.instrument == "quota" and trig.quota_tonnes_per_year:
        restriction["quota"] = {"tonnes_per_year": trig.quota_tonnes_per_year}
    if trig.ended is not None:
        restriction["end"] = trig.ended.isoformat()
    if trig.destinations != "all":
        restriction["destinations"] = list(trig.destinations)
    if trig.instrument in ("ban", "suspension", "ore_ban"):
        restriction["licensing"] = {"approval_probability": 0.0}
    elif trig.licence_review_days is not None:
        restriction["licensing"] = {"delay_days": trig.licence_review_days}
    scenario: dict[str, Any] = {
        "name": f"backtest: {episode.title}",
        "description": f"Written from the trigger facts of episode {episode.id}.",
        "sources": list(trig.sources),
        "start": start.isoformat(),
        "horizon_days": max(30, min((end - start).days, 1460)),
        "materials": [material.id],
        "restrictions": [restriction],
    }
    if trig.destinations != "all":
        scenario["destinations"] = sorted({*trig.destinations, "ROW"})
    return scenario


def _index_at(result: SimulationResult, entry: Any, day: dt.date, band: str) -> float:
    """A market's price index on a date; 1 before the scenario starts."""
    start = dt.date.fromisoformat(result.dates[0])
    offset = (day - start).days
    if offset < 0:
        return 1.0
    values = getattr(entry, band)
    i = min(range(len(result.days)), key=lambda k: abs(result.days[k] - offset))
    return float(values[i])


def _market_entry(result: SimulationResult, material: str, market: str) -> Any | None:
    for p in result.prices:
        if p.material == material and getattr(p, "market", "world") == market:
            return p
    return None


def _score(record: EpisodeRecord, kb: KnowledgeBase, result: SimulationResult,
           material: str) -> RecordResult:
    sources = list(record.sources)
    if record.kind == "price_ratio" and record.from_ and record.to:
        before, after = _price(kb, record.from_), _price(kb, record.to)
        assert before is not None and after is not None  # checked by read_episode
        sources = sorted({*sources, *_price_sources(kb, record.from_), *_price_sources(kb, record.to)})
        recorded = after / before
        market = record.market or "world"
        material = kb.material(record.from_.material).id  # an episode may price several materials
        what = f"{material} {market} price, {record.from_.date} -> {record.to.date}"
        band = (f"model median within x{PRICE_RATIO_FACTOR} of the record, moving the same way "
                f"where the record moved more than {DIRECTION_THRESHOLD:.0%}")
        entry = _market_entry(result, material, market)
        if entry is None:
            return RecordResult(id=record.id, kind=record.kind, what=what, recorded=round(recorded, 3),
                                band=band, status="not-modelled", sources=sources,
                                reason=f"the model has no {market} price for {material}")
        d0, d1 = _mid(record.from_.date), _mid(record.to.date)
        ratios = {b: _index_at(result, entry, d1, b) / _index_at(result, entry, d0, b)
                  for b in ("p5", "p50", "p95")}
        ok = abs(math.log(ratios["p50"] / recorded)) <= math.log(PRICE_RATIO_FACTOR)
        if abs(recorded - 1) > DIRECTION_THRESHOLD:  # a recorded move must be matched in sign
            ok = ok and (ratios["p50"] - 1) * (recorded - 1) > 0 and \
                abs(ratios["p50"] - 1) > DIRECTION_THRESHOLD
        return RecordResult(id=record.id, kind=record.kind, what=what, recorded=round(recorded, 3),
                            model_p5=round(ratios["p5"], 3), model_p50=round(ratios["p50"], 3),
                            model_p95=round(ratios["p95"], 3), band=band,
                            status="pass" if ok else "fail", sources=sources)
    if record.kind == "price_direction" and record.period:
        market = record.market or "world"
        what = f"{market} price direction, {record.period}"
        band = f"up / down = a change of more than {DIRECTION_THRESHOLD:.0%}, else flat"
        entry = _market_entry(result, material, market)
        if entry is None:
            return RecordResult(id=record.id, kind=record.kind, what=what, recorded=str(record.value),
                                band=band, status="not-modelled", sources=sources,
                                reason=f"the model has no {market} price for {material}")
        d0, d1 = _span(record.period)
        change = _index_at(result, entry, d1, "p50") / _index_at(result, entry, d0, "p50") - 1
        word = ("up" if change > DIRECTION_THRESHOLD else "down" if change < -DIRECTION_THRESHOLD
                else "flat")
        return RecordResult(id=record.id, kind=record.kind, what=what, recorded=str(record.value),
                            model=f"{word} ({change:+.1%})", model_p50=round(change, 3), band=band,
                            status="pass" if word == record.value else "fail", sources=sources)
    return _score_trade(record, result, material, sources, _blocs(kb))


def _flow_index(result: SimulationResult, flows: list[Any], day: dt.date, band: str) -> float:
    """The baseline-weighted index of several flows on a date (1 before the scenario)."""
    start = dt.date.fromisoformat(result.dates[0])
    offset = (day - start).days
    if offset < 0:
        return 1.0
    total = float(sum(f.baseline_share for f in flows))
    value = 0.0
    for f in flows:
        i = min(range(len(f.days)), key=lambda k: abs(f.days[k] - offset))
        value += float(getattr(f, band)[i]) * float(f.baseline_share)
    return value / total


def _blocs(kb: KnowledgeBase) -> dict[str, str]:
    """Member country -> bloc (NLD -> EU), from the knowledge base's country records."""
    return {m: c.id for c in kb.countries.values() for m in c.members}


def _score_trade(record: EpisodeRecord, result: SimulationResult, material: str,
                 sources: list[str], blocs: dict[str, str]) -> RecordResult:
    """A recorded change of exports against the model's exporter -> destination flows.

    The model's change is its flow index in the record's period over its index in the record's
    baseline period, minus 1; a baseline before the scenario reads as the pre-scenario flow.
    Flows the model left unchanged are not listed, so they count as 1. `WLD` adds up every
    destination; a member of a destination bloc (the Netherlands in the EU) reads as the bloc.
    """
    what = (f"exports {record.exporter} -> {record.destination}, {record.period} vs "
            f"{record.baseline}")
    band = f"model median within {TRADE_CHANGE_TOLERANCE:.0%} points of the recorded change"
    recorded = record.value if isinstance(record.value, float | int) else None
    if recorded is None or not record.period or not record.baseline:
        return RecordResult(id=record.id, kind=record.kind, what=what, recorded=str(record.value),
                            band=band, status="not-modelled", sources=sources,
                            reason="the record gives no numeric change and periods")
    candidates = [f for f in result.flows if f.material == material
                  and f.exporter == record.exporter]
    stages = {f.stage for f in candidates}
    stage = record.stage if record.stage in stages else (next(iter(stages)) if len(stages) == 1
                                                        else None)
    if stage is not None:
        candidates = [f for f in candidates if f.stage == stage]
    if record.destination not in (None, "WLD"):
        exact = [f for f in candidates if f.destination == record.destination]
        candidates = exact or [f for f in candidates
                               if f.destination == blocs.get(record.destination or "")]
    if not candidates:
        return RecordResult(id=record.id, kind=record.kind, what=what, recorded=float(recorded),
                            band=band, status="not-modelled", sources=sources,
                            reason=f"the network has no changed {material} flow from "
                                   f"{record.exporter} to {record.destination}")
    period = _span(record.period)
    base = _span(record.baseline)
    changes = {}
    for name in ("p5", "p50", "p95"):
        now = sum(_flow_index(result, candidates, d, name) for d in period) / 2
        before = sum(_flow_index(result, candidates, d, name) for d in base) / 2
        # a rebound from a stopped flow is a ratio without bound: shown capped
        changes[name] = min(now / max(before, 1e-9) - 1, MAX_TRADE_CHANGE)
    ok = abs(changes["p50"] - recorded) <= TRADE_CHANGE_TOLERANCE
    return RecordResult(id=record.id, kind=record.kind, what=what, recorded=float(recorded),
                        model_p5=round(changes["p5"], 3), model_p50=round(changes["p50"], 3),
                        model_p95=round(changes["p95"], 3), band=band,
                        status="pass" if ok else "fail", sources=sources)





def _price_sources(kb: KnowledgeBase, ref: PriceRef) -> list[str]:
    for p in kb.price_points:
        if (p.material == ref.material and p.product == ref.product
                and p.market.value == ref.market and p.date == ref.date):
            return list(p.sources)
    return []


def run_episode(kb: KnowledgeBase, episode_id: str, *, runs: int = 200,
                seed: int = 0) -> EpisodeResult:
    """Replay one episode from its trigger facts and score each record."""
    episode = read_episode(kb, episode_id)
    if episode.scenario:
        scenario = load_scenario(episode.scenario, kb)
        name = episode.scenario
    else:
        scenario = load_scenario_data(scenario_for(episode, kb), f"episode {episode.id}", kb)
        name = scenario.name
    result = simulate(kb, scenario, runs=runs, seed=seed)
    material = kb.material(episode.material).id
    scored = [_score(r, kb, result, material) for r in episode.records]
    ids = {*episode.trigger.sources, *(s for r in scored for s in r.sources)}
    return EpisodeResult(
        id=episode.id, title=episode.title, material=material,
        calibration=episode.id in CALIBRATION_EPISODES, scenario=name, runs=runs, seed=seed,
        records=scored, passed=sum(r.status == "pass" for r in scored),
        failed=sum(r.status == "fail" for r in scored),
        not_modelled=sum(r.status == "not-modelled" for r in scored),
        sources={s: kb.sources[s].citation() for s in sorted(ids) if s in kb.sources})


def run_all(kb: KnowledgeBase, *, runs: int = 200, seed: int = 0) -> list[EpisodeResult]:
    """Every bundled episode, calibration episodes first."""
    ordered = sorted(episode_ids(), key=lambda e: (e not in CALIBRATION_EPISODES, e))
    return [run_episode(kb, e, runs=runs, seed=seed) for e in ordered]
