"""How concentrated each stage of each material is: HHI and top-country shares.

HHI is reported on the 0-10,000 scale (shares in percent, squared, summed). The rest-of-world
row is many small producers lumped together, so it is not counted as one supplier: the
reported HHI is a lower bound, and `hhi_upper` gives the value if ROW were a single country.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from critmin.kb import KnowledgeBase, Measure, ShareSeries, Stage

HHI_MAX = 10_000.0


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl-Hirschman index on the 0-10,000 scale from fractions of a whole.

    Fractions need not sum to one (a partial series); each contributes (100*s)^2.
    """
    total = 0.0
    for share in shares:
        if share < 0:
            raise ValueError("shares must be non-negative")
        total += (share * 100.0) ** 2
    return total


def top_share(shares: Iterable[float], n: int) -> float:
    """Sum of the n largest shares."""
    return sum(sorted(shares, reverse=True)[:n])


class Concentration(BaseModel):
    """Concentration of one stage of one material in one year."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    material: str
    """Material id the figures are for."""
    material_name: str
    stage: Stage
    measure: Measure
    year: int
    hhi: float
    """HHI over named countries, 0-10,000 (ROW counted as fragmented)."""
    hhi_upper: float
    """HHI if the rest-of-world row were a single supplier."""
    top_country: str
    """ISO-3 code of the largest named supplier."""
    top_country_name: str
    top_share: float
    """Largest named supplier's share, 0-1."""
    top3_share: float
    """Three largest named suppliers' combined share, 0-1."""
    countries: int
    """Named countries in the series."""
    partial: bool
    """True when the series is known not to cover the world."""
    sources: list[str]
    """Source ids behind the series."""

    @property
    def band(self) -> str:
        """The usual reading of HHI: below 1,500 unconcentrated, above 2,500 highly."""
        if self.hhi >= 2500:
            return "high"
        if self.hhi >= 1500:
            return "moderate"
        return "low"


def concentration(kb: KnowledgeBase, series: ShareSeries) -> Concentration:
    """HHI and top shares of one series."""
    named = series.countries()
    named_shares = [r.share for r in named]
    top = named[0] if named else None
    rest = series.rest_of_world()
    material = kb.materials[series.material]
    return Concentration(
        material=series.material,
        material_name=material.names.en,
        stage=series.stage,
        measure=series.measure,
        year=series.year,
        hhi=round(hhi(named_shares), 1),
        hhi_upper=round(hhi([*named_shares, rest]), 1),
        top_country=top.country if top else "ROW",
        top_country_name=kb.country_name(top.country) if top else "Rest of world",
        top_share=round(top.share, 4) if top else 0.0,
        top3_share=round(top_share(named_shares, 3), 4),
        countries=len(named),
        partial=series.partial,
        sources=series.sources,
    )


def chokepoints(
    kb: KnowledgeBase, *, top: int | None = None, measure: Measure = Measure.PRODUCTION
) -> list[Concentration]:
    """Material x stage pairs, latest year each, ranked by HHI (highest first)."""
    latest: dict[tuple[str, Stage], ShareSeries] = {}
    for series in kb.series:
        if series.measure is not measure:
            continue
        key = (series.material, series.stage)
        if key not in latest or series.year > latest[key].year:
            latest[key] = series
    ranked = sorted((concentration(kb, s) for s in latest.values()),
                    key=lambda c: (-c.hhi, c.material, c.stage.value))
    return ranked[:top] if top else ranked


def concentrations(kb: KnowledgeBase, series: Sequence[ShareSeries]) -> list[Concentration]:
    return [concentration(kb, s) for s in series]
