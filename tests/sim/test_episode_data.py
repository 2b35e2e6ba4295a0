"""The recorded export-restriction episodes (src/critmin/sim/data/episodes/*.yaml) are well formed
and every figure they cite resolves in the bundled knowledge base."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

import critmin
from critmin.kb import KnowledgeBase, load_kb

EPISODES = Path(critmin.__file__).parent / "sim" / "data" / "episodes"
FILES = sorted(EPISODES.glob("*.yaml"))

TOP_KEYS = {"id", "title", "material", "restricting_country", "trigger", "records"}
TRIGGER_KEYS = {"announced", "effective", "ended", "instrument", "stages", "destinations",
                "quota_tonnes_per_year", "duty_fraction", "licence_review_days", "sources", "note"}
INSTRUMENTS = {"licence", "ban", "quota", "duty", "suspension", "ore_ban"}
STAGES = {"mining", "refining", "metal", "magnet"}
RECORD_KINDS = {"price_ratio", "trade_change", "price_direction"}
RECORD_MARKETS = {"world", "domestic"}
CONFIDENCE = {"high", "medium", "low"}
#: A period: a year, a month or a quarter, or a range of two of them joined by ':'.
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    return data


def _date(value: object) -> dt.date:
    """A calendar date: YAML gives a date for an unquoted YYYY-MM-DD; a string must parse."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _period_ok(value: object) -> bool:
    parts = str(value).split(":")
    if len(parts) > 2 or not all(PERIOD.match(p) for p in parts):
        return False
    return len(parts) == 1 or parts[0] <= parts[1]


def test_there_are_episodes() -> None:
    assert len(FILES) >= 6


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_episode_shape(path: Path, kb: KnowledgeBase) -> None:
    ep = _load(path)
    assert set(ep) >= TOP_KEYS, f"missing keys {TOP_KEYS - set(ep)}"
    assert ep["id"] == path.stem
    assert ep["material"] in kb.materials
    assert ep["restricting_country"] in kb.countries

    trig = ep["trigger"]
    assert set(trig) >= TRIGGER_KEYS, f"trigger lacks {TRIGGER_KEYS - set(trig)}"
    announced, effective = _date(trig["announced"]), _date(trig["effective"])
    assert announced <= effective
    if trig["ended"] is not None:
        assert _date(trig["ended"]) >= effective
    assert trig["instrument"] in INSTRUMENTS
    assert trig["stages"] and set(trig["stages"]) <= STAGES
    dests = trig["destinations"]
    assert dests == "all" or (isinstance(dests, list) and all(d in kb.countries for d in dests))
    for key in ("quota_tonnes_per_year", "duty_fraction", "licence_review_days"):
        assert trig[key] is None or trig[key] > 0
    if trig["duty_fraction"] is not None:
        assert trig["duty_fraction"] < 1
    assert trig["sources"] and trig["note"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_sources_resolve(path: Path, kb: KnowledgeBase) -> None:
    ep = _load(path)
    cited = list(ep["trigger"]["sources"])
    for rec in ep["records"]:
        cited += rec.get("sources", [])
    for fact in ep.get("context") or []:
        cited += fact.get("sources", [])
    missing = sorted({s for s in cited if s not in kb.sources})
    assert not missing, f"unknown source ids: {missing}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_records(path: Path, kb: KnowledgeBase) -> None:
    ep = _load(path)
    records = ep["records"]
    assert records, "an episode needs at least one record"
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "record ids must be unique within the file"
    prices = {(p.material, p.product, p.market.value, p.date) for p in kb.price_points}
    for rec in records:
        assert rec["kind"] in RECORD_KINDS, rec["id"]
        assert rec.get("note"), rec["id"]
        if rec["kind"] == "price_ratio":
            assert rec["market"] in RECORD_MARKETS, rec["id"]
            for end in ("from", "to"):
                point = rec[end]
                key = (point["material"], point["product"], point["market"], str(point["date"]))
                assert key in prices, f"{rec['id']}: no price {key} in the price dataset"
            assert str(rec["from"]["date"]) < str(rec["to"]["date"]), rec["id"]
        elif rec["kind"] == "trade_change":
            assert rec["exporter"] in kb.countries, rec["id"]
            assert rec["destination"] == "WLD" or rec["destination"] in kb.countries, rec["id"]
            assert rec["stage"] in STAGES, rec["id"]
            assert _period_ok(rec["period"]) and _period_ok(rec["baseline"]), rec["id"]
            assert isinstance(rec["value"], (int, float)) and rec["value"] >= -1, rec["id"]
            assert rec["sources"] and rec["confidence"] in CONFIDENCE, rec["id"]
        else:
            assert rec["market"] in RECORD_MARKETS, rec["id"]
            assert _period_ok(rec["period"]), rec["id"]
            assert rec["value"] in {"up", "down", "flat"}, rec["id"]
            assert rec["sources"], rec["id"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_context_facts(path: Path) -> None:
    for fact in _load(path).get("context") or []:
        assert fact.get("fact") and fact.get("sources"), fact
        if fact.get("date") is not None:
            assert _period_ok(fact["date"]) or _date(fact["date"]), fact
