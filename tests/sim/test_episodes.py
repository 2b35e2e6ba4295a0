"""The backtest library: scenarios written from trigger facts, records scored on fixed bands."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from critmin.cli import main
from critmin.errors import NotFoundError
from critmin.kb import KnowledgeBase
from critmin.sim import episodes as ep


def test_partial_dates_read_as_mid_period() -> None:
    assert ep._mid("2024-10") == dt.date(2024, 10, 15)
    assert ep._mid("2024") == dt.date(2024, 7, 1)
    assert ep._mid("2024-Q4") == dt.date(2024, 11, 15)
    assert ep._span("2024-08:2024-11") == (dt.date(2024, 8, 15), dt.date(2024, 11, 15))


def test_scenario_comes_from_the_trigger_alone(kb: KnowledgeBase) -> None:
    episode = ep.read_episode(kb, "antimony-2024")
    scenario = ep.scenario_for(episode, kb)
    restriction = scenario["restrictions"][0]
    assert restriction["exporter"] == episode.restricting_country
    assert restriction["start"] == episode.trigger.effective.isoformat()
    first = min([episode.trigger.announced, *ep._record_dates(episode)])
    assert scenario["start"] == first.isoformat()
    assert "parameters" not in scenario  # nothing tuned per episode
    banned = episode.model_copy(update={"trigger": episode.trigger.model_copy(
        update={"instrument": "ban", "destinations": ["USA"]})})
    written = ep.scenario_for(banned, kb)
    assert written["restrictions"][0]["licensing"] == {"approval_probability": 0.0}
    assert written["restrictions"][0]["destinations"] == ["USA"]
    assert "USA" in written["destinations"]


def fake_result(p50: list[float], market: str = "world") -> SimpleNamespace:
    """Days 0, 30, 60 from 2024-01-01 with a price path (p5 = p50 / 2, p95 = p50 * 2)."""
    entry = SimpleNamespace(material="Sb", market=market, p50=p50, p5=[v / 2 for v in p50],
                            p95=[v * 2 for v in p50])
    return SimpleNamespace(dates=["2024-01-01", "2024-01-31", "2024-03-01"], days=[0, 30, 60],
                           prices=[entry], flows=[])


def price_record(kb: KnowledgeBase) -> tuple[ep.EpisodeRecord, float]:
    points = [p for p in kb.price_points if p.material == "Sb" and p.kind.value == "point"]
    a, b = points[0], points[1]
    record = ep.EpisodeRecord.model_validate({
        "id": "r", "kind": "price_ratio", "market": "world",
        "from": {"material": "Sb", "product": a.product, "market": a.market.value, "date": "2023-12"},
        "to": {"material": "Sb", "product": b.product, "market": b.market.value, "date": "2024-02"}})
    return record, b.value / a.value


def test_price_ratio_scoring_by_hand(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    record, _ = price_record(kb)
    prices = {record.from_.date: 10.0, record.to.date: 25.0}  # type: ignore[union-attr]
    monkeypatch.setattr(ep, "_price", lambda kb, ref: prices[ref.date])
    # 2023-12-15 is before the start: index 1; 2024-02-15 (day 45) is nearest day 30 or 60 -> 30
    scored = ep._score(record, kb, fake_result([1.0, 2.0, 4.0]), "Sb")  # type: ignore[arg-type]
    assert scored.recorded == 2.5
    assert scored.model_p50 == 2.0 and scored.model_p5 == 1.0 and scored.model_p95 == 4.0
    assert scored.status == "pass"  # 2.0 within x1.5 of 2.5, same direction
    flat = ep._score(record, kb, fake_result([1.0, 1.01, 1.0]), "Sb")  # type: ignore[arg-type]
    assert flat.status == "fail"  # the record moved 150%, the model did not move
    domestic = ep._score(record.model_copy(update={"market": "domestic"}), kb,
                         fake_result([1.0, 2.0, 4.0]), "Sb")  # type: ignore[arg-type]
    assert domestic.status == "not-modelled"


def test_direction_and_trade_records(kb: KnowledgeBase) -> None:
    down = ep.EpisodeRecord.model_validate({"id": "d", "kind": "price_direction", "market": "world",
                                            "period": "2024-01-01:2024-03-01", "value": "down"})
    scored = ep._score(down, kb, fake_result([1.0, 0.9, 0.8]), "Sb")  # type: ignore[arg-type]
    assert scored.status == "pass" and scored.model_p50 == pytest.approx(-0.2, abs=1e-6)
    up = down.model_copy(update={"value": "up"})
    assert ep._score(up, kb, fake_result([1.0, 0.9, 0.8]), "Sb").status == "fail"  # type: ignore[arg-type]
    trade = ep.EpisodeRecord.model_validate({"id": "t", "kind": "trade_change", "exporter": "CHN",
                                             "destination": "USA", "period": "2024-10",
                                             "baseline": 2023, "value": -0.9})
    assert trade.baseline == "2023"
    # no changed flow in the model: not modelled, said so
    missing = ep._score(trade, kb, fake_result([1.0, 1.0, 1.0]), "Sb")  # type: ignore[arg-type]
    assert missing.status == "not-modelled" and "no changed Sb flow from CHN to USA" in missing.reason
    # a flow at 0.1 of baseline in October 2024 against a pre-scenario baseline: change -0.9
    result = fake_result([1.0, 1.0, 1.0])
    result.dates = ["2024-09-01"]
    result.flows = [SimpleNamespace(material="Sb", stage="refining", exporter="CHN",
                                    destination="USA", baseline_share=0.2, days=[0, 30, 60],
                                    p5=[1.0, 0.0, 0.0], p50=[1.0, 0.1, 0.1], p95=[1.0, 0.3, 0.3])]
    scored = ep._score(trade, kb, result, "Sb")  # type: ignore[arg-type]
    assert scored.model_p50 == pytest.approx(-0.9) and scored.status == "pass"
    worse = trade.model_copy(update={"value": -0.5})
    assert ep._score(worse, kb, result, "Sb").status == "fail"  # type: ignore[arg-type]


def test_unknown_episode_is_named_with_suggestions(kb: KnowledgeBase) -> None:
    with pytest.raises(NotFoundError) as info:
        ep.read_episode(kb, "antimony-2042")
    assert "antimony-2024" in str(info.value)


def test_every_bundled_episode_runs(kb: KnowledgeBase) -> None:
    for episode_id in ep.episode_ids():
        result = ep.run_episode(kb, episode_id, runs=4, seed=1)
        assert result.passed + result.failed + result.not_modelled == len(result.records)
        assert result.calibration == (episode_id in ep.CALIBRATION_EPISODES)
        assert all(s in result.sources for r in result.records for s in r.sources)


def test_backtest_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--list", "--json"]) == 0
    names = json.loads(capsys.readouterr().out)
    assert names == ep.episode_ids()
    assert main(["backtest", names[0], "--runs", "4", "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["id"] == names[0] and {r["status"] for r in one["records"]} <= {
        "pass", "fail", "not-modelled"}
    assert main(["backtest", "no-such-episode"]) == 1
    assert "unknown episode" in capsys.readouterr().err
    assert main(["backtest", names[0], "--all"]) == 2
