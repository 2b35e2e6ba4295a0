"""docs/rules.md's reference blocks, written from the models and the bundled measures.

The BOM and measure schemas and the table of measures are generated, so the documentation
cannot drift from the code: a test regenerates them (`python tools/gen_rules_docs.py`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence

from pydantic import BaseModel

from critmin.rules.models import (
    Bom,
    Condition,
    Item,
    Licence,
    LineItem,
    MaterialUse,
    Measure,
    Owner,
    Party,
    ProductScope,
    Revocation,
    Semiconductor,
    StatusNote,
    Suspension,
    Technology,
    Threshold,
)
from critmin.rules.screening import (
    AffiliatesRule,
    ListSuspension,
    Notice,
    PartyEntity,
    PartyList,
    bundled_screener,
)

BEGIN = "<!-- BEGIN GENERATED RULES REFERENCE -->"
END = "<!-- END GENERATED RULES REFERENCE -->"

BOM_MODELS: list[tuple[str, type[BaseModel]]] = [
    ("BOM file", Bom), ("lines[]", LineItem), ("lines[].materials[]", MaterialUse),
    ("semiconductor", Semiconductor), ("parties[]", Party), ("parties[].owners[]", Owner)]
PARTY_LIST_MODELS: list[tuple[str, type[BaseModel]]] = [
    ("party list file", PartyList), ("notices[]", Notice), ("notices[].entities[]", PartyEntity),
    ("notices[].suspensions[] and affiliates.suspensions[]", ListSuspension), ("affiliates", AffiliatesRule)]
MEASURE_MODELS: list[tuple[str, type[BaseModel]]] = [
    ("measure file", Measure), ("items[]", Item), ("technologies[] and direct_product", Technology),
    ("thresholds[]", Threshold), ("conditions[]", Condition), ("product_scope", ProductScope),
    ("suspensions[]", Suspension), ("status_notes[]", StatusNote), ("revocation", Revocation),
    ("licence", Licence)]


def _type_name(annotation: object) -> str:
    """`str | None` for `Optional[Annotated[str, ...]]`: constraints dropped, unions spelled out."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in typing.get_args(annotation))
    if origin is tuple:
        return f"list[{_type_name(typing.get_args(annotation)[0])}]"
    if origin in (list, dict):
        return f"{origin.__name__}[{', '.join(_type_name(arg) for arg in typing.get_args(annotation))}]"
    if annotation is type(None):
        return "None"
    text = getattr(annotation, "__name__", None) or str(annotation)
    for prefix in ("typing.", "critmin.rules.models.", "critmin.rules.screening.", "datetime."):
        text = text.replace(prefix, "")
    return text


def _table(title: str, model: type[BaseModel]) -> list[str]:
    doc = (model.__doc__ or "").strip().splitlines()[0]
    out = [f"\n#### {title} ({model.__name__})\n", f"{doc}\n", "| field | type | required | meaning |",
           "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = info.alias or name
        meaning = " ".join((info.description or "").split()).replace("|", "\\|")
        type_name = _type_name(info.annotation).replace("|", "\\|")
        out.append(f"| `{key}` | {type_name} | {'yes' if info.is_required() else 'no'} | {meaning} |")
    return out


def _measures(measures: Sequence[Measure]) -> list[str]:
    out = ["\n### Bundled measures\n", "| id | document | kind | effective | suspended | sources |",
           "|---|---|---|---|---|---|"]
    for m in measures:
        suspended = "; ".join(f"{s.start} to {s.until} ({s.by})" for s in m.suspensions) or "-"
        caveat = " (status after it unconfirmed)" if m.status_notes else ""
        out.append(f"| `{m.id}` | {m.document} | {m.kind.value} | {m.effective or 'not dated'} | "
                   f"{suspended}{caveat} | {', '.join(f'`{s}`' for s in m.sources)} |")
    return out


def _party_lists(lists: Sequence[PartyList]) -> list[str]:
    out = ["\n### Bundled party lists\n", "| id | list | outcome of a hit | notices | entities | sources |",
           "|---|---|---|---:|---:|---|"]
    for party_list in lists:
        sources = dict.fromkeys([*party_list.sources, *(s for n in party_list.notices for s in n.sources)])
        entities = sum(len(n.entities) for n in party_list.notices)
        out.append(f"| `{party_list.id}` | {party_list.title} ({party_list.authority}) | "
                   f"{party_list.outcome.value} | {len(party_list.notices)} | {entities} | "
                   f"{', '.join(f'`{s}`' for s in sources)} |")
    return out


def render(measures: Sequence[Measure], party_lists: Sequence[PartyList] | None = None) -> str:
    """The generated block: bundled measures and party lists, then the BOM, measure and party-list schemas."""
    lists = bundled_screener().lists if party_lists is None else party_lists
    parts = [BEGIN, *_measures(measures), *_party_lists(lists), "\n### BOM schema"]
    for title, model in BOM_MODELS:
        parts += _table(title, model)
    parts.append("\n### Measure schema")
    for title, model in MEASURE_MODELS:
        parts += _table(title, model)
    parts.append("\n### Party list schema")
    for title, model in PARTY_LIST_MODELS:
        parts += _table(title, model)
    parts.append(END)
    return "\n".join(parts) + "\n"
