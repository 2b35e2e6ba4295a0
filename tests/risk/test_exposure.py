"""Import dependence from sourced trade shares."""

from __future__ import annotations

import pytest

from critmin.kb import KnowledgeBase
from critmin.risk import import_dependence


def test_fixture_dependence(minimal_kb: KnowledgeBase) -> None:
    [usa] = import_dependence(minimal_kb, importer="USA")
    assert usa.china_share == pytest.approx(0.7)
    assert usa.top_supplier == "CHN"
    assert [s.supplier for s in usa.suppliers] == ["CHN", "JPN", "ROW"]
    assert usa.hhi == pytest.approx(4900 + 400)


def test_filters(minimal_kb: KnowledgeBase) -> None:
    assert [d.importer for d in import_dependence(minimal_kb, material="Ga")] == ["EU"]
    assert import_dependence(minimal_kb, importer="JPN") == []


def test_bundled_usa_rare_earths(kb: KnowledgeBase) -> None:
    found = [d for d in import_dependence(kb, importer="USA")
             if d.product == "ree_compounds_metals"]
    assert found and found[0].china_share == pytest.approx(0.70)
    importers = {d.importer for d in import_dependence(kb)}
    assert {"USA", "EU", "JPN"} <= importers
