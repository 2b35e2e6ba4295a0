"""The scenario schema as Markdown, written from the models' field docstrings.

docs/scenarios.md holds the block between the markers; `python -m critmin.sim.schema_doc`
prints it, and a test fails when the file is behind the models.
"""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel

from critmin.sim.scenario import (
    CapacityAddition,
    DomesticQuota,
    InventoryOverride,
    LicenceChange,
    Licensing,
    Mitigation,
    Quota,
    ReexportRule,
    Restriction,
    Scenario,
    StockpileRelease,
    SubstitutionOverride,
)

BEGIN = "<!-- BEGIN scenario schema (generated: python -m critmin.sim.schema_doc) -->"
END = "<!-- END scenario schema -->"
MODELS: list[type[BaseModel]] = [
    Scenario,
    Restriction,
    Quota,
    DomesticQuota,
    Licensing,
    LicenceChange,
    ReexportRule,
    InventoryOverride,
    Mitigation,
    CapacityAddition,
    StockpileRelease,
    SubstitutionOverride,
]


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, dict):
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in args)}]"
    return getattr(annotation, "__name__", str(annotation))


def render() -> str:
    lines = [BEGIN, ""]
    for model in MODELS:
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines += [
            f"### `{model.__name__}`",
            "",
            doc,
            "",
            "| field | type | required | meaning |",
            "|---|---|---|---|",
        ]
        for name, field in model.model_fields.items():
            required = "yes" if field.is_required() else "no"
            meaning = " ".join((field.description or "").split()).replace("|", "\\|")
            shown = field.alias or name
            lines.append(f"| `{shown}` | {_type_name(field.annotation)} | {required} | {meaning} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
