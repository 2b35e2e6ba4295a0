"""The rule engine's data model: measures (bundled data), BOMs and shipments (user input), decisions.

The models are the schema: docs/rules.md is written from them, and every measure file and every
BOM becomes one of them at the edge, so a malformed entry fails here with its field named.
Inside the engine, code trusts these types and never validates again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from critmin.kb import models as kb_models
from critmin.kb.models import Confidence as Confidence  # re-exported: measures and KB share one scale

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
HsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4,10}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Record(BaseModel):
    """Shared configuration: unknown keys are errors, field docstrings become descriptions, and
    no number may be infinite or NaN (YAML `.inf`, JSON `1e999`, the string "nan")."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              populate_by_name=True, allow_inf_nan=False)

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """An instance from values the engine computed itself, every field given, without validation.

        The check builds tens of thousands of results per second; validating its own output
        again (or even model_construct's default handling) would cost more than the check.
        """
        record = cls.__new__(cls)
        object.__setattr__(record, "__dict__", values)
        object.__setattr__(record, "__pydantic_fields_set__", set(cls.model_fields))
        object.__setattr__(record, "__pydantic_extra__", None)
        object.__setattr__(record, "__pydantic_private__", None)
        return record


CONFIDENCE_RANK = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}


def weakest(*levels: Confidence) -> Confidence:
    """The least trusted of several confidence levels (a chain is as strong as its weakest fact)."""
    return max(levels, key=CONFIDENCE_RANK.__getitem__, default=Confidence.HIGH)


class Confidenced(Record, kb_models.Confidenced):
    """A fact whose trust level must be justified when it is not high (the knowledge base's
    confidence and note fields and check, on the rule engine's record base)."""


class Outcome(StrEnum):
    """What a measure means for a shipment, from free to forbidden."""

    NOT_CONTROLLED = "not-controlled"
    LICENCE_REQUIRED = "licence-required"
    CASE_BY_CASE = "case-by-case"
    CANNOT_DETERMINE = "cannot-determine"
    PRESUMPTION_OF_DENIAL = "presumption-of-denial"


#: Order used for the overall outcome. cannot-determine sits above case-by-case because the
#: undetermined measure could still turn out to be a denial; only a known denial outranks it.
OUTCOME_RANK: dict[Outcome, int] = {outcome: rank for rank, outcome in enumerate(Outcome)}


def most_restrictive(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=OUTCOME_RANK.__getitem__, default=Outcome.NOT_CONTROLLED)


class Form(StrEnum):
    """The physical form a material takes in a controlled item or in a BOM line."""

    ORE = "ore"
    CONCENTRATE = "concentrate"
    OXIDE = "oxide"
    COMPOUND = "compound"
    METAL = "metal"
    ALLOY = "alloy"
    POWDER = "powder"
    CRYSTAL = "crystal"
    WAFER = "wafer"
    TARGET = "target"
    MAGNET = "magnet"
    COMPONENT = "component"
    DEVICE = "device"


# ---------------------------------------------------------------------------------------------
# measures


class MeasureKind(StrEnum):
    """How a measure reaches a shipment."""

    EXPORT = "export"
    """Licensing of listed items shipped out of the jurisdiction (optionally only to some destinations)."""
    VALUE_CONTENT = "value-content"
    """Foreign-made products whose controlled content from the jurisdiction reaches a value ratio."""
    END_USER = "end-user"
    """Every dual-use item of the jurisdiction, for named destinations' military users or uses."""


class Suspension(Confidenced):
    """A period in which a measure (or the part of it this record models) is not applied."""

    start: dt.date = Field(alias="from")
    """First day of the suspension."""
    until: dt.date
    """Last day of the suspension (inclusive); the measure applies again the day after."""
    by: str
    """The act that suspends it, e.g. MOFCOM/GAC Announcement No. 70 of 2025."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the suspension."""

    @model_validator(mode="after")
    def _ordered(self) -> Suspension:
        if self.until < self.start:
            raise ValueError(f"suspension ends ({self.until}) before it starts ({self.start})")
        return self


class Revocation(Record):
    """The end of a measure."""

    on: dt.date
    """First day the measure no longer applies."""
    by: str
    """The act that revokes or replaces it."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the revocation."""


class StatusNote(Confidenced):
    """A period in which whether the measure applies is itself uncertain (e.g. after a suspension lapses)."""

    start: dt.date = Field(alias="from")
    """First day the caveat covers."""
    until: dt.date | None = None
    """Last day it covers (inclusive); open-ended when absent."""
    sources: list[Id] = Field(default_factory=list)
    """Source ids, when a source reports the uncertainty."""


class Item(Confidenced):
    """One controlled item: a material in some forms, and/or reference HS codes."""

    description: str
    """The item in the words of the text (translated)."""
    material: Id | None = None
    """Knowledge-base material id; absent for items critmin has no material for (matched by HS code)."""
    forms: list[Form] | None = None
    """Forms in which the material is controlled; absent when the text's forms are not confirmed."""
    code: str | None = None
    """Control-list code (China's dual-use codes look like ECCNs but are not US ECCNs)."""
    code_confirmed: bool = True
    """False when the code is inferred (e.g. from the numbering sequence), not read in a source."""
    hs_codes: list[HsCode] = Field(default_factory=list)
    """Reference commodity codes given with the text (reference only; the description governs)."""
    parameters: str | None = None
    """Technical thresholds the item must meet to be controlled (purity, size, density...)."""
    outcome: Outcome | None = None
    """Outcome for this item when it differs from the measure's (e.g. denial for one material)."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the item."""


class Technology(Confidenced):
    """A controlled technology; goods BOMs do not describe technology transfers."""

    description: str
    """The technology in the words of the text (translated)."""
    code: str | None = None
    """Control-list code when the text gives one."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the entry."""


class Threshold(Confidenced):
    """A value-ratio test: controlled content / product value compared with `ratio`."""

    ratio: float = Field(ge=0, le=1)
    """Threshold as a fraction (0.001 = 0.1%)."""
    comparison: Literal[">=", ">"]
    """`>=` when the text says 'or more' / 'reaches', `>` when it says 'exceeds'."""
    destinations: list[CountryCode] | None = None
    """Destinations this threshold is for; absent = every destination not listed elsewhere."""
    text: str
    """What the text says, in a few words."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the threshold and the comparison."""


class ConditionKind(StrEnum):
    MILITARY_END_USER = "military-end-user"
    MILITARY_END_USE = "military-end-use"
    ADVANCED_SEMICONDUCTOR = "advanced-semiconductor"


class Condition(Confidenced):
    """An end-user or end-use condition that changes the outcome once the measure applies."""

    when: ConditionKind
    """military-end-user, military-end-use or advanced-semiconductor."""
    outcome: Outcome
    """Outcome when the condition holds."""
    logic_node_nm_max: float | None = Field(default=None, gt=0)
    """advanced-semiconductor: logic chips at or below this node (nm) qualify."""
    memory_layers_min: int | None = Field(default=None, gt=0)
    """advanced-semiconductor: memory with at least this many layers qualifies."""
    text: str
    """What the text says, in a few words."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the condition."""

    @model_validator(mode="after")
    def _semiconductor_limits(self) -> Condition:
        limits = (self.logic_node_nm_max, self.memory_layers_min)
        if self.when is ConditionKind.ADVANCED_SEMICONDUCTOR and limits == (None, None):
            raise ValueError("advanced-semiconductor needs logic_node_nm_max and/or memory_layers_min")
        return self


class ProductScope(Confidenced):
    """Which foreign-made products a value-content measure reaches (when the text lists them)."""

    forms: list[Form]
    """Product forms the text names as in scope (e.g. magnet, target)."""
    otherwise: str
    """What critmin does for other products, said to the user in the trace."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the listed forms."""


class Licence(Confidenced):
    """How licences under the measure work, as far as sources say."""

    validity: str | None = None
    """Validity period of a licence."""
    review: str | None = None
    """Review time or practice."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the entry."""


class Measure(Confidenced):
    """One export-control measure as dated data: what it controls, when, for whom, per which source."""

    id: Id
    """Unique id, e.g. CN-MOFCOM-GAC-2025-18."""
    authority: str
    """Who issued it (MOFCOM, GAC, BIS...)."""
    jurisdiction: CountryCode
    """ISO-3 code of the issuing country."""
    document: str
    """Document number, e.g. MOFCOM/GAC Announcement No. 18 of 2025."""
    title: str
    """Short title."""
    kind: MeasureKind
    """export, value-content or end-user."""
    published: dt.date | None = None
    """Date published; absent for long-standing rules critmin does not date."""
    effective: dt.date | None = None
    """First day in force; absent = in force before any date critmin covers (see note)."""
    suspensions: list[Suspension] = Field(default_factory=list)
    """Periods in which it is suspended."""
    revocation: Revocation | None = None
    """When and by what it ended, if it has."""
    status_notes: list[StatusNote] = Field(default_factory=list)
    """Periods in which its status is uncertain; a check on such a date says so."""
    destinations: list[CountryCode] | None = None
    """Destinations the measure is aimed at; absent = every destination."""
    items: list[Item] = Field(default_factory=list)
    """Controlled items (for value-content measures: the controlled content)."""
    technologies: list[Technology] = Field(default_factory=list)
    """Controlled technologies."""
    content: Literal["materials", "parts"] = "materials"
    """value-content: count controlled materials of the jurisdiction's origin, or the
    jurisdiction-made parts the user marks controlled (`us_controlled`)."""
    thresholds: list[Threshold] = Field(default_factory=list)
    """value-content: the value-ratio tests, by destination."""
    product_scope: ProductScope | None = None
    """value-content: which foreign-made products are in scope, when the text lists them."""
    direct_product: Technology | None = None
    """value-content: products made with the jurisdiction's technology are in scope too."""
    outcome: Outcome = Outcome.LICENCE_REQUIRED
    """Outcome when the measure applies and no item or condition says otherwise."""
    conditions: list[Condition] = Field(default_factory=list)
    """End-user and end-use conditions (for end-user measures: when the measure applies at all)."""
    licence: Licence | None = None
    """Licence types, validity and review practice."""
    sources: list[Id] = Field(min_length=1)
    """Source ids backing the measure's dates and scope."""

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        if self.published and self.effective and self.effective < self.published:
            raise ValueError(f"effective {self.effective} is before published {self.published}")
        if self.kind is MeasureKind.VALUE_CONTENT:
            if not self.thresholds:
                raise ValueError("a value-content measure needs thresholds")
            if sum(1 for t in self.thresholds if t.destinations is None) != 1:
                raise ValueError("exactly one threshold must have no destinations (the default)")
        if self.kind is MeasureKind.EXPORT and not (self.items or self.technologies):
            raise ValueError("an export measure needs items or technologies")
        if self.kind is MeasureKind.END_USER and not self.conditions:
            raise ValueError("an end-user measure needs conditions saying whom it reaches")
        return self


# ---------------------------------------------------------------------------------------------
# BOM and shipment

#: Largest magnitude of any number in a BOM (values, quantities, masses, prices, rates): a
#: thousand trillion. Bigger numbers are typos or attacks, and products of several of them
#: could overflow to infinity.
MAX_NUMBER = 1e15
#: Smallest non-zero magnitude of any number in a BOM. Smaller ones (denormals such as 5e-324)
#: mean nothing as a value, share or mass, and dividing by them overflows the value ratio.
MIN_NUMBER = 1e-12
#: Longest product or part name, and longest material or country name.
MAX_PART_CHARS = 500
MAX_NAME_CHARS = 100

PartName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PART_CHARS)]
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]


def clip(text: object, limit: int = 60) -> str:
    """A user's string fit for one line of a message: control characters escaped, long text cut."""
    shown = str(text)
    if not shown.isprintable():
        shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                        for c in shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class BomRecord(Record):
    """A record of user input: every number finite and between MIN_NUMBER and MAX_NUMBER in
    magnitude (or zero where the field allows it)."""

    @field_validator("*", mode="after")
    @classmethod
    def _sane_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        numbers = value.items() if isinstance(value, dict) else [(None, value)]
        for key, number in numbers:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                continue
            what = f"{clip(key)}: " if key is not None else ""
            if abs(number) > MAX_NUMBER:
                raise ValueError(f"{what}{number:g} is larger than {MAX_NUMBER:g}, the largest number "
                                 "a BOM accepts")
            if number != 0 and abs(number) < MIN_NUMBER:
                raise ValueError(f"{what}{number:g} is smaller than {MIN_NUMBER:g}, the smallest "
                                 "non-zero number a BOM accepts")
        return value


class MaterialUse(BomRecord):
    """A knowledge-base material in a line item: its share of the line's value, and where it came from."""

    material: Name
    """Material id or name (any name the knowledge base knows: Dy, dysprosium, 镝, Dy2O3)."""
    form: Form | None = None
    """Form the material takes in this line (magnet, oxide, metal, component...)."""
    value_share: float | None = Field(default=None, gt=0, le=1)
    """Fraction of the line's value that is this material."""
    mass_kg: float | None = Field(default=None, gt=0)
    """Mass of the material per unit of the line (with price_per_kg)."""
    mass_share: float | None = Field(default=None, gt=0, le=1)
    """Fraction of the line's unit mass (unit_mass_kg) that is this material (with price_per_kg)."""
    price_per_kg: float | None = Field(default=None, ge=0)
    """Value of one kg of the material, in the line's currency."""
    origin: Name | None = None
    """Country where the material was mined (ISO-3 code or name)."""
    processed_in: Name | None = None
    """Country where it was separated/refined/processed into this form."""
    meets_parameters: bool | None = None
    """Whether it meets a controlled item's technical parameters (purity, size...), when known."""

    @model_validator(mode="after")
    def _one_way_to_value(self) -> MaterialUse:
        by_mass = self.mass_kg is not None or self.mass_share is not None
        if self.value_share is not None and by_mass:
            raise ValueError("give value_share or a mass (mass_kg / mass_share), not both")
        if self.value_share is None and not by_mass:
            raise ValueError("give value_share, or mass_kg or mass_share with price_per_kg")
        if self.mass_kg is not None and self.mass_share is not None:
            raise ValueError("give mass_kg or mass_share, not both")
        if by_mass and self.price_per_kg is None:
            raise ValueError("a mass needs price_per_kg to give the material's value")
        return self


class LineItem(BomRecord):
    """One line of a bill of materials."""

    part: PartName
    """What the line is (rotor magnet set, controller board...)."""
    quantity: float = Field(default=1, gt=0)
    """Units of the part in one product."""
    unit_value: float = Field(ge=0)
    """Value of one unit, in `currency` (or the BOM's currency)."""
    currency: Currency | None = None
    """ISO 4217 code when it differs from the BOM's; the BOM's `rates` must convert it."""
    unit_mass_kg: float | None = Field(default=None, gt=0)
    """Mass of one unit, needed when materials give a mass_share."""
    made_in: Name | None = None
    """Country where the part was made (ISO-3 code or name)."""
    technology_origin: Name | None = None
    """Country whose technology made the part or its materials (for direct-product rules)."""
    hs_code: HsCode | None = None
    """HS/commodity code of the part (4-10 digits)."""
    us_controlled: bool | None = None
    """For a U.S.-made part: whether it would need a U.S. licence to the destination (your classification)."""
    materials: list[MaterialUse] = Field(default_factory=list)
    """Knowledge-base materials in the line; other content needs no listing."""

    @model_validator(mode="after")
    def _mass_share_needs_mass(self) -> LineItem:
        if self.unit_mass_kg is None and any(m.mass_share is not None for m in self.materials):
            raise ValueError("materials give mass_share, so the line needs unit_mass_kg")
        return self


class Semiconductor(BomRecord):
    """Chips the product is, contains, or is used to make."""

    logic_node_nm: float | None = Field(default=None, gt=0)
    """Logic process node in nm."""
    memory_layers: int | None = Field(default=None, gt=0)
    """Layers of a 3D memory device."""



# ---------------------------------------------------------------------------------------------
# parties: who the shipment is for, screened against the party lists

#: Longest party or owner name.
MAX_PARTY_CHARS = 300


class PartyRole(StrEnum):
    """What a party does in the shipment (all are screened alike; the trace names the role)."""

    CONSIGNEE = "consignee"
    END_USER = "end-user"
    INTERMEDIARY = "intermediary"
    PARTY = "party"


class Owner(BomRecord):
    """A shareholder of a party, for the 50% rule (the affiliates rule)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PARTY_CHARS)]
    """Owner's name, screened like a party."""
    share: float = Field(gt=0, le=1)
    """Fraction of the party it owns, directly or indirectly (0.6 = 60%)."""


class Party(BomRecord):
    """A consignee, end user or intermediary of the shipment; screened against every party list."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PARTY_CHARS)]
    """Name as the documents give it (any script: English, Chinese characters, pinyin)."""
    role: PartyRole = PartyRole.PARTY
    """consignee, end-user, intermediary or party."""
    country: Name | None = None
    """Country of the party (ISO-3 code or name); a listed entity elsewhere is only a possible match."""
    owners: tuple[Owner, ...] = ()
    """Known owners and their shares, for the 50% rule."""

    @model_validator(mode="after")
    def _shares_add_up(self) -> Party:
        total = sum(owner.share for owner in self.owners)
        if total > 1 + 1e-9:
            raise ValueError(f"owners' shares add up to {total:.4g}, more than 1")
        return self


class Bom(BomRecord):
    """A product's bill of materials: what it is made of, where, and what it is worth."""

    product: PartName
    """Product name."""
    form: Form | None = None
    """When the product itself is a magnet, target, wafer... (rules may name such products)."""
    made_in: Name | None = None
    """Country where the product is made (ISO-3 code or name)."""
    hs_code: HsCode | None = None
    """HS/commodity code of the product."""
    currency: Currency
    """ISO 4217 code of total_value and of every line without its own currency."""
    total_value: float | None = Field(default=None, gt=0)
    """Value of one product; default: the sum of its lines."""
    rates: dict[Currency, float] = Field(default_factory=dict)
    """Conversion rates: one unit of the key currency is worth this many units of `currency`."""
    semiconductor: Semiconductor | None = None
    """Chip attributes, when the product is or serves semiconductors."""
    lines: list[LineItem] = Field(min_length=1)
    """Line items."""
    parties: tuple[Party, ...] = ()
    """Consignee, end user and intermediaries, screened against the party lists (with `--party`)."""

    @model_validator(mode="after")
    def _rates_cover_currencies(self) -> Bom:
        for number, line in enumerate(self.lines, start=1):
            if line.currency and line.currency != self.currency and line.currency not in self.rates:
                raise ValueError(f"line item {number} ({clip(line.part)!r}): currency {line.currency} has no "
                                 f"rate in 'rates' (to {self.currency})")
        for code, rate in self.rates.items():
            if rate <= 0:
                raise ValueError(f"rates: {code} must be positive")
        return self

    def value(self) -> float:
        """The product's value in the BOM's currency."""
        if self.total_value is not None:
            return self.total_value
        return sum(line.quantity * line.unit_value * self.rate(line.currency) for line in self.lines)

    def rate(self, currency: str | None) -> float:
        if currency is None or currency == self.currency:
            return 1.0
        return self.rates[currency]


class EndUser(StrEnum):
    CIVIL = "civil"
    MILITARY = "military"
    UNKNOWN = "unknown"


class Shipment(Record):
    """Where the product goes, for what, for whom, and when."""

    to: CountryCode
    """Destination country (ISO-3)."""
    ship_from: CountryCode | None = Field(default=None, alias="from")
    """Country the shipment leaves; default: where the product is made."""
    end_use: str = ""
    """End use in words (military terms in it count as a military end use)."""
    end_user: EndUser = EndUser.UNKNOWN
    """civil, military or unknown."""
    date: dt.date
    """Day of the shipment; measures are taken as in force that day."""
    parties: tuple[Party, ...] = ()
    """Parties named on the command line (`--party`), screened with the BOM's own parties."""


# ---------------------------------------------------------------------------------------------
# decisions


class Contribution(Record):
    """A BOM line that counts toward a measure (controlled content or a controlled item)."""

    line: int
    """1-based line number."""
    part: str
    """The line's part name."""
    material: str | None
    """Material id, or none for a whole part."""
    value: float
    """Value counted, in the BOM's currency."""
    share: float
    """value / product value."""


class MeasureResult(Record):
    """What one measure in force means for the shipment, and why."""

    measure: str
    """Measure id."""
    title: str
    """Measure title."""
    document: str
    """Document number."""
    jurisdiction: str
    """Issuing country."""
    applies: bool
    """Whether the measure reaches this shipment."""
    outcome: Outcome
    """not-controlled, licence-required, case-by-case, presumption-of-denial or cannot-determine."""
    ratio: float | None = None
    """Controlled-content value / product value, for value-content measures."""
    threshold: float | None = None
    """The ratio it was compared with."""
    comparison: str | None = None
    """`>=` or `>`."""
    contributing: list[Contribution] = Field(default_factory=list)
    """Lines that count toward the outcome."""
    missing: list[str] = Field(default_factory=list)
    """Data the user must supply for a determination."""
    trace: list[str] = Field(default_factory=list)
    """Each step of the reasoning, in order."""
    sources: list[str] = Field(default_factory=list)
    """Source ids behind the steps."""
    confidence: Confidence = Confidence.HIGH
    """The weakest confidence of the facts used (status on the date, items, thresholds)."""


class MatchKind(StrEnum):
    """How a screened name relates to a listed entity."""

    HIT = "hit"
    """Score at or above the hit threshold, on a listing in force that day (or owned >= 50% by such)."""
    REVIEW = "review"
    """A possible match: between the review and the hit thresholds, or a hit in another country."""
    SUSPENDED = "suspended"
    """A hit on a listing whose measures are suspended that day: reported, not applied."""


class PartyMatch(Record):
    """One screened name against one listed entity: how close, on which list, by which notice."""

    query: str
    """The name screened."""
    role: str | None = None
    """The party's role in the shipment (consignee, end-user, intermediary, party, owner)."""
    kind: MatchKind
    """hit, review or suspended."""
    score: float
    """Similarity 0-100 of the normalised names (for the 50% rule, the weakest owner match)."""
    matched: str
    """The listed name or alias that matched."""
    entity: str
    """The listed entity's first name."""
    country: str | None = None
    """The listed entity's country (ISO-3)."""
    list_id: str = Field(alias="list")
    """Party list id, e.g. CN-MOFCOM-UEL."""
    list_title: str
    """Party list title."""
    notice: str
    """The notice that listed the entity (number, or the announcement's date when it has none)."""
    date: dt.date | None = None
    """Date of that notice."""
    listed: dt.date | None = None
    """First day listed."""
    removed: dt.date | None = None
    """First day no longer listed, if removed."""
    status: str
    """Status of the listing on the screening date (in force, in force (unconfirmed), suspended ...)."""
    outcome: Outcome
    """What the match means for a shipment (cannot-determine for a possible match)."""
    via: str | None = None
    """For the 50% rule: the listed owners and the aggregate share."""
    note: str | None = None
    """Caveats: how the notice was read, a suspension, a country mismatch."""
    confidence: Confidence = Confidence.HIGH
    """The weakest confidence of the notice, the entry and the listing's status."""
    sources: list[str] = Field(default_factory=list)
    """Source ids of the notice (empty for a list file the user loaded)."""


class Decision(Record):
    """A BOM checked against every measure in force on the shipment date."""

    product: str
    """Product name."""
    currency: str
    """Currency of values."""
    total_value: float
    """Product value."""
    shipment: Shipment
    """The shipment checked."""
    outcome: Outcome
    """Most restrictive outcome over all measures (cannot-determine outranks all but denial)."""
    confidence: Confidence
    """Weakest confidence among the measures that drive the outcome."""
    results: list[MeasureResult]
    """One result per measure in force on the date."""
    not_in_force: list[str] = Field(default_factory=list)
    """Measures known but not in force that day, with why (suspended, not yet effective...)."""
    screening: list[PartyMatch] = Field(default_factory=list)
    """Party-list matches for the shipment's parties: hits, possible matches to review, suspended listings."""
