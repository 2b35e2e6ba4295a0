"""critmin's export-control rule engine: measures as dated data, and a licence check for BOMs.

Public entry points:
- `check(bom, shipment)`: every measure in force on the shipment date applied to a BOM,
  as a `Decision` (loads the bundled measures and knowledge base unless given).
- `load_rules()`: the bundled measures, validated against the knowledge base and indexed.
- `measures_on(day)`: the status of every measure on a day; `diff(start, end)`: what changed.
- `read_bom(path)`, `parse_bom(data)`, `make_shipment(...)`: input at the edge, validated.
- `screen(name, on)`: a name against the party lists (bundled, plus list files from
  `load_screener(files)`), with the 50% rule for given owners; `check` screens a shipment's
  parties the same way.
The pure function underneath is `critmin.rules.engine.check(bom, shipment, rules, kb)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from critmin.errors import CritminError
from critmin.kb import KnowledgeBase, load_kb
from critmin.rules import engine
from critmin.rules.bom import (
    BatchJob,
    batch_jobs,
    check_shipment_options,
    make_shipment,
    parse_bom,
    parse_date,
    parse_owner_option,
    parse_party_option,
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
    MatchKind,
    Measure,
    MeasureResult,
    Outcome,
    Owner,
    Party,
    PartyMatch,
    PartyRole,
    Shipment,
    clip,
)
from critmin.rules.screening import (
    HIT_SCORE,
    REVIEW_SCORE,
    PartyList,
    Screener,
    bundled_screener,
    normalise,
    read_party_file,
)
from critmin.rules.status import Status, StatusOn

__all__ = [
    "HIT_SCORE",
    "REVIEW_SCORE",
    "BatchJob",
    "Bom",
    "Decision",
    "Diff",
    "MatchKind",
    "Measure",
    "MeasureResult",
    "Outcome",
    "Owner",
    "Party",
    "PartyList",
    "PartyMatch",
    "PartyRole",
    "RuleSet",
    "Screener",
    "Shipment",
    "Status",
    "StatusOn",
    "batch_jobs",
    "check",
    "check_shipment_options",
    "clip",
    "diff",
    "load_rules",
    "load_screener",
    "make_shipment",
    "measures_on",
    "normalise",
    "parse_bom",
    "parse_date",
    "parse_owner_option",
    "parse_party_option",
    "read_bom",
    "screen",
]

_bundled: dict[str, RuleSet] = {}


def load_rules(directory: Path | None = None, kb: KnowledgeBase | None = None, *,
               list_files: Sequence[Path] = ()) -> RuleSet:
    """Measures from `directory` (default: bundled), validated against the KB and indexed once.

    `list_files` (a Consolidated Screening List CSV/JSON, or a party list in YAML) are screened
    with the bundled party lists; see `load_screener`.
    """
    if list_files:
        base = load_rules(directory, kb)
        return RuleSet(base.measures, screener=load_screener(list_files, kb))
    if directory is None and kb is None:
        if "default" not in _bundled:
            _bundled["default"] = RuleSet(load_measures())
        return _bundled["default"]
    return RuleSet(load_measures(directory, kb))


def load_screener(list_files: Sequence[Path] = (), kb: KnowledgeBase | None = None) -> Screener:
    """The bundled party lists plus the lists in `list_files`, indexed for screening.

    A file's list replaces the bundled list of the same id (today's Consolidated Screening List
    is complete where the bundled U.S. entries are a sourced subset); the bundled list's 50%
    rule carries over. Any problem with a file fails the whole load, naming file and field.
    """
    bundled = bundled_screener()
    if not list_files:
        return bundled
    kb = kb or load_kb()

    def country(code: str) -> str | None:
        try:
            return kb.country(code).id
        except CritminError:
            return None

    merged: dict[str, PartyList] = {}
    for path in list_files:
        for party_list in read_party_file(path, country):
            known = merged.get(party_list.id)
            if known is not None:
                party_list = known.model_copy(update={"notices": [*known.notices, *party_list.notices]})
            merged[party_list.id] = party_list
    lists: list[PartyList] = []
    for party_list in bundled.lists:
        replacement = merged.pop(party_list.id, None)
        if replacement is None:
            lists.append(party_list)
        else:
            lists.append(replacement.model_copy(update={"affiliates": replacement.affiliates
                                                        or party_list.affiliates}))
    return Screener([*lists, *merged.values()])


def screen(name: str, on: dt.date, *, country: str | None = None, owners: Sequence[Owner] = (),
           screener: Screener | None = None, kb: KnowledgeBase | None = None) -> list[PartyMatch]:
    """`name` against every party list on `on`: hits, possible matches to review and suspended
    listings, best first; with `owners`, also the 50% rule. `country` is a code or a name."""
    code = None
    if country:
        code = (kb or load_kb()).country(country).id
    return (screener or bundled_screener()).screen_party(name, on, country=code, owners=owners)


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
