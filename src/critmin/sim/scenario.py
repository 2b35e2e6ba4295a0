"""Scenario files: what restricts what, from when, for whom, and what the world does about it.

A scenario is a YAML file validated into these models. Field checks (probabilities in [0, 1],
non-negative capacities, an end after its start) happen here; names (materials, countries) are
checked against the knowledge base by `resolve_names`, which also turns every name into its id so
the rest of the simulator sees ids only. Errors name the file and the field, e.g.
`april.yaml: restrictions[0].licensing.approval_probability: must be between 0 and 1`.

Example::

    name: One-year rare-earth embargo on the United States
    start: 2026-01-01
    restrictions:
      - exporter: CHN
        materials: [Dy, Tb, NdFeB]
        destinations: [USA]
        start: 2026-01-01
        duration_days: 365
        licensing: {approval_probability: 0.0}
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from critmin.errors import CritminError, NotFoundError
from critmin.inputs import display_path, load_yaml, read_text
from critmin.kb import KnowledgeBase, Stage, parse_stage

#: Earliest and latest date a scenario may name (documented in docs/scenarios.md): the knowledge
#: base's figures start in the 1990s, and date arithmetic past the year 9999 would overflow.
MIN_DATE = dt.date(1990, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

#: Longest duration, delay, lag or ramp a scenario may give, in days (20 years).
MAX_DAYS = 7305

#: Longest simulated horizon, in days (10 years); `--horizon` has the same bound.
MAX_HORIZON_DAYS = 3650

#: Largest log-scale spread of a licence delay: exp(5 x 6 sigma) is already 10^13 times the median.
MAX_DELAY_SIGMA = 5.0

#: Largest scenario file read (the web's request body limit).
MAX_SCENARIO_BYTES = 2 * 1024 * 1024


def _in_date_range(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"{value} is outside the supported range {MIN_DATE} to {MAX_DATE}")
    return value


Probability = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]
Days = Annotated[float, Field(ge=0, le=MAX_DAYS)]
DayCount = Annotated[int, Field(gt=0, le=MAX_DAYS)]
Date = Annotated[dt.date, AfterValidator(_in_date_range)]

DEFAULT_DESTINATIONS = ["USA", "EU", "JPN", "KOR", "IND", "ROW"]
"""Importing regions reported when a scenario names none."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              allow_inf_nan=False)


def _stage(value: object) -> object:
    """A stage from any accepted spelling; an unknown one is a field error, not a usage error."""
    if not isinstance(value, str):
        return value
    try:
        return parse_stage(value)
    except CritminError as exc:
        raise ValueError(exc.message) from None


StageName = Annotated[Stage, BeforeValidator(_stage)]


def _not_empty(what: str) -> Any:
    def check(value: list[Any] | None) -> list[Any] | None:
        if value is not None and not value:
            raise ValueError(what)
        return value

    return check


class LicenceChange(_Model):
    """New licensing terms from a date on: a regime ramping up, general licences, a tightening.

    The recorded episodes show approval shares that move over months, not one share for a year.
    """

    from_: Date = Field(alias="from")
    """Day the new terms apply."""
    approval_probability: Probability
    """Expected share of licensed volume approved from that day, 0-1."""
    delay_days: Days = 0
    """Median days before the new terms reach shipments (0: at once)."""


class Licensing(_Model):
    """How a licensing regime treats one destination (or all, as the default)."""

    approval_probability: Probability | None = None
    """Expected share of licensed volume approved, 0-1 (default: parameters.yaml)."""
    delay_days: Days | None = None
    """Median calendar days before the first approvals arrive (default: parameters.yaml)."""
    delay_sigma: Annotated[float, Field(ge=0, le=MAX_DELAY_SIGMA)] | None = None
    """Log-scale spread of the delay across runs (default: parameters.yaml)."""
    during_review: Probability | None = None
    """Share of normal shipments that still leave while applications await their first decision
    (earlier contracts, exempt grades; default: parameters.yaml)."""
    changes: list[LicenceChange] | None = None
    """Later terms, in date order: each replaces the approval share from its date."""

    @field_validator("changes")
    @classmethod
    def _in_order(cls, value: list[LicenceChange] | None) -> list[LicenceChange] | None:
        if value:
            dates = [c.from_ for c in value]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                raise ValueError("changes must be in date order, one per date")
        return value


class ReexportRule(_Model):
    """A rule reaching third countries' output that contains the exporter's material."""

    threshold: Probability = 0.001
    """Content share (by value) that triggers the rule, 0-1; 0.001 is the 0.1% rule."""
    stages: list[StageName] = Field(default_factory=lambda: [Stage.MAGNET])
    """Stages of third-country output the rule reaches."""
    segregation: Probability | None = None
    """Share of third-country output certifiable as free of the exporter's content (default: parameters)."""
    start: Date | None = None
    """When the rule takes effect, if later than the restriction's start."""

    _stages = field_validator("stages")(_not_empty("give at least one stage, or omit for magnet"))


class Quota(_Model):
    """An export quota: a ceiling on the year's exports of one material, in the unit of its
    world output (t REO for rare earths, kg for gallium...)."""

    tonnes_per_year: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Exports allowed per year, in the knowledge base's unit for the material's stage."""


class DomesticQuota(_Model):
    """A cap on the restricting country's own output at one stage (a mining or smelting quota)."""

    share_of_output: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    """Output allowed, as a share of the country's normal output at that stage."""
    stage: StageName | None = None
    """Stage capped (default: the restriction's first stage)."""


class Restriction(_Model):
    """One export-control event: exporter, materials, stages, dates and licensing."""

    id: str | None = None
    """Optional label shown in results."""
    exporter: str
    """Restricting country (id or name)."""
    materials: list[str]
    """Materials controlled (ids or names)."""
    stages: list[StageName] = Field(default_factory=lambda: [Stage.REFINING, Stage.METAL, Stage.MAGNET])
    """Stages of the exporter's output that need a licence."""
    destinations: list[str] | None = None
    """Destinations affected; all foreign destinations when omitted."""
    announced: Date | None = None
    """Day the restriction was announced, if before `start`: buyers stock up and exporters rush
    shipments out in between (licensing.front_loading)."""
    start: Date
    """First day of the restriction (the effective date)."""
    quota: Quota | None = None
    """An export quota for the one material of this restriction: exports follow demand up to it."""
    export_duty: Annotated[float, Field(gt=0, le=5, allow_inf_nan=False)] | None = None
    """An export duty as a fraction of value (0.1 = 10%): exports fall, a wedge opens between
    the price at home and abroad (licensing.duty_elasticity)."""
    domestic_quota: DomesticQuota | None = None
    """A cap on the exporter's own output of the materials at one stage, from start to end."""
    end: Date | None = None
    """Day the restriction is lifted (exclusive); open-ended with neither end nor duration_days."""
    duration_days: DayCount | None = None
    """Length in days (at most 7305, 20 years), instead of an end date."""
    coverage: Probability = 1.0
    """Share of the flow that needs a licence at all, 0-1 (e.g. only Dy-containing magnet grades)."""
    licensing: Licensing = Field(default_factory=Licensing)
    """Default licence treatment for every destination."""
    by_destination: dict[str, Licensing] = Field(default_factory=dict)
    """Per-destination licence treatment, overriding `licensing` (faster for one, slower for another)."""
    reexport: ReexportRule | None = None
    """Extraterritorial rule on third countries' re-exports, if any."""

    _materials = field_validator("materials")(_not_empty("give at least one material"))
    _stages = field_validator("stages")(
        _not_empty("give at least one stage, or omit for refining, metal and magnet"))
    _destinations = field_validator("destinations")(
        _not_empty("give at least one, or omit for all foreign destinations"))

    @model_validator(mode="after")
    def _dates(self) -> Restriction:
        if self.end is not None and self.duration_days is not None:
            raise ValueError("give either end or duration_days, not both")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if self.reexport and self.reexport.start and self.reexport.start < self.start:
            raise ValueError("reexport.start must not be before the restriction's start")
        if self.announced is not None and self.announced > self.start:
            raise ValueError(f"announced {self.announced} must not be after start {self.start}")
        if self.quota is not None and len(self.materials) != 1:
            raise ValueError("a quota is for one material: give one restriction per material")
        return self

    @property
    def end_date(self) -> dt.date | None:
        if self.end is not None:
            return self.end
        if self.duration_days is not None:
            return self.start + dt.timedelta(days=self.duration_days)
        return None


class InventoryOverride(_Model):
    """Days of cover for some holders, replacing the default (e.g. a chip maker holding 30 days)."""

    days: Days
    """Days of cover."""
    sector: str | None = None
    """Sector whose users hold the stock."""
    stage: StageName | None = None
    """Producer stage holding the stock (instead of a sector)."""
    country: str | None = None
    """Only holders in this country."""
    material: str | None = None
    """Only stocks of this material."""

    @model_validator(mode="after")
    def _one_holder(self) -> InventoryOverride:
        if (self.sector is None) == (self.stage is None):
            raise ValueError("give exactly one of sector or stage")
        return self


class StockpileRelease(_Model):
    """A government stockpile released into one country's supply."""

    country: str
    """Country (or EU) releasing the stock."""
    material: str
    """Material released."""
    days_of_demand: float = Field(gt=0, le=MAX_DAYS)
    """Size of the release in days of that country's normal consumption."""
    start: Date
    """First day of the release."""
    over_days: DayCount = 90
    """Days over which the release is spread evenly."""
    sources: list[str] = Field(default_factory=list)
    """Source ids behind the stockpile's size, if any."""


class CapacityAddition(_Model):
    """New supply not in the facilities registry: a plant, a recycling line."""

    country: str
    """Where it is."""
    material: str
    """What it makes."""
    stage: StageName
    """Stage it adds to."""
    share_of_world: Probability
    """Full-rate output as a fraction of the stage's world output, 0-1."""
    start: Date
    """First day of output."""
    ramp_months: float | None = Field(default=None, ge=0, le=MAX_DAYS / 30)
    """Months to full rate (default: parameters.yaml)."""
    kind: str = Field(default="new", pattern="^(new|recycling)$")
    """new or recycling."""


class SubstitutionOverride(_Model):
    """A different switching assumption for one sector."""

    sector: str
    """Sector id."""
    share: Probability
    """Fraction of demand that can switch, 0-1."""
    lag_days: Days = 0
    """Days after the first shortfall before switching starts."""
    ramp_days: float = Field(default=90, gt=0, le=MAX_DAYS)
    """Days to reach the full share."""


class Mitigation(_Model):
    """What limits the damage."""

    facilities: bool = True
    """Count new plants from the knowledge base's facilities registry (stated capacity and start year)."""
    capacity: list[CapacityAddition] = Field(default_factory=list)
    """Further capacity additions."""
    stockpiles: list[StockpileRelease] = Field(default_factory=list)
    """Stockpile releases."""
    purchases: list[StockpileRelease] = Field(default_factory=list)
    """State buying for a stockpile: the same fields, the amount taken off the market instead."""
    substitution: list[SubstitutionOverride] = Field(default_factory=list)
    """Sector switching overrides."""


class Scenario(_Model):
    """A disruption scenario, as read from a YAML file."""

    name: str
    """Short title."""
    description: str = ""
    """What the scenario represents and how its figures were chosen."""
    sources: list[str] = Field(default_factory=list)
    """Source ids behind the scenario's dates and rates."""
    measures: list[str] = Field(default_factory=list)
    """Ids of rule-engine measures the scenario represents (e.g. CN-MOFCOM-GAC-2025-18)."""
    start: Date
    """Day 0 of the simulation (1990-01-01 to 2100-12-31, as every date in a scenario)."""
    horizon_days: int = Field(default=365, ge=1, le=MAX_HORIZON_DAYS)
    """Days simulated (at most 3650)."""
    year: int | None = Field(default=None, ge=1900, le=2100)
    """Year of the knowledge-base shares to build the network from (default: latest)."""
    materials: list[str] = Field(default_factory=list)
    """Materials modelled; default: every restricted material."""
    destinations: list[str] = Field(default_factory=lambda: list(DEFAULT_DESTINATIONS))
    """Importing regions reported (countries, EU or ROW)."""
    restrictions: list[Restriction]
    """Export-control events."""
    inventories: list[InventoryOverride] = Field(default_factory=list)
    """Days-of-cover overrides."""
    mitigation: Mitigation = Field(default_factory=Mitigation)
    """Capacity, stockpiles, substitution."""
    consumption_shares: dict[str, Probability] | None = None
    """Regions' shares of world consumption, replacing the default split."""
    parameters: dict[str, float] = Field(default_factory=dict)
    """Overrides of parameters.yaml values by path, e.g. {"prices.flexibility": 1.0}."""
    validation: str = ""
    """What actually happened, for comparison with the results (free text)."""

    _destinations = field_validator("destinations")(
        _not_empty("give at least one, or omit for all"))
    _restrictions = field_validator("restrictions")(_not_empty("give at least one restriction"))

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        for i, restriction in enumerate(self.restrictions):
            if restriction.end_date is not None and restriction.end_date <= self.start:
                raise ValueError(f"restrictions[{i}] ends on or before the scenario's start")
        return self

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.horizon_days)

    def day(self, date: dt.date) -> int:
        """Day index of a date (may be negative or past the horizon)."""
        return (date - self.start).days


# ---------------------------------------------------------------------------------------------
# reading


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(error: Any) -> str:
    kind = str(error["type"])
    text = str(error["msg"])
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith("value_error"):
        return text.removeprefix("Value error, ")
    return text


def parse_scenario(data: object, origin: str) -> Scenario:
    """Validate loaded YAML; errors become one line naming the file and the field."""
    if not isinstance(data, dict):
        raise CritminError(f"{origin}: expected a mapping of scenario fields "
                           f"(name, start, restrictions...), not {_kind(data)}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _path(tuple(error["loc"]))
            problems.append(f"{where}: {_message(error)}" if where else _message(error))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CritminError(f"{origin}: {problems[0]}{more}") from None


def bundled_scenarios_dir() -> Path:
    return Path(str(resources.files("critmin.sim") / "scenarios"))


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario name (file stem) -> path."""
    return {p.stem: p for p in sorted(bundled_scenarios_dir().glob("*.yaml"))}


def scenario_path(name_or_path: str) -> Path:
    """A bundled scenario's name or a file path.

    Anything that exists under the name is returned, even a folder or a named pipe, so that
    reading it says what it is rather than "unknown scenario".
    """
    bundled = bundled_scenarios()
    if name_or_path in bundled:
        return bundled[name_or_path]
    path = Path(name_or_path)
    try:
        exists = os.path.lexists(path)
    except (OSError, ValueError):  # a NUL in the name, or a name too long to stat
        exists = False
    if exists:
        return path
    close = difflib.get_close_matches(name_or_path, list(bundled), n=3, cutoff=0.4)
    raise NotFoundError("scenario (file or bundled name)", name_or_path, close)


def scenario_origin(name_or_path: str, path: Path) -> str:
    """How messages name a scenario: a bundled one by its file name, a user's file as typed."""
    if path.parent == bundled_scenarios_dir() and name_or_path in (path.stem, str(path)):
        return path.name
    return display_path(name_or_path)


def read_scenario(name_or_path: str) -> tuple[Scenario, Path]:
    """Read and validate a scenario file (names are not yet resolved).

    Every failure is a `CritminError` naming the file: not a regular file, too large, not text,
    not YAML, nested too deep, a number too long or not finite, or a field that fails validation.
    """
    scenario, path, _ = _read(name_or_path)
    return scenario, path


def _read(name_or_path: str) -> tuple[Scenario, Path, str]:
    path = scenario_path(name_or_path)
    origin = scenario_origin(name_or_path, path)
    text = read_text(path, MAX_SCENARIO_BYTES)
    return parse_scenario(load_yaml(text, origin), origin), path, origin


def _kind(data: object) -> str:
    if data is None:
        return "an empty document"
    if isinstance(data, list):
        return "a list"
    return f"a single value ({type(data).__name__})"


# ---------------------------------------------------------------------------------------------
# names -> ids


class _Resolver:
    def __init__(self, kb: KnowledgeBase, origin: str) -> None:
        self.kb = kb
        self.origin = origin

    def material(self, name: str, where: str) -> str:
        try:
            return self.kb.material(name).id
        except NotFoundError as exc:
            raise CritminError(f"{self.origin}: {where}: {exc.message}") from None

    def country(self, name: str, where: str) -> str:
        if name.strip().upper() == "ROW":
            return "ROW"
        try:
            return self.kb.country(name).id
        except NotFoundError as exc:
            raise CritminError(f"{self.origin}: {where}: {exc.message}") from None

    def measure(self, measure_id: str, where: str) -> str:
        """A rule-engine measure id (the engine's public API; measures live with the rules)."""
        from critmin.rules import load_rules

        known = load_rules().by_id
        if measure_id not in known:
            close = difflib.get_close_matches(measure_id, list(known), n=3, cutoff=0.5)
            hint = f"; did you mean: {', '.join(close)}?" if close else "; see `critmin rules list`"
            raise CritminError(f"{self.origin}: {where}: unknown measure {measure_id!r}{hint}")
        return measure_id

    def source(self, source_id: str, where: str) -> str:
        if source_id not in self.kb.sources:
            close = difflib.get_close_matches(source_id, list(self.kb.sources), n=3, cutoff=0.5)
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise CritminError(f"{self.origin}: {where}: unknown source {source_id!r}{hint}")
        return source_id


def resolve_names(scenario: Scenario, kb: KnowledgeBase, origin: str = "scenario") -> Scenario:
    """Check every material, country and source against the knowledge base, and every measure
    against the rule engine's bundled measures; return ids only."""
    r = _Resolver(kb, origin)
    restrictions = []
    for i, res in enumerate(scenario.restrictions):
        at = f"restrictions[{i}]"
        restrictions.append(res.model_copy(update={
            "exporter": r.country(res.exporter, f"{at}.exporter"),
            "materials": [r.material(m, f"{at}.materials[{j}]") for j, m in enumerate(res.materials)],
            "destinations": None if res.destinations is None else [
                r.country(d, f"{at}.destinations[{j}]") for j, d in enumerate(res.destinations)],
            "by_destination": {r.country(d, f"{at}.by_destination.{d}"): lic
                               for d, lic in res.by_destination.items()},
        }))
    mitigation = scenario.mitigation.model_copy(update={
        "capacity": [c.model_copy(update={
            "country": r.country(c.country, f"mitigation.capacity[{i}].country"),
            "material": r.material(c.material, f"mitigation.capacity[{i}].material")})
            for i, c in enumerate(scenario.mitigation.capacity)],
        "stockpiles": [s.model_copy(update={
            "country": r.country(s.country, f"mitigation.stockpiles[{i}].country"),
            "material": r.material(s.material, f"mitigation.stockpiles[{i}].material"),
            "sources": [r.source(x, f"mitigation.stockpiles[{i}].sources") for x in s.sources]})
            for i, s in enumerate(scenario.mitigation.stockpiles)],
        "purchases": [s.model_copy(update={
            "country": r.country(s.country, f"mitigation.purchases[{i}].country"),
            "material": r.material(s.material, f"mitigation.purchases[{i}].material"),
            "sources": [r.source(x, f"mitigation.purchases[{i}].sources") for x in s.sources]})
            for i, s in enumerate(scenario.mitigation.purchases)],
    })
    inventories = [inv.model_copy(update={
        "country": None if inv.country is None else r.country(inv.country, f"inventories[{i}].country"),
        "material": None if inv.material is None else r.material(inv.material, f"inventories[{i}].material"),
    }) for i, inv in enumerate(scenario.inventories)]
    shares = None
    if scenario.consumption_shares is not None:
        shares = {r.country(c, f"consumption_shares.{c}"): v for c, v in scenario.consumption_shares.items()}
    return scenario.model_copy(update={
        "restrictions": restrictions,
        "materials": [r.material(m, f"materials[{i}]") for i, m in enumerate(scenario.materials)],
        "destinations": [r.country(d, f"destinations[{i}]") for i, d in enumerate(scenario.destinations)],
        "sources": [r.source(s, f"sources[{i}]") for i, s in enumerate(scenario.sources)],
        "measures": [r.measure(m, f"measures[{i}]") for i, m in enumerate(scenario.measures)],
        "mitigation": mitigation,
        "inventories": inventories,
        "consumption_shares": shares,
    })


def check_network(scenario: Scenario, kb: KnowledgeBase, origin: str = "scenario") -> None:
    """Apply the parameter overrides and build the network once, so that what only the network
    can tell (a destination without a consumption share, a material without production shares,
    capacity for a stage the network lacks) is reported before a run, naming the file."""
    from critmin.sim.network import build_network
    from critmin.sim.parameters import apply_overrides, load_parameters

    params = load_parameters(kb)
    try:
        build_network(kb, scenario, apply_overrides(params, scenario.parameters))
    except CritminError as exc:
        raise CritminError(f"{origin}: {exc.message}", exit_code=exc.exit_code) from None


def load_scenario_data(data: object, origin: str, kb: KnowledgeBase) -> Scenario:
    """A scenario already loaded from YAML or JSON (an upload), validated and resolved.

    `origin` names it in error messages (`origin: field: problem`); it is never opened.
    """
    scenario = resolve_names(parse_scenario(data, origin), kb, origin)
    check_network(scenario, kb, origin)
    return scenario


def load_scenario(name_or_path: str, kb: KnowledgeBase) -> Scenario:
    """Read, validate and resolve a scenario: a bundled name or a file path."""
    scenario, _, origin = _read(name_or_path)
    scenario = resolve_names(scenario, kb, origin)
    check_network(scenario, kb, origin)
    return scenario
