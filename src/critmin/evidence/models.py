"""What a parsed document and an extracted figure look like, before and after storage.

Parsers (one module a format) turn bytes into `ParsedDocument`s; the extractor turns text into
`Figure`s; the store keeps both. Keeping these shapes in one place lets each piece be built and
tested alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["zh", "en", "mixed"]
FigureKind = Literal["percent", "mass", "money", "count", "date", "purity", "change", "range",
                     "multiple", "fraction", "duration", "price"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class ParsedParagraph(Model):
    """One paragraph of a document's body, in reading order."""

    text: str
    """The paragraph as written (Chinese where the document is bilingual)."""
    english: str | None = None
    """The aligned English original, for bilingual Markdown posts."""
    heading: str | None = None
    """The section heading the paragraph sits under, if any."""


class SummaryPoint(Model):
    """One point of a structured summary: `Group N: heading - point [3][7]`."""

    group: int | None = None
    """Group number N, when the summary numbers its groups."""
    heading: str | None = None
    """Group heading."""
    text: str
    """The point, without its reference markers."""
    refs: list[int] = Field(default_factory=list)
    """Reference markers [n] at the end of the point, in order."""


class EntityHint(Model):
    """An entity a document declares about itself (front-matter lists)."""

    kind: str
    """companies_orgs, people, products_models, media_books, tags..."""
    name: str


class ParsedDocument(Model):
    """A document as a parser read it, before linking and storage."""

    title: str
    publisher: str | None = None
    published: datetime | None = None
    """Publication date and time as given (no time zone); midnight when only a date is given."""
    language: Language
    body: str
    """The full text of the document body (summary or article), as written."""
    paragraphs: list[ParsedParagraph] = Field(default_factory=list)
    viewpoint: str | None = None
    """The `Core Viewpoint` / `Core Insights` paragraph of a structured summary."""
    points: list[SummaryPoint] = Field(default_factory=list)
    summary: str | None = None
    """A summary the document carries about itself (front matter)."""
    entities: list[EntityHint] = Field(default_factory=list)
    source_url: str | None = None
    format: Literal["digest", "markdown", "html", "text"]
    metadata: dict[str, str] = Field(default_factory=dict)
    """Other declared fields (speaker, project, status...), as text."""


class Figure(Model):
    """A numeric claim found in text, with the sentence it stands in."""

    kind: FigureKind
    value: float
    """Normalised value: percent as a number (92.3), mass in `unit` (t or kg), money in the
    original currency's units (1.4e9), count as a number, date as YYYYMMDD."""
    unit: str
    """Normalised unit: %, t, kg, USD, CNY, EUR, MYR, JPY..., count, date, nines."""
    original: str
    """The matched text exactly as written (e.g. `1.119亿美元`)."""
    currency: str | None = None
    """ISO currency code for money."""
    start: int
    """Character offset of the match in the text given to the extractor."""
    end: int
    sentence: str
    """The whole sentence containing the figure, verbatim."""
