"""BOM and shipment input: files to validated models with knowledge-base ids, or one clear error.

This is the edge. A BOM file (YAML or JSON) is read through `critmin.inputs` (regular files
only, a size limit, any common encoding, no aliases, a nesting and a digit limit, finite
numbers) and validated once here; errors name the file, the line item and the field, every
problem of a file at once. Material and country names are resolved to knowledge-base ids (an
unknown one lists the nearest), and currencies must have a rate. The engine trusts the result.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from critmin.errors import (
    CritminError,
    NotFoundError,
    ProblemsError,
    UsageError,
    format_problems,
)
from critmin.inputs import InputError, display_path, list_files, load_structured, read_text
from critmin.kb import KnowledgeBase
from critmin.rules.models import (
    MAX_NAME_CHARS,
    Bom,
    EndUser,
    Form,
    LineItem,
    MaterialUse,
    Owner,
    Party,
    PartyRole,
    Semiconductor,
    Shipment,
    clip,
)

BOM_SUFFIXES = (".yaml", ".yml", ".json")

#: Largest BOM file read. The biggest real BOMs (tens of thousands of lines) are a few MiB.
MAX_BOM_BYTES = 16 * 1024 * 1024
#: Largest batch CSV read, and most BOMs in one batch (a folder or a CSV).
MAX_BATCH_BYTES = 16 * 1024 * 1024
MAX_BATCH_BOMS = 100_000
#: Longest cell of a batch CSV (a path is at most 4,096 bytes on Linux).
MAX_CELL_CHARS = 4096
#: Longest end use in words (the web form's limit too).
MAX_END_USE_CHARS = 500
def _where(data: Any, loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """'line item 3 ('rotor magnets')' and the rest of the path, for a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int):
        index = loc[1]
        part = None
        if isinstance(data, Mapping):
            lines = data.get("lines")
            if isinstance(lines, list) and index < len(lines) and isinstance(lines[index], Mapping):
                part = lines[index].get("part")
        label = f"line item {index + 1}" + (f" ({clip(part)!r})" if isinstance(part, str) and part else "")
        return label, loc[2:]
    return "", loc


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{clip(part, 40)}" if out else clip(part, 40))
    return out


def problems_of(data: Any, error: ValidationError) -> list[str]:
    """One line per problem: line item, field, what was expected (the file is named once, by the caller)."""
    parts = []
    for item in error.errors():
        label, rest = _where(data, tuple(item["loc"]))
        message = " ".join(str(item["msg"]).removeprefix("Value error, ").split())
        where = ", ".join(p for p in (label, f"field {_field(rest)!r}" if rest else "") if p)
        parts.append(f"{where + ': ' if where else ''}{message}")
    return parts


def describe(name: str, data: Any, error: ValidationError) -> str:
    """The problems of a BOM as an error message naming `name` once (see `format_problems`)."""
    return format_problems(name, problems_of(data, error))


def _country(kb: KnowledgeBase, value: str | None, where: str) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_NAME_CHARS:
        raise CritminError(f"{where}: a country name or code of {len(value):,} characters "
                           f"(at most {MAX_NAME_CHARS})")
    try:
        return kb.country(value).id
    except NotFoundError as exc:
        raise CritminError(f"{where}: {exc.message}") from None


def resolve(bom: Bom, kb: KnowledgeBase, name: str = "BOM") -> Bom:
    """The BOM with every material and country name replaced by its knowledge-base id.

    Every unknown name is reported, not just the first, in one `ProblemsError` naming `name`.
    """
    problems: list[str] = []

    def country(value: str | None, where: str) -> str | None:
        try:
            return _country(kb, value, where)
        except CritminError as exc:
            problems.append(exc.message)
            return value

    lines: list[LineItem] = []
    for number, line in enumerate(bom.lines, start=1):
        where = f"line item {number} ({clip(line.part)!r})"
        uses: list[MaterialUse] = []
        for index, use in enumerate(line.materials):
            at = f"{where}, field 'materials[{index}]"
            try:
                material = kb.material(use.material).id
            except NotFoundError as exc:
                problems.append(f"{at}.material': {exc.message}")
                material = use.material
            uses.append(use.model_copy(update={
                "material": material,
                "origin": country(use.origin, f"{at}.origin'"),
                "processed_in": country(use.processed_in, f"{at}.processed_in'"),
            }))
        lines.append(line.model_copy(update={
            "materials": uses,
            "made_in": country(line.made_in, f"{where}, field 'made_in'"),
            "technology_origin": country(line.technology_origin, f"{where}, field 'technology_origin'"),
        }))
    made_in = country(bom.made_in, "field 'made_in'")
    parties = tuple(party.model_copy(update={"country": country(party.country,
                                                                f"field 'parties[{index}].country'")})
                    for index, party in enumerate(bom.parties))
    if problems:
        raise ProblemsError(name, problems)
    return bom.model_copy(update={"lines": lines, "made_in": made_in, "parties": parties})


#: Top-level keys of a BOM; a mapping with none of them is some other file, whose keys we do
#: not echo back as "unknown fields".
_BOM_KEYS = frozenset({"product", "currency", "lines"})


def parse_bom(data: Any, kb: KnowledgeBase, name: str = "BOM") -> Bom:
    """A validated, resolved BOM from already-parsed data (a mapping from YAML or JSON)."""
    if not isinstance(data, Mapping) or not any(isinstance(k, str) and k in _BOM_KEYS for k in data):
        raise CritminError(f"{name}: not a BOM (expected a mapping with product, currency and lines)")
    try:
        bom = Bom.model_validate(data)
    except ValidationError as exc:
        raise ProblemsError(name, problems_of(data, exc)) from None
    return resolve(bom, kb, name)


def read_bom(path: Path, kb: KnowledgeBase) -> Bom:
    """A BOM file (YAML or JSON, at most MAX_BOM_BYTES) as a validated, resolved model."""
    data = load_structured(read_text(path, MAX_BOM_BYTES), path)
    return parse_bom(data, kb, display_path(path))


def parse_date(text: str | None, option: str = "--on") -> dt.date:
    """A date from the command line (today when absent)."""
    if text is None or not text.strip():
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {clip(text, 40)!r} is not a date (expected YYYY-MM-DD)") from None


def make_shipment(kb: KnowledgeBase, *, to: str, on: dt.date, end_use: str = "",
                  end_user: str = "unknown", ship_from: str | None = None, where: str = "",
                  parties: Sequence[Party | str] = ()) -> Shipment:
    """A shipment with its countries resolved; `where` prefixes errors (e.g. a CSV row).

    `parties` are models or `--party` strings (`NAME`, or `ROLE=NAME` with a role of
    consignee, end-user, intermediary).
    """
    prefix = f"{where}: " if where else ""
    user = _end_user(end_user, f"{prefix}end user ")
    _check_end_use(end_use, f"{prefix}end use: ")
    destination = _country(kb, to, f"{prefix}destination")
    assert destination is not None
    resolved = tuple(p if isinstance(p, Party) else parse_party_option(p) for p in parties)
    resolved = tuple(p.model_copy(update={"country": _country(kb, p.country,
                                                              f"{prefix}party {clip(p.name)!r} country")})
                     for p in resolved)
    return Shipment.model_validate({
        "to": destination, "from": _country(kb, ship_from, f"{prefix}from"),
        "end_use": end_use, "end_user": user, "date": on, "parties": resolved})


def parse_party_option(text: str) -> Party:
    """A party from `--party`: `NAME` or `ROLE=NAME` (consignee, end-user, intermediary)."""
    role, sep, name = text.partition("=")
    known = {r.value: r for r in PartyRole}
    if sep and role.strip().lower() in known:
        chosen, value = known[role.strip().lower()], name
    else:
        chosen, value = PartyRole.PARTY, text
    try:
        return Party.model_validate({"name": value, "role": chosen})
    except ValidationError as exc:
        reason = " ".join(str(exc.errors()[0]["msg"]).split())
        raise UsageError(f"--party {clip(text, 60)!r}: {reason}") from None


def parse_owner_option(text: str) -> Owner:
    """An owner from `--owner`: `NAME:SHARE`, the share a fraction (0.6) or a percentage (60%)."""
    name, sep, share = text.rpartition(":")
    value = share.strip()
    try:
        number = float(value.removesuffix("%")) / (100 if value.endswith("%") else 1)
        if not sep:
            raise ValueError
        return Owner.model_validate({"name": name, "share": number})
    except ValidationError as exc:
        reason = " ".join(str(exc.errors()[0]["msg"]).split())
        raise UsageError(f"--owner {clip(text, 60)!r}: {reason}") from None
    except ValueError:
        raise UsageError(f"--owner {clip(text, 60)!r}: expected NAME:SHARE with a share in (0, 1] "
                         "or a percentage, e.g. 'Acme Holdings:0.6' or 'Acme Holdings:60%'") from None


def check_shipment_options(kb: KnowledgeBase, *, to: str | None = None, end_use: str = "",
                           end_user: str = "unknown", ship_from: str | None = None) -> None:
    """Refuse bad shipment options (unknown country, end user, overlong end use) before any work.

    A batch checks its command-line options once with this, so a typo fails at once rather
    than on every row; a missing `to` is allowed (the rows may give it).
    """
    _end_user(end_user, "--end-user ")
    _check_end_use(end_use, "--end-use: ")
    _country(kb, to, "--to")
    _country(kb, ship_from, "--from")


def _end_user(value: str, label: str) -> EndUser:
    try:
        return EndUser(value.strip().lower() or "unknown")
    except ValueError:
        raise UsageError(f"{label}{clip(value, 40)!r} is not one of: civil, military, unknown") from None


def _check_end_use(value: str, label: str) -> None:
    if len(value) > MAX_END_USE_CHARS:
        raise UsageError(f"{label}{len(value):,} characters (at most {MAX_END_USE_CHARS})")


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

#: What a batch CSV's header cells look like: short names of letters, digits and underscores.
_COLUMN_NAME = re.compile(r"^[a-z_][a-z0-9_ -]{0,39}$")
#: Most header cells of a batch CSV (six columns are known; a few extra are tolerated as unknown).
_MAX_COLUMNS = 20
#: Unknown column names echoed in an error, at most.
_SHOWN_COLUMNS = 3


def _not_a_batch(path: Path, why: str = "") -> InputError:
    return InputError(path, f"not a batch CSV{why} (expected a header with a 'bom' column; optional: "
                            f"{', '.join(BATCH_COLUMNS[1:])})")


def _header(path: Path, header: list[str]) -> list[str]:
    """The column names of a batch CSV's first row, lower-cased; nothing of another file is echoed."""
    names = [cell.strip().lower() for cell in header]
    plausible = (0 < len(names) <= _MAX_COLUMNS and "bom" in names
                 and all(not name or _COLUMN_NAME.match(name) for name in names))
    if not plausible:
        raise _not_a_batch(path)
    unknown = [name for name in names if name and name not in BATCH_COLUMNS]
    if unknown:
        shown = ", ".join(repr(name) for name in unknown[:_SHOWN_COLUMNS])
        more = f" and {len(unknown) - _SHOWN_COLUMNS} more" if len(unknown) > _SHOWN_COLUMNS else ""
        raise InputError(path, f"line 1: unknown column{'s' if len(unknown) > 1 else ''} {shown}{more}; "
                               f"expected {', '.join(BATCH_COLUMNS)}")
    for name in BATCH_COLUMNS:
        if names.count(name) > 1:
            raise InputError(path, f"line 1: column {name!r} appears {names.count(name)} times")
    return names


def _folder_jobs(path: Path) -> list[BatchJob]:
    """Every BOM file directly in a folder (hidden names skipped), sorted by name.

    An entry that cannot be read (a broken link, say) stays in the batch, so its row reports
    the reason; a folder that cannot be listed is refused whole.
    """
    files, problems = list_files(path, BOM_SUFFIXES, recursive=False)
    for problem in problems:
        if Path(problem.path) == path:
            raise problem
    files = sorted(files + [Path(p.path) for p in problems if Path(p.path).suffix.lower() in BOM_SUFFIXES])
    if not files:
        raise InputError(path, "no BOM files (*.yaml, *.yml, *.json) in the folder")
    if len(files) > MAX_BATCH_BOMS:
        raise InputError(path, f"{len(files):,} BOM files; a batch takes at most {MAX_BATCH_BOMS:,}")
    return [BatchJob(bom=f, where=display_path(f)) for f in files]


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def batch_jobs(path: Path) -> list[BatchJob]:
    """The BOMs of a batch: every BOM file in a folder, or the rows of a CSV listing them.

    A CSV that cannot be a batch (no header with a 'bom' column, a NUL byte, an overlong cell,
    malformed quoting) is refused whole, naming the line, before any BOM is checked.
    """
    if _is_dir(path):
        return _folder_jobs(path)
    text = read_text(path, MAX_BATCH_BYTES)
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(path, f"line {text.count(chr(10), 0, nul) + 1}: a NUL byte (binary data, not a CSV)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _not_a_batch(path, ", no header")
        names = _header(path, header)
        jobs: list[BatchJob] = []
        shown = display_path(path)
        for row in reader:
            number = reader.line_num
            if len(row) > len(names) and any(cell.strip() for cell in row[len(names):]):
                raise InputError(path, f"line {number}: {len(row)} cells but the header has {len(names)} "
                                       "columns")
            cells: dict[str, str] = {}
            for name, cell in zip(names, row, strict=False):
                if len(cell) > MAX_CELL_CHARS:
                    raise InputError(path, f"line {number}: the {name or 'unnamed'!r} cell has "
                                           f"{len(cell):,} characters (at most {MAX_CELL_CHARS:,})")
                if name:
                    cells[name] = cell.strip()
            if not cells.get("bom"):
                continue
            if len(jobs) == MAX_BATCH_BOMS:
                raise InputError(path, f"more than {MAX_BATCH_BOMS:,} BOMs; split the batch")
            bom = Path(cells["bom"])
            if not bom.is_absolute():
                bom = path.parent / bom
            jobs.append(BatchJob(bom=bom, to=cells.get("to") or None, end_use=cells.get("end_use") or None,
                                 end_user=cells.get("end_user") or None, on=cells.get("on") or None,
                                 ship_from=cells.get("from") or None, where=f"{shown}:{number}"))
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell longer than {csv.field_size_limit():,} characters"
        raise InputError(path, f"line {reader.line_num}: not a valid CSV: {reason}") from None
    if not jobs:
        raise InputError(path, "no rows with a 'bom' path")
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
    parties: tuple[Party, ...] = ()


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
                    by_material, by_made_in, hs_lines, bom.parties)
