"""The knowledge base's data model: one pydantic model per kind of bundled record.

The models are the schema. docs/data.md is written from them, and the loader turns every
file row into one of them, so a malformed row fails here with the field named.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$|^EU$")]


class Record(BaseModel):
    """Shared configuration: unknown keys are errors, field docstrings become descriptions."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Confidence(StrEnum):
    """How far a figure can be trusted; anything below high must say why."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Stage(StrEnum):
    """Supply-chain stages, upstream to downstream."""

    MINING = "mining"
    REFINING = "refining"
    METAL = "metal"
    MAGNET = "magnet"
    RECYCLING = "recycling"


#: Words users type for a stage, mapped to the stage they mean.
STAGE_ALIASES: dict[str, Stage] = {
    "mine": Stage.MINING,
    "mining": Stage.MINING,
    "extraction": Stage.MINING,
    "开采": Stage.MINING,
    "refining": Stage.REFINING,
    "refinery": Stage.REFINING,
    "separation": Stage.REFINING,
    "processing": Stage.REFINING,
    "分离": Stage.REFINING,
    "冶炼": Stage.REFINING,
    "metal": Stage.METAL,
    "alloy": Stage.METAL,
    "metal/alloy": Stage.METAL,
    "magnet": Stage.MAGNET,
    "magnets": Stage.MAGNET,
    "component": Stage.MAGNET,
    "磁体": Stage.MAGNET,
    "recycling": Stage.RECYCLING,
    "回收": Stage.RECYCLING,
}

STAGE_LABELS: dict[Stage, str] = {
    Stage.MINING: "mining",
    Stage.REFINING: "separation/refining",
    Stage.METAL: "metal/alloy",
    Stage.MAGNET: "magnet/component",
    Stage.RECYCLING: "recycling",
}


class Measure(StrEnum):
    """What a share row counts."""

    PRODUCTION = "production"
    RESERVES = "reserves"
    CAPACITY = "capacity"


class Confidenced(Record):
    """A record whose trust level must be justified when it is not high."""

    confidence: Confidence = Confidence.HIGH
    """high, medium or low; medium and low need a note saying why."""
    note: str | None = None
    """Why confidence is not high, or any caveat a reader needs."""

    @model_validator(mode="after")
    def _reason_when_not_high(self) -> Confidenced:
        require_reason(self.confidence, self.note)
        return self


def require_reason(confidence: Confidence, note: str | None) -> None:
    """Anything trusted less than high must say why: shared by every confidence-bearing model."""
    if confidence is not Confidence.HIGH and not (note and note.strip()):
        raise ValueError(f"confidence {confidence.value} needs a note giving the reason")


class Source(Record):
    """A citable document; every number in the knowledge base points to at least one."""

    id: Id
    """Unique slug, e.g. usgs-mcs2025-rare-earths."""
    title: str
    """The document's title as published."""
    publisher: str
    """Who published it."""
    date: str
    """Publication date as a partial ISO date: 2025, 2025-01 or 2025-01-31."""
    identifier: str
    """URL, DOI or document number that finds the document."""
    kind: str
    """statistics, report, news, company, government, law, dataset, web or article."""
    note: str | None = None
    """How it was read (e.g. through a secondary summary) or its limits."""

    @field_validator("date", mode="before")
    @classmethod
    def _partial_iso(cls, value: object) -> str:
        text = str(value).strip()
        if not PARTIAL_DATE.match(text):
            raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return text

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        kinds = {"statistics", "report", "news", "company", "government", "law", "dataset",
                 "web", "article"}
        if value not in kinds:
            raise ValueError(f"kind {value!r} is not one of {', '.join(sorted(kinds))}")
        return value

    def citation(self) -> str:
        """One line a reader can paste into a footnote."""
        return f"{self.publisher}, \u201c{self.title}\u201d, {self.date}. {self.identifier}"


class MaterialKind(StrEnum):
    ELEMENT = "element"
    AGGREGATE = "aggregate"
    PRODUCT = "product"


class Names(Record):
    """A name in English and in Simplified Chinese."""

    en: str
    """English name."""
    zh: str
    """Simplified Chinese name."""


class Material(Record):
    """An element, an aggregate such as total rare earths (REE), or a product such as NdFeB."""

    id: Id
    """Element symbol (Dy) or slug (graphite, REE, NdFeB)."""
    kind: MaterialKind
    """element, aggregate or product."""
    names: Names
    """English and Chinese names."""
    aliases: list[str] = Field(default_factory=list)
    """Other names users and documents use: oxide formulas, oxide names, misspellings."""
    group: str
    """light_ree, heavy_ree, ree, battery, minor_metal, ferroalloy, pgm or other."""
    parent: str | None = None
    """The aggregate whose figures stand in when this material has none (REE for Dy)."""
    hs_codes: list[str] = Field(default_factory=list)
    """Harmonized System codes, as strings (leading zeros matter)."""


class Country(Record):
    """A country, the rest-of-world placeholder, or a bloc such as the EU."""

    id: CountryCode
    """ISO 3166-1 alpha-3 code; ROW for rest of world, WLD for a world total, EU for the bloc."""
    names: Names
    """English and Chinese names."""
    aliases: list[str] = Field(default_factory=list)
    """Other spellings and abbreviations (U.S., 美国, Burma)."""
    members: list[str] = Field(default_factory=list)
    """For a bloc: the member countries."""


class Company(Record):
    """A company or organisation that documents name, so mentions of it link to one id."""

    id: Id
    """Unique slug, e.g. tsmc."""
    names: Names
    """English and Chinese names."""
    aliases: list[str] = Field(default_factory=list)
    """Other names: tickers, short forms, former names."""
    country: CountryCode | None = None
    """Country of the headquarters, when known."""
    kind: str = "company"
    """company, government (ministries, agencies) or organisation."""


class ShareRow(Confidenced):
    """One country's part of one stage of one material in one year."""

    material: Id
    """Material id."""
    stage: Stage
    """Supply-chain stage."""
    measure: Measure = Measure.PRODUCTION
    """production, reserves or capacity."""
    year: int = Field(ge=1900, le=2100)
    """Calendar year the figure refers to."""
    country: CountryCode
    """ISO-3 code, ROW for the rest of world, WLD for a reported world total."""
    quantity: float | None = Field(default=None, ge=0)
    """Quantity in `unit`, when known."""
    unit: str | None = None
    """Unit of the quantity, e.g. t REO, kg, t W."""
    share: float | None = Field(default=None, ge=0, le=1)
    """Fraction 0-1 of the world, when given directly by the source."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing this row."""

    @model_validator(mode="after")
    def _has_a_number(self) -> ShareRow:
        if self.quantity is None and self.share is None:
            raise ValueError("a share row needs a quantity or a share")
        if self.quantity is not None and not self.unit:
            raise ValueError("a quantity needs a unit")
        return self

    @property
    def series_key(self) -> tuple[str, Stage, Measure, int]:
        return (self.material, self.stage, self.measure, self.year)


class SeriesNote(Record):
    """Marks a series whose shares are knowingly incomplete."""

    material: Id
    """Material id of the series."""
    stage: Stage
    """Stage of the series."""
    measure: Measure = Measure.PRODUCTION
    """Measure of the series."""
    year: int
    """Year of the series."""
    partial: bool = True
    """True when the countries listed do not cover the world."""
    note: str
    """What is missing and why."""


class CapacityStatus(StrEnum):
    OPERATING = "operating"
    COMMISSIONING = "commissioning"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    TENDER = "tender"
    ON_HOLD = "on_hold"
    """The operator has said the project is unlikely to proceed or has paused it, not cancelled it."""
    IDLE = "idle"
    CLOSED = "closed"


class Capacity(Record):
    """A plant's stated capacity or output, in the unit and basis the source gives."""

    value: float = Field(gt=0)
    """Capacity figure."""
    unit: str
    """t/y or kg/y."""
    product: str
    """What the capacity counts (e.g. NdFeB magnets, REO)."""
    basis: str = "nameplate"
    """nameplate, output or planned."""


class Facility(Confidenced):
    """A mine, separation plant, metal or magnet works, or recycling plant."""

    id: Id
    """Unique slug."""
    name: str
    """Site or plant name."""
    operator: str
    """Operating company (and owners where relevant)."""
    country: CountryCode
    """ISO-3 code of the country the site is in."""
    location: str | None = None
    """Region or town."""
    stages: list[Stage] = Field(min_length=1)
    """Stages performed at the site (mining, refining, metal, magnet, recycling)."""
    materials: list[Id] = Field(min_length=1)
    """Material ids handled."""
    capacity: Capacity | None = None
    """Capacity when a source states one; absent otherwise, never guessed."""
    status: CapacityStatus
    """operating, commissioning, under_construction, planned, tender, idle or closed."""
    start_year: int | None = Field(default=None, ge=1800, le=2100)
    """Year operations started or are planned to start, when a source says."""
    checked: dt.date | None = None
    """Day the status was last checked against the latest sources read."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the record."""


class Intensity(Confidenced):
    """How much of a material one unit of a product contains."""

    material: Id
    """Material id."""
    kg_per_unit: float = Field(gt=0)
    """Kilograms of the material per product unit."""
    basis: str
    """What the figure counts (magnet mass, rare-earth content...)."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the figure."""


class EndUse(Record):
    """A product and the material it needs per unit."""

    id: Id
    """Unique slug."""
    product: str
    """Product name."""
    unit: str
    """What one unit is: aircraft, vehicle, MW, robot..."""
    sector: str
    """ev_motor, wind, consumer_electronics, defence, semiconductor_equipment,
    industrial_motors or robotics."""
    intensities: list[Intensity] = Field(min_length=1)
    """Material contents per unit, each sourced."""


class CriticalityInput(Confidenced):
    """Inputs of the EU CRM 2023 supply-risk indicator for one material, as published."""

    material: Id
    """Material id (LREE and HREE for the EU's rare-earth groups)."""
    eu_sr: float | None = Field(default=None, ge=0)
    """Supply risk published by the European Commission (2023 assessment)."""
    eu_ei: float | None = Field(default=None, ge=0)
    """Economic importance published by the European Commission (2023 assessment)."""
    import_reliance: float | None = Field(default=None, ge=0, le=1)
    """EU import reliance, fraction 0-1."""
    eol_rir: float | None = Field(default=None, ge=0, le=1)
    """End-of-life recycling input rate, fraction 0-1."""
    si_sr: float | None = Field(default=None, ge=0, le=1)
    """Substitution index for supply risk (1 = no substitute)."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the figures."""


class Governance(Confidenced):
    """A country's governance score as the EU method uses it (scaled WGI, 0 best - 10 worst)."""

    country: CountryCode
    """ISO-3 code."""
    wgi_scaled: float | None = Field(default=None, ge=0, le=10)
    """Governance on the EU's 0 (best) to 10 (worst) scale, when published."""
    wgi_raw: float | None = Field(default=None, ge=-2.5, le=2.5)
    """Average of the six World Bank WGI estimates (-2.5 worst to 2.5 best)."""
    year: int | None = None
    """Year the indicator refers to."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the score."""

    @property
    def scaled(self) -> float | None:
        """The 0-10 score: published scaled value, else the raw average mapped linearly."""
        if self.wgi_scaled is not None:
            return self.wgi_scaled
        if self.wgi_raw is not None:
            return (2.5 - self.wgi_raw) * 2.0
        return None


class ImportShare(Confidenced):
    """One supplier's part of an importer's imports of a product over a period."""

    importer: CountryCode
    """ISO-3 code of the importing country, or EU."""
    product: Id
    """Traded product, e.g. ree_compounds_metals, permanent_magnets."""
    material: Id
    """Material id the product belongs to."""
    period: str
    """Year or range the shares cover (2024, 2020-2023, 2024Q1)."""
    supplier: CountryCode
    """ISO-3 code of the supplier, or ROW."""
    share: float = Field(ge=0, le=1)
    """Fraction 0-1 of the importer's imports of the product."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the row."""


class PriceKind(StrEnum):
    """What a price figure averages over: a year, a month, or one quotation."""

    ANNUAL_AVERAGE = "annual_average"
    MONTHLY_AVERAGE = "monthly_average"
    POINT = "point"


class Market(StrEnum):
    """Where a price is assessed; `world` when the source states no delivery basis."""

    CHINA_DOMESTIC = "china_domestic"
    FOB_CHINA = "fob_china"
    EUROPE = "europe"
    US = "us"
    WORLD = "world"


class Currency(StrEnum):
    USD = "USD"
    CNY = "CNY"
    EUR = "EUR"


#: The date form each kind of price needs: a year, a month, or a month or day.
PRICE_DATE_FORMS: dict[PriceKind, tuple[re.Pattern[str], str]] = {
    PriceKind.ANNUAL_AVERAGE: (re.compile(r"^\d{4}$"), "YYYY"),
    PriceKind.MONTHLY_AVERAGE: (re.compile(r"^\d{4}-\d{2}$"), "YYYY-MM"),
    PriceKind.POINT: (re.compile(r"^\d{4}-\d{2}(-\d{2})?$"), "YYYY-MM or YYYY-MM-DD"),
}


class PricePoint(Confidenced):
    """One price of one product of a material in one market: an annual average or a dated quote."""

    material: Id
    """Material id."""
    product: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    """What is priced, with its grade (Nd oxide 99.5%, APT, metal 99.99%)."""
    market: Market
    """china_domestic, fob_china, europe, us or world (world: basis not stated)."""
    date: str
    """YYYY for an annual average, YYYY-MM for a monthly average, YYYY-MM or YYYY-MM-DD for a point."""
    kind: PriceKind
    """annual_average, monthly_average or point."""
    value: float = Field(gt=0, allow_inf_nan=False)
    """The price, a positive finite number in `unit`."""
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    """e.g. $/kg, $/lb, $/t, $/mtu WO3 (same unit throughout a material, product and market)."""
    currency: Currency
    """USD, CNY or EUR."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the figure."""

    @field_validator("date", mode="before")
    @classmethod
    def _partial_iso(cls, value: object) -> str:
        text = str(value).strip()
        if not PARTIAL_DATE.match(text):
            raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return text

    @model_validator(mode="after")
    def _date_fits_kind(self) -> PricePoint:
        pattern, form = PRICE_DATE_FORMS[self.kind]
        if not pattern.match(self.date):
            raise ValueError(f"a {self.kind.value} needs a date written {form}, not {self.date!r}")
        if len(self.date) == 10:
            try:
                dt.date.fromisoformat(self.date)
            except ValueError:
                raise ValueError(f"date {self.date!r} is not a day of the calendar") from None
        return self

    @property
    def series_key(self) -> tuple[str, str, Market]:
        """Points of one series share a unit: same material, product and market."""
        return (self.material, self.product, self.market)

    @property
    def point_key(self) -> tuple[str, str, Market, str, PriceKind]:
        return (self.material, self.product, self.market, self.date, self.kind)


class Bound(StrEnum):
    """Which side of `value` the published figure lies: ">95" is above 0.95, "<25" below 0.25."""

    ABOVE = ">"
    BELOW = "<"


class ImportReliance(Confidenced):
    """An importer's net import reliance on a material in one year, as a share of consumption."""

    importer: CountryCode
    """ISO-3 code of the importing country (USA), or EU."""
    material: Id
    """Material id."""
    year: int = Field(ge=1900, le=2100)
    """Calendar year the figure refers to."""
    value: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    """Fraction 0-1 of apparent consumption met by net imports; empty for a net exporter."""
    bound: Bound | None = None
    """> when the source gives only a lower bound (">95" is value 0.95, bound >), < for an upper one."""
    net_exporter: bool = False
    """True when the source marks the importer a net exporter (USGS "E"); value is then empty."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the figure."""

    @model_validator(mode="after")
    def _value_or_exporter(self) -> ImportReliance:
        if self.net_exporter:
            if self.value is not None or self.bound is not None:
                raise ValueError("a net exporter row takes no value or bound")
        elif self.value is None:
            raise ValueError("a reliance row needs a value, or net_exporter true")
        return self

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.importer, self.material, self.year)

    def label(self) -> str:
        """The figure as the source prints it: 100%, >95%, <50% or E (net exporter)."""
        if self.net_exporter or self.value is None:
            return "E (net exporter)"
        return f"{self.bound.value if self.bound else ''}{self.value * 100:g}%"


class DepositType(StrEnum):
    """The rare-earth deposit types whose element mix differs most."""

    BASTNAESITE = "bastnaesite"
    MONAZITE = "monazite"
    IONIC_CLAY = "ionic_clay"
    CARBONATITE = "carbonatite"
    OTHER = "other"


class ElementContent(Confidenced):
    """One element's part of a deposit's total rare-earth oxide: why Dy and Nd supply differ.

    Mine statistics count total rare-earth oxide (REO); a tonne of REO from an ionic clay holds
    far more dysprosium than a tonne from a bastnaesite mine, so element supply follows the
    deposits, not the REO tonnage.
    """

    deposit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    """Deposit or mine name (or a named group, e.g. southern China ionic clays)."""
    country: CountryCode
    """ISO-3 code of the country the deposit is in."""
    deposit_type: DepositType
    """bastnaesite, monazite, ionic_clay, carbonatite or other."""
    element: Id
    """Rare-earth element id (Nd, Dy ...)."""
    fraction_of_reo: float = Field(ge=0, le=1, allow_inf_nan=False)
    """The element's oxide as a fraction 0-1 of the deposit's total REO."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the figure."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.deposit.casefold(), self.element)
