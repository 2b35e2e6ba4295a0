"""The backtest compares with the record and says where the model is wrong."""

from __future__ import annotations

from critmin.kb import KnowledgeBase
from critmin.sim import backtest
from critmin.sim.backtest import read_records


def test_records_are_sourced(kb: KnowledgeBase) -> None:
    records = read_records(kb)
    assert set(records.series) == {"Nd", "Dy"}
    for points in records.series.values():
        assert points[0].date.year == 2010 and len(points) >= 5


def test_backtest_compares_and_explains(kb: KnowledgeBase) -> None:
    result = backtest(kb, runs=24, seed=0)
    assert len(result.points) == sum(len(v) for v in read_records(kb).series.values())
    first = [p for p in result.points if p.date == "2010-01-01"]
    assert first and all(abs(p.recorded_index - 1) < 1e-9 for p in first)
    for s in result.summaries:
        assert s.recorded_peak > 10
        assert s.model_peak_p50 > 1.0
    # the model cannot reproduce a 14-22x spike from a 40% quota cut: it must say so
    assert any("below the recorded peak" in f for f in result.findings)
    assert all(p.model_p5 <= p.model_p50 <= p.model_p95 for p in result.points)
