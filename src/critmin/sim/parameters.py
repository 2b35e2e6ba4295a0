"""The simulator's own parameters: every value with its kind, its sources and its confidence.

The knowledge base holds what was measured (shares, capacities, end uses). What a simulation
also needs (days of cover, elasticities, licence delays) lives in `data/parameters.yaml`, one
record per value, so that every number a result depends on can be traced or is visibly an
assumption. Loading checks that each source id resolves in the knowledge base.
"""

from __future__ import annotations

import fnmatch
import math
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from critmin.errors import CritminError, DataError
from critmin.inputs import load_yaml, read_text
from critmin.kb import KnowledgeBase

#: Largest parameter file read.
MAX_PARAMETER_BYTES = 2 * 1024 * 1024

#: Longest span in days a parameter may give (20 years, as scenario durations).
MAX_DAYS = 7305

#: The range (inclusive) of every value a scenario may override, by path pattern: the engine
#: stays finite inside these (a price exponent of 1e300 or a negative cap would not).
BOUNDS: list[tuple[str, float, float]] = [
    ("inventory_days.*", 0, MAX_DAYS),
    ("licensing.delay_median_days", 0, MAX_DAYS),
    ("licensing.delay_sigma", 0, 5),
    ("licensing.approval_probability", 0, 1),
    ("licensing.approval_concentration", 0.01, 1e6),
    ("licensing.front_loading", 0, 5),
    ("licensing.during_review", 0, 1),
    ("licensing.duty_elasticity", 0, 20),
    ("extraterritorial.segregation", 0, 1),
    ("prices.flexibility", 0, 10),
    ("prices.adjustment_days", 0, MAX_DAYS),
    ("prices.cap", 1, 1000),
    ("prices.cover_exponent", 0, 10),
    ("prices.cover_floor", 0.001, 1),
    ("prices.precaution", 0, 100),
    ("prices.stock_build_days", 1, MAX_DAYS),
    ("prices.reference_days", 1, MAX_DAYS),
    ("prices.domestic_absorption", 0, 1),
    ("capacity.ramp_months", 0, MAX_DAYS / 30),
    ("capacity.utilisation", 0, 1),
    ("world_output.*", 1e-9, 1e12),
    ("sectors.*.elasticity", -5, 0),
    ("sectors.*.substitution_share", 0, 1),
    ("sectors.*.substitution_lag_days", 0, MAX_DAYS),
    ("sectors.*.substitution_ramp_days", 0, MAX_DAYS),
]


class Kind(StrEnum):
    """Where a value comes from."""

    SOURCED = "sourced"
    DERIVED = "derived"
    ASSUMPTION = "assumption"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              allow_inf_nan=False)


class Provenance(_Record):
    """What every parameter carries besides its value."""

    unit: str = ""
    """Unit of the value, in words."""
    kind: Kind
    """sourced, derived (arithmetic on sourced figures, shown in the note) or assumption."""
    sources: list[str] = Field(default_factory=list)
    """Source ids (resolve in the knowledge base); empty only for assumptions."""
    confidence: str = "low"
    """high, medium or low; assumptions are always low."""
    note: str
    """Why this value: the arithmetic, the reading of the source, or the reason for the assumption."""

    @model_validator(mode="after")
    def _traceable(self) -> Provenance:
        if self.kind is Kind.ASSUMPTION and self.confidence != "low":
            raise ValueError("an assumption must have confidence low")
        if self.kind is not Kind.ASSUMPTION and not self.sources:
            raise ValueError(f"a {self.kind.value} value needs at least one source id")
        if self.confidence not in {"high", "medium", "low"}:
            raise ValueError(f"confidence {self.confidence!r} is not high, medium or low")
        return self


class Value(Provenance):
    """One number with its provenance."""

    value: float
    """The number."""


class Shares(Provenance):
    """A set of fractions with one provenance (consumption split by region)."""

    value: dict[str, float]
    """Region id -> fraction of world consumption."""


class SectorParameters(_Record):
    """How one downstream sector reacts to a shortage."""

    elasticity: Value
    """Short-run price elasticity of demand (negative or zero)."""
    substitution_share: Value
    """Fraction of demand that can move to an alternative."""
    substitution_lag_days: Value
    """Days after the sector's first shortfall before switching starts."""
    substitution_ramp_days: Value
    """Days over which switching ramps linearly to its full share."""


class SectorLink(Provenance):
    """Which sectors a material (or a group of materials) reaches."""

    sectors: list[str]
    """Sector ids."""
    materials: list[str] = Field(default_factory=list)
    """For a group entry: the material ids it covers."""


class InputLink(Provenance):
    """Materials consumed by another material's first modelled stage."""

    materials: list[str]
    """Material ids required as inputs."""


class InventoryDays(_Record):
    """Days of cover held by producers (by stage) and by users (by sector)."""

    stage: dict[str, Value]
    """Stage -> days of input held by producers at that stage."""
    sector: dict[str, Value]
    """Sector -> days of demand held by users in that sector."""


class Licensing(_Record):
    """Defaults of a licensing regime when a scenario does not set them."""

    delay_median_days: Value
    """Median calendar days from application to decision."""
    delay_sigma: Value
    """Log-scale spread of the lognormal delay."""
    approval_probability: Value
    """Expected share of licensed volume approved."""
    approval_concentration: Value
    """Beta concentration of the approved share across runs."""
    during_review: Value
    """Share of normal shipments that leave before the first licences are decided."""
    front_loading: Value
    """Extra share shipped (and stock held) between a restriction's announcement and its start."""
    duty_elasticity: Value
    """Elasticity of export volume to (1 + export duty)."""


class Extraterritorial(_Record):
    """Defaults of a re-export (de minimis) rule."""

    segregation: Value
    """Fraction of third-country output certifiable as free of the exporter's content."""


class Prices(_Record):
    """The constants of price formation in the world and domestic markets (sim/prices.py)."""

    flexibility: Value
    """Exponent linking the demand/supply ratio to the clearing price index."""
    adjustment_days: Value
    """Time constant of the move toward the clearing price."""
    cap: Value
    """Upper bound of the index (its inverse is the lower bound)."""
    cover_exponent: Value
    """Exponent of normal over current stock cover in the world index."""
    cover_floor: Value
    """Fraction of normal cover below which the cover term stops rising."""
    precaution: Value
    """Rise of buyers' target cover, as a multiple of normal cover, while all supply is unlicensed."""
    stock_build_days: Value
    """Days over which buyers seek to close the gap to their target cover."""
    reference_days: Value
    """Time constant over which the market's reference demand follows actual use."""
    domestic_absorption: Value
    """Share of held-back exports that never reaches the restricting country's own buyers."""


class Capacity(_Record):
    """How new plants come on stream."""

    ramp_months: Value
    """Months from start to full rate (linear)."""
    utilisation: Value
    """Fraction of nameplate reached at full rate."""


class Parameters(_Record):
    """Everything in parameters.yaml."""

    inventory_days: InventoryDays
    """Days of cover by stage and sector."""
    licensing: Licensing
    """Licensing defaults."""
    extraterritorial: Extraterritorial
    """Re-export rule defaults."""
    prices: Prices
    """Price rule constants."""
    capacity: Capacity
    """New-capacity ramp."""
    world_output: dict[str, Value]
    """'material/stage' -> world output where the knowledge base gives shares only."""
    consumption_shares: Shares
    """Regions' shares of world consumption."""
    sectors: dict[str, SectorParameters]
    """Sector id -> reaction parameters."""
    sector_materials: dict[str, SectorLink]
    """Material id (or group name with `materials`) -> sectors reached."""
    inputs: dict[str, InputLink]
    """Material id -> materials its first stage consumes."""

    def sectors_for(self, material: str) -> list[str]:
        """Sectors a material reaches: its own entry, a group naming it, else the default."""
        if material in self.sector_materials and not self.sector_materials[material].materials:
            return list(self.sector_materials[material].sectors)
        for link in self.sector_materials.values():
            if material in link.materials:
                return list(link.sectors)
        return list(self.sector_materials["default"].sectors)

    def source_ids(self) -> set[str]:
        """Every source id any value cites."""
        ids: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, Provenance):
                ids.update(node.sources)
            if isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    walk(getattr(node, name))
            elif isinstance(node, dict):
                for item in node.values():
                    walk(item)

        walk(self)
        return ids


def bundled_parameters_path() -> Path:
    return Path(str(resources.files("critmin.sim") / "data" / "parameters.yaml"))


def read_parameters(path: Path) -> Parameters:
    """Parse and validate a parameter file; errors name the file and the field."""
    data = load_yaml(read_text(path, MAX_PARAMETER_BYTES), path)
    try:
        return Parameters.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CritminError(f"{path}: {where}: {first['msg']}") from None


def bounds_for(path: str) -> tuple[float, float] | None:
    """The (low, high) range a value at `path` must fall in, if the path has one."""
    for pattern, low, high in BOUNDS:
        if fnmatch.fnmatchcase(path, pattern):
            return low, high
    return None


def apply_overrides(params: Parameters, overrides: dict[str, float]) -> Parameters:
    """Replace parameter values by dotted path (prices.flexibility, sectors.wind.elasticity...).

    Each value must be a finite number within the path's range (`BOUNDS`); errors name the field
    as `parameters.PATH: ...`.
    """
    if not overrides:
        return params
    data: dict[str, Any] = params.model_dump()
    for path, value in overrides.items():
        where = f"parameters.{path}"
        node: Any = data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise CritminError(f"{where}: no such parameter in parameters.yaml")
            node = node[part]
        if not isinstance(node, dict) or "value" not in node or isinstance(node["value"], dict):
            raise CritminError(f"{where}: not a single value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise CritminError(f"{where}: expected a finite number, got {value!r}")
        bounds = bounds_for(path)
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise CritminError(f"{where}: {value:g} is outside the range {bounds[0]:g} to {bounds[1]:g}")
        node["value"] = value
        node["kind"] = "assumption"
        node["confidence"] = "low"
        node["note"] = f"set by the scenario (was: {node['note']})"
    try:
        return Parameters.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise CritminError(f"parameters.{field}: {first['msg']}") from None


@lru_cache(maxsize=2)
def _cached(path: str) -> Parameters:
    return read_parameters(Path(path))


def load_parameters(kb: KnowledgeBase, path: Path | None = None) -> Parameters:
    """The bundled (or given) parameters, with every cited source checked against the knowledge base."""
    params = _cached(str(path or bundled_parameters_path()))
    missing = sorted(params.source_ids() - set(kb.sources))
    if missing:
        raise DataError([f"parameters.yaml: unknown source id {m!r}" for m in missing])
    return params
