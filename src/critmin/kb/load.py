"""Reading the data folder into validated records, remembering where each came from.

Reading never stops at the first bad row: every problem is collected with its file and line so
`critmin data check` can list them all at once, as a reviewer of a data change needs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from critmin.inputs import InputError, load_yaml_with_nodes
from critmin.kb.models import (
    Company,
    Country,
    CriticalityInput,
    ElementContent,
    EndUse,
    Facility,
    Governance,
    ImportReliance,
    ImportShare,
    Material,
    PricePoint,
    SeriesNote,
    ShareRow,
    Source,
)
from critmin.kb.series import ShareSeries

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

SHARE_COLUMNS = ("material", "stage", "measure", "year", "country", "quantity", "unit", "share",
                 "sources", "confidence", "note")
CONTENT_COLUMNS = ("deposit", "country", "deposit_type", "element", "fraction_of_reo", "sources",
                   "confidence", "note")
IMPORT_COLUMNS = ("importer", "product", "material", "period", "supplier", "share", "sources",
                  "confidence", "note")
RELIANCE_COLUMNS = ("importer", "material", "year", "value", "bound", "net_exporter", "sources",
                    "confidence", "note")
PRICE_COLUMNS = ("material", "product", "market", "date", "kind", "value", "unit", "currency",
                 "sources", "confidence", "note")


@dataclass(frozen=True)
class Location:
    """Where a record was read: a file relative to the data folder and a 1-based line."""

    file: str
    line: int | None = None
    label: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where} ({self.label})" if self.label else where


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, said so that the reader can go and fix it."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class Located(Generic[T]):
    """A record and the place it was read from, kept for error messages."""

    record: T
    location: Location


@dataclass
class RawData:
    """Everything read from a data folder, each record with its location, plus read problems."""

    root: Path
    sources: list[Located[Source]] = field(default_factory=list)
    materials: list[Located[Material]] = field(default_factory=list)
    countries: list[Located[Country]] = field(default_factory=list)
    companies: list[Located[Company]] = field(default_factory=list)
    shares: list[Located[ShareRow]] = field(default_factory=list)
    series_notes: list[Located[SeriesNote]] = field(default_factory=list)
    facilities: list[Located[Facility]] = field(default_factory=list)
    end_uses: list[Located[EndUse]] = field(default_factory=list)
    criticality: list[Located[CriticalityInput]] = field(default_factory=list)
    governance: list[Located[Governance]] = field(default_factory=list)
    imports: list[Located[ImportShare]] = field(default_factory=list)
    prices: list[Located[PricePoint]] = field(default_factory=list)
    reliance: list[Located[ImportReliance]] = field(default_factory=list)
    element_content: list[Located[ElementContent]] = field(default_factory=list)
    assertions: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    built_series: list[ShareSeries] | None = None
    """Share series as the data check built them (None until it has run)."""


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's multi-line report into one line naming each bad field."""
    parts = []
    for item in error.errors():
        field_path = ".".join(str(p) for p in item["loc"]) or "record"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"field {field_path!r}: {message}")
    return "; ".join(parts)


def read_data(root: Path) -> RawData:
    """Read every data file under `root`; never raises for bad content, records problems."""
    raw = RawData(root=root)
    if not root.is_dir():
        raw.problems.append(Problem(Location(str(root)), "data folder does not exist"))
        return raw
    for path in _files(root, "sources", ".yaml"):
        raw.sources += _read_yaml_list(raw, path, Source)
    for path in _files(root, "materials", ".yaml"):
        raw.materials += _read_yaml_list(raw, path, Material)
    raw.countries += _read_yaml_list(raw, root / "countries.yaml", Country)
    raw.companies += _read_yaml_list(raw, root / "companies.yaml", Company, required=False)
    for path in _files(root, "shares", ".csv"):
        raw.shares += _read_csv(raw, path, ShareRow, SHARE_COLUMNS)
    raw.series_notes += _read_yaml_list(raw, root / "series.yaml", SeriesNote, required=False)
    raw.facilities += _read_yaml_list(raw, root / "facilities.yaml", Facility)
    raw.end_uses += _read_yaml_list(raw, root / "end_uses.yaml", EndUse)
    _read_criticality(raw, root / "criticality.yaml")
    if (root / "imports.csv").exists():
        raw.imports += _read_csv(raw, root / "imports.csv", ImportShare, IMPORT_COLUMNS)
    for path in _files(root, "prices", ".csv"):
        raw.prices += _read_csv(raw, path, PricePoint, PRICE_COLUMNS)
    if (root / "import_reliance.csv").exists():
        raw.reliance += _read_csv(raw, root / "import_reliance.csv", ImportReliance, RELIANCE_COLUMNS)
    if (root / "ree_content.csv").exists():
        raw.element_content += _read_csv(raw, root / "ree_content.csv", ElementContent,
                                         CONTENT_COLUMNS)
    _read_assertions(raw, root / "assertions.yaml")
    return raw


def _files(root: Path, folder: str, suffix: str) -> list[Path]:
    return sorted(p for p in (root / folder).glob(f"*{suffix}") if p.is_file())


def _relative(raw: RawData, path: Path) -> str:
    try:
        return str(path.relative_to(raw.root))
    except ValueError:
        return str(path)


def _parse_yaml(raw: RawData, path: Path, *, required: bool) -> tuple[Any, yaml.Node | None]:
    name = _relative(raw, path)
    if not path.exists():
        if required:
            raw.problems.append(Problem(Location(name), "required file is missing"))
        return None, None
    try:
        text = path.read_text(encoding="utf-8")
        # the shared loader first: it refuses deep nesting, huge numbers and non-finite values
        # with a reason instead of a RecursionError or ValueError
        return load_yaml_with_nodes(text, name)
    except UnicodeDecodeError:
        raw.problems.append(Problem(Location(name), "file is not UTF-8 text"))
    except InputError as exc:
        raw.problems.append(Problem(Location(name), exc.reason))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raw.problems.append(Problem(Location(name, line), f"invalid YAML: {reason}"))
    return None, None


def _item_lines(node: yaml.Node | None) -> list[int | None]:
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _read_yaml_list(
    raw: RawData, path: Path, model: type[M], *, required: bool = True
) -> list[Located[M]]:
    data, node = _parse_yaml(raw, path, required=required)
    return _validate_items(raw, path, data, _item_lines(node), model)


def _validate_items(
    raw: RawData, path: Path, data: Any, lines: list[int | None], model: type[M]
) -> list[Located[M]]:
    name = _relative(raw, path)
    if data is None:
        return []
    if not isinstance(data, list):
        raw.problems.append(Problem(Location(name), "expected a YAML list of records"))
        return []
    out: list[Located[M]] = []
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else None
        label = _label(item, index)
        location = Location(name, line, label)
        if not isinstance(item, dict):
            raw.problems.append(Problem(location, "expected a mapping of field: value"))
            continue
        try:
            out.append(Located(model.model_validate(item), location))
        except ValidationError as exc:
            raw.problems.append(Problem(location, describe_validation_error(exc)))
    return out


def _label(item: object, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "material", "country"):
            if key in item:
                return f"entry {index + 1} {item[key]!r}"
    return f"entry {index + 1}"


def _csv_rows(raw: RawData, path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    name = _relative(raw, path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raw.problems.append(Problem(Location(name), "file is not UTF-8 text"))
        return
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raw.problems.append(Problem(Location(name, 1), "empty CSV file"))
        return
    header = [h.strip() for h in header]
    if tuple(header) != columns:
        raw.problems.append(Problem(
            Location(name, 1), f"header must be exactly: {','.join(columns)}"))
        return
    for line_no, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            raw.problems.append(Problem(
                Location(name, line_no), f"expected {len(columns)} columns, found {len(cells)}"))
            continue
        yield line_no, dict(zip(columns, cells, strict=True))


def _read_csv(
    raw: RawData, path: Path, model: type[M], columns: tuple[str, ...]
) -> list[Located[M]]:
    """Validate every row in one pydantic call (the per-row call overhead dominated loading);
    a bad row is then re-validated alone so its problem names its own line and fields."""
    name = _relative(raw, path)
    locations: list[Location] = []
    rows: list[dict[str, Any]] = []
    for line_no, row in _csv_rows(raw, path, columns):
        values: dict[str, Any] = {k: v.strip() for k, v in row.items() if v.strip() != ""}
        if "sources" in values:
            values["sources"] = [s.strip() for s in values["sources"].split(";") if s.strip()]
        label = "/".join(row.get(k, "").strip() for k in columns[:5])
        locations.append(Location(name, line_no, label))
        rows.append(values)
    try:
        records = _list_adapter(model).validate_python(rows)
    except ValidationError:
        records = None
    if records is not None:
        return [Located(r, loc) for r, loc in zip(records, locations, strict=True)]
    out: list[Located[M]] = []
    for values, location in zip(rows, locations, strict=True):
        try:
            out.append(Located(model.model_validate(values), location))
        except ValidationError as exc:
            raw.problems.append(Problem(location, describe_validation_error(exc)))
    return out


@cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _read_criticality(raw: RawData, path: Path) -> None:
    data, node = _parse_yaml(raw, path, required=False)
    if data is None:
        return
    name = _relative(raw, path)
    if not isinstance(data, dict):
        raw.problems.append(Problem(Location(name), "expected keys 'materials' and 'governance'"))
        return
    unknown = set(data) - {"materials", "governance"}
    if unknown:
        raw.problems.append(Problem(Location(name), f"unknown keys: {', '.join(sorted(unknown))}"))
    sections: dict[str, yaml.Node] = {}
    if isinstance(node, yaml.MappingNode):
        sections = {key.value: value for key, value in node.value}
    raw.criticality += _validate_items(
        raw, path, data.get("materials"), _item_lines(sections.get("materials")), CriticalityInput)
    raw.governance += _validate_items(
        raw, path, data.get("governance"), _item_lines(sections.get("governance")), Governance)


def _read_assertions(raw: RawData, path: Path) -> None:
    data, _ = _parse_yaml(raw, path, required=False)
    if data is None:
        return
    name = _relative(raw, path)
    minimums = data.get("minimum_counts") if isinstance(data, dict) else None
    if not isinstance(minimums, dict) or not all(
        isinstance(v, int) for v in minimums.values()
    ):
        raw.problems.append(Problem(Location(name), "expected 'minimum_counts: {dataset: int}'"))
        return
    raw.assertions = {str(k): int(v) for k, v in minimums.items()}
