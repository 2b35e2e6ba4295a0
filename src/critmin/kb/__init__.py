"""critmin's sourced knowledge base: materials, countries, shares, facilities, end uses, sources.

Public entry points: `load_kb` (validated, cached), `check_data` (every problem, for
`critmin data check`), `parse_stage`, `parse_market` and `parse_since`;
`dataset_ages` / `as_of_line` say how old each dataset's figures are.
"""

from critmin.kb.base import (
    KnowledgeBase,
    check_data,
    load_kb,
    parse_market,
    parse_since,
    parse_stage,
)
from critmin.kb.freshness import DatasetAge, as_of_line, dataset_age, dataset_ages, newest_source_date
from critmin.kb.load import Problem
from critmin.kb.models import ImportReliance, Market, Material, Measure, PriceKind, PricePoint, Source, Stage
from critmin.kb.series import CountryShare, ShareSeries

__all__ = [
    "CountryShare",
    "DatasetAge",
    "ImportReliance",
    "KnowledgeBase",
    "Market",
    "Material",
    "Measure",
    "PriceKind",
    "PricePoint",
    "Problem",
    "ShareSeries",
    "Source",
    "Stage",
    "as_of_line",
    "check_data",
    "dataset_age",
    "dataset_ages",
    "load_kb",
    "newest_source_date",
    "parse_market",
    "parse_since",
    "parse_stage",
]
