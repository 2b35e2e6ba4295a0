"""Share series: one stage of one material in one year, country by country.

Sources give either tonnages (USGS) or percentages (IEA). A series turns either into
fractions of the world so that every later calculation (HHI, top shares, supply risk)
starts from the same shape, and keeps each row's sources and confidence beside its number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from critmin.kb.models import Confidence, Measure, SeriesNote, ShareRow, Stage

REST_OF_WORLD = "ROW"
WORLD_TOTAL = "WLD"

SeriesKey = tuple[str, Stage, Measure, int]


class CountryShare(BaseModel):
    """One country's row in a series, with its share of the world."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    country: str
    """ISO-3 code, or ROW for the rest of the world."""
    quantity: float | None
    """Quantity in the series' unit, when the source gives one."""
    share: float
    """Fraction 0-1 of the listed world total."""
    sources: list[str]
    confidence: Confidence
    note: str | None = None


class ShareSeries(BaseModel):
    """A material's stage in one year, country by country, with everything needed to cite it."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    material: str
    """Material id the figures are for (the aggregate's id when `aggregate_for` is set)."""
    stage: Stage
    measure: Measure
    year: int
    unit: str | None
    """Unit of the quantities; None when the source gives only shares."""
    rows: list[CountryShare]
    """Countries, largest share first; ROW last."""
    world_total: float | None = None
    """World total as the source reports it (often rounded), when it does."""
    partial: bool = False
    """True when the rows are known not to cover the world."""
    partial_note: str | None = None
    aggregate_for: str | None = None
    """Set when these are the aggregate's figures shown for an element that has none."""
    sources: list[str] = Field(default_factory=list)
    """Every source id behind any row, in order of first use."""

    @property
    def key(self) -> SeriesKey:
        return (self.material, self.stage, self.measure, self.year)

    def countries(self) -> list[CountryShare]:
        """Named countries only (ROW excluded): the suppliers one can point to."""
        return [r for r in self.rows if r.country != REST_OF_WORLD]

    def rest_of_world(self) -> float:
        return sum(r.share for r in self.rows if r.country == REST_OF_WORLD)

    def share_sum(self) -> float:
        return sum(r.share for r in self.rows)


def build_series(rows: Iterable[ShareRow], notes: Iterable[SeriesNote] = ()) -> list[ShareSeries]:
    """Group rows into series and compute each country's share.

    Quantity series: share = quantity / sum of listed quantities (ROW included, WLD excluded),
    so the shares always close; the reported world total is kept for comparison because USGS
    rounds it. Share series keep the published fractions as they are, so a data check can tell
    whether they close.
    """
    grouped: dict[SeriesKey, list[ShareRow]] = defaultdict(list)
    for row in rows:
        grouped[row.series_key].append(row)
    note_by_key = {(n.material, n.stage, n.measure, n.year): n for n in notes}
    series = [_one_series(key, members, note_by_key.get(key)) for key, members in grouped.items()]
    return sorted(series, key=lambda s: (s.material, list(Stage).index(s.stage), s.measure, s.year))


def _one_series(key: SeriesKey, members: list[ShareRow], note: SeriesNote | None) -> ShareSeries:
    material, stage, measure, year = key
    world = next((r for r in members if r.country == WORLD_TOTAL), None)
    suppliers = [r for r in members if r.country != WORLD_TOTAL]
    by_quantity = all(r.quantity is not None for r in suppliers)
    total = sum(r.quantity or 0.0 for r in suppliers) if by_quantity else 0.0
    shares: list[CountryShare] = []
    for row in suppliers:
        if by_quantity and total > 0:
            fraction = (row.quantity or 0.0) / total
        else:
            fraction = row.share if row.share is not None else 0.0
        # built from rows the loader has validated: constructing skips a second validation,
        # which was a fifth of the load time with several times today's rows
        shares.append(CountryShare.model_construct(
            country=row.country, quantity=row.quantity, share=float(fraction),
            sources=list(row.sources), confidence=row.confidence, note=row.note))
    shares.sort(key=lambda s: (s.country == REST_OF_WORLD, -s.share, s.country))
    units = [r.unit for r in members if r.unit]
    cited: list[str] = []
    for row in members:
        cited += [s for s in row.sources if s not in cited]
    return ShareSeries.model_construct(
        material=material, stage=stage, measure=measure, year=year, aggregate_for=None,
        unit=units[0] if units else None, rows=shares,
        world_total=world.quantity if world else None,
        partial=bool(note and note.partial), partial_note=note.note if note else None,
        sources=cited)
