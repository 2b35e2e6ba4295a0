"""Import dependence: how much of a country's or bloc's imports of a product come from whom.

Built from sourced trade shares (imports.csv). The headline numbers an analyst asks for are the
share from China, the largest supplier and how concentrated the suppliers are.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict

from critmin.kb import KnowledgeBase
from critmin.kb.models import ImportShare
from critmin.kb.series import REST_OF_WORLD
from critmin.risk.concentration import hhi


class SupplierShare(BaseModel):
    model_config = ConfigDict(frozen=True)

    supplier: str
    supplier_name: str
    share: float
    """Fraction 0-1 of the importer's imports of the product in the period."""


class ImportDependence(BaseModel):
    """One importer's sourcing of one product over one period."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    importer: str
    importer_name: str
    product: str
    """Traded product, e.g. ree_compounds_metals or permanent_magnets."""
    material: str
    period: str
    suppliers: list[SupplierShare]
    """Suppliers, largest first, rest of world last."""
    china_share: float
    """Share supplied by China (0 when China is not listed)."""
    top_supplier: str
    top_share: float
    hhi: float
    """Supplier HHI on the 0-10,000 scale, ROW counted as fragmented."""
    sources: list[str]
    confidence: str
    notes: list[str]


def import_dependence(
    kb: KnowledgeBase, *, importer: str | None = None, material: str | None = None
) -> list[ImportDependence]:
    """Every (importer, product, period) group, optionally filtered, latest period first."""
    groups: dict[tuple[str, str, str], list[ImportShare]] = defaultdict(list)
    for row in kb.imports:
        if importer is not None and row.importer != importer:
            continue
        if material is not None and row.material != material:
            continue
        groups[(row.importer, row.product, row.period)].append(row)
    out = [_summarise(kb, rows) for rows in groups.values()]
    return sorted(out, key=lambda d: (d.importer, d.product, _period_end(d.period)), reverse=False)


def _period_end(period: str) -> str:
    return period.split("-")[-1]


def _summarise(kb: KnowledgeBase, rows: list[ImportShare]) -> ImportDependence:
    first = rows[0]
    ordered = sorted(rows, key=lambda r: (r.supplier == REST_OF_WORLD, -r.share, r.supplier))
    named = [r for r in ordered if r.supplier != REST_OF_WORLD]
    confidence_rank = {"high": 0, "medium": 1, "low": 2}
    worst = max((r.confidence.value for r in rows), key=lambda c: confidence_rank[c])
    return ImportDependence(
        importer=first.importer, importer_name=kb.country_name(first.importer),
        product=first.product, material=first.material, period=first.period,
        suppliers=[SupplierShare(supplier=r.supplier, supplier_name=kb.country_name(r.supplier),
                                 share=r.share) for r in ordered],
        china_share=sum(r.share for r in rows if r.supplier == "CHN"),
        top_supplier=named[0].supplier if named else REST_OF_WORLD,
        top_share=named[0].share if named else 0.0,
        hhi=round(hhi(r.share for r in named), 1),
        sources=list(dict.fromkeys(s for r in rows for s in r.sources)),
        confidence=worst,
        notes=list(dict.fromkeys(r.note for r in rows if r.note)),
    )


def supplier_shares(
    kb: KnowledgeBase, *, importer: str, material: str
) -> list[tuple[str, float]]:
    """(supplier, share) of the importer's latest period for a material, for supply-risk use."""
    found = import_dependence(kb, importer=importer, material=material)
    if not found:
        return []
    latest = max(found, key=lambda d: _period_end(d.period))
    return [(s.supplier, s.share) for s in latest.suppliers]
