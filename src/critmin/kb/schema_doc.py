"""Field reference for the bundled data, written from the models so the docs cannot drift.

docs/data.md embeds the output of `render()` between marker comments; a test regenerates it
and fails when the two differ (`python tools/gen_docs.py` rewrites the block).
"""

from __future__ import annotations

from pydantic import BaseModel

from critmin.kb.models import (
    Capacity,
    Company,
    Country,
    CriticalityInput,
    ElementContent,
    EndUse,
    Facility,
    Governance,
    ImportReliance,
    ImportShare,
    Intensity,
    Material,
    PricePoint,
    SeriesNote,
    ShareRow,
    Source,
)

DOCUMENTED: list[tuple[str, type[BaseModel]]] = [
    ("sources/*.yaml", Source),
    ("materials/*.yaml", Material),
    ("countries.yaml", Country),
    ("companies.yaml", Company),
    ("shares/*.csv", ShareRow),
    ("series.yaml", SeriesNote),
    ("facilities.yaml", Facility),
    ("facilities.yaml: capacity", Capacity),
    ("end_uses.yaml", EndUse),
    ("end_uses.yaml: intensities", Intensity),
    ("criticality.yaml: materials", CriticalityInput),
    ("criticality.yaml: governance", Governance),
    ("imports.csv", ImportShare),
    ("prices/*.csv", PricePoint),
    ("import_reliance.csv", ImportReliance),
    ("ree_content.csv", ElementContent),
]

BEGIN = "<!-- BEGIN GENERATED FIELD REFERENCE -->"
END = "<!-- END GENERATED FIELD REFERENCE -->"


def _type_name(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("critmin.kb.models.", "")


def render() -> str:
    """Markdown tables, one per file kind, listing each field, its type and its meaning."""
    parts = [BEGIN]
    for title, model in DOCUMENTED:
        parts.append(f"\n### {title} ({model.__name__})\n")
        doc = (model.__doc__ or "").strip().splitlines()[0]
        parts.append(f"{doc}\n")
        parts.append("| field | type | required | meaning |")
        parts.append("|---|---|---|---|")
        for name, info in model.model_fields.items():
            meaning = " ".join((info.description or "").split()).replace("|", "\\|")
            required = "yes" if info.is_required() else "no"
            type_name = _type_name(info.annotation).replace("|", "\\|")
            parts.append(f"| `{name}` | {type_name} | {required} | {meaning} |")
    parts.append(END)
    return "\n".join(parts) + "\n"
