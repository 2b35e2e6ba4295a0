"""How old each bundled dataset is: row counts, newest source and the latest period covered.

A figure is only as current as the document it came from, and users comparing a 2026 headline
with a critmin table need to see that the table's newest source is, say, USGS MCS 2026 of
February 2026 and that its figures stop at 2025. The same summary feeds `critmin data info`,
the "as of" lines under tables, the dashboard, and the generated counts in docs/data.md, so the
documentation can never drift from the data.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from critmin.kb.base import KnowledgeBase
from critmin.kb.load import RawData


class DatasetAge(BaseModel):
    """One dataset's size and age."""

    model_config = ConfigDict(frozen=True)

    dataset: str
    """Name as in docs/data.md: shares, prices, import_reliance, facilities..."""
    rows: int
    """Records in the dataset."""
    as_of: str | None
    """Publication date (partial ISO) of the newest source its records cite."""
    latest_period: str | None
    """Latest year or date the figures describe (None where records describe no period)."""


def newest_source_date(kb: KnowledgeBase, source_ids: Iterable[str]) -> str | None:
    """The latest publication date among `source_ids` (partial ISO dates compare as text)."""
    dates = [kb.sources[s].date for s in source_ids if s in kb.sources]
    return max(dates, default=None)


def _age(kb: KnowledgeBase, name: str, records: Iterable[object],
         periods: Iterable[str]) -> DatasetAge:
    items = list(records)
    cited: set[str] = set()
    for item in items:
        cited.update(getattr(item, "sources", ()))
        for intensity in getattr(item, "intensities", ()):
            cited.update(intensity.sources)
    return DatasetAge(dataset=name, rows=len(items), as_of=newest_source_date(kb, cited),
                      latest_period=max(periods, default=None))


def dataset_ages(kb: KnowledgeBase) -> list[DatasetAge]:
    """Every bundled dataset with its row count, newest source and latest period."""
    return [
        DatasetAge(dataset="sources", rows=len(kb.sources),
                   as_of=max((s.date for s in kb.sources.values()), default=None),
                   latest_period=None),
        DatasetAge(dataset="materials", rows=len(kb.materials), as_of=None, latest_period=None),
        DatasetAge(dataset="countries", rows=len(kb.countries), as_of=None, latest_period=None),
        _age(kb, "shares", kb.share_rows, (str(r.year) for r in kb.share_rows)),
        # Start years include planned ones, so facilities report no latest period.
        _age(kb, "facilities", kb.facilities, ()),
        _age(kb, "end_uses", kb.end_uses, ()),
        _age(kb, "criticality", kb.criticality.values(), ()),
        _age(kb, "imports", kb.imports, (r.period for r in kb.imports)),
        _age(kb, "prices", kb.price_points, (p.date for p in kb.price_points)),
        _age(kb, "import_reliance", kb.reliance, (str(r.year) for r in kb.reliance)),
        _age(kb, "element_content", kb.element_content, ()),
    ]


def dataset_age(kb: KnowledgeBase, dataset: str) -> DatasetAge:
    """One dataset's age by name (KeyError for an unknown name: a programming error)."""
    for age in dataset_ages(kb):
        if age.dataset == dataset:
            return age
    raise KeyError(dataset)


def as_of_line(kb: KnowledgeBase, dataset: str, shown_sources: Iterable[str] = ()) -> str:
    """One sentence for under a table: the newest source of what is shown and of the dataset.

    >>> as_of_line(kb, "shares", ["usgs-mcs2026-gallium"])  # doctest: +SKIP
    'As of 2026-02 (newest source shown); shares dataset as of 2026-02, figures to 2025.'
    """
    age = dataset_age(kb, dataset)
    shown = newest_source_date(kb, shown_sources)
    parts = []
    if shown is not None:
        parts.append(f"As of {shown} (newest source shown)")
    whole = f"{dataset.replace('_', ' ')} dataset as of {age.as_of or 'n/a'}"
    if age.latest_period:
        whole += f", figures to {age.latest_period}"
    parts.append(whole if parts else whole[0].upper() + whole[1:])
    return "; ".join(parts) + "."


#: Markers around the generated counts in docs/data.md (rewritten by tools/gen_docs.py).
COUNTS_BEGIN = "<!-- BEGIN GENERATED COUNTS -->"
COUNTS_END = "<!-- END GENERATED COUNTS -->"


def render_counts(kb: KnowledgeBase, files: dict[str, int]) -> str:
    """The datasets table and the rows per data file, as Markdown between the markers.

    `files` maps a data file (relative to the data folder) to its record count; the loader
    knows where each record came from, so tools/gen_docs.py passes those counts in.
    """
    lines = [COUNTS_BEGIN, "", "| dataset | rows | as of (newest source) | figures to |",
             "|---|---:|---|---|"]
    for age in dataset_ages(kb):
        lines.append(f"| {age.dataset} | {age.rows:,} | {age.as_of or ''} "
                     f"| {age.latest_period or ''} |")
    lines += ["", "Rows per file:", "", "| file | rows |", "|---|---:|"]
    lines += [f"| `{name}` | {count:,} |" for name, count in sorted(files.items())]
    lines += ["", COUNTS_END, ""]
    return "\n".join(lines)


def file_counts(raw: RawData) -> dict[str, int]:
    """Records per data file, from the location the loader kept for each record."""
    counts: dict[str, int] = {}
    for records in (raw.sources, raw.materials, raw.countries, raw.companies, raw.shares,
                    raw.series_notes, raw.facilities, raw.end_uses, raw.criticality,
                    raw.governance, raw.imports, raw.prices, raw.reliance, raw.element_content):
        for item in records:
            name = item.location.file
            counts[name] = counts.get(name, 0) + 1
    return counts
