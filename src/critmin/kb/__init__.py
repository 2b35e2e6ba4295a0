"""critmin's sourced knowledge base: materials, countries, shares, facilities, end uses, sources.

Public entry points: `load_kb` (validated, cached), `check_data` (every problem, for
`critmin data check`) and `parse_stage`.
"""

from critmin.kb.base import KnowledgeBase, check_data, load_kb, parse_stage
from critmin.kb.load import Problem
from critmin.kb.models import Material, Measure, Source, Stage
from critmin.kb.series import CountryShare, ShareSeries

__all__ = [
    "CountryShare",
    "KnowledgeBase",
    "Material",
    "Measure",
    "Problem",
    "ShareSeries",
    "Source",
    "Stage",
    "check_data",
    "load_kb",
    "parse_stage",
]
