"""critmin's export-control rule engine: measures as dated data, and a licence check for BOMs.

Public entry points:
- `check(bom, shipment)`: every measure in force on the shipment date applied to a BOM,
  as a `Decision` (loads the bundled measures and knowledge base unless given).
- `load_rules()`: the bundled measures, validated against the knowledge base and indexed.
- `measures_on(day)`: the status of every measure on a day; `diff(start, end)`: what changed.
- `read_bom(path)`, `parse_bom(data)`, `make_shipment(...)`: input at the edge, validated.
The pure function underneath is `critmin.rules.engine.check(bom, shipment, rules, kb)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from critmin.kb import KnowledgeBase, load_kb
from critmin.rules import engine
from critmin.rules.bom import (
    BatchJob,
    batch_jobs,
    check_shipment_options,
    make_shipment,
    parse_bom,
    parse_date,
    read_bom,
    resolve,
)
from critmin.rules.diff import Diff
from critmin.rules.diff import diff as _diff
from critmin.rules.engine import RuleSet
from critmin.rules.load import load_measures
from critmin.rules.models import (
    Bom,
    Decision,
    Measure,
    MeasureResult,
    Outcome,
    Shipment,
    clip,
)
from critmin.rules.status import Status, StatusOn

__all__ = [
    "BatchJob",
    "Bom",
    "Decision",
    "Diff",
    "Measure",
    "MeasureResult",
    "Outcome",
    "RuleSet",
    "Shipment",
    "Status",
    "StatusOn",
    "batch_jobs",
    "check",
    "check_shipment_options",
    "clip",
    "diff",
    "load_rules",
    "make_shipment",
    "measures_on",
    "parse_bom",
    "parse_date",
    "read_bom",
]

_bundled: dict[str, RuleSet] = {}


def load_rules(directory: Path | None = None, kb: KnowledgeBase | None = None) -> RuleSet:
    """Measures from `directory` (default: bundled), validated against the KB and indexed once."""
    if directory is None and kb is None:
        if "default" not in _bundled:
            _bundled["default"] = RuleSet(load_measures())
        return _bundled["default"]
    return RuleSet(load_measures(directory, kb))


def check(bom: Bom | Mapping[str, Any] | Path, shipment: Shipment, *, rules: RuleSet | None = None,
          kb: KnowledgeBase | None = None) -> Decision:
    """A BOM (model, mapping or file) checked against every measure in force on the shipment date."""
    kb = kb or load_kb()
    if isinstance(bom, Path):
        bom = read_bom(bom, kb)
    elif not isinstance(bom, Bom):
        bom = parse_bom(bom, kb)
    else:
        bom = resolve(bom, kb)  # a model built in Python may use names ('dysprosium', 'China')
    return engine.check(bom, shipment, rules or load_rules(), kb)


def measures_on(day: dt.date, rules: RuleSet | None = None) -> list[StatusOn]:
    """The status of every measure on `day`."""
    return (rules or load_rules()).statuses(day)


def diff(start: dt.date, end: dt.date, rules: RuleSet | None = None) -> Diff:
    """Status changes and dated events between two days."""
    return _diff((rules or load_rules()).measures, start, end)
