"""Fixtures for the rule engine: the bundled measures, indexed once."""

from __future__ import annotations

import pytest

from critmin.rules import RuleSet, load_rules


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules()
