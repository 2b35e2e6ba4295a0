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
