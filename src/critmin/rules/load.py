"""Reading measure files (one YAML file a measure) and checking them against the knowledge base.

Every problem in every file is collected before failing, each as `file: field: message`, so a
reviewer of a data change sees them all at once. Material ids must be the knowledge base's own
ids (not aliases): a measure names exactly what it controls.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from critmin.errors import DataError
from critmin.kb import KnowledgeBase, load_kb
from critmin.rules.models import Measure


def bundled_rules_dir() -> Path:
    """The measure files shipped inside the wheel."""
    return Path(str(resources.files("critmin.rules") / "data"))


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "record"


def _nearest(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=5, cutoff=0.4)
    folded = [k for k in known if k.casefold() == value.casefold() and k not in close]
    ids = folded + close
    return f"; nearest ids: {', '.join(ids)}" if ids else ""


def _references(name: str, measure: Measure, kb: KnowledgeBase) -> list[str]:
    """Ids a measure names that the knowledge base does not know."""
    problems: list[str] = []
    materials = sorted(kb.materials)
    for index, item in enumerate(measure.items):
        if item.material is not None and item.material not in kb.materials:
            problems.append(f"{name}: items[{index}].material: unknown material {item.material!r}"
                            + _nearest(item.material, materials))
    countries = sorted(kb.countries)
    codes = [("jurisdiction", measure.jurisdiction)]
    codes += [(f"destinations[{i}]", c) for i, c in enumerate(measure.destinations or [])]
    for t_index, threshold in enumerate(measure.thresholds):
        codes += [(f"thresholds[{t_index}].destinations[{i}]", c)
                  for i, c in enumerate(threshold.destinations or [])]
    for field, code in codes:
        if code not in kb.countries:
            problems.append(f"{name}: {field}: unknown country {code!r}" + _nearest(code, countries))
    cited: list[tuple[str, list[str]]] = [("sources", measure.sources)]
    for group in ("items", "technologies", "thresholds", "conditions", "suspensions", "status_notes"):
        for index, entry in enumerate(getattr(measure, group)):
            cited.append((f"{group}[{index}].sources", entry.sources))
    for group in ("licence", "product_scope", "direct_product", "revocation"):
        entry = getattr(measure, group)
        if entry is not None:
            cited.append((f"{group}.sources", entry.sources))
    known_sources = sorted(kb.sources)
    for field, ids in cited:
        for source_id in ids:
            if source_id not in kb.sources:
                problems.append(f"{name}: {field}: unknown source id {source_id!r}"
                                + _nearest(source_id, known_sources))
    return problems


def read_measure(path: Path) -> tuple[Measure | None, list[str]]:
    """One measure file as a model, or the problems that stop it being one."""
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [f"{name}: file is not UTF-8 text"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return None, [f"{name}: {where}invalid YAML: {getattr(exc, 'problem', None) or exc}"]
    if not isinstance(data, dict):
        return None, [f"{name}: expected a mapping of field: value (one measure a file)"]
    try:
        return Measure.model_validate(data), []
    except ValidationError as exc:
        return None, [f"{name}: {_field_path(tuple(e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                      for e in exc.errors()]


def check_measures(directory: Path, kb: KnowledgeBase) -> tuple[list[Measure], list[str]]:
    """Every measure in `directory` and every problem found, without raising."""
    measures: list[Measure] = []
    problems: list[str] = []
    paths = sorted(p for p in directory.glob("*.yaml") if p.is_file())
    if not paths:
        problems.append(f"{directory}: no measure files (*.yaml)")
    seen: dict[str, str] = {}
    for path in paths:
        measure, found = read_measure(path)
        problems += found
        if measure is None:
            continue
        problems += _references(path.name, measure, kb)
        if measure.id in seen:
            problems.append(f"{path.name}: id: duplicate measure id {measure.id!r} "
                            f"(also in {seen[measure.id]})")
        seen[measure.id] = path.name
        measures.append(measure)
    return measures, problems


@lru_cache(maxsize=4)
def _load_cached(directory: str, kb_root: str) -> tuple[Measure, ...]:
    kb = load_kb(Path(kb_root))
    measures, problems = check_measures(Path(directory), kb)
    if problems:
        raise DataError(problems)
    return tuple(measures)


def load_measures(directory: Path | None = None, kb: KnowledgeBase | None = None) -> tuple[Measure, ...]:
    """Validated measures from `directory` (default: the bundled ones), checked against the KB."""
    folder = (directory or bundled_rules_dir()).resolve()
    if kb is None:
        return _load_cached(str(folder), str(load_kb().root.resolve()))
    measures, problems = check_measures(folder, kb)
    if problems:
        raise DataError(problems)
    return tuple(measures)
