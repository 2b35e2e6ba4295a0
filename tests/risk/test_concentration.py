"""HHI properties and the chokepoint ranking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from critmin.kb import KnowledgeBase, Stage
from critmin.risk import chokepoints, concentration, hhi, top_share

fractions = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1,
                     max_size=30)


def normalised(values: list[float]) -> list[float]:
    total = sum(values)
    return [v / total for v in values] if total > 0 else [1.0]


def test_single_supplier_is_10000() -> None:
    assert hhi([1.0]) == 10_000


@given(st.integers(min_value=1, max_value=200))
def test_n_equal_suppliers(n: int) -> None:
    assert hhi([1.0 / n] * n) == pytest.approx(10_000 / n)


@given(fractions, st.randoms())
def test_order_does_not_matter(values: list[float], rng: object) -> None:
    shares = normalised(values)
    shuffled = list(shares)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert hhi(shuffled) == pytest.approx(hhi(shares))


@given(fractions)
def test_bounds(values: list[float]) -> None:
    shares = normalised(values)
    value = hhi(shares)
    assert 10_000 / len(shares) - 1e-6 <= value <= 10_000 + 1e-6


@given(fractions)
def test_merging_two_suppliers_never_lowers_hhi(values: list[float]) -> None:
    shares = normalised([*values, 0.5])
    merged = [shares[0] + shares[-1], *shares[1:-1]]
    assert hhi(merged) >= hhi(shares) - 1e-9


def test_negative_share_rejected() -> None:
    with pytest.raises(ValueError):
        hhi([0.5, -0.1])


def test_top_share() -> None:
    assert top_share([0.1, 0.5, 0.2, 0.2], 3) == pytest.approx(0.9)
    assert top_share([0.4], 3) == pytest.approx(0.4)


def test_concentration_of_fixture(minimal_kb: KnowledgeBase) -> None:
    ree = minimal_kb.material("REE")
    [series] = minimal_kb.shares(ree, stage=Stage.MINING, year=2024)
    c = concentration(minimal_kb, series)
    # CHN 60, USA 20, AUS 10; ROW 10 counted as fragmented
    assert c.hhi == pytest.approx(3600 + 400 + 100)
    assert c.hhi_upper == pytest.approx(4200)
    assert (c.top_country, c.top_share, c.top3_share) == ("CHN", 0.6, 0.9)
    assert c.band == "high"


def test_chokepoints_use_latest_year_and_rank(minimal_kb: KnowledgeBase) -> None:
    ranked = chokepoints(minimal_kb)
    assert [(c.material, c.stage.value, c.year) for c in ranked] == [
        ("Ga", "refining", 2024), ("REE", "refining", 2024), ("REE", "mining", 2024)]
    assert [c.hhi for c in ranked] == sorted((c.hhi for c in ranked), reverse=True)
    assert len(chokepoints(minimal_kb, top=2)) == 2


def test_bundled_chokepoints(kb: KnowledgeBase) -> None:
    ranked = chokepoints(kb)
    assert len(ranked) >= 20
    assert all(c.sources and set(c.sources) <= set(kb.sources) for c in ranked)
    assert all(0 <= c.top_share <= 1 and 0 <= c.hhi <= 10_000 for c in ranked)
    by_key = {(c.material, c.stage): c for c in ranked}
    gallium = by_key[("Ga", Stage.REFINING)]
    assert gallium.top_country == "CHN" and gallium.top_share > 0.95
    assert by_key[("REE", Stage.MINING)].top_country == "CHN"
