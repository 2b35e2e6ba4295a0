"""BOM and shipment input: files to validated models with knowledge-base ids, or one clear error.

This is the edge. A BOM file (YAML or JSON) is validated once here; errors name the file, the
line item and the field. Material and country names are resolved to knowledge-base ids (an
unknown one lists the nearest), and currencies must have a rate. The engine trusts the result.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from critmin.errors import CritminError, NotFoundError, UsageError
from critmin.kb import KnowledgeBase
from critmin.rules.models import Bom, EndUser, Form, LineItem, MaterialUse, Semiconductor, Shipment

BOM_SUFFIXES = (".yaml", ".yml", ".json")


def _where(data: Any, loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """'line item 3 ('rotor magnets')' and the rest of the path, for a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int):
        index = loc[1]
        part = None
        if isinstance(data, Mapping):
            lines = data.get("lines")
            if isinstance(lines, list) and index < len(lines) and isinstance(lines[index], Mapping):
                part = lines[index].get("part")
        label = f"line item {index + 1}" + (f" ({part!r})" if part else "")
        return label, loc[2:]
    return "", loc


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(name: str, data: Any, error: ValidationError) -> str:
    """One line per problem: file, line item, field, what was expected."""
    parts = []
    for item in error.errors():
        label, rest = _where(data, tuple(item["loc"]))
        message = item["msg"].removeprefix("Value error, ")
        where = ", ".join(p for p in (label, f"field {_field(rest)!r}" if rest else "") if p)
        parts.append(f"{name}: {where + ': ' if where else ''}{message}")
    return "; ".join(parts)


def _country(kb: KnowledgeBase, value: str | None, where: str) -> str | None:
    if value is None:
        return None
    try:
        return kb.country(value).id
    except NotFoundError as exc:
        raise CritminError(f"{where}: {exc.message}") from None


def resolve(bom: Bom, kb: KnowledgeBase, name: str = "BOM") -> Bom:
    """The BOM with every material and country name replaced by its knowledge-base id."""
    lines: list[LineItem] = []
    for number, line in enumerate(bom.lines, start=1):
        where = f"{name}: line item {number} ({line.part!r})"
        uses: list[MaterialUse] = []
        for index, use in enumerate(line.materials):
            at = f"{where}, field 'materials[{index}]"
            try:
                material = kb.material(use.material).id
            except NotFoundError as exc:
                raise CritminError(f"{at}.material': {exc.message}") from None
            uses.append(use.model_copy(update={
                "material": material,
                "origin": _country(kb, use.origin, f"{at}.origin'"),
                "processed_in": _country(kb, use.processed_in, f"{at}.processed_in'"),
            }))
        lines.append(line.model_copy(update={
            "materials": uses,
            "made_in": _country(kb, line.made_in, f"{where}, field 'made_in'"),
            "technology_origin": _country(kb, line.technology_origin, f"{where}, field 'technology_origin'"),
        }))
    return bom.model_copy(update={"lines": lines,
                                  "made_in": _country(kb, bom.made_in, f"{name}: field 'made_in'")})


def parse_bom(data: Any, kb: KnowledgeBase, name: str = "BOM") -> Bom:
    """A validated, resolved BOM from already-parsed data (a mapping from YAML or JSON)."""
    if not isinstance(data, Mapping):
        raise CritminError(f"{name}: expected a mapping with product, currency and lines")
    try:
        bom = Bom.model_validate(data)
    except ValidationError as exc:
        raise CritminError(describe(name, data, exc)) from None
    return resolve(bom, kb, name)


def read_bom(path: Path, kb: KnowledgeBase) -> Bom:
    """A BOM file (YAML or JSON) as a validated, resolved model."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CritminError(f"{name}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise CritminError(f"{name}: not a UTF-8 text file") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise CritminError(f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise CritminError(f"{name}: {where}invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return parse_bom(data, kb, name)


def parse_date(text: str | None, option: str = "--on") -> dt.date:
    """A date from the command line (today when absent)."""
    if text is None or not text.strip():
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date (expected YYYY-MM-DD)") from None


def make_shipment(kb: KnowledgeBase, *, to: str, on: dt.date, end_use: str = "",
                  end_user: str = "unknown", ship_from: str | None = None, where: str = "") -> Shipment:
    """A shipment with its countries resolved; `where` prefixes errors (e.g. a CSV row)."""
    prefix = f"{where}: " if where else ""
    try:
        user = EndUser(end_user.strip().lower() or "unknown")
    except ValueError:
        raise UsageError(f"{prefix}end user {end_user!r} is not one of: civil, military, unknown") from None
    destination = _country(kb, to, f"{prefix}destination")
    assert destination is not None
    return Shipment.model_validate({
        "to": destination, "from": _country(kb, ship_from, f"{prefix}from"),
        "end_use": end_use, "end_user": user, "date": on})


@dataclass(frozen=True)
class BatchJob:
    """One BOM of a batch with the shipment columns its CSV row gives (None = use the options)."""

    bom: Path
    to: str | None = None
    end_use: str | None = None
    end_user: str | None = None
    on: str | None = None
    ship_from: str | None = None
    where: str = ""


BATCH_COLUMNS = ("bom", "to", "end_use", "end_user", "on", "from")


def batch_jobs(path: Path) -> list[BatchJob]:
    """The BOMs of a batch: every BOM file in a folder, or the rows of a CSV listing them."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in BOM_SUFFIXES)
        if not files:
            raise CritminError(f"{path}: no BOM files (*.yaml, *.yml, *.json)")
        return [BatchJob(bom=f, where=str(f)) for f in files]
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise CritminError(f"{path}: cannot read the batch file ({type(exc).__name__})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    if "bom" not in header:
        raise CritminError(f"{path}: line 1: the CSV needs a 'bom' column (optional: "
                           f"{', '.join(BATCH_COLUMNS[1:])})")
    unknown = [h for h in header if h not in BATCH_COLUMNS]
    if unknown:
        raise CritminError(f"{path}: line 1: unknown columns {', '.join(unknown)}; expected "
                           f"{', '.join(BATCH_COLUMNS)}")
    jobs: list[BatchJob] = []
    for number, row in enumerate(reader, start=2):
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not cells.get("bom"):
            continue
        bom = Path(cells["bom"])
        if not bom.is_absolute():
            bom = path.parent / bom
        jobs.append(BatchJob(bom=bom, to=cells.get("to") or None, end_use=cells.get("end_use") or None,
                             end_user=cells.get("end_user") or None, on=cells.get("on") or None,
                             ship_from=cells.get("from") or None, where=f"{path}:{number}"))
    if not jobs:
        raise CritminError(f"{path}: no rows with a 'bom' path")
    return jobs


# ---------------------------------------------------------------------------------------------
# plain data for the engine


@dataclass(slots=True)
class PlainUse:
    """One material of one line, with its value already in the BOM's currency."""

    line_no: int
    part: str
    made_in: str | None
    technology_origin: str | None
    material: str
    form: Form | None
    origin: str | None
    processed_in: str | None
    meets_parameters: bool | None
    value: float


@dataclass(slots=True)
class PlainLine:
    """A line as the value-content rules by part need it."""

    line_no: int
    part: str
    value: float
    us_controlled: bool | None


@dataclass(slots=True)
class PlainBom:
    """A validated BOM compiled once: values converted, materials indexed by id, lines by maker.

    The engine reads only this, so a check costs in proportion to the controlled content it
    finds rather than to the number of lines and attributes of the BOM.
    """

    product: str
    currency: str
    total: float
    made_in: str | None
    form: Form | None
    semiconductor: Semiconductor | None
    by_material: dict[str, list[PlainUse]]
    by_made_in: dict[str | None, list[PlainLine]]
    hs_lines: list[tuple[int, str, str]]


def compile_bom(bom: Bom) -> PlainBom:
    """Convert currencies, value every material (value share, or mass x price) and index the BOM."""
    by_material: dict[str, list[PlainUse]] = {}
    by_made_in: dict[str | None, list[PlainLine]] = {}
    hs_lines: list[tuple[int, str, str]] = []
    if bom.hs_code:
        hs_lines.append((0, "the product", bom.hs_code))
    for number, line in enumerate(bom.lines, start=1):
        rate = bom.rate(line.currency)
        quantity = line.quantity
        line_value = quantity * line.unit_value * rate
        part, made_in = line.part, line.made_in
        by_made_in.setdefault(made_in, []).append(PlainLine(number, part, line_value, line.us_controlled))
        if line.hs_code is not None:
            hs_lines.append((number, part, line.hs_code))
        for use in line.materials:
            if use.value_share is not None:
                value = line_value * use.value_share
            elif use.mass_kg is not None:
                value = quantity * use.mass_kg * (use.price_per_kg or 0.0) * rate
            else:
                value = quantity * (line.unit_mass_kg or 0.0) * (use.mass_share or 0.0) \
                    * (use.price_per_kg or 0.0) * rate
            by_material.setdefault(use.material, []).append(PlainUse(
                number, part, made_in, line.technology_origin, use.material, use.form, use.origin,
                use.processed_in, use.meets_parameters, value))
    return PlainBom(bom.product, bom.currency, bom.value(), bom.made_in, bom.form, bom.semiconductor,
                    by_material, by_made_in, hs_lines)
