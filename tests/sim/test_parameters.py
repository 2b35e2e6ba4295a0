"""Every parameter is sourced, derived from sources, or an assumption marked low with a reason."""

from __future__ import annotations

import pytest

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase
from critmin.sim.parameters import Kind, load_parameters
from critmin.sim.simulation import apply_overrides, parameters_used


def test_every_value_is_traceable(kb: KnowledgeBase) -> None:
    params = load_parameters(kb)
    used = parameters_used(params)
    assert len(used) > 30
    for p in used:
        if p.kind == Kind.ASSUMPTION.value:
            assert p.confidence == "low", p.path
        else:
            assert p.sources and all(s in kb.sources for s in p.sources), p.path


def test_overrides_by_path(kb: KnowledgeBase) -> None:
    params = load_parameters(kb)
    changed = apply_overrides(params, {"prices.flexibility": 1.3, "sectors.wind.elasticity": -0.4})
    assert changed.prices.flexibility.value == 1.3
    assert changed.sectors["wind"].elasticity.value == -0.4
    assert changed.prices.flexibility.kind is Kind.ASSUMPTION
    with pytest.raises(CritminError, match=r"parameters.prices.flex: no such parameter"):
        apply_overrides(params, {"prices.flex": 1.0})


def test_overrides_must_be_finite_and_in_range(kb: KnowledgeBase) -> None:
    params = load_parameters(kb)
    for path, value, message in [
        ("prices.flexibility", float("nan"), "expected a finite number"),
        ("prices.cap", float("inf"), "expected a finite number"),
        ("prices.cap", 0.5, "outside the range 1 to 1000"),
        ("sectors.wind.elasticity", 2.0, "outside the range -5 to 0"),
        ("licensing.approval_probability", 1.5, "outside the range 0 to 1"),
        ("licensing.approval_concentration", 0, "outside the range 0.01 to"),
        ("inventory_days.stage.refining", 1e9, "outside the range 0 to 7305"),
    ]:
        with pytest.raises(CritminError) as err:
            apply_overrides(params, {path: value})
        assert str(err.value).startswith(f"parameters.{path}: ") and message in str(err.value)


def test_bundled_values_lie_in_the_override_ranges(kb: KnowledgeBase) -> None:
    """The ranges are the engine's safe region; the bundled values must be inside them."""
    from critmin.sim.parameters import bounds_for

    for p in parameters_used(load_parameters(kb)):
        bounds = bounds_for(p.path)
        assert bounds is not None, f"{p.path} has no range in BOUNDS"
        assert bounds[0] <= p.value <= bounds[1], p.path
